"""The lint reporters, each checked by the program that consumes its format.

- sarif: the official SARIF 2.1.0 schema and Microsoft's SARIF Multitool
  (``validate``, with GitHub's ingestion rules), from the npm package
  ``@microsoft/sarif-multitool-linux``;
- github: byte for byte what ``@actions/core`` writes for the same annotations;
- junit: ``junitparser`` reads the suites, cases, failures and skips back.

``.ci/run`` installs the npm tools under ``.ci/tools``; elsewhere their tests
skip, and ``REGC_CONFORMANCE=required`` turns that skip into a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT, run_regc

TOOLS = ROOT / ".ci/tools/node_modules"
MULTITOOL = TOOLS / "@microsoft/sarif-multitool-linux"
ACTIONS_CORE = TOOLS / "@actions/core"


def need(path: Path, what: str) -> Path:
    if path.exists():
        return path
    message = f"{what} is not installed at {path.relative_to(ROOT)} (bash .ci/run installs it)"
    if os.environ.get("REGC_CONFORMANCE") == "required":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def seed_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed registry under this repository's policy: errors, warnings and a waived finding."""
    project = tmp_path_factory.mktemp("seed")
    shutil.copyfile(FIXTURES / "good/seed-000.md", project / "registry.md")
    shutil.copyfile(ROOT / "policy.yaml", project / "policy.yaml")
    (project / "regc.toml").write_text('registry = "registry.md"\n')
    return project


def report(project: Path, fmt: str, *args: str) -> str:
    result = run_regc("lint", "--today", "2026-11-22", "--format", fmt, *args, cwd=project)
    assert result.code == 1, result.err
    return result.out


def findings(project: Path) -> list[dict[str, object]]:
    data: list[dict[str, object]] = json.loads(report(project, "json"))["findings"]
    return data


def test_text_is_one_finding_a_line_waived_ones_left_out(seed_project: Path) -> None:
    lines = report(seed_project, "text").splitlines()
    active = [f for f in findings(seed_project) if not f["waived"]]
    assert lines == [f"registry.md:{f['line']}:{f['col']}: {f['severity']} {f['rule']} {f['message']}" for f in active]
    assert "registry.md:36:17: error retired-model `xai/grok-code-fast-1` (primary of `code-fast`) was retired" in "\n".join(lines)


def test_sarif_validates_against_the_official_schema(seed_project: Path) -> None:
    from jsonschema import Draft7Validator

    schema_file = need(MULTITOOL / "sarif-2.1.0.json", "the SARIF 2.1.0 schema (@microsoft/sarif-multitool-linux)")
    schema = json.loads(schema_file.read_text(encoding="utf-8-sig"))
    log = json.loads(report(seed_project, "sarif"))
    errors = sorted(Draft7Validator(schema).iter_errors(log), key=str)
    assert not errors, "\n".join(e.message for e in errors[:5])


def test_sarif_passes_the_sarif_multitool(seed_project: Path, tmp_path: Path) -> None:
    tool = need(MULTITOOL / "Sarif.Multitool", "Microsoft's SARIF Multitool")
    log = tmp_path / "regc.sarif"
    log.write_text(report(seed_project, "sarif"))
    out = tmp_path / "validation.sarif"
    done = subprocess.run([str(tool), "validate", str(log), "--output", str(out), "--log", "ForceOverwrite",
                           "--rule-kind", "Sarif;Gh", "--level", "Error;Warning;Note"],
                          capture_output=True, text=True, check=False, env={**os.environ, "DOTNET_CLI_TELEMETRY_OPTOUT": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text(encoding="utf-8-sig"))["runs"][0]["results"]
    problems = [r for r in results if r.get("level", "warning") in {"error", "warning"}]
    assert not problems, problems[:3]


def test_sarif_describes_every_rule_and_keeps_waivers_as_suppressions(seed_project: Path) -> None:
    run = json.loads(report(seed_project, "sarif"))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [rule["id"] for rule in rules]
    assert "retired-model" in ids and "no-inline-secret" in ids
    for rule in rules:
        assert rule["helpUri"].endswith(f"docs/rules.md#{rule['id']}")
        assert rule["help"]["markdown"].startswith(rule["shortDescription"]["text"])
    assert len(run["results"]) == len(findings(seed_project))
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    [suppressed] = [r for r in run["results"] if "suppressions" in r]
    assert suppressed["ruleId"] == "deprecated-model"
    assert suppressed["suppressions"][0]["kind"] == "external"
    assert suppressed["suppressions"][0]["justification"].endswith("(policy.yaml:61)")
    first = run["results"][0]["locations"][0]["physicalLocation"]
    assert first == {"artifactLocation": {"uri": "registry.md", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 18, "startColumn": 17}}


def test_github_annotations_are_what_actions_core_writes(seed_project: Path, tmp_path: Path) -> None:
    core = need(ACTIONS_CORE, "@actions/core")
    node = shutil.which("node")
    if node is None:
        need(tmp_path / "node", "node")
    active = [f for f in findings(seed_project) if not f["waived"]]
    # Hostile text too: a message or path with %, newlines, ':' and ',' must not break out of the command.
    hostile = {"rule": "x-y", "file": "dir, with: colon/registry.md", "line": 3, "col": 4, "severity": "info",
               "message": "100% sure:\n::error::forged, or not\r"}
    script = tmp_path / "annotate.js"
    script.write_text(
        "const core = require(process.argv[2]);\n"
        "for (const f of JSON.parse(require('fs').readFileSync(0, 'utf8'))) {\n"
        "  const props = {title: f.rule, file: f.file, startLine: f.line, startColumn: f.col};\n"
        "  ({error: core.error, warning: core.warning, info: core.notice})[f.severity](f.message, props);\n"
        "}\n"
    )
    expected = subprocess.run([str(node), str(script), str(core)], input=json.dumps([*active, hostile]),
                              capture_output=True, text=True, check=True).stdout

    from regc.lint import Finding, LintResult
    from regc.reports import render

    odd = Finding(file="dir, with: colon/registry.md", line=3, col=4, rule="x-y", severity="info", message=hostile["message"])
    ours = report(seed_project, "github") + render("github", LintResult((odd,), (), {}, "registry.md", None))
    assert ours == expected


def test_github_is_the_default_on_github_actions(seed_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run_regc("lint", "--today", "2026-11-22", cwd=seed_project)
    assert result.out.startswith("::error title=price-present,file=registry.md,line=18,col=17::`anthropic/claude-opus-4-7`")
    assert "::warning title=deprecated-model," in result.out
    assert run_regc("lint", "--today", "2026-11-22", "--format", "text", cwd=seed_project).out.startswith("registry.md:18:17: error")


def test_junit_reads_back_with_junitparser(seed_project: Path, tmp_path: Path) -> None:
    from junitparser import Failure, JUnitXml, Skipped

    path = tmp_path / "lint.xml"
    path.write_text(report(seed_project, "junit", "--fail-severity", "error"))
    xml = JUnitXml.fromfile(str(path))
    suites = {suite.name: suite for suite in xml}
    assert set(suites) >= {"retired-model", "price-present", "deprecated-model", "no-inline-secret"}
    retired = list(suites["retired-model"])
    assert len(retired) == 7 and all(isinstance(case.result[0], Failure) for case in retired)
    assert retired[0].name == "registry.md:19:67"
    deprecated = list(suites["deprecated-model"])
    assert [type(case.result[0]) if case.result else None for case in deprecated].count(Skipped) == 1  # the waived one
    assert [case for case in deprecated if not case.result and case.system_out]  # warnings below the fail severity pass
    assert [case.name for case in suites["no-inline-secret"]] == ["no findings"]
    assert (xml.failures, xml.skipped) == (44, 1)
