"""The run cache: a replay prints what the full run printed, and is never trusted over changed files.

Every run here is a real ``regc`` process (the console script's entry point,
``regc.__main__.main``), because the cache's whole point is what a fresh
process does; the in-process ``run_regc`` helper bypasses the cache.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import copy_fixture

ENTRY = "from regc.__main__ import main; import sys; sys.exit(main(sys.argv[1:]))"


def regc(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("REGC_", "GITHUB_"))} | (env or {})
    return subprocess.run([sys.executable, "-c", ENTRY, *args], cwd=project, capture_output=True, text=True, env=environment,
                          check=False)


def entries(project: Path) -> list[Path]:
    return sorted((project / ".regc-cache").glob("*.json"))


@pytest.fixture
def built(project: Path) -> Path:
    copy_fixture("good/features.md", project, "registry.md")
    assert regc(project, "build").returncode == 0
    return project


def _same(a: subprocess.CompletedProcess[str], b: subprocess.CompletedProcess[str]) -> None:
    assert (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


@pytest.mark.parametrize("args", [("check",), ("lint",), ("build", "--check"), ("lint", "--format", "json"), ("-q", "check"),
                                  ("--config", "regc.toml", "check"), ("--config=regc.toml", "-q", "lint")])
def test_a_replay_prints_exactly_what_the_full_run_printed(built: Path, args: tuple[str, ...]) -> None:
    full = regc(built, *args, env={"REGC_NO_CACHE": "1"})
    recorded = regc(built, *args)
    replayed = regc(built, *args)

    _same(recorded, full)
    _same(replayed, full)
    assert entries(built), "the run was not recorded"


def test_the_replay_is_what_runs_the_second_time(built: Path) -> None:
    regc(built, "check")
    (entry,) = entries(built)
    recorded = json.loads(entry.read_text())
    recorded["transcript"].append(["err", "(replayed)\n", None])
    entry.write_text(json.dumps(recorded))

    assert regc(built, "check").stderr.endswith("(replayed)\n")


@pytest.mark.parametrize(
    "change",
    ["registry", "output", "policy-created", "config"],
)
def test_one_changed_byte_in_any_input_means_a_full_run(built: Path, change: str) -> None:
    first = regc(built, "check")
    assert first.returncode == 1  # features.md has policy errors: a finding run is recorded too
    if change == "registry":
        registry = built / "registry.md"
        registry.write_text(registry.read_text().replace("`openai/o3`, ", ""))
    elif change == "output":
        output = built / "targets/json/registry.json"
        output.write_text(output.read_text().replace('"flagship"', '"flagshiP"'))
    elif change == "policy-created":
        (built / "policy.yaml").write_text("rules:\n  fallback-kind: off\n  model-ref-form: off\n")
    else:
        (built / "regc.toml").write_text((built / "regc.toml").read_text() + "\n[targets.go]\npath = \"targets/go/config.go\"\n")

    second = regc(built, "check")
    full = regc(built, "check", env={"REGC_NO_CACHE": "1"})

    _same(second, full)
    assert second.stdout + second.stderr != first.stdout + first.stderr


def test_a_configuration_file_found_instead_of_the_recorded_one_means_a_full_run(built: Path) -> None:
    (built / "pyproject.toml").write_text("[tool.regc]\n" + (built / "regc.toml").read_text().replace("[targets", "[tool.regc.targets"))
    (built / "regc.toml").rename(built / "elsewhere.toml")
    regc(built, "check")
    (built / "regc.toml").write_text('[targets.json]\npath = "targets/json/registry.json"\n')  # found first from now on

    _same(regc(built, "check"), regc(built, "check", env={"REGC_NO_CACHE": "1"}))


def test_a_build_that_writes_is_not_replayed_and_one_that_writes_nothing_is(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    first = regc(project, "build")
    assert "created targets/json/registry.json" in first.stdout
    assert entries(project) == []

    (project / "targets/json/registry.json").unlink()
    again = regc(project, "build")
    assert again.stdout == "created targets/json/registry.json\n"  # written again: nothing replayed
    assert (project / "targets/json/registry.json").exists()

    quiet = regc(project, "build")
    assert quiet.stdout == ""
    assert len(entries(project)) == 1
    _same(regc(project, "build"), quiet)


def test_no_cache_flag_and_environment_switch_it_off(built: Path) -> None:
    regc(built, "--no-cache", "check")
    regc(built, "check", env={"REGC_NO_CACHE": "1"})
    assert entries(built) == []


def test_errors_are_not_recorded(project: Path) -> None:
    (project / "registry.md").write_text("# nothing\n")
    assert regc(project, "check").returncode == 2
    assert entries(project) == []


def test_a_damaged_cache_is_a_miss_not_an_error(built: Path) -> None:
    full = regc(built, "check")
    (entry,) = entries(built)
    entry.write_text("{not json")
    _same(regc(built, "check"), full)


def test_the_cache_ignores_itself_in_git(built: Path) -> None:
    regc(built, "check")
    assert (built / ".regc-cache/.gitignore").read_text().splitlines()[-1] == "*"


def test_cache_dir_comes_from_the_config(built: Path) -> None:
    (built / "regc.toml").write_text('cache_dir = "build/regc"\n' + (built / "regc.toml").read_text())
    regc(built, "check")
    assert list((built / "build/regc").glob("*.json"))


@pytest.mark.parametrize("where", ["link", "git_dir"])
def test_cache_dir_never_goes_through_a_link_or_into_git_dir(built: Path, tmp_path: Path, where: str) -> None:
    """The cache is written like an output: never through a symbolic link, never into $GIT_DIR; refused at cache_dir."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env: dict[str, str] = {}
    if where == "link":
        (built / "cachelink").symlink_to(elsewhere)
        setting, problem = "cachelink", "'cachelink' is a symbolic link; regc writes its cache in a plain directory"
    else:
        (built / "gitmeta").mkdir()
        env = {"GIT_DIR": str(built / "gitmeta")}
        setting, problem = "gitmeta/hooks", "'gitmeta/hooks' is inside git's directory"
    (built / "regc.toml").write_text(f'cache_dir = "{setting}"\n' + (built / "regc.toml").read_text())
    for command in ("check", "lint", "build"):
        result = regc(built, command, env=env)
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith(f"regc.toml:1:1: error: cache_dir: {problem}"), result.stderr
    assert list(elsewhere.iterdir()) == []
    assert not (built / "gitmeta/hooks").exists()


def test_the_key_changes_with_regc_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from regc.io import cache

    monkeypatch.chdir(tmp_path)
    before = cache._key(["check"])
    monkeypatch.setattr(cache, "fingerprint", lambda: ["another regc"])
    assert cache._key(["check"]) != before


# --- import discipline: what the fast paths may not load ---------------------------------------

HEAVY = ("git", "jinja2", "jsonschema", "litellm", "pydantic", "click", "markdown_it", "ruamel")
PROBE = """
import sys
from regc.__main__ import main
code = main(sys.argv[1:])
sys.stdout.flush()
print("MODULES", " ".join(sorted(m.split(".")[0] for m in sys.modules)), file=sys.stderr)
"""


def loaded(project: Path, *args: str, env: dict[str, str] | None = None) -> set[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("REGC_", "GITHUB_"))} | (env or {})
    result = subprocess.run([sys.executable, "-c", PROBE, *args], cwd=project, capture_output=True, text=True, env=environment,
                            check=False)
    line = next(line for line in result.stderr.splitlines() if line.startswith("MODULES "))
    return set(line.split()[1:])


def test_a_replayed_check_imports_none_of_the_heavy_libraries(built: Path) -> None:
    regc(built, "check")
    assert loaded(built, "check").isdisjoint(HEAVY)
    # the control: the same command in full does import them, so the probe can see them
    assert {"pydantic", "click", "markdown_it"} <= loaded(built, "check", env={"REGC_NO_CACHE": "1"})


def test_lint_in_full_never_imports_git_jinja2_jsonschema_or_litellm(built: Path) -> None:
    modules = loaded(built, "lint", env={"REGC_NO_CACHE": "1"})
    assert modules.isdisjoint({"git", "jinja2", "jsonschema", "litellm"})
    assert "pydantic" in modules


def test_check_in_full_never_imports_git_jsonschema_or_litellm(built: Path) -> None:
    assert loaded(built, "check", env={"REGC_NO_CACHE": "1"}).isdisjoint({"git", "jsonschema", "litellm"})
