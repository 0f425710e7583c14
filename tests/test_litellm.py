"""The litellm target, proven by LiteLLM itself (the version pinned in the ``conformance`` extra).

The generated ``config.yaml`` is loaded as the LiteLLM proxy loads it (PyYAML,
``os.environ/`` references resolved, ``router_settings`` passed to ``Router``)
and the real ``litellm.Router`` routes requests:

- statically, for this repository's registry and every good fixture: each alias
  is one deployment of its primary, through the provider LiteLLM resolves, and
  its fallbacks are the registry's chain, in order;
- live, against a fake OpenAI-compatible upstream on 127.0.0.1 that every
  provider's ``api_base`` points at (through ``[providers.NAME] api_base`` in a
  regc.toml, built by ``regc build``): a request for an alias reaches its
  primary; when the primary answers 500 the first fallback answers, then the
  next, in registry order; the key sent is the provider's environment variable;
  the reported cost equals the registry's prices.

Expected values come from ``regc.load`` of the same registry, never from the
target's own code.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import regc
from regc.model import Price
from regc.model.providers import BUILTIN
from regc.model.resolve import ResolvedRegistry
from tests.conftest import GOOD, ROOT, JsonHandler, require_module, run_regc, serving

# LiteLLM must read its bundled cost map, never fetch one: set before it is imported.
os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"

REGISTRIES = [ROOT / "registry.md", *GOOD]
PROMPT_TOKENS, COMPLETION_TOKENS = 1000, 2000
AUDIO_SECONDS = 90
MTOK = Decimal(1_000_000)


@pytest.fixture(scope="module")
def litellm() -> Any:
    module = require_module("litellm")
    module.suppress_debug_info = True
    module.telemetry = False
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return module


@pytest.fixture(scope="module")
def pyyaml() -> Any:
    return require_module("yaml")


def load_like_the_proxy(litellm: Any, pyyaml: Any, path: Path) -> tuple[Any, dict[str, Any]]:
    """A Router built from ``path`` as the LiteLLM proxy builds it (ProxyConfig.load_config)."""
    config = pyyaml.safe_load(path.read_text(encoding="utf-8"))
    model_list = copy.deepcopy(config["model_list"])
    for deployment in model_list:
        for key, value in deployment["litellm_params"].items():
            if isinstance(value, str) and value.startswith("os.environ/"):
                deployment["litellm_params"][key] = litellm.get_secret(value)
    settings = config.get("router_settings") or {}
    # The proxy drops router_settings keys Router does not take, with only a warning: fail on any.
    assert set(settings) <= set(litellm.Router.get_valid_args()), set(settings) - set(litellm.Router.get_valid_args())
    router = litellm.Router(model_list=model_list, **settings)
    assert len(router.model_list) == len(model_list), "LiteLLM dropped a deployment"
    return router, config


def litellm_route(provider: str | None) -> str | None:
    entry = BUILTIN.get(provider or "")
    return entry.litellm if entry else None


def served(registry: ResolvedRegistry) -> dict[str, list[str]]:
    """alias -> its chain as ``provider/model`` references, for the models LiteLLM can route."""
    chains: dict[str, list[str]] = {}
    for alias in registry.aliases:
        chain = registry.resolve(alias.name)
        if litellm_route(chain.primary.provider) is None:
            continue
        chains[alias.name] = [str(ref) for ref in chain.models if litellm_route(ref.provider) is not None]
    return chains


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for provider in BUILTIN.values():
        if provider.api_key_env:
            monkeypatch.setenv(provider.api_key_env, f"key-from-{provider.api_key_env}")


# --- static: the Router built from each registry's file -------------------------------


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_router_routes_every_alias_to_its_primary(litellm: Any, pyyaml: Any, path: Path, tmp_path: Path) -> None:
    check_router(litellm, pyyaml, path, tmp_path)


def check_router(litellm: Any, pyyaml: Any, path: Path, tmp_path: Path) -> None:
    """``regc build`` the registry's litellm config; the Router built from it serves each alias as the registry says."""
    registry = regc.load(path)
    source = tmp_path / path.name
    source.write_bytes(path.read_bytes())
    (tmp_path / "regc.toml").write_text(f'registry = "{source.name}"\n\n[targets.litellm]\npath = "config.yaml"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    router, config = load_like_the_proxy(litellm, pyyaml, tmp_path / "config.yaml")

    chains = served(registry)
    assert chains, "the registry has aliases LiteLLM can serve"
    for alias, chain in chains.items():
        deployments = router.get_model_list(model_name=alias)
        assert deployments is not None and len(deployments) == 1, f"{alias}: one deployment, not a load-balanced group"
        provider, model = chain[0].split("/", 1)
        params = deployments[0]["litellm_params"]
        assert params["model"] == f"{litellm_route(provider)}/{model}"
        _, resolved_provider, _, _ = litellm.get_llm_provider(params["model"])
        assert resolved_provider == litellm_route(provider)
        entry = BUILTIN[provider]
        if entry.api_key_env:
            assert params["api_key"] == f"key-from-{entry.api_key_env}"
        if entry.local:
            assert params["api_base"], f"{alias}: a local model needs an explicit api_base"
        expected = chain[1:]
        fallbacks = [next(iter(f.values())) for f in router.fallbacks if alias in f]
        assert fallbacks == ([expected] if expected else [])
        for group in expected:
            assert len(router.get_model_list(model_name=group) or []) == 1
            assert not [f for f in router.fallbacks if group in f], "a fallback group has no fallbacks of its own"
    # Aliases whose primary LiteLLM cannot route are left out, and said so.
    comments = "\n".join(line for line in (tmp_path / "config.yaml").read_text().splitlines() if line.startswith("# not served: "))
    for alias in {a.name for a in registry.aliases} - set(chains):
        assert router.get_model_list(model_name=alias) in (None, [])
        assert f"alias {alias!r}: its primary" in comments
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"


UNROUTABLE = """# Mixed

## Voice · alias `voice`

| | |
|---|---|
| **Primary** | `koder/koder-ai-voice` |
| **Alternatives** | `openai/whisper-1` |

## Mixed · alias `mixed`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Alternatives** | `koder/koder-chat`, `xai/grok-4.3` |
"""


def test_what_litellm_cannot_route_is_left_out_and_listed(litellm: Any, pyyaml: Any, tmp_path: Path) -> None:
    source = tmp_path / "src" / "mixed.md"
    source.parent.mkdir()
    source.write_text(UNROUTABLE)
    check_router(litellm, pyyaml, source, tmp_path)
    text = (tmp_path / "config.yaml").read_text()
    assert '# not served: "alias \'voice\': its primary koder/koder-ai-voice has no LiteLLM provider"' in text
    assert '# not served: "fallback koder/koder-chat of \'mixed\': no LiteLLM provider"' in text
    router, _ = load_like_the_proxy(litellm, pyyaml, tmp_path / "config.yaml")
    assert router.fallbacks == [{"mixed": ["xai/grok-4.3"]}]


# --- live: a fake OpenAI-compatible upstream ----------------------------------------------


@dataclass
class Upstream:
    base: str
    calls: list[tuple[str, str]] = field(default_factory=list)  # (provider, model) in the order received
    keys: dict[str, str] = field(default_factory=dict)  # provider -> Authorization header seen
    failing: set[tuple[str, str]] = field(default_factory=set)


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    """An OpenAI-compatible server on 127.0.0.1; ``/<provider>/...`` tells the providers apart."""
    state = Upstream(base="")
    lock = threading.Lock()

    class Handler(JsonHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            provider, _, endpoint = self.path.lstrip("/").partition("/")
            if self.headers.get("content-type", "").startswith("multipart/"):
                found = re.search(rb'name="model"\r\n\r\n([^\r]*)', body)
                model = found[1].decode() if found else ""
            else:
                model = json.loads(body or b"{}").get("model", "")
            with lock:
                state.calls.append((provider, model))
                state.keys[provider] = self.headers.get("authorization") or self.headers.get("x-api-key") or ""
                fail = (provider, model) in state.failing
            if fail:
                return self._json(500, {"error": {"message": "upstream failure", "type": "server_error", "code": 500}})
            self._json(200, _answer(endpoint, model))

    with serving(Handler) as state.base:
        yield state


def _answer(endpoint: str, model: str) -> dict[str, Any]:
    if endpoint.endswith("embeddings"):
        return {"object": "list", "model": model, "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
                "usage": {"prompt_tokens": PROMPT_TOKENS, "total_tokens": PROMPT_TOKENS}}
    if endpoint.endswith("audio/transcriptions"):
        return {"text": f"served by {model}", "language": "pt", "duration": AUDIO_SECONDS}
    if endpoint.endswith("images/generations"):
        return {"created": 1, "data": [{"b64_json": "aGk="}],
                "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": COMPLETION_TOKENS,
                          "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
                          "input_tokens_details": {"text_tokens": PROMPT_TOKENS, "image_tokens": 0}}}
    if endpoint.endswith(("api/generate", "api/chat")):  # ollama's own API
        return {"model": model, "created_at": "2026-01-01T00:00:00Z", "response": f"served by {model}",
                "message": {"role": "assistant", "content": f"served by {model}"}, "done": True,
                "prompt_eval_count": PROMPT_TOKENS, "eval_count": COMPLETION_TOKENS}
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": model, "service_tier": "default",
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": f"served by {model}"}}],
            "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS,
                      "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}}


def expected_cost(registry: ResolvedRegistry, ref: str) -> Decimal:
    """What the registry says the fake upstream's answer costs (its usage figures are fixed)."""
    model = registry.model(ref)
    assert model is not None, f"{ref} has a Models row"

    def usd(cell: object, amount: int) -> Decimal:
        if cell is None or isinstance(cell, str):
            return Decimal(0)
        price = cell.usd  # type: ignore[attr-defined]
        unit = cell.unit  # type: ignore[attr-defined]
        if unit == "mtok":
            return price * amount / MTOK
        if unit == "minute":
            return price * AUDIO_SECONDS / 60
        if unit == "second":
            return price * AUDIO_SECONDS
        return price  # one image

    if model.kind == "transcription":
        return usd(model.input, 0)
    if model.kind == "embedding":
        return usd(model.input, PROMPT_TOKENS)
    if model.kind == "image" and isinstance(model.input, Price) and model.input.unit == "image":
        return usd(model.input, 1)
    return usd(model.input, PROMPT_TOKENS) + usd(model.output, COMPLETION_TOKENS)


def build_against(upstream: Upstream, registry_path: Path, tmp_path: Path) -> Path:
    """``regc build`` with every provider's api_base on the fake upstream (the target's real code path)."""
    tmp_path.joinpath(registry_path.name).write_bytes(registry_path.read_bytes())
    lines = [f'registry = "{registry_path.name}"', "", "[targets.litellm]", 'path = "config.yaml"']
    for name in sorted(BUILTIN):
        if BUILTIN[name].kind == "openai":  # the other kinds have their own module: tests/test_litellm_providers.py
            lines += ["", f"[providers.{name}]", f'api_base = "{upstream.base}/{name}/v1"']
    tmp_path.joinpath("regc.toml").write_text("\n".join(lines) + "\n")
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    return tmp_path / "config.yaml"


async def _request(router: Any, alias: str, kind: str | None) -> Any:
    if kind == "embedding":
        return await router.aembedding(model=alias, input=["hello"])
    if kind == "transcription":
        return await router.atranscription(model=alias, file=("hello.wav", b"RIFF\x00\x00\x00\x00WAVE", "audio/wav"))
    if kind == "image":
        return await router.aimage_generation(model=alias, prompt="a lighthouse")
    return await router.acompletion(model=alias, messages=[{"role": "user", "content": "hello"}])


def walk_chain(litellm: Any, pyyaml: Any, upstream: Upstream, registry: ResolvedRegistry, config: Path, *, alias: str,
               chain: list[str]) -> None:
    """Fail the first k models of the chain, for every k: the k-th answers, after the ones before it, in order."""
    router, _ = load_like_the_proxy(litellm, pyyaml, config)
    kind = registry.kind(alias)
    upstream_of = [(ref.split("/", 1)[0], ref.split("/", 1)[1]) for ref in chain]

    async def run() -> None:
        for k, ref in enumerate(chain):
            upstream.calls.clear()
            upstream.failing = set(upstream_of[:k])
            response = await _request(router, alias, kind)
            sdk_retries = kind in {"embedding", "image"}
            asked = [c for i, c in enumerate(upstream.calls) if c not in upstream.calls[:i]] if sdk_retries else upstream.calls
            # (LiteLLM 1.102's OpenAI embedding and image handlers retry a failing model twice in the SDK,
            # whatever max_retries says, before the Router falls back: there the order is what counts.)
            assert asked == upstream_of[: k + 1], f"{alias}: with {k} failing, asked {upstream.calls}"
            cost = response._hidden_params.get("response_cost")
            assert cost is not None, f"{alias} via {ref}: LiteLLM reported no cost"
            assert cost == pytest.approx(float(expected_cost(registry, ref)), rel=1e-9, abs=1e-15), f"{alias} via {ref}"
        upstream.failing = set(upstream_of)
        with pytest.raises(Exception):  # noqa: B017, PT011 - whatever LiteLLM raises once every model failed
            await _request(router, alias, kind)

    asyncio.run(run())


def test_every_alias_reaches_its_primary_then_each_fallback_in_order(
    litellm: Any, pyyaml: Any, upstream: Upstream, tmp_path: Path
) -> None:
    path = ROOT / "registry.md"
    registry = regc.load(path)
    config = build_against(upstream, path, tmp_path)
    chains = served(registry)
    assert {"reasoning", "embed", "audio", "image", "local", "best"} <= set(chains)
    for alias, chain in chains.items():
        walk_chain(litellm, pyyaml, upstream, registry, config, alias=alias, chain=chain)
    # Each provider got the key from its own environment variable.
    for provider, header in upstream.keys.items():
        entry = BUILTIN[provider]
        if entry.api_key_env:
            assert header in (f"Bearer key-from-{entry.api_key_env}", f"key-from-{entry.api_key_env}"), provider


def test_a_long_chain_is_walked_to_its_last_fallback(litellm: Any, pyyaml: Any, upstream: Upstream, tmp_path: Path) -> None:
    """More fallbacks than LiteLLM's default limit (5): max_fallbacks is set from the registry."""
    models = ["openai/gpt-5.5", "openai/gpt-5.4", "xai/grok-4.3", "mistral/codestral-latest", "deepseek/deepseek-v4-flash",
              "kimi/kimi-k2.6", "openai/gpt-4o-mini", "groq/llama-3.3-70b"]
    rows = "\n".join(f"| `{m}` | chat | $1.{i:02d} | $2.{i:02d} | 128K | active |" for i, m in enumerate(models))
    text = ("# Long\n\n## Long chain · alias `long`\n\n| | |\n|---|---|\n"
            f"| **Primary** | `{models[0]}` |\n| **Alternatives** | {', '.join(f'`{m}`' for m in models[1:])} |\n\n"
            "## Models\n\n| Model | Kind | Input $/MTok | Output $/MTok | Context | Status |\n|---|---|---|---|---|---|\n" + rows + "\n")
    source = tmp_path / "src" / "long.md"
    source.parent.mkdir()
    source.write_text(text)
    registry = regc.load(source)
    config = build_against(upstream, source, tmp_path)
    walk_chain(litellm, pyyaml, upstream, registry, config, alias="long", chain=served(registry)["long"])
