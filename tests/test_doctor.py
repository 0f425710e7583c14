"""``regc doctor``: every environment variable the configured targets' outputs reference is set, before the gateway starts.

The variables expected are read from the generated file itself (every ``os.environ/NAME`` in the LiteLLM config,
as the proxy resolves them), never from the target's code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_regc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n\n'
                                        '[targets.json]\npath = "registry.json"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    return tmp_path


def referenced(project: Path) -> set[str]:
    return set(re.findall(r'"os\.environ/([A-Za-z_][A-Za-z0-9_]*)"', (project / "config.yaml").read_text()))


@pytest.fixture
def only_openai(monkeypatch: pytest.MonkeyPatch, project: Path) -> set[str]:
    """The environment has OPENAI_API_KEY and none of the other variables; returns the ones missing."""
    variables = referenced(project)
    assert {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "LITELLM_MASTER_KEY"} <= variables
    for name in variables:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai")
    return variables - {"OPENAI_API_KEY"}


def test_only_openai_set_names_each_missing_variable(project: Path, only_openai: set[str]) -> None:
    result = run_regc("doctor", cwd=project)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    named = {re.match(r"litellm: (\w+) is not set \(needed by ", line)[1] for line in lines}  # type: ignore[index]
    assert named == only_openai
    assert all(line.endswith("in the gateway's environment before it starts") for line in lines)
    assert "MOONSHOT_API_KEY is not set (needed by model group 'kimi/kimi-k2.6'" in result.out
    assert f"{len(only_openai)} of {len(only_openai) + 1} environment variables are missing" in result.err


def test_json_lists_every_check(project: Path, only_openai: set[str]) -> None:
    result = run_regc("doctor", "--format", "json", cwd=project)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["ready"] is False
    checks = {c["variable"]: c for c in document["checks"]}
    assert set(checks) == only_openai | {"OPENAI_API_KEY"}
    openai = checks["OPENAI_API_KEY"]
    assert openai == {"variable": "OPENAI_API_KEY", "target": "litellm", "needed_by": openai["needed_by"], "ready": True,
                      "problem": None, "fix": None}
    assert "model group 'embed'" in checks["OPENAI_API_KEY"]["needed_by"]
    assert {name for name, c in checks.items() if not c["ready"]} == only_openai
    assert checks["LITELLM_MASTER_KEY"]["fix"] == "set LITELLM_MASTER_KEY in the gateway's environment before it starts"


def test_everything_set_is_ready(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in referenced(project):
        monkeypatch.setenv(name, "value")
    result = run_regc("doctor", cwd=project)
    assert (result.code, result.out) == (0, "")
    assert f"ready ({len(referenced(project))} environment variables set)" in result.err
    assert json.loads(run_regc("doctor", "--format", "json", cwd=project).out)["ready"] is True


def test_a_blank_variable_is_a_problem(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in referenced(project):
        monkeypatch.setenv(name, "value")
    monkeypatch.setenv("XAI_API_KEY", "  ")
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out.startswith("litellm: XAI_API_KEY is set but blank (needed by model group 'code-fast'")


def test_the_master_key_variable_follows_the_option(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\nmaster_key_env = "PROXY_KEY"\n')
    for name in referenced(project):
        monkeypatch.setenv(name, "value")
    monkeypatch.delenv("PROXY_KEY", raising=False)
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out == ("litellm: PROXY_KEY is not set (needed by the proxy itself: its master key (unset, the proxy answers anyone)); "
                          "set PROXY_KEY in the gateway's environment before it starts\n")


def test_targets_without_environment_are_ready(project: Path) -> None:
    (project / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "registry.json"\n')
    result = run_regc("doctor", cwd=project)
    assert result.code == 0
    assert "ready (0 environment variables set)" in result.err


def test_bad_configuration_is_exit_2(project: Path) -> None:
    (project / "regc.toml").write_text('registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\nnum_retry = 1\n')
    result = run_regc("doctor", cwd=project)
    assert result.code == 2
    assert "did you mean `num_retries`?" in result.err
    assert "Traceback" not in result.err


def test_without_a_configuration_it_is_exit_2_naming_init(tmp_path: Path) -> None:
    """As build and check: with no configuration there are no targets to judge, so no verdict either way."""
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    result = run_regc("doctor", cwd=tmp_path)
    assert result.code == 2
    assert "run `regc init` to create one" in result.err
    assert "Traceback" not in result.err
