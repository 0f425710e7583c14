"""``[tool.regc.providers.NAME]``: the provider kinds users run (Azure OpenAI, AWS Bedrock, Google Vertex AI, a
self-hosted vLLM), every field validated, a kind's missing field refused where it is set or first used."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from regc.model.config import ConfigFile
from regc.model.providers import BUILTIN, KIND_DEFAULTS, KIND_FIELDS, PRESETS, REQUIRED, Provider, providers
from tests.conftest import FIXTURES, run_regc

PROVIDERS = FIXTURES / "providers"


def fixture_project(project: Path, config: str | None = None) -> Path:
    shutil.copyfile(PROVIDERS / "registry.md", project / "registry.md")
    (project / "regc.toml").write_text(config if config is not None else (PROVIDERS / "regc.toml").read_text())
    return project


def test_the_fixture_builds_and_its_bedrock_ids_keep_their_colon(project: Path) -> None:
    fixture_project(project)
    result = run_regc("build", cwd=project)
    assert result.code == 0, result.err
    import json

    data = json.loads((project / "targets/json/registry.json").read_text())
    refs = {str(model["ref"]) for model in data["models"]} if isinstance(data["models"], list) else set(data["models"])
    assert any("anthropic.claude-3-5-sonnet-20240620-v1:0" in ref for ref in refs), refs


@pytest.mark.parametrize(("kind", "fields"), sorted(REQUIRED.items()))
def test_each_kind_names_what_it_needs(kind: str, fields: tuple[str, ...]) -> None:
    assert KIND_DEFAULTS[kind].problems() == [(field, f"needs {field}") for field in fields]


def test_every_kind_field_belongs_to_a_kind_that_exists() -> None:
    assert set(KIND_FIELDS.values()) <= set(REQUIRED)
    assert {name: preset.kind for name, preset in PRESETS.items()} == {kind: kind for kind in REQUIRED if kind != "openai"}
    assert not set(PRESETS) & set(BUILTIN)  # a preset is no provider until the configuration has its table
    assert all(field in Provider.model_fields for field in (*KIND_FIELDS, *(f for fs in REQUIRED.values() for f in fs)))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        # a field the kind needs, missing: refused at the configuration's table
        ("[providers.azure]\napi_base = \"https://contoso.openai.azure.com\"\n",
         "regc.toml:2:1: error: provider 'azure' of kind 'azure': needs api_version; fix [providers.azure] in regc.toml"),
        ("[providers.bedrock]\naws_region_name = \"us-east-1\"\napi_version = \"2024-10-21\"\n",
         "regc.toml:4:1: error: provider 'bedrock' of kind 'bedrock': api_version is a field of kind 'azure' only"),
        ("[providers.mine]\nkind = \"vllm\"\n",
         "regc.toml:2:1: error: provider 'mine' of kind 'vllm': needs api_base"),
        ("[providers.vertex]\nvertex_project = \"acme-prod\"\nvertex_location = \"us-central1\"\napi_base = \"https://gw.example/vertex\"\n",
         "regc.toml:5:1: error: provider 'vertex' of kind 'vertex': needs api_base at the endpoint's root (https://HOST), without a path"),
    ],
)
def test_an_incomplete_or_mixed_provider_is_refused_at_its_table(project: Path, table: str, message: str) -> None:
    (project / "registry.md").write_text("# R\n\n## 1. Chat · alias `chat`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-5.4` |\n")
    (project / "regc.toml").write_text('registry = "registry.md"\n' + table)
    result = run_regc("build", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(message), result.err
    assert not (project / "targets").exists()


def test_a_preset_name_without_its_table_is_an_unknown_provider_as_before(project: Path) -> None:
    """``azure/x`` with no [providers.azure]: not routed (listed in each file), and lint says which table to add."""
    fixture_project(project, 'registry = "registry.md"\n')
    built = run_regc("build", cwd=project)
    assert built.code == 0, built.err
    litellm = (project / "targets/litellm/config.yaml").read_text()
    assert "# not served: \"alias 'bedrock-chat': its primary bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0 has no LiteLLM" in litellm
    linted = run_regc("lint", cwd=project)
    assert linted.code == 1
    lines = (project / "registry.md").read_text().splitlines()
    first = next(n for n, line in enumerate(lines, 1) if "`bedrock/" in line)
    assert (f"registry.md:{first}:17: error model-ref-form `bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0` names provider "
            "`bedrock`, whose endpoint is yours: add [providers.bedrock] in regc.toml with aws_region_name") in linted.out
    assert "add [providers.vertex] in regc.toml with vertex_project and vertex_location (docs/providers.md)" in linted.out


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("aws_region", '"us-east-1"', "unknown key in [providers.bedrock] in regc.toml; did you mean `aws_region_name`?"),
        ("api_verison", '"2024-10-21"', "unknown key in [providers.bedrock] in regc.toml; did you mean `api_version`?"),
        ("vertex_projct", '"acme"', "did you mean `vertex_project`?"),
        ("kind", '"sagemaker"', "Input should be 'openai', 'azure', 'bedrock', 'vertex' or 'vllm'"),
        ("aws_region_name", '"US East 1"', "String should match pattern"),
        ("api_version", '"2024-10-21; rm -rf /"', "String should match pattern"),
        ("vertex_project", '"Acme Prod"', "String should match pattern"),
        ("vertex_location", '"us-central1\\n"', "String should match pattern"),
        ("aws_access_key_id_env", '"AKIAIOSFODNN7EXAMPLE="', "String should match pattern"),
        ("vertex_credentials_env", '"/etc/sa.json"', "String should match pattern"),
    ],
)
def test_every_field_is_validated(project: Path, field: str, value: str, message: str) -> None:
    (project / "registry.md").write_text("# R\n")
    (project / "regc.toml").write_text(f'registry = "registry.md"\n\n[providers.bedrock]\n{field} = {value}\n')
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert result.err.startswith(f"regc.toml:4:1: error: providers.bedrock.{field}: "), result.err
    assert message in result.err


def test_a_new_provider_of_a_kind_starts_from_the_kinds_defaults() -> None:
    table = providers({"azure-eu": Provider.model_validate({"kind": "azure", "api_base": "https://x.openai.azure.com",
                                                             "api_version": "2024-10-21"})})
    assert table["azure-eu"].litellm == "azure"
    assert table["azure-eu"].api_key_env == "AZURE_API_KEY"
    assert table["azure-eu"].problems() == []
    # a known name told to speak another API does not keep the old one's endpoint or key
    swapped = providers({"openai": Provider.model_validate({"kind": "vllm", "api_base": "http://gpu:8000/v1"})})["openai"]
    assert (swapped.litellm, swapped.api_key_env, swapped.api_base) == ("hosted_vllm", None, "http://gpu:8000/v1")
    # a field laid over a built-in keeps the rest
    region = providers({"bedrock": Provider.model_validate({"aws_region_name": "eu-west-1"})})["bedrock"]
    assert (region.aws_region_name, region.aws_access_key_id_env) == ("eu-west-1", "AWS_ACCESS_KEY_ID")


def test_each_kind_names_its_environment() -> None:
    table = providers(ConfigFile.model_validate({"providers": {
        "bedrock": {"aws_region_name": "us-east-1", "aws_session_token_env": "AWS_SESSION_TOKEN"},
        "vertex": {"vertex_project": "acme-prod", "vertex_location": "us-central1"},
    }}).providers)
    assert "azure" not in table  # a preset becomes a provider with its table
    assert set(providers({"azure": Provider.model_validate({"api_version": "2024-10-21"})})["azure"].environment()) == {"AZURE_API_KEY"}
    assert set(table["bedrock"].environment()) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    assert set(table["vertex"].environment()) == {"GOOGLE_APPLICATION_CREDENTIALS"}
    assert providers({"vllm": Provider.model_validate({"api_base": "http://gpu:8000/v1"})})["vllm"].environment() == {}
    assert set(BUILTIN["openai"].environment()) == {"OPENAI_API_KEY"}


def test_doctor_names_the_variables_each_provider_kind_needs(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Azure's key, the AWS keys, the service-account file's variable: as each provider's kind declares them."""
    import json

    from regc.model.config import load_config

    fixture_project(project)
    with (project / "regc.toml").open("a") as config:
        config.write('\n[targets.litellm]\npath = "config.yaml"\n')
    table = load_config(project / "regc.toml").providers()
    declared = {variable for name in ("azure", "azure-eu", "bedrock", "vertex", "vllm") for variable in table[name].environment()}
    assert declared == {"AZURE_API_KEY", "AZURE_EU_API_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "GOOGLE_APPLICATION_CREDENTIALS"}
    for variable in (*declared, "LITELLM_MASTER_KEY"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("AZURE_API_KEY", "azure-key")
    result = run_regc("doctor", "--format", "json", cwd=project)
    assert result.code == 1, result.err
    checks = {check["variable"]: check for check in json.loads(result.out)["variables"]}
    assert set(checks) == declared | {"LITELLM_MASTER_KEY"}
    assert {name for name, check in checks.items() if not check["ready"]} == set(checks) - {"AZURE_API_KEY"}
    assert "model group 'bedrock-chat'" in checks["AWS_SECRET_ACCESS_KEY"]["needed_by"]
    assert checks["GOOGLE_APPLICATION_CREDENTIALS"]["needed_by"] == ["model group 'vertex-chat'", "model group 'vertex/gemini-2.5-pro'"]


def test_doctor_refuses_a_provider_its_kind_cannot_reach_yet(project: Path) -> None:
    fixture_project(project, 'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n\n[providers.azure]\n'
                             'api_base = "https://contoso.openai.azure.com"\n')
    result = run_regc("doctor", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith("regc.toml:6:1: error: provider 'azure' of kind 'azure': needs api_version; fix [providers.azure]")
    assert "Traceback" not in result.err


@pytest.mark.parametrize("target_name", ["bifrost", "envoy", "go", "json", "litellm", "portkey", "sqlite"])
def test_each_targets_output_for_the_provider_kinds(target_name: str, snapshot: Any) -> None:
    """Snapshots of every target for the fixture, built with its configuration's provider table (reviewed as code)."""
    import regc
    from regc.model.config import load_config
    from regc.targets import configured
    from tests.conftest import file_snapshot

    config = load_config(PROVIDERS / "regc.toml")
    registry = regc.load(PROVIDERS / "registry.md")
    (target, options), = [(t, o) for t, o in configured(config) if t.name == target_name]
    for output_path, data in sorted(target.render(registry, options).items()):
        suffix = Path(output_path).suffix.lstrip(".") or "txt"
        assert data == snapshot(name=Path(output_path).name, extension_class=file_snapshot(suffix))


@pytest.mark.parametrize(
    "text",
    [
        "# R\n\n## Chat · alias `chat`\n\n| | |\n|---|---|\n| **Primary** | `bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0` |\n"
        "| **Alternatives** | bedrock/amazon.titan-text-premier-v1:0 (a note: with colons), `vertex/claude-sonnet-4-5@20250929` |\n",
        "aliases:\n  chat:\n    primary: bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0\n    alternatives:\n"
        "      - 'bedrock/amazon.titan-text-premier-v1:0 (a note: with colons)'\n      - vertex/claude-sonnet-4-5@20250929\n",
    ],
    ids=["markdown", "yaml"],
)
def test_model_ids_with_colons_and_at_signs_are_whole_references(text: str) -> None:
    """A Bedrock id's ``:`` and a Vertex id's ``@`` are part of the model id, in both registry forms."""
    from regc.pipeline import load_text

    registry = load_text(text, "registry.yaml" if text.startswith("aliases") else "registry.md")
    chain = registry.resolve("chat")
    assert [str(ref) for ref in chain.models] == ["bedrock/anthropic.claude-3-5-sonnet-20240620-v1:0",
                                                  "bedrock/amazon.titan-text-premier-v1:0", "vertex/claude-sonnet-4-5@20250929"]
    assert registry.alias("chat").alternatives[0].note == "a note: with colons"


def test_the_docs_document_every_field_with_an_example_that_is_valid() -> None:
    """docs/providers.md: a section per field of the provider model, each with a TOML example regc accepts."""
    import re
    import tomllib

    from tests.conftest import ROOT

    text = (ROOT / "docs" / "providers.md").read_text(encoding="utf-8")
    listed = re.search(r"its built-in entries \((.*?)\)", text, re.S)
    assert listed and re.findall(r"`([\w-]+)`", listed[1]) == sorted(BUILTIN)
    sections = dict(re.findall(r"\n### `(\w+)`\n(.*?)(?=\n### |\n## |\Z)", text, re.S))
    assert set(sections) == set(Provider.model_fields)
    for field, body in sections.items():
        examples = re.findall(r"```toml\n(.*?)```", body, re.S)
        assert examples, f"{field}: no example"
        assert any(re.search(rf"^{field} = ", example, re.M) for example in examples), f"{field}: its example does not set it"
    for example in re.findall(r"```toml\n(.*?)```", text, re.S):
        settings = ConfigFile.model_validate(tomllib.loads(example))
        table = providers(settings.providers)
        for name in settings.providers:
            assert table[name].problems() == [], (name, example)
