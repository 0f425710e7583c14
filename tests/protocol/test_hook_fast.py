"""The hook's fast path: with nothing regc watches staged, `regc hook` decides before heavy imports."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from regc.git import hook_fast
from regc.git.snapshot import WorkTree, config_at, default_config, locate, watched
from tests.protocol.conftest import CONFIG, DROP_O3, FEATURES, Repo, edit

HEAVY = ("git", "gitdb", "click", "pydantic", "pydantic_core", "jinja2", "jsonschema", "markdown_it", "ruamel", "regc.cli")


def imported(stderr: str) -> set[str]:
    """Top-level and dotted names of every module `python -X importtime` reported."""
    names = set()
    for line in stderr.splitlines():
        match = re.match(r"import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", line)
        if match:
            names.add(match[1])
            names.add(match[1].split(".")[0])
    return names


def test_nothing_relevant_staged_imports_nothing_heavy(repo: Repo) -> None:
    repo.write("README.md", "# docs\n")
    repo.git("add", "README.md")

    result = repo.regc_process("hook", python_flags=("-X", "importtime"))

    assert result.returncode == 0
    modules = imported(result.stderr)
    assert "regc.git.hook_fast" in modules  # the measurement sees regc's own modules...
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))  # ...and none of the heavy ones


def test_nothing_staged_at_all(repo: Repo) -> None:
    result = repo.regc_process("hook", python_flags=("-X", "importtime"))
    assert result.returncode == 0
    assert not imported(result.stderr) & set(HEAVY)


def test_a_relevant_staged_file_takes_the_full_path(repo: Repo) -> None:
    """The control: the same measurement does see pydantic and GitPython when the hook has work."""
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "registry.md")

    result = repo.regc_process("hook", python_flags=("-X", "importtime"))

    assert result.returncode == 1
    assert {"pydantic", "git", "click"} <= imported(result.stderr)


def test_an_unstaged_config_edit_does_not_fool_the_fast_path(repo: Repo) -> None:
    """The fast path reads the staged configuration, as the full hook does."""
    repo.write("regc.toml", CONFIG.replace('registry = "registry.md"', 'registry = "models.md"'))  # not staged
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "registry.md")

    assert repo.regc_process("hook").returncode == 1


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["hook"], ""),
        (["hook", "--fix"], ""),
        (["hook", "--no-lint"], ""),  # the pre-commit `regc` hook's entry keeps the fast no-op
        (["-q", "hook"], ""),
        (["--config", "sub/regc.toml", "hook"], "sub/regc.toml"),
        (["hook", "--config=a b.toml"], "a b.toml"),
        (["hook", "--help"], None),
        (["build"], None),
        (["hook", "extra"], None),
        ([], None),
    ],
)
def test_which_command_lines_take_the_fast_path(args: list[str], expected: str | None) -> None:
    assert hook_fast._parse_hook_args(args) == expected


CONFIGS = {
    "defaults (no config file)": None,
    "json and schema": CONFIG,
    "explicit paths with spaces": 'registry = "my registry.md"\npolicy = "rules/policy.yaml"\n\n[targets.json]\npath = "out dir/r.json"\n',
    "a disabled target": 'registry = "registry.md"\n\n[targets.json]\nenabled = false\n\n[targets.schema]\npath = "schema"\n',
    "a target at its default path": 'registry = "registry.md"\n\n[targets.json]\n\n[targets.schema]\npath = "schema/v1"\n',
    "an output under another option": '[targets.sqlite]\ndatabase = "db/routing.db"\n',
}


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
@pytest.mark.parametrize("subdirectory", ["", "services/ai"])
def test_fast_and_full_paths_watch_the_same_files(tmp_path: Path, config: str | None, subdirectory: str) -> None:
    repo = Repo(tmp_path / "repo")
    repo.path.mkdir()
    repo.git("init", "-q")
    project_dir = repo.path / subdirectory
    project_dir.mkdir(parents=True, exist_ok=True)
    if config is not None:
        repo.write(f"{subdirectory}/regc.toml" if subdirectory else "regc.toml", config)

    fast = hook_fast.watched_paths(repo.path, project_dir, None)
    project = locate(repo.path, project_dir, None)
    full = watched(project, config_at(WorkTree(repo.path), project) or default_config(project))

    assert fast is not None
    assert set(fast) >= set(full)
    # The only extras: default paths of built-in targets that this installation does not have (yet).
    from regc.targets import builtin_names

    missing = {path for name, path in hook_fast.DEFAULT_PATHS.items() if name not in builtin_names()}
    assert {p.removeprefix(f"{subdirectory}/") for p in set(fast) - set(full)} <= missing


def test_a_target_the_fast_path_has_no_default_for_defers_to_the_full_command(tmp_path: Path) -> None:
    (tmp_path / "regc.toml").write_text('[targets.custom]\nflavour = "x"\n')
    assert hook_fast.watched_paths(tmp_path, tmp_path, None) is None


def test_default_paths_are_the_builtin_targets_own_defaults() -> None:
    """hook_fast repeats each built-in target's default path (it may not import the targets): keep them equal."""
    from regc.targets import all_targets, builtin_names

    for name in builtin_names():
        default = all_targets()[name].Options.model_fields["path"].default
        assert hook_fast.DEFAULT_PATHS.get(name) == default, f"add {name!r}: {default!r} to regc.git.hook_fast.DEFAULT_PATHS"


def test_porcelain_diff_settings_do_not_hide_staged_files(repo: Repo) -> None:
    """With diff.relative, `git diff` from a subdirectory lists only that directory; the hook uses plumbing."""
    repo.git("config", "diff.relative", "true")
    (repo.path / "docs").mkdir()
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "registry.md")

    result = subprocess.run([sys.executable, "-m", "regc", "hook"], cwd=repo.path / "docs", capture_output=True, text=True, check=False)

    assert result.returncode == 1
    assert "regc hook: registry.md is staged but targets/json/registry.json was not regenerated" in result.stdout


def test_before_the_first_commit_the_full_command_decides(tmp_path: Path) -> None:
    repo = Repo(tmp_path / "new")
    repo.path.mkdir()
    repo.git("init", "-q")
    repo.write("README.md", "x\n")
    repo.git("add", "README.md")

    result = repo.regc_process("hook", python_flags=("-X", "importtime"))

    assert result.returncode == 0
    assert "git" in imported(result.stderr)  # no HEAD to diff against: the fast path stepped aside
