"""The markdown front end: ``registry.md`` -> raw records.

markdown-it-py (CommonMark + GFM tables + front matter, through
``regc.parse.blocks``) reads the file, so what regc reads is exactly what
GitHub renders. This module walks the top-level blocks it gives, under a
closed grammar (README "The registry format"):

- level-1 and level-2 headings open sections; the first level-1 heading is the title;
- an alias section is a level-2 heading ending in ``alias `name```; its first table
  is its key/value table (``Primary``, ``Alternatives``, rationale);
- the Models section is a level-2 heading ``Models``; every table in it, under its
  level-3+ subsections too, is a Models table;
- a table headed ``Alias | Resolves to`` holds legacy aliases, in any section;
- ``<!-- regc:ignore ... -->`` comments attach to what follows them.

What looks like structure but does not follow the grammar (an alias heading at
another level or in another form, a key/value table outside an alias section, a
Models-like table elsewhere, a legacy-like header with an unknown column, a key
or column header one typo away from a known one, a heading that lost its space)
is an input error at its own line, with the nearest known spelling. Everything
else is prose.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from typing import Any

from regc.errors import DiagnosticCollector, InputError
from regc.parse import cells
from regc.parse.blocks import FrontMatter, Heading, Html, Other, Table, TooDeepError, Unclosed, blocks
from regc.parse.raw import Pos, RawAlias, RawModel, RawProse, RawRegistry, RawWaiver, Text

# Searched for, not matched from the start, and possessive with a look-behind for the word's start, so that a long
# heading of separators or of repeated `alias` words is read in linear time.
_ALIAS_SUFFIX = re.compile(r"(?<![A-Za-z0-9_])alias\s++`?+(?P<name>[^`\s]++)`?+\s*+\Z", re.I)
_MENTIONS_ALIAS = re.compile(r"(?<![A-Za-z0-9_])alias(?![A-Za-z0-9_])", re.I)
_TITLE_SEPARATORS = "·:|—–-"
_NUMBERED = re.compile(r"^\d++[.)]\s++")
_RULE_ID = re.compile(r"[a-z0-9][a-z0-9-]*+")
#: The heading level of alias sections and of the Models section.
SECTION_LEVEL = 2
#: How alike two spellings must be (difflib's ratio) for one to be taken as a typo of the other.
TYPO_RATIO = 0.8


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
    near_models: bool = False  # a prose heading one typo from `Models`: an error if a Models-like table follows
    misread: bool = False  # a paragraph in it was reported as a broken heading or table: its absence is not reported again
    # Lines in it that read like an alias or Models heading but are none (a subheading, a paragraph or list item that lost
    # its `##`): where an error about a table that has no section of its own points.
    meant: list[tuple[int, str]] = dataclasses.field(default_factory=list)


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
            meta, meta_pos = _front_matter(block.content, path, block.line + 1, errors)
        elif isinstance(block, Heading):
            opened = _open_section(block.text, block.level, Pos(block.line), errors, title is None)
            if opened is None:
                title = _plain(block.text) if block.level == 1 and title is None else title
                if block.level > 1 and _heading_like(block.text):
                    current.meant.append((block.line, block.text))
            else:
                current = opened
                sections.append(current)
            for waiver in pending:
                if current.kind == "alias" and opened is current:
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
        else:
            if block.lines and _misread(block, errors):
                current.misread = True
            elif block.lines and _heading_like(_list_item(block.lines[0])):
                current.meant.append((block.line, _list_item(block.lines[0])))
            if pending:  # a paragraph, list, quote or code block between a comment and what it should precede
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
        others = section.tables
        if section.kind == "refused":
            continue  # its heading is reported; what it holds would be reported again
        if section.kind == "alias":
            aliases.append(_alias(section, waivers, errors))
            others = section.tables[1:]
        elif section.kind == "models":
            models.extend(_models(section, waivers, errors))
            others = [table for table in section.tables if _table_kind(table) == "legacy"]
        elif section is not preamble:
            prose.append(RawProse(section.heading, section.level, section.pos))
        for table in others:
            kind = _table_kind(table)
            if kind == "legacy":
                aliases.extend(_legacy(table, waivers, errors))
            elif kind == "keyvalue":
                _stray_key_value_table(section, table, errors)
            elif kind == "models":
                _stray_models_table(section, table, errors)

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
#: Front-matter keys regc reads; any other key is kept as metadata, unless it is a typo of one of these.
FRONT_MATTER_KEYS = ("reviewed",)


def _front_matter(content: str, path: str, first_line: int, errors: DiagnosticCollector) -> tuple[dict[str, Any], dict[str, Pos]]:
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
    for key, pos in positions.items():
        near = _front_matter_typo(key) if key not in FRONT_MATTER_KEYS else None
        if near is not None:
            errors.error(pos.line, f"unknown front-matter key {key!r}; did you mean {near!r}? (other keys are kept as metadata, "
                         "but this one is one typo away from a key regc reads)", pos.col)
    return meta, positions


def _front_matter_typo(key: str) -> str | None:
    """The key regc reads that ``key`` was meant to be: another case (``Reviewed``), a slip (``reviwed``), or one of
    its words (``last_reviewed``)."""
    lowered = key.lower()
    if lowered in FRONT_MATTER_KEYS:
        return lowered
    words = lowered.replace("-", " ").replace("_", " ").split()
    return next((word for word in words if word in FRONT_MATTER_KEYS), None) or typo_of(lowered, FRONT_MATTER_KEYS)


def typo_of(word: str, known: tuple[str, ...] | list[str], cutoff: float = TYPO_RATIO) -> str | None:
    """The known spelling ``word`` is one slip away from (difflib ratio at least ``cutoff``), else None."""
    close = difflib.get_close_matches(word, known, n=1, cutoff=cutoff)
    return close[0] if close and close[0] != word else None


# --- headings ------------------------------------------------------------------------------


def _open_section(heading: str, level: int, pos: Pos, errors: DiagnosticCollector, first_h1: bool) -> _Section | None:
    """The section a heading opens (levels 1 and 2), or None (the title, a subheading); errors for a heading that
    looks like an alias or Models heading but is not one."""
    plain = _plain(heading)
    match = _ALIAS_SUFFIX.search(heading)
    if match is not None and level != SECTION_LEVEL:
        if heading.rstrip().endswith("`"):  # without backticks, `alias name` ending a title or subheading is prose
            errors.error(pos.line, f"an alias section is a level-{SECTION_LEVEL} heading, not level {level}: "
                         f"write `{'#' * SECTION_LEVEL} {heading}`")
            return _Section("refused", heading, level, pos)
        match = None
    if match is not None:
        name = match["name"]
        if not cells.is_alias_name(name):
            errors.error(pos.line, cells.alias_name_problem(name))
        end = match.start()
        while end > 0 and (heading[end - 1].isspace() or heading[end - 1] in _TITLE_SEPARATORS):
            end -= 1
        title = _NUMBERED.sub("", heading[:end], count=1).strip(" ·:|—–-`*")
        if "`" in heading[:end] and _MENTIONS_ALIAS.search(heading[:end]):
            errors.error(pos.line, f"this heading names an alias twice; an alias heading ends in one ``alias `name```: {heading!r}")
        return _Section("alias", heading, level, pos, name=name, title=title or name)
    problem = _alias_heading_problem(heading, level)
    if problem is not None:
        errors.error(pos.line, problem)
        return _Section("refused", heading, level, pos)
    models = plain.lower().rstrip(":").strip() == "models"
    if models and level != SECTION_LEVEL:
        errors.error(pos.line, f"the Models section is a level-{SECTION_LEVEL} heading, not level {level}: write `## Models`")
        return _Section("refused", heading, level, pos)
    if level > SECTION_LEVEL or (level == 1 and first_h1):
        return None
    if models:
        return _Section("models", heading, level, pos)
    words = plain.lower().replace("(", " ").replace(")", " ").split()
    near = typo_of(plain.lower(), ["models"]) is not None or "models" in words or any(typo_of(w, ["models"]) for w in words)
    return _Section("prose", heading, level, pos, near_models=near)


def _alias_heading_problem(heading: str, level: int) -> str | None:
    """Why a heading that is not an alias heading still reads as one that was meant to be, or None."""
    if "`" not in heading:
        return None
    mentions = _MENTIONS_ALIAS.search(heading)
    if mentions is not None:
        after = [m[1].strip() for m in _CODE_SPAN.finditer(heading, mentions.end()) if m[1].strip()]
        name = after[0] if after else _last_code_span(heading) or "name"
        return (f"a heading that names an alias ends in ``alias `name``` with nothing after it; "
                f"write `{'#' * SECTION_LEVEL} {suggested(heading[:mentions.start()], name)}`, or drop the backticks if it is prose")
    stripped = heading.rstrip()
    if not stripped.endswith("`"):
        return None
    start = stripped.rfind("`", 0, len(stripped) - 1)
    words = stripped[:max(start, 0)].split()
    last = words[-1].strip(":.,;·*").lower() if words else ""
    if not last or typo_of(last, ["alias"]) is None:
        return None
    title = " ".join(words[:-1])
    return (f"{words[-1]!r} before the code span: did you mean `alias`? "
            f"write `{'#' * SECTION_LEVEL} {suggested(title, _last_code_span(heading) or 'name')}`")


_CODE_SPAN = re.compile(r"`([^`]*+)`")


def _last_code_span(heading: str) -> str | None:
    """The content of the heading's last non-empty code span (````cheap```` included), or None."""
    spans = [m[1].strip() for m in _CODE_SPAN.finditer(heading) if m[1].strip()]
    if not spans:  # a span fenced by two backticks reads as two empty ones here
        spans = [word.strip("`") for word in heading.split() if "`" in word and word.strip("`")]
    return spans[-1] if spans else None


def suggested(title: str, name: str) -> str:
    """An alias heading's text (without the ``##``) from a title and a name: ``Cheap · alias `cheap```."""
    title = " ".join(_CODE_SPAN.sub("", title).replace("`", "").split())  # the name's span leaves no `()` or double space
    title = title.replace("( )", "").replace("()", "").strip(" ·:|—–-(*,")
    return f"{title} · alias `{name}`" if title else f"alias `{name}`"


_EMPHASIS = re.compile(r"\*\*|__|`")


def _plain(text: str) -> str:
    """A heading's text without its markup (``**Models**`` -> ``Models``, ```` `x` ```` -> ``x``)."""
    return _EMPHASIS.sub("", text).strip()


def _misread(block: Other, errors: DiagnosticCollector) -> bool:
    """A paragraph or indented code block that was meant as a heading or a table, and reads as neither: reported."""
    first = block.lines[0]
    stripped = first.strip()
    if stripped.startswith("#"):
        hashes = len(stripped) - len(stripped.lstrip("#"))
        rest = stripped[hashes:].strip()
        code = first[:1].isspace() and len(first) - len(first.lstrip()) >= 4
        if rest and (_ALIAS_SUFFIX.search(rest) or _alias_heading_problem(rest, 2) or _plain(rest).lower().rstrip(":") == "models"):
            why = ("indented four spaces or more, it is a code block" if code else
                   f"{hashes} `#` is not a heading" if hashes > 6 else "without a space after the `#` it is a paragraph")
            errors.error(block.line, f"this line was meant as a heading, but {why}: write `{'#' * min(hashes, 6)} {rest}`")
            return True
    elif stripped.startswith("|") and stripped.count("|") >= 2:
        second = block.lines[1].strip() if len(block.lines) > 1 else ""
        if second and set(second) <= set("|-: \t") and "-" in second:
            header, delimiter = len(cells_of(stripped)), len(cells_of(second))
            row = len(cells_of(block.lines[2].strip())) if len(block.lines) > 2 else None
            # The line that disagrees with the table's rows is the one to fix: the header, unless a row agrees with it.
            at = block.line + 1 if row == header else block.line
            errors.error(at, f"this table's header (line {block.line}) has {header} column{'s' * (header != 1)} and its delimiter "
                         f"row (line {block.line + 1}) {delimiter}, so it is no table at all; give both the same number of columns")
        else:
            errors.error(block.line + 1, f"a table's second line is its delimiter row (`|---|---|`, one `---` per column); without "
                         f"it the rows from line {block.line} are a paragraph, not a table")
        return True
    return False


def _heading_like(text: str) -> bool:
    """Text that reads as an alias heading (``X · alias `x```, backticks or not) or as ``Models``."""
    return bool(_ALIAS_SUFFIX.search(text)) or _plain(text).lower().rstrip(":") == "models"


def _list_item(line: str) -> str:
    """A line without a list item's marker (``1. ``, ``- ``, ``* ``), which a heading that lost its ``##`` may read as."""
    return re.sub(r"^\s*+(?:\d++[.)]|[-*+])\s++", "", line, count=1).strip()


def cells_of(row: str) -> list[str]:
    """The cells of a row line as GFM splits it (pipes not after a backslash, less empty ends)."""
    from regc.parse.blocks import cell_columns

    return [""] * len(cell_columns(row))


# --- tables ----------------------------------------------------------------------------------


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
                in_row.extend(_waivers(content, row.line, errors, cell.col))
                content = strip_waivers(content).strip()
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


def comments(content: str) -> list[tuple[int, int]]:
    """Where each closed HTML comment (``<!-- ... -->``) is in ``content``: (start, end) spans, in order.

    A scan with ``str.find``, linear in the text: a lazy ``<!--.*?--> `` regex rescans to the end of the
    text from each ``<!--`` that is never closed. The writer (``regc.parse.document``) and ``regc prices`` find
    the comments of a cell the same way.
    """
    spans: list[tuple[int, int]] = []
    start = content.find("<!--")
    while start >= 0:
        end = content.find("-->", start + 4)
        if end < 0:
            break
        spans.append((start, end + 3))
        start = content.find("<!--", end + 3)
    return spans


def strip_comments(content: str, *, waivers_only: bool = False) -> str:
    """``content`` without its closed HTML comments (``waivers_only``: without its ``regc:ignore`` comments)."""
    out: list[str] = []
    at = 0
    for start, end in comments(content):
        if waivers_only and not _is_waiver(content[start + 4:end - 3]):
            continue
        out.append(content[at:start])
        at = end
    out.append(content[at:])
    return "".join(out)


def strip_waivers(content: str) -> str:
    return strip_comments(content, waivers_only=True)


_WAIVER_OPEN = "regc:ignore"


def _is_waiver(inner: str) -> bool:
    inner = inner.strip()
    return inner.startswith(_WAIVER_OPEN) and (len(inner) == len(_WAIVER_OPEN) or inner[len(_WAIVER_OPEN)].isspace())


#: An inline waiver's attributes, and its one form.
WAIVER_ATTRIBUTES = ("reason", "until", "alias", "model")
WAIVER_FORM = '<!-- regc:ignore RULE reason="..." [until="YYYY-MM-DD"] [alias="name"] [model="provider/model"] -->'


def _waivers(content: str, line: int, errors: DiagnosticCollector, col: int = 1) -> list[RawWaiver]:
    """The waivers among the comments of ``content`` (a block at ``line``, or a cell at ``line``:``col``).

    Closed grammar: after the rule id, only ``key="value"`` attributes (``WAIVER_ATTRIBUTES``), double-quoted; an
    unquoted or single-quoted value, an unknown attribute or any other word is an error at its column.
    """
    found: list[RawWaiver] = []

    def where(offset: int) -> tuple[int, int]:
        newline = content.rfind("\n", 0, offset)
        return line + content.count("\n", 0, offset), (col + offset if newline < 0 else offset - newline)

    for start, end in comments(content):
        raw = content[start + 4:end - 3]
        inner = raw.strip()
        if not _is_waiver(inner):
            continue
        body_at = start + 4 + (len(raw) - len(raw.lstrip())) + len(_WAIVER_OPEN)
        body_at += len(content[body_at:end - 3]) - len(content[body_at:end - 3].lstrip())
        body = inner[len(_WAIVER_OPEN):].strip()
        split = next((i for i, char in enumerate(body) if char.isspace()), len(body))
        rule, rest = body[:split], body[split:]
        waiver_line = line + content[:start].count("\n")
        if not _RULE_ID.fullmatch(rule):
            errors.error(waiver_line, f"regc:ignore needs a rule id: <!-- regc:ignore RULE reason=\"...\" -->, not {body!r}")
            continue
        args, problem = _waiver_attributes(rest)
        if problem is not None:
            offset, message = problem
            at_line, at_col = where(body_at + split + offset)
            errors.error(at_line, f"regc:ignore {rule}: {message}; a waiver reads {WAIVER_FORM}", at_col)
            continue
        found.append(RawWaiver(rule=rule, reason=args.get("reason"), until=args.get("until"), pos=Pos(waiver_line),
                               alias=args.get("alias"), model=args.get("model")))
    return found


def _waiver_attributes(text: str) -> tuple[dict[str, str], tuple[int, str] | None]:
    """The ``key="value"`` attributes of a waiver (``text``: what follows its rule id), or the first problem's offset
    and message. One scan, each character looked at a bounded number of times."""
    args: dict[str, str] = {}
    at, size = 0, len(text)
    while True:
        while at < size and text[at].isspace():
            at += 1
        if at >= size:
            return args, None
        start = at
        while at < size and not text[at].isspace() and text[at] != "=":
            at += 1
        key = text[start:at]
        equals = at
        while equals < size and text[equals].isspace():
            equals += 1
        if not key or equals >= size or text[equals] != "=":
            word = key or text[start:].split(None, 1)[0]
            return args, (start, f"{word!r} is not an attribute (each is key=\"value\")")
        if key not in WAIVER_ATTRIBUTES:
            meant = typo_of(key, WAIVER_ATTRIBUTES)
            hint = f"; did you mean {meant}=?" if meant else ""
            return args, (start, f"unknown attribute {key}={hint} (its attributes: reason=, until=, alias=, model=)")
        if key in args:
            return args, (start, f"a second {key}=")
        value_at = equals + 1
        while value_at < size and text[value_at].isspace():
            value_at += 1
        if value_at >= size or text[value_at] != '"':
            word = text[value_at:].split(None, 1)[0] if value_at < size else ""
            quoted = len(word) >= 2 and word[0] == word[-1] == "'"
            shown = word[1:-1] if quoted else word
            how = "in single quotes" if quoted else "not quoted"
            return args, (value_at, f"the value of {key}= is {how}; write {key}=\"{shown or '...'}\"")
        close = text.find('"', value_at + 1)
        if close < 0:
            return args, (value_at, f"the value of {key}= has no closing double quote")
        args[key] = text[value_at + 1:close]
        at = close + 1
        if at < size and not text[at].isspace():
            return args, (at, f"{text[at:].split(None, 1)[0]!r} right after {key}=\"...\"; separate attributes with a space")


# --- sections to records ----------------------------------------------------

#: Key cells of an alias table regc reads (every other key is rationale), by the field they fill.
KEY_FIELDS = {"primary": "primary", "alternatives": "alternatives", "alternative": "alternatives",
              "fallbacks": "alternatives", "fallback": "alternatives", "status": "status"}
_KEY_SPELLINGS = {"primary": "Primary", "alternatives": "Alternatives", "alternative": "Alternatives",
                  "fallbacks": "Fallbacks", "fallback": "Fallbacks", "status": "Status"}


_ROUTING_FIELDS = {"primary", "alternatives"}
_ROUTING_SPELLINGS = {"Primary", "Alternatives", "Fallbacks"}


def key_field(key: str) -> str | None:
    """``primary`` / ``alternatives`` / ``status`` for a known key cell (normalised with ``_key``), else None (rationale)."""
    return KEY_FIELDS.get(key)


@functools.lru_cache(maxsize=1024)
def _key_typo(key: str) -> str | None:
    """The known key a rationale-looking key cell was meant to be: one word a typo away from one (``Primay``), or
    several words the first of which is one (``Primary model``: rationale keys do not start so)."""
    words = key.split()
    if not words:
        return None
    first = words[0].strip(":.,;()")
    if len(words) > 1 and first in KEY_FIELDS:
        return _KEY_SPELLINGS[first]
    near = typo_of(first, list(KEY_FIELDS)) if len(words) == 1 else typo_of(key, list(KEY_FIELDS), cutoff=0.85)
    return _KEY_SPELLINGS[near] if near is not None else None


def _alias(section: _Section, waivers: list[RawWaiver], errors: DiagnosticCollector) -> RawAlias:
    if not section.tables:
        if not section.misread:
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
    if table.header and (key_field(_key(table.header[0].value)) or _key_typo(_key(table.header[0].value))):
        rows.insert(0, (table.header, len(table.header)))
    primary: Text | None = None
    alternatives: tuple[Text, ...] = ()
    alternatives_at: Text | None = None
    status: Text | None = None
    rationale: list[tuple[str, Text]] = []
    typo = False
    doubled: list[tuple[Text, Text]] = []  # a second Alternatives row, and the first's value
    for row, written in rows:
        if written < 2 or len(row) < 2 or not row[0].value:
            line = row[0].pos.line if row else table.pos.line
            errors.error(line, f"broken row in the table of alias `{section.name}` ({written} cell); "
                         "write each row on one line as | **Key** | value |")
            continue
        key_cell, value = row[0], row[1]
        key = _key(key_cell.value)
        field = key_field(key)
        if field == "primary":
            if primary is not None:
                errors.error(key_cell.pos.line, f"alias `{section.name}` has a second Primary row (first at line {primary.pos.line})",
                             key_cell.pos.col)
            primary = value
        elif field == "alternatives":
            if alternatives_at is not None:
                doubled.append((key_cell, alternatives_at))
            alternatives = _entries(value)
            alternatives_at = value
        elif field == "status":
            if status is not None:
                errors.error(key_cell.pos.line, f"alias `{section.name}` has a second Status row (first at line {status.pos.line})",
                             key_cell.pos.col)
            status = value
        else:
            meant = _key_typo(key)
            if meant is not None:
                errors.error(key_cell.pos.line, f"unknown key {_KEY_MARKUP.sub('', key_cell.value).strip()!r} in the table of alias "
                             f"`{section.name}`; did you mean {meant!r}? (rationale keys such as `Why primary` are free text)",
                             key_cell.pos.col)
                typo = True
            elif _only_references(value.value):
                errors.error(key_cell.pos.line, f"the row {_KEY_MARKUP.sub('', key_cell.value).strip()!r} of alias "
                             f"`{section.name}` holds nothing but model references, so it looks like Alternatives, but as "
                             "rationale it would never be routed; did you mean `Alternatives`? (rationale is prose)",
                             key_cell.pos.col)
                typo = True
            rationale.append((_KEY_MARKUP.sub("", key_cell.value).strip().rstrip(":").strip(), value))
    for key_cell, first in doubled:
        if primary is None and first is doubled[0][1]:  # two Alternatives and no Primary: the first was meant as Primary
            errors.error(first.pos.line, f"alias `{section.name}` has two Alternatives rows and no Primary; did you mean "
                         "**Primary** here?", 1)
            typo = True
        else:
            errors.error(key_cell.pos.line, f"alias `{section.name}` has a second Alternatives row (first at line "
                         f"{first.pos.line})", key_cell.pos.col)
    keyed = [row for row, written in rows if written >= 2 and len(row) >= 2 and row[0].value]
    if primary is None and not typo and keyed and key_field(_key(keyed[0][0].value)) == "alternatives" and not doubled:
        # The first row, where Primary stands, reads Alternatives: that row was meant as the Primary.
        errors.error(keyed[0][0].pos.line, f"alias `{section.name}` has no Primary: add a row | **Primary** | `provider/model` | "
                     "above this one, or, if this first row was meant as the Primary, name it **Primary**", keyed[0][0].pos.col)
        typo = True
    if primary is not None and not primary.value and not typo:
        errors.error(primary.pos.line, f"the Primary row of alias `{section.name}` is empty; write the model (or alias) it "
                     "resolves to: | **Primary** | `provider/model` |", primary.pos.col)
    elif primary is None and not typo:
        errors.error(table.pos.line, f"alias `{section.name}` has no Primary; add a row | **Primary** | `provider/model` |")
    return RawAlias(
        name=section.name,
        section="use-case",
        title=section.title,
        pos=section.pos,
        primary=primary if primary is not None and primary.value else None,
        alternatives=alternatives,
        rationale=tuple(rationale),
        status=status if status is not None and status.value else None,
    )


def _entries(cell: Text) -> tuple[Text, ...]:
    return tuple(Text(entry, Pos(cell.pos.line, cell.pos.col + offset)) for entry, offset in cells.split_entries(cell.value))


# --- table kinds ---------------------------------------------------------------------------

#: The legacy table's columns, by the field they fill; `Alias` and `Resolves to` are required.
LEGACY_COLUMNS = {"alias": "alias", "resolves to": "target", "resolves": "target", "target": "target",
                  "alternatives": "alternatives", "alternative": "alternatives", "fallbacks": "alternatives",
                  "fallback": "alternatives", "notes": "notes", "note": "notes", "status": "status"}
_LEGACY_SPELLINGS = ["Alias", "Resolves to", "Alternatives", "Fallbacks", "Status", "Notes"]


def _table_kind(table: _Table) -> str | None:
    """What a table that is not an alias section's own table is: ``legacy`` (its header resembles
    ``Alias | Resolves to``), ``keyvalue`` (a Primary-like key in its first column), ``models`` (a Model column and
    another Models column), or None: prose."""
    keys = [_key(cell.value) for cell in table.header]
    for key in keys:
        if LEGACY_COLUMNS.get(key) in {"alias", "target"} or typo_of(key, ["alias", "resolves to"]) is not None:
            return "legacy"
    if (keys and "alias" in keys[0]) or _alias_rows(table):  # `Alias name | Maps to`; `` `turbo` | `openai/gpt-9` `` rows
        return "legacy"
    fields = [model_field(cell.value) for cell in table.header]
    if "model" in fields and sum(1 for field in fields if field not in {None, "model", "source"}) >= 1:
        return "models"
    if len(table.header) == 2:  # a key/value table has two columns
        firsts = [keys[0], *(_key(row[0].value) for row in table.rows if row)]
        # A Status row alone does not make a key/value table: two-column prose tables list statuses.
        if any(key_field(key) in _ROUTING_FIELDS or _key_typo(key) in _ROUTING_SPELLINGS for key in firsts):
            return "keyvalue"
    return None


def _alias_rows(table: _Table) -> bool:
    """Every row of ``table`` is an alias name in a code span followed by a model reference in a code span."""
    rows = [row for row in table.rows if row]
    return bool(rows) and len(table.header) >= 2 and all(
        len(row) >= 2 and cells.is_alias_name(_code_span(row[0].value) or "") and _is_code_ref(row[1].value) for row in rows)


def _code_span(value: str) -> str | None:
    """The content of a cell that is one code span, else None."""
    value = value.strip()
    if len(value) > 2 and value.startswith("`") and value.endswith("`") and "`" not in value[1:-1]:
        return value[1:-1].strip()
    return None


def _is_code_ref(entry: str) -> bool:
    """``entry`` is a model reference in a code span, optionally followed by a parenthesised note."""
    entry = entry.strip()
    close = entry.find("`", 1)
    if not entry.startswith("`") or close < 0:
        return False
    rest = entry[close + 1:].strip()
    return cells.is_model_ref(entry[1:close].strip()) and "/" in entry[1:close] and (not rest or (rest[0] == "(" and rest[-1] == ")"))


def _only_references(value: str) -> bool:
    """A cell that holds nothing but model references in code spans, as an Alternatives cell does."""
    return value.startswith("`") and all(_is_code_ref(entry) for entry, _ in cells.split_entries(value))


def _stray_key_value_table(section: _Section, table: _Table, errors: DiagnosticCollector) -> None:
    """A key/value table with a Primary-like key where no alias section holds it: pointed at the heading to fix."""
    row = next((row for row in (table.header, *table.rows) if row and (key_field(_key(row[0].value)) or _key_typo(_key(row[0].value)))),
               table.header)
    key = _KEY_MARKUP.sub("", row[0].value).strip() if row else "Primary"
    meant = next((m for m in reversed(section.meant) if m[0] < table.pos.line and _ALIAS_SUFFIX.search(m[1])), None)
    if meant is not None:
        errors.error(meant[0], f"this line reads as an alias heading, and the table at line {table.pos.line} has a `{key}` row, "
                     f"but it is no level-{SECTION_LEVEL} heading: write `{'#' * SECTION_LEVEL} {_plain_heading(meant[1])}`")
        return
    if section.kind == "alias":
        errors.error(row[0].pos.line, f"a second key/value table in alias section `{section.name}` (a `{key}` row); each alias "
                     "section has one table: merge them, or give this one its own `## Title · alias `name`` heading", row[0].pos.col)
    elif section.heading:
        heading = section.heading.rstrip()
        name = _last_code_span(heading)
        name = name if name is not None and cells.is_alias_name(name) else None
        title = heading
        mentions = _MENTIONS_ALIAS.search(heading)
        if mentions is not None:  # `Cheap, alias: cheap`: the word after `alias` names it
            after = heading[mentions.end():].strip(" :`").split()
            name = name or (after[0].strip("`") if after and cells.is_alias_name(after[0].strip("`")) else None)
            title = heading[:mentions.start()]
        errors.error(section.pos.line, f"the table at line {table.pos.line} has a `{key}` row, but this heading is not an alias "
                     f"heading; end it with ``alias `name```: `{'#' * SECTION_LEVEL} {suggested(title, name or 'name')}`")
    else:
        errors.error(row[0].pos.line, f"a key/value table with a `{key}` row before any alias heading; put it under "
                     "`## Title · alias `name``", row[0].pos.col)


def _plain_heading(text: str) -> str:
    return text.lstrip("#").strip()


def _stray_models_table(section: _Section, table: _Table, errors: DiagnosticCollector) -> None:
    """A table that reads like a Models table where no Models section holds it."""
    meant = next((m for m in reversed(section.meant) if m[0] < table.pos.line and _plain(m[1]).lower().rstrip(":") == "models"), None)
    if meant is not None:
        errors.error(meant[0], f"this line reads as the Models heading, and the table at line {table.pos.line} is a Models table, "
                     f"but it is no level-{SECTION_LEVEL} heading: write `## Models`")
    elif section.near_models:
        errors.error(section.pos.line, f"{section.heading!r} holds a Models table (line {table.pos.line}); did you mean `## Models`?")
    else:
        where = f"under `{section.heading}`" if section.heading else "before any section"
        errors.error(table.pos.line, f"a table with Model and price or status columns {where} is not read; Models tables stand "
                     "under `## Models` (or its subsections)")


def _legacy(table: _Table, waivers: list[RawWaiver], errors: DiagnosticCollector) -> list[RawAlias]:
    columns: dict[str, int] = {}
    unknown: list[Text] = []
    for index, cell in enumerate(table.header):
        field = LEGACY_COLUMNS.get(_key(cell.value))
        if field is None:
            unknown.append(cell)
        elif field in columns:
            errors.error(cell.pos.line, f"a second {cell.value!r} column in the legacy alias table", cell.pos.col)
        else:
            columns[field] = index
    missing = [name for name, field in (("Alias", "alias"), ("Resolves to", "target")) if field not in columns]
    spellings = [s.lower() for s in _LEGACY_SPELLINGS]
    for cell in unknown:
        near = difflib.get_close_matches(_key(cell.value), spellings, n=1, cutoff=0.6)
        # No close spelling: the unknown columns, in order, stand where the missing required ones would.
        in_place = missing[unknown.index(cell)] if len(missing) == len(unknown) else None
        meant = _LEGACY_SPELLINGS[spellings.index(near[0])] if near else in_place
        hint = f"; did you mean {meant!r}?" if meant else ""
        errors.error(cell.pos.line, f"unknown column {cell.value!r} in the legacy alias table{hint} (its columns are Alias, "
                     "Resolves to, and optionally Alternatives, Status and Notes)", cell.pos.col)
    if missing:
        if not unknown:
            errors.error(table.pos.line, f"the legacy alias table needs the column{'s' * (len(missing) > 1)} {' and '.join(missing)}")
        return []
    found: list[RawAlias] = []
    for index, row in enumerate(table.rows):
        name_cell = _cell(row, columns["alias"])
        if name_cell is None or not name_cell.value:
            errors.error(row[0].pos.line if row else table.pos.line, "legacy alias row without an alias name")
            continue
        cell = name_cell
        name = _unquoted(cell.value)
        if not cells.is_alias_name(name):
            errors.error(cell.pos.line, cells.alias_name_problem(name), cell.pos.col)
            continue
        target = _cell(row, columns["target"])
        if target is None or not target.value:
            errors.error(cell.pos.line, f"legacy alias `{name}` has no `Resolves to` value")
        alternatives = _cell(row, columns.get("alternatives"))
        notes = _cell(row, columns.get("notes"))
        status = _cell(row, columns.get("status"))
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
            status=status if status is not None and status.value else None,
        ))
    return found


def _unquoted(value: str) -> str:
    """A name cell without its backticks or bold; an unbalanced backtick stays, to be refused as a character of the name."""
    name = value.strip("* ")
    if len(name) >= 2 and name.startswith("`") and name.endswith("`"):
        return name[1:-1].strip()
    return name


def _cell(row: list[Text], index: int | None) -> Text | None:
    if index is None or index >= len(row):
        return None
    return row[index]


# --- the Models table ------------------------------------------------------------------------

#: A Models column header: a field's word, then what may follow it (a price's unit must be per 1M tokens).
_HEADER_WORDS = (
    ("model", "model"), ("kind", "kind"), ("type", "kind"), ("input", "input"), ("output", "output"),
    ("cache read", "cache_read"), ("cached input", "cache_read"), ("cache write", "cache_write"),
    ("context", "context"), ("status", "status"), ("lifecycle", "status"), ("source", "source"),
    ("notes", "source"), ("note", "source"),
)
_PER_MTOK = re.compile(
    r"\s*+(?:price|cost)?+\s*+\(?+\s*+(?:\$|usd)?+\s*+(?:(?:/|per)\s*+(?:1\s*+m|m|mtok|million)(?:\s*+tok(?:en)?+s?+)?+)?+\s*+\)?+"
)
_AFTER = {
    "model": re.compile(r"(?:\s++(?:id|ref|reference))?+"),
    "context": re.compile(r"(?:\s++window)?+\s*+(?:\(\s*+tokens\s*+\)|tokens)?+"),
    "input": _PER_MTOK, "output": _PER_MTOK, "cache_read": _PER_MTOK, "cache_write": _PER_MTOK,
}
#: The headers a did-you-mean suggests.
MODEL_HEADERS = ("Model", "Kind", "Input $/MTok", "Output $/MTok", "Cache read $/MTok", "Cache write $/MTok", "Context", "Status",
                 "Source", "Notes")


@functools.lru_cache(maxsize=256)
def model_field(header: str) -> str | None:
    """The field a Models table column fills, from its header: ``Input $/MTok`` -> ``input``; None for a header that is
    not one (the parser refuses it; ``regc prices`` and ``regc fmt`` ignore it)."""
    key = _key(header)
    for word, field in _HEADER_WORDS:
        if key.startswith(word):
            after = _AFTER.get(field)
            rest = key[len(word):]
            if (after.fullmatch(rest) is not None) if after is not None else rest == "":
                return field
    return None


def _header_problem(header: str) -> str:
    key = _key(header)
    if not key:
        return "a column without a header; name it (Model, Kind, Input $/MTok, Output $/MTok, Context, Status, Source)"
    for word, field in _HEADER_WORDS:
        if key.startswith(word) and field in {"input", "output", "cache_read", "cache_write"}:
            return (f"column {header!r}: prices in the Models table are per 1M tokens (`{word.capitalize()} $/MTok`); a price per "
                    "image or minute gives its unit in the cell (`$0.04/image`)")
    near = difflib.get_close_matches(key, [h.lower() for h in MODEL_HEADERS], n=1, cutoff=0.5)
    if not near:
        near = difflib.get_close_matches(key.split(" ")[0], [h.lower().split(" ")[0] for h in MODEL_HEADERS], n=1, cutoff=0.5)
        near = [next(h.lower() for h in MODEL_HEADERS if h.lower().split(" ")[0] == near[0])] if near else []
    hint = f"; did you mean {next(h for h in MODEL_HEADERS if h.lower() == near[0])!r}?" if near else ""
    return f"unknown column {header!r} in the Models table{hint} (its columns are {', '.join(MODEL_HEADERS[:-1])} or Notes)"


def _models(section: _Section, waivers: list[RawWaiver], errors: DiagnosticCollector) -> list[RawModel]:
    tables = [t for t in section.tables if _table_kind(t) != "legacy"]
    if not tables:
        errors.error(section.pos.line, "the Models section has no table; "
                     "add | Model | Kind | Input $/MTok | Output $/MTok | Context | Status |")
        return []
    found: list[RawModel] = []
    for table in tables:
        found.extend(_model_rows(table, waivers, errors))
    return found


def _model_rows(table: _Table, waivers: list[RawWaiver], errors: DiagnosticCollector) -> list[RawModel]:
    fields: list[str | None] = []
    seen: dict[str, Text] = {}
    for cell in table.header:
        field = model_field(cell.value)
        if field is None:
            errors.error(cell.pos.line, _header_problem(cell.value), cell.pos.col)
        elif field in seen:
            errors.error(cell.pos.line, f"a second {field.replace('_', ' ')} column ({cell.value!r}; the first is "
                         f"{seen[field].value!r}); keep one", cell.pos.col)
            field = None
        else:
            seen[field] = cell
        fields.append(field)
    if "model" not in fields:
        errors.error(table.pos.line, "a Models table needs a `Model` column")
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
        model_ref = _unquoted(ref.value)
        waivers.extend(dataclasses.replace(w, model=w.model or model_ref) for w in table.row_waivers.get(index, ()))
        missing = max(0, len(table.header) - table.widths[index]) if index < len(table.widths) else 0
        found.append(RawModel(ref=Text(model_ref, ref.pos), cells=cells_by_field, pos=ref.pos, missing=missing))
    return found
