"""What ``regc doctor``'s ``openai-key`` check warns of, measured on the real proxy it warns about.

A self-hosted OpenAI-compatible server configured without a key variable (``[providers.lab] litellm = "openai"``,
no ``api_key_env``): regc generates a deployment without ``api_key``, doctor calls it a problem, and the LiteLLM
1.102.4 proxy started from that file does send ``OPENAI_API_KEY`` to the server. A second server configured the same
way but with ``api_key_env`` receives its own key, and doctor says nothing of it. One proxy serves both (~4 s to start).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import JsonHandler, require_module, run_regc, serving, stop
from tests.test_litellm_proxy import MASTER_KEY, Proxy, launch, litellm_program, proxy_environment, ready

OPENAI_KEY = "sk-OPENAI-SECRET"
REGISTRY = """\
title: Self-hosted
aliases:
  leaky:
    title: A server with no key variable
    primary: lab/qwen2.5-7b
  keyed:
    title: A server with its own key variable
    primary: keyed/qwen2.5-7b
models:
  lab/qwen2.5-7b: {kind: chat, input: 0, output: 0, context: 32K, status: active, source: self-hosted}
  keyed/qwen2.5-7b: {kind: chat, input: 0, output: 0, context: 32K, status: active, source: self-hosted}
"""
LAB_KEY = "lab-own-key"


@dataclass
class Lab:
    base: str
    keys: dict[str, list[str]]  # server (the path's first part) -> the Authorization header of each request
    lock: threading.Lock


class LabServer(JsonHandler):
    """The self-hosted servers (``/lab/v1``, ``/keyed/v1``): record each request's Authorization header and answer it."""

    lab: Lab

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
        with self.lab.lock:
            self.lab.keys.setdefault(self.path.strip("/").split("/")[0], []).append(self.headers.get("authorization") or "")
        self._json(200, {"id": "1", "object": "chat.completion", "created": 1, "model": request.get("model", ""),
                         "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
                         "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})


@dataclass
class Served:
    root: Path
    proxy: Proxy
    lab: Lab


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    litellm_program()
    state = Lab("", {}, threading.Lock())
    root = tmp_path_factory.mktemp("lab")
    with serving(type("Lab", (LabServer,), {"lab": state})) as state.base:
        root.joinpath("registry.yaml").write_text(REGISTRY)
        root.joinpath("regc.toml").write_text(
            f'registry = "registry.yaml"\n\n[targets.litellm]\npath = "config.yaml"\n\n'
            f'[providers.lab]\nlitellm = "openai"\napi_base = "{state.base}/lab/v1"\nlocal = true\n\n'
            f'[providers.keyed]\nlitellm = "openai"\napi_base = "{state.base}/keyed/v1"\nlocal = true\napi_key_env = "LAB_KEY"\n')
        built = run_regc("build", cwd=root)
        assert built.code == 0, built.err
        process, proxy = launch(root / "config.yaml", proxy_environment(OPENAI_API_KEY=OPENAI_KEY, LAB_KEY=LAB_KEY))
        try:
            ready(process, proxy)
            yield Served(root, proxy, state)
        finally:
            stop(process, timeout=20)


def ask(served: Served, alias: str) -> list[str]:
    """The Authorization headers the alias's server received for one chat request."""
    openai = require_module("openai")
    client = openai.OpenAI(base_url=f"{served.proxy.base}/v1", api_key=MASTER_KEY, max_retries=0)
    served.lab.keys.clear()
    answer = client.chat.completions.create(model=alias, messages=[{"role": "user", "content": "hi"}])
    assert answer.choices[0].message.content == "hi"
    return served.lab.keys.get({"leaky": "lab", "keyed": "keyed"}[alias], [])


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in (("OPENAI_API_KEY", OPENAI_KEY), ("LITELLM_MASTER_KEY", MASTER_KEY), ("LAB_KEY", LAB_KEY)):
        monkeypatch.setenv(name, value)


@pytest.mark.usefixtures("environment")
def test_doctor_names_the_server_that_receives_openais_key_and_only_that_one(served: Served) -> None:
    assert ask(served, "leaky") == [f"Bearer {OPENAI_KEY}"]  # the leak, as the proxy does it
    assert ask(served, "keyed") == [f"Bearer {LAB_KEY}"]
    result = run_regc("doctor", cwd=served.root)
    assert result.code == 1
    assert result.out.splitlines() == [
        f"litellm: model group 'leaky' (openai/qwen2.5-7b at {served.lab.base.removeprefix('http://')}) has no api_key: "
        "LiteLLM 1.102.4 sends OPENAI_API_KEY "
        "there in its place (or no key at all); give its provider a key variable (`api_key_env` in [providers.NAME] of the "
        "configuration, any variable even for a server that needs no key; in a hand-written file `api_key: os.environ/VAR`)"]
    assert OPENAI_KEY not in result.out + result.err
