"""Properties of the repository itself that no other test would notice."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT, run_regc


def test_no_tracked_file_holds_merge_conflict_markers() -> None:
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    marked = []
    for name in filter(None, files):
        path = ROOT / name
        if not path.is_file():
            continue
        for number, line in enumerate(path.read_bytes().splitlines(), 1):
            if line.startswith((b"<<<<<<< ", b">>>>>>> ")):
                marked.append(f"{name}:{number}")
    assert marked == []


def test_this_repositorys_outputs_agree_with_its_registry() -> None:
    """The committed targets/ and schema/ are what registry.md builds, and it lints clean: `regc check`, in full."""
    result = run_regc("--no-cache", "check", cwd=ROOT)
    assert (result.code, result.out) == (0, ""), result.err
    assert result.err == "regc: registry.md: 0 errors, 0 warnings, 0 info (16 waived)\nregc: registry.md and 13 outputs agree\n"


def test_the_code_is_ruff_and_mypy_clean() -> None:
    """The style bars (pyproject.toml's [tool.ruff] and strict [tool.mypy]), kept by the test command CI runs."""
    for command in (["ruff", "check", "--no-cache", "compiler", "tests", "bench", "action", "mkdocs_hooks.py"], ["mypy"],
                    ["mypy", "action/plan_comment.py"]):
        done = subprocess.run([sys.executable, "-m", *command], cwd=ROOT, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stdout + done.stderr
