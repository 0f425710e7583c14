"""At least one fallback is on another provider than the primary.

A provider-wide outage, an expired key or an exhausted quota takes down every model of that provider
at once; a chain whose fallbacks are all on the primary's provider fails with it. A different
provider serving the same model (`openrouter/anthropic/...` for `anthropic/...`) counts as another
provider. Aliases without any routable fallback are `alias-has-fallback`'s business. An alias that is
meant to stay on one provider (a local-only alias) is waived with its reason.

Fails (every fallback is on OpenAI):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `openai/gpt-5.4-mini` |
```

Passes (a fallback on Anthropic):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `openai/gpt-5.4-mini`, `anthropic/claude-sonnet-4-6` |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class FallbackProvider(Rule[RuleOptions]):
    id = "fallback-provider"
    default_severity = "warning"

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        for alias, chain, where in ctx.own_chains():
            if not chain.fallbacks or any(ref.provider != chain.primary.provider for ref in chain.fallbacks):
                continue
            yield Hit(f"every fallback of `{alias.name}` is on `{chain.primary.provider}`, the primary's provider: "
                      f"an outage or quota there takes the whole chain down; add a fallback on another provider",
                      where.line, where.col, alias=alias.name)
