"""The openrouter target and ``regc prices check --catalog openrouter``, proven against OpenRouter's own ids.

The proof: every OpenRouter id the target emits (for this repository's registry and every good fixture,
with every option set) is an id models.dev lists under its ``openrouter`` provider, read from the shared
snapshot (``shared_reference``, never copied in), and so is every id of the committed list the mapping
may emit. OpenRouter has no local program to run a preset against; the keys written are pinned to those
OpenRouter's provider-routing docs list (docs/targets/openrouter.md cites them). Expected values come
from the registry (``regc.load``) and the catalog, never from the target's code.
"""

from __future__ import annotations

import functools
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

import regc
import regc.pipeline
from regc.model import ModelRef, Price
from regc.model.openrouter import LABS, IdMap, computed
from regc.model.openrouter_ids import IDS
from regc.model.resolve import ResolvedRegistry
from regc.targets import openrouter
from tests.conftest import FIXTURES, GOOD, ROOT, missing_tool, run_regc, shared_reference
from tests.registries import load_text, yaml_registries

REGISTRIES = [ROOT / "registry.md", *GOOD]
EVERY_OPTION = openrouter.OpenRouterOptions(
    allow_fallbacks=False, require_parameters=True, data_collection="deny", zdr=True, only=["anthropic", "openai"],
    ignore=["deepinfra"], order=["openai"], quantizations=["fp8", "bf16"], sort="throughput", max_price="chain",
    max_price_headroom_percent=10)


def _snapshot() -> Path:
    found = shared_reference("catalogs", "modelsdev_models.json")
    if found is None:
        missing_tool("the shared models.dev snapshot (shared/reference/catalogs/modelsdev_models.json) is not beside this checkout")
    return found


@functools.cache
def _openrouter_rows() -> dict[str, dict[str, Any]]:
    """The snapshot's ``openrouter`` rows by id (read once: the file is 5 MB)."""
    data = json.loads(_snapshot().read_text(encoding="utf-8"))
    return {row["model"]: row for row in data["models"] if row["provider"] == "openrouter"}


def _catalog_ids() -> set[str]:
    return set(_openrouter_rows())


def _document(registry: ResolvedRegistry, options: openrouter.OpenRouterOptions) -> dict[str, Any]:
    return json.loads(openrouter.OpenRouterTarget().render(registry, options)[options.path])


# --- the proof: OpenRouter lists every id -------------------------------------------------------


def test_every_committed_id_is_an_openrouter_id_of_a_mapped_lab() -> None:
    catalog = _catalog_ids()
    assert sorted(IDS - catalog) == [], "committed ids OpenRouter does not list (models.dev snapshot)"
    assert {i.split("/")[0] for i in IDS} == set(LABS.values())
    # The list is all of those labs' ids: a model the rules reach is never left out for want of one.
    assert sorted(i for i in catalog if i.split("/")[0] in set(LABS.values())) == sorted(IDS)


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: p.name)
def test_every_emitted_id_is_in_the_catalog(path: Path) -> None:
    catalog = _catalog_ids()
    for options in (openrouter.OpenRouterOptions(), EVERY_OPTION):
        presets = _document(regc.load(path), options)["presets"]
        emitted = {model for preset in presets.values() for model in preset["models"]}
        assert emitted <= catalog, sorted(emitted - catalog)


def test_this_repository_s_presets_are_the_researched_chains() -> None:
    """docs/research/gateways-2026-12.md §4.2 mapped this registry by hand against the snapshot."""
    presets = json.loads((ROOT / "targets/openrouter/presets.json").read_text())["presets"]
    assert presets["best"]["models"] == [
        "anthropic/claude-opus-4.7", "openai/gpt-5.5", "deepseek/deepseek-v4-flash", "moonshotai/kimi-k2.6"]
    assert presets["general"]["models"] == ["openai/gpt-5.4", "anthropic/claude-sonnet-4.6", "x-ai/grok-4.3", "moonshotai/kimi-k2.6"]
    assert presets["cheap"]["models"] == ["deepseek/deepseek-v4-flash", "openai/gpt-4o-mini"]
    assert presets["fast"]["models"] == ["anthropic/claude-haiku-4.5"]
    assert not {"embed", "image", "audio", "local"} & set(presets)


# --- the mapping ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("ref", "expected"), [
    ("anthropic/claude-opus-4-7", "anthropic/claude-opus-4.7"),
    ("anthropic/claude-haiku-4-5-20251001", "anthropic/claude-haiku-4.5"),
    ("anthropic/claude-sonnet-4-20250514", "anthropic/claude-sonnet-4"),
    ("anthropic/claude-3-haiku-20240307", "anthropic/claude-3-haiku"),
    ("openrouter/anthropic/claude-sonnet-4.6", "anthropic/claude-sonnet-4.6"),
    ("xai/grok-4.3", "x-ai/grok-4.3"),
    ("kimi/kimi-k2.6", "moonshotai/kimi-k2.6"),
    ("openai/gpt-5.4-mini", "openai/gpt-5.4-mini"),
    ("google/gemini-2.5-pro", "google/gemini-2.5-pro"),
    ("deepseek/deepseek-v4-flash", "deepseek/deepseek-v4-flash"),
    ("perplexity/sonar-pro", "perplexity/sonar-pro"),
    # Computed, but OpenRouter does not list them: never emitted (no near match is taken).
    ("xai/grok-4.20-0309-reasoning", None),
    ("mistral/codestral-latest", None),
    ("openai/gpt-image-2", None),
    ("anthropic/claude-opus-4-7-20990101x", None),
    # No rule for the provider.
    ("groq/whisper-large-v3", None),
    ("ollama/qwen2.5:7b", None),
    ("qwen2.5", None),
])
def test_mapping(ref: str, expected: str | None) -> None:
    found, why = IdMap().lookup(ModelRef.parse(ref))
    assert found == expected, why
    if expected is not None:
        assert expected in _catalog_ids()


def test_lab_names_are_the_ones_openrouter_uses() -> None:
    labs = {model.split("/")[0] for model in _catalog_ids()}
    assert set(LABS.values()) <= labs
    assert computed(ModelRef.parse("xai/x")) == "x-ai/x" and computed(ModelRef.parse("kimi/x")) == "moonshotai/x"


def test_overrides_and_extra_ids_are_the_configuration_s_word() -> None:
    registry = regc.load(ROOT / "registry.md")
    options = openrouter.OpenRouterOptions(models={"xai/grok-4.20-0309-reasoning": "x-ai/grok-4.20", "openai/gpt-5.5": ""},
                                           ids=["moonshotai/kimi-k3.1-pro"])
    document = _document(registry, options)
    assert document["presets"]["best"]["models"] == [
        "anthropic/claude-opus-4.7", "x-ai/grok-4.20", "deepseek/deepseek-v4-flash", "moonshotai/kimi-k2.6"]
    assert "openai/gpt-5.5: left out by the `models` option" in document["left_out"]["best"]
    assert document["presets"]["long-context"]["models"] == [
        "google/gemini-2.5-pro", "anthropic/claude-sonnet-4.6", "moonshotai/kimi-k3.1-pro"]


def test_one_id_reached_twice_is_listed_once() -> None:
    text = ("# R\n\n## 1. Fast · alias `fast`\n\n| | |\n|---|---|\n| **Primary** | `anthropic/claude-haiku-4-5-20251001` |\n"
            "| **Alternatives** | `openrouter/anthropic/claude-haiku-4.5`, `openai/gpt-5.4` |\n")
    registry = regc.pipeline.load_text(text, "r.md")
    assert _document(registry, openrouter.OpenRouterOptions())["presets"]["fast"]["models"] == [
        "anthropic/claude-haiku-4.5", "openai/gpt-5.4"]


# --- options ------------------------------------------------------------------------------------


def test_provider_object_holds_the_documented_keys_the_options_set() -> None:
    registry = regc.load(ROOT / "registry.md")
    document = _document(registry, EVERY_OPTION)
    for preset in document["presets"].values():
        assert set(preset) == openrouter.BODY_KEYS
        provider = preset["provider"]
        assert set(provider) == openrouter.PROVIDER_KEYS
        assert {k: v for k, v in provider.items() if k != "max_price"} == {
            "allow_fallbacks": False, "require_parameters": True, "data_collection": "deny", "zdr": True,
            "only": ["anthropic", "openai"], "ignore": ["deepinfra"], "order": ["openai"], "quantizations": ["fp8", "bf16"],
            "sort": "throughput"}
        assert set(provider["max_price"]) <= openrouter.MAX_PRICE_KEYS
    for preset in _document(registry, openrouter.OpenRouterOptions())["presets"].values():
        assert set(preset) == {"models"}


def test_provider_keys_are_the_ones_openrouter_documents() -> None:
    """https://openrouter.ai/docs/features/provider-routing (the `provider` object's table) and the SDKs' MaxPrice."""
    documented = {"order", "allow_fallbacks", "require_parameters", "data_collection", "zdr", "enforce_distillable_text", "only",
                  "ignore", "quantizations", "sort", "preferred_min_throughput", "preferred_max_latency", "max_price"}
    assert documented >= openrouter.PROVIDER_KEYS
    assert {"prompt", "completion", "request", "image", "audio"} >= openrouter.MAX_PRICE_KEYS


@pytest.mark.parametrize("headroom", [0, 10])
def test_max_price_is_the_chain_s_highest_registry_price(headroom: int) -> None:
    registry = regc.load(ROOT / "registry.md")
    options = openrouter.OpenRouterOptions(max_price="chain", max_price_headroom_percent=headroom)
    document = _document(registry, options)
    by_id = {IdMap().lookup(model.ref)[0]: model for model in registry.models}
    checked = 0
    for name, preset in document["presets"].items():
        models = [by_id[i] for i in preset["models"]]
        for side, field in (("prompt", "input"), ("completion", "output")):
            prices = [getattr(m, field) for m in models]
            if all(isinstance(p, Price) and p.unit == "mtok" for p in prices):
                expected = max(p.usd for p in prices) * (100 + headroom) / 100
                assert Decimal(preset["provider"]["max_price"][side]) == expected, (name, side)
                checked += 1
            else:
                assert side not in preset["provider"].get("max_price", {})
                assert any(f"max_price.{side}" in why for why in document["left_out"][name])
    assert checked >= 20
    assert document["presets"]["best"]["provider"]["max_price"]["completion"] == str(30 * (100 + headroom) // 100)


def test_missing_error_refuses_naming_each_alias_and_model(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.openrouter]\npath = "p.json"\nmissing = "error"\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2, result.err
    assert "alias `best`: no OpenRouter id for xai/grok-4.20-0309-reasoning: `x-ai/grok-4.20-0309-reasoning` is not a known" in result.err
    assert "alias `local`: no OpenRouter id for ollama/qwen2.5:3b" in result.err
    assert "Traceback" not in result.err and not (tmp_path / "p.json").exists()
    with (tmp_path / "regc.toml").open("a") as config:
        config.write('models = {"xai/grok-4.20-0309-reasoning" = "", "google/gemini-3.5-flash-lite" = "", '
                     '"mistral/mistral-small-latest" = "", "mistral/codestral-latest" = "", "kimi/kimi-k3.1-pro" = "", '
                     '"openai/gpt-5-search-api" = "", "mistral/pixtral-large-latest" = "", "ollama/qwen2.5:3b" = "", '
                     '"ollama/qwen2.5:7b" = ""}\n')
    assert run_regc("build", cwd=tmp_path).code == 0


@pytest.mark.parametrize(("line", "where"), [
    ('sort = "cheapest"', "targets.openrouter.sort"),
    ('models = {"xai/grok-4.3" = "x-ai/grok 4.3"}', "targets.openrouter.models.xai/grok-4.3"),
    ('ids = ["not-an-id"]', "targets.openrouter.ids.0"),
    ("allow_fallbacks = 1", "targets.openrouter.allow_fallbacks"),
    ("max_price_headroom_percent = -1", "targets.openrouter.max_price_headroom_percent"),
    ('only = ["Bad Slug"]', "targets.openrouter.only.0"),
])
def test_bad_options_are_refused_at_their_line(tmp_path: Path, line: str, where: str) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text(f'registry = "registry.md"\n\n[targets.openrouter]\n{line}\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2 and f"regc.toml:4:1: error: {where}" in result.err, result.err


def test_options_have_a_json_schema_and_unknown_ones_name_the_nearest(tmp_path: Path) -> None:
    schema = openrouter.OpenRouterOptions.model_json_schema()
    assert schema["additionalProperties"] is False
    for name in ("models", "ids", "missing", "allow_fallbacks", "sort", "data_collection", "max_price", "max_price_headroom_percent"):
        assert schema["properties"][name].get("description"), name
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.openrouter]\nallow_fallback = false\n')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2 and "allow_fallbacks" in result.err


# --- bytes: deterministic, and hostile text reads back as written -----------------------------------


def _round_trip(registry: ResolvedRegistry, options: openrouter.OpenRouterOptions) -> None:
    data = openrouter.OpenRouterTarget().render(registry, options)[options.path]
    assert openrouter.OpenRouterTarget().render(registry, options)[options.path] == data, "deterministic bytes"
    assert data.isascii()
    document = json.loads(data)
    ids = IdMap()
    for alias in registry.aliases:
        expected: list[str] = []
        for ref in registry.resolve(alias.name).models:
            found = ids.lookup(ref)[0]
            if found is not None and found not in expected:
                expected.append(found)
        for ref in registry.resolve(alias.name).models:
            if ids.lookup(ref)[0] is None and registry.kind(alias.name) in {"chat", None}:
                assert any(why.startswith(f"{ref}: ") for why in document["left_out"][alias.name]), "the reason names it as written"
        if registry.kind(alias.name) not in {"chat", None} or not expected:
            assert alias.name not in document["presets"] and alias.name in document["left_out"]
            continue
        preset = document["presets"][alias.name]
        assert preset["models"] == expected
        line = next(line for line in data.decode().splitlines() if line.startswith(f"    {json.dumps(alias.name)}: "))
        assert line.split(": ", 1)[1].removesuffix(",") == openrouter.encode(preset), "each alias's line is its body, encoded once"
    assert set(document["presets"]) | set(document["left_out"]) <= {a.name for a in registry.aliases}


@pytest.mark.parametrize("path", [*GOOD, *sorted((FIXTURES / "hostile").iterdir()), ROOT / "registry.md"], ids=lambda p: p.name)
def test_fixtures_read_back_as_written(path: Path) -> None:
    registry = regc.load(path)
    _round_trip(registry, openrouter.OpenRouterOptions())
    _round_trip(registry, EVERY_OPTION)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=yaml_registries())
def test_hostile_registries_read_back_as_written(text: str) -> None:
    registry = load_text(text)
    if registry is not None:
        _round_trip(registry, EVERY_OPTION)


# --- regc prices check --catalog openrouter ---------------------------------------------------------


def test_prices_check_compares_with_openrouter_s_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    """The research notes (§4.2) found OpenRouter cheaper than the registry for deepseek-v4-flash and kimi-k2.6."""
    rows = _openrouter_rows()
    monkeypatch.setenv("REGC_MODELS_DEV", str(_snapshot()))
    result = run_regc("prices", "check", "--catalog", "openrouter", "--today", "2026-12-05", "--format", "json", cwd=ROOT)
    assert result.code == 1, result.err
    findings = json.loads(result.out)["findings"]
    prices = {(f["model"], f["message"].split("`")[2].split(" is ")[0].strip()) for f in findings if f["rule"] == "catalog-price"}
    assert ("deepseek/deepseek-v4-flash", "input price") in prices and ("kimi/kimi-k2.6", "output price") in prices
    kimi = next(f for f in findings if f["model"] == "kimi/kimi-k2.6" and "output price" in f["message"])
    assert f"`openrouter/moonshotai/kimi-k2.6` says ${Decimal(repr(rows['moonshotai/kimi-k2.6']['cost']['output'])):.2f}" in kimi["message"]
    # Compared are exactly the models the target emits: the summary counts them as listed.
    registry = regc.load(ROOT / "registry.md")
    emitted = {m.ref for m in registry.models if IdMap().lookup(m.ref)[0] is not None}
    assert f"{len(emitted)} listed, 0 not listed" in result.err


def test_an_emitted_id_a_newer_catalog_drops_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newer catalog (here a small one in models.dev's flattened form) that no longer lists an id the target emits."""
    newer = {"providers": {"openrouter": {"name": "OpenRouter"}}, "models": [
        {"provider": "openrouter", "model": "openai/gpt-5.4", "cost": {"input": 2.5, "output": 15}},
        {"provider": "openrouter", "model": "anthropic/claude-sonnet-4.6", "cost": {"input": 3, "output": 15}}]}
    (tmp_path / "catalog.json").write_text(json.dumps(newer))
    monkeypatch.setenv("REGC_MODELS_DEV", str(tmp_path / "catalog.json"))
    result = run_regc("prices", "check", "--catalog", "openrouter", "--today", "2026-12-05", cwd=ROOT)
    assert result.code == 1
    assert ("catalog-unlisted `xai/grok-4.3` is not in OpenRouter via models.dev (catalog.json) "
            "(no key `openrouter/x-ai/grok-4.3`)") in result.out
    assert "catalog-unlisted `openai/gpt-5.4` " not in result.out and "catalog-unlisted `anthropic/claude-sonnet-4-6` " not in result.out


def test_the_catalog_name_needs_a_models_dev_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REGC_MODELS_DEV", raising=False)
    result = run_regc("prices", "check", "--catalog", "openrouter", cwd=ROOT)
    assert result.code == 2 and "REGC_MODELS_DEV" in result.err and "Traceback" not in result.err


def test_a_policy_may_name_it_and_the_configuration_s_mapping_counts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``catalog: openrouter`` in the policy is the default of ``prices check``; the target's ``models`` option maps there too."""
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "policy.yaml").write_text("catalog: openrouter\n")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\npolicy = "policy.yaml"\n\n[targets.openrouter]\n'
                                        'models = {"xai/grok-4.20-0309-reasoning" = "x-ai/grok-4.20", "kimi/kimi-k2.6" = ""}\n')
    monkeypatch.setenv("REGC_MODELS_DEV", str(_snapshot()))
    result = run_regc("prices", "check", "--today", "2026-12-05", "--format", "json", cwd=tmp_path)
    assert result.code == 1, result.err
    findings = json.loads(result.out)["findings"]
    assert "OpenRouter via models.dev" in result.err
    assert any("`openrouter/x-ai/grok-4.20`" in f["message"] for f in findings if f["model"] == "xai/grok-4.20-0309-reasoning")
    assert not any(f["model"] == "kimi/kimi-k2.6" for f in findings), "left out by the configuration: not compared"
