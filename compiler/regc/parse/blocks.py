"""The markdown blocks regc reads, from markdown-it-py.

regc needs little of a markdown document: its front matter, its top-level
headings, HTML comments, tables (with each cell's source text, line and
column), and where other blocks stand between them. ``blocks(text)`` gives
exactly that as a list of small values, so that ``regc.parse.markdown`` deals
with the registry's meaning and never with the parser's token stream.

Only top-level blocks count: a table inside a list or a quote is prose.
Positions are 1-based lines and columns in characters; a cell's text is its
source with the surrounding spaces trimmed and ``\\|`` unescaped, which is
what GFM makes of it before inline parsing (which regc does not run: it
reads cells and headings from their source text). Where a table starts is markdown-it's own
table rule's decision; the rows are collected by ``_table_rows``, which follows that rule's loop
but keeps one token per table (why, and how it is checked: its docstring).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.token import Token

@dataclasses.dataclass(frozen=True)
class Cell:
    text: str
    line: int
    col: int


@dataclasses.dataclass(frozen=True)
class Row:
    line: int
    cells: tuple[Cell, ...]  # padded or cut to the header's width, as GFM renders the row
    written: int  # cells actually written on the row's line


@dataclasses.dataclass(frozen=True)
class FrontMatter:
    content: str
    line: int  # of the opening ---


@dataclasses.dataclass(frozen=True)
class Heading:
    level: int
    text: str  # the heading's inline source: "1. Reasoning · alias `reasoning`"
    line: int


@dataclasses.dataclass(frozen=True)
class Html:
    content: str
    line: int


@dataclasses.dataclass(frozen=True)
class Table:
    header: Row
    rows: tuple[Row, ...]
    line: int


@dataclasses.dataclass(frozen=True)
class Unclosed:
    """A code fence or an HTML comment (or script, ``<?``, ``<!``, CDATA block) that is never closed.

    CommonMark runs such a block to the end of the document: everything after its
    opening line, aliases included, would be code or a comment, silently.
    """

    line: int
    opener: str  # what opened it: "```", "<!--"
    closer: str  # what would close it: "```", "-->"


@dataclasses.dataclass(frozen=True)
class Other:
    """Any other top-level block (a paragraph, list, quote, code, rule): prose between the blocks above.

    A paragraph, list or indented code block keeps its first three source lines: a line that was meant as a
    heading (``##Models``, ``1. Reasoning · alias `reasoning``` without its ``##``) or a table (a header
    without its delimiter row) reads as one of these.
    """

    line: int
    lines: tuple[str, ...] = ()


Block = FrontMatter | Heading | Html | Table | Unclosed | Other


class TooDeepError(ValueError):
    """Blocks nested so deep that markdown-it stops reading (``maxNesting``) and drops the rest of the file."""

    def __init__(self, line: int, limit: int) -> None:
        super().__init__(f"nested {limit} levels deep at line {line}")
        self.line = line
        self.limit = limit


def blocks(text: str, *, stock_tables: bool = False) -> list[Block]:
    """The top-level blocks of ``text``; ``TooDeepError`` when markdown-it would silently lose part of it.

    ``stock_tables`` parses tables with markdown-it's own rule instead of regc's leaner
    copy of it (``_table_rows``): the reference the tests compare that copy with.
    """
    return _from_markdown_it(text, stock_tables)


# --- cells -----------------------------------------------------------------------------


def cell_columns(line: str) -> list[int]:
    """The 1-based column where each written cell's trimmed content starts (an empty cell: where it ends).

    There is one column per cell as GFM splits the line (markdown-it's ``escapedSplit``): at every ``|``
    not preceded by a backslash, less an empty first and last cell. Both parsers pad or drop cells to the
    header's count, so their count is ``Row.written``, which reports a row with too many.
    """
    # Without a backslash every | separates (the common case); split pieces keep their "\\|", so offsets are the source's.
    pieces = line.split("|") if "\\" not in line else _UNESCAPED_PIPE.split(line)
    columns: list[int] = []
    blank: list[bool] = []
    end = -1
    for piece in pieces:
        begin, end = end + 1, end + 1 + len(piece)
        stripped = piece.lstrip()
        blank.append(not stripped.strip())
        columns.append(end + 1 if blank[-1] else begin + len(piece) - len(stripped) + 1)
    if blank[0]:
        del columns[0], blank[0]
    if blank and blank[-1]:
        del columns[-1]
    return columns


def _unescape(text: str) -> str:
    return text.replace("\\|", "|")


def _row(line_number: int, source: str, texts: list[str], width: int) -> Row:
    """A row from its cells' texts (as the parser gives them) and its source line (for columns and the count)."""
    columns = cell_columns(source)
    end = len(source.rstrip()) + 1  # where a cell the row does not write would begin
    cells = tuple(
        Cell(_unescape(texts[i]) if i < len(texts) else "", line_number, columns[i] if i < len(columns) else end)
        for i in range(width)
    )
    return Row(line_number, cells, len(columns))  # = len(escapedSplit(source)), less empty ends: tests/test_blocks.py


# --- markdown-it-py ----------------------------------------------------------------------


@functools.lru_cache(maxsize=2)
def _markdown_it(stock_tables: bool = False) -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    # Block structure only: regc reads cells and headings from their source text, so the inline
    # pass (a third of markdown-it-py's time on a large registry) would build children nobody reads.
    parser = MarkdownIt("commonmark").enable("table").use(front_matter_plugin).disable("inline")
    if not stock_tables:
        parser.block.ruler.at("table", _table_rows, {"alt": ["paragraph", "reference"]})  # the stock rule's alt
    return parser


def _table_rows(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    """markdown-it's GFM table rule, giving one ``regc_table`` token per table instead of three per cell.

    On a 10,000-alias registry the stock rule's 450,000 tokens (``th_open``, ``inline``,
    ``th_close`` for every cell) were half of the parse, and regc reads none of them but the
    cells' text. So: whether a table starts at ``start`` is the stock rule's own decision (run
    silent); where it ends follows the stock rule's loop step for step (a line indented less
    than the block, a line another block would start with, a blank line, an indented code
    line, too many autocompleted cells); and each row's cell texts are what the stock rule puts
    in its ``inline`` tokens (split at unescaped pipes, ``\\|`` unescaped, trimmed with
    CommonMark's whitespace, padded or cut to the header's width). The token's ``meta["rows"]``
    holds ``(line index, [cell text, ...])`` per row, header first.

    ``tests/test_blocks.py`` checks on generated documents that ``blocks`` reads the same
    blocks with this rule as with markdown-it's own (``stock_tables=True``).
    """
    from markdown_it.common.utils import mdTrim
    from markdown_it.rules_block.table import MAX_AUTOCOMPLETED_CELLS
    from markdown_it.rules_block.table import table as stock_table

    if not stock_table(state, start, end, True):
        return False
    if silent:
        return True
    header = _split_row(mdTrim(_line_text(state, start)))
    width = len(header)
    rows = [(start, [mdTrim(cell) for cell in header])]
    terminators = state.md.block.ruler.getRules("blockquote")  # the stock rule's choice: tables end like quotes
    parent = state.parentType
    state.parentType = "table"
    autocompleted = 0
    line = start + 2
    while line < end:
        if state.sCount[line] < state.blkIndent:
            break
        # A line that starts with a pipe starts no block that ends a table (those start with a fence,
        # >, a rule or list marker, <, # or front matter's --- on line 1; TERMINATORS in the tests
        # pins the set), and nearly every row does: asking the seven rules would be a third of the loop.
        begin = state.bMarks[line] + state.tShift[line]
        if state.src[begin:begin + 1] != "|" and any(rule(state, line, end, True) for rule in terminators):
            break
        text = mdTrim(_line_text(state, line))
        if not text or state.is_code_block(line):
            break
        cells = _split_row(text)
        autocompleted += width - len(cells)
        if autocompleted > MAX_AUTOCOMPLETED_CELLS:
            break
        rows.append((line, [mdTrim(cell) for cell in cells[:width]]))
        line += 1
    state.parentType = parent
    token = state.push("regc_table", "table", 0)
    token.map = [start, line]
    token.meta = {"rows": rows}
    state.line = line
    return True


def _line_text(state: StateBlock, line: int) -> str:
    """A line's text after its indentation, as markdown-it's table rule reads it (``getLine``)."""
    return state.src[state.bMarks[line] + state.tShift[line]:state.eMarks[line]]


_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _split_row(text: str) -> list[str]:
    """A trimmed row's cells as markdown-it's ``escapedSplit`` gives them, less an empty first and last.

    A pipe after a backslash is part of a cell, and loses that backslash.
    """
    cells = text.split("|") if "\\" not in text else [cell.replace("\\|", "|") for cell in _UNESCAPED_PIPE.split(text)]
    if cells and cells[0] == "":
        cells.pop(0)
    if cells and cells[-1] == "":
        cells.pop()
    return cells


_KEPT_LINES = {"paragraph_open", "code_block", "bullet_list_open", "ordered_list_open"}
_OTHER_TOKENS = {"paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "fence", "code_block", "hr"}


def _from_markdown_it(text: str, stock_tables: bool) -> list[Block]:
    parser = _markdown_it(stock_tables)
    tokens = parser.parse(text)
    _check_nesting(tokens, parser.options["maxNesting"])
    # markdown-it breaks lines at \n, \r\n and \r only; str.splitlines would also break at \x0c,
    # \x85 and U+2028, and put every later cell on the wrong line.
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    found: list[Block] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        line = token.map[0] + 1 if token.map else 1
        if token.level != 0:
            pass
        elif token.type == "front_matter":
            found.append(FrontMatter(token.content.rstrip("\n"), line))
        elif token.type == "heading_open":
            found.append(Heading(int(token.tag[1]), tokens[index + 1].content, line))  # trimmed by markdown-it
        elif token.type == "html_block":
            closer = _html_closer(token.content)
            if closer is not None and closer.lower() not in token.content.lower():
                found.append(Unclosed(line, token.content.split(None, 1)[0][:12], closer))
            found.append(Html(token.content.rstrip("\n"), line))
        elif token.type == "regc_table":
            found.append(_table_from_rows(token.meta["rows"], lines))
        elif token.type == "table_open":
            end = next(j for j in range(index, len(tokens)) if tokens[j].type == "table_close")
            found.append(_table_from_tokens(tokens[index:end], lines, line))
            index = end
        elif token.type == "fence" and token.map and not _closes_fence(lines[token.map[1] - 1], token.markup, token.map):
            found.append(Unclosed(line, token.markup, token.markup))
            found.append(Other(line))
        elif token.type in _KEPT_LINES and token.map:
            found.append(Other(line, tuple(lines[token.map[0]:min(token.map[1], token.map[0] + 3)])))
        elif token.type in _OTHER_TOKENS:
            found.append(Other(line))
        index += 1
    return found


_HTML_CLOSERS = (("<!--", "-->"), ("<?", "?>"), ("<![CDATA[", "]]>"), ("<script", "</script>"), ("<pre", "</pre>"),
                 ("<style", "</style>"), ("<textarea", "</textarea>"))


def _html_closer(content: str) -> str | None:
    """What ends an HTML block of CommonMark's kinds 1-5 (which end only at their closer), else None."""
    lowered = content.lower()
    for opener, closer in _HTML_CLOSERS:
        if lowered.startswith(opener):
            return closer
    if len(content) > 2 and content.startswith("<!") and content[2].isalpha():
        return ">"
    return None


def _closes_fence(last: str, markup: str, where: list[int]) -> bool:
    """Whether ``last``, the fence block's last line, is its closing fence (a one-line block has none)."""
    stripped = last.strip()
    return where[1] - where[0] > 1 and len(stripped) >= len(markup) and set(stripped) == {markup[0]}


def _check_nesting(tokens: list[Token], limit: int) -> None:
    """Refuse a document whose blocks reach markdown-it's ``maxNesting``.

    At that depth markdown-it's block parser skips to the end of the enclosing block,
    which for a nested list is the end of the file: every alias after it would vanish
    without a word. An opening token one level below the limit is where that can start,
    so such a document is refused (no registry nests lists or quotes ten deep).
    """
    line = 1
    for token in tokens:
        if token.map:
            line = token.map[0] + 1
        if token.nesting == 1 and token.level >= limit - 1:
            raise TooDeepError(line, limit)


def _table_from_rows(rows: list[tuple[int, list[str]]], lines: list[str]) -> Table:
    (header_index, header), *body = rows
    width = len(header)
    return Table(
        _row(header_index + 1, lines[header_index], header, width),
        tuple(_row(index + 1, lines[index], texts, width) for index, texts in body),
        header_index + 1,
    )


def _table_from_tokens(tokens: list[Token], lines: list[str], line: int) -> Table:
    rows: list[Row] = []
    texts: list[str] = []
    row_line = line
    width = 0
    for token in tokens:
        if token.type == "tr_open":
            texts = []
            row_line = token.map[0] + 1 if token.map else row_line
        elif token.type == "inline":
            texts.append(token.content)  # trimmed by markdown-it (mdTrim), the writer trims the same
        elif token.type == "tr_close":
            width = width or len(texts)
            source = lines[row_line - 1] if row_line - 1 < len(lines) else ""
            # markdown-it-py has already unescaped \| in the content; _row would do it again harmlessly.
            rows.append(_row(row_line, source, texts, width))
    return Table(rows[0], tuple(rows[1:]), line)
