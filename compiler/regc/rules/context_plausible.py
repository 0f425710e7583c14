"""Every context window in the Models table is plausible for its model's kind.

A context cell that is right in form can be wrong by a letter: `1K` where `1M` was meant, `128` for `128K`, `200`
for `200K`. Either routes traffic by a window a thousand times too small (or lets a fallback with "more context" win
the `fallback-context` comparison). No chat model served today reads fewer than `min_chat` tokens, and no embedding
model fewer than `min_embedding`; a row under its kind's bound is reported at its Context cell. Rows of other kinds
(image, speech, transcription, moderation, rerank), and rows without a context, are not judged. A model whose real
window is that small gets a waiver naming it, with the reason.

Fails (a chat model's `1M` written `1K`):

```markdown
## Chat · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok | Context |
|---|---|---|---|---|
| `openai/gpt-5.4` | chat | $2.50 | $15.00 | 1K |
```

Passes:

```markdown
## Chat · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok | Context |
|---|---|---|---|---|
| `openai/gpt-5.4` | chat | $2.50 | $15.00 | 1M |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class ContextPlausibleOptions(RuleOptions):
    min_chat: int = Field(default=4096, ge=1, description="fewest tokens a chat model's context window plausibly holds")
    min_embedding: int = Field(default=256, ge=1, description="fewest tokens an embedding model's input plausibly holds")


class ContextPlausible(Rule[ContextPlausibleOptions]):
    id = "context-plausible"
    default_severity = "error"
    Options = ContextPlausibleOptions

    def check(self, ctx: LintContext, options: ContextPlausibleOptions) -> Iterator[Hit]:
        bounds = {"chat": options.min_chat, None: options.min_chat, "embedding": options.min_embedding}
        for model in ctx.registry.models:
            least = bounds.get(model.kind)
            if model.context is None or least is None or model.context >= least:
                continue
            line, col = ctx.model_cell(model, "context")
            kind = model.kind or "chat"
            yield Hit(f"`{model.ref}` has a context window of {model.context:,} tokens, below the {least:,} any {kind} model "
                      f"holds: `{_short(model.context)}` for `{_short(model.context * 1000)}`? (a real window this small "
                      "gets a waiver with its reason)", line, col, model=str(model.ref))


def _short(tokens: int) -> str:
    """A window as the Models table writes it: 1M, 200K, 512."""
    if tokens % 1_000_000 == 0:
        return f"{tokens // 1_000_000}M"
    if tokens % 1000 == 0:
        return f"{tokens // 1000}K"
    return str(tokens)
