"""The ``json`` target: the resolved registry for agents and other tools.

Agents that choose a backend read this file instead of parsing markdown. It
holds every alias with its resolved chain (primary first, then fallbacks in
order), its pending alternatives and rationale, and every model with kind,
prices, context window and lifecycle. It validates against
``schema/resolved-registry.schema.json`` (generated from ``Document``).

Source positions are left out on purpose: a prose edit in registry.md must
not change this artifact.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # the C function json.dumps(ensure_ascii=False) uses
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from regc.escape import json_text
from regc.targets import Target, TargetOptions, header

if TYPE_CHECKING:
    from regc.model import Model, PriceCell
    from regc.model.resolve import ResolvedRegistry


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PendingOut(_Out):
    entry: str = Field(description="the model or alias the alternative names")
    note: str | None = Field(description="its note, e.g. 'when key added'")


class RationaleOut(_Out):
    key: str
    text: str


_LIFECYCLE = ("deprecated", "sunset", "replacement")


def _lifecycle_schema(schema: dict[str, Any]) -> None:
    """The three lifecycle fields are written together or not at all (an alias that is not deprecated has none of
    them, so that a registry without deprecations writes what it wrote before they existed); never null."""
    properties = schema["properties"]
    properties["deprecated"] = {"const": True, "description": properties["deprecated"]["description"]}
    properties["sunset"] = {"type": "string", "format": "date", "description": properties["sunset"]["description"]}
    properties["replacement"] = {"type": "string", "description": properties["replacement"]["description"]}
    schema["dependentRequired"] = {name: [other for other in _LIFECYCLE if other != name] for name in _LIFECYCLE}


class AliasOut(_Out):
    model_config = ConfigDict(extra="forbid", json_schema_extra=_lifecycle_schema)

    title: str
    section: Literal["use-case", "legacy"]
    kind: str | None = Field(description="what the alias serves: its primary model's kind")
    primary: str
    fallbacks: list[str] = Field(description="routable fallbacks, in order")
    via: list[str] = Field(description="aliases followed to reach the primary (a legacy alias naming another alias)")
    pending: list[PendingOut] = Field(description="listed alternatives that are not routed to yet")
    notes: list[str] = Field(description="alternatives that are not model references, and legacy notes")
    rationale: list[RationaleOut]
    deprecated: bool | None = Field(default=None, description="present (true) only when the alias is deprecated")
    sunset: str | None = Field(default=None, description="YYYY-MM-DD: from this day the alias may be removed")
    replacement: str | None = Field(default=None, description="the alias clients move to")


class PriceOut(_Out):
    usd: float
    low: float | None = Field(default=None, description="lower bound when the registry gives a range (an estimate)")
    unit: Literal["mtok", "image", "minute", "second"] = Field(description="mtok = per 1M tokens")


class LifecycleOut(_Out):
    state: Literal["active", "unknown", "deprecated", "retired"]
    date: str | None = None
    replacement: str | None = None


class ModelOut(_Out):
    provider: str | None
    kind: str | None
    dimensions: int | None = None
    input: PriceOut | Literal["n/a"] | None
    output: PriceOut | Literal["n/a"] | None
    cache_read: PriceOut | Literal["n/a"] | None
    cache_write: PriceOut | Literal["n/a"] | None
    context: int | None
    status: LifecycleOut
    source: str | None


class Document(_Out):
    """The resolved registry, as regc's json target writes it."""

    comment: str = Field(alias="$comment")
    reviewed: str | None
    aliases: dict[str, AliasOut]
    models: dict[str, ModelOut]


class JsonOptions(TargetOptions):
    path: str = "targets/json/registry.json"
    indent: int = Field(default=2, ge=0, le=8)


class JsonTarget(Target[JsonOptions]):
    name = "json"
    description = (
        "the resolved registry for agents: every alias with its chain, pending alternatives and rationale; "
        "every model with kind, prices, context, lifecycle"
    )
    proven_by = "validated against `schema/resolved-registry.schema.json`"
    Options = JsonOptions

    def render(self, registry: ResolvedRegistry, options: JsonOptions) -> dict[str, bytes]:
        document = {
            "$comment": header(registry),
            "reviewed": registry.registry.reviewed.isoformat() if registry.registry.reviewed else None,
            "aliases": {alias.name: alias_document(registry, alias.name) for alias in registry.aliases},
            "models": {str(model.ref): model_document(model) for model in registry.models},
        }
        text = json_text(dumps(document, options.indent))
        return {options.path: (text + "\n").encode("utf-8")}


def dumps(value: object, indent: int) -> str:
    """``json.dumps(value, indent=indent or None, sort_keys=True, ensure_ascii=False)``, byte for byte, faster.

    With an indent, the standard library encodes through its pure-Python generators (its C
    encoder takes no indent before Python 3.14): 60% of this target's time on a 10,000-alias
    registry. This writes the same text in one recursive pass over the few types a document
    holds (dicts with string keys, lists, strings, numbers, booleans, None); anything else is
    a ``TypeError``, as in ``json.dumps``. ``tests/test_yaml_targets.py`` compares the two on
    generated documents.
    """
    if not indent:
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    out: list[str] = []
    _encode(value, out, "\n", " " * indent)
    return "".join(out)


def _encode(value: object, out: list[str], newline: str, unit: str) -> None:
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        inner, opener = newline + unit, "{"
        for key in sorted(value):
            if not isinstance(key, str):
                raise TypeError(f"keys must be str, not {type(key).__name__}")
            out += (opener, inner, encode_basestring(key), ": ")
            _encode(value[key], out, inner, unit)
            opener = ","
        out += (newline, "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        inner, opener = newline + unit, "["
        for item in value:
            out += (opener, inner)
            _encode(item, out, inner, unit)
            opener = ","
        out += (newline, "]")
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        out.append(_float(value))
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _float(value: float) -> str:
    if math.isfinite(value):
        return float.__repr__(value)
    return "NaN" if math.isnan(value) else "Infinity" if value > 0 else "-Infinity"


def alias_document(registry: ResolvedRegistry, name: str) -> dict[str, object]:
    """One alias as this target writes it; declarative lint rules validate the same shape."""
    alias = registry.alias(name)
    chain = registry.resolve(name)
    notes = [entry.text for entry in chain.unroutable]  # bare names and prose, as written
    if alias.notes:
        notes.append(alias.notes)
    document: dict[str, object] = {
        "title": alias.title,
        "section": alias.section,
        "kind": registry.kind(name),
        "primary": str(chain.primary),
        "fallbacks": [str(ref) for ref in chain.fallbacks],
        "via": list(chain.via),
        "pending": [{"entry": entry.target, "note": entry.note} for entry in chain.pending],
        "notes": notes,
        "rationale": [{"key": r.key, "text": r.text} for r in alias.rationale],
    }
    if alias.deprecated is not None:
        document.update(deprecated=True, sunset=alias.deprecated.sunset.isoformat(), replacement=alias.deprecated.replacement)
    return document


def model_document(model: Model) -> dict[str, object]:
    """One Models row as this target writes it; declarative lint rules validate the same shape."""
    return {
        "provider": model.ref.provider,
        "kind": model.kind,
        "dimensions": model.dimensions,
        "input": _price(model.input),
        "output": _price(model.output),
        "cache_read": _price(model.cache_read),
        "cache_write": _price(model.cache_write),
        "context": model.context,
        "status": {
            "state": model.status.state,
            "date": model.status.date.isoformat() if model.status.date else None,
            "replacement": model.status.replacement,
        },
        "source": model.source,
    }


def _price(price: PriceCell) -> object:
    if price is None or isinstance(price, str):
        return price
    # float() of a Decimal keeps the written digits ("0.14" -> 0.14); JSON has no decimals.
    out: dict[str, object] = {"usd": float(price.usd), "unit": price.unit}
    if price.low is not None:
        out["low"] = float(price.low)
    return out
