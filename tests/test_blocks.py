"""The blocks regc reads from markdown-it-py: cells with their lines and columns, top-level blocks only."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from regc.parse.blocks import Cell, Heading, Html, Other, Row, Table, blocks, cell_columns


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
    assert blocks(text) == [Other(1), Other(5, ("- | listed |", "")), Html("<!-- c -->", 7), Heading(2, "H", 9)]


def test_cell_columns_point_at_each_cells_content() -> None:
    assert cell_columns("| a |  bb | `c\\|d` |") == [3, 8, 13]
    assert cell_columns("a | b") == [1, 5]
    assert cell_columns("| | x |") == [3, 5]


@settings(max_examples=2000)
@given(st.text(alphabet="|\\ a`b\t", max_size=16))
def test_counting_cells_agrees_with_markdown_its_own_split(line: str) -> None:
    """regc counts a row's written cells by their columns (``Row.written``); markdown-it's escapedSplit is the reference."""
    from markdown_it.rules_block.table import escapedSplit

    split = escapedSplit(line.strip())
    if split and split[0].strip() == "":
        split = split[1:]
    if split and split[-1].strip() == "":
        split = split[:-1]
    assert len(cell_columns(line)) == len(split)


def test_lines_break_where_markdown_breaks_them_not_at_every_unicode_separator() -> None:
    text = "# T \u2028 x\x0c\n\n| a | b\x85 |\n|---|---|\n| c | d |\n"
    _, table = blocks(text)
    assert isinstance(table, Table)
    assert table.rows[0] == Row(5, (Cell("c", 5, 3), Cell("d", 5, 7)), 2)


# Lines a registry's tables and their neighbours are made of, edge cases included: escaped
# pipes, alignment rows, rows wider or narrower than the header, indented and quoted rows,
# and every block that can end a table (heading, quote, list, fence, HTML, rule, blank line).
TABLE_LINES = (
    "| a | b |", "|---|---|", "| x \\| y | z |", "a | b", "--- | ---", "|:-:|--:|", "| only |", "| a | b | c | d |",
    "", "  | indented |", "    | code |", "\t| tab | x |", "> | quoted | x |", "- | item |", "1. x | y", "# heading",
    "## H | x", "```", "<!-- c -->", "<div>", "para text", "***", "|", "||", "| \\\\| |", "| `a|b` |", "|-|", "| - | - |",
    "|\u00a0x\u00a0|\u3000y |", "| x |\r", ":--|",
)


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(TABLE_LINES), max_size=24))
def test_regc_table_rule_reads_what_markdown_its_own_rule_reads(lines: list[str]) -> None:
    """regc's one-token-per-table rule (``_table_rows``) against markdown-it's stock table rule, as the oracle."""
    text = "\n".join(lines)
    assert blocks(text) == blocks(text, stock_tables=True)


def test_a_table_stops_where_markdown_it_stops_autocompleting_cells() -> None:
    """markdown-it ends a table after 65,536 cells it had to add to short rows; regc ends it there too."""
    text = "|" + " c |" * 300 + "\n" + "|" + "---|" * 300 + "\n" + "| x |\n" * 300 + "\n## After\n"
    lean, stock = blocks(text), blocks(text, stock_tables=True)
    assert lean == stock
    table = lean[0]
    assert isinstance(table, Table)
    assert len(table.rows) == 65_536 // 299  # the row that crosses the cap is the first one left out


TERMINATORS = ["_front_matter_rule", "_fence_rule", "blockquote", "hr", "list_block", "html_block", "heading"]


def test_the_blocks_that_end_a_table_are_the_ones_regcs_rule_expects() -> None:
    """``_table_rows`` skips these rules for a line that starts with ``|`` (none of them can start one there);
    a plugin or markdown-it release that adds a terminator fails here first."""
    from regc.parse.blocks import _markdown_it

    assert [rule.__name__ for rule in _markdown_it().block.ruler.getRules("blockquote")] == TERMINATORS
