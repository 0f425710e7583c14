"""The YAML targets (litellm, envoy) under hostile input, and with secrets in the environment.

Hostile but valid text (quotes, newlines, ``{{ }}``, ``#``, ``: ``, ``- ``, ``&``, ``*``,
``!``, ``%``, a leading ``@`` or backtick, unicode line separators, YAML 1.1 booleans)
in titles, rationale, notes and, in a YAML registry, alias names, cannot break or
inject into the generated YAML: the file reloads, with PyYAML (YAML 1.1, what LiteLLM
uses) and ruamel.yaml (YAML 1.2) alike, to exactly the data the target meant to write,
and every comment stays in the opening comment block.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import regc
from regc.errors import InputError
from regc.targets import all_targets, envoy, litellm
from regc.targets._yaml import quote
from tests.conftest import GOOD, ROOT, require_module, run_regc

SPECIALS = ["yes", "no", "on", "off", "y", "N", "~", "null", "true", "{{ x }}", "{% if %}", "#x", "a: b", "- x", "&a", "*a",
            "!!python/object:os.system", "%TAG", "@x", "`x`", "'", '"', "\\", "\n", "\r\n", "\u2028", "\u2029", "\u0085",
            "\t", "0x1F", "1e3", ".inf", "2026-01-01", "ünïcødé ☃ 🚀", "\u00a0", "\ufeff", "---", "...", "| >"]
hostile = st.one_of(
    st.sampled_from(SPECIALS),
    st.lists(st.one_of(st.sampled_from(SPECIALS), st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)),
             min_size=1, max_size=4).map("".join),
)
PROVIDERS = ["openai", "anthropic", "xai", "google", "kimi", "ollama", "openrouter", "koder", "yes", "on"]
model_id = st.one_of(st.sampled_from(["yes", "on", "1e3", "2026-01-01", "~", "-", "@x", "0x1F", "a:b", "x+y~z"]),
                     st.from_regex(r"[A-Za-z0-9._:@~+-][A-Za-z0-9._:@~+/-]{0,20}", fullmatch=True))
ref = st.tuples(st.sampled_from(PROVIDERS), model_id).map("/".join)
#: Alias names keep to the grammar (anything else is an input error) but include words YAML 1.1 reads as other types.
alias_name = st.one_of(st.sampled_from(["yes", "no", "on", "off", "y", "N", "null", "true", "1e3", "0x1F", "2026-01-01", "NaN"]),
                       st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._-]{0,15}", fullmatch=True))


@st.composite
def registries(draw: st.DrawFn) -> str:
    """A YAML registry (written as JSON, which YAML reads) full of hostile text."""
    names = draw(st.lists(alias_name, min_size=1, max_size=5, unique=True))
    aliases = {}
    models: dict[str, Any] = {}
    for name in names:
        chain = draw(st.lists(ref, min_size=1, max_size=4, unique=True))
        aliases[name] = {
            "title": draw(hostile),
            "primary": chain[0],
            "alternatives": [*chain[1:], f"perplexity/sonar-pro (when {draw(hostile).replace('(', '[').replace(')', ']')})"],
            "rationale": {draw(hostile): draw(hostile)},
        }
        for model in chain:
            models[model] = {"kind": "chat", "input": draw(st.sampled_from(["$1.25", "0.006", "free", "15", "n/a"])),
                             "output": "$2.50", "cache_read": draw(st.sampled_from([None, "$0.125"])), "context": "128K",
                             "source": draw(hostile)}
    legacy_name = draw(alias_name.filter(lambda n: n not in names))
    legacy = {legacy_name: {"resolves_to": names[0], "notes": draw(hostile)}}
    text = json.dumps({"title": draw(hostile), "aliases": aliases, "legacy": legacy, "models": models}, ensure_ascii=False)
    # Characters a YAML file may not hold raw (controls, NEL, line separators, BOM) are written as escapes.
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]",
                  lambda m: f"\\u{ord(m[0]):04x}", text)


def _plain(value: Any) -> Any:
    """Decimals as the floats a YAML reader gives back."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return float(value) if isinstance(value, Decimal) else value


def _loaders() -> list[Any]:
    """ruamel.yaml (YAML 1.2), and PyYAML (YAML 1.1, LiteLLM's loader) when installed; CI requires it."""
    from ruamel.yaml import YAML

    ruamel = YAML(typ="safe", pure=True)
    loaders: list[Any] = [lambda text: list(ruamel.load_all(text))]
    if importlib.util.find_spec("yaml") is not None or os.environ.get("REGC_CONFORMANCE") == "required":
        pyyaml = require_module("yaml")
        loaders.append(lambda text: list(pyyaml.safe_load_all(text)))
    return loaders


def _opening_comments_only(text: str) -> None:
    """Every comment line is in the opening block: no text became a line of its own."""
    lines = text.splitlines()
    body = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    assert lines[0].startswith("# Code generated by regc from ")
    assert not [line for line in lines[body:] if line.lstrip().startswith("#")]


def _load(tmp_path: Path, text: str) -> regc.ResolvedRegistry:
    path = tmp_path / "registry.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        return regc.load(path)
    except InputError:
        assume(False)
        raise


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=registries())
def test_litellm_yaml_reloads_to_the_data_intended(tmp_path: Path, text: str) -> None:
    registry = _load(tmp_path, text)
    options = litellm.LitellmOptions()
    try:
        intended = _plain(litellm.build(registry, options).as_dict())
    except InputError:
        assume(False)  # an alias named like a model reference: refused, with a message
        raise
    output = next(iter(litellm.LitellmTarget().render(registry, options).values())).decode()
    _opening_comments_only(output)
    for load in _loaders():
        assert load(output) == [intended]
    # What is left out is listed in the opening comments, each line reading back, as JSON, to exactly what was meant.
    comments = [line.removeprefix("# not served: ") for line in output.splitlines() if line.startswith("# not served: ")]
    assert [json.loads(comment) for comment in comments] == litellm.build(registry, options).skipped


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=registries())
def test_envoy_yaml_reloads_to_the_data_intended(tmp_path: Path, text: str) -> None:
    registry = _load(tmp_path, text)
    options = envoy.EnvoyOptions()
    data = envoy.build(registry, options)
    output = next(iter(envoy.EnvoyTarget().render(registry, options).values())).decode()
    _opening_comments_only(output)
    intended_routes = [
        {"name": route.name, "cel": route.cost_cel,
         "rules": [(rule.alias, [(r.service.name, r.model, r.priority) for r in rule.refs]) for rule in route.rules]}
        for route in data.routes
    ]
    kinds = {"Backend", "AIServiceBackend", "BackendTLSPolicy", "BackendSecurityPolicy", "AIGatewayRoute", "BackendTrafficPolicy"}
    for load in _loaders():
        docs = [d for d in load(output) if d is not None]
        assert {d["kind"] for d in docs} <= kinds
        routes = [
            {"name": d["metadata"]["name"], "cel": next(c["cel"] for c in d["spec"]["llmRequestCosts"] if c["type"] == "CEL"),
             "rules": [(r["matches"][0]["headers"][0]["value"],
                        [(b["name"], b["modelNameOverride"], b["priority"]) for b in r["backendRefs"]]) for r in d["spec"]["rules"]]}
            for d in docs if d["kind"] == "AIGatewayRoute"
        ]
        assert routes == intended_routes
        assert sorted(d["metadata"]["name"] for d in docs if d["kind"] == "Backend") == [s.name for s in data.services]
    # Every alias is routed, or listed in the opening comments as not routed: none vanishes.
    comments = [line for line in output.splitlines() if line.startswith("# not routed: ")]
    assert comments == [f"# not routed: {quote(line)}" for line in data.skipped]
    # ... and each reads back, as the JSON string it is written as, to exactly the line meant (not only to quote()'s text).
    assert [json.loads(line.removeprefix("# not routed: ")) for line in comments] == data.skipped
    for alias in registry.aliases:
        routed = any(rule.alias == alias.name for route in data.routes for rule in route.rules)
        assert routed or any(repr(alias.name) in line for line in data.skipped), alias.name


# --- secrets --------------------------------------------------------------------------------

KEY_PATTERNS = [r"sk-[A-Za-z0-9_-]{16,}", r"sk-ant-[A-Za-z0-9_-]{16,}", r"xai-[A-Za-z0-9]{16,}", r"gsk_[A-Za-z0-9]{16,}",
                r"AIza[0-9A-Za-z_-]{30,}", r"AKIA[0-9A-Z]{16}", r"[A-Za-z0-9+/]{40,}={0,2}",
                r"\b(?=[0-9a-f]*[a-f])(?=[0-9a-f]*[0-9])[0-9a-f]{32,}\b"]


@pytest.mark.parametrize("name", ["litellm", "envoy"])
@pytest.mark.parametrize("path", [ROOT / "registry.md", *GOOD], ids=lambda p: p.name)
def test_no_key_reaches_the_output(name: str, path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys are references (os.environ/NAME, a Secret's name), even with real-looking keys in the environment."""
    from regc.model.providers import BUILTIN

    secrets = {}
    for index, provider in enumerate(BUILTIN.values()):
        if provider.api_key_env:
            secrets[provider.api_key_env] = f"sk-live-{index:02d}{'Zq7xR2mK9pL4vN8w' * 2}"
            monkeypatch.setenv(provider.api_key_env, secrets[provider.api_key_env])
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-master-Zq7xR2mK9pL4vN8wZq7xR2mK9pL4vN8w")
    source = tmp_path / path.name
    source.write_bytes(path.read_bytes())
    (tmp_path / "regc.toml").write_text(f'registry = "{path.name}"\n\n[targets.{name}]\npath = "out.yaml"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    text = (tmp_path / "out.yaml").read_text()
    for value in [*secrets.values(), "Zq7xR2mK9pL4vN8w"]:
        assert value not in text
    for pattern in KEY_PATTERNS:
        assert not re.search(pattern, text), pattern
    for key, value in re.findall(r"^\s*(api_key|master_key):\s*(.+)$", text, re.M):
        assert json.loads(value).startswith("os.environ/"), (key, value)
    if name == "envoy":
        assert "apiKey:\n    secretRef:\n      name: " in text and "kind: Secret" not in text


def test_the_committed_outputs_hold_no_keys() -> None:
    for path in (ROOT / "targets/litellm/config.yaml", ROOT / "targets/envoy/ai-gateway.yaml"):
        text = path.read_text(encoding="utf-8")
        for pattern in KEY_PATTERNS:
            assert not re.search(pattern, text), (path, pattern)


def test_both_targets_are_registered_with_their_documentation() -> None:
    import importlib

    for name in ("litellm", "envoy"):
        target = all_targets()[name]
        assert target.__module__ == f"regc.targets.{name}"
        assert target.description and target.proven_by
        assert len(importlib.import_module(target.__module__).__doc__ or "") > 500


@pytest.mark.parametrize("name", ["litellm", "envoy"])
def test_a_hostile_registry_file_name_stays_inside_the_header_comment(name: str, tmp_path: Path) -> None:
    source = tmp_path / "evil\nmodel_list: []\u2028x: 1\u0085#.md"
    source.write_bytes((ROOT / "registry.md").read_bytes())
    registry = regc.load(source)
    target = all_targets()[name]()
    options = target.Options.model_validate({})
    output = next(iter(target.render(registry, options).values())).decode()
    _opening_comments_only(output)
    assert output.splitlines()[0] == "# Code generated by regc from evil?model_list: []?x: 1?#.md. DO NOT EDIT."
    plain = next(iter(target.render(regc.load(ROOT / "registry.md"), options).values())).decode()
    for load in _loaders():
        assert load(output) == load(plain)
