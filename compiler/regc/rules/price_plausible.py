"""Every price in the Models table is plausible for its unit.

A price that is right in form can be wrong by a unit: a per-token figure pasted into a `$/MTok` column
(`0.000005` where `$5.00` was meant), a price per 1K tokens, a decimal point that slipped (`$125` for
`$1.25`). No catalog is needed to see most of them: USD per 1M tokens lies between `min_per_mtok` and
`max_per_mtok`, a price per image or per minute stays under its own bound (a per-second price is compared
per minute), and a row's prices agree with each other: output costs `min_output_ratio` to
`max_output_ratio` times the input, a cache read no more than `max_cache_read_ratio` times the input, a
cache write no more than `max_cache_write_ratio` times. A transcription or speech model priced per 1M tokens
below `min_audio_per_mtok` is a per-minute price that lost its `/min`. Every row is checked, routed or not (every row
reaches the json target); `free` and `n/a` are not prices. A model whose real prices fall outside the
bounds gets a waiver naming it, with the reason.

Fails (a per-token price in a per-1M-tokens column):

```markdown
## Chat · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |

## Models

| Model | Input $/MTok | Output $/MTok |
|---|---|---|
| `openai/gpt-5.4` | 0.0000025 | $15.00 |
```

Passes:

```markdown
## Chat · alias `chat`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |

## Models

| Model | Input $/MTok | Output $/MTok | Cache read $/MTok |
|---|---|---|---|
| `openai/gpt-5.4` | $2.50 | $15.00 | $0.25 |
```
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field

from regc.parse.cells import usd_text
from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.model import Model, Price


class PricePlausibleOptions(RuleOptions):
    min_per_mtok: float = Field(default=0.001, ge=0, description="lowest plausible price in USD per 1M tokens (free is not a price)")
    max_per_mtok: float = Field(default=1000, gt=0, description="highest plausible price in USD per 1M tokens")
    max_per_image: float = Field(default=10, gt=0, description="highest plausible price in USD per image")
    max_per_minute: float = Field(default=10, gt=0, description="highest plausible price in USD per minute (a per-second price × 60)")
    min_audio_per_mtok: float = Field(default=0.1, ge=0, description="lowest plausible per-1M-tokens price of a transcription or "
                                      "speech model (below it: a per-minute price that lost its /min)")
    min_output_ratio: float = Field(default=0.1, ge=0, description="lowest plausible output price as a multiple of the input price")
    max_output_ratio: float = Field(default=30, gt=0, description="highest plausible output price as a multiple of the input price")
    max_cache_read_ratio: float = Field(default=1, gt=0, description="highest plausible cache-read price as a multiple of input")
    max_cache_write_ratio: float = Field(default=10, gt=0, description="highest plausible cache-write price as a multiple of input")


_WORDS = {"input": "input", "output": "output", "cache_read": "cache-read", "cache_write": "cache-write"}
_FIELDS = ("input", "output", "cache_read", "cache_write")


class PricePlausible(Rule[PricePlausibleOptions]):
    id = "price-plausible"
    default_severity = "error"
    Options = PricePlausibleOptions

    def check(self, ctx: LintContext, options: PricePlausibleOptions) -> Iterator[Hit]:
        for model in ctx.registry.models:
            for field, problem in _problems(model, options):
                line, col = ctx.model_cell(model, field)
                yield Hit(f"`{model.ref}` {problem}", line, col, model=str(model.ref))


def _problems(model: Model, options: PricePlausibleOptions) -> Iterator[tuple[str, str]]:
    from regc.model import Price

    prices = {field: price for field in _FIELDS if isinstance(price := getattr(model, field), Price) and price.usd > 0}
    flagged: set[str] = set()
    for field, price in prices.items():
        problem = _magnitude(price, options)
        if problem is None and model.kind in ("transcription", "speech") and price.unit == "mtok" \
                and price.usd < Decimal(str(options.min_audio_per_mtok)):
            problem = (f"${usd_text(price.usd)} per 1M tokens is below ${_number(options.min_audio_per_mtok)} for a {model.kind} "
                       f"model: a per-minute price that lost its unit (`${usd_text(price.usd)}/min`)?")
        if problem is not None:
            flagged.add(field)
            yield field, f"{_WORDS[field]} price {problem}"
    inputs = prices.get("input")
    if inputs is None or inputs.unit != "mtok" or "input" in flagged:
        return  # a ratio to an input price already reported says nothing more
    bounds = (("output", Decimal(str(options.min_output_ratio)), Decimal(str(options.max_output_ratio))),
              ("cache_read", None, Decimal(str(options.max_cache_read_ratio))),
              ("cache_write", None, Decimal(str(options.max_cache_write_ratio))))
    for field, low, high in bounds:
        other = prices.get(field)
        if other is None or other.unit != "mtok" or field in flagged:
            continue
        ratio = other.usd / inputs.usd
        if (low is not None and ratio < low) or ratio > high:
            limit = f"at least {_number(low)}×" if low is not None and ratio < low else f"at most {_number(high)}×"
            yield field, (f"{_WORDS[field]} price ${usd_text(other.usd)} is {_number(ratio)}× its input price ${usd_text(inputs.usd)} "
                          f"per 1M tokens (plausible: {limit}); is one of them off by a power of ten, or per 1K tokens?")


def _magnitude(price: Price, options: PricePlausibleOptions) -> str | None:
    high = price.usd
    low = price.low if price.low is not None else price.usd
    if price.unit == "mtok":
        if low < Decimal(str(options.min_per_mtok)):
            return (f"${usd_text(low)} per 1M tokens is below ${_number(options.min_per_mtok)}: a per-token price in a per-1M-tokens "
                    f"column? (${usd_text(low)} per token is ${usd_text(low * 1_000_000)} per 1M tokens)")
        if high > Decimal(str(options.max_per_mtok)):
            return (f"${usd_text(high)} per 1M tokens is above ${_number(options.max_per_mtok)}: a slipped decimal point, or a price "
                    "per 1K tokens?")
        return None
    per_minute = high * 60 if price.unit == "second" else high
    bound = options.max_per_image if price.unit == "image" else options.max_per_minute
    if per_minute > Decimal(str(bound)):
        unit = "image" if price.unit == "image" else "minute"
        return f"${usd_text(per_minute)} per {unit} is above ${_number(bound)}: is the unit right?"
    return None


def _number(value: float | Decimal | None) -> str:
    return f"{Decimal(str(value)).normalize():f}" if value is not None else "?"
