"""The bifrost target, proven against Bifrost's published schema and the meaning its source gives each field.

Bifrost's ``transports/config.schema.json`` at the commit pinned in ``shared/reference/bifrost/README.md`` (read
here, never copied into the project) validates ``config.json`` for this repository's registry, every good fixture
and the hostile ones, with unknown keys refused in every object regc writes (the schema leaves a key object and
unnamed providers open; the strict copy below closes them). What the schema leaves open is pinned to Bifrost's source
(docs/targets/bifrost.md cites file and commit):

- a rule's ``cel_expression`` compiles in Bifrost's routing CEL environment (``plugins/governance/routing.go``,
  ``createCELEnvironment``) and, evaluated by a real CEL runtime (cel-expr-python) with the variables Bifrost sets
  for a request (``applyRoutingRules``: ``schemas.ParseModelString(model, "")``), matches its alias and nothing
  else, for any alias text hypothesis can think of;
- ``provider``/``model`` are the first chain model Bifrost reaches, ``fallbacks`` the rest, each ``provider/model``
  split on its first ``/`` as Bifrost splits it;
- prices are per token / per image / per audio second (``framework/modelcatalog/pricing.go``), ``exact`` overrides
  keyed by the model id without its provider (``applyPricingOverrides``: ``modelCandidates := []string{model}``);
- ``base_url`` plus the path Bifrost appends is the registry's OpenAI-compatible endpoint.

Expected values come from ``regc.load`` and the provider table, never from the target's code.
"""

from __future__ import annotations

import copy
import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regc
from regc.model import Price
from regc.model.providers import BUILTIN
from regc.model.resolve import ResolvedRegistry
from regc.targets import bifrost
from tests.conftest import FIXTURES, GOOD, ROOT, missing_tool, require_module, run_regc, shared_reference
from tests.registries import load_text, yaml_registries

REGISTRIES = [ROOT / "registry.md", *GOOD, *sorted((FIXTURES / "hostile").iterdir())]

# plugins/governance/routing.go, createCELEnvironment(): every variable a routing rule's expression may use.
CEL_VARIABLES = {"model": "STRING", "provider": "STRING", "request_type": "STRING", "virtual_key_id": "STRING",
                 "virtual_key_name": "STRING", "team_id": "STRING", "team_name": "STRING", "customer_id": "STRING",
                 "customer_name": "STRING", "tokens_used": "DOUBLE", "request": "DOUBLE", "budget_used": "DOUBLE"}
CEL_MAPS = ("headers", "params")  # map<string, string>, keys lower-cased

# The path each Bifrost provider appends to base_url for a chat completion (core/providers/<name>/<name>.go), and
# its default base_url. anthropic and gemini speak their native APIs: their base_url is the default one.
CHAT_PATH = {"openai": "/v1/chat/completions", "groq": "/v1/chat/completions", "mistral": "/v1/chat/completions",
             "ollama": "/v1/chat/completions", "openrouter": "/v1/chat/completions", "xai": "/v1/chat/completions",
             "perplexity": "/chat/completions"}
DEFAULT_BASE_URL = {"anthropic": "https://api.anthropic.com", "gemini": "https://generativelanguage.googleapis.com/v1beta",
                    "openai": "https://api.openai.com", "groq": "https://api.groq.com/openai", "mistral": "https://api.mistral.ai",
                    "openrouter": "https://openrouter.ai/api", "perplexity": "https://api.perplexity.ai", "xai": "https://api.x.ai"}
# core/schemas/bifrost.go (the version of the schema's era, with VLLM and Runway): a standard provider the schema's
# `providers` does not name (its additionalProperties are open); Bifrost reads its block as any provider's.
UNNAMED_STANDARD = {"xai"}


def schema_path() -> Path:
    found = shared_reference("bifrost", "config.schema.json")
    if found is None:
        missing_tool("Bifrost's config.schema.json is not in shared/reference/bifrost beside the repository, a directory above it "
                     "or the repository it was cloned from (the GitHub workflow fetches it at the pinned commit)")
    return found


@functools.cache
def schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(schema_path().read_text(encoding="utf-8"))
    return loaded


def strict(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of the schema that refuses unknown keys in every object regc writes.

    Each object with ``properties`` and no ``additionalProperties`` is closed. A definition used as a branch of an
    ``allOf`` (``base_key`` under ``azure_key``) cannot be closed on its own: it is closed where it is used,
    by ``unevaluatedProperties: false`` beside the reference and on the ``allOf`` (Draft 2019-09 sees the
    properties every branch evaluated). Providers the schema does not name are validated as ``$defs/provider``.
    """
    out = copy.deepcopy(document)
    branches = {ref["$ref"].rsplit("/", 1)[1] for definition in out["$defs"].values()
                for ref in definition.get("allOf", []) if "$ref" in ref}

    def close(node: Any, name: str | None = None, branch: bool = False) -> Any:
        if isinstance(node, list):
            return [close(item) for item in node]
        if not isinstance(node, dict):
            return node
        result = {key: [close(item, branch=True) for item in value] if key == "allOf" else close(value) for key, value in node.items()}
        if "properties" in result and "additionalProperties" not in result and name not in branches and not branch:
            result["additionalProperties"] = False
        if "allOf" in result:
            result["unevaluatedProperties"] = False
        if result.get("$ref", "").rsplit("/", 1)[-1] in branches and not branch:
            result["unevaluatedProperties"] = False
        return result

    closed = {key: close(value) for key, value in out.items() if key != "$defs"}
    closed["$defs"] = {name: close(value, name) for name, value in out["$defs"].items()}
    closed["properties"]["providers"]["additionalProperties"] = {"$ref": "#/$defs/provider"}
    return closed


@functools.cache
def validator() -> Any:
    import jsonschema

    strict_schema = strict(schema())
    jsonschema.Draft201909Validator.check_schema(strict_schema)
    return jsonschema.Draft201909Validator(strict_schema)


def render(registry: ResolvedRegistry, **options: Any) -> tuple[bytes, dict[str, Any]]:
    opts = bifrost.BifrostOptions.model_validate(options)
    data = bifrost.BifrostTarget().render(registry, opts)[opts.path]
    return data, json.loads(data)


def errors(document: dict[str, Any]) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in sorted(validator().iter_errors(document), key=lambda e: list(e.absolute_path))]


def reachable(registry: ResolvedRegistry, alias: str) -> list[tuple[str, str]]:
    """(Bifrost provider, model id) of the chain's models Bifrost can reach, in chain order (from regc.load)."""
    names = {"google": "gemini"}
    return [(names.get(ref.provider or "", ref.provider or ""), ref.model) for ref in registry.resolve(alias).models
            if ref.provider in {"anthropic", "google", "groq", "mistral", "ollama", "openai", "openrouter", "perplexity", "xai"}]


# --- the schema --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_the_config_validates_against_bifrost_s_schema_with_unknown_keys_refused(path: Path) -> None:
    _, document = render(regc.load(path), request_timeout_seconds=30, max_retries=1)
    assert document["$schema"] == schema()["properties"]["$schema"]["const"]
    assert not errors(document), errors(document)
    named = set(schema()["properties"]["providers"]["properties"])
    assert set(document["providers"]) <= named | UNNAMED_STANDARD


def test_the_strict_schema_refuses_what_regc_must_never_write() -> None:
    """Not vacuous: a misspelt key in each object regc writes, and a rule without an id, are refused."""
    _, document = render(regc.load(ROOT / "registry.md"))
    assert not errors(document)
    paths = [("governance", "routing_rules", 0), ("providers", "openai"), ("providers", "openai", "keys", 0),
             ("providers", "openai", "network_config"), ("providers", "openai", "pricing_overrides", 0), ("providers", "xai")]
    for path in paths:
        broken = copy.deepcopy(document)
        node: Any = broken
        for part in path:
            node = node[part]
        node["fallback"] = []
        assert any("fallback" in message for message in errors(broken)), path
    broken = copy.deepcopy(document)
    del broken["governance"]["routing_rules"][0]["id"]
    assert errors(broken)
    broken = copy.deepcopy(document)
    broken["providers"]["openai"]["pricing_overrides"][0]["match_type"] = "glob"
    assert errors(broken)


def test_every_key_regc_may_write_is_in_the_schema() -> None:
    """ALLOWED_KEYS, the keys the target may write, are each a property of the object's schema definition."""
    defs = schema()["$defs"]
    def key_config(kind: str) -> set[str]:
        (extra,) = [branch for branch in defs[f"{kind}_key"]["allOf"] if "$ref" not in branch]
        return set(extra["properties"][f"{kind}_key_config"]["properties"])

    properties = {
        "config": set(schema()["properties"]),
        "governance": set(schema()["properties"]["governance"]["properties"]),
        "routing_rule": set(defs["routing_rule"]["properties"]),
        "provider": set(defs["provider"]["properties"]),
        "key": set(defs["base_key"]["properties"]) | {f"{kind}_key_config" for kind in ("azure", "bedrock", "vertex", "vllm")},
        **{f"{kind}_key_config": key_config(kind) for kind in ("azure", "bedrock", "vertex", "vllm")},
        "network_config": set(defs["network_config"]["properties"]),
        "pricing_override": set(defs["provider_pricing_override"]["properties"]),
    }
    for name, keys in bifrost.ALLOWED_KEYS.items():
        assert keys <= properties[name], (name, keys - properties[name])
    assert {"keys", "network_config", "pricing_overrides"} <= properties["provider"]


def _walk(document: dict[str, Any]) -> None:
    allowed = bifrost.ALLOWED_KEYS
    assert set(document) <= allowed["config"] and set(document["governance"]) <= allowed["governance"]
    for rule in document["governance"]["routing_rules"]:
        assert set(rule) <= allowed["routing_rule"]
    for block in document["providers"].values():
        assert set(block) <= allowed["provider"]
        assert set(block.get("network_config", {})) <= allowed["network_config"]
        for key in block["keys"]:
            assert set(key) <= allowed["key"]
            for name, value in key.items():
                if name.endswith("_key_config"):
                    assert set(value) <= allowed[name]
        for override in block.get("pricing_overrides", []):
            assert set(override) <= allowed["pricing_override"]


# --- routing rules: CEL, provider/model, fallbacks ----------------------------------------------------------


@functools.cache
def cel_env() -> Any:
    cel = require_module("cel_expr_python.cel")
    variables = {name: getattr(cel.Type, kind) for name, kind in CEL_VARIABLES.items()}
    variables.update({name: cel.Type.Map(cel.Type.STRING, cel.Type.STRING) for name in CEL_MAPS})
    return cel.NewEnv(variables=variables)


def request(model: str, provider: str = "") -> dict[str, Any]:
    """The variables Bifrost sets for a request (extractRoutingVariables), no virtual key, no limits."""
    empty = {name: "" for name, kind in CEL_VARIABLES.items() if kind == "STRING"}
    return {**empty, **{name: 0.0 for name, kind in CEL_VARIABLES.items() if kind == "DOUBLE"},
            "headers": {"content-type": "application/json"}, "params": {}, "model": model, "provider": provider,
            "request_type": "chat_completion"}


def matches(expression: str, model: str, provider: str = "") -> bool:
    result = cel_env().compile(expression).eval(data=request(model, provider)).value()
    assert isinstance(result, bool)
    return result


def split_model_string(text: str) -> tuple[str, str]:
    """core/schemas/utils.go ParseModelString(text, ""): split on the first "/"; no "/" -> ("", text)."""
    provider, slash, model = text.partition("/")
    return (provider, model) if slash else ("", text)


def _check_rules(registry: ResolvedRegistry, document: dict[str, Any]) -> None:
    rules = document["governance"]["routing_rules"]
    assert [rule["name"] for rule in rules] == [alias.name for alias in registry.aliases]
    assert len({rule["id"] for rule in rules}) == len(rules)
    names = [alias.name for alias in registry.aliases]
    for rule in rules:
        assert rule["scope"] == "global"
        # The alias matches; no other alias, no provider-prefixed request and no near miss does.
        assert matches(rule["cel_expression"], rule["name"])
        for other in {*names[:20], rule["name"] + "x", rule["name"][:-1], rule["name"].upper(), ""} - {rule["name"]}:
            assert not matches(rule["cel_expression"], other)
        assert not matches(rule["cel_expression"], rule["name"], "openai")
        chain = reachable(registry, rule["name"])
        if not chain:
            assert rule["enabled"] is False and "provider" not in rule and "model" not in rule
            continue
        assert rule["enabled"] is True
        # Bifrost rewrites the request to provider + "/" + model, then splits the fallbacks on their first "/".
        assert split_model_string(rule["provider"] + "/" + rule["model"]) == chain[0]
        assert [split_model_string(item) for item in rule["fallbacks"]] == chain[1:]


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_each_alias_is_one_rule_matching_it_alone_with_its_chain_as_bifrost_reads_it(path: Path) -> None:
    registry = regc.load(path)
    _, document = render(registry)
    _walk(document)
    _check_rules(registry, document)


# cel-expr-python passes a variable's value to CEL as a C string: it ends at NUL (a Go string in Bifrost does not).
# Texts compared through variables leave NUL out; the literal itself is read back with NUL and all.
_VARIABLE_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)


@settings(max_examples=300, deadline=None)
@given(alias=st.text(max_size=40))
def test_the_cel_literal_is_exactly_the_alias_text(alias: str) -> None:
    """Quotes, backslashes, newlines, NUL, `" || true || "`, any plane of Unicode: the literal CEL reads is the text."""
    literal = bifrost.cel_string(alias)
    assert literal.isascii() and "\n" not in literal
    assert cel_env().compile(literal).eval(data=request("")).value() == alias


@settings(max_examples=300, deadline=None)
@given(alias=_VARIABLE_TEXT, other=_VARIABLE_TEXT)
def test_no_alias_text_injects_into_the_cel_expression(alias: str, other: str) -> None:
    """The expression compiles, is true for exactly that model name, and stays a literal comparison."""
    expression = bifrost.cel_expression(alias)
    assert matches(expression, alias)
    assert matches(expression, other) == (other == alias)
    assert not matches(expression, alias, "openai")


@pytest.mark.parametrize("alias", ['" || true || "', '\\" || true || \\"', "a\"b", "a\\", "\n", "${x}", "\u202e", "\U0001f600", "é"])
def test_cel_injection_attempts_stay_literals(alias: str) -> None:
    expression = bifrost.cel_expression(alias)
    assert matches(expression, alias) and not matches(expression, "anything") and not matches(expression, "")


def test_a_lone_surrogate_has_no_cel_form() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        bifrost.cel_string("a\ud800")


def test_an_alias_no_model_of_which_bifrost_reaches_is_a_disabled_rule_saying_why(tmp_path: Path) -> None:
    source = tmp_path / "registry.yaml"
    source.write_text("aliases:\n  ds: {primary: deepseek/deepseek-chat, alternatives: [kimi/kimi-k2.6]}\n"
                      "  mixed: {primary: deepseek/deepseek-chat, alternatives: [openai/gpt-5.4, \"stability/x (when key added)\"]}\n")
    registry = regc.load(source)
    _, document = render(registry)
    assert not errors(document)
    disabled, mixed = document["governance"]["routing_rules"]
    assert disabled["enabled"] is False and "provider" not in disabled
    assert "deepseek/deepseek-chat (Bifrost has no provider 'deepseek')" in disabled["description"]
    assert "the rule is disabled" in disabled["description"]
    assert (mixed["provider"], mixed["model"], mixed["fallbacks"]) == ("openai", "gpt-5.4", [])
    assert "pending stability/x: not routed yet" in mixed["description"]
    assert set(document["providers"]) == {"openai"}


# --- providers: keys, base URLs ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_each_provider_has_its_env_key_the_chains_models_and_its_base_url(path: Path) -> None:
    registry = regc.load(path)
    _, document = render(registry)
    expected: dict[str, set[str]] = {}
    for alias in registry.aliases:
        for provider, model in reachable(registry, alias.name):
            expected.setdefault(provider, set()).add(model)
    assert set(document["providers"]) == set(expected)
    regc_name = {"gemini": "google"}
    for name, block in document["providers"].items():
        entry = BUILTIN[regc_name.get(name, name)]
        (key,) = block["keys"]
        assert key["models"] == sorted(expected[name]) and key["weight"] == 1
        assert key.get("value") == (f"env.{entry.api_key_env}" if entry.api_key_env else None)
        url = block["network_config"]["base_url"]
        assert url == DEFAULT_BASE_URL.get(name, url)
        if name in CHAT_PATH:
            assert url + CHAT_PATH[name] == (entry.api_base or "") + "/chat/completions"


def test_a_configured_api_base_is_the_base_url_and_one_bifrost_cannot_use_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text(
        'registry = "registry.md"\n\n[providers.ollama]\napi_base = "http://10.0.0.5:11434/v1/"\n\n'
        '[providers.openai]\napi_base = "http://127.0.0.1:9/openai"\n\n[targets.bifrost]\npath = "b.json"\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    document = json.loads((tmp_path / "b.json").read_text())
    assert document["providers"]["ollama"]["network_config"]["base_url"] == "http://10.0.0.5:11434"
    assert "openai" not in document["providers"]
    general = next(rule for rule in document["governance"]["routing_rules"] if rule["name"] == "general")
    assert "openai/gpt-5.4 (provider 'openai': api_base http://127.0.0.1:9/openai does not end in /v1" in general["description"]
    assert not errors(document)


def test_doctor_names_the_variables_the_keys_reference(tmp_path: Path) -> None:
    registry = regc.load(ROOT / "registry.md")
    needed = bifrost.BifrostTarget().environment(registry, bifrost.BifrostOptions())
    _, document = render(registry)
    referenced = {key["value"].removeprefix("env.") for block in document["providers"].values() for key in block["keys"] if "value" in key}
    assert set(needed) == referenced
    assert needed["GEMINI_API_KEY"] == ["Bifrost provider 'gemini' (google: API key)"]


# --- provider kinds: Azure, Bedrock, Vertex, vLLM (tests/fixtures/providers) -------------------------------


def _providers_fixture(tmp_path: Path, extra: str = "") -> dict[str, Any]:
    for name in ("registry.md", "regc.toml"):
        (tmp_path / name).write_bytes((FIXTURES / "providers" / name).read_bytes())
    with (tmp_path / "regc.toml").open("a", encoding="utf-8") as config:
        config.write(f'\n[targets.bifrost]\npath = "b.json"\n{extra}')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    document: dict[str, Any] = json.loads((tmp_path / "b.json").read_text())
    return document


def test_azure_bedrock_vertex_and_vllm_get_their_key_blocks(tmp_path: Path) -> None:
    document = _providers_fixture(tmp_path)
    assert not errors(document), errors(document)
    _walk(document)
    providers = document["providers"]
    assert set(providers) == {"azure", "bedrock", "vertex", "vllm"}
    # Two regc providers of kind azure are two keys of Bifrost's azure provider, each with its resource and deployments.
    assert providers["azure"]["keys"] == [
        {"azure_key_config": {"api_version": "2024-10-21", "deployments": {"gpt-4o-prod": "gpt-4o-prod",
                                                                           "text-embedding-3-large-prod": "text-embedding-3-large-prod"},
                              "endpoint": "https://contoso.openai.azure.com"},
         "models": ["gpt-4o-prod", "text-embedding-3-large-prod"], "name": "regc-azure", "value": "env.AZURE_API_KEY", "weight": 1},
        {"azure_key_config": {"api_version": "2024-10-21", "deployments": {"gpt-4o-eu": "gpt-4o-eu",
                                                                           "text-embedding-3-large-eu": "text-embedding-3-large-eu"},
                              "endpoint": "https://contoso-eu.openai.azure.com"},
         "models": ["gpt-4o-eu", "text-embedding-3-large-eu"], "name": "regc-azure-eu", "value": "env.AZURE_EU_API_KEY", "weight": 1},
    ]
    assert providers["bedrock"]["keys"] == [
        {"bedrock_key_config": {"access_key": "env.AWS_ACCESS_KEY_ID", "region": "us-east-1", "secret_key": "env.AWS_SECRET_ACCESS_KEY"},
         "models": ["anthropic.claude-3-5-sonnet-20240620-v1:0"], "name": "regc-bedrock", "weight": 1}]
    assert providers["vertex"]["keys"] == [
        {"models": ["gemini-2.5-pro"], "name": "regc-vertex", "vertex_key_config": {"project_id": "acme-prod", "region": "us-central1"},
         "weight": 1}]
    # Bifrost's vLLM provider appends /v1/chat/completions to the key's url and picks the key by model_name.
    assert providers["vllm"]["keys"] == [
        {"models": ["Qwen/Qwen2.5-7B-Instruct"], "name": "regc-vllm/Qwen/Qwen2.5-7B-Instruct",
         "vllm_key_config": {"model_name": "Qwen/Qwen2.5-7B-Instruct", "url": "http://vllm.internal:8000"}, "weight": 1}]
    assert all("network_config" not in block for block in providers.values())
    rules = {rule["name"]: rule for rule in document["governance"]["routing_rules"]}
    assert (rules["azure-chat"]["provider"], rules["azure-chat"]["model"]) == ("azure", "gpt-4o-prod")
    assert rules["azure-chat"]["fallbacks"] == ["azure/gpt-4o-eu", "vllm/Qwen/Qwen2.5-7B-Instruct"]
    assert rules["bedrock-chat"]["fallbacks"] == ["vertex/gemini-2.5-pro", "azure/gpt-4o-prod"]
    # Each fallback's model is served by exactly one key of its Bifrost provider.
    for rule in rules.values():
        for item in [f"{rule['provider']}/{rule['model']}", *rule["fallbacks"]]:
            provider, model = split_model_string(item)
            assert len([key for key in providers[provider]["keys"] if model in key["models"]]) == 1, item
    prices = {o["model_pattern"]: o for o in providers["azure"]["pricing_overrides"]}
    assert prices["gpt-4o-eu"]["input_cost_per_token"] == 2.75e-06 and prices["gpt-4o-prod"]["input_cost_per_token"] == 2.5e-06
    assert providers["vllm"]["pricing_overrides"] == [{"input_cost_per_token": 0.0, "match_type": "exact",
                                                       "model_pattern": "Qwen/Qwen2.5-7B-Instruct", "output_cost_per_token": 0.0}]


def test_doctor_names_the_kinds_variables(tmp_path: Path) -> None:
    _providers_fixture(tmp_path)
    result = run_regc("doctor", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.err
    checks = {check["variable"]: check["needed_by"] for check in json.loads(result.out)["variables"] if check["target"] == "bifrost"}
    assert checks == {"AZURE_API_KEY": ["Bifrost provider 'azure' (azure: API key)"],
                      "AZURE_EU_API_KEY": ["Bifrost provider 'azure' (azure-eu: API key)"],
                      "AWS_ACCESS_KEY_ID": ["Bifrost provider 'bedrock' (bedrock: AWS access key id)"],
                      "AWS_SECRET_ACCESS_KEY": ["Bifrost provider 'bedrock' (bedrock: AWS secret access key)"],
                      "GOOGLE_APPLICATION_CREDENTIALS": ["Bifrost provider 'vertex' (vertex: path of the service-account JSON file)"]}


def test_a_vertex_credentials_variable_bifrost_does_not_read_is_left_out(tmp_path: Path) -> None:
    document = _providers_fixture(tmp_path, extra="")
    assert "vertex" in document["providers"]
    text = (tmp_path / "regc.toml").read_text().replace('vertex_location = "us-central1"\n',
                                                          'vertex_location = "us-central1"\nvertex_credentials_env = "VERTEX_SA"\n')
    (tmp_path / "regc.toml").write_text(text)
    assert run_regc("build", cwd=tmp_path).code == 0
    document = json.loads((tmp_path / "b.json").read_text())
    assert "vertex" not in document["providers"]
    rules = {rule["name"]: rule for rule in document["governance"]["routing_rules"]}
    assert rules["vertex-chat"]["provider"] == "bedrock"
    assert "reads Google's default credentials (GOOGLE_APPLICATION_CREDENTIALS), not VERTEX_SA" in rules["vertex-chat"]["description"]
    assert not errors(document)


# --- prices ------------------------------------------------------------------------------------------------


def _exact(value: float) -> Decimal:
    return Decimal(repr(value))


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_prices_are_the_registry_s_in_bifrost_s_units(path: Path) -> None:
    registry = regc.load(path)
    _, document = render(registry)
    regc_name = {"gemini": "google"}
    checked = 0
    for name, block in document["providers"].items():
        overrides = block.get("pricing_overrides", [])
        assert [o["model_pattern"] for o in overrides] == sorted({o["model_pattern"] for o in overrides})
        for override in overrides:
            assert override["match_type"] == "exact"
            model = registry.model(f"{regc_name.get(name, name)}/{override['model_pattern']}")
            assert model is not None
            for column, key in (("input", "input_cost_per_token"), ("output", "output_cost_per_token"),
                                ("cache_read", "cache_read_input_token_cost"), ("cache_write", "cache_creation_input_token_cost")):
                cell = getattr(model, column)
                if isinstance(cell, Price) and cell.unit == "mtok":
                    assert _exact(override[key]) * 1_000_000 == cell.usd, (override, column)
                    checked += 1
                else:
                    assert key not in override
            for column in ("input", "output"):
                cell = getattr(model, column)
                if isinstance(cell, Price) and cell.unit == "image":
                    field = "output_cost_per_image" if model.kind == "image" and column == "input" else f"{column}_cost_per_image"
                    assert _exact(override[field]) == cell.usd
                    checked += 1
                if isinstance(cell, Price) and cell.unit in {"minute", "second"} and column == "input":
                    per_second = cell.usd / 60 if cell.unit == "minute" else cell.usd
                    assert abs(_exact(override["input_cost_per_audio_per_second"]) - per_second) <= per_second * Decimal("1e-15")
                    checked += 1
    if path == ROOT / "registry.md":
        assert checked > 50
        assert document["providers"]["xai"]["pricing_overrides"][2] == {
            "match_type": "exact", "model_pattern": "grok-imagine-image", "output_cost_per_image": 0.02}


def test_a_model_without_a_price_has_no_override_and_prices_can_be_turned_off() -> None:
    registry = regc.load(ROOT / "registry.md")
    _, document = render(registry, prices=False)
    assert all("pricing_overrides" not in block for block in document["providers"].values())
    assert not errors(document)


# --- bytes, options, hostile text --------------------------------------------------------------------------


def _round_trip(registry: ResolvedRegistry) -> None:
    data, document = render(registry)
    assert render(registry)[0] == data, "deterministic bytes"
    assert data.isascii() and data.endswith(b"}\n")
    _walk(document)
    rules = document["governance"]["routing_rules"]
    for rule, line in zip(rules, [line for line in data.decode().splitlines() if line.startswith('      {"cel_expression"')], strict=True):
        assert line.strip().removesuffix(",") == json.dumps(rule, sort_keys=True, separators=(",", ":"))
    for rule, alias in zip(rules, registry.aliases, strict=True):
        assert rule["name"] == alias.name and rule["id"] == f"regc-{alias.name}"
        assert f" Alias `{alias.name}`" + (f": {alias.title}." if alias.title else ".") in rule["description"]
        assert matches(rule["cel_expression"], alias.name)
    _check_rules(registry, document)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_fixtures_read_back_as_written(path: Path) -> None:
    _round_trip(regc.load(path))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_registries())
def test_hostile_registries_read_back_as_written(text: str) -> None:
    registry = load_text(text)
    if registry is not None:
        _round_trip(registry)
        assert not errors(render(registry)[1])


def test_options_have_a_json_schema_with_their_bounds(tmp_path: Path) -> None:
    schema_ = bifrost.BifrostOptions.model_json_schema()
    assert schema_["additionalProperties"] is False
    properties = schema_["properties"]
    assert {"priority", "request_timeout_seconds", "max_retries", "prices"} <= set(properties)
    assert all(properties[name].get("description") for name in ("priority", "request_timeout_seconds", "max_retries", "prices"))
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.bifrost]\nrequest_timeout_seconds = 0\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2 and "regc.toml:4:1: error: targets.bifrost.request_timeout_seconds" in result.err, result.err
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.bifrost]\nmax_retry = 2\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2 and "max_retries" in result.err and not (tmp_path / "targets").exists()


def test_options_reach_every_provider_and_rule() -> None:
    _, document = render(regc.load(ROOT / "registry.md"), priority=7, request_timeout_seconds=45, max_retries=2)
    assert {rule["priority"] for rule in document["governance"]["routing_rules"]} == {7}
    for block in document["providers"].values():
        assert block["network_config"]["default_request_timeout_in_seconds"] == 45
        assert block["network_config"]["max_retries"] == 2
    assert not errors(document)
