"""One version names regc everywhere a user pins it (docs/releases.md): the package's, `regc --version`, every pip,
pre-commit `rev:` and Action `uses:` example of README.md, docs/, CONTRIBUTING.md and the hook manifest, what
`regc init` writes, and CHANGELOG.md's latest release."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

from regc.about import HOMEPAGE, __version__
from tests.conftest import ROOT, run_regc

#: A pinned reference to regc: the pip URL or the Action (`koder-ai/regc@vX.Y.Z`), or a pre-commit `rev:`.
PINNED = re.compile(r"koder-ai/regc@v(?P<at>[^\s\"'`)]+)|^[\s#]*rev: v(?P<rev>\S+)", re.M)
PLACEHOLDER = "X.Y.Z"  # docs/releases.md and CONTRIBUTING.md describe the scheme with it


def pinned_files() -> list[Path]:
    return [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / ".pre-commit-hooks.yaml", *sorted((ROOT / "docs").rglob("*.md"))]


def test_the_package_and_the_command_say_the_same_version() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["dynamic"] == ["version"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "regc.about.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", __version__)
    assert importlib.metadata.version("regc") == __version__, "the installed metadata is stale: pip install -e ."
    shown = run_regc("--version")
    assert (shown.code, shown.out) == (0, f"regc, version {__version__}\n")
    assert pyproject["project"]["urls"]["Homepage"] == HOMEPAGE == "https://github.com/koder-ai/regc"


def test_every_pinned_example_names_this_version() -> None:
    found: list[tuple[str, str]] = []
    for path in pinned_files():
        text = path.read_text(encoding="utf-8")
        for match in PINNED.finditer(text):
            version = match["at"] or match["rev"]
            where = f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
            if version != PLACEHOLDER:
                found.append((where, version))
    assert {where.split(":")[0] for where, _ in found} >= {"README.md", "docs/protocol.md", "docs/getting-started.md",
                                                          ".pre-commit-hooks.yaml", "docs/releases.md"}
    wrong = [f"{where} names v{version}" for where, version in found if version != __version__]
    assert not wrong, f"regc is {__version__}: " + "; ".join(wrong)


def test_what_init_writes_names_this_version(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    made = run_regc("init", "--targets", "json", "--hook", "pre-commit", "--ci", "github", cwd=tmp_path)
    assert made.code == 0, made.err
    (repo,) = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())["repos"]
    assert (repo["repo"], repo["rev"]) == (HOMEPAGE, f"v{__version__}")
    assert {hook["id"] for hook in repo["hooks"]} == {"regc", "regc-lint", "regc-fmt"}
    workflow = (tmp_path / ".github/workflows/regc.yml").read_text()
    assert f'pip install "regc @ git+{HOMEPAGE}@v{__version__}"' in workflow


def test_the_changelog_has_an_unreleased_section_and_this_release() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", changelog, re.M)
    assert releases[0] == ("Unreleased", "")
    assert releases[1][0] == __version__ and releases[1][1], "CHANGELOG.md's latest release is not this version (with its date)"
    for name, _ in releases:
        assert re.search(rf"^\[{re.escape(name)}\]: https://github\.com/koder-ai/regc/", changelog, re.M), f"no link for [{name}]"
