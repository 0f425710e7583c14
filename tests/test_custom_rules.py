"""Custom rules, as docs/policies.md's "Writing a custom rule" shows them: its examples are the ones run here.

The declarative rule is that page's YAML, put into a policy file. The plugin is
the page's module and entry point, installed as a real distribution (a
``.dist-info`` with ``entry_points.txt`` on ``PYTHONPATH``) and found by
``importlib.metadata`` in a fresh ``regc`` process, as a pip-installed plugin is.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_regc

POLICIES = (ROOT / "docs/policies.md").read_text(encoding="utf-8")  # "Writing a custom rule"


def readme_example(name: str) -> str:
    match = re.search(rf"<!-- example: {name}\b[^>]*-->\n(`{{3,}})\w*\n(.*?)\n\1\n", POLICIES, re.S)
    assert match, f"docs/policies.md has no example {name!r}"
    return match[2] + "\n"


REGISTRY = """---
reviewed: 2026-11-01
---
## Vision · alias `vision`

| | |
|---|---|
| **Primary** | `openai/gpt-4o` |
| **Alternatives** | `kimi/moonshot-v1-128k-vision-preview`, `anthropic/claude-sonnet-4-6` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `openai/gpt-4o` | chat | $2.50 | $10.00 |
| `kimi/moonshot-v1-128k-vision-preview` | chat | $2.00 | $5.00 |
| `anthropic/claude-sonnet-4-6` | chat | $3.00 | $15.00 |
| `google/gemini-2.0-flash-preview` | chat | $0.10 | $0.40 |
"""


@pytest.fixture
def custom_project(project: Path) -> Path:
    (project / "registry.md").write_text(REGISTRY)
    return project


def test_the_declarative_rule_from_the_readme(custom_project: Path) -> None:
    (custom_project / "policy.yaml").write_text(readme_example("custom-schema-rule"))

    result = run_regc("lint", "--format", "json", "--today", "2026-11-22", cwd=custom_project)

    assert result.code == 1
    found = [f for f in json.loads(result.out)["findings"] if f["rule"] == "no-preview-models"]
    # The routed preview is reported at its Models row; the unrouted one is not.
    assert [(f["line"], f["model"], f["severity"]) for f in found] == [(16, "kimi/moonshot-v1-128k-vision-preview", "error")]
    assert found[0]["message"].startswith("a preview model is routed; previews change or vanish without notice (ref: ")
    assert "no-preview-models" in run_regc("rules", cwd=custom_project).out
    assert "each model must match this JSON Schema" in run_regc("explain", "no-preview-models", cwd=custom_project).out


def test_a_declarative_rule_can_be_waived_and_set_to_off(custom_project: Path) -> None:
    rule = readme_example("custom-schema-rule")
    waiver = "waivers:\n  - {rule: no-preview-models, model: kimi/moonshot-v1-128k-vision-preview, reason: until 2026-12}\n"
    (custom_project / "policy.yaml").write_text(rule + waiver)
    assert run_regc("lint", "--today", "2026-11-22", cwd=custom_project).code == 0
    (custom_project / "policy.yaml").write_text(rule + "rules:\n  no-preview-models: off\n")
    assert run_regc("lint", "--today", "2026-11-22", cwd=custom_project).code == 0


def test_declarative_rules_on_aliases(custom_project: Path) -> None:
    (custom_project / "policy.yaml").write_text(
        "custom_rules:\n"
        "  - id: two-fallbacks\n    applies_to: alias\n    severity: warning\n    message: keep two fallbacks\n"
        "    schema: {properties: {fallbacks: {minItems: 3}}}\n"
    )
    result = run_regc("lint", "--today", "2026-11-22", cwd=custom_project)
    assert result.code == 0  # a warning
    assert result.out == ("registry.md:4:1: warning two-fallbacks keep two fallbacks "
                          "(fallbacks: ['kimi/moonshot-v1-128k-vision-preview', 'anthropic/claude-sonnet-4-6'] is too short)\n")


def install_plugin(site: Path) -> None:
    """docs/policies.md's plugin module and entry point, as a distribution in ``site``."""
    entry_points = tomllib.loads(readme_example("plugin-entry-point"))["project"]["entry-points"]
    package = site / "house_rules"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "primary_listed.py").write_text(readme_example("plugin-module"))
    dist_info = site / "house_rules-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: house-rules\nVersion: 0.1\n")
    sections = [f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items())
                for group, entries in entry_points.items()]
    (dist_info / "entry_points.txt").write_text("\n".join(sections))


def regc_process(cwd: Path, site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-m", "regc", *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_the_plugin_from_the_readme(custom_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    registry = custom_project / "registry.md"
    registry.write_text(REGISTRY.replace("| `openai/gpt-4o` | chat | $2.50 | $10.00 |\n", ""))

    result = regc_process(custom_project, site, "lint", "--today", "2026-11-22", "--format", "json")

    found = [f for f in json.loads(result.stdout)["findings"] if f["rule"] == "primary-listed"]
    assert [(f["line"], f["severity"], f["message"]) for f in found] == [
        (8, "warning", "the primary `openai/gpt-4o` of `vision` has no Models row")]
    rules = regc_process(custom_project, site, "rules", "--format", "json")
    plugin = next(rule for rule in json.loads(rules.stdout) if rule["id"] == "primary-listed")
    assert plugin["builtin"] is False and plugin["summary"] == "Every alias's primary has a row in the Models table."
    assert regc_process(custom_project, site, "explain", "primary-listed").stdout.startswith("primary-listed (default severity: warning)")


def test_the_plugins_own_examples_hold(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    script = (
        "from regc import pipeline\n"
        "from regc.lint import run\nfrom regc.lint.docs import examples\nfrom regc.lint.policy import EMPTY\n"
        "from regc.model.providers import providers\nfrom regc.rules import EXAMPLES_TODAY, all_rules\n"
        "rule = all_rules()['primary-listed']()\n"
        "for example in examples(rule):\n"
        "    result = run(pipeline.load_text(example.registry, 'x.md'), policy=EMPTY, today=EXAMPLES_TODAY, providers=providers())\n"
        "    print(example.kind, sum(f.rule == rule.id for f in result.findings))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert done.stdout == "fails 1\npasses 0\n"


def test_a_broken_plugin_is_reported_not_ignored(custom_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    (site / "house_rules/primary_listed.py").write_text("raise ImportError('no module named house_helpers')\n")
    result = regc_process(custom_project, site, "lint")
    assert result.returncode == 2
    assert result.stderr == ("entry point primary-listed = house_rules.primary_listed:1:1: error: cannot load the regc.rules plugin: "
                             "ImportError: no module named house_helpers\n")


def test_a_plugin_rule_that_raises_is_named_as_the_culprit(custom_project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    install_plugin(site)
    module = site / "house_rules/primary_listed.py"
    # The docs' plugin, with its check replaced by one that crashes the way a buggy plugin would.
    module.write_text(module.read_text().replace("    def check(", "    def check(self, ctx, options):\n"
                                                 "        raise KeyError('primary')\n\n    def _original_check("))

    result = regc_process(custom_project, site, "lint", "--today", "2026-11-22")

    assert result.returncode == 3
    assert result.stderr == ("regc: the rule 'primary-listed' from house_rules.primary_listed raised KeyError: 'primary'; "
                             "this is a bug in that plugin, not in regc (rerun with -v for the traceback)\n")


def test_a_plugin_target_that_raises_is_named_as_the_culprit(project: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "house_targets").mkdir(parents=True)
    (site / "house_targets/__init__.py").write_text("")
    (site / "house_targets/broken.py").write_text(
        "from regc.targets import Target, TargetOptions\n\n"
        "class Options(TargetOptions):\n    path: str = 'out.txt'\n\n"
        "class Broken(Target[Options]):\n    name = 'broken'\n    description = 'x'\n    proven_by = 'x'\n    Options = Options\n\n"
        "    def render(self, registry, options):\n        return {options.path: registry.missing}\n"
    )
    dist_info = site / "house_targets-0.1.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: house-targets\nVersion: 0.1\n")
    (dist_info / "entry_points.txt").write_text("[regc.targets]\nbroken = house_targets.broken\n")
    shutil.copyfile(FIXTURES / "good/features.md", project / "registry.md")
    (project / "regc.toml").write_text('[targets.broken]\npath = "out.txt"\n')

    result = regc_process(project, site, "build")

    assert result.returncode == 3
    assert result.stderr.startswith("regc: the target 'broken' from house_targets.broken raised AttributeError: ")
    assert "this is a bug in that plugin, not in regc" in result.stderr
    assert not (project / "out.txt").exists()
