"""The provider kinds users run — Azure OpenAI, AWS Bedrock, Google Vertex AI, a self-hosted vLLM — proven by
``litellm --config`` on what ``regc build`` writes for ``tests/fixtures/providers``, driven by the ``openai`` SDK.

One LiteLLM 1.102.4 proxy is started for the module on 127.0.0.1. The fixture's regc.toml is the one a user
writes; only each provider's endpoint is moved to a fake upstream in this process, through the same
``[providers.NAME]`` field a user sets for a private endpoint:

- azure and azure-eu (kind ``azure``): ``api_base`` → LiteLLM's ``azure/<deployment>`` route calls
  ``{api_base}/openai/deployments/<deployment>/chat/completions?api-version=…`` with an ``api-key`` header;
- vllm (kind ``vllm``): ``api_base`` → ``hosted_vllm/<model>`` calls ``{api_base}/chat/completions``;
- bedrock: ``api_base`` (a VPC endpoint) → ``aws_bedrock_runtime_endpoint``: ``/model/<id>/converse`` signed
  with SigV4 for the configured region and the keys the environment holds;
- vertex: ``api_base`` at the endpoint's root → ``/v1/projects/<project>/locations/<location>/publishers/google/
  models/<model>:generateContent`` with a token google-auth obtains for the service account that
  ``GOOGLE_APPLICATION_CREDENTIALS`` names (its ``token_uri`` is the fake's).

Each alias answers from its primary, then with each prefix of its chain failing from the next model, in
registry order; each request carries the credential of its own provider; the cost header is the registry's price.
"""

from __future__ import annotations

import json
import re
import shutil
import threading
import tomllib
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

import regc
from regc.model import Price
from tests.conftest import FIXTURES, JsonHandler, require_module, run_regc, serving
from tests.test_litellm_proxy import MASTER_KEY, Proxy, litellm_program, running_proxy

FIXTURE = FIXTURES / "providers"
REGISTRY = regc.load(FIXTURE / "registry.md")
PROMPT_TOKENS, COMPLETION_TOKENS = 1000, 2000
MTOK = Decimal(1_000_000)
AWS_KEY_ID, AWS_SECRET = "AKIAREGCCONFORMANCE1", "regc-conformance-secret"
ACCESS_TOKEN = "ya29.regc-conformance"
#: The credential each provider must receive (the header's value as the fake sees it).
KEYS = {"AZURE_API_KEY": "key-from-AZURE_API_KEY", "AZURE_EU_API_KEY": "key-from-AZURE_EU_API_KEY",
        "AWS_ACCESS_KEY_ID": AWS_KEY_ID, "AWS_SECRET_ACCESS_KEY": AWS_SECRET}


@dataclass
class Call:
    ref: str  # the registry's reference the request was for: provider/model
    path: str
    query: dict[str, list[str]]
    credential: str  # api-key, or Authorization


@dataclass
class Upstream:
    base: str = ""
    calls: list[Call] = field(default_factory=list)
    tokens: int = 0  # token requests of google-auth
    failing: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asked(self) -> list[str]:
        seen: list[str] = []
        for call in self.calls:
            if call.ref not in seen:
                seen.append(call.ref)
        return seen


AZURE = re.compile(r"^/(?P<provider>azure(?:-eu)?)/openai/deployments/(?P<model>[^/]+)/(?P<endpoint>chat/completions|embeddings)$")
BEDROCK = re.compile(r"^/bedrock/model/(?P<model>[^/]+)/converse$")
VERTEX = re.compile(r"^/v1/projects/(?P<project>[^/]+)/locations/(?P<location>[^/]+)/publishers/google/models/"
                    r"(?P<model>[^/:]+):(?P<endpoint>generateContent|streamGenerateContent)$")


class FakeCloud(JsonHandler):
    state: Upstream

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("content-length") or 0))
        url = urlsplit(self.path)
        if url.path == "/token":  # google-auth exchanging the service account's signed JWT for a token
            with self.state.lock:
                self.state.tokens += 1
            return self._json(200, {"access_token": ACCESS_TOKEN, "expires_in": 3600, "token_type": "Bearer"})
        request: dict[str, Any] = json.loads(body or b"{}")
        if match := AZURE.match(url.path):
            ref, endpoint, api = f"{match['provider']}/{match['model']}", match["endpoint"], "openai"
        elif url.path.startswith("/vllm/v1/"):
            ref, endpoint, api = f"vllm/{request.get('model')}", url.path.removeprefix("/vllm/v1/"), "openai"
        elif match := BEDROCK.match(url.path):
            ref, endpoint, api = f"bedrock/{unquote(match['model'])}", "converse", "bedrock"
        elif match := VERTEX.match(url.path):
            ref, endpoint, api = f"vertex/{match['model']}", match["endpoint"], "vertex"
        else:
            return self._json(404, {"error": {"message": f"no such route {url.path}"}})
        credential = self.headers.get("api-key") or self.headers.get("authorization") or ""
        with self.state.lock:
            self.state.calls.append(Call(ref, url.path, parse_qs(url.query), credential))
            fail = ref in self.state.failing
        if fail:
            return self._json(500, {"error": {"message": f"{ref} is failing", "type": "server_error", "code": 500}})
        text = f"served by {ref}"
        if api == "bedrock":
            return self._json(200, {"output": {"message": {"role": "assistant", "content": [{"text": text}]}}, "stopReason": "end_turn",
                                    "usage": {"inputTokens": PROMPT_TOKENS, "outputTokens": COMPLETION_TOKENS,
                                              "totalTokens": PROMPT_TOKENS + COMPLETION_TOKENS}, "metrics": {"latencyMs": 1}})
        if api == "vertex":
            answer = {"candidates": [{"content": {"role": "model", "parts": [{"text": text}]}, "finishReason": "STOP", "index": 0}],
                      "usageMetadata": {"promptTokenCount": PROMPT_TOKENS, "candidatesTokenCount": COMPLETION_TOKENS,
                                        "totalTokenCount": PROMPT_TOKENS + COMPLETION_TOKENS}}
            return self._json(200, answer)
        if endpoint == "embeddings":
            return self._json(200, {"object": "list", "model": request.get("model", ""),
                                    "data": [{"object": "embedding", "index": 0, "embedding": [0.5, 0.25]}],
                                    "usage": {"prompt_tokens": PROMPT_TOKENS, "total_tokens": PROMPT_TOKENS}})
        usage = {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": COMPLETION_TOKENS, "total_tokens": PROMPT_TOKENS + COMPLETION_TOKENS}
        head = {"id": "chatcmpl-1", "created": 1, "model": request.get("model", ref), "service_tier": "default"}
        if not request.get("stream"):
            return self._json(200, {**head, "object": "chat.completion", "usage": usage,
                                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}]})
        chunk = {**head, "object": "chat.completion.chunk"}
        events = [{**chunk, "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}]},
                  {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}]
        if (request.get("stream_options") or {}).get("include_usage"):
            events.append({**chunk, "choices": [], "usage": usage})
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("connection", "close")
        self.end_headers()
        for event in [f"data: {json.dumps(e)}\n\n" for e in events] + ["data: [DONE]\n\n"]:
            self.wfile.write(event.encode())
        self.close_connection = True


@pytest.fixture(scope="module")
def upstream() -> Iterator[Upstream]:
    state = Upstream()
    with serving(type("Handler", (FakeCloud,), {"state": state})) as state.base:
        yield state


def service_account(path: Path, token_uri: str) -> None:
    """A service-account file with a fresh RSA key whose token endpoint is the fake (google-auth signs a JWT with it)."""
    rsa = require_module("cryptography.hazmat.primitives.asymmetric.rsa")
    serialization = require_module("cryptography.hazmat.primitives.serialization")
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    path.write_text(json.dumps({"type": "service_account", "project_id": "acme-prod", "private_key_id": "regc-test",
                                "private_key": pem, "client_email": "regc@acme-prod.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": token_uri}))


@pytest.fixture(scope="module")
def built(upstream: Upstream, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture's project with every provider's endpoint on the fake, built: its config.yaml."""
    root = tmp_path_factory.mktemp("providers")
    shutil.copyfile(FIXTURE / "registry.md", root / "registry.md")
    moved = {"azure": f"{upstream.base}/azure", "azure-eu": f"{upstream.base}/azure-eu", "vllm": f"{upstream.base}/vllm/v1",
             "bedrock": f"{upstream.base}/bedrock", "vertex": upstream.base}
    providers = tomllib.loads((FIXTURE / "regc.toml").read_text())["providers"]
    lines = ['registry = "registry.md"', "", "[targets.litellm]", 'path = "config.yaml"']
    for name, fields in providers.items():
        fields["api_base"] = moved[name]
        lines += ["", f"[providers.{name}]", *(f"{key} = {json.dumps(value)}" for key, value in fields.items())]
    (root / "regc.toml").write_text("\n".join(lines) + "\n")
    result = run_regc("build", cwd=root)
    assert result.code == 0, result.err
    service_account(root / "sa.json", f"{upstream.base}/token")
    return root / "config.yaml"


@pytest.fixture(scope="module")
def proxy(built: Path) -> Iterator[Proxy]:
    require_module("google.auth")  # LiteLLM's vertex_ai/ route needs it (the conformance extra installs it)
    env = {**KEYS, "GOOGLE_APPLICATION_CREDENTIALS": str(built.parent / "sa.json")}
    # the region and keys come from the file regc wrote, not from a developer's own AWS settings
    unset = ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_BEDROCK_RUNTIME_ENDPOINT")
    with running_proxy(litellm_program(), built, env, unset) as started:
        yield started


@pytest.fixture(scope="module")
def client(proxy: Proxy) -> Any:
    return require_module("openai").OpenAI(base_url=f"{proxy.base}/v1", api_key=MASTER_KEY, max_retries=0)


def chain(alias: str) -> list[str]:
    return [str(ref) for ref in REGISTRY.resolve(alias).models]


def expected_cost(ref: str, *, embedding: bool = False) -> Decimal:
    model = REGISTRY.model(ref)
    assert model is not None

    def usd(cell: object, tokens: int) -> Decimal:
        return cell.usd * tokens / MTOK if isinstance(cell, Price) else Decimal(0)

    return usd(model.input, PROMPT_TOKENS) + (Decimal(0) if embedding else usd(model.output, COMPLETION_TOKENS))


def check_call(call: Call) -> None:
    """The request LiteLLM sent for ``call.ref`` is the one its provider's API expects, with that provider's credential."""
    provider, _, model = call.ref.partition("/")
    if provider in ("azure", "azure-eu"):
        assert call.query == {"api-version": ["2024-10-21"]}, call
        assert call.credential == KEYS["AZURE_EU_API_KEY" if provider == "azure-eu" else "AZURE_API_KEY"], call
        assert f"/openai/deployments/{model}/" in call.path
    elif provider == "bedrock":
        assert call.path == "/bedrock/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", call  # the ':' kept, encoded
        assert call.credential.startswith(f"AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/"), call
        assert "/us-east-1/bedrock/aws4_request" in call.credential, call  # the region regc wrote
    elif provider == "vertex":
        assert call.path.startswith("/v1/projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro:"), call
        assert call.credential == f"Bearer {ACCESS_TOKEN}", call
    else:
        assert (provider, call.path) == ("vllm", "/vllm/v1/chat/completions"), call
        assert model == "Qwen/Qwen2.5-7B-Instruct"


def test_the_proxy_loads_every_provider_with_its_params(proxy: Proxy, built: Path) -> None:
    """``/model/info`` lists each model group with the route, endpoint, version, region and project regc wrote."""
    yaml = require_module("yaml")
    written = {d["model_name"]: d["litellm_params"] for d in yaml.safe_load(built.read_text())["model_list"]}
    request = urllib.request.Request(f"{proxy.base}/model/info", headers={"Authorization": f"Bearer {MASTER_KEY}"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        served = {d["model_name"]: d["litellm_params"] for d in json.load(answer)["data"]}
    assert set(served) == set(written)
    public = ("model", "api_base", "api_version", "aws_region_name", "aws_bedrock_runtime_endpoint", "vertex_project", "vertex_location")
    for group, params in written.items():
        assert {k: served[group].get(k) for k in public if k in params} == {k: params[k] for k in public if k in params}, group
    assert written["bedrock-chat"]["model"] == "bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0"
    assert written["vertex-chat"]["vertex_credentials"] == "os.environ/GOOGLE_APPLICATION_CREDENTIALS"
    assert written["azure-chat"]["api_key"] == "os.environ/AZURE_API_KEY"


@pytest.mark.parametrize("alias", ["azure-chat", "bedrock-chat", "vertex-chat", "local"])
def test_each_chat_alias_walks_its_chain_across_the_provider_kinds(client: Any, upstream: Upstream, alias: str) -> None:
    openai = require_module("openai")
    models = chain(alias)
    try:
        for k, answering in enumerate(models):
            upstream.failing, upstream.calls = set(models[:k]), []
            raw = client.chat.completions.with_raw_response.create(model=alias, messages=[{"role": "user", "content": "hello"}])
            answer = raw.parse()
            assert answer.choices[0].message.content == f"served by {answering}", (alias, k)
            assert (answer.usage.prompt_tokens, answer.usage.completion_tokens) == (PROMPT_TOKENS, COMPLETION_TOKENS)
            assert upstream.asked() == models[: k + 1], (alias, k, upstream.asked())
            for call in upstream.calls:
                check_call(call)
            cost = expected_cost(answering)
            reported = raw.headers.get("x-litellm-response-cost")
            if cost:
                assert reported is not None and float(reported) == pytest.approx(float(cost), rel=1e-9), (answering, reported)
            else:
                assert reported is None or float(reported) == 0
        upstream.failing, upstream.calls = set(models), []
        with pytest.raises(openai.APIStatusError):
            client.chat.completions.create(model=alias, messages=[{"role": "user", "content": "hello"}])
        assert upstream.asked() == models
    finally:
        upstream.failing, upstream.calls = set(), []


@pytest.mark.parametrize("alias", ["azure-chat", "local"])
def test_streams_reach_azure_deployments_and_vllm(client: Any, upstream: Upstream, alias: str) -> None:
    upstream.calls = []
    for include_usage in (False, True):
        options = {"stream_options": {"include_usage": True}} if include_usage else {}
        chunks = list(client.chat.completions.create(model=alias, messages=[{"role": "user", "content": "hi"}], stream=True, **options))
        assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == f"served by {chain(alias)[0]}"
        assert bool([c for c in chunks if c.usage is not None]) == include_usage
    assert {call.ref for call in upstream.calls} == {chain(alias)[0]}
    for call in upstream.calls:
        check_call(call)


def test_embeddings_fall_back_from_one_azure_resource_to_another(client: Any, upstream: Upstream) -> None:
    models = chain("embed")
    try:
        for k, answering in enumerate(models):
            upstream.failing, upstream.calls = set(models[:k]), []
            raw = client.embeddings.with_raw_response.create(model="embed", input="hello")  # encoding_format: base64, the default
            assert list(raw.parse().data[0].embedding) == [0.5, 0.25]
            assert upstream.asked() == models[: k + 1]
            assert upstream.calls[-1].path == f"/{answering.replace('/', '/openai/deployments/', 1)}/embeddings"
            for call in upstream.calls:
                check_call(call)
            reported = raw.headers.get("x-litellm-response-cost")
            assert reported is not None and float(reported) == pytest.approx(float(expected_cost(answering, embedding=True)), rel=1e-9)
    finally:
        upstream.failing, upstream.calls = set(), []


def test_vertex_credentials_come_from_the_service_account_file(client: Any, upstream: Upstream) -> None:
    """The token the vertex requests carried was obtained with the file GOOGLE_APPLICATION_CREDENTIALS names."""
    upstream.calls = []
    client.chat.completions.create(model="vertex-chat", messages=[{"role": "user", "content": "hi"}])
    assert upstream.tokens >= 1
    assert [call.credential for call in upstream.calls] == [f"Bearer {ACCESS_TOKEN}"]
