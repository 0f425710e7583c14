"""The portkey target for the provider kinds users run, proven by the Portkey gateway 1.15.2 from npm.

``tests/fixtures/providers`` is built with its endpoints moved to a fake upstream on 127.0.0.1 (the fake of
tests/test_litellm_providers.py: Azure's ``/openai/deployments/…?api-version=…``, Bedrock's ``/model/<id>/converse``,
vLLM's ``/v1/chat/completions``), and the gateway is driven with the ``openai`` SDK, each alias's config in
``x-portkey-config`` with its ``${VAR}`` placeholders filled as a deployer fills them: Azure deployments
(``azure-openai``, ``api-key`` header, the configured API version), Bedrock (SigV4 for the configured region
with the keys given) and vLLM answer, each fallback in registry order when the models before it fail.
Vertex AI models are left out of these configs, with the reason listed.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from collections.abc import Iterator
from typing import Any

import pytest

import regc
from tests.conftest import FIXTURES, ROOT, missing_tool, require_module, run_regc, serving
from tests.test_litellm_providers import FakeCloud, Upstream
from tests.test_portkey import fake_key, fill_keys, gateway  # noqa: F401 - the gateway fixture, started once per module

FIXTURE = FIXTURES / "providers"
REGISTRY = regc.load(FIXTURE / "registry.md")


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    state = Upstream()
    with serving(type("Handler", (FakeCloud,), {"state": state})) as state.base:
        yield state


@pytest.fixture(scope="module")
def document(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("portkey-providers")
    shutil.copyfile(FIXTURE / "registry.md", root / "registry.md")
    moved = {"azure": f"{upstream.base}/azure", "azure-eu": f"{upstream.base}/azure-eu", "vllm": f"{upstream.base}/vllm/v1",
             "bedrock": f"{upstream.base}/bedrock", "vertex": upstream.base}
    providers = tomllib.loads((FIXTURE / "regc.toml").read_text())["providers"]
    lines = ['registry = "registry.md"', "", "[targets.portkey]", 'path = "configs.json"']
    for name, fields in providers.items():
        lines += ["", f"[providers.{name}]", *(f"{k} = {json.dumps(v)}" for k, v in {**fields, "api_base": moved[name]}.items())]
    (root / "regc.toml").write_text("\n".join(lines) + "\n")
    result = run_regc("build", cwd=root)
    assert result.code == 0, result.err
    built: dict[str, Any] = json.loads((root / "configs.json").read_text())
    return built


def reachable(alias: str) -> list[str]:
    return [str(ref) for ref in REGISTRY.resolve(alias).models if ref.provider != "vertex"]


def test_vertex_is_left_out_with_its_reason(document: dict[str, Any]) -> None:
    assert set(document["left_out"]) == {"bedrock-chat", "vertex-chat"}
    for reasons in document["left_out"].values():
        assert reasons == ["vertex/gemini-2.5-pro: Portkey's vertex-ai takes a service account's JSON or an access token inside "
                           "the config; regc writes no credential into a file"]
    assert "${" not in json.dumps(document["left_out"])


@pytest.mark.parametrize("alias", ["azure-chat", "bedrock-chat", "local", "embed"])
def test_each_alias_walks_its_chain_through_the_gateway(gateway: str, upstream: Upstream,  # noqa: F811
                                                        document: dict[str, Any], alias: str) -> None:
    openai = require_module("openai")
    config = fill_keys(document["configs"][alias])
    client = openai.OpenAI(base_url=f"{gateway}/v1", api_key="unused", max_retries=0,
                           default_headers={"x-portkey-config": json.dumps(config, separators=(",", ":"))})
    models = reachable(alias)
    try:
        for k, answering in enumerate(models):
            upstream.failing, upstream.calls = set(models[:k]), []
            raw = (client.embeddings.with_raw_response.create(model=alias, input="hello") if alias == "embed"
                   else client.chat.completions.with_raw_response.create(model=alias, messages=[{"role": "user", "content": "hi"}]))
            answer = raw.parse()
            if alias == "embed":
                assert list(answer.data[0].embedding) == [0.5, 0.25]
            else:
                assert answer.choices[0].message.content == f"served by {answering}", (alias, k)
            assert upstream.asked() == models[: k + 1], (alias, k, upstream.asked())
            assert raw.headers.get("x-portkey-last-used-option-index") == f"config.targets[{k}]"
            for call in upstream.calls:
                provider, _, model = call.ref.partition("/")
                if provider.startswith("azure"):
                    assert call.query == {"api-version": ["2024-10-21"]}, call
                    assert call.credential == fake_key("AZURE_EU_API_KEY" if provider == "azure-eu" else "AZURE_API_KEY"), call
                    assert call.path.endswith(f"/openai/deployments/{model}/{'embeddings' if alias == 'embed' else 'chat/completions'}")
                elif provider == "bedrock":
                    assert call.path == "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", call
                    assert re.match(rf"AWS4-HMAC-SHA256 Credential={fake_key('AWS_ACCESS_KEY_ID')}/\d{{8}}/us-east-1/bedrock/aws4_request",
                                    call.credential), call
                else:
                    assert (call.ref, call.path) == ("vllm/Qwen/Qwen2.5-7B-Instruct", "/vllm/v1/chat/completions"), call
    finally:
        upstream.failing, upstream.calls = set(), []


def test_every_key_of_the_provider_kinds_is_one_the_gateway_reads(document: dict[str, Any]) -> None:
    """Bedrock's keys are in the gateway's config schema; Azure's deployment_id and api_version are outside it, read by its
    azure-openai provider (after the gateway's snake_case → camelCase conversion of the config)."""
    from regc.targets import portkey
    from tests.test_portkey import START_SERVER, _schema_keys

    if not START_SERVER.is_file():
        missing_tool(f"the Portkey gateway is not installed at {START_SERVER.relative_to(ROOT)}")
    source = START_SERVER.read_text(encoding="utf-8")
    match = re.search(r"const (\w+)=(\w+)\.object\(\{strategy:\2\.object\(\{mode:", source)
    assert match
    config_keys = _schema_keys(source, match[0].removesuffix("strategy:" + match[2] + ".object({mode:"))
    assert portkey.ALLOWED_KEYS["bedrock"] <= config_keys | {"override_params"}
    assert portkey.ALLOWED_KEYS["azure"] - {"deployment_id", "api_version"} <= config_keys | {"override_params"}
    endpoint = r"getEndpoint:\(\{providerOptions:e,fn:t,gatewayRequestURL:a\}\)=>\{const\{apiVersion:r,urlToFetch:n,deploymentId:o\}=e"
    assert re.search(endpoint, source), "the azure-openai provider builds /deployments/{deploymentId}/…?api-version={apiVersion}"
    for config in document["configs"].values():
        for target in config["targets"]:
            kind = {"azure-openai": "azure", "bedrock": "bedrock"}.get(target["provider"], "target")
            assert set(target) <= portkey.ALLOWED_KEYS[kind], target
