"""Every rule documents itself, and its documentation's examples are true.

A rule is one module in ``regc/rules/`` whose docstring is its documentation:
a summary line, an explanation, a failing and a passing example. Each example
is linted here (as of ``EXAMPLES_TODAY``): the failing one must give a finding
of that rule, the passing one none. Adding a rule without all of that fails.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import pytest

import regc.rules
from regc import pipeline
from regc.lint import run
from regc.lint.docs import examples
from regc.lint.policy import EMPTY
from regc.model.providers import providers
from regc.rules import EXAMPLES_TODAY, RULE_ID, SEVERITIES, Rule, all_rules, builtin_rules

BUILTIN = builtin_rules()
DESIGN_TABLE = {
    "retired-model", "deprecated-model", "alias-has-fallback", "price-present", "model-ref-form", "fallback-kind",
    "fallback-provider", "fallback-context", "review-stale", "revision-trigger", "no-inline-secret",
}


def lint_text(text: str, name: str = "example.md") -> list[Any]:
    registry = pipeline.load_text(text, name)
    result = run(registry, policy=EMPTY, today=EXAMPLES_TODAY, providers=providers(), text=text)
    return [*result.findings, *result.waived]


def test_every_rule_of_the_design_table_is_built_in() -> None:
    assert {rule.id for rule in BUILTIN} >= DESIGN_TABLE


def test_one_module_per_rule() -> None:
    modules = [m.name for m in pkgutil.iter_modules(regc.rules.__path__) if not m.name.startswith("_")]
    for name in modules:
        module = importlib.import_module(f"regc.rules.{name}")
        defined = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Rule) and "id" in v.__dict__]
        assert len(defined) == 1, f"regc/rules/{name}.py defines {len(defined)} rules; one module per rule"
        assert defined[0].id.replace("-", "_") == name, f"{name}.py: the module is named after its rule id"
    assert len(modules) == len(BUILTIN)


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.id)
def test_rule_metadata_and_documentation(rule: Rule[Any]) -> None:
    assert RULE_ID.match(rule.id)
    assert rule.default_severity in SEVERITIES
    doc = rule.doc
    summary, _, body = doc.partition("\n\n")
    assert summary == rule.summary and summary.endswith(".") and "\n" not in summary, "a one-line summary sentence first"
    assert len(body.split("Fails")[0].split()) >= 30, "an explanation of what the rule checks and why, before the examples"
    kinds = [example.kind for example in examples(rule)]
    assert "fails" in kinds and "passes" in kinds, "a ```markdown example after 'Fails...:' and one after 'Passes...:'"
    for name, field in rule.Options.model_fields.items():
        assert field.description, f"option {name} needs a description (it is documented from it)"


@pytest.mark.parametrize("rule", BUILTIN, ids=lambda r: r.id)
def test_failing_example_fails_and_passing_example_passes(rule: Rule[Any]) -> None:
    for example in examples(rule):
        hits = [f for f in lint_text(example.registry) if f.rule == rule.id]
        if example.kind == "fails":
            assert hits, f"{rule.id}: the failing example ({example.caption}) gives no finding"
        else:
            assert not hits, f"{rule.id}: the passing example ({example.caption}) gives: {[str(f) for f in hits]}"


def test_registration_by_subclassing_and_bad_ids_are_refused() -> None:
    before = dict(Rule.registry)
    try:
        class Probe(Rule[Any]):
            """Probe."""

            id = "probe-rule"

        assert Rule.registry["probe-rule"] is Probe
        with pytest.raises(TypeError, match="not kebab-case"):
            class Bad(Rule[Any]):
                id = "Bad_Rule"
    finally:
        Rule.registry.clear()
        Rule.registry.update(before)
    assert "probe-rule" not in all_rules()
