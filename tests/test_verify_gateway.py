"""``regc verify-gateway --litellm URL``: a running LiteLLM proxy against what the registry generates.

Two real ``litellm --config`` proxies (LiteLLM 1.102.4, the conformance extra) run on 127.0.0.1 for the module,
started at once: one from the ``config.yaml`` that ``regc build`` writes for this repository's registry (exit 0),
one from a copy edited as a proxy drifts when models are edited through its API or a ConfigMap is hand-patched:
an alias's model changed, a price changed, a fallback order swapped, an alias removed, one added (with a literal
key), an ``api_base`` moved (with credentials in it). The command must name each of those, and nothing else, and
print none of the secrets. The ways it must refuse (exit 2) are driven against real sockets: nothing listening,
a redirect, an answer that is not JSON, an answer too slow, a refused key.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, JsonHandler, require_module, run_regc, serving, stop
from tests.test_litellm_proxy import MASTER_KEY, Proxy, free_port, launch, litellm_program, proxy_environment, ready

#: Secrets the edited copy carries; none may ever be printed.
LITERAL_KEY = "sk-LITERAL-SECRET-1"
BASE_SECRET = "sk-BASE-SECRET"
QUERY_SECRET = "sk-QUERY-SECRET"
SECRETS = (MASTER_KEY, LITERAL_KEY, BASE_SECRET, QUERY_SECRET)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("verify")
    root.joinpath("registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    root.joinpath("regc.toml").write_text('registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n')
    built = run_regc("build", cwd=root)
    assert built.code == 0, built.err
    return root


def drifted(config: dict[str, object]) -> dict[str, object]:
    """The generated configuration as a proxy drifts from it (each edit is one the comparison must name)."""
    models = config["model_list"]
    assert isinstance(models, list)
    groups = {entry["model_name"]: entry for entry in models}
    groups["general"]["litellm_params"]["model"] = "openai/gpt-4o"  # the alias now served by another model
    groups["embed"]["model_info"]["input_cost_per_token"] = 0.0000002  # a price edited in the UI
    groups["local"]["litellm_params"]["api_base"] = f"http://admin:{BASE_SECRET}@localhost:11435/?token={QUERY_SECRET}"
    models.remove(groups["search"])  # an alias deleted
    models.append({"model_name": "shadow", "litellm_params": {"model": "openai/gpt-4o-mini", "api_key": LITERAL_KEY},
                   "model_info": {"input_cost_per_token": 0.000001}})  # an alias added, with a key in the file
    router = config["router_settings"]
    assert isinstance(router, dict)
    chains = [next(iter(entry.items())) for entry in router["fallbacks"]]
    router["fallbacks"] = [{alias: ([chain[1], chain[0], *chain[2:]] if alias == "reasoning" else chain)}
                           for alias, chain in chains if alias != "search"]
    return config


@dataclass
class Proxies:
    same: Proxy
    drifted: Proxy


@pytest.fixture(scope="module")
def proxies(project: Path) -> Iterator[Proxies]:
    """Both proxies, launched together (each takes ~10 s to start) and stopped when the module ends."""
    litellm_program()
    yaml = require_module("yaml")
    edited = project / "drifted.yaml"
    edited.write_text(yaml.safe_dump(drifted(yaml.safe_load((project / "config.yaml").read_text())), sort_keys=False))
    with contextlib.ExitStack() as stack:
        started = []
        for config in (project / "config.yaml", edited):
            process, proxy = launch(config, proxy_environment())
            stack.callback(stop, process, 20)
            started.append((process, proxy))
        for process, proxy in started:
            ready(process, proxy)
        yield Proxies(started[0][1], started[1][1])


@pytest.fixture
def master_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_MASTER_KEY", MASTER_KEY)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


@pytest.mark.usefixtures("master_key")
def test_the_proxy_started_from_the_generated_file_is_the_same(project: Path, proxies: Proxies) -> None:
    yaml = require_module("yaml")
    config = yaml.safe_load((project / "config.yaml").read_text())
    result = run_regc("verify-gateway", "--litellm", proxies.same.base, cwd=project)
    assert (result.code, result.out) == (0, ""), result.err
    groups, chains = len(config["model_list"]), len(config["router_settings"]["fallbacks"])
    assert f"{proxies.same.base} serves what registry.md generates ({groups} model groups, {chains} fallback chains)" in result.err
    document = json.loads(run_regc("verify-gateway", "--litellm", proxies.same.base + "/", "--format", "json", cwd=project).out)
    assert document == {"gateway": proxies.same.base, "registry": "registry.md", "same": True, "differences": []}
    assert_no_secret(result.out, result.err)


@pytest.mark.usefixtures("master_key")
def test_a_drifted_proxy_names_each_difference_by_alias(project: Path, proxies: Proxies) -> None:
    result = run_regc("verify-gateway", "--litellm", proxies.drifted.base, cwd=project)
    assert result.code == 1, result.err
    assert result.out.splitlines() == [
        "alias 'embed': model_info.input_cost_per_token is 2e-07 on the proxy, the registry generates 1.3e-07",
        "alias 'general': litellm_params.model is 'openai/gpt-4o' on the proxy, the registry generates 'openai/gpt-5.4'",
        "alias 'local': litellm_params.api_base is 'http://localhost:11435/' on the proxy, the registry generates "
        "'http://localhost:11434'",
        "alias 'search': not on the proxy (the registry generates it: 'xai/grok-4.3')",
        "model group 'shadow': on the proxy ('openai/gpt-4o-mini') but not generated from the registry",
        "alias 'reasoning': fallbacks in another order: the proxy tries ['xai/grok-4.20-0309-reasoning', 'openai/gpt-5.5', "
        "'deepseek/deepseek-v4-flash', 'kimi/kimi-k2.6'], the registry ['openai/gpt-5.5', 'xai/grok-4.20-0309-reasoning', "
        "'deepseek/deepseek-v4-flash', 'kimi/kimi-k2.6']",
        "alias 'search': fallbacks [] on the proxy, the registry generates ['openai/gpt-5-search-api']",
    ]
    assert "7 difference(s) in 6 model group(s)" in result.err
    assert_no_secret(result.out, result.err)


@pytest.mark.usefixtures("master_key")
def test_json_lists_the_differences(project: Path, proxies: Proxies) -> None:
    result = run_regc("verify-gateway", "--litellm", proxies.drifted.base, "--format", "json", cwd=project)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["same"] is False
    found = {(d["group"], d["check"]) for d in document["differences"]}
    assert found == {("embed", "price"), ("general", "model"), ("local", "api_base"), ("search", "missing"), ("shadow", "extra"),
                     ("reasoning", "fallback-order"), ("search", "fallbacks")}
    general = next(d for d in document["differences"] if d["group"] == "general")
    assert general == {"group": "general", "check": "model", "field": "litellm_params.model", "expected": "openai/gpt-5.4",
                       "live": "openai/gpt-4o", "message": general["message"]}
    assert_no_secret(result.out, result.err)


def test_the_key_comes_from_the_variable_key_env_names(project: Path, proxies: Proxies, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITELLM_MASTER_KEY", raising=False)
    monkeypatch.setenv("PROXY_ADMIN_KEY", MASTER_KEY)
    assert run_regc("verify-gateway", "--litellm", proxies.same.base, "--key-env", "PROXY_ADMIN_KEY", cwd=project).code == 0


def test_a_wrong_key_is_exit_2_naming_its_variable(project: Path, proxies: Proxies, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-not-the-master-key")
    result = run_regc("verify-gateway", "--litellm", proxies.same.base, cwd=project)
    assert result.code == 2
    assert "refused the key in LITELLM_MASTER_KEY (HTTP 400" in result.err
    assert "set LITELLM_MASTER_KEY to the proxy's master key" in result.err
    assert "sk-not-the-master-key" not in result.err + result.out


def test_no_key_is_exit_2_naming_the_variable(project: Path, proxies: Proxies, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITELLM_MASTER_KEY", raising=False)
    result = run_regc("verify-gateway", "--litellm", proxies.same.base, cwd=project)
    assert result.code == 2
    assert "LITELLM_MASTER_KEY is not set; set it to the proxy's master key" in result.err
    assert "Traceback" not in result.err


# --- refusals that need no proxy ----------------------------------------------------------------------


@pytest.mark.usefixtures("master_key")
def test_nothing_listening_is_exit_2(project: Path) -> None:
    result = run_regc("verify-gateway", "--litellm", f"http://127.0.0.1:{free_port()}", cwd=project)
    assert result.code == 2
    assert "cannot reach http://127.0.0.1:" in result.err
    assert "is the proxy running" in result.err
    assert_no_secret(result.err)


@pytest.mark.parametrize(("url", "said"), [
    ("file:///etc/passwd", "is not an http:// or https:// URL with a host"),
    ("ftp://127.0.0.1/", "is not an http:// or https:// URL with a host"),
    ("127.0.0.1:4000", "is not an http:// or https:// URL with a host"),
    ("http://", "is not an http:// or https:// URL with a host"),
    ("http://127.0.0.1:99999", "is not a URL"),
    (f"http://admin:{MASTER_KEY}@127.0.0.1:4000", "may not carry credentials"),
    (f"http://127.0.0.1:4000/?key={MASTER_KEY}", "has a query or fragment"),
    ("http://127.0.0.1:4000/\nHost: evil", "contains spaces or control characters"),
])
def test_what_is_not_a_proxy_url_is_refused(project: Path, url: str, said: str) -> None:
    result = run_regc("verify-gateway", "--litellm", url, cwd=project)
    assert result.code == 2
    assert said in result.err
    assert "Traceback" not in result.err
    assert MASTER_KEY not in result.err


def test_a_key_env_that_is_no_variable_name_is_refused(project: Path) -> None:
    result = run_regc("verify-gateway", "--litellm", "http://127.0.0.1:4000", "--key-env", "sk-123", cwd=project)
    assert result.code == 2
    assert "is not an environment variable's name" in result.err


def test_without_a_litellm_target_it_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "registry.json"\n')
    result = run_regc("verify-gateway", "--litellm", "http://127.0.0.1:4000", cwd=tmp_path)
    assert result.code == 2
    assert "add [targets.litellm]" in result.err


class Recorder(JsonHandler):
    """Records the Authorization header of each request it gets."""

    seen: list[str]

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.seen.append(self.headers.get("authorization") or "")
        self._json(200, {"data": [], "current_values": {}})


class Redirecting(JsonHandler):
    target: str

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(302)
        self.send_header("location", self.target + self.path)
        self.send_header("content-length", "0")
        self.end_headers()


@pytest.mark.usefixtures("master_key")
def test_a_redirect_is_not_followed_and_the_key_stays_home(project: Path) -> None:
    seen: list[str] = []
    with serving(type("Elsewhere", (Recorder,), {"seen": seen})) as elsewhere, \
            serving(type("Redirect", (Redirecting,), {"target": elsewhere})) as base:
        result = run_regc("verify-gateway", "--litellm", base, cwd=project)
    assert result.code == 2
    assert f"redirects (302) to {elsewhere}/model/info; regc does not follow redirects" in result.err
    assert seen == []  # the key never reached the other server
    assert_no_secret(result.err)


class Empty(JsonHandler):
    """A proxy with no master key and nothing configured, as far as the two endpoints regc reads go."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.headers.get("authorization"):
            return self._json(400, {"error": {"message": "no key expected"}})
        if self.path == "/model/info":
            return self._json(200, {"data": [{"model_name": "\x1b[2Jshadow", "litellm_params": {"model": "openai/x\n"}}]})
        return self._json(200, {"current_values": {"fallbacks": [], "num_retries": 0}})


def test_a_proxy_that_needs_no_key_is_compared_with_a_warning(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LITELLM_MASTER_KEY", raising=False)
    with serving(Empty) as base:
        result = run_regc("verify-gateway", "--litellm", base, cwd=project)
    assert result.code == 1
    assert f"warning: {base} answered without a key (LITELLM_MASTER_KEY is not set): it has no master key" in result.err
    assert "model group '\\x1b[2Jshadow': on the proxy ('openai/x\\n') but not generated from the registry" in result.out
    assert "\x1b" not in result.out  # the proxy's text reaches the terminal as a literal, never as a control sequence
    assert "alias 'general': not on the proxy (the registry generates it: 'openai/gpt-5.4')" in result.out


class NotJson(JsonHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        data = b"<html>login</html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Slow(NotJson):
    def do_GET(self) -> None:
        time.sleep(1.5)
        with contextlib.suppress(OSError):  # the client gave up: the write that follows is what the test asks for
            super().do_GET()


class OtherJson(NotJson):
    def do_GET(self) -> None:
        self._json(200, {"object": "list", "models": []})  # JSON, but not what a LiteLLM proxy answers


@pytest.mark.usefixtures("master_key")
@pytest.mark.parametrize(("handler", "said"), [
    (NotJson, "did not answer JSON"),
    (OtherJson, "does not answer as a LiteLLM proxy does"),
])
def test_a_server_that_is_not_a_litellm_proxy_is_exit_2(project: Path, handler: type[JsonHandler], said: str) -> None:
    with serving(handler) as base:
        result = run_regc("verify-gateway", "--litellm", base, cwd=project)
    assert result.code == 2
    assert said in result.err
    assert "Traceback" not in result.err


@pytest.mark.usefixtures("master_key")
def test_a_proxy_too_slow_is_exit_2_after_the_timeout(project: Path) -> None:
    with serving(Slow) as base:
        result = run_regc("verify-gateway", "--litellm", base, "--timeout", "0.3", cwd=project)
    assert result.code == 2
    assert "no answer within 0.3 s" in result.err  # before the answer came (1.5 s): it would have been "not JSON"

