"""Targets whose outputs involve more than the registry, judged from git: the go target's block mode (it
reads a hand-written file, which must come from the index too) and the sqlite target's optional .db."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import FIXTURES
from tests.protocol.conftest import DROP_O3, FEATURES, Repo, edit, init_repo

GO = "gateway/config.go"
BLOCK = 'registry = "registry.md"\n\n[targets.go]\npath = "gateway/config.go"\nmode = "block"\n'
SQLITE = 'registry = "registry.md"\n\n[targets.sqlite]\npath = "db/task_categories.sql"\ndatabase = "db/task_categories.db"\n'


def _block_repo(tmp_path: Path) -> Repo:
    repo = init_repo(tmp_path / "gateway", config=BLOCK, commit=False)
    (repo.path / "gateway").mkdir()
    shutil.copyfile(FIXTURES / "go/gateway/config.go", repo.path / GO)
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "The gateway's config.go with its regc block")
    repo.install_hook()
    return repo


def test_block_mode_reads_the_staged_hand_written_file(tmp_path: Path) -> None:
    repo = _block_repo(tmp_path)
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.build()
    repo.git("add", "-A")
    # An unstaged edit outside the block: the working tree's file is not what gets committed.
    repo.write(GO, repo.read(GO).replace('ListenAddr:     ":8080"', 'ListenAddr:     ":9090"'))

    result = repo.commit("Drop o3")

    assert result.returncode == 0, result.stderr
    assert '":8080"' in repo.show(f"HEAD:{GO}")
    assert "openai/o3" not in repo.show(f"HEAD:{GO}").split("// regc:begin aliases")[1]


def test_block_mode_hand_edits_outside_the_block_are_the_projects_own(tmp_path: Path) -> None:
    repo = _block_repo(tmp_path)
    repo.write(GO, repo.read(GO).replace('ListenAddr:     ":8080"', 'ListenAddr:     ":9090"'))
    repo.git("add", GO)
    assert repo.commit("Listen on 9090").returncode == 0


def test_block_mode_a_hand_edit_inside_the_block_is_caught(tmp_path: Path) -> None:
    repo = _block_repo(tmp_path)
    text = repo.read(GO)
    begin = text.index("// regc:begin aliases")
    repo.write(GO, text[:begin] + text[begin:].replace('"anthropic/claude-opus-4-7"', '"openai/o3"', 1))
    repo.git("add", GO)

    result = repo.commit("Route reasoning to o3 by hand")

    assert result.returncode == 1
    assert f"regc hook: {GO} is staged but differs from what the staged registry.md generates (edited by hand?)" in result.stderr
    # The file is the project's own, with a block regc edits: neither a file regc did not write nor refused by --fix.
    assert "regc did not generate" not in result.stderr
    assert "fix: regc build && git add gateway/config.go" in result.stderr
    fixed = repo.regc("hook", "--fix")
    assert fixed.code == 1 and f"\nwrote {GO}\n" in fixed.out, fixed.out + fixed.err
    assert '"anthropic/claude-opus-4-7"' in repo.read(GO).split("// regc:begin aliases")[1]


def test_block_mode_in_history(tmp_path: Path) -> None:
    repo = _block_repo(tmp_path)
    repo.write(GO, repo.read(GO).replace('ListenAddr:     ":8080"', 'ListenAddr:     ":9090"'))
    repo.git("commit", "-q", "-am", "Listen on 9090")
    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "--no-verify", "-am", "Drop o3, block forgotten")

    result = repo.regc("verify-commits", "HEAD~2..HEAD")

    assert result.code == 1
    assert result.out == f"{repo.short()} Drop o3, block forgotten\n  registry.md changed but {GO} was not regenerated\n"


def test_an_ignored_database_output_is_not_demanded_from_git(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "db", config=SQLITE, commit=False)
    repo.write(".gitignore", "*.db\n")
    repo.install_hook()
    repo.build()
    assert (repo.path / "db/task_categories.db").is_file()
    repo.git("add", "-A")
    assert repo.commit("Initial").returncode == 0

    repo.write("registry.md", edit(FEATURES, DROP_O3))
    repo.git("add", "registry.md")
    stale = repo.commit("Drop o3")
    assert stale.returncode == 1
    assert stale.stderr.count("regc hook: ") == 1  # the SQL, not the ignored database
    assert "registry.md is staged but db/task_categories.sql was not regenerated" in stale.stderr


def test_a_database_output_that_is_not_ignored_is_an_output_like_any_other(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "db", config=SQLITE, commit=False)
    repo.install_hook()
    repo.build()
    repo.git("add", "registry.md", "regc.toml", "README.md", "db/task_categories.sql")

    result = repo.commit("Initial, database left out")

    assert result.returncode == 1  # built in the working tree, left out of the index
    assert "regc hook: regenerated but not staged: db/task_categories.db regc.outputs; run git add" in result.stderr
    (repo.path / "db/task_categories.db").unlink()
    missing = repo.commit("Initial, database left out")
    assert missing.returncode == 1
    assert "regc hook: db/task_categories.db is missing: registry.md generates it, and it is not in the index" in missing.stderr
