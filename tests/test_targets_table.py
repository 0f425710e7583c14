"""The targets table of README.md (its Outputs) and of docs/targets/index.md is generated from the targets'
metadata (regc.targets._table), and is current in both.

After a target's ``description``, ``proven_by`` or default path changes (or a
target is added), ``pytest --snapshot-update`` rewrites the table in both files,
as it rewrites the snapshots; review the diff like any other.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from regc.targets import all_targets, builtin_names
from regc.targets._table import HEAD, default_path, table
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", ROOT / "docs/targets/index.md"]


def _current(text: str) -> tuple[int, int]:
    start = text.index(HEAD)
    end = text.find("\n\n", start)
    return start, (len(text) if end < 0 else end + 1)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: str(page.relative_to(ROOT)))
def test_the_targets_table_is_the_generated_one(page: Path, request: pytest.FixtureRequest) -> None:
    text = page.read_text(encoding="utf-8")
    start, end = _current(text)
    if text[start:end] != table() and request.config.getoption("update_snapshots"):
        page.write_text(text[:start] + table() + text[end:], encoding="utf-8")
        text = page.read_text(encoding="utf-8")
        start, end = _current(text)
    assert text[start:end] == table(), f"{page.name}'s targets table is stale: run `pytest --snapshot-update` and review the diff"


def test_every_built_in_target_has_a_row_with_what_and_how_proven() -> None:
    rows = table().splitlines()[2:]
    assert [row.split(" | ")[0] for row in rows] == [f"| `{name}`" for name in builtin_names()]
    for name in builtin_names():
        cls = all_targets()[name]
        assert cls.description.strip() and cls.proven_by.strip()
        assert default_path(name) in table()


def test_a_directory_default_path_ends_in_a_slash() -> None:
    assert default_path("schema") == "schema/"
    assert default_path("go") == "targets/go/config.go"
