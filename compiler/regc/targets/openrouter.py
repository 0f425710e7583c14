"""The ``openrouter`` target: one OpenRouter preset body per alias.

OpenRouter presets are named configurations a client selects with ``"model": "@preset/<slug>"``. This
target writes ``presets.json``: under ``presets``, each chat alias's preset body on one line, keys
sorted, what ``POST https://openrouter.ai/api/v1/presets/<alias>/chat/completions`` persists
(docs/targets/openrouter.md has the call)::

    {"models": ["anthropic/claude-opus-4.7", "openai/gpt-5.5", "moonshotai/kimi-k2.6"],
     "provider": {"allow_fallbacks": false, "max_price": {"completion": "30", "prompt": "5"}, "sort": "price"}}

- ``models`` is the chain, in registry order, as OpenRouter ids (``regc.model.openrouter``: explicit
  per-provider rules, the ``models`` override table, and only ids known to exist, never a guess).
  OpenRouter tries the next model when one fails (its "model fallbacks").
- ``provider`` holds only the provider-routing keys OpenRouter documents (``PROVIDER_KEYS``), each from
  an option; absent when no option sets one. ``max_price`` (``max_price = "chain"``) is the highest input
  and output price per 1M tokens among the preset's models, from the registry's Models table, plus
  ``max_price_headroom_percent``: every model of the chain stays affordable at the registry's prices,
  and a provider charging more than the registry says is skipped. Prices are decimal strings (the
  type OpenRouter's SDKs give ``max_price``'s fields), so no float noise.

Left out, and listed under ``left_out`` with the reason: aliases whose kind is not chat (presets are
installed and used through chat completions), pending alternatives, models without an OpenRouter id
(``missing = "warn"``, the default; ``missing = "error"`` refuses the build instead, naming each), an
alias with no model left, and a ``max_price`` side a model has no price for.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, StrictBool, StringConstraints

from regc.errors import Diagnostic, InputError
from regc.model.openrouter import ID_PATTERN, IdMap
from regc.targets import Target, TargetOptions, header
from regc.targets._json import compact, document

if TYPE_CHECKING:
    from decimal import Decimal

    from regc.model import ModelRef
    from regc.model.resolve import ResolvedRegistry

#: The kinds a preset serves (``None``: the Models table does not say; a chat request).
SERVED_KINDS = frozenset({"chat", None})
#: Every key this target may write, per object: the preset body, and OpenRouter's documented ``provider`` object
#: (https://openrouter.ai/docs/features/provider-routing) and its ``max_price`` (the SDKs' MaxPrice).
BODY_KEYS = frozenset({"models", "provider"})
PROVIDER_KEYS = frozenset({"allow_fallbacks", "require_parameters", "data_collection", "zdr", "only", "ignore", "order",
                           "quantizations", "sort", "max_price"})
MAX_PRICE_KEYS = frozenset({"prompt", "completion"})

OpenRouterId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=200)]
ProviderSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9._/-]*$", max_length=100)]
Quantization = Literal["int4", "int8", "fp4", "fp6", "fp8", "fp16", "bf16", "fp32", "unknown"]


class OpenRouterOptions(TargetOptions):
    path: str = "targets/openrouter/presets.json"
    models: dict[str, OpenRouterId | Literal[""]] = Field(
        default_factory=dict,
        description="registry reference -> its OpenRouter id, over the built-in rules; \"\" leaves the model out")
    ids: list[OpenRouterId] = Field(
        default_factory=list,
        description="OpenRouter ids known besides regc's committed list (a newer catalog lists them; "
                    "`regc prices check --catalog openrouter` proves them)")
    missing: Literal["warn", "error"] = Field(
        default="warn", description="a chain model without an OpenRouter id: `warn` leaves it out (listed under left_out), `error` refuses")
    allow_fallbacks: StrictBool | None = Field(default=None, description="provider.allow_fallbacks: backup providers for a model")
    require_parameters: StrictBool | None = Field(
        default=None, description="provider.require_parameters: only providers that support every request parameter")
    data_collection: Literal["allow", "deny"] | None = Field(
        default=None, description="provider.data_collection: `deny` skips providers that may store data")
    zdr: StrictBool | None = Field(default=None, description="provider.zdr: only zero-data-retention endpoints")
    only: list[ProviderSlug] | None = Field(default=None, min_length=1, description="provider.only: the provider slugs allowed")
    ignore: list[ProviderSlug] | None = Field(default=None, min_length=1, description="provider.ignore: provider slugs skipped")
    order: list[ProviderSlug] | None = Field(default=None, min_length=1, description="provider.order: provider slugs tried first, in order")
    quantizations: list[Quantization] | None = Field(default=None, min_length=1,
                                                     description="provider.quantizations: the quantization levels allowed")
    sort: Literal["price", "throughput", "latency"] | None = Field(default=None, description="provider.sort")
    max_price: Literal["off", "chain"] = Field(
        default="off",
        description="`chain`: provider.max_price from the registry, the highest input and output price of the preset's models")
    max_price_headroom_percent: int = Field(default=0, ge=0, le=1000, description="added to the max_price that `chain` derives")

    def id_map(self) -> IdMap:
        return IdMap(dict(self.models), frozenset(self.ids))


class OpenRouterTarget(Target[OpenRouterOptions]):
    name = "openrouter"
    description = (
        "OpenRouter preset bodies: per chat alias `models` (its chain as OpenRouter ids) and the `provider` routing "
        "options, `max_price` from the registry's prices on request"
    )
    proven_by = (
        "every emitted id is in models.dev's `openrouter` provider (the snapshot in tests, a newer catalog with "
        "`regc prices check --catalog openrouter`); the mapping's rules and the emitted keys are pinned against OpenRouter's docs"
    )
    Options = OpenRouterOptions

    def render(self, registry: ResolvedRegistry, options: OpenRouterOptions) -> dict[str, bytes]:
        presets, left_out = build(registry, options)
        return {options.path: document(header(registry), "presets", presets, left_out)}


#: A preset body as it is written and sent: compact JSON, keys sorted, ASCII only.
encode = compact


def provider_settings(options: OpenRouterOptions) -> dict[str, object]:
    """The ``provider`` object the options give (without ``max_price``, which is per alias)."""
    settings: dict[str, object] = {}
    for key in ("allow_fallbacks", "require_parameters", "data_collection", "zdr", "sort"):
        if (value := getattr(options, key)) is not None:
            settings[key] = value
    for key in ("only", "ignore", "order", "quantizations"):
        if (value := getattr(options, key)) is not None:
            settings[key] = list(value)
    return settings


def build(registry: ResolvedRegistry, options: OpenRouterOptions) -> tuple[dict[str, str], dict[str, str]]:
    """Each alias's preset body and, per alias, the list of what was left out and why, both encoded as JSON.

    Each model is mapped once, and its id and its reason encoded once (``json.dumps``); each body is assembled from
    those parts around the options' constant ``provider`` object (a test checks the bytes equal ``encode`` of the
    whole body), each reason list likewise (``json.dumps`` of a list, the same separators).
    """
    ids = options.id_map()
    settings = provider_settings(options)
    constant_tail = "" if not settings else ',"provider":' + encode(settings)
    # (provider, model) -> (encoded id | None, why not as text and encoded, whether missing: not left out on purpose)
    mapped: dict[tuple[str | None, str], tuple[str | None, str, str, bool]] = {}
    kinds: dict[tuple[str | None, str], str | None] = {}  # a primary's kind, by reference
    kind_reasons: dict[str | None, str] = {}
    presets: dict[str, str] = {}
    left_out: dict[str, str] = {}
    errors: list[Diagnostic] = []
    for chain in registry.chains:  # every alias has one; the output is sorted by name, the errors by line
        name = chain.alias
        reasons = [_pending(entry.target) for entry in chain.pending] if chain.pending else []
        primary = (chain.primary.provider, chain.primary.model)
        if primary not in kinds:
            kinds[primary] = registry.kind(name)
        kind = kinds[primary]
        if kind not in SERVED_KINDS:
            if kind not in kind_reasons:
                kind_reasons[kind] = json.dumps(f"kind {kind}: OpenRouter presets serve chat aliases only")
            left_out[name] = "[" + ", ".join([kind_reasons[kind], *reasons]) + "]"
            continue
        models: list[str] = []
        used: list[ModelRef] = []
        missing: list[str] = []
        missing_text: list[str] = []
        for ref in (chain.primary, *chain.fallbacks):
            key = (ref.provider, ref.model)
            if key not in mapped:
                found, why = ids.lookup(ref)
                text = f"{ref}: {why}"
                mapped[key] = (None if found is None else json.dumps(found), text, json.dumps(text), str(ref) not in options.models)
            encoded, text, reason, is_missing = mapped[key]
            if encoded is None:
                if is_missing:
                    missing.append(reason)
                    missing_text.append(text)
                else:
                    reasons.append(reason)
            elif encoded not in models:  # two references with one OpenRouter id: the first place counts
                models.append(encoded)
                used.append(ref)
        if missing and options.missing == "error":
            errors.append(Diagnostic(registry.registry.path, registry.alias(name).pos.line, 1,
                                     f"alias `{name}`: no OpenRouter id for " + "; ".join(missing_text)
                                     + ". Map it in [tool.regc.targets.openrouter] models or ids, or set missing = \"warn\""))
            continue
        reasons.extend(missing)
        if not models:
            reasons.append(_NO_PRESET)
        else:
            tail = constant_tail
            if options.max_price == "chain":
                cap, unpriced = _max_price(registry, used, options.max_price_headroom_percent)
                reasons.extend(json.dumps(why) for why in unpriced)
                if cap:
                    tail = ',"provider":' + encode({**settings, "max_price": cap})
            presets[name] = '{"models":[' + ",".join(models) + "]" + tail + "}"
        if reasons:
            left_out[name] = "[" + ", ".join(reasons) + "]"
    if errors:
        raise InputError(sorted(errors, key=lambda error: error.line))
    return presets, left_out


_NO_PRESET = json.dumps("no model of its chain has an OpenRouter id: no preset")


@functools.lru_cache(maxsize=4096)
def _pending(target: str) -> str:
    """A pending alternative's reason, encoded (the same few names are pending in many aliases)."""
    return json.dumps(f"pending {target}: not routed yet")
_SIDES = (("prompt", "input"), ("completion", "output"))


def _max_price(registry: ResolvedRegistry, refs: list[ModelRef], headroom: int) -> tuple[dict[str, str], list[str]]:
    """``max_price`` over ``refs``: per side the highest registry price per 1M tokens (a range's upper end), raised by
    ``headroom`` percent; a side any model has no such price for is not capped (and said so)."""
    from regc.model import Price

    cap: dict[str, str] = {}
    unpriced: list[str] = []
    for side, field in _SIDES:
        highest: Decimal | None = None
        for ref in refs:
            model = registry.model(ref)
            price = getattr(model, field) if model is not None else None
            if not isinstance(price, Price) or price.unit != "mtok":
                unpriced.append(f"max_price.{side}: `{ref}` has no {field} price per 1M tokens, so no {side} cap")
                highest = None
                break
            highest = price.usd if highest is None else max(highest, price.usd)
        if highest is not None:
            cap[side] = decimal_text(highest * (100 + headroom) / 100)
    return cap, unpriced


def decimal_text(value: Decimal) -> str:
    """``Decimal('15.00')`` -> ``"15"``, ``Decimal('0.075')`` -> ``"0.075"``: no exponent, no trailing zeros."""
    text = f"{value.normalize():f}"
    return text
