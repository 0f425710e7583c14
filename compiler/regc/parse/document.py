"""The registry's markdown as its author wrote it: lines, tables, rows and cells, edited keeping every other byte.

``regc prices sync`` (new values in some cells of the Models table) and ``regc fmt``
(tables re-laid: column alignment, row order) both write through this module, and a
rule that points at one cell finds its column here. It
never renders a document from the IR: it finds tables where the parser found them
(``regc.parse.blocks``, the parser's own reading, so both agree on which lines
are table rows; a test checks they agree on where each cell starts and ends), replaces the text of
the cells or lines it was asked to, and leaves everything else alone: front
matter, prose, headings, a byte-order mark, each line's own line ending, and,
inside an edited cell, HTML comments such as ``<!-- regc:ignore ... -->`` and
backticks around the value.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from pathlib import Path

    from regc.model.resolve import ResolvedRegistry
    from regc.parse.raw import RawRegistry

BOM = "\ufeff"
# markdown-it's own line breaks (``\r\n``, ``\r``, ``\n``); U+2028, form feeds and the like are text inside a line.
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)?")
#: The widest line (in terminal columns) an aligned table may have; wider tables are written compact.
DEFAULT_WIDTH = 120


class EditError(ValueError):
    """A cell cannot be rewritten without guessing (its value is split by a comment); edit it by hand."""


@dataclasses.dataclass(frozen=True)
class Cell:
    """One cell of a table row: its raw text between the pipes and where that is in the line (0-based offsets)."""

    start: int
    end: int
    raw: str

    @property
    def text(self) -> str:
        """The cell as written, without the spaces and tabs around it (other whitespace is kept: it is content)."""
        return self.raw.strip(" \t")

    @property
    def content(self) -> str:
        """What the parser reads from the cell: ``\\|`` unescaped, trimmed as markdown-it trims."""
        from markdown_it.common.utils import MD_TRIM_CHARS

        return self.raw.replace("\\|", "|").strip(MD_TRIM_CHARS)

    @property
    def col(self) -> int:
        """The 1-based column of the cell's text (of its first space when it is blank)."""
        lead = len(self.raw) - len(self.raw.lstrip(" \t"))
        return self.start + (lead if self.text else min(lead, 1)) + 1


@dataclasses.dataclass(frozen=True)
class Row:
    line: int  # 1-based
    cells: tuple[Cell, ...]

    def texts(self) -> list[str]:
        return [cell.text for cell in self.cells]


@dataclasses.dataclass(frozen=True)
class Table:
    header: Row
    delimiter: Row
    rows: tuple[Row, ...]
    aligns: tuple[str, ...]  # "" (none), "left", "right", "center", one per header column

    @property
    def first_line(self) -> int:
        return self.header.line

    @property
    def last_line(self) -> int:
        return self.rows[-1].line if self.rows else self.delimiter.line

    def row_at(self, line: int) -> Row | None:
        index = line - self.header.line - 2
        return self.rows[index] if 0 <= index < len(self.rows) else None


@dataclasses.dataclass(frozen=True)
class CellEdit:
    """Write ``text`` as the value of cell ``cell`` (0-based, as ``Row.cells``) of the row on ``line``."""

    line: int
    cell: int
    text: str


class Document:
    """A registry's text as lines, each with its own line ending, and the table structure the parser sees."""

    def __init__(self, text: str, display: str) -> None:
        self.display = display
        self.bom = BOM if text.startswith(BOM) else ""
        body = text[len(self.bom):]
        pieces = [m.group(0) for m in _LINE.finditer(body)][:-1] or [""]
        if pieces[-1].endswith(("\r", "\n")):
            pieces.append("")  # the text ends with a line break: the last (empty) line has none
        self.lines = [piece.rstrip("\r\n") for piece in pieces]
        self.endings = [piece[len(line):] for piece, line in zip(pieces, self.lines, strict=True)]

    @classmethod
    def read(cls, path: Path, display: str) -> Document:
        """The file's text, bytes as they are (a byte-order mark and CRLF line endings are kept)."""
        from regc.io.source import read_text

        return cls(read_text(path, display, keep_bom=True), display)  # one read: UTF-8 and NUL checks, and their messages

    @property
    def text(self) -> str:
        return self.bom + "".join(line + ending for line, ending in zip(self.lines, self.endings, strict=True))

    @property
    def body(self) -> str:
        """The text without its byte-order mark: what the parser reads."""
        return self.text[len(self.bom):]

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    @functools.cached_property
    def tables(self) -> tuple[Table, ...]:
        """Every top-level table, where the parser finds it (``regc.parse.blocks``), with its cells' spans."""
        from regc.parse import blocks

        found: list[Table] = []
        for block in blocks.blocks(self.body):
            if not isinstance(block, blocks.Table):
                continue
            header = self._row(block.line)
            delimiter = self._row(block.line + 1)
            aligns = tuple(_align(cell.content) for cell in delimiter.cells)
            found.append(Table(header, delimiter, tuple(self._row(row.line) for row in block.rows), aligns))
        return tuple(found)

    def table_at(self, line: int) -> Table | None:
        return next((t for t in self.tables if t.first_line <= line <= t.last_line), None)

    def _row(self, number: int) -> Row:
        return Row(number, split_row(self.line(number)))

    def edit_cells(self, edits: Iterable[CellEdit]) -> Document:
        """A new document with each edited cell's value replaced (see ``replace_value``); nothing else changes."""
        by_line: dict[int, list[CellEdit]] = {}
        for edit in edits:
            by_line.setdefault(edit.line, []).append(edit)
        lines = list(self.lines)
        for number, line_edits in by_line.items():
            line = lines[number - 1]
            cells = split_row(line)
            for edit in sorted(line_edits, key=lambda e: e.cell, reverse=True):  # right to left: spans stay valid
                cell = cells[edit.cell]
                line = line[: cell.start] + replace_value(cell.raw, edit.text) + line[cell.end:]
            lines[number - 1] = line
        return self._with_lines(lines)

    def replace_lines(self, replacements: dict[int, str]) -> Document:
        """A new document with whole lines replaced (1-based numbers); line endings stay where they were."""
        lines = list(self.lines)
        for number, text in replacements.items():
            lines[number - 1] = text
        return self._with_lines(lines)

    def _with_lines(self, lines: list[str]) -> Document:
        new = Document.__new__(Document)
        new.display, new.bom, new.lines, new.endings = self.display, self.bom, lines, list(self.endings)
        return new


def _align(delimiter: str) -> str:
    if delimiter.endswith(":"):
        return "center" if delimiter.startswith(":") else "right"
    return "left" if delimiter.startswith(":") else ""


def split_row(line: str) -> tuple[Cell, ...]:
    """The cells of a table row as markdown-it splits it: at pipes not preceded by a backslash, the
    line's leading and trailing pipe (after trimming) opening and closing the row, not making cells."""
    from markdown_it.common.utils import MD_TRIM_CHARS

    begin = len(line) - len(line.lstrip(MD_TRIM_CHARS))
    end = len(line.rstrip(MD_TRIM_CHARS))
    bounds = [begin - 1]
    escaped = False
    for index in range(begin, end):
        char = line[index]
        if char == "|" and not escaped:
            bounds.append(index)
        escaped = char == "\\"
    bounds.append(end)
    cells = [Cell(a + 1, b, line[a + 1 : b]) for a, b in itertools.pairwise(bounds)]
    if cells and begin < end and line[begin] == "|" and cells[0].raw == "":
        cells.pop(0)
    if cells and cells[-1].raw == "" and len(bounds) > 2 and bounds[-2] == end - 1:
        cells.pop()
    return tuple(cells)


def replace_value(raw: str, value: str) -> str:
    """A cell's raw text with its value replaced by ``value``, keeping its spacing, HTML comments
    (waivers) and backticks around the value. ``EditError`` when the value is split by a comment."""
    from regc.parse.markdown import comments  # where the parser finds them: a linear scan

    if "|" in value or "\n" in value or "\r" in value:
        raise ValueError(f"a cell value cannot hold a pipe or a line break: {value!r}")
    spans = comments(raw)
    found = [raw[start:end] for start, end in spans]
    pieces = [raw[end:start] for (_, end), (start, _) in itertools.pairwise([(0, 0), *spans, (len(raw), len(raw))])]
    texts = [i for i, piece in enumerate(pieces) if piece.strip(" \t")]
    if len(texts) > 1:
        raise EditError(f"the value {raw.strip()!r} is split by a comment")
    if not texts:
        if not raw.strip(" \t"):
            return f" {value} "
        # Only comments: the value goes before the first one.
        lead = len(raw) - len(raw.lstrip(" \t"))
        return raw[:lead] + value + " " + raw[lead:] if lead else f" {value} {raw}"
    index = texts[0]
    piece = pieces[index]
    lead = len(piece) - len(piece.lstrip(" \t"))
    trail = len(piece) - len(piece.rstrip(" \t"))
    core = piece[lead: len(piece) - trail]
    if len(core) >= 2 and core.startswith("`") and core.endswith("`") and "`" not in core[1:-1]:
        value = f"`{value}`"
    pieces[index] = piece[:lead] + value + piece[len(piece) - trail:]
    out = pieces[0]
    for comment, piece in zip(found, pieces[1:], strict=True):
        out += comment + piece
    return out


# --- formatting (regc fmt) ------------------------------------------------------


def width(text: str) -> int:
    """Terminal columns ``text`` takes: wide East Asian characters 2, combining marks and format characters 0."""
    total = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) in {"Mn", "Me", "Cf"}:
            continue
        total += 2 if unicodedata.east_asian_width(char) in {"W", "F"} else 1
    return total


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]], aligns: Sequence[str], max_width: int) -> list[str]:
    """The lines of a table: columns aligned when the widest line fits in ``max_width``, else compact
    (``| a | b |`` and ``|---|---|``). Alignment markers are kept; short rows get empty cells."""
    columns = len(header)
    body = [list(row) + [""] * (columns - len(row)) for row in rows]
    widths = [max(3, width(header[c]), *(width(row[c]) for row in body)) for c in range(columns)]
    extra = [list(row[columns:]) for row in body]
    aligned = [_aligned(header, widths, aligns), _delimiter(widths, aligns, compact=False)]
    aligned += [_aligned(row[:columns], widths, aligns, more) for row, more in zip(body, extra, strict=True)]
    if max(width(line) for line in aligned) <= max_width:
        return aligned
    compact = [_compact(header), _delimiter(widths, aligns, compact=True)]
    return compact + [_compact(row) for row in body]


def _aligned(cells: Sequence[str], widths: Sequence[int], aligns: Sequence[str], more: Sequence[str] = ()) -> str:
    out = []
    for text, size, align in zip(cells, widths, aligns, strict=True):
        gap = size - width(text)
        if align == "right":
            padded = " " * gap + text
        elif align == "center":
            padded = " " * (gap // 2) + text + " " * (gap - gap // 2)
        else:
            padded = text + " " * gap
        out.append(f" {padded} ")
    out += [f" {text} " if text else " " for text in more]
    return "|" + "|".join(out) + "|"


def _compact(cells: Sequence[str]) -> str:
    return "|" + "|".join(f" {text} " if text else " " for text in cells) + "|"


def _delimiter(widths: Sequence[int], aligns: Sequence[str], *, compact: bool) -> str:
    out = []
    for size, align in zip(widths, aligns, strict=True):
        left = ":" if align in {"left", "center"} else ""
        right = ":" if align in {"right", "center"} else ""
        marker = left + "-" * (3 if compact else size - len(left) - len(right)) + right
        out.append(marker if compact else f" {marker} ")
    return "|" + "|".join(out) + "|"


def format_document(doc: Document, raw: RawRegistry, *, max_width: int = DEFAULT_WIDTH) -> Document:
    """Every top-level table re-laid (``render_table``), an alias table's **Primary** and
    **Alternatives** rows first, the Models table's rows sorted by model; nothing else changes."""
    first_rows: dict[int, list[int]] = {}  # table's first line -> the lines to put first, in order
    for alias in raw.aliases:
        if alias.section != "use-case" or alias.primary is None:
            continue
        key_lines = [alias.primary.pos.line, *([alias.alternatives[0].pos.line] if alias.alternatives else [])]
        table = doc.table_at(key_lines[0])
        if table is not None:
            first_rows.setdefault(table.first_line, key_lines)
    model_lines = {model.pos.line: model.ref.value for model in raw.models}
    replacements: dict[int, str] = {}
    for table in doc.tables:
        rows = list(table.rows)
        if table.first_line in first_rows:
            first = [row for row in (table.row_at(line) for line in first_rows[table.first_line]) if row is not None]
            rows = first + [row for row in rows if row not in first]
        elif rows and all(row.line in model_lines for row in rows):
            rows = sorted(rows, key=lambda row: model_lines[row.line])
        rendered = render_table(table.header.texts(), [row.texts() for row in rows], _fit(table.aligns, len(table.header.cells)), max_width)
        for number, text in zip(range(table.first_line, table.last_line + 1), rendered, strict=True):
            replacements[number] = text
    return doc.replace_lines(replacements)


def _fit(aligns: Sequence[str], columns: int) -> list[str]:
    return (list(aligns) + [""] * columns)[:columns]


def meaning(registry: ResolvedRegistry) -> object:
    """What a registry means, for comparing two texts: the IR without source positions, with the
    Models rows and inline waivers (sets, looked up by model) in a canonical order."""
    import json

    def strip(value: object) -> object:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in {"line", "col"}}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    data = strip(registry.model_dump(mode="json"))
    assert isinstance(data, dict)
    inner = data["registry"]
    assert isinstance(inner, dict)
    for key in ("models", "waivers"):
        inner[key] = sorted(inner[key], key=lambda item: json.dumps(item, sort_keys=True))
    return data
