"""Properties of the repository itself that no other test would notice."""

from __future__ import annotations

import subprocess

from tests.conftest import ROOT


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
