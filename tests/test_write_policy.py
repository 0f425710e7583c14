"""The write policy: regc writes only its own files, and only plain files inside the project.

Each case is what an attacker (a symlink or a configuration committed in a pull request) or a
careless user (a path that names the registry) would try; before the policy, each was written
with exit 0. Every refusal is exit 2 at the setting's line, naming the path, with nothing written.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from regc.io import write
from tests.conftest import FIXTURES, copy_fixture, run_regc

HOOK = "#!/bin/sh\necho the user's own hook\n"


def _git_init(path: Path, *args: str) -> None:
    subprocess.run(["git", "init", "-q", *args], cwd=path, check=True, capture_output=True,
                   env={**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1",
                        "HOME": str(path)})


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink()}


@pytest.fixture
def repo(project: Path) -> Path:
    """A git repository holding a regc project (features.md), with an executable pre-commit hook of the user's."""
    copy_fixture("good/features.md", project, "registry.md")
    _git_init(project)
    hook = project / ".git/hooks/pre-commit"
    hook.write_text(HOOK)
    hook.chmod(0o755)
    return project


@pytest.mark.parametrize("command", [("build",), ("build", "--check"), ("check",)])
def test_an_output_symlinked_to_a_git_hook_is_refused_and_the_hook_is_untouched(repo: Path, command: tuple[str, ...]) -> None:
    """A symlink committed where an output goes (a pull request can add one) would have sent generated text, with
    backticks from the registry, into .git/hooks/pre-commit, keeping its executable bit."""
    (repo / "targets/json").mkdir(parents=True)
    (repo / "targets/json/registry.json").symlink_to("../../.git/hooks/pre-commit")

    result = run_regc("--no-cache", *command, cwd=repo)

    assert result.code == 2, result.err
    assert result.err == ("regc.toml:4:1: error: output path 'targets/json/registry.json' is a symbolic link; regc writes plain "
                          "files in plain directories, never through a link: remove the link or give the target another path\n")
    hook = repo / ".git/hooks/pre-commit"
    assert hook.read_text() == HOOK and stat.S_IMODE(hook.stat().st_mode) == 0o755
    assert not (repo / "schema").exists()  # nothing written: every path is checked before anything is


def test_a_symlinked_directory_on_the_way_is_refused_even_inside_the_project(repo: Path) -> None:
    (repo / "real").mkdir()
    (repo / "targets").symlink_to("real", target_is_directory=True)

    result = run_regc("build", cwd=repo)

    assert result.code == 2
    assert result.err.startswith("regc.toml:4:1: error: output path 'targets/json/registry.json' cannot be written: 'targets' is "
                                 "a symbolic link; regc writes plain files in plain directories")
    assert list((repo / "real").iterdir()) == []


CONFIG = 'registry = "registry.md"\n\n[targets.json]\npath = "{path}"\n'


@pytest.mark.parametrize(("path", "message"), [
    (".git/hooks/pre-commit", "output path '.git/hooks/pre-commit' is inside a .git directory; regc never writes into git's own files"),
    (".GIT/config", "output path '.GIT/config' is inside a .git directory"),
    ("vendor/.git/config", "output path 'vendor/.git/config' is inside a .git directory"),
    ("registry.md", "output path 'registry.md' is the registry, which regc reads; an output never overwrites an input"),
    ("./out/../registry.md", "output path 'registry.md' is the registry, which regc reads"),
    ("regc.toml", "output path 'regc.toml' is the configuration file, which regc reads"),
    ("policy.yaml", "output path 'policy.yaml' is the policy file, which regc reads"),
    (".regc-cache/entry.json", "output path '.regc-cache/entry.json' is inside regc's cache directory (.regc-cache)"),
    ("data/catalog.json", "output path 'data/catalog.json' is the catalog the policy names, which regc reads"),
    (".", "output path '.' is the project root itself"),
    ("out/a\nb.json", "output path 'out/a\\nb.json' must be a relative path of printable characters"),
])
def test_a_configured_path_into_git_or_onto_a_file_regc_reads_is_refused(repo: Path, path: str, message: str) -> None:
    (repo / "data").mkdir()
    (repo / "data/catalog.json").write_text('{"gpt-4o": {"litellm_provider": "openai"}}\n')
    (repo / "policy.yaml").write_text("catalog: data/catalog.json\n")
    (repo / "regc.toml").write_text(CONFIG.format(path=path.replace("\n", "\\n")))
    before = _files(repo)

    result = run_regc("build", cwd=repo)

    assert result.code == 2, result.err
    assert result.err.startswith(f"regc.toml:4:1: error: {message}"), result.err
    assert _files(repo) == before


def test_a_path_into_git_dir_elsewhere_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A worktree's or `--separate-git-dir` repository's git directory is named by a `.git` file, and git sets $GIT_DIR
    for its hooks: neither may be written into, whatever it is called."""
    project = tmp_path / "project"
    project.mkdir()
    copy_fixture("good/features.md", project, "registry.md")
    _git_init(project, "--separate-git-dir", str(project / "meta"))
    (project / "regc.toml").write_text(CONFIG.format(path="meta/hooks/pre-commit"))
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert result.err.startswith(f"regc.toml:4:1: error: output path 'meta/hooks/pre-commit' is inside git's directory {project / 'meta'}")

    (project / ".git").unlink()  # only $GIT_DIR says where it is now
    monkeypatch.setenv("GIT_DIR", "meta")
    assert run_regc("build", cwd=project).err.startswith("regc.toml:4:1: error: output path 'meta/hooks/pre-commit' is inside git's")
    assert not (project / "meta/hooks/pre-commit").exists()


@pytest.mark.parametrize("second", ["out/./a.txt", "out//a.txt", "x/../out/a.txt"])
def test_two_targets_that_resolve_to_one_file_are_refused(project: Path, second: str) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").write_text(f'[targets.json]\npath = "out/a.txt"\n\n[targets.litellm]\npath = "{second}"\n')

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert result.err == ("regc.toml:5:1: error: output path 'out/a.txt' is also written by targets.json.path; "
                          "give one of them another path\n")
    assert not (project / "out").exists()


def test_on_a_file_system_that_folds_case_two_spellings_are_one_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "regc.toml").write_text('[targets.json]\npath = "out/A.txt"\n\n[targets.litellm]\npath = "out/a.txt"\n')
    assert run_regc("build", "--check", cwd=project).code == 1  # a case-sensitive file system: two files

    monkeypatch.setattr(write, "_folds_case", lambda root: True)  # as on macOS or Windows
    result = run_regc("build", cwd=project)
    assert result.code == 2
    assert result.err.startswith("regc.toml:5:1: error: output path 'out/a.txt' is the same file as 'out/A.txt', which another "
                                 "target writes")
    (project / "regc.toml").write_text('[targets.json]\npath = "Registry.MD"\n')
    assert run_regc("build", cwd=project).err.startswith("regc.toml:2:1: error: output path 'Registry.MD' is the registry")
    assert not (project / "out").exists()


def test_the_file_system_probe_tells_case_folding_from_case_keeping(tmp_path: Path) -> None:
    (tmp_path / "Probe").write_text("x")
    folds = (tmp_path / "pROBE").exists()  # what this machine's file system does, asked directly
    assert write._folds_case(tmp_path) is folds


def test_an_output_is_never_written_executable(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    output = project / "targets/json/registry.json"
    output.parent.mkdir(parents=True)
    output.write_text('{"$comment": "Code generated by regc from registry.md. DO NOT EDIT.", "old": 1}\n')  # regc's own, stale
    output.chmod(0o755)

    assert run_regc("build", cwd=project).code == 0

    assert stat.S_IMODE(output.stat().st_mode) == 0o644
    assert all(not stat.S_IMODE(p.stat().st_mode) & 0o111 for p in project.rglob("*") if p.is_file())


@pytest.fixture
def reading_target() -> Iterator[None]:
    """A target that reads a project file it does not write (a template, say), as a plugin's may."""
    from regc.targets import Target, TargetOptions, all_targets

    class Reads(Target[TargetOptions]):
        name = "reads"
        description = "reads notes.txt"
        proven_by = "a test"

        def render(self, registry: Any, options: TargetOptions) -> dict[str, bytes]:
            return {options.path: b"from " + (self.read("notes.txt") or b"")}

    all_targets.cache_clear()
    yield
    del Target.registry["reads"]
    all_targets.cache_clear()


@pytest.mark.usefixtures("reading_target")
def test_a_file_another_target_reads_is_not_an_output(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "notes.txt").write_text("hand-written\n")
    (project / "regc.toml").write_text('[targets.reads]\npath = "out.txt"\n\n[targets.json]\npath = "notes.txt"\n')

    result = run_regc("build", cwd=project)

    assert result.code == 2
    assert result.err == ("regc.toml:5:1: error: output path 'notes.txt' is the hand-written file the reads target edits; "
                          "give the target another path\n")
    assert (project / "notes.txt").read_text() == "hand-written\n"


def test_hook_fix_keeps_the_write_policy(repo: Path) -> None:
    """`regc hook --fix` writes into the working tree too: through the same policy as `regc build`."""
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    assert run_regc("build", cwd=repo).code == 0
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "x", "--no-verify"], cwd=repo, check=True, env=env)
    shutil.copyfile(FIXTURES / "good/seed-000.md", repo / "registry.md")
    subprocess.run(["git", "add", "registry.md"], cwd=repo, check=True, env=env)
    (repo / "targets/json/registry.json").unlink()
    (repo / "targets/json/registry.json").symlink_to("../../.git/hooks/pre-commit")

    result = run_regc("hook", "--fix", cwd=repo)

    assert result.code == 2, result.out + result.err
    assert "output path 'targets/json/registry.json' is a symbolic link" in result.err
    assert (repo / ".git/hooks/pre-commit").read_text() == HOOK


# --- a file regc did not write is never overwritten -----------------------------------------------


HAND_WRITTEN = b'{"the user": "wrote this by hand"}\n'


def test_a_configured_path_that_names_a_hand_written_file_is_refused_and_nothing_is_written(project: Path) -> None:
    """A new target's default path (or a typo in one) that lands on someone's file: exit 2, the file and the rest kept."""
    copy_fixture("good/features.md", project, "registry.md")
    (project / "targets/json").mkdir(parents=True)
    (project / "targets/json/registry.json").write_bytes(HAND_WRITTEN)
    before = _files(project)

    result = run_regc("--no-cache", "build", cwd=project)

    assert result.code == 2, result.err
    assert result.err == (
        "regc.toml:4:1: error: output path 'targets/json/registry.json' is an existing file that regc did not generate "
        "(regc.outputs does not list it and it has no \"Code generated by regc\" notice); regc never overwrites a hand-written "
        "file: give the target another path, move the file away, or let regc own it with "
        "`regc build --adopt targets/json/registry.json`\n")
    assert _files(project) == before  # not even the schema files or the manifest


def test_adopt_lets_regc_own_the_file_and_the_manifest_remembers_it(project: Path) -> None:
    copy_fixture("good/features.md", project, "registry.md")
    (project / "schema").mkdir()
    (project / "schema/registry.schema.json").write_bytes(HAND_WRITTEN)  # the schema files carry no notice

    adopted = run_regc("--no-cache", "build", "--adopt", "./schema//registry.schema.json", cwd=project)
    assert adopted.code == 0, adopted.err
    assert (project / "schema/registry.schema.json").read_bytes() != HAND_WRITTEN
    assert "schema/registry.schema.json" in (project / "regc.outputs").read_text()
    # From now on it is regc's (the manifest lists it): an edit is simply overwritten, as for any output.
    (project / "schema/registry.schema.json").write_bytes(HAND_WRITTEN)
    assert run_regc("--no-cache", "build", cwd=project).code == 0

    unknown = run_regc("--no-cache", "build", "--adopt", "schema/nothing.json", cwd=project)
    assert unknown.code == 2
    assert unknown.err.startswith("error: --adopt schema/nothing.json: no configured target writes that path; the outputs are: ")


def test_an_unlisted_file_with_the_generated_notice_is_regcs(project: Path) -> None:
    """Outputs of a regc older than regc.outputs (or a manifest deleted by hand) carry the notice: rebuilt, not refused."""
    copy_fixture("good/features.md", project, "registry.md")
    assert run_regc("--no-cache", "build", cwd=project).code == 0
    (project / "regc.outputs").unlink()
    stale = (project / "targets/json/registry.json").read_bytes().replace(b'"aliases"', b'"aliases"', 1) + b" "
    (project / "targets/json/registry.json").write_bytes(stale)

    assert run_regc("--no-cache", "build", cwd=project).code == 0
    assert (project / "targets/json/registry.json").read_bytes() != stale


def test_check_reports_a_hand_written_file_as_drift_without_refusing(project: Path) -> None:
    """`check` and `build --check` write nothing, so they compare (exit 1 with the diff) instead of refusing."""
    copy_fixture("good/features.md", project, "registry.md")
    (project / "targets/json").mkdir(parents=True)
    (project / "targets/json/registry.json").write_bytes(HAND_WRITTEN)

    result = run_regc("--no-cache", "build", "--check", cwd=project)

    assert result.code == 1, result.err
    assert "-" + HAND_WRITTEN.decode() in result.out
    advice = ("targets/json/registry.json: differs from the registry, and is a file regc did not generate, which `regc build` "
              "never overwrites: give the target another path, or hand the file over with "
              "`regc build --adopt targets/json/registry.json`\n")
    assert advice in result.err  # not only "run `regc build`", which would refuse it
    checked = run_regc("--no-cache", "check", cwd=project)
    assert checked.code == 1 and advice in checked.err


def test_the_generated_notice_and_the_policy_agree() -> None:
    """`regc.io.write.GENERATED` is how the policy recognises regc's files: the start of every header regc writes."""
    from regc import load
    from regc.targets import header

    assert header(load(FIXTURES / "good/features.md")).encode().startswith(write.GENERATED)


def test_hook_fix_does_not_overwrite_a_hand_written_file(repo: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(repo),
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    assert run_regc("build", cwd=repo).code == 0
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True, env=env)
    subprocess.run(["git", "commit", "-qm", "x", "--no-verify"], cwd=repo, check=True, env=env)
    # The configuration moves the json output onto a file of the user's, and the commit is attempted.
    (repo / "notes.json").write_bytes(HAND_WRITTEN)
    config = (repo / "regc.toml").read_text().replace("targets/json/registry.json", "notes.json")
    (repo / "regc.toml").write_text(config)
    subprocess.run(["git", "add", "regc.toml"], cwd=repo, check=True, env=env)

    advised = run_regc("hook", cwd=repo)
    assert advised.code == 1
    assert ("note: notes.json is a file regc did not generate, which `regc build` never overwrites: give the target another "
            "path, or hand the file over with `regc build --adopt notes.json`") in advised.err

    result = run_regc("hook", "--fix", cwd=repo)

    assert result.code == 2, result.out + result.err
    assert "output path 'notes.json' is an existing file that regc did not generate" in result.err
    assert (repo / "notes.json").read_bytes() == HAND_WRITTEN
