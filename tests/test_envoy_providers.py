"""The envoy target for the provider kinds users run: Azure OpenAI, AWS Bedrock, Google Vertex AI, a self-hosted vLLM.

``tests/fixtures/providers`` built as a user builds it (its regc.toml, every target): each object validates
against its CRD's schema with unknown fields rejected and its CEL rules hold (the checks of tests/test_envoy.py);
each provider gets the AIServiceBackend schema and BackendSecurityPolicy type its API needs, at its endpoint;
each alias's rule is its chain; the cost expression gives the registry's prices for Bedrock ids with ``:``.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import regc
from tests.conftest import FIXTURES, require_module, run_regc
from tests.test_envoy import COST_VARIABLES, _defaults, _rules, expected_nano, load_all, schemas, strict

FIXTURE = FIXTURES / "providers"
REGISTRY = regc.load(FIXTURE / "registry.md")


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    root = tmp_path_factory.mktemp("envoy-providers")
    for name in ("registry.md", "regc.toml"):
        shutil.copyfile(FIXTURE / name, root / name)
    result = run_regc("build", cwd=root)  # no [targets]: every built-in target, as `regc init` leaves it
    assert result.code == 0, result.err
    text = (root / "targets/envoy/ai-gateway.yaml").read_text()
    assert "Create these Secrets in namespace" in text
    return [d for d in load_all(text) if d is not None]


def by_kind(docs: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {d["metadata"]["name"]: d for d in docs if d["kind"] == kind}


def test_every_object_validates_against_its_crd_and_its_cel_rules_hold(docs: list[dict[str, Any]]) -> None:
    import jsonschema

    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={"self": cel.Type.DYN})
    checked = 0
    for doc in docs:
        schema = schemas()[(doc["apiVersion"], doc["kind"])]
        errors = list(jsonschema.Draft202012Validator(strict(schema)).iter_errors(doc))
        assert not errors, f"{doc['kind']} {doc['metadata']['name']}: " + "; ".join(e.message for e in errors)
        for where, rule, self in _rules(_defaults(doc, schema), schema, doc["kind"]):
            if "oldSelf" not in rule:
                assert env.compile(rule).eval(data={"self": self}).value() is True, f"{doc['kind']} {where}: {rule}"
                checked += 1
    assert checked >= 20  # among them BackendSecurityPolicy's "when type is X, only x should be set", once per type


def test_each_provider_kind_gets_its_schema_endpoint_and_credentials(docs: list[dict[str, Any]]) -> None:
    backends, services, policies = by_kind(docs, "Backend"), by_kind(docs, "AIServiceBackend"), by_kind(docs, "BackendSecurityPolicy")
    fqdns = {name: b["spec"]["endpoints"][0]["fqdn"] for name, b in backends.items()}
    hosts = {name: (fqdn["hostname"], fqdn["port"]) for name, fqdn in fqdns.items()}
    assert hosts == {"regc-azure": ("contoso.openai.azure.com", 443), "regc-azure-eu": ("contoso-eu.openai.azure.com", 443),
                     "regc-bedrock": ("bedrock-runtime.us-east-1.amazonaws.com", 443),
                     "regc-vertex": ("us-central1-aiplatform.googleapis.com", 443), "regc-vllm": ("vllm.internal", 8000)}
    assert {name: s["spec"]["schema"] for name, s in services.items()} == {
        "regc-azure": {"name": "AzureOpenAI", "version": "2024-10-21"},
        "regc-azure-eu": {"name": "AzureOpenAI", "version": "2024-10-21"},
        "regc-bedrock": {"name": "AWSBedrock"},
        "regc-vertex": {"name": "GCPVertexAI"},
        "regc-vllm": {"name": "OpenAI", "prefix": "/v1"},
    }
    spec = {name: {k: v for k, v in p["spec"].items() if k != "targetRefs"} for name, p in policies.items()}
    assert spec == {
        "regc-azure": {"type": "AzureAPIKey", "azureAPIKey": {"secretRef": {"name": "regc-azure-api-key"}}},
        "regc-azure-eu": {"type": "AzureAPIKey", "azureAPIKey": {"secretRef": {"name": "regc-azure-eu-api-key"}}},
        "regc-bedrock": {"type": "AWSCredentials", "awsCredentials": {
            "region": "us-east-1", "credentialsFile": {"secretRef": {"name": "regc-bedrock-aws-credentials"}}}},
        "regc-vertex": {"type": "GCPCredentials", "gcpCredentials": {
            "projectName": "acme-prod", "region": "us-central1",
            "credentialsFile": {"secretRef": {"name": "regc-vertex-gcp-credentials"}}}},
    }  # the vLLM server has no key variable: no policy
    assert {p["spec"]["targetRefs"][0]["name"] for p in policies.values()} == set(policies)
    tls = by_kind(docs, "BackendTLSPolicy")
    assert set(tls) == {"regc-azure", "regc-azure-eu", "regc-bedrock", "regc-vertex"}  # vllm is plain http


def test_each_alias_rule_is_its_chain_with_the_ids_each_provider_knows(docs: list[dict[str, Any]]) -> None:
    routes = by_kind(docs, "AIGatewayRoute").values()
    rules = {r["matches"][0]["headers"][0]["value"]: r for route in routes for r in route["spec"]["rules"]}
    assert set(rules) == {alias.name for alias in REGISTRY.aliases}
    for alias, rule in rules.items():
        chain = [(f"regc-{ref.provider}", ref.model, index) for index, ref in enumerate(REGISTRY.resolve(alias).models)]
        assert [(r["name"], r["modelNameOverride"], r["priority"]) for r in rule["backendRefs"]] == chain, alias
    assert rules["bedrock-chat"]["backendRefs"][0]["modelNameOverride"] == "anthropic.claude-3-5-sonnet-20240620-v1:0"


def test_the_cost_expression_prices_every_provider_kind(docs: list[dict[str, Any]]) -> None:
    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={name: getattr(cel.Type, kind) for name, kind in COST_VARIABLES.items()})
    tokens = {"input_tokens": 12_345, "cached_input_tokens": 2_000, "cache_creation_input_tokens": 345,
              "output_tokens": 6_789, "total_tokens": 19_134, "reasoning_tokens": 1_000}
    priced = set()
    for route in by_kind(docs, "AIGatewayRoute").values():
        (cost,) = [c for c in route["spec"]["llmRequestCosts"] if c["type"] == "CEL"]
        program = env.compile(cost["cel"])
        for index, rule in enumerate(route["spec"]["rules"]):
            for n, ref in enumerate(rule["backendRefs"]):
                backend = f"default/{ref['name']}/route/{route['metadata']['name']}/rule/{index}/ref/{n}"
                got = program.eval(data={"model": ref["modelNameOverride"], "backend": backend, "route_name": "r", **tokens}).value()
                assert got == expected_nano(REGISTRY, f"{ref['name'].removeprefix('regc-')}/{ref['modelNameOverride']}", tokens)
                priced.add(ref["name"])
    assert priced == {"regc-azure", "regc-azure-eu", "regc-bedrock", "regc-vertex", "regc-vllm"}


def test_a_path_the_backend_schema_cannot_express_is_refused(tmp_path: Path) -> None:
    """AzureOpenAI, AWSBedrock and GCPVertexAI build the whole request path: an api_base with a path is exit 2."""
    shutil.copyfile(FIXTURE / "registry.md", tmp_path / "registry.md")
    text = (FIXTURE / "regc.toml").read_text().replace("https://contoso.openai.azure.com", "https://gw.example/azure")
    (tmp_path / "regc.toml").write_text(text)
    result = run_regc("build", cwd=tmp_path)
    assert (result.code, result.out) == (2, "")
    line = next(n for n, text in enumerate((FIXTURE / "registry.md").read_text().splitlines(), 1) if "alias `azure-chat`" in text)
    assert result.err.startswith(f"registry.md:{line}:1: error: the envoy target cannot reach provider 'azure' at "
                                 "'https://gw.example/azure': its AzureOpenAI backend builds the request's whole path itself"), result.err
    assert not (tmp_path / "targets").exists()


def test_claude_on_vertex_is_left_out_and_listed(tmp_path: Path) -> None:
    """Envoy serves Claude on Vertex AI through another schema (GCPAnthropic): the model is listed as not routed."""
    registry = (FIXTURE / "registry.md").read_text().replace("`vertex/gemini-2.5-pro`, `azure/gpt-4o-prod`",
                                                             "`vertex/claude-sonnet-4-5@20250929`, `azure/gpt-4o-prod`")
    (tmp_path / "registry.md").write_text(registry)
    shutil.copyfile(FIXTURE / "regc.toml", tmp_path / "regc.toml")
    assert run_regc("build", cwd=tmp_path).code == 0
    text = (tmp_path / "targets/envoy/ai-gateway.yaml").read_text()
    assert ('# not routed: "fallback vertex/claude-sonnet-4-5@20250929 of alias \'bedrock-chat\': Claude on Vertex AI needs the '
            'GCPAnthropic schema, which this target does not write"') in text
    rule = next(r for d in load_all(text) if d and d["kind"] == "AIGatewayRoute" for r in d["spec"]["rules"]
                if r["matches"][0]["headers"][0]["value"] == "bedrock-chat")
    assert [r["modelNameOverride"] for r in rule["backendRefs"]] == ["anthropic.claude-3-5-sonnet-20240620-v1:0", "gpt-4o-prod"]
