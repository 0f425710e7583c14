"""Catalogs: both real catalogs load, every registry model is found under the exact key the provider mapping
gives (the keys /tmp/registry-notes.md recorded by hand when the registry was made), near matches are only
hints, and bad catalogs are input errors with file and line."""

from __future__ import annotations

import datetime
import importlib.util
import json
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from regc import pipeline
from regc.catalogs import LITELLM_FILE, MODELS_DEV_ENV, load_catalog
from regc.model import ModelRef
from regc.model.providers import providers
from tests.conftest import FIXTURES, ROOT, missing_tool, run_regc, shared_reference

CATALOGS = shared_reference("catalogs") or ROOT.parent / "shared" / "reference" / "catalogs"
LITELLM = CATALOGS / "litellm_model_prices_and_context_window.json"
MODELS_DEV = CATALOGS / "modelsdev_models.json"
SMALL_LITELLM = FIXTURES / "catalogs" / "litellm-small.json"
SMALL_MODELS_DEV = FIXTURES / "catalogs" / "modelsdev-small.json"
PROVIDERS = providers()

# The exact catalog key of every Models row of this repository's registry.md, as the registry's author looked
# them up by hand (None: not listed under the first-party provider; "n/c": the catalog does not cover the
# provider or it is local).
EXPECTED_KEYS: dict[str, tuple[str | None, str | None]] = {
    "anthropic/claude-haiku-4-5-20251001": ("claude-haiku-4-5-20251001", "anthropic/claude-haiku-4-5-20251001"),
    "anthropic/claude-opus-4-7": ("claude-opus-4-7", "anthropic/claude-opus-4-7"),
    "anthropic/claude-sonnet-4-6": ("claude-sonnet-4-6", "anthropic/claude-sonnet-4-6"),
    "deepseek/deepseek-chat": ("deepseek/deepseek-chat", "deepseek/deepseek-chat"),
    "deepseek/deepseek-reasoner": ("deepseek/deepseek-reasoner", "deepseek/deepseek-reasoner"),
    "deepseek/deepseek-v4-flash": ("deepseek/deepseek-v4-flash", "deepseek/deepseek-v4-flash"),
    "google/embedding-001": (None, None),
    "google/gemini-2.0-flash": (None, "google/gemini-2.0-flash"),
    "google/gemini-2.5-pro": ("gemini/gemini-2.5-pro", "google/gemini-2.5-pro"),
    "google/gemini-3.5-flash-lite": ("gemini/gemini-3.5-flash-lite", None),
    "google/gemini-embedding-2": ("gemini/gemini-embedding-2", None),
    "groq/whisper-large-v3": ("groq/whisper-large-v3", "groq/whisper-large-v3"),
    "kimi/kimi-k2.6": ("moonshot/kimi-k2.6", "moonshotai/kimi-k2.6"),
    "kimi/kimi-k3.1-pro": ("moonshot/kimi-k3.1-pro", None),
    "kimi/moonshot-v1-128k": ("moonshot/moonshot-v1-128k", None),
    "kimi/moonshot-v1-128k-vision-preview": ("moonshot/moonshot-v1-128k-vision-preview", None),
    "koder/koder-ai-voice": ("n/c", "n/c"),
    "mistral/codestral-latest": ("mistral/codestral-latest", "mistral/codestral-latest"),
    "mistral/mistral-embed": ("mistral/mistral-embed", "mistral/mistral-embed"),
    "mistral/mistral-small-latest": ("mistral/mistral-small-latest", "mistral/mistral-small-latest"),
    "mistral/pixtral-large-latest": ("mistral/pixtral-large-latest", "mistral/pixtral-large-latest"),
    "ollama/qwen2.5:3b": ("n/c", "n/c"),
    "ollama/qwen2.5:7b": ("n/c", "n/c"),
    "openai/dall-e-3": (None, None),
    "openai/gpt-4o": ("gpt-4o", "openai/gpt-4o"),
    "openai/gpt-4o-mini": ("gpt-4o-mini", "openai/gpt-4o-mini"),
    "openai/gpt-5": ("gpt-5", "openai/gpt-5"),
    "openai/gpt-5-mini": ("gpt-5-mini", "openai/gpt-5-mini"),
    "openai/gpt-5-search-api": ("gpt-5-search-api", None),
    "openai/gpt-5.4": ("gpt-5.4", "openai/gpt-5.4"),
    "openai/gpt-5.4-mini": ("gpt-5.4-mini", "openai/gpt-5.4-mini"),
    "openai/gpt-5.5": ("gpt-5.5", "openai/gpt-5.5"),
    "openai/gpt-image-2": ("gpt-image-2", "openai/gpt-image-2"),
    "openai/o3": ("o3", "openai/o3"),
    "openai/text-embedding-3-large": ("text-embedding-3-large", "openai/text-embedding-3-large"),
    "openai/whisper-1": ("whisper-1", None),
    "openrouter/anthropic/claude-haiku-4.5": ("n/c", "openrouter/anthropic/claude-haiku-4.5"),
    "openrouter/anthropic/claude-sonnet-4.6": ("n/c", "openrouter/anthropic/claude-sonnet-4.6"),
    "perplexity/sonar-pro": ("perplexity/sonar-pro", "perplexity/sonar-pro"),
    "stability/...": (None, "n/c"),
    "xai/grok-3": (None, None),
    "xai/grok-4.20-0309-reasoning": ("xai/grok-4.20-0309-reasoning", "xai/grok-4.20-0309-reasoning"),
    "xai/grok-4.3": ("xai/grok-4.3", "xai/grok-4.3"),
    "xai/grok-code-fast-1": ("xai/grok-code-fast-1", None),
    "xai/grok-imagine-image": ("xai/grok-imagine-image", "xai/grok-imagine-image"),
    "xai/grok-imagine-image-2.0": ("xai/grok-imagine-image-2.0", None),
    "xai/grok-imagine-image-pro": ("xai/grok-imagine-image-pro", None),
}


def real(path: Path) -> Path:
    if not path.is_file():
        pytest.skip(f"the reference catalog {path} is not here (it lives in ../shared/reference/catalogs)")
    return path


@pytest.fixture(scope="module")
def litellm_catalog():  # type: ignore[no-untyped-def]
    return load_catalog(str(real(LITELLM)))


@pytest.fixture(scope="module")
def models_dev_catalog():  # type: ignore[no-untyped-def]
    return load_catalog(str(real(MODELS_DEV)))


def found_key(catalog, ref: str) -> str | None:  # type: ignore[no-untyped-def]
    model_ref = ModelRef.parse(ref)
    lookup = catalog.lookup(model_ref, PROVIDERS.get(model_ref.provider or ""))
    if lookup.status in {"local", "not-covered"}:
        return "n/c"
    return lookup.facts.key if lookup.facts is not None else None


def test_both_real_catalogs_load_in_full(litellm_catalog, models_dev_catalog) -> None:  # type: ignore[no-untyped-def]
    assert len(litellm_catalog) == 4552  # every entry but sample_spec
    assert len(models_dev_catalog) == 5276
    assert litellm_catalog.name == "litellm" and models_dev_catalog.name == "models.dev"


def test_every_registry_model_is_found_under_the_key_recorded_by_hand(litellm_catalog, models_dev_catalog) -> None:  # type: ignore[no-untyped-def]
    registry = pipeline.load(ROOT / "registry.md")
    assert {str(m.ref) for m in registry.models} == set(EXPECTED_KEYS)
    for ref, (litellm_key, models_dev_key) in EXPECTED_KEYS.items():
        assert found_key(litellm_catalog, ref) == litellm_key, ref
        assert found_key(models_dev_catalog, ref) == models_dev_key, ref


def test_facts_are_in_the_registry_units_and_exact_decimals(litellm_catalog, models_dev_catalog) -> None:  # type: ignore[no-untyped-def]
    kimi = litellm_catalog.facts("moonshot/kimi-k2.6")
    assert kimi.price("input", "mtok") == Decimal("0.95") and str(kimi.price("cache_read", "mtok")) == "0.16"
    assert kimi.context == 262144
    whisper = litellm_catalog.facts("whisper-1")
    assert whisper.price("input", "minute") == Decimal("0.006") and whisper.deprecation == datetime.date(2027, 2, 26)
    assert litellm_catalog.facts("xai/grok-imagine-image").price("input", "image") == Decimal("0.02")
    assert litellm_catalog.facts("gpt-image-2").price("output", "mtok") == Decimal(30)  # output_cost_per_image_token
    gpt54 = models_dev_catalog.facts("openai/gpt-5.4")
    assert gpt54.context == 922000  # limit.input, the input budget, not limit.context
    assert models_dev_catalog.facts("google/gemini-2.0-flash").deprecated
    assert models_dev_catalog.facts("groq/whisper-large-v3").prices == {}  # cost: null


def test_third_party_hosts_are_never_the_first_party(litellm_catalog) -> None:  # type: ignore[no-untyped-def]
    # LiteLLM lists grok-3 only through Azure and Vercel; Vertex AI's gemini-2.0-flash is not Google's Gemini API.
    for ref in ("xai/grok-3", "google/gemini-2.0-flash"):
        lookup = litellm_catalog.lookup(ModelRef.parse(ref), PROVIDERS[ref.split("/")[0]])
        assert lookup.status == "unlisted" and lookup.facts is None
        assert any(hint.startswith("other hosts list it:") for hint in lookup.hints)
    # A bare key that belongs to another provider is not a match: `gpt-4o` is OpenAI's, not Anthropic's.
    assert litellm_catalog.lookup(ModelRef.parse("anthropic/gpt-4o"), PROVIDERS["anthropic"]).status == "unlisted"


def test_a_near_match_is_a_hint_and_never_a_price() -> None:
    catalog = load_catalog(str(SMALL_LITELLM))
    lookup = catalog.lookup(ModelRef.parse("xai/grok-3"), PROVIDERS["xai"])
    assert lookup.status == "unlisted" and lookup.facts is None and lookup.key == "xai/grok-3"
    assert lookup.hints == ("did you mean `xai/grok-4.3`?", "other hosts list it: `azure_ai/grok-3`")


def test_provider_overrides_from_the_config_change_the_key() -> None:
    from regc.model.providers import Provider

    table = providers({"moonshotcn": Provider(litellm="moonshot", modelsdev="moonshotai")})
    catalog = load_catalog(str(SMALL_LITELLM))
    assert catalog.lookup(ModelRef.parse("moonshotcn/kimi-k2.6"), table["moonshotcn"]).key == "moonshot/kimi-k2.6"


def test_models_dev_api_json_and_flattened_forms_read_alike(tmp_path: Path) -> None:
    api = json.loads(SMALL_MODELS_DEV.read_text())
    flat = {"providers": {p: {"name": v["name"]} for p, v in api.items()},
            "models": [{"provider": p, "model": m, **row} for p, v in api.items() for m, row in v["models"].items()]}
    (tmp_path / "flat.json").write_text(json.dumps(flat))
    one, two = load_catalog(str(SMALL_MODELS_DEV)), load_catalog(str(tmp_path / "flat.json"))
    assert len(one) == len(two) == 9
    for key in ("openai/o3", "openrouter/anthropic/claude-sonnet-4.6", "xai/grok-imagine-image"):
        assert one.facts(key) is not None, key  # else two readers that both lost the entry would agree
        assert one.facts(key) == two.facts(key)


@pytest.mark.parametrize(("name", "expected"), [
    ("malformed.json", r"malformed\.json:4:37: error: the catalog is not valid JSON: Expecting property name"),
    ("wrong-shape.json", r"wrong-shape\.json:1:1: error: not a model catalog \(the JSON is list\); expected LiteLLM's cost map"),
])
def test_bad_catalog_files_are_input_errors_with_file_and_line(name: str, expected: str) -> None:
    result = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog",
                      FIXTURES / "catalogs" / name)
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    import re

    assert re.search(expected, result.err), result.err


def test_a_bad_entry_is_reported_at_its_line_when_the_registry_names_it(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    registry.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n"
                        "| Model | Input |\n|---|---|\n| `openai/gpt-4o` | $2.50 |\n| `openai/o3` | $2.00 |\n")
    result = run_regc("prices", "check", "--registry", registry, "--catalog", FIXTURES / "catalogs" / "bad-entry.json")
    assert result.code == 2
    assert result.err.endswith("bad-entry.json:2:1: error: catalog entry 'gpt-4o': input_cost_per_token is 'cheap', "
                               "not a price (a number of USD, at least 0)\n")


@pytest.mark.parametrize(("catalog", "expected"), [
    ('{"gpt-4o": {"litellm_provider": "openai", "max_input_tokens": Infinity}}',
     "1:1: error: catalog entry 'gpt-4o': max_input_tokens is inf"),
    ('{"gpt-4o": {"litellm_provider": "openai", "max_input_tokens": 1.5}}',
     "1:1: error: catalog entry 'gpt-4o': max_input_tokens is 1.5"),
    ('{"openai": {"id": "openai",\n "models": {"gpt-4o": {"limit": {"context": NaN}}}}}',
     "2:1: error: catalog entry 'openai/gpt-4o': limit.context is nan"),
])
def test_a_context_window_that_is_not_a_token_count_is_an_input_error(tmp_path: Path, catalog: str, expected: str) -> None:
    """Python's json reads Infinity and NaN: they are bad entries, not internal errors."""
    registry = tmp_path / "registry.md"
    registry.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n"
                        "| Model | Context |\n|---|---|\n| `openai/gpt-4o` | 128K |\n")
    (tmp_path / "catalog.json").write_text(catalog)
    result = run_regc("prices", "check", "--registry", registry, "--catalog", tmp_path / "catalog.json")
    assert result.code == 2
    assert result.err.endswith(f"catalog.json:{expected}, not a number of tokens\n"), result.err


_ONE_MODEL = "## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n" \
    "| Model | Input | Context |\n|---|---|---|\n| `openai/gpt-4o` | $2.50 | 128K |\n"


@pytest.mark.parametrize(("catalog", "expected"), [
    ('{"gpt-4o": {"litellm_provider": "openai",\n "input_cost_per_token": 1e300}}',
     "1:1: error: catalog entry 'gpt-4o': input_cost_per_token is 1e+300: out of range (a price is 0, or from $0.000000001 to "
     "$100,000 per 1M tokens)"),
    ('{"gpt-4o": {"litellm_provider": "openai",\n "input_cost_per_token": 5e-324}}',
     "1:1: error: catalog entry 'gpt-4o': input_cost_per_token is 5e-324: out of range"),
    ('{"gpt-4o": {"litellm_provider": "openai",\n "input_cost_per_image": 1e300}}',
     "1:1: error: catalog entry 'gpt-4o': input_cost_per_image is 1e+300: out of range (a price is 0, or from $0.000000001 to "
     "$100,000 per image)"),
    ('{"gpt-4o": {"litellm_provider": "openai", "max_input_tokens": 1e300}}',
     "1:1: error: catalog entry 'gpt-4o': max_input_tokens is 1e+300: out of range (at most 1,000,000,000 tokens)"),
    ('{"gpt-4o": {"litellm_provider": "openai",\n "max_input_tokens": ' + "1" * 4400 + "}}",
     "2:22: error: a number of 4,400 digits is out of range for a model catalog"),
    ('{"gpt-4o": {"litellm_provider": "openai",\n "x": ' + "[" * 3000 + "]" * 3000 + "}}",
     "2:3006: error: the catalog nests too deeply to be a model catalog"),
    ('{"openai": {"id": "openai",\n "models": {"gpt-4o": {"cost": {"input": 1e300}}}}}',
     "2:1: error: catalog entry 'openai/gpt-4o': cost.input is 1e+300: out of range"),
    ('{"openai": {"id": "openai",\n "models": {"gpt-4o": {"cost": {"input": 5e-324}}}}}',
     "2:1: error: catalog entry 'openai/gpt-4o': cost.input is 5e-324: out of range"),
    ('{"openai": {"id": "openai",\n "models": {"gpt-4o": {"limit": {"context": ' + "9" * 40 + "}}}}}",
     "2:1: error: catalog entry 'openai/gpt-4o': limit.context is " + "9" * 40 + ": out of range (at most 1,000,000,000 tokens)"),
])
def test_out_of_range_numbers_and_deep_nesting_in_a_catalog_are_input_errors_at_their_place(
        tmp_path: Path, catalog: str, expected: str) -> None:
    """Numbers JSON reads but no catalog means (1e300, 5e-324, 4,400 digits) and nesting past Python's recursion: exit 2
    at the entry's or the number's line, never an internal error (they were exit 3, or a price of $0.000…0005)."""
    registry = tmp_path / "registry.md"
    registry.write_text(_ONE_MODEL)
    (tmp_path / "catalog.json").write_text(catalog)
    result = run_regc("prices", "check", "--registry", registry, "--catalog", tmp_path / "catalog.json")
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(f"{tmp_path / 'catalog.json'}:{expected}") or f"catalog.json:{expected}" in result.err, result.err
    assert "internal error" not in result.err


def test_unknown_catalog_names_and_missing_files_say_what_is_accepted(tmp_path: Path) -> None:
    result = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", "litelm")
    assert result.code == 2
    assert "no catalog file 'litelm'; name `litellm`, `models.dev`, or an existing file" in result.err
    directory = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", tmp_path)
    assert directory.code == 2 and "is a directory, not a catalog file" in directory.err
    (tmp_path / "latin1.json").write_bytes(b'{"caf\xe9": {}}')
    undecodable = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", tmp_path / "latin1.json")
    assert undecodable.code == 2 and "latin1.json:1:6: error: not valid UTF-8" in undecodable.err


def test_models_dev_by_name_needs_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MODELS_DEV_ENV, raising=False)
    result = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", "models.dev")
    assert result.code == 2
    assert result.err.startswith(f"error: catalog `models.dev`: set {MODELS_DEV_ENV} to a copy of https://models.dev/api.json "
                                 "or pass --catalog PATH to such a copy"), result.err
    monkeypatch.setenv(MODELS_DEV_ENV, str(SMALL_MODELS_DEV))
    named = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", "models.dev",
                     "--today", "2026-11-22")
    assert named.code == 1 and "models.dev (modelsdev-small.json) `moonshotai/kimi-k2.6` says $0.60" in named.out
    monkeypatch.setenv(MODELS_DEV_ENV, str(SMALL_LITELLM))
    wrong = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", "models.dev")
    assert wrong.code == 2 and "this file is not models.dev's catalog (it looks like LiteLLM's)" in wrong.err


def test_litellm_by_name_without_litellm_installed_is_a_clear_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, package=None: None)
    result = run_regc("prices", "check", "--registry", FIXTURES / "prices" / "registry.md", "--catalog", "litellm")
    assert result.code == 2 and "Traceback" not in result.err
    # How to get a cost map, and no position: `--catalog litellm` is a flag, not a file (no `--catalog:1:1:`).
    # The install line is the README's one install source (the tag on GitHub) with the extra, not a name on PyPI.
    from regc.about import INSTALL_SOURCE

    assert result.err.startswith("error: catalog `litellm`: the litellm package is not installed here; install it beside regc "
                                 f"(`pip install \"regc[litellm] @ {INSTALL_SOURCE}\"`), or pass --catalog PATH to a copy of "
                                 "LiteLLM's cost map"), result.err
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f'pip install "regc @ {INSTALL_SOURCE}"' in readme
    assert "shared" not in result.err and "--catalog:" not in result.err


def installed_litellm() -> Path:
    """The cost map of the litellm that .ci/run installs; skip (or fail under REGC_CONFORMANCE=required) without it."""
    spec = importlib.util.find_spec("litellm")
    if spec is None or not spec.submodule_search_locations:
        missing_tool("litellm is not installed (.ci/run installs it: pip install -e '.[conformance]')")
    path = Path(next(iter(spec.submodule_search_locations))) / LITELLM_FILE
    assert path.is_file(), f"litellm is installed but has no {LITELLM_FILE}"
    return path


def test_catalog_litellm_reads_the_installed_packages_cost_map_without_importing_it() -> None:
    import subprocess
    from importlib.metadata import version

    path = installed_litellm()
    code = ("import sys\nfrom regc.catalogs import load_catalog\ncatalog = load_catalog('litellm')\n"
            "print(catalog.display, catalog.label, len(catalog), 'litellm' in sys.modules, sep='|')\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    display, label, entries, imported = result.stdout.strip().split("|")
    assert imported == "False", "finding the cost map must not import litellm (slow, and it fetches from the network)"
    assert Path(display) == path and label == f"LiteLLM cost map {version('litellm')}"
    assert int(entries) == len(json.loads(path.read_text(encoding="utf-8"))) - 1  # all but sample_spec


def test_catalog_litellm_checks_a_registry_made_from_the_installed_map(tmp_path: Path) -> None:
    """Whatever litellm version is installed: a registry written from its own figures agrees, and a changed
    price is reported, exactly as with --catalog PATH to the same file."""
    path = installed_litellm()
    data = json.loads(path.read_text(encoding="utf-8"))
    usable = {key for key, entry in data.items() if isinstance(entry, dict) and entry.get("input_cost_per_token")
              and entry.get("output_cost_per_token") and not entry.get("deprecation_date")}
    picked = [key for key in ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5", "o3") if key in usable]
    assert picked, "the installed cost map has none of OpenAI's or Anthropic's well-known models"
    rows = []
    for key in picked:
        entry = data[key]
        provider = "anthropic" if key.startswith("claude") else "openai"
        rows.append(f"| `{provider}/{key}` | ${Decimal(repr(entry['input_cost_per_token'])) * 1000000} | "
                    f"${Decimal(repr(entry['output_cost_per_token'])) * 1000000} |")
    text = (f"## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `{rows[0].split('`')[1]}` |\n\n## Models\n\n"
            "| Model | Input $/MTok | Output $/MTok |\n|---|---|---|\n" + "\n".join(rows) + "\n")
    registry = tmp_path / "registry.md"
    registry.write_text(text)
    agreed = run_regc("prices", "check", "--registry", registry, "--catalog", "litellm")
    assert (agreed.code, agreed.out) == (0, ""), agreed.out + agreed.err
    registry.write_text(text.replace(rows[0], rows[0].replace("| $", "| $1000", 1)))
    by_name = run_regc("prices", "check", "--registry", registry, "--catalog", "litellm", "--format", "json")
    by_path = run_regc("prices", "check", "--registry", registry, "--catalog", path, "--format", "json")
    assert by_name.code == by_path.code == 1
    findings = json.loads(by_name.out)["findings"]
    assert [(f["rule"], f["line"]) for f in findings] == [("catalog-price", 11)]
    assert [f["rule"] for f in json.loads(by_path.out)["findings"]] == ["catalog-price"]


def test_prices_page_provider_table_is_generated_from_the_provider_table() -> None:
    import re

    from regc.catalogs import provider_table
    from regc.model.providers import BUILTIN

    page = (ROOT / "docs/prices.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- providers-table:start[^>]*-->\n(.*?)<!-- providers-table:end -->", page, re.S)
    assert match, "docs/prices.md lost its providers-table markers"
    assert match[1] == provider_table(BUILTIN), "docs/prices.md's provider table is stale: paste regc.catalogs.provider_table(BUILTIN)"


def test_the_extra_the_missing_cost_map_message_names_exists() -> None:
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert any(requirement.startswith("litellm") for requirement in extras["litellm"])
