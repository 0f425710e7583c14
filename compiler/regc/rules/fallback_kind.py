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
        for alias in ctx.registry.aliases:
            primary_ref = ctx.chain(alias.name).primary
            primary = ctx.model(primary_ref)
            if primary is None or primary.kind is None:
                continue
            for routed in ctx.routed(alias.name):
                fallback = ctx.model(routed.ref)
                if routed.role == "primary" or fallback is None or fallback.kind is None:
                    continue
                via = f" (through `{routed.through}`)" if routed.through else ""
                if fallback.kind != primary.kind:
                    message = (f"fallback `{routed.ref}`{via} of `{alias.name}` is a {fallback.kind} model; "
                               f"the primary `{primary_ref}` is {primary.kind}: it cannot serve the same requests")
                elif fallback.dimensions is not None and primary.dimensions is not None and fallback.dimensions != primary.dimensions:
                    message = (f"fallback `{routed.ref}`{via} of `{alias.name}` returns {fallback.dimensions}-dimension embeddings; "
                               f"the primary `{primary_ref}` returns {primary.dimensions}: its vectors do not fit the same index")
                else:
                    continue
                yield Hit(message, routed.entry.pos.line, routed.entry.pos.col, alias=alias.name, model=str(routed.ref))
