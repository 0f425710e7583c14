"""``regc doctor``: is the environment ready for the gateways the configured targets generate?

The variables expected are read, in these tests, from the generated file itself with a regular expression (every
``os.environ/NAME`` in the LiteLLM config, as the proxy resolves them), never from doctor's or the target's code.
The done-when of issue 16 is the first test: this repository's configuration, only ``OPENAI_API_KEY`` set.
"""

from __future__ import annotations

import importlib.metadata
import json
import re
import tomllib
from pathlib import Path

import pytest

from regc.cli.doctor import pinned_litellm
from tests.conftest import ROOT, missing_tool, run_regc

REFERENCE = re.compile(r'"os\.environ/([A-Za-z_][A-Za-z0-9_]*)"')


def referenced(config: Path) -> set[str]:
    return set(REFERENCE.findall(config.read_text()))


def only(monkeypatch: pytest.MonkeyPatch, variables: set[str], *kept: str) -> set[str]:
    """The environment has ``kept`` set and none of the other ``variables``; returns the ones missing."""
    for name in variables:
        monkeypatch.delenv(name, raising=False)
    for name in kept:
        monkeypatch.setenv(name, f"value-of-{name}")
    return variables - set(kept)


def all_set(monkeypatch: pytest.MonkeyPatch, variables: set[str]) -> None:
    for name in variables:
        monkeypatch.setenv(name, f"value-of-{name}")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n\n'
                                        '[targets.json]\npath = "registry.json"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    return tmp_path


@pytest.fixture
def pinned(monkeypatch: pytest.MonkeyPatch) -> str:
    """The installed LiteLLM is the pinned one, whatever this environment has (the version check has tests of its own)."""
    version = pinned_litellm()
    assert version is not None
    real = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version", lambda name: version if name == "litellm" else real(name))
    return version


# --- issue 16's done-when: this repository, only OPENAI_API_KEY set -------------------------------------------


def test_only_openai_set_names_each_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    missing = only(monkeypatch, referenced(ROOT / "targets/litellm/config.yaml"), "OPENAI_API_KEY")
    assert {"ANTHROPIC_API_KEY", "MOONSHOT_API_KEY", "LITELLM_MASTER_KEY"} <= missing
    result = run_regc("doctor", cwd=ROOT)
    assert result.code == 1, result.err
    named = [re.fullmatch(r"(litellm|bifrost): (\w+) is not set \((.*)\); set \2 in the gateway's environment before it starts", line)
             for line in result.out.splitlines()]
    assert all(named), result.out  # every problem is a missing variable: no leak, no shared key, no stale output here
    by_litellm = [m[2] for m in named if m and m[1] == "litellm"]
    assert set(by_litellm) == missing and len(by_litellm) == len(missing)  # each once, the master key included
    assert {m[2] for m in named if m and m[1] == "bifrost"} <= missing  # Bifrost's keys are the same variables
    assert "MOONSHOT_API_KEY is not set (needed by model group 'kimi/kimi-k2.6'" in result.out
    assert "LITELLM_MASTER_KEY is not set (the proxy's master key: without it the proxy answers anyone" in result.out
    assert f"{len(missing)} of {len(missing) + 1} environment variables are missing" in result.err


def test_json_lists_every_variable_and_problem(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = only(monkeypatch, referenced(project / "config.yaml"), "OPENAI_API_KEY")
    result = run_regc("doctor", "--format", "json", cwd=project)
    assert result.code == 1
    document = json.loads(result.out)
    assert document["ready"] is False
    variables = {v["variable"]: v for v in document["variables"]}
    assert set(variables) == missing | {"OPENAI_API_KEY"}
    openai = variables["OPENAI_API_KEY"]
    assert openai == {"variable": "OPENAI_API_KEY", "target": "litellm", "needed_by": openai["needed_by"], "ready": True}
    assert "model group 'embed'" in openai["needed_by"]
    assert {name for name, v in variables.items() if not v["ready"]} == missing
    checks = {p["check"] for p in document["problems"]}
    assert checks == {"variable", "master-key"}
    master = next(p for p in document["problems"] if p["check"] == "master-key")
    assert master["fix"] == "set LITELLM_MASTER_KEY in the gateway's environment before it starts"
    assert master["subject"] == "litellm"


def test_everything_set_is_ready(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    variables = referenced(project / "config.yaml")
    all_set(monkeypatch, variables)
    result = run_regc("doctor", cwd=project)
    assert (result.code, result.out) == (0, "")
    assert f"ready ({len(variables)} environment variables set)" in result.err
    assert json.loads(run_regc("doctor", "--format", "json", cwd=project).out)["ready"] is True


def test_a_blank_variable_is_a_problem(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    all_set(monkeypatch, referenced(project / "config.yaml"))
    monkeypatch.setenv("XAI_API_KEY", "  ")
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out.startswith("litellm: XAI_API_KEY is set but blank (needed by model group 'code-fast'")


def test_the_master_key_variable_follows_the_option(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\nmaster_key_env = "PROXY_KEY"\n')
    assert run_regc("build", cwd=project).code == 0
    all_set(monkeypatch, referenced(project / "config.yaml") - {"PROXY_KEY"})
    monkeypatch.delenv("PROXY_KEY", raising=False)
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out == ("litellm: PROXY_KEY is not set (the proxy's master key: without it the proxy answers anyone, with no "
                          "authentication); set PROXY_KEY in the gateway's environment before it starts\n")


def test_targets_without_environment_are_ready(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "registry.json"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    result = run_regc("doctor", cwd=tmp_path)
    assert result.code == 0, result.out
    assert "ready (0 environment variables set)" in result.err


# --- the outputs on disk ---------------------------------------------------------------------------------------


def test_a_stale_output_is_a_problem_and_nothing_is_written(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    all_set(monkeypatch, referenced(project / "config.yaml"))
    edited = (project / "config.yaml").read_text().replace('model: "openai/gpt-5.4"', 'model: "openai/gpt-4o"', 1)
    (project / "config.yaml").write_text(edited)
    (project / "registry.json").unlink()
    before = sorted(p.name for p in project.iterdir())
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out == ("config.yaml: differs from what the registry generates; run `regc build` and deploy the outputs it writes\n"
                          "registry.json: missing; run `regc build` and deploy the outputs it writes\n")
    assert (project / "config.yaml").read_text() == edited
    assert sorted(p.name for p in project.iterdir()) == before


# --- keys that would go to another provider ------------------------------------------------------------------


def test_one_key_variable_for_two_providers_is_a_problem(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """kimi's key variable set to OpenAI's: moonshot would receive OpenAI's key (the generated file says so)."""
    (project / "regc.toml").write_text(
        'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n\n[providers.kimi]\napi_key_env = "OPENAI_API_KEY"\n')
    assert run_regc("build", cwd=project).code == 0
    all_set(monkeypatch, referenced(project / "config.yaml"))
    result = run_regc("doctor", cwd=project)
    assert result.code == 1
    assert result.out.startswith("litellm: OPENAI_API_KEY is the key of 2 providers (api.moonshot.ai: model group 'kimi/kimi-k2.6'")
    assert "; api.openai.com: model group 'audio', model group 'embed', model group 'general' and " in result.out
    assert result.out.endswith("): each would receive the key meant for the other; give each provider its own variable "
                               "(`api_key_env` in [providers.NAME] of the configuration)\n")
    assert len(result.out.splitlines()) == 1


LEAKY_REGISTRY = """\
title: Self-hosted
aliases:
  chat:
    title: Chat
    primary: lab/qwen2.5-7b
    alternatives: [openai/gpt-4o-mini]
models:
  lab/qwen2.5-7b: {kind: chat, input: 0, output: 0, context: 32K, status: active, source: self-hosted}
  openai/gpt-4o-mini: {kind: chat, input: 0.15, output: 0.60, context: 128K, status: active, source: catalog}
"""


def test_a_provider_without_a_key_variable_on_an_openai_route_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A self-hosted OpenAI-compatible server with no key variable: LiteLLM would send it OPENAI_API_KEY."""
    (tmp_path / "registry.yaml").write_text(LEAKY_REGISTRY)
    (tmp_path / "regc.toml").write_text('registry = "registry.yaml"\n\n[targets.litellm]\npath = "config.yaml"\n\n'
                                        '[providers.lab]\nlitellm = "openai"\napi_base = "http://gpu-box:8000/v1"\nlocal = true\n')
    assert run_regc("build", cwd=tmp_path).code == 0, run_regc("build", cwd=tmp_path).err
    all_set(monkeypatch, referenced(tmp_path / "config.yaml"))
    result = run_regc("doctor", cwd=tmp_path)
    assert result.code == 1
    assert result.out == (
        "litellm: model group 'chat' (openai/qwen2.5-7b at gpu-box:8000) has no api_key: LiteLLM 1.102.4 sends OPENAI_API_KEY there "
        "in its place (or no key at all); give its provider a key variable (`api_key_env` in [providers.NAME] of the "
        "configuration, any variable even for a server that needs no key; in a hand-written file `api_key: os.environ/VAR`)\n")
    (tmp_path / "regc.toml").write_text((tmp_path / "regc.toml").read_text() + 'api_key_env = "LAB_KEY"\n')
    assert run_regc("build", cwd=tmp_path).code == 0
    all_set(monkeypatch, {"LAB_KEY"})
    assert run_regc("doctor", cwd=tmp_path).code == 0


# --- the LiteLLM version, where the proxy runs -----------------------------------------------------------------


def test_the_pin_is_the_conformance_extras() -> None:
    """What doctor compares with is what pyproject.toml pins for the tests that prove the target."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]["conformance"]
    pin = next(r for r in extra if r.startswith("litellm"))
    assert pin == f"litellm[proxy]=={pinned_litellm()}"


def test_the_installed_litellm_is_checked_when_the_proxy_runs_here(project: Path, monkeypatch: pytest.MonkeyPatch,
                                                                    pinned: str) -> None:
    all_set(monkeypatch, referenced(project / "config.yaml"))
    assert run_regc("doctor", "--target", "litellm", cwd=project).code == 0
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.99.0")
    result = run_regc("doctor", "--target", "litellm", cwd=project)
    assert result.code == 1
    assert result.out == (f"litellm: LiteLLM 1.99.0 is installed; regc's litellm target is proven on {pinned}; "
                          f"install that one: pip install 'litellm[proxy]=={pinned}'\n")
    assert run_regc("doctor", cwd=project).code == 0  # without --target litellm the proxy runs elsewhere


def test_litellm_absent_where_the_proxy_runs_is_a_problem(project: Path, monkeypatch: pytest.MonkeyPatch, pinned: str) -> None:
    all_set(monkeypatch, referenced(project / "config.yaml"))

    def absent(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", absent)
    result = run_regc("doctor", "--target", "litellm", cwd=project)
    assert result.code == 1
    assert result.out == (f"litellm: LiteLLM is not installed here (regc's litellm target is proven on {pinned}); "
                          f"install it: pip install 'litellm[proxy]=={pinned}'\n")


def test_the_real_installed_litellm_is_the_pinned_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the conformance extra is installed (CI), the version check passes on the real package metadata."""
    try:
        installed = importlib.metadata.version("litellm")  # not imported: importing litellm fetches its cost map
    except importlib.metadata.PackageNotFoundError:
        missing_tool("LiteLLM is not installed; install it with: pip install -e '.[conformance]'")
    assert installed == pinned_litellm()
    config = ROOT / "targets/litellm/config.yaml"
    all_set(monkeypatch, referenced(config))
    result = run_regc("doctor", "--litellm-config", config)
    assert (result.code, result.out) == (0, "")


def test_an_unknown_target_is_exit_2_with_a_suggestion(project: Path) -> None:
    result = run_regc("doctor", "--target", "litelm", cwd=project)
    assert result.code == 2
    assert "--target 'litelm' is not a configured target; did you mean 'litellm'?" in result.err


def test_target_restricts_what_is_checked(project: Path, monkeypatch: pytest.MonkeyPatch, pinned: str) -> None:
    only(monkeypatch, referenced(project / "config.yaml"))
    result = run_regc("doctor", "--target", "json", cwd=project)
    assert result.code == 0
    assert "ready (0 environment variables set)" in result.err


# --- a LiteLLM config alone (a container image ships only the generated file) ---------------------------------


@pytest.fixture
def shipped(tmp_path: Path) -> Path:
    """An image's working directory: the generated config.yaml and nothing else of regc's."""
    (tmp_path / "config.yaml").write_bytes((ROOT / "targets/litellm/config.yaml").read_bytes())
    return tmp_path


def test_a_shipped_config_alone_names_each_missing_variable(shipped: Path, monkeypatch: pytest.MonkeyPatch, pinned: str) -> None:
    missing = only(monkeypatch, referenced(shipped / "config.yaml"), "OPENAI_API_KEY")
    result = run_regc("doctor", "--litellm-config", "config.yaml", cwd=shipped)
    assert result.code == 1, result.err
    named = {m[1] for line in result.out.splitlines() if (m := re.match(r"litellm: (\w+) is not set \(", line))}
    assert named == missing
    assert len(result.out.splitlines()) == len(missing)


def test_a_shipped_config_with_everything_set_is_ready(shipped: Path, monkeypatch: pytest.MonkeyPatch, pinned: str) -> None:
    variables = referenced(shipped / "config.yaml")
    all_set(monkeypatch, variables)
    result = run_regc("doctor", "--litellm-config", str(shipped / "config.yaml"), "--format", "json", cwd=ROOT)
    assert result.code == 0
    document = json.loads(result.out)
    assert (document["ready"], document["problems"]) == (True, [])
    assert {v["variable"] for v in document["variables"]} == variables


def test_a_shipped_config_checks_the_installed_litellm(shipped: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    all_set(monkeypatch, referenced(shipped / "config.yaml"))
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "1.99.0")
    result = run_regc("doctor", "--litellm-config", "config.yaml", cwd=shipped)
    assert result.code == 1
    assert result.out.startswith("litellm: LiteLLM 1.99.0 is installed; regc's litellm target is proven on ")


HAND_WRITTEN = """\
model_list:
  - model_name: kimi
    litellm_params:
      model: moonshot/kimi-k2.6
  - model_name: gpt
    litellm_params:
      model: openai/gpt-4o
      api_key: os.environ/OPENAI_API_KEY
general_settings:
  master_key: sk-written-in-the-file
"""


def test_a_hand_written_config_without_a_key_or_with_a_literal_master_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                           pinned: str) -> None:
    (tmp_path / "proxy.yaml").write_text(HAND_WRITTEN)
    all_set(monkeypatch, {"OPENAI_API_KEY"})
    result = run_regc("doctor", "--litellm-config", "proxy.yaml", cwd=tmp_path)
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0] == ("litellm: proxy.yaml: general_settings.master_key is written in the file; put the key in an environment "
                        "variable and write `master_key: os.environ/LITELLM_MASTER_KEY` (what regc's litellm target writes)")
    assert lines[1].startswith("litellm: model group 'kimi' (moonshot/kimi-k2.6 at api.moonshot.ai) has no api_key: LiteLLM 1.102.4 "
                               "sends OPENAI_API_KEY there")
    assert len(lines) == 2
    assert "sk-written-in-the-file" not in result.out + result.err


def test_a_config_without_a_master_key_is_open_unless_the_variable_is_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                           pinned: str) -> None:
    (tmp_path / "proxy.yaml").write_text(HAND_WRITTEN.split("general_settings:", maxsplit=1)[0].replace(
        "      model: moonshot/kimi-k2.6\n", "      model: moonshot/kimi-k2.6\n      api_key: os.environ/MOONSHOT_API_KEY\n"))
    all_set(monkeypatch, {"OPENAI_API_KEY", "MOONSHOT_API_KEY"})
    monkeypatch.delenv("LITELLM_MASTER_KEY", raising=False)
    result = run_regc("doctor", "--litellm-config", "proxy.yaml", cwd=tmp_path)
    assert result.code == 1
    assert result.out.startswith("litellm: proxy.yaml has no general_settings.master_key and LITELLM_MASTER_KEY is not set: "
                                 "the proxy would answer anyone")
    monkeypatch.setenv("LITELLM_MASTER_KEY", "sk-m")
    assert run_regc("doctor", "--litellm-config", "proxy.yaml", cwd=tmp_path).code == 0


@pytest.mark.parametrize(("text", "said"), [
    ("model_list: [\n", "proxy.yaml:2:1: error: malformed YAML"),
    ("- 1\n- 2\n", "proxy.yaml:1:1: error: expected a LiteLLM config (a mapping with `model_list`)"),
    ("general_settings: {}\n", "proxy.yaml:1:1: error: `model_list` must be a list of deployments"),
    ("model_list:\n  - litellm_params: {model: openai/x}\n", "proxy.yaml:2:5: error: a deployment needs `model_name`"),
    ("model_list:\n  - model_name: x\n    litellm_params: {api_key: os.environ/K}\n",
     "proxy.yaml:2:5: error: deployment 'x' needs `litellm_params.model`"),
    ("model_list:\n  - model_name: x\n    litellm_params: [a]\n", "proxy.yaml:3:21: error: expected `litellm_params` of 'x'"),
    ("model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/gpt-4o\n      api_key: os.environ/\n",
     "proxy.yaml:5:16: error: 'x' litellm_params.api_key: 'os.environ/' names no environment variable"),
    ("model_list: []\ngeneral_settings:\n  master_key: os.environ/MY-KEY\n",
     "proxy.yaml:3:15: error: general_settings.master_key: 'os.environ/MY-KEY' names no environment variable"),
])
def test_what_is_not_a_litellm_config_is_exit_2_at_its_line(tmp_path: Path, text: str, said: str) -> None:
    (tmp_path / "proxy.yaml").write_text(text)
    result = run_regc("doctor", "--litellm-config", "proxy.yaml", cwd=tmp_path)
    assert result.code == 2
    assert said in result.err
    assert "Traceback" not in result.err


def test_litellm_config_bad_usage_is_exit_2(tmp_path: Path) -> None:
    missing = run_regc("doctor", "--litellm-config", "nowhere.yaml", cwd=tmp_path)
    assert missing.code == 2
    assert "--litellm-config 'nowhere.yaml': no such file" in missing.err
    both = run_regc("doctor", "--litellm-config", "nowhere.yaml", "--registry", "registry.md", cwd=tmp_path)
    assert both.code == 2
    assert "--registry has no meaning with it" in both.err
    other = run_regc("doctor", "--litellm-config", "nowhere.yaml", "--target", "envoy", cwd=tmp_path)
    assert other.code == 2
    assert "--target 'envoy' is not a configured target" in other.err


# --- bad input -------------------------------------------------------------------------------------------------


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
