"""Every alias, legacy ones included, has a routable fallback other than its primary.

When the primary fails (an outage, a rate limit, a retired model) the gateway needs somewhere else to
send the request. A fallback is routable when it is a full `provider/model` reference that is not
pending; a pending entry (`(when key added)`), a bare name without a provider and a prose note do not
count. An alias that only names another alias (legacy `best` → `reasoning`) has that alias's chain and
is judged there. The finding points at the Alternatives cell, or at the primary when there is none.

Fails (the only alternative is pending):

```markdown
## Search · alias `search`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `perplexity/sonar-pro` (when key added) |
```

Passes (a routable fallback besides the pending one):

```markdown
## Search · alias `search`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `openai/gpt-5-search-api`, `perplexity/sonar-pro` (when key added) |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.model import Alias


class AliasHasFallbackOptions(RuleOptions):
    min_fallbacks: int = Field(default=1, ge=1, description="how many routable fallbacks each alias needs")


class AliasHasFallback(Rule[AliasHasFallbackOptions]):
    id = "alias-has-fallback"
    default_severity = "error"
    Options = AliasHasFallbackOptions

    def check(self, ctx: LintContext, options: AliasHasFallbackOptions) -> Iterator[Hit]:
        for alias, chain, where in ctx.own_chains():
            if len(chain.fallbacks) >= options.min_fallbacks:
                continue
            count = len(chain.fallbacks)
            have = f"has {count} routable fallback{'s' if count != 1 else ''}" if count else "has no routable fallback"
            need = f"needs {options.min_fallbacks}" if options.min_fallbacks > 1 else "needs one"
            yield Hit(f"`{alias.name}` {have}{_why(alias)}; it {need} besides `{chain.primary}`",
                      where.line, where.col, alias=alias.name)


def _why(alias: Alias) -> str:
    """What the alternatives are instead of routable fallbacks, so the message says what to fix."""
    reasons = []
    for entry in alias.alternatives:
        if entry.pending:
            reasons.append(f"`{entry.target}` is pending: {entry.note}")
        elif entry.ref is not None and entry.ref.provider is None:
            reasons.append(f"`{entry.target}` has no provider")
        elif entry.ref is None and entry.alias is None:
            reasons.append(f"{entry.text!r} is not a model reference")
    return f" ({'; '.join(reasons)})" if reasons else ""
