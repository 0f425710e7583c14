"""An alternative of the same kind is at least twice as cheap as the primary: time to reassess it.

A registry's usual revision trigger: an alternative is at least twice as cheap at the same quality. regc cannot
judge quality, so it reports the price half and a person decides: keep the primary (and waive the
finding with the reason and an `until:` date, the next review) or promote the alternative. Prices are
compared like with like: same kind (and dimensions, for embeddings) and the same unit; a token-priced
model is compared on its blended price, `input_weight` parts input to `output_weight` parts output
(3:1 by default, a chat workload's usual mix); a model priced per image or per minute on its one price.
Free (local) models and models without prices are not compared. One finding per alias, at the primary.

Fails (DeepSeek V4 Flash is 19× cheaper than Opus, blended):

```markdown
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `anthropic/claude-opus-4-7` |
| **Alternatives** | `deepseek/deepseek-v4-flash` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `anthropic/claude-opus-4-7` | chat | $5.00 | $25.00 |
| `deepseek/deepseek-v4-flash` | chat | $0.30 | $1.20 |
```

Passes (the fallback is dearer; an image model priced per image is not compared with a token price):

```markdown
## Images · alias `image`

| | |
|---|---|
| **Primary** | `openai/gpt-image-2` |
| **Alternatives** | `xai/grok-imagine-image` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `openai/gpt-image-2` | image | $5.00 | $30.00 |
| `xai/grok-imagine-image` | image | $0.02/image | n/a |
```
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.model import Model

UNIT_NAMES = {"mtok": "per 1M tokens", "image": "per image", "minute": "per minute", "second": "per second"}


class RevisionTriggerOptions(RuleOptions):
    factor: float = Field(default=2.0, gt=1, description="how many times cheaper an alternative must be to trigger a review")
    input_weight: int = Field(default=3, ge=0, description="parts of input in the blended token price")
    output_weight: int = Field(default=1, ge=0, description="parts of output in the blended token price")


class RevisionTrigger(Rule[RevisionTriggerOptions]):
    id = "revision-trigger"
    default_severity = "warning"
    Options = RevisionTriggerOptions

    def check(self, ctx: LintContext, options: RevisionTriggerOptions) -> Iterator[Hit]:
        if options.input_weight + options.output_weight == 0:
            return
        factor = Decimal(str(options.factor))
        for alias in ctx.registry.aliases:
            routed = ctx.routed(alias.name)
            if not routed or routed[0].role != "primary":
                continue  # the primary is another alias's: judged there
            primary = ctx.model(routed[0].ref)
            primary_price = _comparable(primary, options)
            if primary is None or primary_price is None or primary_price[1] == 0:
                continue
            cheaper: list[tuple[Decimal, str]] = []
            for fallback_route in routed[1:]:
                fallback = ctx.model(fallback_route.ref)
                price = _comparable(fallback, options)
                if fallback is None or price is None or price[1] == 0 or not _same_kind(primary, fallback) or price[0] != primary_price[0]:
                    continue  # free (local) models cost hardware, not a price per call: not comparable
                if price[1] * factor <= primary_price[1]:
                    cheaper.append((primary_price[1] / price[1], str(fallback_route.ref)))
            if not cheaper:
                continue
            cheaper.sort(key=lambda item: (-item[0], item[1]))
            listed = ", ".join(f"`{ref}` ({_times(ratio)})" for ratio, ref in cheaper)
            basis, unit = primary_price[0]
            how = f"blended {options.input_weight}:{options.output_weight} input:output, {unit_name(unit)}" if basis == "blended" \
                else unit_name(unit)
            entry = routed[0].entry
            yield Hit(f"`{alias.name}`: {listed} cost{'s' if len(cheaper) == 1 else ''} at least {options.factor:g}× less than the primary "
                      f"`{routed[0].ref}` ({how}): reassess the primary (or waive this until the next review)",
                      entry.pos.line, entry.pos.col, alias=alias.name, model=str(routed[0].ref))


def _comparable(model: Model | None, options: RevisionTriggerOptions) -> tuple[tuple[str, str], Decimal] | None:
    """((basis, unit), price): what the model costs, in a form only like prices share."""
    from regc.model import Price

    if model is None or not isinstance(model.input, Price):
        return None
    unit = model.input.unit
    if isinstance(model.output, Price) and model.output.unit == unit:
        total = options.input_weight + options.output_weight
        blended = (model.input.usd * options.input_weight + model.output.usd * options.output_weight) / total
        return ("blended", unit), blended
    if model.output == "n/a":
        return ("input", unit), model.input.usd
    return None


def _same_kind(primary: Model, fallback: Model) -> bool:
    return primary.kind is not None and primary.kind == fallback.kind and primary.dimensions == fallback.dimensions


def _times(ratio: Decimal) -> str:
    return f"{ratio:.1f}×"


def unit_name(unit: str) -> str:
    return UNIT_NAMES.get(unit, unit)
