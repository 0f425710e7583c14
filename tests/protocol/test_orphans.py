"""Every file regc generates is watched in git, and a file it no longer generates is reported there.

Two gaps the issue found: the sqlite target's `database` (an output under an option other than `path`)
was watched by neither the hook's paths, `--files-regex` nor `verify-commits`, so a hand-edited `.db` was
committed with exit 0; and after a target's path changed, the old output stayed committed.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from regc import hook_fast
from regc.snapshot import WorkTree, config_at, locate, watched
from tests.protocol.conftest import CONFIG, DROP_O3, FEATURES, Repo, edit, init_repo

SQLITE = 'registry = "registry.md"\n\n[targets.sqlite]\npath = "db/task_categories.sql"\ndatabase = "db/task_categories.db"\n'
MOVED = CONFIG.replace('path = "targets/json/registry.json"', 'path = "targets/json/aliases.json"')


def _hand_edit_database(path: Path) -> None:
    with sqlite3.connect(path) as db:
        db.execute("UPDATE task_categories SET primary_model = 'openai/o3' WHERE alias = 'fast'")
    db.close()


def test_a_hand_edited_database_is_stopped_by_the_hook_and_found_by_verify_commits(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "db", config=SQLITE)
    repo.install_hook()
    _hand_edit_database(repo.path / "db/task_categories.db")
    repo.git("add", "db/task_categories.db")

    fast = repo.regc_process("hook")  # the console script: the fast path must not wave it through
    assert fast.returncode == 1, fast.stderr
    assert "regc hook: db/task_categories.db is staged but differs from what the staged registry.md generates" in fast.stdout
    assert repo.commit("Route fast to o3 in the database").returncode == 1

    repo.git("commit", "-q", "--no-verify", "-m", "Route fast to o3 in the database")
    verified = repo.regc("verify-commits", "HEAD~1..HEAD")
    assert verified.code == 1
    assert verified.out == (f"{repo.short()} Route fast to o3 in the database\n  db/task_categories.db changed but differs from what "
                            "registry.md generates (edited by hand?)\n")


def test_files_regex_and_both_hook_paths_watch_every_output_and_the_manifest(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "db", config=SQLITE, commit=False)
    project = locate(repo.path, repo.path, None)
    full = watched(project, config_at(WorkTree(repo.path), project))
    fast = hook_fast.watched_paths(repo.path, repo.path, None)

    assert {"db/task_categories.db", "db/task_categories.sql", "regc.outputs"} <= set(full)
    assert fast is not None and set(fast) >= set(full)
    pattern = re.compile(repo.regc("hook", "--files-regex").out.strip())
    for path in ("db/task_categories.db", "db/task_categories.sql", "regc.outputs", "registry.md", "regc.toml"):
        assert pattern.search(path), path


def test_extra_path_options_are_the_builtin_targets_own() -> None:
    """hook_fast repeats the options besides `path` that name a built-in target's files: keep them equal."""
    from regc.targets import all_targets, builtin_names

    for name in builtin_names():
        extras = tuple(option for option in all_targets()[name].Options.path_options if option != "path")
        assert hook_fast.EXTRA_PATH_OPTIONS.get(name, ()) == extras, f"set regc.hook_fast.EXTRA_PATH_OPTIONS[{name!r}] = {extras}"


def test_a_moved_output_left_in_the_index_stops_the_commit(repo: Repo) -> None:
    repo.install_hook()
    repo.write("regc.toml", MOVED)
    repo.build()  # removes targets/json/registry.json from the working tree...
    assert not (repo.path / "targets/json/registry.json").exists()
    repo.git("add", "regc.toml", "regc.outputs", "targets/json/aliases.json")  # ...but its removal is not staged

    result = repo.commit("Rename the json output")

    assert result.returncode == 1
    assert ("regc hook: targets/json/registry.json is no longer generated: no target writes it (regc.outputs listed it), but it "
            "is still in the index") in result.stderr
    assert "fix: regc build && git add targets/json/registry.json" in result.stderr
    repo.git("add", "-A")
    assert repo.commit("Rename the json output").returncode == 0


def test_hook_fix_removes_the_orphan_from_the_working_tree(repo: Repo) -> None:
    repo.write("regc.toml", MOVED)
    repo.git("add", "regc.toml")

    result = repo.regc("hook", "--fix")

    assert result.code == 1
    assert "removed targets/json/registry.json\n" in result.out
    assert not (repo.path / "targets/json/registry.json").exists()
    assert (repo.path / "targets/json/aliases.json").is_file()


def test_verify_commits_names_a_commit_that_kept_an_output_no_target_generates(repo: Repo) -> None:
    repo.write("regc.toml", MOVED)
    repo.build()
    repo.git("checkout", "targets/json/registry.json")  # the old file comes back: committed with the rest
    repo.git("add", "-A")
    repo.git("commit", "-q", "--no-verify", "-m", "Rename the json output, keep the old file")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1
    assert result.out == (f"{repo.short()} Rename the json output, keep the old file\n  targets/json/registry.json is no longer "
                          "generated: no target writes it (regc.outputs listed it), but it is still in the commit\n")


def test_a_commit_that_registry_changes_only_is_still_judged_with_the_manifest(repo: Repo) -> None:
    """The control: an ordinary registry edit with its outputs passes; the manifest adds no false alarm."""
    repo.install_hook()
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.build()
    repo.git("add", "-A")
    assert repo.commit("Drop o3").returncode == 0
    assert repo.regc("verify-commits", "HEAD~1..HEAD").code == 0
