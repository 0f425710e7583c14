"""The ``portkey`` target: one Portkey gateway config per alias.

The open-source Portkey gateway (``@portkey-ai/gateway``) routes a request by
the config sent with it in the ``x-portkey-config`` header. This target writes
``configs.json``: under ``configs``, each alias's config, a ``fallback``
strategy over one target per routable chain model, in registry order, on one
line per alias, written exactly as the compact header value a client sends::

    {"strategy": {"mode": "fallback"},
     "targets": [{"provider": "openai", "api_key": "${OPENAI_API_KEY}",
                  "custom_host": "https://api.openai.com/v1",
                  "override_params": {"model": "gpt-5.4"}}, ...]}

- ``provider`` and ``api_key`` are on every target: the gateway does not let a
  target inherit them from its parent (it refuses the config).
- ``custom_host`` is the provider table's ``api_base`` (its OpenAI-compatible
  API). Portkey appends its own path for each provider to it, so a provider
  keeps its Portkey name only where that path is OpenAI's (``NATIVE``: openai,
  x-ai, mistral-ai, groq, perplexity-ai); every other provider (anthropic,
  google, kimi, deepseek, openrouter, ollama, one the configuration adds) is
  reached as ``openai`` at its OpenAI-compatible ``api_base``. A provider
  without ``api_base`` (one the configuration adds with only ``local = true``) cannot be reached: its models are
  left out.
- ``api_key`` is ``${VAR}``, the provider's key variable: the gateway reads no
  environment, so the deployer substitutes it before the header is sent
  (``envsubst '${OPENAI_API_KEY} …'``, README "The portkey target"). A provider
  with no key variable (a local server) gets ``unused``: the gateway's schema
  requires a key beside every provider, and such servers ignore it.
- ``override_params.model`` is the model's id at its provider, so the client
  may send the alias (or anything) as ``model``.
- Provider kinds (``[providers.NAME] kind``, docs/providers.md): ``vllm`` is
  reached as ``openai`` at its ``api_base``; ``azure`` as Portkey's
  ``azure-openai`` with ``custom_host`` = ``api_base`` + ``/openai``,
  ``deployment_id`` = the model id (the deployment's name) and ``api_version``;
  ``bedrock`` as ``bedrock`` with ``aws_region`` and the AWS keys as
  ``${VAR}`` placeholders (``custom_host`` only when ``api_base`` names an
  endpoint of one's own). ``vertex`` is left out: Portkey's ``vertex-ai`` takes
  the service account's JSON inside the config or a short-lived access token as
  its key, and regc writes no credential into a file.
- Only keys of the gateway's config schema are written (``ALLOWED_KEYS``; the
  gateway silently ignores any other, so a misspelt key would be a silent
  misroute); ``tests/test_portkey.py`` pins the set against the gateway's source.

Left out, and listed under ``left_out`` with the reason: aliases whose kind is
neither chat nor embedding (the gateway does not apply ``override_params`` to a
multipart transcription body, so the alias itself would go upstream; the other
kinds are not proven here), pending alternatives, unreachable models, and an
alias with no reachable model. A config larger than ``max_header_bytes`` as a
compact header value is refused: node refuses a request head past 16 KiB
(``431``), and the rest of the request needs the difference.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

from pydantic import Field

from regc.errors import InputError
from regc.targets import Target, TargetOptions, header
from regc.targets._json import compact, document

if TYPE_CHECKING:
    from regc.model import ModelRef
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry

#: regc providers whose Portkey provider appends OpenAI's paths (``/chat/completions``, ``/embeddings``) to
#: ``custom_host``; every other provider is called as Portkey's ``openai`` at its OpenAI-compatible ``api_base``.
NATIVE = {"openai": "openai", "xai": "x-ai", "mistral": "mistral-ai", "groq": "groq", "perplexity": "perplexity-ai"}
#: The kinds the gateway serves from these configs (``None``: the Models table does not say; a chat request).
SERVED_KINDS = frozenset({"chat", "embedding", None})
#: Every key this target may write, per object (the gateway's config schema; a test reads it from the gateway).
ALLOWED_KEYS = {
    "config": frozenset({"strategy", "targets", "retry", "request_timeout"}),
    "strategy": frozenset({"mode", "on_status_codes"}),
    "retry": frozenset({"attempts"}),
    "target": frozenset({"provider", "api_key", "custom_host", "override_params"}),
    # Azure OpenAI's (``deployment_id`` and ``api_version`` are outside the zod schema; the azure provider reads them)
    "azure": frozenset({"provider", "api_key", "custom_host", "override_params", "deployment_id", "api_version"}),
    # AWS Bedrock's: no api_key (SigV4 from the keys); custom_host only for an endpoint of one's own
    "bedrock": frozenset({"provider", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region",
                          "custom_host", "override_params"}),
}
#: A key for a provider that needs none (the gateway requires one beside every provider).
NO_KEY = "unused"


class PortkeyOptions(TargetOptions):
    path: str = "targets/portkey/configs.json"
    on_status_codes: list[Annotated[int, Field(ge=100, le=599)]] | None = Field(
        default=None, min_length=1,
        description="statuses that hand a request to the next target (default: any status other than 2xx)")
    retry_attempts: int = Field(default=0, ge=0, le=5,
                                description="retries of the same target before the next one (the gateway waits 1 s, 2 s, 4 s …)")
    request_timeout_ms: int | None = Field(default=None, ge=1,
                                           description="per-attempt timeout in milliseconds; a timeout (408) hands over to the next target")
    max_header_bytes: int = Field(default=15_360, ge=256,
                                  description="largest config as a compact `x-portkey-config` value (node: 16 KiB per request head)")


class PortkeyTarget(Target[PortkeyOptions]):
    name = "portkey"
    description = (
        "Portkey gateway configs: per alias a `fallback` strategy over its chain, one target per model with "
        "`provider`, `custom_host`, `override_params.model` and the key as a `${VAR}` placeholder"
    )
    proven_by = (
        "the Portkey gateway 1.15.2 from npm on 127.0.0.1, driven by the `openai` SDK against a fake upstream: "
        "every alias reaches its primary, then each fallback in order (chat, streaming chat, embeddings), "
        "`x-portkey-last-used-option-index` naming the target; the emitted keys are pinned against the gateway's schema"
    )
    Options = PortkeyOptions

    def render(self, registry: ResolvedRegistry, options: PortkeyOptions) -> dict[str, bytes]:
        configs, left_out = build(registry, options)
        # One alias per line, its config exactly its header value: a diff per alias, a value to copy, and the C
        # encoder only (an indented document doubled this target's time on 10,000 aliases). ASCII throughout.
        reasons = {name: json.dumps(why) for name, why in left_out.items()}
        return {options.path: document(header(registry), "configs", configs, reasons)}


#: A config as a client sends it in ``x-portkey-config``: compact JSON, keys sorted, ASCII only.
header_value = compact


def build(registry: ResolvedRegistry, options: PortkeyOptions) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Each alias's config as its header value, and per alias what was left out and why.

    A config is assembled from its parts' encodings (``header_value`` of each target, once per model): the
    same bytes as ``header_value`` of the whole config, which a test checks, in a third of the time.
    """
    table = options.providers()
    head, tail = _config_parts(options)
    # (provider, model) -> its target's header value, or why it cannot be reached: each model is looked at once
    encoded: dict[tuple[str | None, str], tuple[str, bool]] = {}
    configs: dict[str, str] = {}
    left_out: dict[str, list[str]] = {}
    for alias in registry.aliases:
        chain = registry.resolve(alias.name)
        reasons = [f"pending {entry.target}: not routed yet" for entry in chain.pending]
        kind = registry.kind(alias.name)
        if kind not in SERVED_KINDS:
            left_out[alias.name] = [f"kind {kind}: the portkey target serves chat and embedding aliases only", *reasons]
            continue
        targets: list[str] = []
        for ref in chain.models:
            key = (ref.provider, ref.model)
            hit = encoded.get(key)
            if hit is None:
                provider = table.get(ref.provider or "")
                made = _target(ref, provider)
                hit = encoded[key] = (header_value(made), True) if made is not None else (_unreachable(ref, provider), False)
            value, reached = hit
            (targets if reached else reasons).append(value)
        if not targets:
            reasons.append("no model of its chain can be reached: no config")
        else:
            value = head + ",".join(targets) + tail
            if len(value) > options.max_header_bytes:
                raise InputError.at(
                    registry.registry.path, alias.pos.line,
                    f"alias `{alias.name}`: its Portkey config is {len(value)} bytes as an x-portkey-config header, "
                    f"over max_header_bytes ({options.max_header_bytes}); node refuses a request head past 16 KiB (431). "
                    "Shorten the chain, or run the gateway with node --max-http-header-size and raise "
                    "[tool.regc.targets.portkey] max_header_bytes")
            configs[alias.name] = value
        if reasons:
            left_out[alias.name] = reasons
    return configs, left_out


def config(targets: list[dict[str, object]], options: PortkeyOptions) -> dict[str, object]:
    """One alias's config with these targets."""
    strategy: dict[str, object] = {"mode": "fallback"}
    if options.on_status_codes is not None:
        strategy["on_status_codes"] = list(options.on_status_codes)
    result: dict[str, object] = {"strategy": strategy, "targets": targets}
    if options.retry_attempts:
        result["retry"] = {"attempts": options.retry_attempts}
    if options.request_timeout_ms is not None:
        result["request_timeout"] = options.request_timeout_ms
    return result


def _config_parts(options: PortkeyOptions) -> tuple[str, str]:
    """The encoded config around its targets: ``head + ",".join(targets) + tail``."""
    marker = "\x00targets\x00"
    whole = header_value(config([marker], options))  # type: ignore[list-item]
    head, _, tail = whole.partition(json.dumps(marker))
    return head, tail


def _unreachable(ref: ModelRef, provider: Provider | None) -> str:
    """Why the gateway cannot be sent ``ref`` (``_target`` made no target for it)."""
    if provider is not None and provider.kind == "vertex":
        return (f"{ref}: Portkey's vertex-ai takes a service account's JSON or an access token inside the config; "
                "regc writes no credential into a file")
    return f"{ref}: provider {ref.provider!r} has no api_base to send it to"


def _placeholder(variable: str | None) -> str:
    return f"${{{variable}}}" if variable else NO_KEY


def _target(ref: ModelRef, provider: Provider | None) -> dict[str, object] | None:
    if provider is None or provider.kind == "vertex":
        return None
    if provider.kind == "bedrock":
        assert provider.aws_region_name is not None
        target: dict[str, object] = {"provider": "bedrock", "aws_region": provider.aws_region_name,
                                     "aws_access_key_id": _placeholder(provider.aws_access_key_id_env),
                                     "aws_secret_access_key": _placeholder(provider.aws_secret_access_key_env)}
        if provider.aws_session_token_env:
            target["aws_session_token"] = _placeholder(provider.aws_session_token_env)
        if provider.api_base:
            target["custom_host"] = provider.api_base
        return {**target, "override_params": {"model": ref.model}}
    if provider.api_base is None:
        return None
    if provider.kind == "azure":  # POST {custom_host}/deployments/{deployment_id}/chat/completions?api-version=…
        return {"provider": "azure-openai", "api_key": _placeholder(provider.api_key_env),
                "custom_host": provider.api_base.rstrip("/") + "/openai", "deployment_id": ref.model,
                "api_version": provider.api_version, "override_params": {"model": ref.model}}
    return {
        "provider": NATIVE.get(ref.provider or "", "openai"),
        "api_key": _placeholder(provider.api_key_env),
        "custom_host": provider.api_base,
        "override_params": {"model": ref.model},
    }
