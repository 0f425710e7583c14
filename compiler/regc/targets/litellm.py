"""The ``litellm`` target: a LiteLLM proxy ``config.yaml``.

Clients ask the proxy for an alias (``model: reasoning``) and get its chain:

- ``model_list`` has one entry per alias whose ``model_name`` is the alias and
  whose ``litellm_params.model`` is the alias's primary (``anthropic/claude-opus-4-7``;
  the provider as LiteLLM names it: ``kimi`` is ``moonshot``, ``google`` is ``gemini``),
  and one entry per fallback model in a group of its own, named by the
  registry's reference (``openai/gpt-5.5``). A reference always has a ``/`` and
  an alias never does, so the two cannot collide. One entry per group: several
  entries with the same ``model_name`` would load-balance, not fall back.
- ``router_settings.fallbacks`` gives each alias one flat list of those groups,
  in registry order. Flat, because LiteLLM follows a fallback group's own
  fallbacks (a nested chain would reorder them); fallback groups have none.
  Fallbacks anywhere else in the file are silently ignored by LiteLLM.
  ``num_retries`` (option, default 0) is how often LiteLLM retries the same
  model before moving on: 0 means a failing model is left at once for the next
  in the chain, as the ``envoy`` target does (one attempt per priority).
- ``model_info`` carries the registry's prices per token (``input_cost_per_token``
  is the $/MTok figure / 1,000,000, written as an exact decimal), cache prices,
  ``max_input_tokens``, and ``mode`` for embedding, transcription, image and
  speech models (``output_vector_size`` for embeddings). A per-image price is
  ``input_cost_per_image``; a per-minute price becomes ``input_cost_per_second``
  (the figure / 60, to 15 significant digits). Local models cost ``0.0``.
- API keys appear only as ``os.environ/ANTHROPIC_API_KEY`` references and the
  proxy's own key as ``general_settings.master_key: os.environ/LITELLM_MASTER_KEY``.
- Local providers (ollama) always get an explicit ``api_base``; for ollama it
  is the root of the server (LiteLLM's ``ollama/`` route calls ``/api/generate``),
  i.e. the provider table's OpenAI-compatible base without its ``/v1``.
  Cloud providers get no ``api_base`` (LiteLLM knows their endpoints) unless
  ``[tool.regc.providers.NAME] api_base`` overrides it: then the model is sent to
  that OpenAI-compatible endpoint, through LiteLLM's own route for the provider
  when that route speaks the OpenAI API (openai, deepseek, xai, mistral, groq,
  moonshot, openrouter, perplexity), else through ``openai/`` (anthropic, gemini).

Not emitted: pending alternatives (they are not in any chain), models whose
provider LiteLLM cannot route (no ``litellm`` name in the provider table, e.g.
one the configuration adds with only ``local = true``, or a provider regc does not know), and an alias whose primary is
one of those. The file's opening comments list what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING

from pydantic import Field

from regc.errors import InputError
from regc.targets import Target, TargetOptions, header, templates

if TYPE_CHECKING:
    from regc.model import Model, ModelRef, PriceCell
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry

#: LiteLLM routes that call ``{api_base}/chat/completions`` (the OpenAI API) for their provider.
OPENAI_FORMAT_ROUTES = frozenset({"openai", "deepseek", "xai", "mistral", "groq", "moonshot", "openrouter", "perplexity"})
#: LiteLLM routes whose ``api_base`` is the server root, not the OpenAI-compatible ``/v1``.
ROOT_BASE_ROUTES = frozenset({"ollama", "ollama_chat"})
#: The registry's kinds as LiteLLM's ``model_info.mode``; chat is LiteLLM's default and is written too.
MODES = {
    "chat": "chat",
    "embedding": "embedding",
    "transcription": "audio_transcription",
    "speech": "audio_speech",
    "image": "image_generation",
    "moderation": "moderation",
    "rerank": "rerank",
}
_MTOK = Decimal(1_000_000)


class LitellmOptions(TargetOptions):
    path: str = "targets/litellm/config.yaml"
    num_retries: int = Field(default=0, ge=0, le=10, description="retries of the same model before its fallback is tried")
    master_key_env: str = Field(
        default="LITELLM_MASTER_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="environment variable holding the proxy's master key",
    )


@dataclass
class Deployment:
    """One ``model_list`` entry."""

    model_name: str
    litellm_params: dict[str, str]
    model_info: dict[str, object]

    def as_dict(self) -> dict[str, object]:
        return {"model_name": self.model_name, "litellm_params": self.litellm_params, "model_info": self.model_info}


@dataclass
class Config:
    """What the file says: the data the template writes."""

    deployments: list[Deployment] = field(default_factory=list)
    fallbacks: list[tuple[str, list[str]]] = field(default_factory=list)
    num_retries: int = 0
    master_key: str = ""
    skipped: list[str] = field(default_factory=list)

    @property
    def max_fallbacks(self) -> int:
        return max((len(groups) for _, groups in self.fallbacks), default=0)

    def as_dict(self) -> dict[str, object]:
        """The document as a YAML reader gives it back (what the tests compare with)."""
        router: dict[str, object] = {"num_retries": self.num_retries}
        if self.fallbacks:
            router["max_fallbacks"] = self.max_fallbacks
            router["fallbacks"] = [{alias: groups} for alias, groups in self.fallbacks]
        return {
            "model_list": [d.as_dict() for d in self.deployments],
            "router_settings": router,
            "general_settings": {"master_key": self.master_key},
        }


class LitellmTarget(Target[LitellmOptions]):
    name = "litellm"
    description = (
        "LiteLLM proxy `config.yaml`: a model group per alias (its primary) and one per fallback model, each alias's "
        "fallbacks as one flat ordered list in `router_settings`, per-token prices in `model_info`, keys only as "
        "`os.environ/…` references"
    )
    proven_by = (
        "LiteLLM 1.102.4 builds its `Router` from the file as the proxy does and routes every alias to its primary; "
        "against a fake OpenAI-compatible upstream on 127.0.0.1 a failing model hands over to the next in registry "
        "order (chat, embedding, transcription, image, ollama), with the provider's key, and `response_cost` is the "
        "registry's price; hypothesis registries with hostile text reload to the same data in PyYAML and ruamel"
    )
    Options = LitellmOptions

    def render(self, registry: ResolvedRegistry, options: LitellmOptions) -> dict[str, bytes]:
        data = build(registry, options)
        text = templates().get_template("litellm.yaml.j2").render(header=header(registry), config=data)
        return {options.path: text.encode("utf-8")}


def build(registry: ResolvedRegistry, options: LitellmOptions) -> Config:
    """The configuration for ``registry``: deployments, fallbacks, settings, and what was left out."""
    from regc.model.providers import BUILTIN

    table = options.providers()
    config = Config(num_retries=options.num_retries, master_key=f"os.environ/{options.master_key_env}")
    aliases: list[Deployment] = []
    groups: dict[str, Deployment] = {}
    alias_names = {alias.name for alias in registry.aliases}

    def deployment(name: str, ref: ModelRef) -> Deployment | None:
        provider = table.get(ref.provider or "")
        if provider is None or provider.litellm is None:
            return None
        default = BUILTIN.get(ref.provider or "")
        params = _params(ref, provider, default)
        return Deployment(name, params, _model_info(registry.model(ref)))

    for alias in sorted(registry.aliases, key=lambda a: a.name):
        chain = registry.resolve(alias.name)
        primary = deployment(alias.name, chain.primary)
        if primary is None:
            config.skipped.append(f"alias {alias.name!r}: its primary {chain.primary} has no LiteLLM provider")
            continue
        aliases.append(primary)
        names: list[str] = []
        for ref in chain.fallbacks:
            group = str(ref)
            if group in alias_names:
                raise InputError.at(registry.registry.path, registry.alias(group).pos.line,
                                    f"alias `{group}` has the name of a model; the litellm target names fallback groups by model")
            if group not in groups:
                made = deployment(group, ref)
                if made is None:
                    config.skipped.append(f"fallback {ref} of {alias.name!r}: no LiteLLM provider")
                    continue
                groups[group] = made
            names.append(group)
        if names:
            config.fallbacks.append((alias.name, names))
    config.deployments = aliases + [groups[name] for name in sorted(groups)]
    config.skipped = sorted(set(config.skipped))
    return config


def _params(ref: ModelRef, provider: Provider, default: Provider | None) -> dict[str, str]:
    assert provider.litellm is not None
    route = provider.litellm
    api_base: str | None = None
    if provider.local or default is None:
        api_base = provider.api_base  # our own machines, or a provider the configuration added
    elif provider.api_base != default.api_base:
        api_base = provider.api_base  # an OpenAI-compatible endpoint the configuration chose
        if route not in OPENAI_FORMAT_ROUTES:
            route = "openai"
    if api_base and route in ROOT_BASE_ROUTES:
        api_base = api_base.rstrip("/").removesuffix("/v1")
    params = {"model": f"{route}/{ref.model}"}
    if api_base:
        params["api_base"] = api_base
    if provider.api_key_env:
        params["api_key"] = f"os.environ/{provider.api_key_env}"
    return params


def _model_info(model: Model | None) -> dict[str, object]:
    info: dict[str, object] = {}
    if model is None:
        return info
    if model.kind is not None:
        info["mode"] = MODES[model.kind]
    for key, value in (
        *_price("input", model.input),
        *_price("output", model.output),
        *_price("cache_read", model.cache_read),
        *_price("cache_write", model.cache_write),
    ):
        info[key] = value
    if model.context is not None:
        info["max_input_tokens"] = model.context
    if model.kind == "embedding" and model.dimensions is not None:
        info["output_vector_size"] = model.dimensions
    return dict(sorted(info.items()))


_TOKEN_KEYS = {
    "input": "input_cost_per_token",
    "output": "output_cost_per_token",
    "cache_read": "cache_read_input_token_cost",
    "cache_write": "cache_creation_input_token_cost",
}


def _price(column: str, price: PriceCell) -> list[tuple[str, Decimal]]:
    """LiteLLM's cost key and value for one price cell of the Models table."""
    if price is None or isinstance(price, str):
        return []
    with localcontext() as ctx:
        ctx.prec = 28
        if price.unit == "mtok":
            return [(_TOKEN_KEYS[column], price.usd / _MTOK)]
        if column not in {"input", "output"}:
            return []  # a cache price per image or minute means nothing
        if price.unit == "image":
            return [(f"{column}_cost_per_image", price.usd)]
        if price.unit == "minute":
            ctx.prec = 15  # a double's precision: the figure LiteLLM computes with
            return [(f"{column}_cost_per_second", price.usd / 60)]
        return [(f"{column}_cost_per_second", price.usd)]
