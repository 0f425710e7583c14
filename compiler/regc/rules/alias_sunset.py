"""A deprecated alias is removed by its sunset date, and clients are sent to a live replacement.

An alias is deprecated by its Status (`deprecated YYYY-MM-DD → replacement`, see docs/lifecycle.md): the
date is its sunset, the day from which it may be removed, and the replacement is the alias clients move
to. Within `warn_days` before the sunset this rule warns, so that clients are told while there is time;
on and after the sunset it is an error while the alias is still in the registry: remove it (`regc
breaking` accepts the removal of an alias whose sunset has passed). The replacement must itself be
live: a replacement that is deprecated too sends clients to a name that is going away (an error at any
date). An alias that names a deprecated alias as its primary or an alternative is reported with the same
timing, since the deprecated alias cannot be removed while it is named. A severity set for this rule in
the policy applies to all of its findings; left at its default, each finding is a warning before the
sunset and an error from it on. `--today` fixes the date for reproducible runs.

Fails (`chat` sunset on 2026-11-01, three weeks before 2026-11-22, and is still here):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `anthropic/claude-sonnet-4-6` |

## Chat (old name) · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `anthropic/claude-sonnet-4-6` |
| **Status** | deprecated 2026-11-01 → `general` |
```

Passes (the sunset, 2027-06-30, is more than 90 days away; the replacement is live):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `anthropic/claude-sonnet-4-6` |

## Chat (old name) · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `anthropic/claude-sonnet-4-6` |
| **Status** | deprecated 2027-06-30 → `general` |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions, Severity

if TYPE_CHECKING:
    import datetime
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.model import Deprecation


class AliasSunsetOptions(RuleOptions):
    warn_days: int = Field(default=90, ge=0, description="how many days before an alias's sunset to start warning")


class AliasSunset(Rule[AliasSunsetOptions]):
    id = "alias-sunset"
    default_severity = "error"
    Options = AliasSunsetOptions

    def check(self, ctx: LintContext, options: AliasSunsetOptions) -> Iterator[Hit]:
        registry = ctx.registry
        deprecated = {alias.name: alias.deprecated for alias in registry.aliases if alias.deprecated is not None}
        if not deprecated:
            return
        for alias in registry.aliases:
            end = alias.deprecated
            if end is not None:
                timing = _timing(end, ctx.today, options.warn_days)
                if timing is not None:
                    severity, when = timing
                    if severity == "error":
                        message = (f"`{alias.name}` {when} and is still in the registry: remove it (clients move to "
                                   f"`{end.replacement}`; `regc breaking` accepts the removal)")
                    else:
                        message = f"`{alias.name}` is deprecated and {when}: tell its clients to move to `{end.replacement}`"
                    yield Hit(message, end.line, end.col, alias=alias.name, severity=severity)
                successor = deprecated.get(end.replacement)
                if successor is not None:
                    yield Hit(f"the replacement of `{alias.name}`, `{end.replacement}`, is itself deprecated (sunset "
                              f"{successor.sunset.isoformat()}, replaced by `{successor.replacement}`): name a live alias",
                              end.line, end.col, alias=alias.name)
            for entry in (alias.primary, *alias.alternatives):
                named = deprecated.get(entry.alias or "")
                if named is None or entry.alias == alias.name:
                    continue
                timing = _timing(named, ctx.today, options.warn_days)
                if timing is None:
                    continue
                severity, when = timing
                role = "primary" if entry is alias.primary else "an alternative"
                yield Hit(f"`{alias.name}` names `{entry.alias}` ({role}), which {when}: name `{named.replacement}` instead, so "
                          f"that `{entry.alias}` can be removed", entry.line, entry.col, alias=alias.name, severity=severity)


def _timing(end: Deprecation, today: datetime.date, warn_days: int) -> tuple[Severity, str] | None:
    """("error", "sunset on ...") from the sunset on, ("warning", "sunsets on ..., in N days") within the window, else None."""
    days = (end.sunset - today).days
    if days <= 0:
        ago = f"{-days} day{'s' if days != -1 else ''} ago" if days else "today"
        return "error", f"reached its sunset ({end.sunset.isoformat()}, {ago})"
    if days <= warn_days:
        return "warning", f"sunsets on {end.sunset.isoformat()}, in {days} day{'s' if days != 1 else ''}"
    return None
