"""Real temporary git repositories for the same-commit protocol's tests.

Every test gets a clean git environment: no GIT_* variable of the calling
process (tests may run inside a git hook), HOME in the test's directory (no
~/.gitconfig), GIT_CONFIG_NOSYSTEM, fixed author and committer. Nothing here
touches regc's own repository.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import Run, run_regc

CONFIG = 'registry = "registry.md"\n\n[targets.json]\npath = "targets/json/registry.json"\n\n[targets.schema]\npath = "schema"\n'
#: features.md without its deliberate policy errors: the hook lints what it is given, with today's date.
FEATURES = (Path(__file__).parent / "registry.md").read_text(encoding="utf-8")

#: Two independent edits of features.md; each changes targets/json/registry.json.
DROP_O3 = ("`openai/o3`, `xai/grok-4.20-0309-reasoning` (~2M ctx)", "`xai/grok-4.20-0309-reasoning` (~2M ctx)")
FAST_NOTE = ("| cheap fast Anthropic |", "| cheap and fast |")


def edit(text: str, change: tuple[str, str]) -> str:
    old, new = change
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.fixture(autouse=True)
def git_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.startswith(("GIT_", "PRE_COMMIT")) or key in {"GITHUB_ACTIONS", "REGC_CONFIG"}:
            monkeypatch.delenv(key)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Reg Tester")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "reg@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-11-01T12:00:00Z")
    monkeypatch.setenv("NO_COLOR", "1")


@dataclasses.dataclass
class Repo:
    """A temporary git repository and the commands a user types in it."""

    path: Path

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["git", *args], cwd=self.path, capture_output=True, text=True, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"git {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
        return result

    def commit(self, message: str, *args: str) -> subprocess.CompletedProcess[str]:
        """``git commit`` as a user runs it: through the installed hook (check the return code)."""
        return self.git("commit", "-m", message, *args, check=False)

    def write(self, relative: str, text: str) -> Path:
        path = self.path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    def read(self, relative: str) -> str:
        return (self.path / relative).read_text(encoding="utf-8")

    def stage_text(self, relative: str, text: str) -> None:
        """Put ``text`` in the index at ``relative`` without touching the working tree (what `git add -p` leaves)."""
        blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=self.path, input=text, capture_output=True, text=True,
                              check=True).stdout.strip()
        self.git("update-index", "--add", "--cacheinfo", f"100644,{blob},{relative}")

    def show(self, rev_path: str) -> str:
        return self.git("show", rev_path).stdout

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").stdout.strip()

    def short(self, rev: str = "HEAD") -> str:
        return self.git("rev-parse", "--short", rev).stdout.strip()

    def regc(self, *args: str) -> Run:
        """regc in this process, in the repository (as the console script runs)."""
        return run_regc(*args, cwd=self.path)

    def regc_process(self, *args: str, python_flags: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        """regc as its own process (``python -m regc``), as the git hook runs it."""
        return subprocess.run([sys.executable, *python_flags, "-m", "regc", *args], cwd=self.path, capture_output=True, text=True,
                              check=False)

    def build(self) -> None:
        result = self.regc("build")
        assert result.code == 0, result.err

    def install_hook(self) -> None:
        result = self.regc("install-hook")
        assert result.code == 0, result.err


def init_repo(path: Path, *, registry: str = FEATURES, config: str = CONFIG, commit: bool = True) -> Repo:
    path.mkdir(parents=True, exist_ok=True)
    repo = Repo(path)
    repo.git("init", "-q", "-b", "main")
    repo.write("README.md", "# a project that keeps a registry\n")
    repo.write("regc.toml", config)
    repo.write("registry.md", registry)
    if commit:
        repo.build()
        repo.git("add", "-A")
        repo.git("commit", "-q", "-m", "Add the registry and its outputs")
    return repo


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    """A repository with one commit in agreement (features.md, json and schema targets), no hook."""
    return init_repo(tmp_path / "project")


@pytest.fixture
def hooked(repo: Repo) -> Repo:
    """``repo`` with regc's plain pre-commit hook installed (``regc install-hook``)."""
    repo.install_hook()
    return repo
