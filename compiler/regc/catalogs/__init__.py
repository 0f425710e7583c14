"""Public model catalogs: LiteLLM's cost map and models.dev, read as data and matched exactly.

``load_catalog("litellm" | "models.dev" | PATH, root=...)`` reads one catalog and
returns a ``Catalog``: ``catalog.lookup(ref, provider)`` gives what the catalog
says about one registry model (its ``Facts``: prices, context window,
deprecation), found under the exact key the provider mapping gives (see
``regc.model.providers``: ``kimi/kimi-k2.6`` is LiteLLM's ``moonshot/kimi-k2.6`` and
models.dev's ``moonshotai``/``kimi-k2.6``; OpenAI and Anthropic keys are bare in
LiteLLM). A near match is never a match: ``catalog.hints`` only suggests.

Entries are kept as the plain dicts ``json`` gives (10k of them load in tens of
milliseconds); only the entries a registry names are turned into ``Facts``.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import TYPE_CHECKING

from regc.catalogs.base import (
    FIELDS,
    MAX_PRICE_USD,
    MAX_TOKENS,
    MIN_PRICE_USD,
    Catalog,
    Facts,
    Field,
    Lookup,
    Unit,
    decimal_of,
    price_out_of_range,
    price_range_text,
    tokens_of,
)
from regc.errors import Diagnostic, InputError, RegcError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from regc.model import ModelRef
    from regc.model.providers import Provider

# The catalog contract lives in regc.catalogs.base (which the catalog modules import); it is re-exported here.
__all__ = [
    "FIELDS", "LITELLM_FILE", "MAX_PRICE_USD", "MAX_TOKENS", "MIN_PRICE_USD", "MODELS_DEV_ENV", "NAMES", "Catalog", "Facts", "Field",
    "Lookup", "Unit", "decimal_of", "litellm_path", "load_catalog", "models_dev_path", "price_out_of_range", "price_range_text",
    "provider_table", "tokens_of",
]

#: The catalogs regc knows by name; anything else given as ``--catalog`` is a path. ``openrouter`` is OpenRouter's
#: rows of models.dev's catalog (``regc.catalogs.openrouter``).
NAMES = ("litellm", "models.dev", "openrouter")
#: The environment variable naming a copy of models.dev's catalog (``https://models.dev/api.json``).
MODELS_DEV_ENV = "REGC_MODELS_DEV"
#: The file inside an installed litellm package that holds its cost map.
LITELLM_FILE = "model_prices_and_context_window_backup.json"

def load_catalog(spec: str, *, root: Path | None = None, where: Diagnostic | None = None,
                 openrouter: Callable[[ModelRef], str | None] | None = None) -> Catalog:
    """Read the catalog ``spec`` names: ``litellm`` (the installed package's cost map), ``models.dev``
    (the file ``$REGC_MODELS_DEV`` names), ``openrouter`` (OpenRouter's rows of that file, each model looked up
    under the id the callable ``openrouter`` gives it: the openrouter target's mapping), or a path (relative to
    ``root``, default the working directory).

    ``where`` is the place that named the catalog (the policy's ``catalog:`` line), for errors that
    are about the name rather than the file. Every problem is an ``InputError`` (exit 2).
    """
    from regc.catalogs._read import read_json, sniff

    if spec == "litellm":
        path, version = litellm_path(where)
        display = str(path)
        kind = "litellm"
    elif spec in {"models.dev", "openrouter"}:
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
    if spec == "openrouter":
        from regc.catalogs.openrouter import OpenRouterCatalog

        return OpenRouterCatalog(display, text, data, version, openrouter)
    from regc.catalogs.modelsdev import ModelsDevCatalog

    return ModelsDevCatalog(display, text, data, version)


def _title(kind: str) -> str:
    return "LiteLLM" if kind == "litellm" else "models.dev"


def _name_error(where: Diagnostic | None, message: str) -> RegcError:
    """At the policy's ``catalog:`` line when the catalog was named there; else (``--catalog NAME``) no file position."""
    if where is not None:
        return InputError([dataclasses.replace(where, message=f"{where.message}{message}")])
    return UsageError(message)


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
    from regc.about import INSTALL_SOURCE

    raise _name_error(where, f"catalog `litellm`: {why}; install it beside regc "
                             f"(`pip install \"regc[litellm] @ {INSTALL_SOURCE}\"`), or pass "
                             "--catalog PATH to a copy of LiteLLM's cost map (model_prices_and_context_window.json from "
                             "https://github.com/BerriAI/litellm)")


def models_dev_path(where: Diagnostic | None = None) -> Path:
    """The models.dev catalog named by ``$REGC_MODELS_DEV`` (regc fetches nothing from the network)."""
    value = os.environ.get(MODELS_DEV_ENV)
    if value:
        return Path(value)
    raise _name_error(where, f"catalog `models.dev`: set {MODELS_DEV_ENV} to a copy of https://models.dev/api.json "
                             "or pass --catalog PATH to such a copy")


def _version(distribution: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def provider_table(table: Mapping[str, Provider]) -> str:
    """The provider mapping as a markdown table (README's, kept current by a test): the key each catalog is searched under."""
    rows = ["| registry provider | LiteLLM cost-map key | models.dev provider |", "|---|---|---|"]
    for name, provider in sorted(table.items()):
        if provider.kind != "openai":
            continue  # never looked up (``Catalog.lookup``): docs/providers.md says so for each kind
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
