"""The pre-commit framework itself runs regc's `.pre-commit-hooks.yaml` on real commits.

pre-commit clones the hook repository, installs it into its own virtualenv
(`language: python`: pip installs regc and its dependencies from the package
index this machine is configured with) and runs `entry` as the manifest says.
The hook repository is a snapshot of this working tree (committed in a
temporary repository), so the manifest and code under test are the ones here,
uncommitted changes included. The environment is installed once per session.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, missing_tool
from tests.protocol.conftest import DROP_O3, FAST_NOTE, FEATURES, Repo, edit

JSON = "targets/json/registry.json"


def _clean_env(home: Path, pre_commit_home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", PRE_COMMIT_HOME=str(pre_commit_home),
               GIT_AUTHOR_NAME="Reg Tester", GIT_AUTHOR_EMAIL="reg@example.com",
               GIT_COMMITTER_NAME="Reg Tester", GIT_COMMITTER_EMAIL="reg@example.com")
    return env


@dataclasses.dataclass(frozen=True)
class HookSource:
    path: Path
    rev: str
    pre_commit_home: Path
    problem: str | None = None

    def config(self, *, args: tuple[str, ...] = (), hooks: tuple[str, ...] = ("regc",)) -> str:
        lines = ["repos:", f"  - repo: {self.path}", f"    rev: {self.rev}", "    hooks:"]
        for hook in hooks:
            lines.append(f"      - id: {hook}")
            if args and hook == "regc":
                lines.append(f"        args: [{', '.join(args)}]")
        return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HookSource]:
    """This working tree committed into a temporary repository, and pre-commit's environment for it."""
    if importlib.util.find_spec("pre_commit") is None:
        yield HookSource(Path(), "", Path(), "pre-commit is not installed (`pip install pre-commit`; it is in regc's [test] extra)")
        return
    base = tmp_path_factory.mktemp("pre-commit")
    home, pre_commit_home, source = base / "home", base / "store", base / "regc-source"
    home.mkdir()
    env = _clean_env(home, pre_commit_home)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, capture_output=True,
                           check=True).stdout.decode().split("\0")
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "regc under test"]):
        subprocess.run(["git", *command], cwd=source, env=env, check=True, capture_output=True)
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=source, env=env, check=True, capture_output=True, text=True).stdout.strip()
    found = HookSource(source, rev, pre_commit_home)
    # Install the hook's environment once (pip, from the configured package index).
    probe = base / "probe"
    probe.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=probe, env=env, check=True)
    (probe / ".pre-commit-config.yaml").write_text(found.config())
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install-hooks"], cwd=probe, env=env, capture_output=True, text=True,
                               check=False)
    if installed.returncode != 0:
        found = dataclasses.replace(found, problem="pre-commit could not install regc's hook environment (is the package index "
                                    f"reachable?):\n{installed.stdout[-2000:]}{installed.stderr[-2000:]}")
    yield found


@pytest.fixture
def framework_repo(repo: Repo, hook_source: HookSource, monkeypatch: pytest.MonkeyPatch) -> Repo:
    if hook_source.problem:
        missing_tool(hook_source.problem)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(hook_source.pre_commit_home))
    repo.write(".pre-commit-config.yaml", hook_source.config())
    repo.git("add", ".pre-commit-config.yaml")
    repo.git("commit", "-q", "-m", "Use pre-commit")
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.path, capture_output=True, text=True, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return repo


def test_pre_commit_runs_the_manifest_and_stops_a_stale_commit(framework_repo: Repo) -> None:
    before = framework_repo.head()
    framework_repo.write("registry.md", edit(FEATURES, DROP_O3))
    framework_repo.git("add", "registry.md")

    result = framework_repo.commit("Drop o3")

    assert result.returncode == 1
    assert framework_repo.head() == before
    output = result.stdout + result.stderr
    assert "regc (registry and generated outputs agree)" in output
    assert "Failed" in output
    assert f"regc hook: registry.md is staged but {JSON} was not regenerated" in output

    framework_repo.regc("build")
    framework_repo.git("add", "-A")
    passed = framework_repo.commit("Drop o3")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "Passed" in passed.stdout + passed.stderr


def test_an_unrelated_commit_starts_the_hook_which_passes_at_once(framework_repo: Repo) -> None:
    """`always_run`: the regc hook starts on every commit (no `files:` pattern to go stale when an output moves), and
    with nothing it watches staged its fast path passes without reading the project."""
    framework_repo.write("README.md", "# docs\n")
    framework_repo.git("add", "README.md")

    result = framework_repo.commit("Docs")

    assert result.returncode == 0
    assert re.search(r"^regc \(registry and generated outputs agree\)\.+Passed$", result.stdout + result.stderr, re.MULTILINE)


def test_an_output_moved_by_the_configuration_is_still_protected(framework_repo: Repo) -> None:
    """A target's path moved to where no default `files:` pattern looks: a hand edit of the moved output is still stopped."""
    config = framework_repo.read("regc.toml")
    assert "targets/json/registry.json" in config
    framework_repo.write("regc.toml", config.replace("targets/json/registry.json", "gateway/aliases.json"))
    framework_repo.regc("build")
    framework_repo.git("add", "-A")
    assert framework_repo.commit("Move the json output").returncode == 0
    framework_repo.write("gateway/aliases.json", framework_repo.read("gateway/aliases.json").replace('"aliases"', '"aliases" ', 1))
    framework_repo.git("add", "gateway/aliases.json")

    result = framework_repo.commit("Hand edit")

    assert result.returncode == 1, result.stdout + result.stderr
    assert "gateway/aliases.json" in result.stdout + result.stderr


def test_unstaged_changes_are_stashed_and_the_index_is_judged(framework_repo: Repo) -> None:
    staged = edit(FEATURES, DROP_O3)
    framework_repo.write("registry.md", staged)
    framework_repo.regc("build")
    framework_repo.git("add", "-A")
    framework_repo.write("registry.md", edit(staged, FAST_NOTE))  # not staged

    result = framework_repo.commit("Drop o3")

    assert result.returncode == 0, result.stdout + result.stderr
    assert framework_repo.read("registry.md") == edit(staged, FAST_NOTE)  # pre-commit put the unstaged edit back
    assert framework_repo.show("HEAD:registry.md") == staged


def test_fix_under_pre_commit_modifies_files_and_fails(framework_repo: Repo, hook_source: HookSource) -> None:
    framework_repo.write(".pre-commit-config.yaml", hook_source.config(args=("--fix",)))
    framework_repo.git("add", ".pre-commit-config.yaml")
    framework_repo.git("commit", "-q", "--no-verify", "-m", "regc --fix")
    framework_repo.write("registry.md", edit(FEATURES, DROP_O3))
    framework_repo.git("add", "registry.md")

    result = framework_repo.commit("Drop o3")

    assert result.returncode == 1
    assert f"wrote {JSON}" in result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout + result.stderr
    assert framework_repo.regc("check").code == 0  # the working tree now agrees
    framework_repo.git("add", JSON)
    assert framework_repo.commit("Drop o3").returncode == 0


def test_the_manifest_declares_what_the_hook_needs() -> None:
    """pre-commit's own schema accepts the manifest, and the hooks are set up as regc needs them."""
    if importlib.util.find_spec("pre_commit") is None:
        missing_tool("pre-commit is not installed (`pip install pre-commit`; it is in regc's [test] extra)")
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))}
    assert set(hooks) == {"regc", "regc-lint", "regc-fmt"}
    assert hooks["regc"]["entry"] == "regc hook --no-lint"  # the policy is regc-lint's: no finding printed twice
    assert hooks["regc-lint"]["entry"] == "regc lint"
    assert hooks["regc-fmt"]["entry"] == "regc fmt"  # rewrites, as ruff-format does; `args: [--check]` only reports
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False
        assert hook["require_serial"] is True
    import re

    files = re.compile(hooks["regc"]["files"])
    assert all(files.search(p) for p in ("registry.md", "policy.yaml", "pyproject.toml", "regc.toml", JSON, "schema/config.schema.json"))
    assert not any(files.search(p) for p in ("README.md", "src/registry.md.bak", "docs/targets/x"))



IMPLAUSIBLE = ("| `anthropic/claude-opus-4-7` | chat | $5.00 |", "| `anthropic/claude-opus-4-7` | chat | $9999 |")


def test_the_recommended_hooks_print_each_finding_once(framework_repo: Repo, hook_source: HookSource) -> None:
    """regc, regc-lint and regc-fmt together, as `regc init --hook pre-commit` recommends them: a policy error is
    printed by regc-lint alone, the staleness by regc alone, and both stop the commit."""
    framework_repo.write(".pre-commit-config.yaml", hook_source.config(hooks=("regc", "regc-lint", "regc-fmt")))
    framework_repo.git("add", ".pre-commit-config.yaml")
    framework_repo.git("commit", "-q", "--no-verify", "-m", "the three hooks")
    framework_repo.write("registry.md", edit(FEATURES, IMPLAUSIBLE))
    framework_repo.git("add", "registry.md")

    result = framework_repo.commit("A slipped price")

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    findings = [line for line in output.splitlines() if " price-plausible " in line]
    assert len(findings) == 1, output  # once, from regc-lint
    assert findings[0].startswith("registry.md:50:")
    assert output.count(f"regc hook: registry.md is staged but {JSON} was not regenerated") == 1
    import re

    assert re.search(r"^regc \(registry and generated outputs agree\)\.+Failed$", output, re.M), output
    assert re.search(r"^regc lint \(registry policies\)\.+Failed$", output, re.M), output
    # fmt ran too (this fixture's tables are not in fmt's form: it rewrites them, and says only that)
    assert re.search(r"^regc fmt \(registry tables formatted\)\.+Failed\n- hook id: regc-fmt\n- files were modified by this hook\n\n"
                     r"formatted registry.md\n", output, re.M), output
