"""The litellm target, proven as a user deploys it: ``litellm --config`` driven by the official ``openai`` SDK.

One LiteLLM 1.102.4 proxy process (the ``conformance`` extra's ``litellm[proxy]``) per served registry is started
on 127.0.0.1 from the ``config.yaml`` that ``regc build`` writes for it: this repository's registry and every good
fixture with an alias LiteLLM can route (features.md, lifecycle.md, seed-000.md; the YAML fixtures build their
markdown twin's bytes, which tests/test_snapshots.py proves, so they are not served again). All are launched
together, once per module, each with the defaults a user gets (``drop_params``, ``num_retries: 0``) and a master
key. Every provider's endpoint is a fake upstream in this process, reached the way a deployer would move it:

- the providers LiteLLM speaks the OpenAI API to (openai, xai, kimi, deepseek, mistral, groq, openrouter) and
  ollama through ``[providers.NAME] api_base`` in a regc.toml (the target's own code path, not an edited file);
- anthropic and google through their native routes (``anthropic/`` → ``/v1/messages``, ``gemini/`` →
  ``:generateContent``), pointed at the fake by ``ANTHROPIC_API_BASE`` and ``GEMINI_API_BASE``.

Every alias of every served registry is asked as its kind demands, with the SDK's defaults
(``encoding_format: base64`` for embeddings included): chat, streaming chat with and without ``include_usage``,
embeddings, image generation, transcription (an alias whose kind its registry does not state is asked as chat).
With the first k models of the chain answering 500, for every k, the (k+1)-th answers, after the ones before it,
in registry order; with all failing the client gets an error. The ``x-litellm-response-cost`` header (and a
stream's ``usage.cost``) is the registry's price for the usage the fake returned (seed-000.md has no Models table,
so states no price to check). Expected values come from ``regc.load`` of each registry, never from the target's code.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import regc
from regc.model import Price
from regc.model.providers import BUILTIN
from regc.model.resolve import ResolvedRegistry
from tests.conftest import GOOD, ROOT, JsonHandler, missing_tool, require_module, run_regc, serving, stop
from tests.test_litellm import served


@dataclass(frozen=True)
class Served:
    """One registry the proxy serves: what ``regc.load`` says of it, and the chain of each alias LiteLLM can route."""

    source: Path
    registry: ResolvedRegistry
    chains: dict[str, list[str]]


def _served(source: Path) -> Served:
    registry = regc.load(source)
    return Served(source, registry, served(registry))


#: This repository's registry and every good markdown fixture with an alias LiteLLM can route, each served by its
#: own proxy. The YAML fixtures are not: tests/test_snapshots.py proves each builds its markdown twin's bytes.
SERVED = {s.source.name: s for s in map(_served, [ROOT / "registry.md", *(p for p in GOOD if p.suffix == ".md")]) if s.chains}
CASES = [(name, alias) for name, s in SERVED.items() for alias in sorted(s.chains)]
PROMPT_TOKENS, COMPLETION_TOKENS = 1000, 2000
AUDIO_SECONDS = 90.0
MTOK = Decimal(1_000_000)
MASTER_KEY = "sk-regc-conformance"
#: Providers LiteLLM reaches through its native (non-OpenAI) API; their base comes from the environment.
NATIVE_BASE_ENV = {"anthropic": "ANTHROPIC_API_BASE", "google": "GEMINI_API_BASE"}
START_TIMEOUT = 90.0  # ~10 s for this repository's registry's 38 deployments; more when the other CPUs are busy


# --- the fake upstream ----------------------------------------------------------------------


@dataclass
class Call:
    ref: str  # the registry's reference of the model asked: provider/model
    endpoint: str
    key: str  # the credential header the provider received


@dataclass
class Upstream:
    base: str = ""
    calls: list[Call] = field(default_factory=list)
    failing: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asked(self) -> list[str]:
        """The models asked, in order, each once (LiteLLM's OpenAI embedding and image handlers retry inside)."""
        seen: list[str] = []
        for call in self.calls:
            if call.ref not in seen:
                seen.append(call.ref)
        return seen


def _multipart_model(body: bytes) -> str:
    marker = b'name="model"\r\n\r\n'
    start = body.find(marker)
    return body[start + len(marker):].split(b"\r\n", 1)[0].decode() if start >= 0 else ""


class FakeHandler(JsonHandler):
    state: Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        provider, _, rest = url.path.lstrip("/").partition("/")
        if self.headers.get("content-type", "").startswith("multipart/"):
            request: dict[str, Any] = {"model": _multipart_model(body)}
        else:
            request = json.loads(body or b"{}")  # ollama's route sends JSON as application/octet-stream
        if provider == "google":  # models/NAME:generateContent
            model, _, endpoint = rest.removeprefix("models/").partition(":")
        else:
            model, endpoint = request.get("model", ""), rest
        ref = f"{provider}/{model}"
        key = self.headers.get("authorization") or self.headers.get("x-api-key") or self.headers.get("x-goog-api-key") or ""
        with self.state.lock:
            self.state.calls.append(Call(ref, endpoint, key))
            fail = ref in self.state.failing
        if fail:
            return self._json(500, {"error": {"message": f"{ref} is failing", "type": "server_error", "code": 500}})
        return self._answer(provider, endpoint, ref, request)

    def _answer(self, provider: str, endpoint: str, ref: str, request: dict[str, Any]) -> None:
        text = f"served by {ref}"
        usage = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS, "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}
        if provider == "anthropic":
            return self._anthropic(ref, text, stream=bool(request.get("stream")))
        if provider == "google":
            return self._gemini(endpoint, text, request)
        if endpoint.startswith("api/"):  # ollama's own API
            return self._ollama(request, text)
        if endpoint.endswith("embeddings"):
            vector = [0.5, 0.25]
            as_base64 = request.get("encoding_format") == "base64"
            encoded: object = base64.b64encode(struct.pack("<2f", *vector)).decode() if as_base64 else vector
            return self._json(200, {"object": "list", "model": request["model"],
                                    "data": [{"object": "embedding", "index": 0, "embedding": encoded}],
                                    "usage": {"prompt_tokens": PROMPT_TOKENS, "total_tokens": PROMPT_TOKENS}})
        if endpoint.endswith("images/generations"):
            return self._json(200, {"created": 1, "data": [{"b64_json": base64.b64encode(text.encode()).decode(), "revised_prompt": text}],
                                    "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": COMPLETION_TOKENS,
                                              "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS,
                                              "input_tokens_details": {"text_tokens": PROMPT_TOKENS, "image_tokens": 0}}})
        if endpoint.endswith("audio/transcriptions"):  # verbose_json's shape whatever was asked: the cost needs the duration
            return self._json(200, {"task": "transcribe", "language": "english", "duration": AUDIO_SECONDS, "text": text})
        head = {"id": "chatcmpl-1", "created": 1, "model": request["model"], "service_tier": "default"}  # groq/ needs service_tier
        if not request.get("stream"):
            return self._json(200, {**head, "object": "chat.completion", "usage": usage,
                                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]})
        chunk = {**head, "object": "chat.completion.chunk"}
        events = [{**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}]},
                  {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        if (request.get("stream_options") or {}).get("include_usage"):
            events.append({**chunk, "choices": [], "usage": usage})
        elif provider == "mistral":  # Mistral's API puts the usage on its last chunk unasked (LiteLLM does not ask it)
            events[-1]["usage"] = usage
        self._stream([f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"])

    def _anthropic(self, ref: str, text: str, *, stream: bool) -> None:
        model = ref.split("/", 1)[1]
        message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "stop_sequence": None}
        if not stream:
            return self._json(200, {**message, "content": [{"type": "text", "text": text}], "stop_reason": "end_turn",
                                    "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": COMPLETION_TOKENS}})
        events = [
            ("message_start", {"type": "message_start", "message": {**message, "content": [], "stop_reason": None,
                                                                      "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": 1}}}),
            ("content_block_start", {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            ("content_block_delta", {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
            ("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                               "usage": {"output_tokens": COMPLETION_TOKENS}}),
            ("message_stop", {"type": "message_stop"}),
        ]
        self._stream([f"event: {name}\ndata: {json.dumps(data)}\n\n" for name, data in events])

    def _gemini(self, endpoint: str, text: str, request: dict[str, Any]) -> None:
        if endpoint == "batchEmbedContents":  # no usage: LiteLLM counts the input's tokens itself
            return self._json(200, {"embeddings": [{"values": [0.5, 0.25]} for _ in request.get("requests", [])]})
        answer = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
                  "usageMetadata": {"promptTokenCount": PROMPT_TOKENS, "candidatesTokenCount": COMPLETION_TOKENS,
                                    "totalTokenCount": PROMPT_TOKENS + COMPLETION_TOKENS}}
        if endpoint == "streamGenerateContent":
            return self._stream([f"data: {json.dumps(answer)}\r\n\r\n"])
        return self._json(200, answer)

    def _ollama(self, request: dict[str, Any], text: str) -> None:
        final = {"model": request["model"], "created_at": "2026-01-01T00:00:00Z", "done": True, "done_reason": "stop",
                 "prompt_eval_count": PROMPT_TOKENS, "eval_count": COMPLETION_TOKENS, "response": "",
                 "message": {"role": "assistant", "content": ""}}
        if not request.get("stream"):
            return self._json(200, {**final, "response": text, "message": {"role": "assistant", "content": text}})
        first = {"model": request["model"], "created_at": "2026-01-01T00:00:00Z", "done": False, "response": text,
                 "message": {"role": "assistant", "content": text}}
        self._stream([json.dumps(first) + "\n", json.dumps(final) + "\n"], content_type="application/x-ndjson")

    def _stream(self, parts: list[str], content_type: str = "text/event-stream") -> None:
        self.send_response(200)
        self.send_header("content-type", content_type)
        self.send_header("connection", "close")
        self.end_headers()
        for part in parts:
            self.wfile.write(part.encode())
            self.wfile.flush()
        self.close_connection = True


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    state = Upstream()
    handler = type("Handler", (FakeHandler,), {"state": state})
    with serving(handler) as state.base:
        yield state


# --- the proxy --------------------------------------------------------------------------------


def litellm_program() -> str:
    """The ``litellm`` console script of the interpreter running the tests (the conformance extra installs it)."""
    beside = Path(sys.executable).parent / "litellm"
    found = str(beside) if beside.exists() else shutil.which("litellm")
    if found is None:
        missing_tool("the LiteLLM proxy (`litellm`) is not installed; install it with: pip install -e '.[conformance]'")
    for extra in ("fastapi", "uvicorn"):  # the proxy extra's servers (importing the proxy itself here would take seconds)
        require_module(extra)
    return str(found)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def keys() -> dict[str, str]:
    return {p.api_key_env: f"key-from-{p.api_key_env}" for p in BUILTIN.values() if p.api_key_env}


@dataclass
class Proxy:
    base: str
    config: Path
    log: Path


def proxy_environment(**more: str) -> dict[str, str]:
    """The environment a test's proxy runs in: every provider's key, the master key, no cost-map download."""
    return {**os.environ, **keys(), "LITELLM_MASTER_KEY": MASTER_KEY, "LITELLM_LOCAL_MODEL_COST_MAP": "True",
            "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", **more}


def launch(config: Path, env: dict[str, str], *, niceness: int = 0) -> tuple[subprocess.Popen[bytes], Proxy]:
    """Start ``litellm --config CONFIG`` on 127.0.0.1 (a free port), its output in ``proxy.log`` beside the config;
    ``ready`` waits for it. Launch several before waiting for any: each takes ~10 s of CPU to start. ``niceness``
    lowers its scheduling priority, so that a proxy needed later leaves the CPU to the one needed first."""
    program = litellm_program()
    port = free_port()
    log = config.with_name(f"{config.stem}.proxy.log")
    with log.open("wb") as out:
        process = subprocess.Popen([program, "--config", str(config), "--host", "127.0.0.1", "--port", str(port)],
                                   env=env, stdout=out, stderr=subprocess.STDOUT, cwd=config.parent)
    if niceness:
        os.setpriority(os.PRIO_PROCESS, process.pid, niceness)
    return process, Proxy(f"http://127.0.0.1:{port}", config, log)


def ready(process: subprocess.Popen[bytes], proxy: Proxy) -> None:
    """Wait until the proxy answers its liveness probe (not /health: that calls every model); fail with its log."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            pytest.fail(f"litellm exited with {process.returncode}:\n{proxy.log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{proxy.base}/health/liveliness", timeout=2) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"litellm did not answer within {START_TIMEOUT} s:\n{proxy.log.read_text()[-3000:]}")
        time.sleep(0.25)


class Proxies:
    """The proxy of each served registry, launched together; each is waited for (``ready``) when a test first asks
    for its client, so the later ones finish starting while the first registry's aliases are driven."""

    def __init__(self) -> None:
        self.launched: dict[str, tuple[subprocess.Popen[bytes], Proxy]] = {}
        self.clients: dict[str, Any] = {}

    def client(self, name: str) -> Any:
        """An openai SDK client on ``name``'s proxy, once it answers; the SDK's defaults otherwise."""
        if name not in self.clients:
            openai = require_module("openai")
            process, proxy = self.launched[name]
            ready(process, proxy)
            self.clients[name] = openai.OpenAI(base_url=f"{proxy.base}/v1", api_key=MASTER_KEY)
        return self.clients[name]


@pytest.fixture(scope="module")
def proxies(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxies]:
    """One ``litellm --config`` per served registry, from the file ``regc build`` writes; all launched before any
    is waited for."""
    litellm_program()
    lines = ["", "[targets.litellm]", 'path = "config.yaml"']
    for name, provider in sorted(BUILTIN.items()):
        if provider.litellm and name not in NATIVE_BASE_ENV:
            lines += ["", f"[providers.{name}]", f'api_base = "{upstream.base}/{name}/v1"']
    env = proxy_environment(**{var: f"{upstream.base}/{name}" for name, var in NATIVE_BASE_ENV.items()})
    started = Proxies()
    try:
        for name, case in SERVED.items():
            root = tmp_path_factory.mktemp("proxy")
            root.joinpath(name).write_bytes(case.source.read_bytes())
            root.joinpath("regc.toml").write_text("\n".join([f'registry = "{name}"', *lines]) + "\n")
            built = run_regc("build", cwd=root)
            assert built.code == 0, f"{name}: {built.err}"
            # the first registry's proxy at normal priority: its tests run while the others finish starting
            started.launched[name] = launch(root / "config.yaml", env, niceness=10 if started.launched else 0)
        yield started
    finally:
        for process, _ in started.launched.values():  # all asked to end at once, then each waited for
            process.terminate()
        for process, _ in started.launched.values():
            stop(process, timeout=20)


@contextlib.contextmanager
def running_proxy(config: Path, env: dict[str, str], unset: tuple[str, ...] = ()) -> Iterator[Proxy]:
    """``litellm --config CONFIG`` on 127.0.0.1 with ``env`` added to this environment and ``unset`` taken from it,
    ready; stopped on exit."""
    environment = {**{k: v for k, v in os.environ.items() if k not in unset}, "LITELLM_MASTER_KEY": MASTER_KEY,
                   "LITELLM_LOCAL_MODEL_COST_MAP": "True", "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost", **env}
    process, started = launch(config, environment)
    try:
        ready(process, started)
        yield started
    finally:
        stop(process, timeout=20)


# --- what the registry says ---------------------------------------------------------------------


def expected_cost(case: Served, ref: str, *, prompt: int = PROMPT_TOKENS, completion: int = COMPLETION_TOKENS) -> Decimal | None:
    """The registry's price of one answer of ``ref`` with the usage the fake returned; None for a registry with no
    Models table (seed-000.md), which prices nothing: regc writes no price, and LiteLLM reports its own."""
    if not case.registry.models:
        return None
    model = case.registry.model(ref)
    assert model is not None, f"{ref} has a Models row"

    def usd(cell: object, amount: Decimal | int) -> Decimal:
        if not isinstance(cell, Price):
            return Decimal(0)
        if cell.unit == "mtok":
            return cell.usd * amount / MTOK
        if cell.unit == "minute":
            return cell.usd * Decimal(AUDIO_SECONDS) / 60
        if cell.unit == "second":
            return cell.usd * Decimal(AUDIO_SECONDS)
        return cell.usd  # one image

    if model.kind == "transcription":
        return usd(model.input, 0)
    if model.kind == "embedding":
        return usd(model.input, prompt)
    return usd(model.input, prompt) + usd(model.output, completion)


def assert_cost(case: Served, reported: float | str | None, ref: str, **usage: int) -> None:
    expected = expected_cost(case, ref, **usage)
    if expected is None:  # the registry states no price
        return
    if expected == 0:  # LiteLLM sends no cost header for a free answer
        assert reported is None or float(reported) == 0, f"{ref}: {reported}"
        return
    assert reported is not None, f"{ref}: the proxy reported no cost"
    assert float(reported) == pytest.approx(float(expected), rel=1e-9, abs=1e-15), ref


AUDIO = ("hello.wav", b"RIFF\x00\x00\x00\x00WAVE", "audio/wav")


def ask(client: Any, upstream: Upstream, case: Served, alias: str, answering: str) -> None:
    """One request of each form the alias's kind has; each is answered by ``answering`` after the models before it."""
    kind = case.registry.kind(alias)
    chain = case.chains[alias]
    expected_order = chain[: chain.index(answering) + 1]

    def check_order(form: str) -> None:
        assert upstream.asked() == expected_order, f"{alias} ({form}): asked {upstream.asked()}, expected {expected_order}"
        assert upstream.calls[-1].ref == answering
        for call in upstream.calls:  # each provider received its own key, never another's
            variable = BUILTIN[call.ref.split("/", 1)[0]].api_key_env
            assert call.key in ({f"Bearer key-from-{variable}", f"key-from-{variable}"} if variable else {""}), (call.ref, call.key)
        upstream.calls.clear()

    if kind == "embedding":
        raw = client.embeddings.with_raw_response.create(model=alias, input="hello")  # encoding_format: base64, the default
        answer = raw.parse()
        assert list(answer.data[0].embedding) == [0.5, 0.25]
        check_order("embedding")
        assert_cost(case, raw.headers.get("x-litellm-response-cost"), answering, prompt=answer.usage.prompt_tokens)
        return
    if kind == "image":
        raw = client.images.with_raw_response.generate(model=alias, prompt="a lighthouse")
        assert base64.b64decode(raw.parse().data[0].b64_json).decode() == f"served by {answering}"
        check_order("image")
        assert_cost(case, raw.headers.get("x-litellm-response-cost"), answering)
        return
    if kind == "transcription":
        raw = client.audio.transcriptions.with_raw_response.create(model=alias, file=AUDIO)
        assert raw.parse().text == f"served by {answering}"
        check_order("transcription")
        assert_cost(case, raw.headers.get("x-litellm-response-cost"), answering)
        return
    assert kind in (None, "chat"), f"{alias}: no test drives kind {kind}"
    messages = [{"role": "user", "content": "hello"}]
    raw = client.chat.completions.with_raw_response.create(model=alias, messages=messages)
    answer = raw.parse()
    assert answer.choices[0].message.content == f"served by {answering}"
    assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (PROMPT_TOKENS, COMPLETION_TOKENS)
    assert raw.headers.get("x-litellm-model-group") in (alias, answering)
    check_order("chat")
    assert_cost(case, raw.headers.get("x-litellm-response-cost"), answering)
    for include_usage in (False, True):
        options = {"stream_options": {"include_usage": True}} if include_usage else {}
        chunks = list(client.chat.completions.create(model=alias, messages=messages, stream=True, **options))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == f"served by {answering}", f"{alias} stream (include_usage={include_usage})"
        check_order(f"stream, include_usage={include_usage}")
        usage = [c.usage for c in chunks if c.usage is not None]
        if include_usage:
            assert usage, f"{alias}: no usage chunk"
            assert (usage[-1].prompt_tokens, usage[-1].completion_tokens) == (PROMPT_TOKENS, COMPLETION_TOKENS), answering
            assert_cost(case, (usage[-1].model_extra or {}).get("cost"), answering)  # streams carry no cost header
        else:
            assert not usage, f"{alias}: a usage chunk nobody asked for"


def ask_once(client: Any, case: Served, alias: str) -> object:
    """One request of the alias's kind, with no retry by the SDK."""
    kind = case.registry.kind(alias)
    once = client.with_options(max_retries=0)
    if kind == "embedding":
        return once.embeddings.create(model=alias, input="hello")
    if kind == "image":
        return once.images.generate(model=alias, prompt="a lighthouse")
    if kind == "transcription":
        return once.audio.transcriptions.create(model=alias, file=AUDIO)
    return once.chat.completions.create(model=alias, messages=[{"role": "user", "content": "hi"}])


@pytest.mark.parametrize(("source", "alias"), CASES)
def test_every_alias_walks_its_chain_through_the_proxy(proxies: Proxies, upstream: Upstream, source: str, alias: str) -> None:
    """Primary healthy, then each prefix of the chain failing, then all: the registry's order, its prices."""
    openai = require_module("openai")
    case, client = SERVED[source], proxies.client(source)
    chain = case.chains[alias]
    try:
        for k, answering in enumerate(chain):
            upstream.failing = set(chain[:k])
            upstream.calls.clear()
            ask(client, upstream, case, alias, answering)
        upstream.failing = set(chain)
        upstream.calls.clear()
        # max_retries=0 here only: the SDK's default would ask the proxy to walk the failing chain twice more
        with pytest.raises(openai.APIStatusError) as failed:
            ask_once(client, case, alias)
        assert failed.value.status_code >= 500
        assert upstream.asked() == chain, f"{alias}: all failing, asked {upstream.asked()}"
    finally:
        upstream.failing = set()
