"""The litellm target's proxy settings: ``litellm_settings``, ``router_settings``, ``retries_by_kind``.

Each option lands where LiteLLM 1.102.4 reads it (the Router built as the proxy builds it takes every
``router_settings`` key), and a key LiteLLM would not know is refused before anything is written, with the
nearest known spelling: LiteLLM itself sets any ``litellm_settings`` key without a word.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, require_module, run_regc
from tests.test_litellm import load_like_the_proxy


@pytest.fixture(scope="module")
def pyyaml() -> Any:
    return require_module("yaml")


def build(tmp_path: Path, options: str) -> Path:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text(f'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n{options}')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 0, result.err
    return tmp_path / "config.yaml"


def test_defaults_drop_unsupported_params_and_retry_nothing(pyyaml: Any, tmp_path: Path) -> None:
    config = pyyaml.safe_load(build(tmp_path, "").read_text())
    assert config["litellm_settings"] == {"drop_params": True}
    assert config["router_settings"]["num_retries"] == 0
    assert set(config["router_settings"]) == {"num_retries", "max_fallbacks", "fallbacks"}


OPTIONS = """num_retries = 1

[targets.litellm.litellm_settings]
drop_params = false
request_timeout = 45.5

[targets.litellm.router_settings]
timeout = 30
stream_timeout = 0.00001
allowed_fails = 2
cooldown_time = 7.5
disable_cooldowns = false

[targets.litellm.router_settings.retry_policy]
InternalServerErrorRetries = 2
RateLimitErrorRetries = 3

[targets.litellm.retries_by_kind.image]
InternalServerErrorRetries = 0

[targets.litellm.retries_by_kind.embedding]
TimeoutErrorRetries = 1
"""


def test_each_option_reaches_litellm(pyyaml: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    litellm = require_module("litellm")
    path = build(tmp_path, OPTIONS)
    config = pyyaml.safe_load(path.read_text())
    assert config["litellm_settings"] == {"drop_params": False, "request_timeout": 45.5}
    router_settings = config["router_settings"]
    assert router_settings["stream_timeout"] == 0.00001  # a float YAML 1.1 reads as one (no exponent)
    assert router_settings["retry_policy"] == {"InternalServerErrorRetries": 2, "RateLimitErrorRetries": 3}
    image_groups = {d["model_name"] for d in config["model_list"] if d["model_info"].get("mode") == "image_generation"}
    embedding_groups = {d["model_name"] for d in config["model_list"] if d["model_info"].get("mode") == "embedding"}
    assert {"image", "xai/grok-imagine-image"} <= image_groups and {"embed", "google/gemini-embedding-2"} <= embedding_groups
    assert router_settings["model_group_retry_policy"] == {
        **{group: {"InternalServerErrorRetries": 0} for group in image_groups},
        **{group: {"TimeoutErrorRetries": 1} for group in embedding_groups},
    }
    for name in ("OPENAI_API_KEY", "LITELLM_MASTER_KEY"):
        monkeypatch.setenv(name, "x")
    router, _ = load_like_the_proxy(litellm, pyyaml, path)  # refuses a key Router does not take
    assert (router.num_retries, router.timeout, router.stream_timeout) == (1, 30, 0.00001)
    assert (router.allowed_fails, router.cooldown_time, router.disable_cooldowns) == (2, 7.5, False)
    server_error = litellm.InternalServerError(message="x", llm_provider="openai", model="m")
    timeout = litellm.Timeout(message="x", llm_provider="openai", model="m")
    # What LiteLLM's own lookup gives for a failing call in each group: the kind's policy, else the general one.
    assert router.get_num_retries_from_retry_policy(server_error, "reasoning") == 2
    assert router.get_num_retries_from_retry_policy(server_error, "image") == 0
    assert router.get_num_retries_from_retry_policy(server_error, "xai/grok-imagine-image") == 0
    assert router.get_num_retries_from_retry_policy(timeout, "google/gemini-embedding-2") == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ("[targets.litellm.litellm_settings]\ndrop_param = true\n",
         "regc.toml:7:1: error: targets.litellm.litellm_settings.drop_param: unknown key in [targets.litellm.litellm_settings] "
         "in regc.toml; did you mean `drop_params`?"),
        ("[targets.litellm.router_settings]\nnum_retrys = 1\n",
         "targets.litellm.router_settings.num_retrys: unknown key in [targets.litellm.router_settings] in regc.toml"),
        ("[targets.litellm.router_settings]\ncooldowntime = 1\n", "did you mean `cooldown_time`?"),
        ("[targets.litellm.router_settings.retry_policy]\nInternalServerErrorRetry = 1\n", "did you mean `InternalServerErrorRetries`?"),
        ("[targets.litellm.retries_by_kind.embedding]\nRateLimitErrorRetry = 1\n",
         "[targets.litellm.retries_by_kind.embedding] in regc.toml; did you mean `RateLimitErrorRetries`?"),
        ("[targets.litellm.retries_by_kind.embeddings]\nRateLimitErrorRetries = 1\n", "targets.litellm.retries_by_kind.embeddings"),
        ("[targets.litellm.router_settings]\ntimeout = -1\n", "targets.litellm.router_settings.timeout: Input should be greater than 0"),
        ("[targets.litellm.router_settings.retry_policy]\nDefaultRetries = 11\n", "DefaultRetries: Input should be less than or equal"),
        ("[targets.litellm.router_settings.retry_policy]\nDefaultRetry = 1\n", "did you mean `DefaultRetries`?"),
        ("[targets.litellm.litellm_settings]\ndrop_params = \"yes\"\n", "targets.litellm.litellm_settings.drop_params"),
    ],
)
def test_a_key_litellm_would_not_read_is_refused(tmp_path: Path, options: str, message: str) -> None:
    (tmp_path / "registry.md").write_bytes((ROOT / "registry.md").read_bytes())
    (tmp_path / "regc.toml").write_text(f'registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n\n{options}')
    result = run_regc("build", cwd=tmp_path)
    assert result.code == 2, result.err
    assert message in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "config.yaml").exists()


def test_build_warns_about_an_alias_the_proxy_will_not_serve(tmp_path: Path) -> None:
    """A mistyped provider leaves an alias out of the proxy's config (recorded at the file's top): `regc build` says
    so on stderr, every time it runs, not only in a comment nobody reads; this repository's own build says nothing."""
    registry = (ROOT / "tests/fixtures/good/features.md").read_text(encoding="utf-8")
    (tmp_path / "registry.md").write_text(registry.replace("| **Primary** | `anthropic/", "| **Primary** | `antrhopic/", 1))
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.litellm]\npath = "config.yaml"\n')

    first = run_regc("build", cwd=tmp_path)
    again = run_regc("build", cwd=tmp_path)

    assert first.code == 0 and again.code == 0
    warnings = [line for line in first.err.splitlines() if line.startswith("regc: warning: litellm: not served: alias ")]
    assert [w.split("'")[1] for w in warnings] == ["best", "reasoning"]  # the alias, and the legacy one resolving to it
    assert all("its primary antrhopic/" in w and w.endswith("(`regc lint` says why)") for w in warnings)
    assert all(warning in again.err for warning in warnings)  # nothing changed on disk, and it still says so
    written = (tmp_path / "config.yaml").read_text()
    assert all(f'# not served: "{w.split("not served: ", 1)[1].removesuffix(" (`regc lint` says why)")}"' in written for w in warnings)
    ours = run_regc("--no-cache", "build", "--output-dir", str(tmp_path / "ours"), cwd=ROOT)
    assert ours.code == 0 and "warning" not in ours.err


def test_build_warns_about_a_routed_model_without_a_models_row(tmp_path: Path) -> None:
    """A mistyped model id still routes (to a model no one prices): `regc build` names it, with the row it may mean."""
    registry = (ROOT / "tests/fixtures/good/features.md").read_text(encoding="utf-8")
    assert registry.count("| **Primary** | `anthropic/claude-opus-4-7` |") == 1
    (tmp_path / "registry.md").write_text(registry.replace("| **Primary** | `anthropic/claude-opus-4-7` |",
                                                           "| **Primary** | `anthropic/claude-opus-4-8` |"))
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n\n[targets.json]\npath = "out.json"\n')

    result = run_regc("build", cwd=tmp_path)

    assert result.code == 0
    assert ("regc: warning: registry: `anthropic/claude-opus-4-8` (routed by `reasoning`) has no Models row, so no gateway "
            "gets a price for it; did you mean `anthropic/claude-opus-4-7`? (`regc lint` says why)") in result.err.splitlines()
