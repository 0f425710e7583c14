"""The product names nothing of the repository it is developed in: no paths, providers, tickets or processes
of this repository under compiler/regc/ (issue 15). regc's own published home (about.HOMEPAGE) is the one
allowed mention of its owner's name, and the placeholder URLs of early drafts are gone too."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "compiler" / "regc"
#: regc's home, where it is installed from (README "Adopt it in your repository"); it may be named.
HOME = "github.com/koder-ai/regc"
LEFTOVERS = ["koder", "../shared", "shared/reference", "your-org", "example.com", "update protocol", "VOICE-52", "k-bench"]


def _files() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


@pytest.mark.parametrize("leftover", LEFTOVERS)
def test_no_leftover_of_this_repository_in_the_package(leftover: str) -> None:
    found = []
    for name in _files():
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace").replace(HOME, "")
        found += [f"{name}:{text.count(chr(10), 0, m.start()) + 1}" for m in re.finditer(re.escape(leftover), text, re.IGNORECASE)]
    assert not found, f"{leftover!r} in the package: {found}"


def test_the_search_sees_the_package() -> None:
    # The test above would pass on an empty list: the package is there, and the one allowed mention is found.
    files = _files()
    assert "compiler/regc/cli/init.py" in files and len(files) > 50
    assert HOME in (PACKAGE / "about.py").read_text(encoding="utf-8")
