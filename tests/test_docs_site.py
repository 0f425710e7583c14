"""The documentation site (mkdocs.yml, docs/) builds with `mkdocs build --strict`, and every command, rule and
target has its place in it.

The build is the one README gives (`pip install -e '.[docs]' && mkdocs build --strict`), into a temporary
directory; .ci/run installs the docs extra, so under REGC_CONFORMANCE=required a missing MkDocs fails.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from regc.cli import cli
from regc.rules import builtin_rules
from regc.targets import builtin_names
from tests.conftest import ROOT, require_module

DOCS = ROOT / "docs"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_module("mkdocs")
    require_module("mkdocs_click")
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"),
                            "--site-dir", str(out)], capture_output=True, text=True, check=False,
                           env={"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin", "HOME": str(out)})
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr, built.stderr
    return out


def command_paths(group: click.Group = cli, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand of the `regc` group, as the words a user types after `regc`."""
    paths = []
    for name, command in sorted(group.commands.items()):
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def headings(page: Path) -> list[str]:
    return re.findall(r'<h[1-6] id="([^"]+)"', page.read_text(encoding="utf-8"))


def nav_pages() -> list[str]:
    def walk(entry: object) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, dict):
            return [page for value in entry.values() for page in walk(value)]
        if isinstance(entry, list):
            return [page for item in entry for page in walk(item)]
        return []

    yaml = require_module("yaml")  # PyYAML, which MkDocs itself reads mkdocs.yml with
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    return walk(config["nav"])


def test_the_site_builds_strict_with_a_page_for_every_nav_entry(site: Path) -> None:
    for page in nav_pages():
        built = site / (page.removesuffix(".md").removesuffix("index") + "/index.html").lstrip("/")
        assert built.is_file(), f"{page} is in mkdocs.yml's nav but was not built"


def test_every_page_under_docs_is_in_the_nav() -> None:
    listed = set(nav_pages())
    pages = {str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md")}
    assert pages - listed == set(), "a page under docs/ that mkdocs.yml's nav does not list: add one line to `nav:`"


def test_every_command_has_a_section_in_the_cli_reference_and_a_row_in_commands(site: Path) -> None:
    reference = headings(site / "cli/index.html")
    commands = (DOCS / "commands.md").read_text(encoding="utf-8")
    paths = command_paths()
    assert ("prices", "check") in paths and ("init",) in paths
    for path in paths:
        assert any(anchor == path[-1] or re.fullmatch(rf"{re.escape(path[-1])}_\d+", anchor) for anchor in reference), \
            f"`regc {' '.join(path)}` has no section in the CLI reference (docs/cli.md)"
        assert f"| `regc {' '.join(path)}" in commands, f"`regc {' '.join(path)}` has no row in docs/commands.md's table"


def test_every_rule_has_a_section_in_the_rules_page(site: Path) -> None:
    anchors = headings(site / "rules/index.html")
    for rule in builtin_rules():
        assert rule.id in anchors, f"rule {rule.id} has no section in docs/rules.md"


def test_every_target_has_a_page_with_options_output_proof_and_limits(site: Path) -> None:
    for name in builtin_names():
        page = DOCS / "targets" / f"{name}.md"
        assert page.is_file(), f"target {name} has no page docs/targets/{name}.md"
        assert f"targets/{name}.md" in nav_pages()
        sections = headings(site / "targets" / name / "index.html")
        for section in ("options", "output", "how-it-is-proven", "known-limits"):
            assert section in sections, f"docs/targets/{name}.md has no `## {section.replace('-', ' ').capitalize()}` section"


def test_the_guarantees_page_shows_every_guarantee_of_the_readme(site: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/[\w/]+\.py::\w+)`", readme))
    page = (site / "guarantees/index.html").read_text(encoding="utf-8")
    assert len(named) >= 40
    for reference in named:
        assert reference in page


def test_a_plain_mkdocs_build_leaves_nothing_for_git_to_show() -> None:
    """`mkdocs build` (no --site-dir) writes site/: ignored, so a contributor's `git add -A` does not commit the site."""
    named = re.search(r"(?m)^site_dir:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    site_dir = named[1].strip("'\"/") if named else "site"
    ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", f"{site_dir}/index.html"], cwd=ROOT, check=False)
    assert ignored.returncode == 0, f"{site_dir}/ (mkdocs build's output) is not in .gitignore"
