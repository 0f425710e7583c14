"""The portkey target, proven by the open-source Portkey gateway (``@portkey-ai/gateway@1.15.2`` from npm).

.ci/run installs the gateway under ``.ci/portkey`` (its package.json pins ``@hono/node-server`` to 1.13.5
through npm ``overrides``: with the version npm picks by default every streaming and embeddings request
fails inside the gateway with "TypeError: immutable"). The live tests start
``node --require .ci/portkey/loopback.cjs …/build/start-server.js --port=N --headless`` on 127.0.0.1 only,
a fake OpenAI-compatible upstream on 127.0.0.1 that every provider's ``api_base`` points at (through
``[providers.NAME] api_base`` in a regc.toml, built by ``regc build``), and drive the gateway with the
official ``openai`` SDK, the config in ``x-portkey-config`` with its key placeholders filled as a deployer
fills them. For every alias of this repository's registry that the target serves: the primary answers
when healthy, and each fallback in registry order when every model before it answers 500, for chat,
streaming chat and embeddings; ``x-portkey-last-used-option-index`` names that target; each upstream got
its provider's key. Expected values come from ``regc.load`` and the provider table, never from the
target's code.

Without node or the installed gateway the live tests skip, or fail under ``REGC_CONFORMANCE=required``.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import regc
from regc.model.providers import BUILTIN
from regc.model.resolve import ResolvedRegistry
from regc.targets import portkey
from tests.conftest import FIXTURES, GOOD, ROOT, JsonHandler, missing_tool, require_module, require_tool, run_regc, serving, stop
from tests.registries import load_text, yaml_registries

GATEWAY_DIR = ROOT / ".ci" / "portkey"
START_SERVER = GATEWAY_DIR / "node_modules" / "@portkey-ai" / "gateway" / "build" / "start-server.js"
LOOPBACK = GATEWAY_DIR / "loopback.cjs"
SLOW_SECONDS = 2.0
PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def fake_key(variable: str) -> str:
    return f"sk-test-{variable}"


def fill_keys(config: object) -> object:
    """What a deployer does before sending a config: each ``${VAR}`` replaced by the variable's value."""
    return json.loads(PLACEHOLDER.sub(lambda m: fake_key(m[1]), json.dumps(config)))


# --- the gateway ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on ``port`` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.fixture(scope="module")
def gateway() -> Iterator[str]:
    """The Portkey gateway, listening on 127.0.0.1 only; its base URL. Stopped afterwards."""
    node = require_tool("node")
    if not START_SERVER.is_file():
        missing_tool(f"the Portkey gateway is not installed at {START_SERVER.relative_to(ROOT)}; "
                     "install it with: npm ci --prefix .ci/portkey")
    port = _free_port()
    process = subprocess.Popen(
        [node, "--require", str(LOOPBACK), str(START_SERVER), f"--port={port}", "--headless"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=GATEWAY_DIR,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(base + "/", timeout=2) as response:
                    assert b"AI Gateway says hey!" in response.read()
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"the Portkey gateway did not start: {process.stderr.read() if process.stderr else ''!r}")
                time.sleep(0.05)
        assert _listening_addresses(port) == {"0100007F"}, "the gateway listens on 127.0.0.1 only"
        yield base
    finally:
        stop(process, timeout=10)
        if process.stderr:
            process.stderr.close()


# --- the fake upstream ----------------------------------------------------------------------------------


@dataclass
class Upstream:
    base: str
    calls: list[tuple[str, str]] = field(default_factory=list)  # (provider, model), in the order received
    keys: dict[str, str] = field(default_factory=dict)  # provider -> Authorization header seen
    failing: set[tuple[str, str]] = field(default_factory=set)
    slow: set[tuple[str, str]] = field(default_factory=set)  # answer after SLOW_SECONDS


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    """An OpenAI-compatible server on 127.0.0.1; ``/<provider>/v1/...`` tells the providers apart."""
    state = Upstream(base="")
    lock = threading.Lock()

    class Handler(JsonHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
            provider, _, endpoint = self.path.lstrip("/").partition("/")
            model = str(body.get("model", ""))
            with lock:
                state.calls.append((provider, model))
                state.keys[provider] = self.headers.get("authorization") or ""
                fail = (provider, model) in state.failing
                slow = (provider, model) in state.slow
            if slow:
                time.sleep(SLOW_SECONDS)
            if fail:
                return self._send(500, {"error": {"message": "upstream failure", "type": "server_error", "code": 500}})
            answer = f"served by {provider}/{model}"
            if endpoint.endswith("embeddings"):
                return self._send(200, {"object": "list", "model": model, "usage": {"prompt_tokens": 3, "total_tokens": 3},
                                        "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}]})
            if body.get("stream"):
                chunk = {"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": model,
                         "choices": [{"index": 0, "delta": {"role": "assistant", "content": answer}, "finish_reason": None}]}
                end = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                data = b"".join(f"data: {json.dumps(c)}\n\n".encode() for c in (chunk, end)) + b"data: [DONE]\n\n"
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return None
            return self._send(200, {"id": "c1", "object": "chat.completion", "created": 1, "model": model,
                                    "choices": [{"index": 0, "finish_reason": "stop",
                                                 "message": {"role": "assistant", "content": answer}}],
                                    "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}})

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            # The gateway may have given up on a slow answer (request_timeout_ms): what that test asks of it.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._json(status, payload)

    with serving(Handler) as state.base:
        yield state


def build_against(upstream: Upstream, registry_path: Path, tmp_path: Path, *options: str) -> dict[str, Any]:
    """``regc build`` with every provider's api_base on the fake upstream; the configs file it wrote."""
    tmp_path.joinpath(registry_path.name).write_bytes(registry_path.read_bytes())
    lines = [f'registry = "{registry_path.name}"', "", "[targets.portkey]", 'path = "configs.json"', *options]
    for name in sorted(BUILTIN):
        if BUILTIN[name].api_base is not None:
            lines += ["", f"[providers.{name}]", f'api_base = "{upstream.base}/{name}/v1"']
    tmp_path.joinpath("regc.toml").write_text("\n".join(lines) + "\n")
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads(tmp_path.joinpath("configs.json").read_text(encoding="utf-8"))
    return document


def reachable(registry: ResolvedRegistry, alias: str) -> list[tuple[str, str]]:
    """The chain's models the gateway can be sent to (their provider has an api_base), in order."""
    return [(ref.provider or "", ref.model) for ref in registry.resolve(alias).models
            if ref.provider is not None and ref.provider in BUILTIN and BUILTIN[ref.provider].api_base is not None]


def _request(client: Any, endpoint: str) -> tuple[str, str]:
    """One request for ``endpoint`` (chat, stream, embeddings): which upstream answered, and the index header."""
    if endpoint == "embeddings":
        raw = client.embeddings.with_raw_response.create(model="alias-name", input="hello")
        raw.parse()
        return "", raw.headers.get("x-portkey-last-used-option-index", "")
    messages = [{"role": "user", "content": "hi"}]
    if endpoint == "stream":
        raw = client.chat.completions.with_raw_response.create(model="alias-name", messages=messages, stream=True)
        text = "".join(chunk.choices[0].delta.content or "" for chunk in raw.parse() if chunk.choices)
    else:
        raw = client.chat.completions.with_raw_response.create(model="alias-name", messages=messages)
        text = raw.parse().choices[0].message.content or ""
    return text, raw.headers.get("x-portkey-last-used-option-index", "")


def test_every_alias_reaches_its_primary_then_each_fallback_in_order(gateway: str, upstream: Upstream, tmp_path: Path) -> None:
    openai = require_module("openai")
    registry = regc.load(ROOT / "registry.md")
    configs = build_against(upstream, ROOT / "registry.md", tmp_path)["configs"]
    served = [a.name for a in registry.aliases if registry.kind(a.name) in {"chat", "embedding", None} and reachable(registry, a.name)]
    assert sorted(configs) == sorted(served)
    assert any(len(reachable(registry, name)) >= 4 for name in served), "a long chain is walked"
    for name in served:
        chain = reachable(registry, name)
        header = portkey.header_value(fill_keys(configs[name]))
        client = openai.OpenAI(base_url=f"{gateway}/v1", api_key="ignored-by-the-gateway", max_retries=0,
                               default_headers={"x-portkey-config": header})
        endpoints = ["embeddings"] if registry.kind(name) == "embedding" else ["chat", "stream"]
        for endpoint in endpoints:
            for answering in range(len(chain)):
                upstream.failing = set(chain[:answering])
                upstream.calls.clear()
                upstream.keys.clear()
                text, index = _request(client, endpoint)
                where = f"{name} {endpoint}, {answering} failing"
                assert upstream.calls == chain[:answering + 1], where
                provider, model = chain[answering]
                if endpoint != "embeddings":
                    assert text == f"served by {provider}/{model}", where
                assert index == f"config.targets[{answering}]", where
                for called in {p for p, _ in upstream.calls}:
                    variable = BUILTIN[called].api_key_env
                    expected = f"Bearer {fake_key(variable)}" if variable else f"Bearer {portkey.NO_KEY}"
                    assert upstream.keys[called] == expected, where
    upstream.failing = set()


def test_a_chain_through_every_provider_is_walked_in_order(gateway: str, upstream: Upstream, tmp_path: Path) -> None:
    """One model of every provider with an api_base (native Portkey providers and the ones reached as ``openai``)."""
    openai = require_module("openai")
    models = [f"{name}/model-{index}" for index, name in enumerate(sorted(BUILTIN)) if BUILTIN[name].api_base is not None]
    (tmp_path / "src").mkdir()
    source = tmp_path / "src" / "registry.md"
    source.write_text("# All providers\n\n## Everyone · alias `everyone`\n\n| | |\n|---|---|\n"
                      f"| **Primary** | `{models[0]}` |\n| **Alternatives** | {', '.join(f'`{m}`' for m in models[1:])} |\n")
    registry = regc.load(source)
    chain = reachable(registry, "everyone")
    assert len(chain) == len(models) >= 10
    config = build_against(upstream, source, tmp_path)["configs"]["everyone"]
    assert {t["provider"] for t in config["targets"]} >= {"openai", *portkey.NATIVE.values()}
    client = openai.OpenAI(base_url=f"{gateway}/v1", api_key="x", max_retries=0,
                           default_headers={"x-portkey-config": portkey.header_value(fill_keys(config))})
    try:
        for answering in range(len(chain)):
            upstream.failing, upstream.calls[:] = set(chain[:answering]), []
            text, index = _request(client, "chat")
            assert upstream.calls == chain[:answering + 1]
            assert text == f"served by {chain[answering][0]}/{chain[answering][1]}" and index == f"config.targets[{answering}]"
    finally:
        upstream.failing = set()


def test_a_status_outside_on_status_codes_is_returned_not_handed_over(gateway: str, upstream: Upstream, tmp_path: Path) -> None:
    """With ``on_status_codes = [429]`` a 500 from the primary reaches the client: no fallback is tried."""
    openai = require_module("openai")
    registry = regc.load(ROOT / "registry.md")
    configs = build_against(upstream, ROOT / "registry.md", tmp_path, "on_status_codes = [429]")["configs"]
    name = next(name for name in configs if registry.kind(name) == "chat" and len(reachable(registry, name)) >= 2)
    chain = reachable(registry, name)
    client = openai.OpenAI(base_url=f"{gateway}/v1", api_key="x", max_retries=0,
                           default_headers={"x-portkey-config": portkey.header_value(fill_keys(configs[name]))})
    upstream.failing, upstream.calls[:] = {chain[0]}, []
    try:
        with pytest.raises(openai.InternalServerError):
            client.chat.completions.create(model=name, messages=[{"role": "user", "content": "hi"}])
        assert upstream.calls == [chain[0]]
    finally:
        upstream.failing = set()


def test_retry_attempts_and_request_timeout_are_what_the_gateway_does(gateway: str, upstream: Upstream, tmp_path: Path) -> None:
    """``retry_attempts = 1``: a failing primary is called twice, then the fallback answers; ``request_timeout_ms``:
    a primary slower than it hands over (the gateway's 408) well before the primary would have answered."""
    openai = require_module("openai")
    registry = regc.load(ROOT / "registry.md")
    configs = build_against(upstream, ROOT / "registry.md", tmp_path, "retry_attempts = 1", "request_timeout_ms = 500")["configs"]
    name = next(name for name in configs if registry.kind(name) == "chat" and len(reachable(registry, name)) >= 2)
    chain = reachable(registry, name)
    client = openai.OpenAI(base_url=f"{gateway}/v1", api_key="x", max_retries=0,
                           default_headers={"x-portkey-config": portkey.header_value(fill_keys(configs[name]))})
    try:
        upstream.failing, upstream.calls[:] = {chain[0]}, []
        text, index = _request(client, "chat")
        assert upstream.calls == [chain[0], chain[0], chain[1]] and index == "config.targets[1]"
        upstream.failing, upstream.slow, upstream.calls[:] = set(), {chain[0]}, []
        start = time.monotonic()
        text, index = _request(client, "chat")
        assert time.monotonic() - start < SLOW_SECONDS
        assert text == f"served by {chain[1][0]}/{chain[1][1]}" and index == "config.targets[1]"
    finally:
        upstream.failing, upstream.slow = set(), set()


# --- the file itself ------------------------------------------------------------------------------------


def _schema_keys(source: str, anchor: str) -> set[str]:
    """The top-level keys of the zod ``object({...})`` that starts at ``anchor`` in the gateway's bundle."""
    start = source.index(anchor) + len(anchor)
    keys: set[str] = set()
    depth, key_start, quote, i = 0, start, "", start
    while True:
        ch = source[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return keys
            depth -= 1
        elif ch == "," and depth == 0:
            key_start = i + 1
        elif ch == ":" and depth == 0 and key_start >= 0:
            keys.add(source[key_start:i].strip())
            key_start = -1
        i += 1


def test_every_key_written_is_one_the_gateway_reads() -> None:
    """The gateway ignores unknown keys silently, so each key regc writes is pinned against its source."""
    if not START_SERVER.is_file():
        missing_tool(f"the Portkey gateway is not installed at {START_SERVER.relative_to(ROOT)}")
    source = START_SERVER.read_text(encoding="utf-8")
    match = re.search(r"const (\w+)=(\w+)\.object\(\{strategy:\2\.object\(\{mode:", source)
    assert match, "the config schema (a zod object opening with strategy) is in the bundle"
    config_keys = _schema_keys(source, match[0].removesuffix("strategy:" + match[2] + ".object({mode:"))
    strategy_keys = _schema_keys(source, f"strategy:{match[2]}.object({{")
    retry_keys = _schema_keys(source, f"retry:{match[2]}.object({{")
    assert {"strategy", "provider", "api_key", "custom_host", "retry", "request_timeout", "targets"} <= config_keys
    # override_params is used but not in the schema: the gateway merges it into each target's request body.
    assert re.search(r'\["override_params","params"', source), "override_params is kept verbatim by the gateway"
    assert portkey.ALLOWED_KEYS["config"] <= config_keys
    assert portkey.ALLOWED_KEYS["target"] <= config_keys | {"override_params"}
    assert portkey.ALLOWED_KEYS["strategy"] <= strategy_keys
    assert portkey.ALLOWED_KEYS["retry"] <= retry_keys


def _walk(config: dict[str, Any]) -> None:
    assert set(config) <= portkey.ALLOWED_KEYS["config"]
    assert set(config["strategy"]) <= portkey.ALLOWED_KEYS["strategy"]
    assert set(config.get("retry", {})) <= portkey.ALLOWED_KEYS["retry"]
    for target in config["targets"]:
        assert set(target) == portkey.ALLOWED_KEYS["target"]
        assert set(target["override_params"]) == {"model"}


@pytest.mark.parametrize("path", [ROOT / "registry.md", *GOOD], ids=lambda p: p.name)
def test_configs_hold_only_allowed_keys_and_the_chain_in_order(path: Path) -> None:
    registry = regc.load(path)
    options = portkey.PortkeyOptions(on_status_codes=[429, 500], retry_attempts=2, request_timeout_ms=5000)
    outputs = portkey.PortkeyTarget().render(registry, options)
    document = json.loads(outputs[options.path])
    assert document["$comment"].startswith("Code generated by regc")
    for name, config in document["configs"].items():
        _walk(config)
        assert config["strategy"] == {"mode": "fallback", "on_status_codes": [429, 500]}
        assert config["retry"] == {"attempts": 2} and config["request_timeout"] == 5000
        models = [t["override_params"]["model"] for t in config["targets"]]
        assert models == [model for _, model in reachable(registry, name)]
    for alias in registry.aliases:
        kind = registry.kind(alias.name)
        if kind not in {"chat", "embedding", None}:
            assert alias.name not in document["configs"]
            assert any(f"kind {kind}" in reason for reason in document["left_out"][alias.name])
        for entry in registry.resolve(alias.name).pending:
            assert f"pending {entry.target}: not routed yet" in document["left_out"][alias.name]


def test_defaults_write_only_the_fallback_mode() -> None:
    document = json.loads(portkey.PortkeyTarget().render(regc.load(ROOT / "registry.md"), portkey.PortkeyOptions())[
        "targets/portkey/configs.json"])
    for config in document["configs"].values():
        assert set(config) == {"strategy", "targets"} and config["strategy"] == {"mode": "fallback"}
    assert document["configs"]["best"]["targets"][0]["api_key"] == "${ANTHROPIC_API_KEY}"


def test_a_config_past_the_header_limit_is_refused(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.portkey]\npath = "c.json"\nmax_header_bytes = 400\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2
    assert "Portkey config is" in result.err and "max_header_bytes (400)" in result.err and "16 KiB" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "c.json").exists()


@pytest.mark.parametrize(("count", "code"), [(40, 0), (200, 2)])
def test_the_default_limit_holds_a_config_under_node_s_16_kib(tmp_path: Path, count: int, code: int) -> None:
    """A chain of 40 long model names (about 9 KB) builds, one of 200 (about 45 KB) is refused; the default leaves
    1 KiB of node's 16 KiB request head for the rest of the request."""
    assert portkey.PortkeyOptions().max_header_bytes + 1024 <= 16 * 1024
    models = [f"openai/model-{i:03d}-{'x' * 90}" for i in range(count)]
    text = ("# Big\n\n## 1. Big · alias `big`\n\n| | |\n|---|---|\n"
            f"| **Primary** | `{models[0]}` |\n| **Alternatives** | {', '.join(f'`{m}`' for m in models[1:])} |\n")
    (tmp_path / "registry.md").write_text(text)
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.portkey]\npath = "c.json"\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == code, result.err
    if code:
        assert "registry.md:3:1: error: alias `big`: its Portkey config is" in result.err
        assert "over max_header_bytes (15360)" in result.err and not (tmp_path / "c.json").exists()
    else:
        config = json.loads((tmp_path / "c.json").read_text())["configs"]["big"]
        assert len(config["targets"]) == count
        assert 8_000 < len(portkey.header_value(fill_keys(config))) < 15_360


def test_unknown_option_names_the_nearest(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.portkey]\non_status_code = [500]\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2
    assert "on_status_codes" in result.err


# --- hostile text: every value reads back as the registry wrote it ----------------------------------


def _round_trip(registry: ResolvedRegistry) -> None:
    options = portkey.PortkeyOptions()
    data = portkey.PortkeyTarget().render(registry, options)[options.path]
    assert portkey.PortkeyTarget().render(registry, options)[options.path] == data, "deterministic bytes"
    document = json.loads(data)
    table = options.providers()
    for alias in registry.aliases:
        chain = [ref for ref in registry.resolve(alias.name).models
                 if ref.provider is not None and ref.provider in table and table[ref.provider].api_base is not None]
        if registry.kind(alias.name) not in {"chat", "embedding", None} or not chain:
            assert alias.name not in document["configs"]
            assert alias.name in document["left_out"]
            continue
        config = document["configs"][alias.name]
        _walk(config)
        assert [(t["override_params"]["model"], t["custom_host"]) for t in config["targets"]] == [
            (ref.model, table[ref.provider or ""].api_base) for ref in chain]
        line = next(line for line in data.decode().splitlines() if line.startswith(f"    {json.dumps(alias.name)}: "))
        value = line.split(": ", 1)[1].removesuffix(",")
        assert value == portkey.header_value(config), "each alias's line holds its config as the header value"
        assert value.isascii() and json.loads(value) == config
    assert set(document["configs"]) <= {a.name for a in registry.aliases}


@pytest.mark.parametrize("path", [*GOOD, *sorted((FIXTURES / "hostile").iterdir()), ROOT / "registry.md"], ids=lambda p: p.name)
def test_fixtures_read_back_as_written(path: Path) -> None:
    _round_trip(regc.load(path))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_registries())
def test_hostile_registries_read_back_as_written(text: str) -> None:
    registry = load_text(text)
    if registry is not None:
        _round_trip(registry)


def test_options_have_a_json_schema_with_their_bounds(tmp_path: Path) -> None:
    schema = portkey.PortkeyOptions.model_json_schema()
    assert schema["additionalProperties"] is False
    properties = schema["properties"]
    assert {"on_status_codes", "retry_attempts", "request_timeout_ms", "max_header_bytes"} <= set(properties)
    assert all(properties[name].get("description") for name in ("on_status_codes", "retry_attempts", "request_timeout_ms"))
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.portkey]\non_status_codes = [500, 42]\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2 and "regc.toml:4:1: error: targets.portkey.on_status_codes.1" in result.err, result.err
