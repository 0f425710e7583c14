"""What every catalog is: the ``Catalog`` contract, the ``Facts`` it gives about one model, and the bounds on them.

A catalog module (``litellm``, ``modelsdev``) subclasses ``Catalog`` and reads its numbers with
``decimal_of`` and ``tokens_of``; ``regc.catalogs.load_catalog`` picks the module by the file's shape.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from regc.errors import Diagnostic, InputError
from regc.parse.cells import MAX_PRICE, MAX_PRICE_DECIMALS

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

    from regc.model import ModelRef
    from regc.model.providers import Provider

#: A catalog's price in the registry's unit (USD per 1M tokens, per image, per minute or per second) is 0 or within
#: the bounds the registry itself keeps (``regc.parse.cells.MAX_PRICE`` and its decimal places), so that `prices
#: sync` never writes a price the parser refuses; anything else is a broken file or a unit slip, refused at the
#: entry's line (the real catalogs range from $0.00013 per 1M tokens to $1.56 per second).
MIN_PRICE_USD = "0." + "0" * (MAX_PRICE_DECIMALS - 1) + "1"
MAX_PRICE_USD = str(MAX_PRICE)
#: A context window of more tokens than this is not one (the largest in the real catalogs is 10,485,760).
MAX_TOKENS = 1_000_000_000

Field = Literal["input", "output", "cache_read", "cache_write"]
Unit = Literal["mtok", "image", "minute", "second"]
FIELDS: tuple[Field, ...] = ("input", "output", "cache_read", "cache_write")


@dataclasses.dataclass(frozen=True)
class Facts:
    """What a catalog says about one model, in the registry's units.

    ``prices`` maps (field, unit) to USD: per 1M tokens (``mtok``), per image,
    per minute or per second. ``deprecation`` is the day the provider stops
    serving the model (LiteLLM's ``deprecation_date``); ``deprecated`` is a
    deprecation without a date (models.dev's ``status: deprecated``).
    """

    key: str  # the catalog's own name for the model: "moonshot/kimi-k2.6", "moonshotai/kimi-k2.6"
    prices: dict[tuple[Field, Unit], Decimal]
    context: int | None = None
    deprecation: datetime.date | None = None
    deprecated: bool = False

    def price(self, field: Field, unit: Unit) -> Decimal | None:
        """The price of ``field`` in ``unit`` (a per-second price also answers per minute), or None."""
        value = self.prices.get((field, unit))
        if value is None and unit == "minute" and (field, "second") in self.prices:
            value = self.prices[(field, "second")] * 60
        return value


@dataclasses.dataclass(frozen=True)
class Lookup:
    """The outcome of looking a registry model up: ``facts`` when listed, else why not (and hints)."""

    status: Literal["listed", "unlisted", "not-covered", "local"]
    facts: Facts | None = None
    key: str | None = None  # the exact key that was looked for
    hints: tuple[str, ...] = ()


class Catalog:
    """A loaded catalog. Subclasses know one format; ``lookup`` is the only way to a model's facts."""

    name: str  # "litellm" or "models.dev"
    title: str  # "LiteLLM cost map", "models.dev"

    def __init__(self, display: str, text: str, version: str | None = None) -> None:
        self.display = display
        self.text = text  # kept to point at an entry's line in error messages
        self.version = version

    @property
    def label(self) -> str:
        """How findings name the catalog: ``LiteLLM cost map 1.102.4``, ``models.dev (catalog.json)``."""
        return f"{self.title} {self.version}" if self.version else f"{self.title} ({Path(self.display).name})"

    def __len__(self) -> int:
        raise NotImplementedError

    def lookup(self, ref: ModelRef, provider: Provider | None) -> Lookup:
        """What the catalog says about ``ref`` under its first-party provider's exact key."""
        if provider is not None and provider.local:
            return Lookup("local")
        if provider is not None and provider.kind != "openai":
            # An Azure deployment's name is the user's; Bedrock and Vertex ids are not yet mapped to catalog keys.
            return Lookup("not-covered")
        key = self.key_for(ref, provider)
        if key is None or not self.covers(provider):
            return Lookup("not-covered")
        facts = self.facts(key)
        if facts is not None:
            return Lookup("listed", facts, key)
        return Lookup("unlisted", None, key, tuple(self.hints(ref, provider)))

    def key_for(self, ref: ModelRef, provider: Provider | None) -> str | None:
        raise NotImplementedError

    def covers(self, provider: Provider | None) -> bool:
        raise NotImplementedError

    def facts(self, key: str) -> Facts | None:
        raise NotImplementedError

    def hints(self, ref: ModelRef, provider: Provider | None) -> list[str]:
        """For a model not listed under its key: a close id of the same provider, and the other hosts that list it."""
        from regc.parse.suggest import nearest

        found: list[str] = []
        close = nearest(ref.model, self.model_ids(provider), cutoff=0.8)
        if close:
            found.append(f"did you mean `{ref.provider}/{close}`?")
        hosts = sorted(self.hosts(ref.model))
        if hosts:
            shown = ", ".join(f"`{key}`" for key in hosts[:3]) + (f" and {len(hosts) - 3} more" if len(hosts) > 3 else "")
            found.append(f"other hosts list it: {shown}")
        return found

    def model_ids(self, provider: Provider | None) -> list[str]:
        """The model ids the catalog lists for ``provider``'s own API (for hints only)."""
        raise NotImplementedError

    def hosts(self, model: str) -> list[str]:
        """The keys under which other hosts list ``model`` (for hints only)."""
        raise NotImplementedError

    def model_names(self) -> frozenset[str]:
        """Every model id the catalog lists, under any host, as the last segment of its key (``azure/gpt-4o`` and
        ``gpt-4o`` give ``gpt-4o``; ``openrouter/anthropic/claude-haiku-4.5`` gives ``claude-haiku-4.5``): the names a
        client or gateway may take for a model."""
        raise NotImplementedError

    def entry_error(self, key: str, message: str, search: str | None = None) -> InputError:
        """An input error about entry ``key``, at the line where ``search`` (default ``key``) is written (found on demand)."""
        from regc.catalogs._read import line_of_key

        line = line_of_key(self.text, search or key)
        return InputError([Diagnostic(self.display, line, 1, f"catalog entry {key!r}: {message}")])


def decimal_of(value: Any) -> Decimal | None:
    """A JSON number as an exact decimal (``2.5e-06`` -> ``Decimal('0.0000025')``); None for anything else.

    ``repr`` of a float is the shortest text that reads back as it, which is the text the catalog
    wrote, so no binary rounding (``0.14000000000000001``) leaks into prices.
    """
    from decimal import Decimal

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def price_out_of_range(value: Decimal) -> bool:
    """A price (in the registry's unit) that is neither 0 nor within ``MIN_PRICE_USD`` .. ``MAX_PRICE_USD``."""
    from decimal import Decimal

    return value != 0 and not Decimal(MIN_PRICE_USD) <= value <= Decimal(MAX_PRICE_USD)


def price_range_text(unit: str) -> str:
    """The bounds of ``price_out_of_range`` as a message gives them."""
    return f"0, or from ${MIN_PRICE_USD} to ${int(MAX_PRICE_USD):,} {unit}"


def tokens_of(value: Any) -> int | None:
    """A JSON number of tokens as an int (``1e6`` -> 1000000); None for anything else.

    Negative and fractional numbers are not token counts, and neither are ``Infinity`` and ``NaN``,
    which Python's ``json`` reads as floats (``int()`` of them raises, and did, as an internal error).
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not value.is_integer():  # False for inf and nan too
        return None
    return int(value) if value >= 0 else None
