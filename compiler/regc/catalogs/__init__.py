"""Public model catalogs: LiteLLM's cost map and models.dev, read as data and matched exactly.

``load_catalog("litellm" | "models.dev" | PATH, root=...)`` reads one catalog and
returns a ``Catalog``: ``catalog.lookup(ref, provider)`` gives what the catalog
says about one registry model (its ``Facts``: prices, context window,
deprecation), found under the exact key the provider mapping gives (see
``regc.providers``: ``kimi/kimi-k2.6`` is LiteLLM's ``moonshot/kimi-k2.6`` and
models.dev's ``moonshotai``/``kimi-k2.6``; OpenAI and Anthropic keys are bare in
LiteLLM). A near match is never a match: ``catalog.hints`` only suggests.

Entries are kept as the plain dicts ``json`` gives (10k of them load in tens of
milliseconds); only the entries a registry names are turned into ``Facts``.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from regc.errors import Diagnostic, InputError
from regc.parse.cells import MAX_PRICE, MAX_PRICE_DECIMALS

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping
    from decimal import Decimal

    from regc.model import ModelRef
    from regc.providers import Provider

#: The catalogs regc knows by name; anything else given as ``--catalog`` is a path.
NAMES = ("litellm", "models.dev")
#: The environment variable naming a copy of models.dev's catalog (``https://models.dev/api.json``).
MODELS_DEV_ENV = "REGC_MODELS_DEV"
#: Where this project keeps reference copies of both catalogs (named in error messages).
REFERENCE_LITELLM = "../shared/reference/catalogs/litellm_model_prices_and_context_window.json"
REFERENCE_MODELS_DEV = "../shared/reference/catalogs/modelsdev_models.json"
#: The file inside an installed litellm package that holds its cost map.
LITELLM_FILE = "model_prices_and_context_window_backup.json"

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
        import difflib

        found: list[str] = []
        close = difflib.get_close_matches(ref.model, self.model_ids(provider), n=1, cutoff=0.8)
        if close:
            found.append(f"did you mean `{ref.provider}/{close[0]}`?")
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

    def entry_error(self, key: str, message: str, search: str | None = None) -> InputError:
        """An input error about entry ``key``, at the line where ``search`` (default ``key``) is written (found on demand)."""
        from regc.catalogs._read import line_of_key

        line = line_of_key(self.text, search or key)
        return InputError([Diagnostic(self.display, line, 1, f"catalog entry {key!r}: {message}")])


def load_catalog(spec: str, *, root: Path | None = None, where: Diagnostic | None = None) -> Catalog:
    """Read the catalog ``spec`` names: ``litellm`` (the installed package's cost map), ``models.dev``
    (the file ``$REGC_MODELS_DEV`` names), or a path (relative to ``root``, default the working directory).

    ``where`` is the place that named the catalog (the policy's ``catalog:`` line), for errors that
    are about the name rather than the file. Every problem is an ``InputError`` (exit 2).
    """
    from regc.catalogs._read import read_json, sniff

    if spec == "litellm":
        path, version = litellm_path(where)
        display = str(path)
        kind = "litellm"
    elif spec == "models.dev":
        path, version = models_dev_path(where), None
        display = str(path)
        kind = "models.dev"
    else:
        path = Path(spec)
        if not path.is_absolute():
            path = (root or Path.cwd()) / path
        display, version, kind = spec, None, ""
        if not path.exists():
            raise _name_error(where, f"no catalog file {spec!r}; name `litellm`, `models.dev`, or an existing file"
                                     + (f" (relative to {root})" if root is not None and not Path(spec).is_absolute() else ""))
    text, data = read_json(path, display)
    found = sniff(data, display)
    if kind and found != kind:
        raise InputError.at(display, 1, f"this file is not {_title(kind)}'s catalog (it looks like {_title(found)}'s)")
    if found == "litellm":
        from regc.catalogs.litellm import LiteLLMCatalog

        return LiteLLMCatalog(display, text, data, version)
    from regc.catalogs.modelsdev import ModelsDevCatalog

    return ModelsDevCatalog(display, text, data, version)


def _title(kind: str) -> str:
    return "LiteLLM" if kind == "litellm" else "models.dev"


def _name_error(where: Diagnostic | None, message: str) -> InputError:
    if where is not None:
        return InputError([dataclasses.replace(where, message=f"{where.message}{message}")])
    return InputError.at("--catalog", 1, message)


def litellm_path(where: Diagnostic | None = None) -> tuple[Path, str | None]:
    """The cost map inside the installed litellm package, and litellm's version, without importing litellm.

    (``import litellm`` is slow and fetches a fresh cost map from the network unless told not to;
    ``find_spec`` only locates the package.)
    """
    import importlib.util

    try:
        spec = importlib.util.find_spec("litellm")
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / LITELLM_FILE
        if candidate.is_file():
            return candidate, _version("litellm")
    why = "the litellm package is not installed here" if not locations else f"the installed litellm has no {LITELLM_FILE}"
    raise _name_error(where, f"catalog `litellm`: {why}; install it (pip install litellm) or pass --catalog PATH "
                             f"to a copy of LiteLLM's cost map (model_prices_and_context_window.json; this project keeps "
                             f"one at {REFERENCE_LITELLM})")


def models_dev_path(where: Diagnostic | None = None) -> Path:
    """The models.dev catalog named by ``$REGC_MODELS_DEV`` (regc fetches nothing from the network)."""
    value = os.environ.get(MODELS_DEV_ENV)
    if value:
        return Path(value)
    raise _name_error(where, f"catalog `models.dev`: set {MODELS_DEV_ENV} to a copy of https://models.dev/api.json "
                             f"or pass --catalog PATH (this project keeps one at {REFERENCE_MODELS_DEV})")


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


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


def provider_table(table: Mapping[str, Provider]) -> str:
    """The provider mapping as a markdown table (README's, kept current by a test): the key each catalog is searched under."""
    rows = ["| registry provider | LiteLLM cost-map key | models.dev provider |", "|---|---|---|"]
    for name, provider in sorted(table.items()):
        if provider.local:
            rows.append(f"| `{name}` | not looked up (local) | not looked up (local) |")
            continue
        if provider.litellm is None:
            litellm = "none (not covered)"
        elif provider.litellm_catalog_bare:
            litellm = f"`MODEL` (bare; `litellm_provider` `{provider.litellm}`), else `{provider.litellm}/MODEL`"
        else:
            litellm = f"`{provider.litellm}/MODEL`"
        modelsdev = f"`{provider.modelsdev}`" if provider.modelsdev else "none (not covered)"
        rows.append(f"| `{name}` | {litellm} | {modelsdev} |")
    return "\n".join(rows) + "\n"
