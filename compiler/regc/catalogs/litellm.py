"""LiteLLM's cost map (``model_prices_and_context_window.json``), as a ``Catalog``.

Keys are LiteLLM's route names: ``<prefix>/<model>`` (``moonshot/kimi-k2.6``,
``gemini/gemini-2.5-pro``), or the bare model id for OpenAI's and Anthropic's
own API (``gpt-4o``, ``claude-opus-4-7``: ``litellm_catalog_bare`` in
``regc.model.providers``). Keys under other prefixes (``azure/``, ``vertex_ai/``,
``bedrock/``, ``openrouter/``...) are other hosts of a model, never its first
party. Fields used: ``input_cost_per_token``, ``output_cost_per_token`` (for
image models ``output_cost_per_image_token`` when there is no per-token output
price), ``cache_read_input_token_cost``, ``cache_creation_input_token_cost``,
``input_cost_per_image``/``output_cost_per_image``,
``input_cost_per_second``/``output_cost_per_second``, ``max_input_tokens``,
``deprecation_date``.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from regc.catalogs.base import MAX_TOKENS, Catalog, Facts, Field, Unit, decimal_of, price_out_of_range, price_range_text, tokens_of

if TYPE_CHECKING:
    from regc.model import ModelRef
    from regc.model.providers import Provider

MTOK = Decimal(1_000_000)
# (catalog field, registry field, unit, scale to the registry's unit); the first present wins per (field, unit).
_PRICES: tuple[tuple[str, Field, Unit, Decimal], ...] = (
    ("input_cost_per_token", "input", "mtok", MTOK),
    ("output_cost_per_token", "output", "mtok", MTOK),
    ("output_cost_per_image_token", "output", "mtok", MTOK),
    ("cache_read_input_token_cost", "cache_read", "mtok", MTOK),
    ("cache_creation_input_token_cost", "cache_write", "mtok", MTOK),
    ("input_cost_per_image", "input", "image", Decimal(1)),
    ("output_cost_per_image", "output", "image", Decimal(1)),
    ("input_cost_per_second", "input", "second", Decimal(1)),
    ("output_cost_per_second", "output", "second", Decimal(1)),
)
_UNIT_WORDS: dict[Unit, str] = {"mtok": "per 1M tokens", "image": "per image", "minute": "per minute", "second": "per second"}


class LiteLLMCatalog(Catalog):
    name = "litellm"
    title = "LiteLLM cost map"

    def __init__(self, display: str, text: str, data: dict[str, Any], version: str | None = None) -> None:
        super().__init__(display, text, version)
        self.entries = {key: value for key, value in data.items() if key != "sample_spec" and isinstance(value, dict)}

    def __len__(self) -> int:
        return len(self.entries)

    @functools.cached_property
    def _providers(self) -> dict[str, list[str]]:
        """Model ids by first-party provider prefix: ``{"moonshot": ["kimi-k2.6", ...], "openai": ["gpt-4o", ...]}``."""
        found: dict[str, list[str]] = {}
        for key, entry in self.entries.items():
            prefix, slash, model = key.partition("/")
            if slash:
                found.setdefault(prefix, []).append(model)
            elif isinstance(entry.get("litellm_provider"), str):
                found.setdefault(_own(entry["litellm_provider"]), []).append(key)
        return found

    def key_for(self, ref: ModelRef, provider: Provider | None) -> str | None:
        if provider is None or provider.litellm is None:
            return None
        prefixed = f"{provider.litellm}/{ref.model}"
        if provider.litellm_catalog_bare:
            entry = self.entries.get(ref.model)
            if entry is not None and _own(str(entry.get("litellm_provider"))) == provider.litellm:
                return ref.model
            # The bare key is another provider's (`gpt-4o` is OpenAI's): only the prefixed key could be this one's.
            return prefixed if prefixed in self.entries or ref.model in self.entries else ref.model
        return prefixed

    def covers(self, provider: Provider | None) -> bool:
        return provider is not None and provider.litellm is not None and provider.litellm in self._providers

    def facts(self, key: str) -> Facts | None:
        entry = self.entries.get(key)
        if entry is None:
            return None
        prices: dict[tuple[Field, Unit], Decimal] = {}
        for name, field, unit, scale in _PRICES:
            if name not in entry or entry[name] is None or (field, unit) in prices:
                continue
            value = decimal_of(entry[name])
            if value is None or value < 0:
                raise self.entry_error(key, f"{name} is {entry[name]!r}, not a price (a number of USD, at least 0)")
            if price_out_of_range(value * scale):
                raise self.entry_error(key, f"{name} is {entry[name]!r}: out of range (a price is "
                                            f"{price_range_text(_UNIT_WORDS[unit])})")
            prices[(field, unit)] = _clean(value * scale)
        return Facts(key=key, prices=prices, context=self._context(key, entry), deprecation=self._date(key, entry))

    def _context(self, key: str, entry: dict[str, Any]) -> int | None:
        value = entry.get("max_input_tokens")
        if value is None:
            return None
        tokens = tokens_of(value)
        if tokens is None:
            raise self.entry_error(key, f"max_input_tokens is {value!r}, not a number of tokens")
        if tokens > MAX_TOKENS:
            raise self.entry_error(key, f"max_input_tokens is {value!r}: out of range (at most {MAX_TOKENS:,} tokens)")
        return tokens or None

    def _date(self, key: str, entry: dict[str, Any]) -> datetime.date | None:
        value = entry.get("deprecation_date")
        if value is None:
            return None
        try:
            return datetime.date.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            pass
        raise self.entry_error(key, f"deprecation_date is {value!r}, not a date (YYYY-MM-DD)")

    def model_ids(self, provider: Provider | None) -> list[str]:
        return self._providers.get(provider.litellm, []) if provider is not None and provider.litellm else []

    @functools.cached_property
    def _hosts(self) -> dict[str, list[str]]:
        """Model id -> the prefixed keys listing it (``grok-3`` -> ``azure_ai/grok-3``, ...), built once, not scanned per model."""
        found: dict[str, list[str]] = {}
        for key in self.entries:
            if "/" in key:
                found.setdefault(key.rpartition("/")[2], []).append(key)
        return found

    def hosts(self, model: str) -> list[str]:
        return self._hosts.get(model, [])

    def model_names(self) -> frozenset[str]:
        return frozenset(key.rpartition("/")[2] for key in self.entries)


def _own(litellm_provider: str) -> str:
    """``text-completion-openai`` is still OpenAI's own API."""
    return litellm_provider.removeprefix("text-completion-")


def _clean(value: Decimal) -> Decimal:
    """``Decimal('2.5000000')`` -> ``Decimal('2.5')``, without the exponent form ``normalize`` gives integers (``1E+1``)."""
    value = value.normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value
