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
- ``litellm_settings`` and ``router_settings`` carry the options of the same
  names, each key checked (LiteLLM itself sets any ``litellm_settings`` key
  without a word, so a misspelt ``drop_param`` would silently do nothing).
  ``drop_params`` defaults to true: a chain crosses providers, and a request
  the primary's provider accepts (the openai SDK's default
  ``encoding_format: base64`` for embeddings) must not be refused by the
  fallback's (``gemini/``). ``retries_by_kind`` becomes
  ``model_group_retry_policy``: one entry per model group of that kind.
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
- Providers of the other kinds (docs/providers.md) take LiteLLM's own route for
  their API: ``azure/<deployment>`` with ``api_base``, ``api_version`` and the key;
  ``bedrock/<model id>`` (its ``:`` kept) with ``aws_region_name`` and the AWS keys
  (``aws_bedrock_runtime_endpoint`` when ``api_base`` names an endpoint of one's
  own); ``vertex_ai/<model>`` with ``vertex_project``, ``vertex_location`` and
  ``vertex_credentials`` (the variable naming the service-account file; LiteLLM
  needs ``google-auth`` installed for it); ``hosted_vllm/<model>`` at ``api_base``.

Not emitted: pending alternatives (they are not in any chain), models whose
provider LiteLLM cannot route (no ``litellm`` name in the provider table, e.g.
one the configuration adds with only ``local = true``, or a provider regc does not know), and an alias whose primary is
one of those. The file's opening comments list what was left out and why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from regc.errors import InputError
from regc.targets import Target, TargetOptions, header, templates
from regc.targets._prices import MTOK, TOKEN_KEYS

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


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)  # TOML has booleans: "yes" is refused

    def emitted(self) -> dict[str, object]:
        """The keys set (a default that is not None counts), in LiteLLM's spelling, nested tables as dicts."""
        return {key: value for key, value in self.model_dump(exclude_none=True).items() if value != {}}


_Retries = Field(default=None, ge=0, le=10)


class RetryPolicy(_Settings):
    """LiteLLM's ``RetryPolicy``: retries of the same model per kind of error, overriding ``num_retries``."""

    BadRequestErrorRetries: int | None = _Retries  # LiteLLM's own key names
    AuthenticationErrorRetries: int | None = _Retries
    TimeoutErrorRetries: int | None = _Retries
    RateLimitErrorRetries: int | None = _Retries
    ContentPolicyViolationErrorRetries: int | None = _Retries
    InternalServerErrorRetries: int | None = _Retries
    ServiceUnavailableErrorRetries: int | None = _Retries
    DefaultRetries: int | None = _Retries  # any other error


class LitellmSettings(_Settings):
    """``litellm_settings``: LiteLLM's module settings (the proxy sets each key on ``litellm`` unchecked)."""

    drop_params: bool = Field(
        default=True, description="drop request parameters a fallback's provider does not support instead of failing the request",
    )
    request_timeout: float | None = Field(default=None, gt=0, le=86_400, description="seconds a provider call may take")


class RouterSettings(_Settings):
    """``router_settings``: arguments of LiteLLM's ``Router`` (besides ``num_retries`` and the fallbacks regc writes)."""

    timeout: float | None = Field(default=None, gt=0, le=86_400, description="seconds one attempt may take before the next model")
    stream_timeout: float | None = Field(default=None, gt=0, le=86_400, description="the same, for streaming requests")
    allowed_fails: int | None = Field(default=None, ge=0, le=1000, description="failures per minute before a model is cooled down")
    cooldown_time: float | None = Field(default=None, ge=0, le=86_400, description="seconds a cooled-down model is skipped")
    disable_cooldowns: bool | None = Field(default=None, description="never skip a failing model")
    retry_policy: RetryPolicy | None = Field(default=None, description="retries per kind of error, for every model group")


class LitellmOptions(TargetOptions):
    path: str = "targets/litellm/config.yaml"
    num_retries: int = Field(default=0, ge=0, le=10, description="retries of the same model before its fallback is tried")
    master_key_env: str = Field(
        default="LITELLM_MASTER_KEY", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
        description="environment variable holding the proxy's master key",
    )
    litellm_settings: LitellmSettings = Field(default_factory=LitellmSettings, description="LiteLLM's `litellm_settings`")
    router_settings: RouterSettings = Field(default_factory=RouterSettings, description="LiteLLM's `router_settings`")
    retries_by_kind: dict[Literal["chat", "embedding", "transcription", "speech", "image", "moderation", "rerank"], RetryPolicy] = Field(
        default_factory=dict,
        description="a RetryPolicy for every model group of a kind (`model_group_retry_policy`), e.g. fewer retries for images",
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
    #: ``litellm_settings``, and ``router_settings`` besides num_retries and the fallbacks, as the file writes them
    litellm_settings: dict[str, object] = field(default_factory=dict)
    router_settings: dict[str, object] = field(default_factory=dict)

    @property
    def max_fallbacks(self) -> int:
        return max((len(groups) for _, groups in self.fallbacks), default=0)

    def as_dict(self) -> dict[str, object]:
        """The document as a YAML reader gives it back (what the tests compare with)."""
        router: dict[str, object] = {"num_retries": self.num_retries, **self.router_settings}
        if self.fallbacks:
            router["max_fallbacks"] = self.max_fallbacks
            router["fallbacks"] = [{alias: groups} for alias, groups in self.fallbacks]
        settings = {"litellm_settings": self.litellm_settings} if self.litellm_settings else {}  # the file omits an empty one
        return {
            "model_list": [d.as_dict() for d in self.deployments],
            **settings,
            "router_settings": router,
            "general_settings": {"master_key": self.master_key},
        }

    def settings_lines(self, settings: dict[str, object], indent: int = 2, *, names: bool = False) -> list[str]:
        """``settings`` as YAML lines, nested tables indented. Keys are regc's option names, written bare, except the
        model groups' names under ``model_group_retry_policy`` (``names``), which are quoted like every value."""
        from regc.targets._yaml import scalar

        lines: list[str] = []
        for key, value in settings.items():
            written = scalar(key) if names else key
            if isinstance(value, dict):
                lines.append(f"{' ' * indent}{written}:")
                lines += self.settings_lines(value, indent + 2, names=key == "model_group_retry_policy")
            else:
                lines.append(f"{' ' * indent}{written}: {scalar(_number(value))}")
        return lines


class LitellmTarget(Target[LitellmOptions]):
    name = "litellm"
    description = (
        "LiteLLM proxy `config.yaml`: a model group per alias (its primary) and one per fallback model, each alias's "
        "fallbacks as one flat ordered list in `router_settings`, per-token prices in `model_info`, keys only as "
        "`os.environ/…` references"
    )
    proven_by = (
        "`litellm --config` (LiteLLM 1.102.4 proxy) serves the file on 127.0.0.1 and the official `openai` SDK, with its "
        "defaults, asks every alias (chat, streams with and without usage, embeddings, images, transcription) against "
        "a fake OpenAI, Anthropic and Gemini upstream: each failing prefix of the chain hands over to the next model "
        "in registry order, each provider gets its own key, and `x-litellm-response-cost` is the registry's price; "
        "LiteLLM's `Router` routes every fixture; hypothesis registries with hostile text reload to the same data in "
        "PyYAML and ruamel"
    )
    Options = LitellmOptions

    def render(self, registry: ResolvedRegistry, options: LitellmOptions) -> dict[str, bytes]:
        data = build(registry, options)
        self.notices += [f"not served: {line}" for line in data.skipped]  # also a comment at the file's top
        text = templates().get_template("litellm.yaml.j2").render(header=header(registry), config=data)
        return {options.path: text.encode("utf-8")}


def build(registry: ResolvedRegistry, options: LitellmOptions) -> Config:
    """The configuration for ``registry``: deployments, fallbacks, settings, and what was left out."""
    from regc.model.providers import BUILTIN

    table = options.providers()
    config = Config(num_retries=options.num_retries, master_key=f"os.environ/{options.master_key_env}",
                    litellm_settings=options.litellm_settings.emitted(), router_settings=options.router_settings.emitted())
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
    if options.retries_by_kind:
        policies = {d.model_name: options.retries_by_kind[kind].emitted() for d in config.deployments
                    if (kind := _kind_of(d)) in options.retries_by_kind}
        if policies:
            config.router_settings["model_group_retry_policy"] = policies
    return config


def _kind_of(deployment: Deployment) -> str:
    mode = deployment.model_info.get("mode", "chat")
    return next(kind for kind, name in MODES.items() if name == mode)


def _number(value: object) -> object:
    """A float option as the exact decimal it was written as (YAML 1.1 reads ``1e-05`` as a string)."""
    return Decimal(repr(value)) if isinstance(value, float) else value


def _params(ref: ModelRef, provider: Provider, default: Provider | None) -> dict[str, str]:
    assert provider.litellm is not None
    if provider.kind != "openai":
        return _kind_params(ref, provider)
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


def _kind_params(ref: ModelRef, provider: Provider) -> dict[str, str]:
    """``litellm_params`` of a provider of kind azure, bedrock, vertex or vllm: LiteLLM's own route for that API, with
    the provider's endpoint, version, region or project and its credentials as ``os.environ/`` references."""
    assert provider.litellm is not None
    params = {"model": f"{provider.litellm}/{ref.model}"}

    def env(key: str, variable: str | None) -> None:
        if variable:
            params[key] = f"os.environ/{variable}"

    if provider.kind == "azure":  # the model id is the deployment's name: POST {api_base}/openai/deployments/<it>/...
        assert provider.api_base is not None
        assert provider.api_version is not None
        params.update(api_base=provider.api_base, api_version=provider.api_version)
        env("api_key", provider.api_key_env)
    elif provider.kind == "bedrock":  # SigV4 with the keys named; a runtime endpoint of one's own (a VPC endpoint) when set
        assert provider.aws_region_name is not None
        params["aws_region_name"] = provider.aws_region_name
        env("aws_access_key_id", provider.aws_access_key_id_env)
        env("aws_secret_access_key", provider.aws_secret_access_key_env)
        env("aws_session_token", provider.aws_session_token_env)
        if provider.api_base:
            params["aws_bedrock_runtime_endpoint"] = provider.api_base
    elif provider.kind == "vertex":  # the service-account file's path comes from the variable
        assert provider.vertex_project is not None
        assert provider.vertex_location is not None
        params.update(vertex_project=provider.vertex_project, vertex_location=provider.vertex_location)
        env("vertex_credentials", provider.vertex_credentials_env)
        if provider.api_base:
            params["api_base"] = provider.api_base
    else:  # vllm: the server's OpenAI-compatible base, e.g. http://gpu-box:8000/v1
        assert provider.api_base is not None
        params["api_base"] = provider.api_base
        env("api_key", provider.api_key_env)
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


def _price(column: str, price: PriceCell) -> list[tuple[str, Decimal]]:
    """LiteLLM's cost key and value for one price cell of the Models table."""
    if price is None or isinstance(price, str):
        return []
    with localcontext() as ctx:
        ctx.prec = 28
        if price.unit == "mtok":
            return [(TOKEN_KEYS[column], price.usd / MTOK)]
        if column not in {"input", "output"}:
            return []  # a cache price per image or minute means nothing
        if price.unit == "image":
            return [(f"{column}_cost_per_image", price.usd)]
        if price.unit == "minute":
            ctx.prec = 15  # a double's precision: the figure LiteLLM computes with
            return [(f"{column}_cost_per_second", price.usd / 60)]
        return [(f"{column}_cost_per_second", price.usd)]
