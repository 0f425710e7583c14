"""The blocks regc reads from markdown-it-py: cells with their lines and columns, top-level blocks only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regc.parse.blocks import Cell, Heading, Html, Other, Row, Table, blocks, cell_columns, count_cells


def test_a_table_gives_cells_with_lines_and_columns() -> None:
    text = "# T\n\n| a | b |\n|---|---|\n| `x` | y \\| z | extra |\n| only |\n"
    heading, table = blocks(text)
    assert heading == Heading(1, "T", 1)
    assert isinstance(table, Table)
    assert table.header == Row(3, (Cell("a", 3, 3), Cell("b", 3, 7)), 2)
    assert table.rows == (
        Row(5, (Cell("`x`", 5, 3), Cell("y | z", 5, 9)), 3),  # three written, two kept: the header decides
        Row(6, (Cell("only", 6, 3), Cell("", 6, 9)), 1),
    )


def test_only_top_level_blocks_count() -> None:
    text = "> | quoted | table |\n> |---|---|\n> | a | b |\n\n- | listed |\n\n<!-- c -->\n\n## H\n"
    assert blocks(text) == [Other(1), Other(5), Html("<!-- c -->", 7), Heading(2, "H", 9)]


def test_cell_columns_point_at_each_cells_content() -> None:
    assert cell_columns("| a |  bb | `c\\|d` |") == [3, 8, 13]
    assert cell_columns("a | b") == [1, 5]
    assert cell_columns("| | x |") == [3, 5]


@settings(max_examples=2000)
@given(st.text(alphabet="|\\ a`b\t", max_size=16))
def test_counting_cells_agrees_with_markdown_its_own_split(line: str) -> None:
    """regc counts a row's cells without splitting it; markdown-it's escapedSplit is the reference."""
    from markdown_it.rules_block.table import escapedSplit

    split = escapedSplit(line.strip())
    if split and split[0].strip() == "":
        split = split[1:]
    if split and split[-1].strip() == "":
        split = split[:-1]
    assert count_cells(line) == len(split)
    assert len(cell_columns(line)) == len(split)


def test_lines_break_where_markdown_breaks_them_not_at_every_unicode_separator() -> None:
    text = "# T \u2028 x\x0c\n\n| a | b\x85 |\n|---|---|\n| c | d |\n"
    _, table = blocks(text)
    assert isinstance(table, Table)
    assert table.rows[0] == Row(5, (Cell("c", 5, 3), Cell("d", 5, 7)), 2)
