"""`regc init` scaffolds a set-up that works as made: build, check, lint and a commit through the hook pass;
it never overwrites a file; without a configuration, `build` and `check` write nothing and point to it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, run_regc

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.invalid", "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, env={**os.environ, **GIT_ENV})


@pytest.fixture
def empty_repo(tmp_path: Path) -> Path:
    assert git(tmp_path, "init", "-q", "-b", "main").returncode == 0
    return tmp_path


def files_of(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and ".git" not in p.relative_to(directory).parts}


def test_init_then_build_check_lint_and_a_commit_through_the_git_hook(empty_repo: Path) -> None:
    made = run_regc("init", "--targets", "go,litellm", cwd=empty_repo)
    assert made.code == 0, made.err
    assert set(files_of(empty_repo)) == {"regc.toml", "registry.md", "policy.yaml", ".github/workflows/regc.yml"}
    assert (empty_repo / ".git/hooks/pre-commit").read_text().endswith(" -P -m regc hook\n")

    built = run_regc("build", cwd=empty_repo)
    assert built.code == 0, built.err
    assert {"targets/go/config.go", "targets/litellm/config.yaml", "regc.outputs"} <= set(files_of(empty_repo))
    assert '"reasoning"' in (empty_repo / "targets/go/config.go").read_text()
    checked = run_regc("check", cwd=empty_repo)
    assert (checked.code, checked.out) == (0, ""), checked.err
    linted = run_regc("lint", cwd=empty_repo)
    assert linted.code == 0 and "0 errors, 0 warnings, 0 info" in linted.err, linted.out
    formatted = run_regc("fmt", "--check", cwd=empty_repo)  # the starter is what `regc fmt` writes (the regc-fmt hook)
    assert formatted.code == 0, formatted.out + formatted.err

    assert git(empty_repo, "add", "-A").returncode == 0
    commit = git(empty_repo, "commit", "-q", "-m", "adopt regc")
    assert commit.returncode == 0, commit.stderr
    assert "agree" in commit.stderr  # the hook ran

    # The hook protects the registry: a stale output stops the next commit.
    registry = empty_repo / "registry.md"
    reasoning = "| **Alternatives** | `openai/gpt-5.4`"  # the first Alternatives row: reasoning's
    registry.write_text(registry.read_text().replace(reasoning, "| **Alternatives** | `openai/gpt-4o-mini`", 1))
    assert git(empty_repo, "add", "registry.md").returncode == 0
    refused = git(empty_repo, "commit", "-q", "-m", "registry without its outputs")
    assert refused.returncode == 1 and "targets/go/config.go was not regenerated" in refused.stderr, refused.stderr


def test_the_workflow_and_the_pre_commit_entry_are_what_their_readers_expect(empty_repo: Path) -> None:
    made = run_regc("init", "--targets", "json", "--hook", "pre-commit", "--ci", "github", cwd=empty_repo)
    assert made.code == 0, made.err
    # pre-commit's hook script is pre-commit's to install: a user who skims "next:" must not commit with no hook at all.
    assert made.err.startswith("regc: next: run `pre-commit install` (it installs the hooks .pre-commit-config.yaml lists), "
                               "edit registry.md"), made.err
    assert not (empty_repo / ".git/hooks/pre-commit").exists()
    # pre-commit itself accepts the file (the framework the test extra installs).
    valid = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", ".pre-commit-config.yaml"], cwd=empty_repo,
                           capture_output=True, text=True, check=False)
    assert valid.returncode == 0, valid.stdout + valid.stderr
    entry = yaml.safe_load((empty_repo / ".pre-commit-config.yaml").read_text())
    ours = {hook["id"] for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    (repo,) = entry["repos"]
    assert repo["repo"] == "https://github.com/koder-ai/regc" and repo["rev"].startswith("v")
    assert {hook["id"] for hook in repo["hooks"]} <= ours and "regc" in {hook["id"] for hook in repo["hooks"]}
    workflow = yaml.safe_load((empty_repo / ".github/workflows/regc.yml").read_text())
    steps = workflow["jobs"]["regc"]["steps"]
    assert any(step.get("run") == "regc check" for step in steps)
    assert any("git+https://github.com/koder-ai/regc@v" in step.get("run", "") for step in steps)


def test_pyproject_keeps_its_bytes_and_gains_tool_regc(empty_repo: Path) -> None:
    original = b'[project]\nname = "gateway"\r\n# a comment kept as it is\n[tool.other]\nx = 1'  # no final newline
    (empty_repo / "pyproject.toml").write_bytes(original)
    made = run_regc("init", "--targets", "go", "--hook", "none", "--ci", "none", cwd=empty_repo)  # pyproject by default
    assert made.code == 0, made.err
    text = (empty_repo / "pyproject.toml").read_bytes()
    assert text.startswith(original) and b"\n[tool.regc]\n" in text
    assert not (empty_repo / "regc.toml").exists() and not (empty_repo / ".github").exists()
    built = run_regc("build", cwd=empty_repo)
    assert built.code == 0 and (empty_repo / "targets/go/config.go").is_file(), built.err


@pytest.mark.parametrize("existing", ["registry.md", "policy.yaml", "regc.toml", ".github/workflows/regc.yml"])
def test_an_existing_file_is_named_and_nothing_is_written(empty_repo: Path, existing: str) -> None:
    (empty_repo / existing).parent.mkdir(parents=True, exist_ok=True)
    (empty_repo / existing).write_text("mine\n")
    before = files_of(empty_repo)
    refused = run_regc("init", "--targets", "go", cwd=empty_repo)
    assert refused.code == 2 and existing in refused.err and "wrote nothing" in refused.err
    assert files_of(empty_repo) == before
    assert not (empty_repo / ".git/hooks/pre-commit").exists()


def test_refusals_write_nothing(empty_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    unknown = run_regc("init", "--targets", "go,litelm", cwd=empty_repo)
    assert unknown.code == 2 and "unknown target 'litelm'; did you mean 'litellm'?" in unknown.err
    (empty_repo / "pyproject.toml").write_text("[tool.regc]\n")
    configured = run_regc("init", "--config", "pyproject", cwd=empty_repo)
    assert configured.code == 2 and "[tool.regc]" in configured.err
    (empty_repo / "pyproject.toml").write_text("[project\nname = 1\n")
    malformed = run_regc("init", "--config", "pyproject", cwd=empty_repo)
    assert malformed.code == 2 and "pyproject.toml:1:" in malformed.err and "malformed TOML" in malformed.err, malformed.err
    (empty_repo / "pyproject.toml").write_text("[tool.regc]\n")
    outside = tmp_path_factory.mktemp("not-a-repo")
    no_git = run_regc("init", "--hook", "git", cwd=outside)
    assert no_git.code == 2 and "not in a git repository" in no_git.err
    # What to do, not "this command reads git history", which `init` does not.
    assert "run `git init` first" in no_git.err and "--hook none" in no_git.err and "history" not in no_git.err, no_git.err
    assert files_of(empty_repo) == {"pyproject.toml": b"[tool.regc]\n"} and files_of(outside) == {}


@pytest.mark.parametrize("command", [["build"], ["build", "--check"], ["check"]])
def test_without_configuration_build_and_check_write_nothing_and_point_to_init(empty_repo: Path, command: list[str]) -> None:
    assert run_regc("init", "--hook", "none", "--ci", "none", cwd=empty_repo).code == 0
    (empty_repo / "regc.toml").unlink()
    before = files_of(empty_repo)
    refused = run_regc(*command, cwd=empty_repo)
    assert refused.code == 2 and "regc init" in refused.err and "Traceback" not in refused.err
    assert files_of(empty_repo) == before
    assert git(empty_repo, "add", "-A").returncode == 0
    fix = run_regc("hook", "--fix", cwd=empty_repo)
    assert fix.code == 2 and "regc init" in fix.err and files_of(empty_repo) == before
    # The read-only commands still read registry.md.
    assert run_regc("lint", cwd=empty_repo).code == 0
    assert run_regc("explain", "reasoning", cwd=empty_repo).code == 0


def test_on_a_terminal_it_asks_for_what_the_flags_leave_out(empty_repo: Path) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        # Answers to: Targets, Registry file (the default), Configuration (the default), Hook; --ci is given.
        os.write(leader, b"go,litellm\n\n\nnone\n")
        done = subprocess.run([sys.executable, "-m", "regc", "init", "--ci", "none"], cwd=empty_repo, stdin=follower,
                              capture_output=True, text=True, timeout=60, check=False)
    finally:
        os.close(follower)
        os.close(leader)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Targets (comma-separated: bifrost, envoy, go, json, litellm, " in done.stdout and "[json]" in done.stdout
    assert "Hook (git, pre-commit, none) [git]" in done.stdout and "CI" not in done.stdout
    assert set(files_of(empty_repo)) == {"regc.toml", "registry.md", "policy.yaml"}
    assert "[targets.go]" in (empty_repo / "regc.toml").read_text() and not (empty_repo / ".git/hooks/pre-commit").exists()


def test_without_a_terminal_the_documented_defaults_apply(empty_repo: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "regc", "init"], cwd=empty_repo, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert set(files_of(empty_repo)) == {"regc.toml", "registry.md", "policy.yaml", ".github/workflows/regc.yml"}
    assert "[targets.json]" in (empty_repo / "regc.toml").read_text() and (empty_repo / ".git/hooks/pre-commit").is_file()


def test_a_project_below_the_top_gets_a_hook_that_names_its_configuration(empty_repo: Path) -> None:
    project = empty_repo / "services" / "ai"
    project.mkdir(parents=True)
    assert run_regc("init", "--targets", "go", "--ci", "none", cwd=project).code == 0
    assert (empty_repo / ".git/hooks/pre-commit").read_text().endswith(" -P -m regc hook --config services/ai/regc.toml\n")
    assert run_regc("build", cwd=project).code == 0
    assert git(empty_repo, "add", "-A").returncode == 0
    commit = git(empty_repo, "commit", "-q", "-m", "adopt regc")
    assert commit.returncode == 0 and "the staged services/ai/registry.md and its 2 outputs agree" in commit.stderr, commit.stderr


def test_the_readme_shows_what_init_prints_and_installs_from_the_one_source(empty_repo: Path) -> None:
    import re

    from regc.cli.init import INSTALL_SOURCE

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Adopt it in your repository"):readme.index("## Commands")]
    shown = re.search(r"\$ regc init --targets go,litellm\n(.*?)\n\$ ", section, re.S)
    assert shown, "README's Adopt section lost its `regc init` example"
    made = run_regc("init", "--targets", "go,litellm", cwd=empty_repo)
    assert made.code == 0 and made.out == shown[1] + "\n", made.out
    assert f'$ pip install "regc @ {INSTALL_SOURCE}"' in section
    # The other install examples name the same source and tag.
    docs = readme + "".join(page.read_text(encoding="utf-8") for page in sorted((ROOT / "docs").rglob("*.md")))
    assert "your-org" not in docs and "example.com/" not in docs
    protocol = (ROOT / "docs/protocol.md").read_text(encoding="utf-8")  # README's same-commit protocol moved here
    assert "uses: koder-ai/regc@v" in protocol and "repo: https://github.com/koder-ai/regc" in protocol


def test_a_foreign_git_hook_is_refused_before_anything_is_written(empty_repo: Path) -> None:
    hook = empty_repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\nmake lint\n")
    refused = run_regc("init", "--targets", "go", cwd=empty_repo)
    assert refused.code == 2 and ".git/hooks/pre-commit already exists and was not written by regc" in refused.err
    assert files_of(empty_repo) == {} and hook.read_text() == "#!/bin/sh\nmake lint\n"
    assert run_regc("init", "--targets", "go", "--hook", "none", cwd=empty_repo).code == 0


def test_a_linked_git_hook_is_refused_as_foreign(empty_repo: Path) -> None:
    """A hook manager's link is not regc's hook, even when it leads to a file with regc's mark."""
    from regc.git import install

    managed = empty_repo / ".git/managed-hook"
    managed.write_text(install.script(sys.executable))
    (empty_repo / ".git/hooks/pre-commit").symlink_to(managed)
    refused = run_regc("init", "--targets", "go", cwd=empty_repo)
    assert refused.code == 2 and ".git/hooks/pre-commit already exists and was not written by regc" in refused.err
    assert files_of(empty_repo) == {}


def test_pre_commit_starts_the_hooks_for_this_projects_own_paths(empty_repo: Path) -> None:
    """The hooks' default `files` match only a registry.md at the top: a registry elsewhere must still start them.

    The `regc` hook has no `files` at all: it starts on every commit (`always_run`, its fast path exits at once when
    nothing it watches is staged), so an output moved by the configuration is never outside a stale pattern.
    """
    made = run_regc("init", "--targets", "go,schema", "--hook", "pre-commit", "--ci", "none", "--registry",
                    "models/registry.md", cwd=empty_repo)
    assert made.code == 0, made.err
    entries = {hook["id"]: hook for hook in yaml.safe_load((empty_repo / ".pre-commit-config.yaml").read_text())["repos"][0]["hooks"]}
    assert "files" not in entries["regc"]
    definitions = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert definitions["regc"]["always_run"] is True
    hooks = {name: re.compile(entries[name]["files"]) for name in ("regc-lint", "regc-fmt")}
    assert hooks["regc-lint"].fullmatch("models/registry.md") and not hooks["regc-lint"].fullmatch("targets/go/config.go")
    assert hooks["regc-lint"].fullmatch("policy.yaml") and hooks["regc-lint"].fullmatch("regc.toml")
    assert hooks["regc-fmt"].fullmatch("models/registry.md") and not hooks["regc-fmt"].fullmatch("policy.yaml")
    assert not hooks["regc-lint"].fullmatch("registry.md") and not hooks["regc-lint"].fullmatch("models/registryXmd")
    below = empty_repo / "sub"
    below.mkdir()
    refused = run_regc("init", "--hook", "pre-commit", "--ci", "none", cwd=below)
    assert refused.code == 2 and "at the repository's top" in refused.err and not any(below.iterdir())



def _verify_step(repo: Path) -> str:
    workflow = yaml.safe_load((repo / ".github/workflows/regc.yml").read_text())
    (step,) = [step for step in workflow["jobs"]["regc"]["steps"] if "regc verify-commits" in step.get("run", "")]
    assert step["env"] == {"BEFORE": "${{ github.event.before }}", "BASE": "${{ github.base_ref }}"}
    checkout = workflow["jobs"]["regc"]["steps"][0]
    assert checkout["uses"].startswith("actions/checkout@") and checkout["with"]["fetch-depth"] == 0  # the whole range is there
    return str(step["run"])


def test_the_workflow_runs_verify_commits_over_the_pushed_range(empty_repo: Path) -> None:
    """The workflow's verify-commits step, run by bash as the runner runs it, on a real history: a push of good commits
    passes, a pushed commit made with --no-verify fails the step, and a pull request is judged from its base."""
    assert run_regc("init", "--targets", "json", "--hook", "git", cwd=empty_repo).code == 0
    script = _verify_step(empty_repo)
    assert run_regc("build", cwd=empty_repo).code == 0
    assert git(empty_repo, "add", "-A").returncode == 0
    assert git(empty_repo, "commit", "-q", "-m", "adopt regc").returncode == 0
    pushed_before = git(empty_repo, "rev-parse", "HEAD").stdout.strip()
    env = {**os.environ, **GIT_ENV, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def step(before: str, base: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-e", "-c", script], cwd=empty_repo, env={**env, "BEFORE": before, "BASE": base},
                              capture_output=True, text=True, check=False)

    first_push = step("0" * 40)  # a new branch: every commit
    assert first_push.returncode == 0, first_push.stdout + first_push.stderr
    registry = empty_repo / "registry.md"
    reasoning = "| **Alternatives** | `openai/gpt-5.4`"
    registry.write_text(registry.read_text().replace(reasoning, "| **Alternatives** | `openai/gpt-4o-mini`", 1))
    assert git(empty_repo, "commit", "-q", "--no-verify", "-am", "skip the hook").returncode == 0
    bad = step(pushed_before)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "skip the hook" in bad.stdout and "targets/json/registry.json" in bad.stdout
    assert git(empty_repo, "update-ref", "refs/remotes/origin/main", pushed_before).returncode == 0  # what checkout fetches for a PR
    pull_request = step("", base="main")
    assert pull_request.returncode == 1 and "skip the hook" in pull_request.stdout
    assert run_regc("build", cwd=empty_repo).code == 0
    assert git(empty_repo, "commit", "-q", "-am", "the outputs").returncode == 0
    assert step(git(empty_repo, "rev-parse", "HEAD~1").stdout.strip()).returncode == 0  # the push of the fix alone is fine


def test_a_project_below_the_top_gets_its_workflow_at_the_top_naming_its_configuration(empty_repo: Path) -> None:
    """GitHub reads workflows at the repository's top and runs them there: the workflow goes there, and each regc step
    names the project's configuration; run by bash from the top as the runner runs it, both steps pass."""
    project = empty_repo / "services/ai"
    project.mkdir(parents=True)
    made = run_regc("init", "--targets", "go", cwd=project)
    assert made.code == 0, made.err
    assert "created ../../.github/workflows/regc.yml" in made.out and not (project / ".github").exists()
    assert run_regc("build", cwd=project).code == 0
    assert git(empty_repo, "add", "-A").returncode == 0
    assert git(empty_repo, "commit", "-q", "-m", "adopt regc").returncode == 0
    workflow = yaml.safe_load((empty_repo / ".github/workflows/regc.yml").read_text())
    steps = [step["run"] for step in workflow["jobs"]["regc"]["steps"] if "regc" in step.get("run", "") and "pip" not in step["run"]]
    assert all("--config services/ai/regc.toml" in step for step in steps) and len(steps) == 2
    env = {**os.environ, **GIT_ENV, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}", "BEFORE": "", "BASE": ""}
    for step in steps:
        ran = subprocess.run(["bash", "-e", "-c", step], cwd=empty_repo, env=env, capture_output=True, text=True, check=False)
        assert ran.returncode == 0, step + ran.stdout + ran.stderr
