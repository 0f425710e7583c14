"""A symlinked registry is followed the same way everywhere (README Decisions: "Symbolic links").

On disk the link is followed by every command, and `fmt` and `prices sync` write the file it leads to
(the link stays a link: they replaced it with a plain file, and edits of the real file were ignored from
then on). In git the hook and `verify-commits` follow a link inside the repository through the index or the
commit (they read the link's text as the registry, or found no registry at all), and refuse one that leaves
the repository with one message. An output is never a link, on disk or in git.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, run_regc
from tests.protocol.conftest import DROP_O3, FEATURES, Repo, edit, init_repo
from tests.test_catalogs import SMALL_LITELLM

SHARED = "shared/registry.md"


def _linked_repo(tmp_path: Path, target: str = "shared/registry.md") -> Repo:
    """A repository whose registry.md is a committed symbolic link to ``target`` (features.md), outputs built."""
    repo = init_repo(tmp_path / "linked", commit=False)
    (repo.path / "registry.md").unlink()
    repo.write(SHARED, FEATURES)
    (repo.path / "registry.md").symlink_to(target)
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "A linked registry")
    repo.install_hook()
    return repo


@pytest.mark.parametrize("command", [("fmt",), ("prices", "sync", "--catalog", str(SMALL_LITELLM), "--today", "2026-11-22")])
def test_fmt_and_sync_write_the_file_the_link_leads_to_and_keep_the_link(tmp_path: Path, command: tuple[str, ...]) -> None:
    real = tmp_path / "shared" / "registry.md"
    real.parent.mkdir()
    shutil.copyfile(FIXTURES / "prices" / "registry.md", real)
    real.chmod(0o640)
    (tmp_path / "registry.md").symlink_to("shared/registry.md")
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n')
    before = real.read_bytes()

    result = run_regc(*command, cwd=tmp_path)

    assert result.code == 0, result.err
    assert (tmp_path / "registry.md").is_symlink() and os.readlink(tmp_path / "registry.md") == "shared/registry.md"
    assert real.read_bytes() != before  # the real file got the edit...
    assert oct(real.stat().st_mode & 0o777) == oct(0o640)  # ...in place, as an editor writes it
    assert not list(real.parent.glob(".*regc-tmp*"))


def test_the_hook_follows_a_registry_link_through_the_index(tmp_path: Path) -> None:
    repo = _linked_repo(tmp_path)
    repo.write(SHARED, edit(FEATURES, DROP_O3))
    repo.git("add", SHARED)  # the link is unchanged: only the file it leads to is staged

    stale = repo.commit("Drop o3")

    assert stale.returncode == 1, stale.stderr
    assert "regc hook: registry.md is staged but targets/json/registry.json was not regenerated" in stale.stderr
    repo.build()
    repo.git("add", "-A")
    assert repo.commit("Drop o3").returncode == 0, repo.git("log", "--oneline").stdout


def test_the_hook_fast_path_hands_a_linked_registry_to_the_full_command(tmp_path: Path) -> None:
    repo = _linked_repo(tmp_path)
    repo.write(SHARED, edit(FEATURES, DROP_O3))
    repo.git("add", SHARED)
    assert repo.regc_process("hook").returncode == 1  # the console script, fast path first
    assert "|shared/registry\\.md|" in repo.regc("hook", "--files-regex").out


def test_verify_commits_follows_a_registry_link_in_each_commit(tmp_path: Path) -> None:
    repo = _linked_repo(tmp_path)
    repo.write(SHARED, edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "--no-verify", "-am", "Drop o3, outputs forgotten")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1
    assert result.out == (f"{repo.short()} Drop o3, outputs forgotten\n  registry.md changed but targets/json/registry.json "
                          "was not regenerated\n")
    repo.build()
    repo.git("commit", "-q", "-am", "Regenerate")
    assert repo.regc("verify-commits", "HEAD~1..HEAD").code == 0


def test_a_linked_directory_on_the_way_is_followed_too(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "dir", config='registry = "conf/registry.md"\n\n[targets.json]\npath = "out/registry.json"\n',
                     commit=False)
    (repo.path / "registry.md").unlink()
    repo.write("real/registry.md", FEATURES)
    (repo.path / "conf").symlink_to("real", target_is_directory=True)
    repo.build()
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "Initial")
    repo.write("real/registry.md", edit(FEATURES, DROP_O3))
    repo.git("commit", "-q", "--no-verify", "-am", "Drop o3")

    result = repo.regc("verify-commits", "HEAD~1..HEAD")

    assert result.code == 1 and "out/registry.json was not regenerated" in result.out


def test_a_link_out_of_the_repository_is_one_clear_message_in_every_git_command(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "registry.md"
    outside.parent.mkdir()
    outside.write_text(FEATURES)
    repo = init_repo(tmp_path / "out", commit=False)
    (repo.path / "registry.md").unlink()
    (repo.path / "registry.md").symlink_to(outside)
    repo.build()  # on disk the link is followed, as every file a user names is
    repo.git("add", "-A")
    message = (f"registry.md:1:1: error: registry.md is a symbolic link to '{outside}', outside the repository: the index holds "
               "only the link, so regc cannot read registry.md from git; keep the file itself in the repository (a link inside it "
               "is followed)")

    hook = repo.regc("hook")
    assert (hook.code, hook.err.splitlines()[0]) == (2, message)
    repo.git("commit", "-q", "--no-verify", "-m", "Linked out")
    verified = repo.regc("verify-commits", "HEAD")
    assert verified.code == 1
    assert "registry.md is a symbolic link to" in verified.out and "outside the repository" in verified.out


def test_an_output_committed_as_a_link_is_named_in_the_hook_and_history(repo: Repo) -> None:
    """Even a link to a file with exactly the generated bytes: `regc build` refuses to write through it."""
    repo.install_hook()
    real = repo.path / "elsewhere.json"
    shutil.copyfile(repo.path / "targets/json/registry.json", real)
    (repo.path / "targets/json/registry.json").unlink()
    (repo.path / "targets/json/registry.json").symlink_to("../../elsewhere.json")
    repo.git("add", "-A")

    result = repo.commit("Link the output")

    assert result.returncode == 1
    assert ("regc hook: targets/json/registry.json is a symbolic link (or below one) in the index; an output is a plain file, "
            "never a link") in result.stderr
    # `regc build` refuses to write through the link, so the fix removes it first
    fix = "fix: git rm -q --cached targets/json/registry.json && rm -f targets/json/registry.json && regc build && git add"
    assert fix in result.stderr
    repo.git("commit", "-q", "--no-verify", "-m", "Link the output")
    history = repo.regc("verify-commits", "HEAD~1..HEAD")
    assert history.code == 1 and "targets/json/registry.json is a symbolic link (or below one) in the commit" in history.out


def test_the_hooks_fix_for_a_linked_output_makes_the_commit_pass(repo: Repo) -> None:
    repo.install_hook()
    (repo.path / "targets/json/registry.json").unlink()
    (repo.path / "targets/json/registry.json").symlink_to("../../README.md")
    repo.git("add", "-A")
    hint = next(line for line in repo.commit("Link the output").stderr.splitlines() if line.startswith("fix: "))

    for step in hint.removeprefix("fix: ").split(" && "):
        command, *args = shlex.split(step)
        if command == "regc":
            assert repo.regc(*args).code == 0
        elif command == "git":
            repo.git(*args)
        else:
            assert (command, args[0]) == ("rm", "-f")
            (repo.path / args[1]).unlink(missing_ok=True)

    assert not (repo.path / "targets/json/registry.json").is_symlink()
    assert repo.git("status", "--porcelain").stdout == ""  # the committed plain output again: nothing left to fix
    assert repo.regc("hook").code == 0
