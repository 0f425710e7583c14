"""Rule documentation is generated from the rules, and what is checked in is current."""

from __future__ import annotations

import json
import re

from regc.lint.docs import rules_page, rules_table
from regc.reports import REPORTERS
from regc.rules import builtin_rules
from tests.conftest import ROOT, copy_fixture, run_regc

POLICIES = (ROOT / "docs/policies.md").read_text(encoding="utf-8")  # the rules table and the output formats moved here from README


def test_policies_rules_table_is_generated_from_the_rules() -> None:
    match = re.search(r"<!-- rules-table:start[^>]*-->\n(.*?)<!-- rules-table:end -->", POLICIES, re.S)
    assert match, "docs/policies.md lost its rules-table markers"
    assert match[1] == rules_table(builtin_rules(), link="rules.md"), \
        "docs/policies.md's rules table is stale: paste regc.lint.docs.rules_table(rules, link='rules.md') output"


def test_policies_page_lists_every_output_format() -> None:
    for name, description in REPORTERS.items():
        assert f"| `{name}` | {description} |" in POLICIES


def test_docs_rules_page_is_current() -> None:
    page = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    assert page == rules_page(builtin_rules()), "docs/rules.md is stale: regc rules --format markdown > docs/rules.md"


def test_every_rule_has_a_section_that_its_help_uri_anchors() -> None:
    page = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    for rule in builtin_rules():
        assert f"\n## {rule.id}\n" in page
        assert rule.uri.endswith(f"docs/rules.md#{rule.id}")


def test_rules_command_lists_rules_as_text_and_json() -> None:
    text = run_regc("rules", cwd=ROOT)
    assert text.code == 0
    # columns padded to the longest id (alias-shadows-model) and severity
    assert "retired-model        error    No alias routes to a retired model." in text.out.splitlines()
    data = json.loads(run_regc("rules", "--format", "json", cwd=ROOT).out)
    review = next(rule for rule in data if rule["id"] == "review-stale")
    assert review["default_severity"] == "warning"
    assert review["options"] == [{"name": "interval_days", "type": "int", "default": 92,
                                  "description": "longest time between two reviews, in days"}]


def test_explain_rule_prints_its_documentation() -> None:
    result = run_regc("explain", "retired-model", cwd=ROOT)
    assert result.code == 0
    assert result.out.startswith("retired-model (default severity: error) — https://")
    assert "No alias routes to a retired model." in result.out
    assert "```markdown\n## Code · alias `code-fast`" in result.out
    options = run_regc("explain", "deprecated-model", cwd=ROOT).out
    assert "  notice_days: int = 180  how many days before a retirement date to start warning" in options


def test_explain_unknown_rule_and_ambiguous_names(project: object) -> None:
    from pathlib import Path

    assert isinstance(project, Path)
    assert run_regc("explain", "--rule", "retired-modle", cwd=ROOT).err == (
        "error: no rule 'retired-modle'; did you mean `retired-model`? `regc rules` lists them\n")
    copy_fixture("good/features.md", project, "registry.md")
    registry = project / "registry.md"
    registry.write_text(registry.read_text().replace("alias embed", "alias price-present"))
    result = run_regc("explain", "price-present", cwd=project)
    assert (result.code, result.err) == (2, "error: 'price-present' is both a rule and an alias; say which with --rule or --alias\n")
    assert run_regc("explain", "--alias", "price-present", cwd=project).out.startswith("price-present — Embeddings")
    assert run_regc("explain", "--rule", "price-present", cwd=project).out.startswith("price-present (default severity: error)")


def test_explain_alias_shows_its_findings(project: object) -> None:
    from pathlib import Path

    assert isinstance(project, Path)
    copy_fixture("good/seed-000.md", project, "registry.md")
    (project / "policy.yaml").write_text((ROOT / "policy.yaml").read_text())
    result = run_regc("explain", "code-fast", "--today", "2026-11-22", cwd=project)
    assert "\n  findings:\n" in result.out
    assert "\n    registry.md:36: error retired-model `xai/grok-code-fast-1` (primary of `code-fast`)" in result.out
    data = json.loads(run_regc("explain", "code-fast", "--today", "2026-11-22", "--format", "json", cwd=project).out)
    assert {f["rule"] for f in data["findings"]} == {"retired-model", "deprecated-model", "price-present"}
