"""A fallback serves the same kind as its primary; an embedding fallback has the same dimensions.

A chat model cannot answer a transcription request, and an embedding of another dimension does not fit
the index the primary's vectors are stored in. Each routable fallback written in an alias (or reached
through an alias named in its Alternatives) is compared with the alias's primary, by the Kind column of
the Models table; when either kind (or either dimension) is unknown there is nothing to compare.
Pending alternatives are not routed and not compared.

Fails (a 1024-dimension fallback for 3072-dimension vectors):

```markdown
## Embeddings · alias `embed`

| | |
|---|---|
| **Primary** | `openai/text-embedding-3-large` |
| **Alternatives** | `mistral/mistral-embed` |

## Models

| Model | Kind |
|---|---|
| `openai/text-embedding-3-large` | embedding (3072) |
| `mistral/mistral-embed` | embedding (1024) |
```

Passes (same kind and dimensions; the 1024-dimension model stays pending):

```markdown
## Embeddings · alias `embed`

| | |
|---|---|
| **Primary** | `openai/text-embedding-3-large` |
| **Alternatives** | `google/gemini-embedding-2`, `mistral/mistral-embed` (if we re-index at 1024 dims) |

## Models

| Model | Kind |
|---|---|
| `openai/text-embedding-3-large` | embedding (3072) |
| `google/gemini-embedding-2` | embedding (3072) |
| `mistral/mistral-embed` | embedding (1024) |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class FallbackKind(Rule[RuleOptions]):
    id = "fallback-kind"
    default_severity = "error"

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        for pair in ctx.fallback_pairs():
            primary, fallback = pair.primary, pair.fallback
            if primary.kind is None or fallback.kind is None:
                continue
            where = f"fallback `{pair.routed.ref}`{pair.via} of `{pair.alias}`"
            if fallback.kind != primary.kind:
                message = (f"{where} is a {fallback.kind} model; the primary `{pair.primary_ref}` is {primary.kind}: "
                           "it cannot serve the same requests")
            elif fallback.dimensions is not None and primary.dimensions is not None and fallback.dimensions != primary.dimensions:
                message = (f"{where} returns {fallback.dimensions}-dimension embeddings; the primary `{pair.primary_ref}` "
                           f"returns {primary.dimensions}: its vectors do not fit the same index")
            else:
                continue
            entry = pair.routed.entry
            yield Hit(message, entry.pos.line, entry.pos.col, alias=pair.alias, model=str(pair.routed.ref))
