"""The markdown front end: ``registry.md`` -> raw records.

markdown-it-py (CommonMark + GFM tables + front matter, through
``regc.parse.blocks``) reads the file, so what regc reads is exactly what
GitHub renders. This module only walks the top-level blocks it gives:
H2 headings open sections, the first table of an alias section
is its key/value table, a table headed ``Alias | Resolves to`` holds legacy
aliases, the table of the ``Models`` section holds per-model data, and
``<!-- regc:ignore ... -->`` comments attach to what follows them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from regc.errors import DiagnosticCollector, InputError
from regc.parse import cells
from regc.parse.blocks import FrontMatter, Heading, Html, Table, TooDeepError, Unclosed, blocks
from regc.parse.raw import Pos, RawAlias, RawModel, RawProse, RawRegistry, RawWaiver, Text

# Searched for, not matched from the start: a lazy title before a starred separator class takes
# quadratic time on a long heading of separators (60,000 `·` took minutes).
_ALIAS_SUFFIX = re.compile(r"\balias\s+`?(?P<name>[^`\s]+)`?\s*$", re.I)
_TITLE_SEPARATORS = "·:|—–-"
_NUMBERED = re.compile(r"^\d+[.)]\s+")
_WAIVER = re.compile(r"<!--\s*regc:ignore\s+(?P<body>.*?)\s*-->", re.S)
_WAIVER_ARG = re.compile(r'(?P<key>[a-z_]+)\s*=\s*"(?P<value>[^"]*)"')
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclasses.dataclass
class _Table:
    header: list[Text]
    rows: list[list[Text]]
    pos: Pos
    # Waivers written inside a row's cells, by row index.
    row_waivers: dict[int, list[RawWaiver]]
    # Cells actually written on each row's line (the parser pads short rows).
    widths: list[int] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class _Section:
    kind: str  # "alias" | "models" | "prose"
    heading: str
    level: int
    pos: Pos
    name: str = ""
    title: str = ""
    tables: list[_Table] = dataclasses.field(default_factory=list)


def parse_markdown(text: str, path: str) -> RawRegistry:
    errors = DiagnosticCollector(path)
    meta: dict[str, Any] = {}
    meta_pos: dict[str, Pos] = {}
    title: str | None = None
    sections: list[_Section] = []
    preamble = _Section("prose", "", 0, Pos(1))
    current = preamble
    waivers: list[RawWaiver] = []
    # Comments seen since the last block: they apply to the next heading or table.
    pending: list[RawWaiver] = []

    try:
        found = blocks(text)
    except TooDeepError as exc:
        raise InputError.at(path, exc.line, f"lists or block quotes nested past markdown-it's limit of {exc.limit} levels "
                                            "(a list and its item count one each): it stops reading here and the rest of "
                                            "the file would be lost; flatten them") from None
    for block in found:
        if isinstance(block, FrontMatter):
            meta, meta_pos = _front_matter(block.content, path, block.line + 1)
        elif isinstance(block, Heading):
            if block.level == 1 and title is None:
                title = _plain(block.text)
            elif block.level <= 2:
                current = _open_section(block.text, _plain(block.text), block.level, Pos(block.line), errors)
                sections.append(current)
            for waiver in pending:
                if current.kind == "alias" and block.level <= 2:
                    waivers.append(dataclasses.replace(waiver, alias=waiver.alias or current.name))
                else:
                    errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} stands before a heading that is not an alias section; "
                                 "move it directly above `## ... · alias `name``")
            pending = []
        elif isinstance(block, Unclosed):
            what = "code block" if block.opener == block.closer else "HTML comment" if block.opener == "<!--" else "HTML block"
            errors.error(block.line, f"this {what} ({block.opener}) is never closed, so the rest of the file is inside it "
                                     f"and nothing after this line is read; close it with {block.closer}")
        elif isinstance(block, Html):
            pending.extend(_waivers(block.content, block.line, errors))
        elif isinstance(block, Table):
            # A comment right before a table must say which row it is for.
            for waiver in pending:
                if waiver.alias or waiver.model:
                    waivers.append(waiver)
                else:
                    errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} before a table must name its row "
                                 '(alias="name" or model="provider/model"), or go inside that row')
            pending = []
            current.tables.append(_read_table(block, errors))
        elif pending:  # a paragraph, list, quote or code block between a comment and what it should precede
            for waiver in pending:
                errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} must stand directly before "
                             "the alias heading or table it applies to")
            pending = []

    for waiver in pending:
        errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} is not followed by an alias section or a table it could apply to")

    aliases: list[RawAlias] = []
    models: list[RawModel] = []
    prose: list[RawProse] = []
    for section in [preamble, *sections]:
        # The first table of an alias section is its key/value table; a legacy
        # table (Alias | Resolves to) may stand in any section after that.
        other_tables = section.tables
        if section.kind == "alias":
            aliases.append(_alias(section, waivers, errors))
            other_tables = section.tables[1:]
        elif section.kind == "models":
            models.extend(_models(section, waivers, errors))
        elif section is not preamble:
            prose.append(RawProse(section.heading, section.level, section.pos))
        for table in other_tables:
            if _is_legacy(table):
                aliases.extend(_legacy(table, waivers, errors))

    errors.raise_if_any()
    return RawRegistry(
        path=path,
        format="markdown",
        meta=meta,
        meta_pos=meta_pos,
        title=title,
        aliases=tuple(aliases),
        models=tuple(models),
        prose=tuple(prose),
        waivers=tuple(waivers),
    )


#: Lines of front matter: it holds `reviewed:` and a few keys, and the YAML reader is slow on bulk.
MAX_FRONT_MATTER_LINES = 1_000


def _front_matter(content: str, path: str, first_line: int) -> tuple[dict[str, Any], dict[str, Pos]]:
    from regc.parse import yamlio

    lines = content.count("\n") + 1
    if lines > MAX_FRONT_MATTER_LINES:
        raise InputError.at(path, first_line, f"front matter is {lines:,} lines; regc reads up to {MAX_FRONT_MATTER_LINES:,} "
                                              "(it holds `reviewed:` and a few keys; move the rest into the document)")

    node = yamlio.load(content, path, first_line=first_line)
    if node is None:
        return {}, {}
    if not isinstance(node, yamlio.YMap):
        raise InputError.at(path, first_line, "front matter must be a YAML mapping (`reviewed: 2026-11-01`)")
    meta = {str(key.value): yamlio.to_python(value) for key, value in node.items}
    positions = {str(key.value): key.pos for key, _ in node.items}
    return meta, positions


def _open_section(heading: str, plain: str, level: int, pos: Pos, errors: DiagnosticCollector) -> _Section:
    match = _ALIAS_SUFFIX.search(heading)
    if match:
        name = match["name"]
        if not cells.is_alias_name(name):
            errors.error(pos.line, cells.alias_name_problem(name))
        end = match.start()
        while end > 0 and (heading[end - 1].isspace() or heading[end - 1] in _TITLE_SEPARATORS):
            end -= 1
        title = _NUMBERED.sub("", heading[:end]).strip(" ·:|—–-`*")
        return _Section("alias", heading, level, pos, name=name, title=title or name)
    if plain.strip().lower() == "models":
        return _Section("models", heading, level, pos)
    return _Section("prose", heading, level, pos)


_EMPHASIS = re.compile(r"(\*\*|__|`)")


def _plain(text: str) -> str:
    """A heading's text without its markup (``**Models**`` -> ``Models``, ```` `x` ```` -> ``x``)."""
    return _EMPHASIS.sub("", text).strip()


def _read_table(table: Table, errors: DiagnosticCollector) -> _Table:
    header = [Text(cell.text, Pos(cell.line, cell.col)) for cell in table.header.cells]
    rows: list[list[Text]] = []
    row_waivers: dict[int, list[RawWaiver]] = {}
    widths: list[int] = []
    for row in table.rows:
        in_row: list[RawWaiver] = []
        texts: list[Text] = []
        for cell in row.cells:
            content = cell.text
            if "regc:ignore" in content:
                in_row.extend(_waivers(content, row.line, errors))
                closed = closed_comments(content)
                content = (_WAIVER.sub("", closed) + content[len(closed):]).strip()
            texts.append(Text(content, Pos(cell.line, cell.col)))
        if row.written > len(header):
            errors.error(row.line, f"table row has {row.written} cells but the header has {len(header)}; "
                         "escape a literal pipe as \\| or add the column to the header")
        if in_row:
            row_waivers[len(rows)] = in_row
        rows.append(texts)
        widths.append(row.written)
    return _Table(header, rows, Pos(table.line), row_waivers, widths)


@functools.lru_cache(maxsize=1024)
def _key(text: str) -> str:
    """Normalise a key cell: no bold/italics/backticks, no trailing colon, lower case."""
    return _KEY_MARKUP.sub("", text).strip().rstrip(":").strip().lower()  # the same few keys in every section: cached


_KEY_MARKUP = re.compile(r"[*_`]")


def closed_comments(content: str) -> str:
    """``content`` up to its last ``-->``: every comment that can match lies there.

    A lazy ``<!--.*?-->`` scans to the end of the text from each ``<!--`` that is never
    closed; cut at the last ``-->``, every scan ends at a close, and the search is linear.
    The writer (``regc.parse.document``) finds the comments of a cell it edits the same way.
    """
    return content[: content.rfind("-->") + 3] if "-->" in content else ""


def _waivers(content: str, line: int, errors: DiagnosticCollector) -> list[RawWaiver]:
    found: list[RawWaiver] = []
    for match in _WAIVER.finditer(closed_comments(content)):
        body = match["body"]
        rule, _, rest = body.partition(" ")
        args = {m["key"]: m["value"] for m in _WAIVER_ARG.finditer(rest)}
        waiver_line = line + content[: match.start()].count("\n")
        if not _RULE_ID.match(rule):
            errors.error(waiver_line, f"regc:ignore needs a rule id: <!-- regc:ignore RULE reason=\"...\" -->, not {body!r}")
            continue
        unknown = sorted(set(args) - {"reason", "until", "alias", "model"})
        if unknown:
            errors.error(waiver_line, f"regc:ignore takes reason=, until=, alias= and model=, not {', '.join(unknown)}=")
        found.append(RawWaiver(rule=rule, reason=args.get("reason"), until=args.get("until"), pos=Pos(waiver_line),
                               alias=args.get("alias"), model=args.get("model")))
    return found


# --- sections to records ----------------------------------------------------

_PRIMARY_KEYS = {"primary"}
_ALTERNATIVES_KEYS = {"alternatives", "alternative", "fallbacks", "fallback"}


def _alias(section: _Section, waivers: list[RawWaiver], errors: DiagnosticCollector) -> RawAlias:
    if not section.tables:
        errors.error(section.pos.line, f"alias section `{section.name}` has no key/value table; "
                     "add one under the heading: | **Primary** | `provider/model` |")
        return RawAlias(section.name, "use-case", section.title, section.pos, None, (), ())
    table = section.tables[0]
    for row_list in table.row_waivers.values():
        waivers.extend(dataclasses.replace(w, alias=w.alias or section.name) for w in row_list)
    if len(table.header) != 2:
        errors.error(table.pos.line, f"the table of alias `{section.name}` has {len(table.header)} columns; "
                     "an alias table has two: | key | value |")
    rows = list(zip(table.rows, table.widths, strict=False))
    # An alias table's header is usually empty (| | |); if it holds a key row, read it as one.
    if table.header and _key(table.header[0].value) in _PRIMARY_KEYS | _ALTERNATIVES_KEYS:
        rows.insert(0, (table.header, len(table.header)))
    primary: Text | None = None
    alternatives: tuple[Text, ...] = ()
    rationale: list[tuple[str, Text]] = []
    for row, written in rows:
        if written < 2 or len(row) < 2 or not row[0].value:
            line = row[0].pos.line if row else table.pos.line
            errors.error(line, f"broken row in the table of alias `{section.name}` ({written} cell); "
                         "write each row on one line as | **Key** | value |")
            continue
        key_cell, value = row[0], row[1]
        key = _key(key_cell.value)
        if key in _PRIMARY_KEYS:
            if primary is not None:
                errors.error(key_cell.pos.line, f"alias `{section.name}` has a second Primary row (first at line {primary.pos.line})")
            primary = value
        elif key in _ALTERNATIVES_KEYS:
            if alternatives:
                errors.error(key_cell.pos.line, f"alias `{section.name}` has a second Alternatives row")
            alternatives = _entries(value)
        else:
            rationale.append((_KEY_MARKUP.sub("", key_cell.value).strip().rstrip(":").strip(), value))
    if primary is None or not primary.value:
        errors.error(table.pos.line, f"alias `{section.name}` has no Primary; add a row | **Primary** | `provider/model` |")
    return RawAlias(
        name=section.name,
        section="use-case",
        title=section.title,
        pos=section.pos,
        primary=primary if primary is not None and primary.value else None,
        alternatives=alternatives,
        rationale=tuple(rationale),
    )


def _entries(cell: Text) -> tuple[Text, ...]:
    return tuple(Text(entry, Pos(cell.pos.line, cell.pos.col + offset)) for entry, offset in cells.split_entries(cell.value))


def _columns(table: _Table) -> dict[str, int]:
    return {_key(cell.value): index for index, cell in enumerate(table.header)}


def _is_legacy(table: _Table) -> bool:
    columns = _columns(table)
    return "alias" in columns and any(name in columns for name in ("resolves to", "resolves", "target"))


def _legacy(table: _Table, waivers: list[RawWaiver], errors: DiagnosticCollector) -> list[RawAlias]:
    columns = _columns(table)
    target_col = next(columns[name] for name in ("resolves to", "resolves", "target") if name in columns)
    alt_col = next((columns[name] for name in ("alternatives", "fallbacks") if name in columns), None)
    notes_col = columns.get("notes", columns.get("note"))
    found: list[RawAlias] = []
    for index, row in enumerate(table.rows):
        cell = _cell(row, columns["alias"])
        if cell is None or not cell.value:
            errors.error(row[0].pos.line if row else table.pos.line, "legacy alias row without an alias name")
            continue
        name = cell.value.strip("`* ")
        if not cells.is_alias_name(name):
            errors.error(cell.pos.line, cells.alias_name_problem(name), cell.pos.col)
            continue
        target = _cell(row, target_col)
        if target is None or not target.value:
            errors.error(cell.pos.line, f"legacy alias `{name}` has no `Resolves to` value")
        alternatives = _cell(row, alt_col)
        notes = _cell(row, notes_col)
        waivers.extend(dataclasses.replace(w, alias=w.alias or name) for w in table.row_waivers.get(index, ()))
        found.append(RawAlias(
            name=name,
            section="legacy",
            title=name,
            pos=cell.pos,
            primary=target if target is not None and target.value else None,
            alternatives=_entries(alternatives) if alternatives is not None else (),
            rationale=(),
            notes=notes if notes is not None and notes.value else None,
        ))
    return found


def _cell(row: list[Text], index: int | None) -> Text | None:
    if index is None or index >= len(row):
        return None
    return row[index]


# Models table: header text -> field, matched on the header's leading words.
_MODEL_COLUMNS = (
    ("model", "model"),
    ("kind", "kind"),
    ("type", "kind"),
    ("input", "input"),
    ("output", "output"),
    ("cache read", "cache_read"),
    ("cached input", "cache_read"),
    ("cache write", "cache_write"),
    ("context", "context"),
    ("status", "status"),
    ("lifecycle", "status"),
    ("source", "source"),
    ("notes", "source"),
)


def model_field(header: str) -> str | None:
    key = _key(header)
    for prefix, field in _MODEL_COLUMNS:
        if key.startswith(prefix):
            return field
    return None


def _models(section: _Section, waivers: list[RawWaiver], errors: DiagnosticCollector) -> list[RawModel]:
    tables = [t for t in section.tables if not _is_legacy(t)]
    if not tables:
        errors.error(section.pos.line, "the Models section has no table; "
                     "add | Model | Kind | Input $/MTok | Output $/MTok | Context | Status |")
        return []
    table = tables[0]
    fields = [model_field(cell.value) for cell in table.header]
    if "model" not in fields:
        errors.error(table.pos.line, "the Models table needs a `Model` column")
        return []
    model_col = fields.index("model")
    found: list[RawModel] = []
    for index, row in enumerate(table.rows):
        ref = _cell(row, model_col)
        if ref is None or not ref.value:
            errors.error(row[0].pos.line if row else table.pos.line, "Models table row without a model")
            continue
        cells_by_field = tuple(
            (field, cell) for field, cell in zip(fields, row, strict=False) if field is not None and field != "model"
        )
        model_ref = ref.value.strip("`").strip()
        waivers.extend(dataclasses.replace(w, model=w.model or model_ref) for w in table.row_waivers.get(index, ()))
        found.append(RawModel(ref=Text(model_ref, ref.pos), cells=cells_by_field, pos=ref.pos))
    return found
