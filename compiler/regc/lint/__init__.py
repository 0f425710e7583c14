"""The policy engine: run every rule over a resolved registry, apply waivers, count.

``run`` is the whole of it; ``regc.pipeline.lint`` is how callers reach it
(with the policy and provider table taken from the configuration).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from regc.errors import Diagnostic, InputError, PluginError
from regc.rules import SEVERITIES, Hit, Level, Rule, Severity, at_least

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from regc.catalogs import Catalog
    from regc.lint.context import LintContext, Retirement
    from regc.lint.policy import Policy
    from regc.model import Waiver
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry


@dataclasses.dataclass(frozen=True, order=True)
class Finding:
    """One problem a rule found, where it is, and whether (and why) it is waived."""

    file: str
    line: int
    col: int
    rule: str
    severity: Severity
    message: str
    alias: str | None = None
    model: str | None = None
    waived: bool = False
    waiver_reason: str | None = None
    waiver_source: str | None = None  # "policy.yaml:41" or "registry.md:9": where the waiver is written

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.severity} {self.rule} {self.message}"

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "col": self.col,
        }
        if self.alias is not None:
            data["alias"] = self.alias
        if self.model is not None:
            data["model"] = self.model
        data["waived"] = self.waived
        if self.waived:
            data["waiver"] = {"reason": self.waiver_reason, "source": self.waiver_source}
        return data


@dataclasses.dataclass(frozen=True)
class LintResult:
    """What a lint run found: ``findings`` (in force) and ``waived``, each sorted by position."""

    findings: tuple[Finding, ...]
    waived: tuple[Finding, ...]
    rules: Mapping[str, Rule[Any]]  # every rule that was known (reporters describe them)
    registry_path: str
    policy_path: str | None
    #: Each model's retirement as the rules saw it (Status, the policy's `retired:`, a catalog), by reference, and the
    #: day they judged by: what `regc explain` shows as a model's status.
    retirements: Mapping[str, Retirement] = dataclasses.field(default_factory=dict)
    today: datetime.date | None = None

    @property
    def counts(self) -> dict[str, int]:
        """Findings in force per severity, and how many were waived."""
        counts: dict[str, int] = {severity: 0 for severity in SEVERITIES}
        for finding in self.findings:
            counts[finding.severity] += 1
        counts["waived"] = len(self.waived)
        return counts

    def failed(self, fail_severity: Severity = "error") -> bool:
        """Some finding in force is at ``fail_severity`` or more severe."""
        return any(at_least(f.severity, fail_severity) for f in self.findings)

    def summary(self) -> str:
        counts = self.counts
        parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 and s != 'info' else ''}" for s in SEVERITIES]
        return f"{', '.join(parts)} ({counts['waived']} waived)"


def known_rules(policy: Policy) -> dict[str, Rule[Any]]:
    """The built-in and plugin rules, and the policy's custom rules; a custom id that clashes is an error."""
    from regc.rules import all_rules

    rules: dict[str, Rule[Any]] = {rule_id: cls() for rule_id, cls in all_rules().items()}
    if not all(rule.builtin for rule in rules.values()):
        from regc.io import cache

        cache.uncacheable()  # a plugin's code (an editable install's sources too) is not in the cache's key
    if policy.file.custom_rules:
        from regc.lint.schema_rules import SchemaRule

        for index, custom in enumerate(policy.file.custom_rules):
            if custom.id in rules:
                raise InputError([policy.diagnostic(("custom_rules", index, "id"), f"custom rule id {custom.id!r} is already a rule; "
                                                    "choose another id")])
            source = f"{policy.display}:{policy.line('custom_rules', index)}"
            schema_at = policy.diagnostic(("custom_rules", index, "schema"), "")
            rules[custom.id] = SchemaRule(custom, source, at=(schema_at.file, schema_at.line, schema_at.col))
    return rules


def run(
    registry: ResolvedRegistry,
    *,
    policy: Policy,
    today: datetime.date,
    providers: Mapping[str, Provider],
    text: str | None = None,
    catalog: Catalog | None = None,
    config_file: str | None = None,
) -> LintResult:
    """Lint ``registry`` under ``policy`` as of ``today``; ``InputError`` for a policy or waiver that has no meaning.

    ``catalog`` (the one the policy names) adds its deprecation dates to the registry's and the policy's.
    """
    from regc.lint.context import LintContext, catalog_retirements
    from regc.lint.policy import rule_settings

    rules = known_rules(policy)
    errors: list[Diagnostic] = []
    settings = rule_settings(policy, rules, errors)
    waivers = _waivers(registry, policy, rules, errors)
    if errors:
        raise InputError(errors)
    ctx = LintContext(registry=registry, today=today, policy=policy, providers=providers, waivers=tuple(waivers), text=text,
                      catalog_retirements=catalog_retirements(registry, catalog, providers) if catalog is not None else {},
                      config_file=config_file, catalog=catalog)
    path = registry.registry.path
    set_by_policy = {rule_id for rule_id, setting in policy.file.rules.items()
                     if isinstance(setting, str) or setting.severity is not None}
    found: list[Finding] = []
    for rule_id, rule in rules.items():
        level, options = settings[rule_id]
        if level == "off":
            continue
        own = rule_id not in set_by_policy  # a hit's own severity applies unless the policy sets the rule's level
        found.extend(_finding(hit, rule_id, level, path, own) for hit in _checked(rule, rule_id, ctx, options))
    active: list[Finding] = []
    waived: list[Finding] = []
    for finding in sorted(set(found)):
        waiver = next((w for w in waivers if w.matches(finding) and not w.expired(today)), None)
        if waiver is None:
            active.append(finding)
        else:
            waived.append(dataclasses.replace(finding, waived=True, waiver_reason=waiver.reason, waiver_source=waiver.source))
    return LintResult(tuple(active), tuple(waived), rules, path, policy.path, ctx.retirements(), today)


def _checked(rule: Rule[Any], rule_id: str, ctx: LintContext, options: Any) -> list[Any]:
    """The rule's hits; an exception from a plugin's rule is that plugin's bug and says so (exit 3)."""
    if type(rule).__module__.startswith("regc."):
        return list(rule.check(ctx, options))  # a built-in rule that raises is regc's bug: the CLI's internal error
    try:
        return list(rule.check(ctx, options))
    except Exception as exc:
        raise PluginError("rule", rule_id, type(rule).__module__, exc) from exc


def _finding(hit: Hit, rule_id: str, level: Level, path: str, own: bool = True) -> Finding:
    assert level != "off"
    return Finding(
        file=hit.file or path,
        line=hit.line,
        col=hit.col,
        rule=rule_id,
        severity=hit.severity if own and hit.severity is not None else level,
        message=hit.message,
        alias=hit.alias,
        model=hit.model,
    )


@dataclasses.dataclass(frozen=True)
class ActiveWaiver:
    """A waiver from the policy file or the registry, in one form."""

    rule: str
    alias: str | None
    model: str | None
    reason: str
    until: datetime.date | None
    file: str
    line: int

    @property
    def source(self) -> str:
        """Where the waiver is written: ``policy.yaml:41``, ``registry.md:9``."""
        return f"{self.file}:{self.line}"

    def matches(self, finding: Finding) -> bool:
        return (
            finding.rule == self.rule
            and (self.alias is None or self.alias == finding.alias)
            and (self.model is None or self.model == finding.model)
        )

    def expired(self, today: datetime.date) -> bool:
        return self.until is not None and self.until < today


def all_waivers(registry: ResolvedRegistry, policy: Policy) -> list[ActiveWaiver]:
    """The policy's waivers, then the registry's inline ones (not checked: see ``_waivers``)."""
    found = []
    for index, entry in enumerate(policy.file.waivers):
        found.append(ActiveWaiver(entry.rule, entry.alias, entry.model, entry.reason, entry.until, policy.display,
                                  policy.line("waivers", index)))
    path = registry.registry.path
    found.extend(_inline(w, path) for w in registry.registry.waivers)
    return found


def _inline(waiver: Waiver, path: str) -> ActiveWaiver:
    return ActiveWaiver(waiver.rule, waiver.alias, waiver.model, waiver.reason or "", waiver.until, path, waiver.pos.line)


def _waivers(registry: ResolvedRegistry, policy: Policy, rules: Mapping[str, Rule[Any]], errors: list[Diagnostic]) -> list[ActiveWaiver]:
    """Every waiver, checked: a known rule id, and a reason (an inline waiver can be written without one)."""
    from regc.lint.policy import unknown_rule_message

    waivers = all_waivers(registry, policy)
    for waiver in waivers:
        if waiver.rule not in rules:
            errors.append(Diagnostic(waiver.file, waiver.line, 1, f"waiver: {unknown_rule_message(waiver.rule, rules)}"))
        if not waiver.reason.strip():
            example = f'<!-- regc:ignore {waiver.rule} reason="why this is fine" -->'
            errors.append(Diagnostic(waiver.file, waiver.line, 1, f"regc:ignore {waiver.rule} needs a reason: {example}"))
    return waivers
