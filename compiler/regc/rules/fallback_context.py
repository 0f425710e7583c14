"""A fallback's context window is not smaller than the primary's.

A request that fits the primary's window can be too long for a fallback with a smaller one, so the
fallback fails exactly when it is needed. Each routable fallback written in an alias (or reached
through an alias named in its Alternatives) is compared with the alias's primary, by the Context
column of the Models table; when either is unknown there is nothing to compare. `min_ratio` accepts a
smaller fallback down to that fraction of the primary's window (0.5: half).

Fails (a 256K fallback behind a 1M primary):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `kimi/kimi-k2.6` |

## Models

| Model | Context |
|---|---|
| `openai/gpt-5.4` | 1M |
| `kimi/kimi-k2.6` | 256K |
```

Passes (the fallback's window is as large):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `anthropic/claude-sonnet-4-6` |

## Models

| Model | Context |
|---|---|
| `openai/gpt-5.4` | 1M |
| `anthropic/claude-sonnet-4-6` | 1M |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class FallbackContextOptions(RuleOptions):
    min_ratio: float = Field(default=1.0, gt=0, le=1, description="smallest accepted fallback window, as a fraction of the primary's")


class FallbackContext(Rule[FallbackContextOptions]):
    id = "fallback-context"
    default_severity = "warning"
    Options = FallbackContextOptions

    def check(self, ctx: LintContext, options: FallbackContextOptions) -> Iterator[Hit]:
        for pair in ctx.fallback_pairs():
            primary, fallback = pair.primary.context, pair.fallback.context
            if primary is None or fallback is None or fallback >= primary * options.min_ratio:
                continue
            entry = pair.routed.entry
            yield Hit(f"fallback `{pair.routed.ref}`{pair.via} of `{pair.alias}` has a {tokens(fallback)} context window, smaller "
                      f"than the primary `{pair.primary_ref}`'s {tokens(primary)}: a request that fits the primary can fail on it",
                      entry.pos.line, entry.pos.col, alias=pair.alias, model=str(pair.routed.ref))


def tokens(count: int) -> str:
    """A window as the registry writes it: 1M, 256K, 32,768."""
    if count % 1_000_000 == 0:
        return f"{count // 1_000_000}M"
    if count % 1000 == 0:
        return f"{count // 1000}K"
    return f"{count:,}"
