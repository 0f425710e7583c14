"""policy.yaml and inline waivers: what a bad one says (file:line, exit 2, never a traceback), and what a good one does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_regc

REGISTRY = """---
reviewed: 2026-11-01
---
## Search · alias `search`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `openai/gpt-5-search-api` |

## Models

| Model | Input $/MTok | Output $/MTok |
|---|---|---|
| `xai/grok-4.3` | $1.25 | $2.50 |
| `openai/gpt-5-search-api` | $1.25 | $10.00 |
"""


@pytest.fixture
def lint_project(project: Path) -> Path:
    (project / "registry.md").write_text(REGISTRY)
    return project


def lint(project: Path, policy: str, *args: str) -> tuple[int, str, str]:
    (project / "policy.yaml").write_text(policy)
    result = run_regc("lint", "--today", "2026-11-22", *args, cwd=project)
    return result.code, result.out, result.err


@pytest.mark.parametrize(("policy", "expected"), [
    ("rules:\n  retired-modle: error\n",
     "policy.yaml:2:18: error: rules: unknown rule 'retired-modle'; did you mean 'retired-model'?"),
    ("rules:\n  review-stale: {interval_days: -3}\n",
     "policy.yaml:2:33: error: rules.review-stale.interval_days: Input should be greater than or equal to 1"),
    ("rules:\n  review-stale: {intervall_days: 30}\n",
     "policy.yaml:2:34: error: rules.review-stale.intervall_days: unknown key in the options of review-stale; did you mean "
     "`interval_days`? (its keys: interval_days, severity)"),
    ("rules:\n  price-present: loud\n",
     "policy.yaml:2:18: error: rules.price-present: expected a level (error, warning, info, off) "
     "or a mapping {severity: ..., option: value}"),
    ("waivers:\n  - {rule: fallback-provider, alias: search}\n",
     "policy.yaml:2:5: error: waivers.0.reason: Field required"),
    ("waivers:\n  - {rule: fallback-provider, alias: search, reason: ''}\n",
     "policy.yaml:2:54: error: waivers.0.reason: String should have at least 1 character"),
    ("waivers:\n  - {rule: no-such-rule, alias: search, reason: because}\n",
     "policy.yaml:2:1: error: waiver: unknown rule 'no-such-rule'; known rules: alias-has-fallback, alias-shadows-model, alias-sunset, "
     "context-plausible, "
     "deprecated-model, expired-waiver, "
     "fallback-context, fallback-kind, fallback-provider, model-ref-form, no-inline-secret, price-plausible, price-present, retired-model, "
     "review-stale, "
     "revision-trigger"),
    ("retired:\n  - {model: grok-code-fast-1, date: 2026-05-15}\n",
     "policy.yaml:2:13: error: retired.0.model: 'grok-code-fast-1' is not a model reference; write provider/model-id as the registry does"),
    ("retired:\n  - {model: xai/grok-code-fast-1, date: 2026-13-45}\n",
     "policy.yaml:2:41: error: cannot read YAML value '2026-13-45': month must be in 1..12"),
    ("retired: [\n", "policy.yaml:2:1: error: malformed YAML: expected the node content, but found '<stream end>'"),
    ("base: &b {a: 1}\nother: *b\n",
     "policy.yaml:1:7: error: YAML anchors and aliases (&name, *name) are not allowed in regc files; write the value out"),
    ("- a\n", "policy.yaml:1:1: error: a policy file is a mapping with `retired:`, `rules:`, `waivers:`, `custom_rules:`, `breaking:`"),
    ("rulez: {}\n", "policy.yaml:1:8: error: rulez: unknown key in the policy; did you mean `rules`? (its keys: retired, rules, "
                    "waivers, custom_rules, breaking, fail_severity, catalog)"),
    ("custom_rules:\n  - {id: x, applies_to: alias, message: m, schema: {type: 12}}\n",
     "policy.yaml:2:59: error: custom_rules.0.schema (x): not a valid JSON Schema: 12 is not valid under any of the given schemas"),
    ("custom_rules:\n  - {id: retired-model, applies_to: alias, message: m, schema: {}}\n",
     "policy.yaml:2:10: error: custom rule id 'retired-model' is already a rule; choose another id"),
])
def test_a_bad_policy_is_an_input_error_at_its_line(lint_project: Path, policy: str, expected: str) -> None:
    code, out, err = lint(lint_project, policy)
    assert (code, out) == (2, "")
    assert err == expected + "\n"


def test_every_problem_is_reported_at_once(lint_project: Path) -> None:
    code, _, err = lint(lint_project, "rules:\n  retired-modle: error\n  review-stale: {interval_days: 0}\n"
                                      "waivers:\n  - {rule: nope, reason: r}\n")
    assert code == 2
    assert [line.split(": error: ")[0] for line in err.splitlines()] == ["policy.yaml:2:18", "policy.yaml:3:33", "policy.yaml:5:1"]


@pytest.mark.parametrize(("comment", "expected"), [
    ('<!-- regc:ignore alias-has-fallbak reason="x" -->',
     "registry.md:4:1: error: waiver: unknown rule 'alias-has-fallbak'; did you mean 'alias-has-fallback'?"),
    ("<!-- regc:ignore alias-has-fallback -->",
     "registry.md:4:1: error: regc:ignore alias-has-fallback needs a reason: "
     '<!-- regc:ignore alias-has-fallback reason="why this is fine" -->'),
])
def test_a_bad_inline_waiver_is_an_input_error(lint_project: Path, comment: str, expected: str) -> None:
    registry = lint_project / "registry.md"
    registry.write_text(REGISTRY.replace("## Search", f"{comment}\n## Search"))
    code, out, err = lint(lint_project, "")
    assert (code, out, err) == (2, "", expected + "\n")


_FORM = '; a waiver reads <!-- regc:ignore RULE reason="..." [until="YYYY-MM-DD"] [alias="name"] [model="provider/model"] -->'


@pytest.mark.parametrize(("comment", "expected"), [
    ('<!-- regc:ignore alias-has-fallback reason="x" until=2020-01-01 -->',
     'registry.md:4:54: error: regc:ignore alias-has-fallback: the value of until= is not quoted; write until="2020-01-01"'),
    ("<!-- regc:ignore alias-has-fallback reason='x' -->",
     'registry.md:4:44: error: regc:ignore alias-has-fallback: the value of reason= is in single quotes; write reason="x"'),
    ('<!-- regc:ignore alias-has-fallback reason=x -->',
     'registry.md:4:44: error: regc:ignore alias-has-fallback: the value of reason= is not quoted; write reason="x"'),
    ('<!-- regc:ignore alias-has-fallback reason="x" alias=b -->',
     'registry.md:4:54: error: regc:ignore alias-has-fallback: the value of alias= is not quoted; write alias="b"'),
    ('<!-- regc:ignore alias-has-fallback reason="x" bogus -->',
     "registry.md:4:48: error: regc:ignore alias-has-fallback: 'bogus' is not an attribute (each is key=\"value\")"),
    ('<!-- regc:ignore alias-has-fallback reason="x" extra words here -->',
     "registry.md:4:48: error: regc:ignore alias-has-fallback: 'extra' is not an attribute (each is key=\"value\")"),
    ('<!-- regc:ignore alias-has-fallback untill="2020-01-01" reason="x" -->',
     "registry.md:4:37: error: regc:ignore alias-has-fallback: unknown attribute untill=; did you mean until=? "
     "(its attributes: reason=, until=, alias=, model=)"),
    ('<!-- regc:ignore alias-has-fallback reason="x"until="2020-01-01" -->',
     "registry.md:4:47: error: regc:ignore alias-has-fallback: 'until=\"2020-01-01\"' right after reason=\"...\"; "
     "separate attributes with a space"),
    ('<!-- regc:ignore alias-has-fallback reason="x" reason="y" -->',
     "registry.md:4:48: error: regc:ignore alias-has-fallback: a second reason="),
    ('<!-- regc:ignore alias-has-fallback reason="x -->',
     "registry.md:4:44: error: regc:ignore alias-has-fallback: the value of reason= has no closing double quote"),
])
def test_an_inline_waiver_has_a_closed_grammar(lint_project: Path, comment: str, expected: str) -> None:
    """Every word after the rule id is key="value" with a known key and a double-quoted value, or an error at its column:
    an unquoted until= would otherwise be dropped and the waiver never expire."""
    registry = lint_project / "registry.md"
    registry.write_text(REGISTRY.replace("## Search", f"{comment}\n## Search"))
    code, out, err = lint(lint_project, "")
    assert (code, out, err) == (2, "", expected + _FORM + "\n")


def test_a_waiver_in_a_models_row_is_read_under_the_same_grammar(lint_project: Path) -> None:
    registry = lint_project / "registry.md"
    registry.write_text(REGISTRY.replace("| $1.25 | $2.50 |", '| $1.25 <!-- regc:ignore price-present reason="x" until=2020-01-01 --> '
                                                          "| $2.50 |"))
    code, _, err = lint(lint_project, "")
    assert (code, err) == (2, 'registry.md:15:74: error: regc:ignore price-present: the value of until= is not quoted; '
                              'write until="2020-01-01"' + _FORM + "\n")


def test_an_explicit_policy_path_must_exist(lint_project: Path) -> None:
    result = run_regc("lint", "--policy", "missing.yaml", cwd=lint_project)
    assert (result.code, result.err) == (2, "missing.yaml:1:1: error: no such policy file; create it, fix `policy` in the config, "
                                            "or pass --policy PATH\n")


def test_without_a_policy_file_the_defaults_apply(lint_project: Path) -> None:
    result = run_regc("lint", "--today", "2026-11-22", cwd=lint_project)
    assert result.code == 0
    assert result.out == ""


def test_levels_and_fail_severity(lint_project: Path) -> None:
    (lint_project / "registry.md").write_text(REGISTRY.replace("| **Alternatives** | `openai/gpt-5-search-api` |\n", ""))
    code, out, _ = lint(lint_project, "")
    assert code == 1 and "error alias-has-fallback" in out
    code, out, _ = lint(lint_project, "rules: {alias-has-fallback: warning}\n")
    assert code == 0 and "warning alias-has-fallback" in out
    assert lint(lint_project, "rules: {alias-has-fallback: warning}\n", "--fail-severity", "warning")[0] == 1
    assert lint(lint_project, "fail_severity: warning\nrules: {alias-has-fallback: warning}\n")[0] == 1
    assert lint(lint_project, "fail_severity: warning\nrules: {alias-has-fallback: info}\n")[0] == 0
    assert lint(lint_project, "rules: {alias-has-fallback: off}\n")[1] == ""


def test_today_must_be_a_date(lint_project: Path) -> None:
    result = run_regc("lint", "--today", "22/11/2026", cwd=lint_project)
    assert result.code == 2
    assert "Invalid value for '--today'" in result.err


@pytest.mark.parametrize("option", ["review-stale: {interval_days: 99999999999}", "deprecated-model: {notice_days: 99999999999}"])
def test_an_interval_past_the_last_representable_day_is_never_due_not_an_internal_error(lint_project: Path, option: str) -> None:
    """A day count past the year 9999 is a valid option meaning "never": it was an OverflowError (exit 3)."""
    code, out, err = lint(lint_project, f"rules:\n  {option}\n")
    assert code == 0, err
    assert "review-stale" not in out and "internal error" not in err
