"""The policy file (``policy.yaml``): retirements, rule settings, waivers, custom rules.

```yaml
retired:
  - {model: xai/grok-code-fast-1, date: 2026-05-15, replacement: xai/grok-4.3}
catalog: litellm                  # optional: a catalog's deprecation dates count too
rules:
  deprecated-model: {severity: warning, notice_days: 180}
  revision-trigger: info          # a bare level is shorthand for {severity: ...}
waivers:
  - {rule: fallback-provider, alias: local, reason: "local must stay local", until: 2027-02-22}
breaking:
  acknowledge:                    # regc breaking passes on these (a removal after the alias's sunset needs none)
    - {change: alias-removed, alias: fast, reason: "clients moved to cheap (announced 2026-10)", until: 2026-12-31}
custom_rules:
  - id: primary-is-listed
    applies_to: alias
    message: the primary has no row in the Models table
    schema: {...}                 # JSON Schema, applied to each alias
```

Loading validates the file with ``PolicyFile`` (which also generates
``schema/policy.schema.json``) and each rule's options with that rule's own
``Options`` model; every problem is an ``InputError`` at ``file:line``.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import TYPE_CHECKING, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from regc.errors import Diagnostic, InputError
from regc.rules import Level, Severity

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from pathlib import Path

    from regc.parse import yamlio
    from regc.rules import Rule, RuleOptions

_MODEL_REF = r"^[A-Za-z0-9][A-Za-z0-9._-]*/\S+$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RetiredModel(_Strict):
    """A model that its provider retires (or retired) on ``date``."""

    model: str = Field(description="provider/model-id, as the registry writes it", json_schema_extra={"pattern": _MODEL_REF})
    date: datetime.date = Field(description="the day the provider stops serving it; before it the model is deprecated")
    replacement: str | None = Field(default=None, description="what to route to instead")
    source: str | None = Field(default=None, description="where the date comes from (a catalog, an announcement)")

    @field_validator("model")
    @classmethod
    def _model_ref(cls, value: str) -> str:
        if not re.match(_MODEL_REF, value):
            raise ValueError(f"{value!r} is not a model reference; write provider/model-id as the registry does")
        return value


class RuleSetting(BaseModel):
    """A rule's level and options; which options exist depends on the rule (see `regc explain RULE`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    severity: Level | None = Field(default=None, description="error, warning, info, or off; default: the rule's own")


class WaiverEntry(_Strict):
    """Waive ``rule`` for an alias and/or a model (neither: every finding of the rule), for a reason, maybe until a date."""

    rule: str = Field(description="the rule id")
    alias: str | None = None
    model: str | None = None
    reason: str = Field(min_length=1, description="why the finding is accepted; required")
    until: datetime.date | None = Field(default=None, description="after this day the waiver no longer applies and is itself a finding")


#: The breaking changes ``regc breaking`` knows, by id (``regc.reports.acknowledge``).
BreakingChange = Literal["alias-removed", "kind-changed"]


class Acknowledgement(_Strict):
    """A breaking change made on purpose: ``regc breaking`` reports it and passes, up to and including ``until``."""

    change: BreakingChange = Field(description="alias-removed, or kind-changed (the kind or the embedding dimensions)")
    alias: str = Field(description="the alias the change is to", json_schema_extra={"pattern": r"^[A-Za-z0-9][A-Za-z0-9._-]*$"})
    reason: str = Field(min_length=1, description="why clients can take it (who was told, what they move to); required")
    until: datetime.date = Field(description="the last day it applies: after it the change is breaking again, so that "
                                             "an acknowledgement cannot outlive the pull request it was written for")

    @field_validator("alias")
    @classmethod
    def _alias_name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError(f"{value!r} is not an alias name (letters, digits, '.', '_' and '-')")
        return value

    @field_validator("reason")
    @classmethod
    def _said(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a reason is required: say why clients can take this change")
        return value


class BreakingPolicy(_Strict):
    """What ``regc breaking`` accepts beyond the removal of an alias whose sunset has passed."""

    acknowledge: list[Acknowledgement] = Field(default=[], description="breaking changes made on purpose, each with a reason "
                                                                       "and a last day")


class CustomRule(_Strict):
    """A declarative rule: a JSON Schema that each resolved alias (or each model) must satisfy."""

    id: str = Field(pattern=r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$", description="kebab-case, unique among all rules")
    applies_to: Literal["alias", "model"] = Field(description="validate each alias or each Models row")
    message: str = Field(min_length=1, description="what a finding says (the schema's own error is appended)")
    json_schema: dict[str, Any] = Field(alias="schema", description="a JSON Schema (draft 2020-12) for the instance")
    severity: Severity = "error"
    description: str | None = Field(default=None, description="documentation shown by `regc explain RULE`")
    help_uri: str | None = Field(default=None, description="a page documenting the rule, for SARIF")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


def _describe_builtin_rules(schema: dict[str, Any]) -> None:
    """Give editors each built-in rule's options under `rules:` (the schema target writes this into policy.schema.json)."""
    from regc.rules import builtin_rules

    levels = {"enum": list(get_args(Level))}
    rules = schema["properties"]["rules"]
    rules["properties"] = {}
    for rule in builtin_rules():
        options = rule.Options.model_json_schema()
        setting = {
            "type": "object",
            "properties": {"severity": levels, **options.get("properties", {})},
            "additionalProperties": False,
        }
        rules["properties"][rule.id] = {"description": f"{rule.summary} (default: {rule.default_severity})", "anyOf": [levels, setting]}


class PolicyFile(_Strict):
    """regc policy (policy.yaml): retirements, rule settings, waivers and custom rules."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra=_describe_builtin_rules)

    retired: list[RetiredModel] = Field(default=[], description="models retired (or to be retired) by their providers")
    rules: dict[str, Level | RuleSetting] = Field(default={}, description="rule id -> level, or {severity, options...}")
    waivers: list[WaiverEntry] = Field(default=[], description="accepted findings, each with a reason")
    custom_rules: list[CustomRule] = Field(default=[], description="rules written without touching regc")
    breaking: BreakingPolicy = Field(default=BreakingPolicy(), description="`regc breaking`: acknowledged breaking changes")
    fail_severity: Severity | None = Field(
        default=None, description="lowest severity that fails `regc lint` (default error); --fail-severity overrides it"
    )
    catalog: str | None = Field(
        default=None, min_length=1,
        description="a model catalog whose deprecation dates feed retired-model and deprecated-model: `litellm` (the installed "
                    "package's cost map), `models.dev` ($REGC_MODELS_DEV), or a path relative to the project root; "
                    "also the default of `regc prices --catalog`",
    )


@dataclasses.dataclass(frozen=True)
class Policy:
    """A loaded policy file, with its YAML nodes: where each entry is written (for messages and SARIF)."""

    path: str | None
    file: PolicyFile
    root: yamlio.YNode | None = None

    @property
    def display(self) -> str:
        return self.path or "(no policy file)"

    def diagnostic(self, loc: tuple[int | str, ...], message: str) -> Diagnostic:
        """A problem at the value of ``loc`` (``("rules", "review-stale", "interval_days")``), or the nearest enclosing one."""
        from regc.parse import yamlio

        pos = yamlio.locate(self.root, loc) if self.root is not None else None
        return Diagnostic(self.display, pos.line if pos else 1, pos.col if pos else 1, message)

    def line(self, *loc: int | str) -> int:
        """The line of the value at ``loc`` (``line("waivers", 0)``); 1 without a policy file."""
        return self.diagnostic(loc, "").line


EMPTY = Policy(path=None, file=PolicyFile())


def load_policy(path: Path, display: str) -> Policy:
    """Read and validate a policy file; ``InputError`` at file:line for anything wrong in it."""
    from regc.io.source import read_text

    if not path.exists():
        raise InputError.at(display, 1, "no such policy file; create it, fix `policy` in the config, or pass --policy PATH")
    return parse_policy(read_text(path, display), display)


def parse_policy(text: str, display: str) -> Policy:
    """Validate a policy file's text (``display`` names it in messages); e.g. a staged ``policy.yaml``."""
    from regc.parse import yamlio

    root = yamlio.load(text, display)
    if root is None:
        return Policy(path=display, file=PolicyFile())
    if not isinstance(root, yamlio.YMap):
        raise InputError.at(display, root.pos.line,
                            "a policy file is a mapping with `retired:`, `rules:`, `waivers:`, `custom_rules:`, `breaking:`")
    try:
        policy_file = PolicyFile.model_validate(yamlio.to_python(root))
    except ValidationError as exc:
        raise InputError(_diagnostics(exc, root, display)) from None
    policy = Policy(path=display, file=policy_file, root=root)
    _check_custom_schemas(policy)
    return policy


def _diagnostics(exc: ValidationError, root: yamlio.YNode, display: str) -> list[Diagnostic]:
    from regc.parse import yamlio

    found: dict[tuple[int | str, ...], Diagnostic] = {}
    for error in exc.errors():
        # pydantic names union members in the location (`rules.x.RuleSetting`); users never wrote those.
        loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and (p[:1].isupper() or p.startswith("literal["))))
        pos = yamlio.locate(root, loc) or root.pos
        where = ".".join(str(p) for p in loc) or "policy"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            from regc.parse.suggest import keys_at, unknown_key

            message = unknown_key(str(loc[-1]), keys_at(PolicyFile, loc[:-1]), ".".join(str(p) for p in loc[:-1]) or "the policy")
        if len(loc) == 2 and loc[0] == "rules":  # neither a level nor a mapping: say what is expected once
            message = "expected a level (error, warning, info, off) or a mapping {severity: ..., option: value}"
        found.setdefault(loc, Diagnostic(display, pos.line, pos.col, f"{where}: {message}"))
    return list(found.values())


def _check_custom_schemas(policy: Policy) -> None:
    """A custom rule's schema must itself be a valid JSON Schema (jsonschema only loads when there is one)."""
    if not policy.file.custom_rules:
        return
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    errors = []
    for index, rule in enumerate(policy.file.custom_rules):
        try:
            Draft202012Validator.check_schema(rule.json_schema)
        except SchemaError as exc:
            message = f"custom_rules.{index}.schema ({rule.id}): not a valid JSON Schema: {exc.message}"
            errors.append(policy.diagnostic(("custom_rules", index, "schema", *exc.absolute_path), message))
            continue
        for where, problem in _schema_problems(rule.json_schema):
            message = f"custom_rules.{index}.schema ({rule.id}): {problem}"
            errors.append(policy.diagnostic(("custom_rules", index, "schema", *where), message))
    if errors:
        raise InputError(errors)


def _schema_problems(root: Any) -> Iterator[tuple[tuple[int | str, ...], str]]:
    """What the metaschema allows but cannot be applied: a ``$ref`` that leaves the schema (regc fetches
    nothing) or points nowhere in it. (The metaschema check already compiles every ``pattern``.) The last
    resort is ``SchemaRule``, which reports any schema that fails while it is applied, e.g. endless recursion."""
    anchors = set(_values_of(root, "$anchor"))

    def walk(node: Any, path: tuple[int | str, ...]) -> Iterator[tuple[tuple[int | str, ...], str]]:
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from walk(item, (*path, index))
            return
        if not isinstance(node, dict):
            return
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and not _resolves(root, value, anchors):
                yield (*path, key), (f"$ref {value!r} points nowhere in the schema; refer to a part of it (#/$defs/NAME), "
                                     "regc fetches nothing")
            yield from walk(value, (*path, key))

    yield from walk(root, ())


def _values_of(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values_of(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values_of(item, key)


def _resolves(root: Any, ref: str, anchors: set[Any]) -> bool:
    """A local reference: ``#``, ``#/json/pointer`` into ``root``, or ``#anchor`` of an ``$anchor``."""
    if not ref.startswith("#"):
        return False
    fragment = ref[1:]
    if not fragment:
        return True
    if not fragment.startswith("/"):
        return fragment in anchors
    from urllib.parse import unquote

    node = root
    for part in unquote(fragment)[1:].split("/"):
        token = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return False
    return True


def rule_settings(
    policy: Policy, rules: Mapping[str, Rule[Any]], errors: list[Diagnostic]
) -> dict[str, tuple[Level, RuleOptions]]:
    """Each rule's level and validated options under this policy; unknown ids and bad options go to ``errors``."""
    settings: dict[str, tuple[Level, RuleOptions]] = {}
    for rule_id, rule in rules.items():
        raw = policy.file.rules.get(rule_id)
        level: Level = rule.default_severity
        options: dict[str, Any] = {}
        if isinstance(raw, str):
            level = raw
        elif raw is not None:
            level = raw.severity or level
            options = dict(raw.model_extra or {})
        try:
            settings[rule_id] = (level, rule.Options.model_validate(options))
        except ValidationError as exc:
            for error in exc.errors():
                key = ".".join(str(p) for p in error["loc"])
                message = error["msg"].removeprefix("Value error, ")
                if error["type"] == "extra_forbidden":
                    from regc.parse.suggest import unknown_key

                    known = [name for name in rule.Options.model_fields] + ["severity"]
                    message = unknown_key(key, known, f"the options of {rule_id}")
                errors.append(policy.diagnostic(("rules", rule_id, *error["loc"]), f"rules.{rule_id}.{key}: {message}"))
    for rule_id in policy.file.rules:
        if rule_id not in rules:
            errors.append(policy.diagnostic(("rules", rule_id), f"rules: {unknown_rule_message(rule_id, rules)}"))
    return settings


def unknown_rule_message(rule_id: str, rules: Mapping[str, Any]) -> str:
    from regc.parse.suggest import nearest

    near = nearest(rule_id, list(rules))
    hint = f"; did you mean {near!r}?" if near else f"; known rules: {', '.join(rules)}"
    return f"unknown rule {rule_id!r}{hint}"
