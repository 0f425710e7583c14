"""The ``bifrost`` target: a Bifrost gateway ``config.json`` (providers, routing rules, prices).

Bifrost reads one JSON file in its file mode (``bifrost-http -app-dir DIR`` reads ``DIR/config.json``). This
target writes the parts of it the registry decides, every key one of Bifrost's published schema
(``transports/config.schema.json``; docs/targets/bifrost.md cites the source behind each field)::

    {"$schema": "https://www.getbifrost.ai/schema",
     "governance": {"routing_rules": [
        {"id": "regc-reasoning", "name": "reasoning", "cel_expression": "provider == \\"\\" && model == \\"reasoning\\"",
         "provider": "anthropic", "model": "claude-opus-4-7", "fallbacks": ["openai/gpt-5.5", ...], ...}]},
     "providers": {"openai": {"keys": [{"name": "regc-openai", "value": "env.OPENAI_API_KEY",
                                         "models": ["gpt-5.4", ...], "weight": 1}],
                              "network_config": {"base_url": "https://api.openai.com"},
                              "pricing_overrides": [{"model_pattern": "gpt-5.4", "match_type": "exact",
                                                     "input_cost_per_token": 2.5e-06, ...}]}}}

- One **routing rule per alias**, global scope: its CEL expression matches a request whose ``model`` is the alias
  with no provider prefix (Bifrost splits the requested model on its first ``/``; a bare alias leaves ``provider``
  empty). The alias is written as a CEL string literal in which every character but ``[A-Za-z0-9._-]`` is a
  ``\\u``/``\\U`` escape (``cel_string``), so no alias text can become CEL syntax. ``provider``/``model`` are the
  first model of the chain Bifrost can reach, ``fallbacks`` the rest, in registry order, each as Bifrost's
  ``"provider/model"`` string. An alias none of whose models Bifrost can reach keeps a rule with ``enabled: false``
  and no target; every rule's ``description`` carries the generated-file notice and what its chain left out (the
  schema allows no comment key at the top).
- **Providers**: one block per Bifrost provider the chains use (``PROVIDERS`` by name for providers of kind
  ``openai``, ``KINDS`` by kind for Azure, Bedrock, Vertex and vLLM: one row type, ``BifrostProvider``): a key per
  regc provider whose ``value`` is ``env.VAR`` (Bifrost reads the variable at start), whose ``models`` are the
  chains' models at that provider, with its kind's ``*_key_config`` block; ``network_config.base_url`` = ``api_base``
  less the path Bifrost appends itself. A provider Bifrost's schema does not name (deepseek, kimi, stability, one
  the configuration adds) is not reachable: its models are left out.
- **Prices**: per provider, one ``exact`` pricing override per model with a price in the Models table, in Bifrost's
  units: USD per token (the registry's per-MTok figure / 10^6), per image (an image model's per-image price is what a
  generated image costs: ``output_cost_per_image``), per second of input audio (a per-minute price / 60). A cell
  Bifrost has no field for (an output price per minute) is not written.

docs/targets/bifrost.md has the provider table, the price mapping and the Bifrost source behind each field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import localcontext
from typing import TYPE_CHECKING

from pydantic import Field

from regc.targets import Target, TargetOptions, header
from regc.targets._json import compact
from regc.targets._prices import MTOK, TOKEN_KEYS

if TYPE_CHECKING:
    from collections.abc import Callable

    from regc.model import Model, ModelRef, PriceCell
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry

#: The only value Bifrost's schema allows at ``$schema``.
SCHEMA_ID = "https://www.getbifrost.ai/schema"


@dataclass(frozen=True)
class BifrostProvider:
    """How Bifrost reaches one regc provider (a row of ``PROVIDERS`` or ``KINDS``)."""

    #: Bifrost's provider key (``providers.<name>``, and the ``provider/`` of a fallback).
    name: str
    #: What regc's ``api_base`` has beyond the URL Bifrost is given: Bifrost appends its own path
    #: (``/v1/chat/completions`` for openai, ``/chat/completions`` for perplexity, ``/models/…`` below gemini's
    #: ``/v1beta``), so that URL is ``api_base`` without this suffix (Azure: the resource's endpoint, as it is).
    #: None: ``api_base`` is not used (Bedrock and Vertex are reached at their region's endpoint).
    api_path: str | None
    #: The provider's keys: ``keys(regc provider, its table entry, its models)`` -> key objects. Azure, Bedrock,
    #: Vertex and vLLM keys carry a ``*_key_config`` block; the others are one plain key.
    keys: Callable[[str, Provider, list[str]], list[dict[str, object]]]
    #: Whether ``network_config.base_url`` is the provider's URL (else the URL, if any, is in each key).
    base_url: bool = True


def _plain_keys(name: str, entry: Provider, models: list[str]) -> list[dict[str, object]]:
    return [_key(name, entry, models)]


def _key(name: str, entry: Provider, models: list[str]) -> dict[str, object]:
    key: dict[str, object] = {"name": f"regc-{name}", "models": models, "weight": 1}
    if entry.api_key_env:
        key["value"] = f"env.{entry.api_key_env}"
    return key


def _azure_keys(name: str, entry: Provider, models: list[str]) -> list[dict[str, object]]:
    """Azure OpenAI: the model id is the deployment's name; ``api_base`` is the resource's endpoint."""
    config = {"endpoint": (entry.api_base or "").rstrip("/"), "api_version": entry.api_version or "",
              "deployments": {model: model for model in models}}
    return [{**_key(name, entry, models), "azure_key_config": config}]


def _bedrock_keys(name: str, entry: Provider, models: list[str]) -> list[dict[str, object]]:
    """AWS Bedrock: the region, and the AWS keys as ``env.`` references (none set: Bifrost's IAM role credentials)."""
    config: dict[str, object] = {"region": entry.aws_region_name or ""}
    for field, variable in (("access_key", entry.aws_access_key_id_env), ("secret_key", entry.aws_secret_access_key_env),
                            ("session_token", entry.aws_session_token_env)):
        if variable:
            config[field] = f"env.{variable}"
    return [{**_key(name, entry, models), "bedrock_key_config": config}]


def _vertex_keys(name: str, entry: Provider, models: list[str]) -> list[dict[str, object]]:
    """Vertex AI: project and region; no ``auth_credentials``, so Bifrost uses Google's default credentials (the
    service-account file ``GOOGLE_APPLICATION_CREDENTIALS`` names)."""
    config = {"project_id": entry.vertex_project or "", "region": entry.vertex_location or ""}
    return [{**_key(name, entry, models), "vertex_key_config": config}]


def _vllm_keys(name: str, entry: Provider, models: list[str]) -> list[dict[str, object]]:
    """vLLM: one key per model (Bifrost selects a vLLM key by its ``model_name``), each with the server's URL."""
    url = base_url(KINDS["vllm"], entry.api_base or "") or ""
    return [{**_key(f"{name}/{model}", entry, [model]), "vllm_key_config": {"url": url, "model_name": model}} for model in models]


#: regc provider -> Bifrost provider, for providers of kind ``openai`` (an OpenAI-compatible API at ``api_base``).
PROVIDERS: dict[str, BifrostProvider] = {
    "anthropic": BifrostProvider("anthropic", "/v1", _plain_keys),
    "google": BifrostProvider("gemini", "/openai", _plain_keys),
    "groq": BifrostProvider("groq", "/v1", _plain_keys),
    "mistral": BifrostProvider("mistral", "/v1", _plain_keys),
    "ollama": BifrostProvider("ollama", "/v1", _plain_keys),
    "openai": BifrostProvider("openai", "/v1", _plain_keys),
    "openrouter": BifrostProvider("openrouter", "/v1", _plain_keys),
    "perplexity": BifrostProvider("perplexity", "", _plain_keys),
    "xai": BifrostProvider("xai", "/v1", _plain_keys),
}
#: A provider's kind -> Bifrost provider, for every other kind, whatever the provider's name (``azure-eu``).
KINDS: dict[str, BifrostProvider] = {
    "azure": BifrostProvider("azure", "", _azure_keys, base_url=False),
    "bedrock": BifrostProvider("bedrock", None, _bedrock_keys, base_url=False),
    "vertex": BifrostProvider("vertex", None, _vertex_keys, base_url=False),
    "vllm": BifrostProvider("vllm", "/v1", _vllm_keys, base_url=False),
}


def bifrost_provider(name: str, entry: Provider) -> BifrostProvider | None:
    """The Bifrost provider that serves regc provider ``name`` (None: none does)."""
    return PROVIDERS.get(name) if entry.kind == "openai" else KINDS.get(entry.kind)


#: Every key this target writes, per object (each is in Bifrost's schema; tests/test_bifrost.py checks it there).
ALLOWED_KEYS = {
    "config": frozenset({"$schema", "governance", "providers"}),
    "governance": frozenset({"routing_rules"}),
    "routing_rule": frozenset({"id", "name", "description", "enabled", "cel_expression", "provider", "model", "fallbacks",
                               "scope", "priority"}),
    "provider": frozenset({"keys", "network_config", "pricing_overrides"}),
    "key": frozenset({"name", "value", "models", "weight", "azure_key_config", "bedrock_key_config", "vertex_key_config",
                      "vllm_key_config"}),
    "azure_key_config": frozenset({"endpoint", "api_version", "deployments"}),
    "bedrock_key_config": frozenset({"region", "access_key", "secret_key", "session_token"}),
    "vertex_key_config": frozenset({"project_id", "region"}),
    "vllm_key_config": frozenset({"url", "model_name"}),
    "network_config": frozenset({"base_url", "default_request_timeout_in_seconds", "max_retries"}),
    "pricing_override": frozenset({"model_pattern", "match_type", "input_cost_per_token", "output_cost_per_token",
                                   "cache_read_input_token_cost", "cache_creation_input_token_cost", "input_cost_per_image",
                                   "output_cost_per_image", "input_cost_per_audio_per_second"}),
}

#: A JSON string literal, ASCII only (the C encoder json.dumps uses).
_text: Callable[[str], str] = json.encoder.encode_basestring_ascii

#: The CEL literal's characters written as themselves; every other one is an escape.
_PLAIN = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")


class BifrostOptions(TargetOptions):
    path: str = "targets/bifrost/config.json"
    priority: int = Field(default=0, ge=-1_000_000, le=1_000_000,
                          description="priority of regc's routing rules in the global scope (lower is evaluated first)")
    request_timeout_seconds: int | None = Field(default=None, ge=1, le=86_400,
                                                description="network_config.default_request_timeout_in_seconds of every provider")
    max_retries: int | None = Field(default=None, ge=0, le=10,
                                    description="network_config.max_retries of every provider (retries of one provider before a fallback)")
    prices: bool = Field(default=True, description="write the Models table's prices as each provider's pricing_overrides")


class BifrostTarget(Target[BifrostOptions]):
    name = "bifrost"
    description = (
        "Bifrost gateway `config.json`: per alias a routing rule (a CEL match on the requested model, the primary, "
        "the fallbacks as `provider/model`), the providers with `env.` keys, base URLs and the chains' models, "
        "and the registry's prices as `pricing_overrides`"
    )
    proven_by = (
        "Bifrost's published JSON Schema (Draft 2019-09) with unknown keys refused in every object regc writes; each "
        "rule's CEL expression compiled in Bifrost's routing variables and evaluated against hostile aliases; fallback form, "
        "CEL variables and pricing units pinned to Bifrost's source (docs/targets/bifrost.md)"
    )
    Options = BifrostOptions

    def render(self, registry: ResolvedRegistry, options: BifrostOptions) -> dict[str, bytes]:
        rules, providers = build(registry, options)
        lines = ['{\n  "$schema": ', json.dumps(SCHEMA_ID), ',\n  "governance": {\n    "routing_rules": ']
        lines.append(_list(rules, "      ", "    "))
        lines.append('\n  },\n  "providers": ')
        if providers:
            blocks = [f'    {json.dumps(name)}: {block}' for name, block in sorted(providers.items())]
            lines.append("{\n" + ",\n".join(blocks) + "\n  }")
        else:
            lines.append("{}")
        lines.append("\n}\n")
        return {options.path: "".join(lines).encode("ascii")}

    def environment(self, registry: ResolvedRegistry, options: BifrostOptions) -> dict[str, list[str]]:
        """The variables Bifrost reads for the keys: each ``env.`` reference (an unset one is an error when Bifrost loads
        the file), and for Vertex the service-account file Google's default credentials read."""
        table = options.providers()
        needed: dict[str, list[str]] = {}
        for name in sorted({ref.provider or "" for chain in registry.chains for ref in chain.models}):
            reached = _reach(name, table.get(name))
            if isinstance(reached, _Reached):
                for variable, what in reached.entry.environment().items():
                    needed.setdefault(variable, []).append(f"Bifrost provider {reached.bifrost.name!r} ({name}: {what})")
        return needed


def _list(items: list[str], indent: str, closing: str) -> str:
    """A JSON array of already-encoded items, one a line."""
    if not items:
        return "[]"
    return "[\n" + ",\n".join(indent + item for item in items) + "\n" + closing + "]"


def cel_string(text: str) -> str:
    """``text`` as a CEL string literal: letters, digits, ``.``, ``_`` and ``-`` as themselves, every other character
    a ``\\uXXXX`` or ``\\UXXXXXXXX`` escape (CEL's own escapes), so no text can end the literal or change the expression.
    A lone surrogate has no CEL escape: ``ValueError``."""
    if _PLAIN.issuperset(text):
        return f'"{text}"'
    out = ['"']
    for char in text:
        if char in _PLAIN:
            out.append(char)
            continue
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"{text!r}: a lone surrogate cannot be written in a CEL string")
        out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
    out.append('"')
    return "".join(out)


def cel_expression(alias: str) -> str:
    """The routing rule's match: the client asked for ``alias`` itself (no ``provider/`` prefix)."""
    return f'provider == "" && model == {cel_string(alias)}'


def base_url(provider: BifrostProvider, api_base: str) -> str | None:
    """The URL Bifrost is given for a provider reached at ``api_base``; None when ``api_base`` does not end in the path
    Bifrost appends (Bifrost would call another URL than the registry's)."""
    base = api_base.rstrip("/")
    if not provider.api_path:
        return base
    return base.removesuffix(provider.api_path) if base.endswith(provider.api_path) else None


@dataclass(frozen=True)
class _Reached:
    """A regc provider as Bifrost reaches it."""

    bifrost: BifrostProvider
    entry: Provider
    url: str | None  # network_config.base_url, for a provider whose URL is not in its keys


def _reach(name: str, entry: Provider | None) -> _Reached | str:
    """How Bifrost reaches provider ``name``, or why it cannot."""
    if entry is None:
        return f"provider {name!r} is not in the provider table"
    bifrost = bifrost_provider(name, entry)
    if bifrost is None:
        return f"Bifrost has no provider {name!r}" if entry.kind == "openai" else f"Bifrost has no provider of kind {entry.kind!r}"
    if problems := entry.problems():
        return f"provider {name!r} {problems[0][1]}"
    if bifrost.api_path is None:
        if entry.api_base is not None:
            return f"provider {name!r}: Bifrost's {bifrost.name} provider calls the region's endpoint, not an api_base"
        if entry.kind == "vertex" and entry.vertex_credentials_env not in {None, "GOOGLE_APPLICATION_CREDENTIALS"}:
            return (f"provider {name!r}: Bifrost's vertex key reads Google's default credentials (GOOGLE_APPLICATION_CREDENTIALS), "
                    f"not {entry.vertex_credentials_env}")
        return _Reached(bifrost, entry, None)
    if entry.api_base is None:
        return f"provider {name!r} has no api_base"
    url = base_url(bifrost, entry.api_base)
    if url is None:
        return (f"provider {name!r}: api_base {entry.api_base} does not end in {bifrost.api_path} "
                f"(Bifrost's {bifrost.name} provider appends its own path)")
    return _Reached(bifrost, entry, url if bifrost.base_url else None)


def build(registry: ResolvedRegistry, options: BifrostOptions) -> tuple[list[str], dict[str, str]]:
    """The encoded routing rules (one per alias, in registry order) and each Bifrost provider's encoded block.

    A rule is assembled from encoded parts, its keys in sorted order: the bytes ``json.dumps(rule, sort_keys=True)``
    gives (a test checks it), without building a dict and encoding it per alias. Each model is looked up and
    encoded once (JSON string escapes concatenate: the escape of ``a + b`` is the escape of ``a``, then of ``b``).
    """
    table = options.providers()
    reach: dict[str, _Reached | str] = {}
    used: dict[str, dict[str, ModelRef]] = {}  # regc provider -> model id -> ref, for keys and prices
    # (provider, model) -> (Bifrost provider, model id, fallback item) encoded, or why Bifrost cannot reach it
    seen: dict[tuple[str | None, str], tuple[str, str, str] | str] = {}
    notice = _inner(header(registry))
    tail = f',"priority":{options.priority:d},'
    rules: list[str] = []
    for alias in registry.aliases:
        chain = registry.resolve(alias.name)
        notes = [_inner(f"pending {entry.target}: not routed yet") for entry in chain.pending] if chain.pending else []
        targets: list[tuple[str, str, str]] = []
        for ref in chain.models:
            key = (ref.provider, ref.model)
            hit = seen.get(key)
            if hit is None:
                name = ref.provider or ""
                found = reach.get(name)
                if found is None:
                    found = reach[name] = _reach(name, table.get(name))
                if isinstance(found, str):
                    hit = _inner(f"{ref} ({found})")
                else:
                    hit = (_text(found.bifrost.name), _text(ref.model), _text(f"{found.bifrost.name}/{ref.model}"))
                    used.setdefault(name, {})[ref.model] = ref
                seen[key] = hit
            if isinstance(hit, str):
                notes.append(hit)
            else:
                targets.append(hit)
        if not targets:
            notes.append("no model of its chain can be reached: the rule is disabled")
        name = _inner(alias.name)
        title = ": " + _inner(alias.title) if alias.title else ""
        left_out = " Left out: " + "; ".join(notes) + "." if notes else ""
        head = (f'{{"cel_expression":{_text(cel_expression(alias.name))},'
                f'"description":"{notice} Alias `{name}`{title}.{left_out}",')
        middle = f'"id":"regc-{name}",'
        if targets:
            fallbacks = ",".join(target[2] for target in targets[1:])
            rules.append(f'{head}"enabled":true,"fallbacks":[{fallbacks}],{middle}"model":{targets[0][1]},"name":"{name}"'
                         f'{tail}"provider":{targets[0][0]},"scope":"global"}}')
        else:
            rules.append(f'{head}"enabled":false,{middle}"name":"{name}"{tail}"scope":"global"}}')
    return rules, _provider_blocks(reach, used, registry, options)


def _inner(text: str) -> str:
    """``text`` JSON-escaped, without the quotes (to be concatenated inside a string literal)."""
    return _text(text)[1:-1]


def _provider_blocks(reach: dict[str, _Reached | str], used: dict[str, dict[str, ModelRef]], registry: ResolvedRegistry,
                     options: BifrostOptions) -> dict[str, str]:
    """Each Bifrost provider's block: the keys of every regc provider it serves (in name order), its network settings
    and one pricing override per priced model (a model id two of them share is priced as the first one says)."""
    keys: dict[str, list[str]] = {}
    networks: dict[str, dict[str, object]] = {}
    overrides: dict[str, dict[str, str]] = {}
    for name in sorted(used):
        reached = reach[name]
        assert isinstance(reached, _Reached)  # only reached providers' models are used
        refs = used[name]
        target = reached.bifrost.name
        keys.setdefault(target, []).extend(compact(key) for key in reached.bifrost.keys(name, reached.entry, sorted(refs)))
        network = networks.setdefault(target, {})
        if reached.url is not None:
            network["base_url"] = reached.url
        if options.request_timeout_seconds is not None:
            network["default_request_timeout_in_seconds"] = options.request_timeout_seconds
        if options.max_retries is not None:
            network["max_retries"] = options.max_retries
        if options.prices:
            priced = overrides.setdefault(target, {})
            for model in sorted(refs):
                if model not in priced and (override := pricing_override(model, registry.model(refs[model]))) is not None:
                    priced[model] = compact(override)
    blocks: dict[str, str] = {}
    for target, encoded in keys.items():
        parts = ['      "keys": ' + _list(encoded, "        ", "      ")]
        if networks[target]:
            parts.append(f'      "network_config": {compact(networks[target])}')
        if written := overrides.get(target):
            parts.append('      "pricing_overrides": ' + _list([written[model] for model in sorted(written)], "        ", "      "))
        blocks[target] = "{\n" + ",\n".join(parts) + "\n    }"
    return blocks


def pricing_override(model_id: str, model: Model | None) -> dict[str, object] | None:
    """The Models-table row's prices as one ``exact`` Bifrost pricing override for ``model_id``; None without a price."""
    if model is None:
        return None
    # Bifrost prices a generated image by output_cost_per_image (input_cost_per_image is per image sent in); the
    # registry writes an image model's price per generated image in its Input column.
    generated = model.kind == "image" and not _per_image(model.output)
    prices: dict[str, object] = {}
    for column in ("input", "output", "cache_read", "cache_write"):
        found = _price(column, getattr(model, column), generated)
        if found is not None:
            prices[found[0]] = found[1]
    if not prices:
        return None
    return {"model_pattern": model_id, "match_type": "exact", **prices}


def _per_image(price: PriceCell) -> bool:
    return price is not None and not isinstance(price, str) and price.unit == "image"


def _price(column: str, price: PriceCell, generated: bool) -> tuple[str, float] | None:
    """Bifrost's pricing field and value for one price cell (its units: USD per token, per image, per audio second)."""
    if price is None or isinstance(price, str):
        return None
    with localcontext() as ctx:
        ctx.prec = 28
        if price.unit == "mtok":
            return TOKEN_KEYS[column], float(price.usd / MTOK)
        if price.unit == "image" and column in {"input", "output"}:
            return ("output" if generated else column) + "_cost_per_image", float(price.usd)
        if price.unit in {"minute", "second"} and column == "input":
            return "input_cost_per_audio_per_second", float(price.usd / 60 if price.unit == "minute" else price.usd)
    return None  # a cache price per image or minute, an output price per minute: Bifrost has no field for it
