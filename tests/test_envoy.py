"""The envoy target, proven against the upstream CRDs (``../shared/reference/envoy-ai-gateway/crds``).

For this repository's registry and every good fixture:

- every object validates against the ``openAPIV3Schema`` of its kind and version,
  with unknown fields rejected (``additionalProperties: false`` wherever the CRD
  does not say ``x-kubernetes-preserve-unknown-fields``);
- every ``x-kubernetes-validations`` CEL rule on the path of every object holds,
  evaluated by the CEL runtime (cel-expr-python) on the object with the schema's
  defaults applied, as the API server does;
- every reference resolves: backendRefs -> AIServiceBackend, AIServiceBackend ->
  Backend, BackendSecurityPolicy -> AIServiceBackend and the documented Secret,
  BackendTLSPolicy -> Backend (and its host), BackendTrafficPolicy -> the HTTPRoute
  the controller generates (the AIGatewayRoute's name), parentRefs -> the Gateway;
- each alias is one rule whose backendRefs are its chain (``regc.load``), in
  priority order, at most 14 rules per route, and enough retries to walk it;
- the cost expression compiles in the gateway's CEL environment (the variables of
  Envoy AI Gateway v1.1.0's ``internal/llmcostcel``: strings ``model``, ``backend``,
  ``route_name``; unsigned token counts) and gives the registry's prices in nano-USD.
"""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import regc
from regc.errors import InputError
from regc.model import Price
from regc.model.providers import BUILTIN
from regc.model.resolve import ResolvedRegistry
from regc.targets import all_targets
from tests.conftest import GOOD, ROOT, missing_tool, require_module, shared_reference

REGISTRIES = [ROOT / "registry.md", *GOOD]
CRD_FILES = (
    "aigateway.envoyproxy.io_aigatewayroutes.yaml",
    "aigateway.envoyproxy.io_aiservicebackends.yaml",
    "aigateway.envoyproxy.io_backendsecuritypolicies.yaml",
    "gateway.envoyproxy.io_backends.yaml",
    "gateway.envoyproxy.io_backendtrafficpolicies.yaml",
    "gatewayapi-crds.yaml",
)
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
# Envoy AI Gateway v1.1.0, internal/llmcostcel/cel.go: the variables a cost expression sees.
COST_VARIABLES = {"model": "STRING", "backend": "STRING", "route_name": "STRING", "input_tokens": "UINT",
                  "cached_input_tokens": "UINT", "cache_creation_input_tokens": "UINT", "output_tokens": "UINT",
                  "total_tokens": "UINT", "reasoning_tokens": "UINT"}


def crd_dir() -> Path:
    found = shared_reference("envoy-ai-gateway", "crds")
    if found is not None:
        return found
    missing_tool("the upstream CRDs are not in shared/reference/envoy-ai-gateway/crds beside the repository, "
                 "a directory above it or the repository it was cloned from (the GitHub workflow fetches them at the pinned commits)")


def load_all(text: str) -> list[Any]:
    """YAML documents: with PyYAML's C loader when installed (fast), else ruamel.yaml (regc's own dependency)."""
    try:
        import yaml
    except ImportError:
        from ruamel.yaml import YAML

        return list(YAML(typ="safe", pure=True).load_all(text))
    return list(yaml.load_all(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))


@functools.lru_cache(maxsize=1)
def schemas() -> dict[tuple[str, str], dict[str, Any]]:
    """(apiVersion, kind) -> the openAPIV3Schema of every served version of the CRDs."""
    found: dict[tuple[str, str], dict[str, Any]] = {}
    for name in CRD_FILES:
        for doc in load_all((crd_dir() / name).read_text(encoding="utf-8")):
            if not doc or doc.get("kind") != "CustomResourceDefinition":
                continue
            spec = doc["spec"]
            for version in spec["versions"]:
                if version.get("served"):
                    found[(f"{spec['group']}/{version['name']}", spec["names"]["kind"])] = version["schema"]["openAPIV3Schema"]
    return found


def strict(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with unknown fields rejected wherever the CRD does not preserve them."""
    out = dict(schema)
    if out.get("x-kubernetes-preserve-unknown-fields"):
        return out
    if "properties" in out:
        out["properties"] = {k: strict(v) for k, v in out["properties"].items()}
        out.setdefault("additionalProperties", False)
    if isinstance(out.get("additionalProperties"), dict):
        out["additionalProperties"] = strict(out["additionalProperties"])
    if isinstance(out.get("items"), dict):
        out["items"] = strict(out["items"])
    for key in ("allOf", "anyOf", "oneOf"):
        if key in out:
            out[key] = [strict(s) for s in out[key]]
    return out


def render(path: Path, **options: Any) -> tuple[ResolvedRegistry, str, list[dict[str, Any]]]:
    registry = regc.load(path)
    target = all_targets()["envoy"]()
    text = next(iter(target.render(registry, target.Options.model_validate(options)).values())).decode()
    docs = [d for d in load_all(text) if d is not None]
    return registry, text, docs


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_every_object_validates_against_its_crd_schema(path: Path) -> None:
    import jsonschema

    _, _, docs = render(path)
    assert docs
    for doc in docs:
        key = (doc["apiVersion"], doc["kind"])
        assert key in schemas(), f"no served CRD version for {key}"
        validator = jsonschema.Draft202012Validator(strict(schemas()[key]))
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.absolute_path))
        assert not errors, f"{key} {doc['metadata']['name']}: " + "; ".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)
        # ObjectMeta is not in the CRD schema: the API server's own rules.
        assert set(doc["metadata"]) == {"name", "namespace"}
        assert DNS_SUBDOMAIN.match(doc["metadata"]["name"]) and len(doc["metadata"]["name"]) <= 253


def _defaults(value: Any, schema: dict[str, Any]) -> Any:
    """``value`` with the schema's defaults filled in, as the API server does before validating."""
    if isinstance(value, dict) and "properties" in schema:
        value = dict(value)
        for name, sub in schema["properties"].items():
            if name not in value and "default" in sub:
                value[name] = copy.deepcopy(sub["default"])
            if name in value:
                value[name] = _defaults(value[name], sub)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        value = [_defaults(item, schema["items"]) for item in value]
    return value


def _rules(value: Any, schema: dict[str, Any], where: str) -> list[tuple[str, str, Any]]:
    """Every (path, rule, self) that the API server evaluates on ``value``."""
    found = [(where, rule["rule"], value) for rule in schema.get("x-kubernetes-validations", [])]
    if isinstance(value, dict):
        for name, sub in (schema.get("properties") or {}).items():
            if name in value:
                found += _rules(value[name], sub, f"{where}.{name}")
        if isinstance(schema.get("additionalProperties"), dict):
            for name, item in value.items():
                found += _rules(item, schema["additionalProperties"], f"{where}.{name}")
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            found += _rules(item, schema["items"], f"{where}[{index}]")
    return found


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_the_crds_cel_validation_rules_hold(path: Path) -> None:
    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={"self": cel.Type.DYN})
    _, _, docs = render(path)
    checked = 0
    for doc in docs:
        schema = schemas()[(doc["apiVersion"], doc["kind"])]
        value = _defaults(doc, schema)
        for where, rule, self in _rules(value, schema, doc["kind"]):
            if "oldSelf" in rule:
                continue  # transition rules: nothing to compare with on create
            result = env.compile(rule).eval(data={"self": self})
            assert result.value() is True, f"{doc['kind']} {doc['metadata']['name']} {where}: {rule} -> {result.value()}"
            checked += 1
    assert checked >= 10, "the rules of AIGatewayRoute, AIServiceBackend, BackendSecurityPolicy, BackendTLSPolicy, BackendTrafficPolicy"


def _index(docs: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(d["kind"], d["metadata"]["name"]): d for d in docs}


def routable(provider: str | None) -> bool:
    entry = BUILTIN.get(provider or "")
    return bool(entry and entry.api_base)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_every_reference_resolves_and_each_alias_is_its_chain(path: Path) -> None:
    registry, text, docs = render(path, gateway_name="edge", gateway_namespace="gateways", namespace="ai")
    objects = _index(docs)
    assert {d["metadata"]["namespace"] for d in docs} == {"ai"}
    routes = [d for d in docs if d["kind"] == "AIGatewayRoute"]
    by_alias: dict[str, list[dict[str, Any]]] = {}
    for route in routes:
        assert len(route["spec"]["rules"]) <= 14
        gateway = {"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "edge", "namespace": "gateways"}
        assert route["spec"]["parentRefs"] == [gateway]
        policy = objects[("BackendTrafficPolicy", route["metadata"]["name"])]
        http_route = {"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "name": route["metadata"]["name"]}
        assert policy["spec"]["targetRefs"] == [http_route]
        assert policy["spec"]["retry"]["numAttemptsPerPriority"] == 1
        for rule in route["spec"]["rules"]:
            (match,) = rule["matches"]
            (header,) = match["headers"]
            assert header["name"] == "x-ai-eg-model" and header["type"] == "Exact"
            assert header["value"] not in by_alias, "one rule per alias"
            by_alias[header["value"]] = rule["backendRefs"]
            assert policy["spec"]["retry"]["numRetries"] >= len(rule["backendRefs"]) - 1
    for backend in [d for d in docs if d["kind"] == "AIServiceBackend"]:
        ref = backend["spec"]["backendRef"]
        assert (ref["group"], ref["kind"]) == ("gateway.envoyproxy.io", "Backend") and ("Backend", ref["name"]) in objects
    for policy in [d for d in docs if d["kind"] == "BackendSecurityPolicy"]:
        for ref in policy["spec"]["targetRefs"]:
            assert ("AIServiceBackend", ref["name"]) in objects
        secret = policy["spec"]["apiKey"]["secretRef"]["name"]
        assert secret == f"{policy['metadata']['name']}-api-key"
        assert f'#   "{secret}" from "' in text, "the opening comment lists the Secret to create"
    for policy in [d for d in docs if d["kind"] == "BackendTLSPolicy"]:
        (ref,) = policy["spec"]["targetRefs"]
        backend = objects[("Backend", ref["name"])]
        assert policy["spec"]["validation"]["hostname"] == backend["spec"]["endpoints"][0]["fqdn"]["hostname"]
    referenced = {ref["name"] for refs in by_alias.values() for ref in refs}
    assert referenced == {d["metadata"]["name"] for d in docs if d["kind"] == "AIServiceBackend"}, "no orphan backends"

    for alias in registry.aliases:
        chain = registry.resolve(alias.name)
        if not routable(chain.primary.provider):
            assert alias.name not in by_alias
            continue
        expected = [(f"regc-{ref.provider}", ref.model) for ref in chain.models if routable(ref.provider)]
        refs = by_alias[alias.name]
        assert [(r["name"], r["modelNameOverride"]) for r in refs] == expected
        assert [r["priority"] for r in refs] == list(range(len(refs)))
        for ref in chain.models:
            if routable(ref.provider):
                backend = objects[("Backend", f"regc-{ref.provider}")]
                api_base = BUILTIN[ref.provider or ""].api_base or ""
                assert backend["spec"]["endpoints"][0]["fqdn"]["hostname"] == re.sub(r"^\w+://([^/:]+).*$", r"\1", api_base)


def test_more_aliases_than_a_route_holds_make_more_routes(tmp_path: Path) -> None:
    sections = "".join(f"## A{i} · alias `a{i:02d}`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-5.{i}` |\n\n" for i in range(30))
    source = tmp_path / "many.md"
    source.write_text("# Many\n\n" + sections)
    _, _, docs = render(source)
    routes = [d for d in docs if d["kind"] == "AIGatewayRoute"]
    assert [len(r["spec"]["rules"]) for r in routes] == [14, 14, 2]
    assert sorted(r["spec"]["rules"][0]["matches"][0]["headers"][0]["value"] for r in routes) == ["a00", "a14", "a28"]


def expected_nano(registry: ResolvedRegistry, ref: str, tokens: dict[str, int]) -> int:
    """The registry's price of a request, in whole nano-USD (truncated)."""
    model = registry.model(ref)

    def per_token(cell: object) -> Decimal | None:
        return cell.usd * 1000 if isinstance(cell, Price) and cell.unit == "mtok" else None

    if model is None:
        return 0
    inp, read, write, out = (per_token(c) for c in (model.input, model.cache_read, model.cache_write, model.output))
    if all(p is None for p in (inp, read, write, out)):
        return 0
    base = inp or Decimal(0)
    uncached = tokens["input_tokens"] - tokens["cached_input_tokens"] - tokens["cache_creation_input_tokens"]
    total = (uncached * base + tokens["cached_input_tokens"] * (read if read is not None else base)
             + tokens["cache_creation_input_tokens"] * (write if write is not None else base) + tokens["output_tokens"] * (out or 0))
    return int(total)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_the_cost_expression_gives_the_registry_prices(path: Path) -> None:
    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={name: getattr(cel.Type, kind) for name, kind in COST_VARIABLES.items()})
    registry, _, docs = render(path)
    tokens = {"input_tokens": 12_345, "cached_input_tokens": 2_000, "cache_creation_input_tokens": 345,
              "output_tokens": 6_789, "total_tokens": 19_134, "reasoning_tokens": 1_000}
    providers = {f"regc-{name}": name for name in BUILTIN}
    checked = 0
    for route in [d for d in docs if d["kind"] == "AIGatewayRoute"]:
        (cost,) = [c for c in route["spec"]["llmRequestCosts"] if c["type"] == "CEL"]
        assert cost["metadataKey"] == "llm_cost_nanousd"
        program = env.compile(cost["cel"])  # type-checked: a token count times a literal without `u` would not compile
        name = route["metadata"]["name"]
        for index, rule in enumerate(route["spec"]["rules"]):
            for ref_index, ref in enumerate(rule["backendRefs"]):
                backend = f"default/{ref['name']}/route/{name}/rule/{index}/ref/{ref_index}"
                data = {"model": ref["modelNameOverride"], "backend": backend, "route_name": name, **tokens}
                result = program.eval(data=data)
                assert str(result.type()) in {"UINT", "Type.UINT"} or "UINT" in str(result.type())
                want = expected_nano(registry, f"{providers[ref['name']]}/{ref['modelNameOverride']}", tokens)
                assert result.value() == want, f"{name} {backend} {ref['modelNameOverride']}"
                checked += 1
        # A model or backend the route does not know costs nothing, and is no error.
        assert program.eval(data={**data, "model": "not-a-model"}).value() == 0
        assert program.eval(data={**data, "backend": "default/elsewhere/route/x/rule/0/ref/0"}).value() == 0
    assert checked


def test_the_checks_reject_what_the_api_server_rejects() -> None:
    """The strict schemas and the CEL rules are not vacuous: a typo'd field, a wrong kind, a bad policy fail."""
    import jsonschema

    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={"self": cel.Type.DYN})
    _, _, docs = render(ROOT / "registry.md")
    route = next(d for d in docs if d["kind"] == "AIGatewayRoute")
    schema = schemas()[(route["apiVersion"], route["kind"])]
    typo = copy.deepcopy(route)
    typo["spec"]["rules"][0]["backendRefs"][0]["modelNameOveride"] = "x"
    assert list(jsonschema.Draft202012Validator(strict(schema)).iter_errors(typo))
    wrong = copy.deepcopy(route)
    wrong["spec"]["parentRefs"][0]["kind"] = "Service"
    results = [env.compile(rule).eval(data={"self": value}).value() for _, rule, value in _rules(_defaults(wrong, schema), schema, "x")]
    assert False in results
    policy = next(d for d in docs if d["kind"] == "BackendSecurityPolicy")
    bsp = schemas()[(policy["apiVersion"], policy["kind"])]
    bad = copy.deepcopy(policy)
    bad["spec"]["type"] = "AWSCredentials"
    results = [env.compile(rule).eval(data={"self": value}).value() for _, rule, value in _rules(_defaults(bad, bsp), bsp, "x")]
    assert False in results


def test_what_the_gateway_cannot_route_is_left_out_and_listed(tmp_path: Path) -> None:
    from tests.test_litellm import UNROUTABLE

    source = tmp_path / "mixed.md"
    source.write_text(UNROUTABLE)
    _, text, docs = render(source)
    (route,) = [d for d in docs if d["kind"] == "AIGatewayRoute"]
    assert [r["matches"][0]["headers"][0]["value"] for r in route["spec"]["rules"]] == ["mixed"]
    assert [(b["name"], b["modelNameOverride"]) for b in route["spec"]["rules"][0]["backendRefs"]] == \
        [("regc-openai", "gpt-5.4"), ("regc-xai", "grok-4.3")]
    assert "# not routed: \"fallback koder/koder-chat of alias 'mixed': no OpenAI-compatible endpoint" in text
    assert "# not routed: \"its primary koder/koder-ai-voice of alias 'voice': no OpenAI-compatible endpoint" in text


# The price maximum (regc.parse.cells.MAX_PRICE) and the most decimal places (MAX_PRICE_DECIMALS), in one route.
EXTREMES = """# Prices at regc's limits

## Dear · alias `dear`

| | |
|---|---|
| **Primary** | `openai/dear` |
| **Alternatives** | `openai/fine`, `openai/both` |

## Models

| Model | Input $/MTok | Output $/MTok | Cache read $/MTok | Cache write $/MTok |
|---|---|---|---|---|
| `openai/dear` | $100,000 | $100,000.00 | $99,999.999999999 | $100,000 |
| `openai/fine` | $0.000000001 | $0.000000009 | | |
| `openai/both` | $12,345.678901234 | $99,999.999999999 | $0.000000001 | $1.5 |
"""


def test_the_cost_expression_is_exact_at_the_price_maximum(tmp_path: Path) -> None:
    """Prices at the maximum and with every decimal place allowed, for requests of up to 10^10 tokens of each kind:
    the expression compiles, every literal fits a uint64, and the price is the exact truncated nano-USD."""
    cel = require_module("cel_expr_python.cel")
    env = cel.NewEnv(variables={name: getattr(cel.Type, kind) for name, kind in COST_VARIABLES.items()})
    source = tmp_path / "extremes.md"
    source.write_text(EXTREMES, encoding="utf-8")
    registry, _, docs = render(source)
    (route,) = [d for d in docs if d["kind"] == "AIGatewayRoute"]
    (cost,) = [c for c in route["spec"]["llmRequestCosts"] if c["type"] == "CEL"]
    literals = [int(n) for n in re.findall(r"(\d+)u", cost["cel"])]
    assert max(literals) < 2**64 and ") / 1000000u" in cost["cel"]  # the finest price sets the scale: 10^6
    program = env.compile(cost["cel"])
    name = route["metadata"]["name"]
    sizes = [0, 1, 7, 999_999, 10**6 + 1, 10**9 + 7, 10**10]
    for index, ref in enumerate(route["spec"]["rules"][0]["backendRefs"]):
        backend = f"default/{ref['name']}/route/{name}/rule/0/ref/{index}"
        for uncached, cached, created, out in itertools.product(sizes[::2], sizes[1::2], [0, 10**10], sizes[::3]):
            tokens = {"input_tokens": uncached + cached + created, "cached_input_tokens": cached,
                      "cache_creation_input_tokens": created, "output_tokens": out,
                      "total_tokens": uncached + cached + created + out, "reasoning_tokens": 0}
            result = program.eval(data={"model": ref["modelNameOverride"], "backend": backend, "route_name": name, **tokens})
            assert result.value() == expected_nano(registry, f"openai/{ref['modelNameOverride']}", tokens), (ref, tokens)


@pytest.mark.parametrize("cell", ["$100,000.01", "$100001", "$0.0000000001", "$1.0000000001", "0.20-100,001"])
def test_a_price_past_the_limits_is_an_input_error_in_both_formats(cell: str, tmp_path: Path) -> None:
    markdown = tmp_path / "r.md"
    markdown.write_text(EXTREMES.replace("$100,000 | $100,000.00", f"{cell} | $1.00"), encoding="utf-8")
    yaml = tmp_path / "r.yaml"
    yaml.write_text("aliases:\n  dear: {primary: openai/dear}\nmodels:\n  openai/dear: {input: " + json.dumps(cell) + "}\n",
                    encoding="utf-8")
    for path in (markdown, yaml):
        with pytest.raises(InputError) as caught:
            regc.load(path)
        (diagnostic,) = caught.value.diagnostics
        assert "maximum of $100,000" in diagnostic.message or "more than 9 decimal places" in diagnostic.message


def test_other_targets_carry_the_extreme_prices_exactly(tmp_path: Path) -> None:
    """JSON, SQLite and LiteLLM read a price as a double: at the limits it holds the registry's figure exactly."""
    import sqlite3

    source = tmp_path / "extremes.md"
    source.write_text(EXTREMES, encoding="utf-8")
    registry = regc.load(source)
    rendered = {name: next(iter(all_targets()[name]().render(registry, all_targets()[name].Options.model_validate({})).values()))
                for name in ("json", "sqlite", "litellm")}
    document = json.loads(rendered["json"])
    for model in registry.models:
        written = document["models"][str(model.ref)]
        for field in ("input", "output", "cache_read", "cache_write"):
            price = getattr(model, field)
            if price is not None:
                assert Decimal(repr(written[field]["usd"])) == price.usd, (model.ref, field)
    database = sqlite3.connect(":memory:")
    database.executescript(rendered["sqlite"].decode())
    for alias, usd in database.execute("SELECT alias, input_usd FROM task_categories"):
        assert Decimal(repr(usd)) == registry.model(registry.resolve(alias).primary).input.usd  # type: ignore[union-attr]
    (config,) = load_all(rendered["litellm"].decode())
    keys = {"input": "input_cost_per_token", "output": "output_cost_per_token", "cache_read": "cache_read_input_token_cost",
            "cache_write": "cache_creation_input_token_cost"}
    checked = 0
    for entry in config["model_list"]:
        model = registry.model(entry["litellm_params"]["model"])
        assert model is not None
        for field, key in keys.items():
            if getattr(model, field) is not None:
                assert Decimal(repr(entry["model_info"][key])) * 10**6 == getattr(model, field).usd, (model.ref, field)
                checked += 1
    assert checked >= 9
