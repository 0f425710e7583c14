"""models.dev, as a ``Catalog``: its ``api.json``, or the flattened form (one row per provider and model).

A model is keyed by (models.dev provider id, model id): ``moonshotai``/``kimi-k2.6``;
ids may contain ``/`` (``openrouter``/``anthropic/claude-sonnet-4.6``). Prices
(``cost.input``, ``cost.output``, ``cost.cache_read``, ``cost.cache_write``) are
USD per 1M tokens already; models.dev has no per-image or per-minute prices.
The context window is ``limit.input`` when given (the input budget, which is
what the registry and LiteLLM's ``max_input_tokens`` record), else
``limit.context``; 0 means unknown. ``status: deprecated`` is a deprecation
without a date.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from regc.catalogs.base import FIELDS, MAX_TOKENS, Catalog, Facts, Field, Unit, decimal_of, price_out_of_range, price_range_text, tokens_of

if TYPE_CHECKING:
    from decimal import Decimal

    from regc.model import ModelRef
    from regc.model.providers import Provider


class ModelsDevCatalog(Catalog):
    name = "models.dev"
    title = "models.dev"

    def __init__(self, display: str, text: str, data: dict[str, Any], version: str | None = None) -> None:
        super().__init__(display, text, version)
        self.entries: dict[str, dict[str, dict[str, Any]]] = {}
        if isinstance(data.get("models"), list):  # flattened: {"providers": {...}, "models": [{"provider", "model", ...}]}
            for row in data["models"]:
                if isinstance(row, dict) and isinstance(row.get("provider"), str) and isinstance(row.get("model"), str):
                    self.entries.setdefault(row["provider"], {})[row["model"]] = row
        else:  # api.json: {"openai": {"id": "openai", "models": {"gpt-4o": {...}}}}
            for provider_id, provider in data.items():
                models = provider.get("models") if isinstance(provider, dict) else None
                if isinstance(models, dict):
                    self.entries[str(provider_id)] = {str(k): v for k, v in models.items() if isinstance(v, dict)}

    def __len__(self) -> int:
        return sum(len(models) for models in self.entries.values())

    def key_for(self, ref: ModelRef, provider: Provider | None) -> str | None:
        if provider is None or provider.modelsdev is None:
            return None
        return f"{provider.modelsdev}/{ref.model}"

    def covers(self, provider: Provider | None) -> bool:
        return provider is not None and provider.modelsdev is not None and bool(self.entries.get(provider.modelsdev))

    def facts(self, key: str) -> Facts | None:
        provider_id, _, model_id = key.partition("/")
        entry = self.entries.get(provider_id, {}).get(model_id)
        if entry is None:
            return None
        prices: dict[tuple[Field, Unit], Decimal] = {}
        cost = entry.get("cost")
        if cost is not None and not isinstance(cost, dict):
            raise self.entry_error(key, f"cost is {cost!r}, not an object of prices", model_id)
        for field in FIELDS:
            raw = (cost or {}).get(field)
            if raw is None:
                continue
            value = decimal_of(raw)
            if value is None or value < 0:
                raise self.entry_error(key, f"cost.{field} is {raw!r}, not a price (a number of USD per 1M tokens, at least 0)",
                                       model_id)
            if price_out_of_range(value):
                raise self.entry_error(key, f"cost.{field} is {raw!r}: out of range (a price is {price_range_text('per 1M tokens')})",
                                       model_id)
            prices[(field, "mtok")] = value
        return Facts(key=key, prices=prices, context=self._context(key, entry), deprecated=entry.get("status") == "deprecated")

    def _context(self, key: str, entry: dict[str, Any]) -> int | None:
        model_id = key.partition("/")[2]
        limit = entry.get("limit")
        if limit is None:
            return None
        if not isinstance(limit, dict):
            raise self.entry_error(key, f"limit is {limit!r}, not an object", model_id)
        for name in ("input", "context"):
            value = limit.get(name)
            if value is None:
                continue
            tokens = tokens_of(value)
            if tokens is None:
                raise self.entry_error(key, f"limit.{name} is {value!r}, not a number of tokens", model_id)
            if tokens > MAX_TOKENS:
                raise self.entry_error(key, f"limit.{name} is {value!r}: out of range (at most {MAX_TOKENS:,} tokens)", model_id)
            if tokens:
                return tokens
        return None

    @functools.cached_property
    def _hosts(self) -> dict[str, list[str]]:
        """Model id -> the providers listing it (for hints only)."""
        found: dict[str, list[str]] = {}
        for provider_id, models in self.entries.items():
            for model_id in models:
                found.setdefault(model_id.rpartition("/")[2], []).append(f"{provider_id}/{model_id}")
        return found

    def model_ids(self, provider: Provider | None) -> list[str]:
        return list(self.entries.get(provider.modelsdev, {})) if provider is not None and provider.modelsdev else []

    def hosts(self, model: str) -> list[str]:
        return self._hosts.get(model.rpartition("/")[2], [])

    def model_names(self) -> frozenset[str]:
        return frozenset(model.rpartition("/")[2] for models in self.entries.values() for model in models)
