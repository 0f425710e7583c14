"""Every routed model that is not local has input and output prices.

Cost checks (`revision-trigger`), the LiteLLM and Envoy cost settings and every budget report need
prices. Each routed model that is not local needs a Models row whose Input and Output cells are filled:
a price (`$2.50`, `$0.02/image`, `0.20-0.60`), `free`, or `n/a` where the price does not apply (the
output of an embedding or transcription model). A model is local when its provider is marked `local` in
regc's provider table (`ollama`, or `local = true` in the configuration's `[providers.NAME]`) or both its
prices are `free`. One finding per model: at its Models row, or where it is first routed when it has
no row (naming the Models row one edit away, if there is one: a typo such as `gpt-5.4-mnii`).

Fails (`openai/o3` is routed, and the Models table gives no output price):

```markdown
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `anthropic/claude-opus-4-7` |
| **Alternatives** | `openai/o3` |

## Models

| Model | Input $/MTok | Output $/MTok |
|---|---|---|
| `anthropic/claude-opus-4-7` | $5.00 | $25.00 |
| `openai/o3` | $2.00 | |
```

Passes (both models priced; the local fallback needs no price):

```markdown
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `anthropic/claude-opus-4-7` |
| **Alternatives** | `openai/o3`, `ollama/qwen2.5:7b` |

## Models

| Model | Input $/MTok | Output $/MTok |
|---|---|---|
| `anthropic/claude-opus-4-7` | $5.00 | $25.00 |
| `openai/o3` | $2.00 | $8.00 |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.parse.suggest import one_edit
from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class PricePresent(Rule[RuleOptions]):
    id = "price-present"
    default_severity = "error"

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        for ref, (alias_name, routed) in ctx.routed_models().items():
            if ctx.is_local(ref):
                continue
            model = ctx.model(ref)
            if model is None:
                near = next((row for row in ctx.registry.models if one_edit(str(ref), str(row.ref))), None)
                fix = (f"did you mean `{near.ref}` (line {near.pos.line})? If not, add a row with its prices" if near
                       else "add one with its prices")
                yield Hit(f"`{ref}` ({routed.role} of `{alias_name}`) has no row in the Models table, so no input or output price; "
                          f"{fix}", routed.entry.pos.line, routed.entry.pos.col, model=str(ref))
                continue
            missing = [name for name, cell in (("input", model.input), ("output", model.output)) if cell is None]
            if missing:
                yield Hit(f"`{ref}` is routed (by `{alias_name}`) but has no {' or '.join(missing)} price; "
                          "fill the cell (a price, `free`, or `n/a` where none applies)",
                          model.pos.line, model.pos.col, model=str(ref))
