"""Declarative custom rules: a JSON Schema from ``policy.yaml`` applied to each alias or model.

The instances have the shape of the ``json`` target's output
(``schema/resolved-registry.schema.json``), so a schema can be tried against
``targets/json/registry.json``:

- an alias: ``{"name", "title", "section", "kind", "primary", "fallbacks",
  "via", "pending", "notes", "rationale"}``;
- a model (each row of the Models table): ``{"ref", "provider", "kind",
  "dimensions", "input", "output", "cache_read", "cache_write", "context",
  "status", "source", "routed_by"}``, where ``routed_by`` lists the aliases
  whose chains contain it.

jsonschema is imported only here, so a policy without custom rules never
loads it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from regc.errors import InputError
from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.lint.policy import CustomRule


class SchemaRule(Rule[RuleOptions]):
    # No class-level ``id``: instances are made from the policy, never registered globally.

    def __init__(self, definition: CustomRule, source: str, *, at: tuple[str, int, int]) -> None:
        self.id = definition.id
        self.default_severity = definition.severity
        self.help_uri = definition.help_uri
        self.definition = definition
        self.source = source
        #: Where the schema is written (file, line, column): a schema that cannot be applied is an error there.
        self.at = at

    @property
    def doc(self) -> str:
        first = self.definition.description or self.definition.message
        schema = _json(self.definition.json_schema)
        return (f"{first}\n\nA custom rule from {self.source}: each {self.definition.applies_to} must match this JSON Schema "
                f"(finding: \"{self.definition.message}\").\n\n```json\n{schema}\n```")

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        from jsonschema import Draft202012Validator
        from jsonschema.exceptions import best_match

        validator = Draft202012Validator(self.definition.json_schema)
        for instance, hit in _instances(ctx, self.definition.applies_to):
            try:
                error = best_match(validator.iter_errors(instance))
            except Exception as exc:  # the user's schema fails to apply (a $ref to nowhere, endless recursion)
                raise self._unusable(exc) from None
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path)
                detail = f"{where}: {error.message}" if where else error.message
                yield Hit(f"{self.definition.message} ({detail})", hit.line, hit.col, alias=hit.alias, model=hit.model)


    def _unusable(self, exc: BaseException) -> InputError:
        file, line, col = self.at
        reason = "it refers to itself without end" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {exc}"
        return InputError.at(file, line, f"custom rule {self.id}: its schema cannot be applied ({reason}); "
                                         "fix the schema (every $ref must point inside it, every pattern must compile)", col)


def _instances(ctx: LintContext, applies_to: str) -> Iterator[tuple[dict[str, Any], Hit]]:
    from regc.targets.json import alias_document, model_document

    registry = ctx.registry
    if applies_to == "alias":
        for alias in registry.aliases:
            yield {"name": alias.name, **alias_document(registry, alias.name)}, Hit("", alias.pos.line, alias.pos.col, alias=alias.name)
        return
    routed_by: dict[str, list[str]] = {}
    for chain in registry.chains:
        for ref in chain.models:
            routed_by.setdefault(str(ref), []).append(chain.alias)
    for model in registry.models:
        name = str(model.ref)
        instance = {"ref": name, **model_document(model), "routed_by": routed_by.get(name, [])}
        yield instance, Hit("", model.pos.line, model.pos.col, model=name)


def _json(value: Any) -> str:
    import json

    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
