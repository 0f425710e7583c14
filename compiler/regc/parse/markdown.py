"""The markdown front end: ``registry.md`` -> raw records.

markdown-it-py parses the file (CommonMark + GFM tables + front matter), so
what regc reads is exactly what GitHub renders. This module only walks the
block tokens: H2 headings open sections, the first table of an alias section
is its key/value table, a table headed ``Alias | Resolves to`` holds legacy
aliases, the table of the ``Models`` section holds per-model data, and
``<!-- regc:ignore ... -->`` comments attach to what follows them.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import TYPE_CHECKING, Any

from regc.errors import DiagnosticCollector, InputError
from regc.parse import cells
from regc.parse.raw import Pos, RawAlias, RawModel, RawProse, RawRegistry, RawWaiver, Text

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

_ALIAS_HEADING = re.compile(r"^(?P<title>.*?)[\s·:|—–-]*\balias\s+`?(?P<name>[^`\s]+)`?\s*$", re.I)
_NUMBERED = re.compile(r"^\d+[.)]\s+")
_WAIVER = re.compile(r"<!--\s*regc:ignore\s+(?P<body>.*?)\s*-->", re.S)
_WAIVER_ARG = re.compile(r'(?P<key>[a-z_]+)\s*=\s*"(?P<value>[^"]*)"')
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@functools.lru_cache(maxsize=1)
def _markdown() -> MarkdownIt:
    from markdown_it import MarkdownIt
    from mdit_py_plugins.front_matter import front_matter_plugin

    return MarkdownIt("commonmark").enable("table").use(front_matter_plugin)


@dataclasses.dataclass
class _Table:
    header: list[Text]
    rows: list[list[Text]]
    pos: Pos
    # Waivers written inside a row's cells, by row index.
    row_waivers: dict[int, list[RawWaiver]]
    # Cells actually written on each row's line (markdown-it pads short rows).
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


# Block tokens that separate a regc:ignore comment from what it should precede.
_INTERVENING = {"paragraph_open", "bullet_list_open", "ordered_list_open", "blockquote_open", "fence", "code_block", "hr"}


def parse_markdown(text: str, path: str) -> RawRegistry:
    errors = DiagnosticCollector(path)
    tokens = _markdown().parse(text)
    lines = text.splitlines()
    meta: dict[str, Any] = {}
    meta_pos: dict[str, Pos] = {}
    title: str | None = None
    sections: list[_Section] = []
    preamble = _Section("prose", "", 0, Pos(1))
    current = preamble
    waivers: list[RawWaiver] = []
    # Comments seen since the last block: they apply to the next heading or table.
    pending: list[RawWaiver] = []

    i = 0
    while i < len(tokens):
        token = tokens[i]
        line = token.map[0] + 1 if token.map else 1
        if token.type == "front_matter":
            meta, meta_pos = _front_matter(token.content, path, line + 1)
        elif token.type == "heading_open":
            inline = tokens[i + 1]
            level = int(token.tag[1])
            if level == 1 and title is None:
                title = _plain(inline)
            elif level <= 2:
                current = _open_section(inline.content.strip(), _plain(inline), level, Pos(line), errors)
                sections.append(current)
            for waiver in pending:
                if current.kind == "alias" and level <= 2:
                    waivers.append(dataclasses.replace(waiver, alias=waiver.alias or current.name))
                else:
                    errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} stands before a heading that is not an alias section; "
                                 "move it directly above `## ... · alias `name``")
            pending = []
            i += 3
            continue
        elif token.type == "html_block":
            pending.extend(_waivers(token.content, line, errors))
        elif token.type == "table_open":
            end = _table_end(tokens, i)
            table = _read_table(tokens[i:end], lines, errors)
            # A comment right before a table must say which row it is for.
            for waiver in pending:
                if waiver.alias or waiver.model:
                    waivers.append(waiver)
                else:
                    errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} before a table must name its row "
                                 '(alias="name" or model="provider/model"), or go inside that row')
            pending = []
            current.tables.append(table)
            i = end
            continue
        elif token.type in _INTERVENING and token.level == 0 and pending:
            for waiver in pending:
                errors.error(waiver.pos.line, f"regc:ignore {waiver.rule} must stand directly before "
                             "the alias heading or table it applies to")
            pending = []
        i += 1

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


def _front_matter(content: str, path: str, first_line: int) -> tuple[dict[str, Any], dict[str, Pos]]:
    from regc import yamlio

    node = yamlio.load(content, path, first_line=first_line)
    if node is None:
        return {}, {}
    if not isinstance(node, yamlio.YMap):
        raise InputError.at(path, first_line, "front matter must be a YAML mapping (`reviewed: 2026-11-01`)")
    meta = {str(key.value): yamlio.to_python(value) for key, value in node.items}
    positions = {str(key.value): key.pos for key, _ in node.items}
    return meta, positions


def _open_section(heading: str, plain: str, level: int, pos: Pos, errors: DiagnosticCollector) -> _Section:
    match = _ALIAS_HEADING.match(heading)
    if match:
        name = match["name"]
        if not cells.is_alias_name(name):
            errors.error(pos.line, f"alias name {name!r} may contain only letters, digits, '.', '_' and '-'")
        title = _NUMBERED.sub("", match["title"]).strip(" ·:|—–-`*")
        return _Section("alias", heading, level, pos, name=name, title=title or name)
    if plain.strip().lower() == "models":
        return _Section("models", heading, level, pos)
    return _Section("prose", heading, level, pos)


def _plain(inline: Token) -> str:
    """The text of an inline token without markup (``**Why primary:**`` -> ``Why primary:``)."""
    if not inline.children:
        return inline.content
    return "".join(child.content for child in inline.children if child.type in {"text", "code_inline", "softbreak"})


def _table_end(tokens: list[Token], start: int) -> int:
    for j in range(start, len(tokens)):
        if tokens[j].type == "table_close":
            return j + 1
    return len(tokens)  # pragma: no cover - markdown-it always closes tables


def _read_table(tokens: list[Token], lines: list[str], errors: DiagnosticCollector) -> _Table:
    from markdown_it.rules_block.table import escapedSplit

    header: list[Text] = []
    rows: list[list[Text]] = []
    row_waivers: dict[int, list[RawWaiver]] = {}
    widths: list[int] = []
    table_line = tokens[0].map[0] + 1 if tokens[0].map else 1
    in_head = False
    row: list[Text] = []
    in_row_waivers: list[RawWaiver] = []
    row_line = table_line
    for token in tokens:
        if token.type == "thead_open":
            in_head = True
        elif token.type == "thead_close":
            in_head = False
        elif token.type == "tr_open":
            row, in_row_waivers = [], []
            row_line = token.map[0] + 1 if token.map else row_line
        elif token.type == "inline":
            source = lines[row_line - 1] if row_line - 1 < len(lines) else ""
            content = token.content.strip()
            if "regc:ignore" in content:
                in_row_waivers.extend(_waivers(content, row_line, errors))
                content = _WAIVER.sub("", content).strip()
            row.append(Text(content, Pos(row_line, _column(source, content, row))))
        elif token.type == "tr_close":
            if in_head:
                header = row
                continue
            source = lines[row_line - 1] if row_line - 1 < len(lines) else ""
            written = _count_cells(escapedSplit(source.strip()))
            if written > len(header):
                errors.error(row_line, f"table row has {written} cells but the header has {len(header)}; "
                             "escape a literal pipe as \\| or add the column to the header")
            if in_row_waivers:
                row_waivers[len(rows)] = in_row_waivers
            rows.append(row)
            widths.append(written)
    return _Table(header, rows, Pos(table_line), row_waivers, widths)


def _count_cells(split: list[str]) -> int:
    if split and split[0].strip() == "":
        split = split[1:]
    if split and split[-1].strip() == "":
        split = split[:-1]
    return len(split)


def _column(source: str, content: str, previous: list[Text]) -> int:
    start = previous[-1].pos.col + len(previous[-1].value) - 1 if previous else 0
    found = source.find(content, start) if content else -1
    return found + 1 if found >= 0 else 1


def _key(text: str) -> str:
    """Normalise a key cell: no bold/italics/backticks, no trailing colon, lower case."""
    return re.sub(r"[*_`]", "", text).strip().rstrip(":").strip().lower()


def _waivers(content: str, line: int, errors: DiagnosticCollector) -> list[RawWaiver]:
    found: list[RawWaiver] = []
    for match in _WAIVER.finditer(content):
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
            rationale.append((re.sub(r"[*_`]", "", key_cell.value).strip().rstrip(":").strip(), value))
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
            errors.error(cell.pos.line, f"alias name {name!r} may contain only letters, digits, '.', '_' and '-'", cell.pos.col)
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


def _model_field(header: str) -> str | None:
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
    fields = [_model_field(cell.value) for cell in table.header]
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
