"""README's Guarantees section: every guarantee names a test, and every test it names exists."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

REFERENCE = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")


def _section() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("\n## Guarantees\n")
    end = text.index("\n## ", start + 1)
    return text[start:end].splitlines()


def test_every_guarantee_names_a_test() -> None:
    guarantees = [line for line in _section() if line.startswith("- ")]
    assert len(guarantees) >= 20
    for line in guarantees:
        assert REFERENCE.search(line), f"a guarantee without its test: {line[:80]}"


def test_every_test_named_in_the_guarantees_exists() -> None:
    named = {(path, name) for line in _section() for path, name in REFERENCE.findall(line)}
    assert named
    defined: dict[str, set[str]] = {}
    for path, name in sorted(named):
        if path not in defined:
            source = ROOT / path
            assert source.is_file(), f"{path} does not exist"
            tree = ast.parse(source.read_text(encoding="utf-8"))
            defined[path] = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
        assert name in defined[path], f"{path}::{name} is named in README's Guarantees but is not a test there"
        assert name.startswith("test_"), name
