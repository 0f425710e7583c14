"""``[tool.regc.providers.NAME]``: the provider kinds users run (Azure OpenAI, AWS Bedrock, Google Vertex AI, a
self-hosted vLLM), every field validated, a kind's missing field refused where it is set or first used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from regc.model.config import ConfigFile
from regc.model.providers import BUILTIN, KIND_DEFAULTS, KIND_FIELDS, REQUIRED, Provider, providers
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
    assert all(field in Provider.model_fields for field in (*KIND_FIELDS, *(f for fs in REQUIRED.values() for f in fs)))


@pytest.mark.parametrize(
    ("table", "message"),
    [
        # a field the kind needs, missing: refused at the configuration's table
        ("[providers.azure]\napi_base = \"https://contoso.openai.azure.com\"\n",
         "regc.toml:2:1: error: provider 'azure' of kind 'azure' needs api_version: fix [providers.azure] in regc.toml"),
        ("[providers.bedrock]\naws_region_name = \"us-east-1\"\napi_version = \"2024-10-21\"\n",
         "regc.toml:4:1: error: provider 'bedrock' of kind 'bedrock' api_version is a field of kind 'azure' only"),
        ("[providers.mine]\nkind = \"vllm\"\n",
         "regc.toml:2:1: error: provider 'mine' of kind 'vllm' needs api_base"),
    ],
)
def test_an_incomplete_or_mixed_provider_is_refused_at_its_table(project: Path, table: str, message: str) -> None:
    (project / "registry.md").write_text("# R\n\n## 1. Chat · alias `chat`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-5.4` |\n")
    (project / "regc.toml").write_text('registry = "registry.md"\n' + table)
    result = run_regc("build", cwd=project)
    assert (result.code, result.out) == (2, "")
    assert result.err.startswith(message), result.err
    assert not (project / "targets").exists()


@pytest.mark.parametrize("kind", ["azure", "bedrock", "vertex", "vllm"])
def test_a_provider_used_but_not_set_up_is_refused_at_its_first_use(project: Path, kind: str) -> None:
    fixture_project(project, 'registry = "registry.md"\n')
    result = run_regc("build", cwd=project)
    assert result.code == 2
    lines = (project / "registry.md").read_text().splitlines()
    first = next(n for n, line in enumerate(lines, 1) if f"`{kind}/" in line)
    expected = f"registry.md:{first}:"
    found = [line for line in result.err.splitlines() if f"provider '{kind}' of kind '{kind}' needs" in line]
    assert found and found[0].startswith(expected), result.err
    assert f"fix [providers.{kind}] in regc.toml (docs/providers.md)" in found[0]
    assert not (project / "targets").exists()


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
    assert set(table["azure"].environment()) == {"AZURE_API_KEY"}
    assert set(table["bedrock"].environment()) == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
    assert set(table["vertex"].environment()) == {"GOOGLE_APPLICATION_CREDENTIALS"}
    assert table["vllm"].environment() == {}
    assert set(BUILTIN["openai"].environment()) == {"OPENAI_API_KEY"}
