"""The registry's intermediate representation: frozen pydantic models with source positions.

``build`` turns a front end's raw records into a ``Registry``. It is the only
place where cell text gets a meaning (through ``regc.parse.cells``), and it
collects every structural error before raising, so a user sees all of them
at once. Semantic problems (a retired model, a bare name, a missing price) are
kept in the IR as they are: they are for the policy rules to report.
"""

from __future__ import annotations

import datetime
import functools
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from regc.errors import DiagnosticCollector
from regc.parse import cells

if TYPE_CHECKING:
    from regc.parse.raw import RawAlias, RawModel, RawRegistry, RawWaiver, Text

Kind = Literal["chat", "embedding", "image", "transcription", "speech", "moderation", "rerank"]
PriceUnit = Literal["mtok", "image", "minute", "second"]
State = Literal["active", "unknown", "deprecated", "retired"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Pos(Frozen):
    """A 1-based line and column in the registry file."""

    line: int
    col: int = 1


class Located(Frozen):
    """Something written at a place in the registry file.

    Line and column are plain fields rather than a nested ``Pos``: a large
    registry has some 70,000 positions, and one object less per value is a
    third of the IR's construction time. ``pos`` gives them as a ``Pos``.
    """

    line: int
    col: int = 1

    @property
    def pos(self) -> Pos:
        return Pos(line=self.line, col=self.col)


class ModelRef(Frozen):
    """``provider/model-id``; ``provider`` is None for a bare name (a ``model-ref-form`` finding)."""

    provider: str | None
    model: str

    def __str__(self) -> str:
        return f"{self.provider}/{self.model}" if self.provider else self.model

    @classmethod
    def parse(cls, text: str) -> ModelRef:
        return _parse_ref(text)


@functools.lru_cache(maxsize=65536)
def _parse_ref(text: str) -> ModelRef:
    # References repeat (a registry of 10,000 aliases names ~5,000 models ~50,000 times):
    # a frozen value can be shared, so each distinct text is parsed and validated once.
    provider, model = cells.split_ref(text)
    return ModelRef(provider=provider, model=model)


class Entry(Located):
    """A primary or an alternative, as written, with what it refers to.

    Exactly one of ``ref`` (a model) and ``alias`` (another alias) is set,
    or neither: then the entry is prose ("future ollama models pulled on
    demand"), kept as a note.
    """

    text: str  # as written, without markdown code marks
    ref: ModelRef | None = None
    alias: str | None = None
    note: str | None = None
    pending: bool = False

    @property
    def target(self) -> str:
        """What the entry names, without markup or note: a model reference, an alias, or the note's text."""
        if self.ref is not None:
            return str(self.ref)
        return self.alias if self.alias is not None else self.text

    @property
    def routable(self) -> bool:
        """A model that traffic can be sent to: a full ``provider/model`` that is not pending."""
        return self.ref is not None and self.ref.provider is not None and not self.pending


class Rationale(Located):
    key: str
    text: str


class Deprecation(Located):
    """An alias's announced end: from ``sunset`` on it may be removed; clients move to ``replacement`` (an alias).

    Written as the alias's Status (``deprecated YYYY-MM-DD → replacement``); the position is that cell's.
    """

    sunset: datetime.date
    replacement: str


class Alias(Located):
    name: str
    section: Literal["use-case", "legacy"]
    title: str
    primary: Entry
    alternatives: tuple[Entry, ...] = ()
    rationale: tuple[Rationale, ...] = ()
    notes: str | None = None
    deprecated: Deprecation | None = None


class Price(Frozen):
    """A price in USD. ``usd`` is the figure used; ``low`` is set when the cell gave a range (an estimate)."""

    usd: Decimal
    low: Decimal | None = None
    unit: PriceUnit = "mtok"

    @property
    def estimate(self) -> bool:
        return self.low is not None


PriceCell = Price | Literal["n/a"] | None


class Lifecycle(Frozen):
    """A model's status. ``unknown`` when the registry does not say (a blank cell, no Status column, no row)."""

    state: State = "unknown"
    date: datetime.date | None = None
    replacement: str | None = None


class Model(Located):
    """A row of the ``## Models`` table."""

    ref: ModelRef
    kind: Kind | None = None
    dimensions: int | None = None
    input: PriceCell = None
    output: PriceCell = None
    cache_read: PriceCell = None
    cache_write: PriceCell = None
    context: int | None = None
    status: Lifecycle = Lifecycle()
    source: str | None = None

    @property
    def free(self) -> bool:
        """Both prices are zero (``free``): a local model or a free tier."""
        return all(isinstance(p, Price) and p.usd == 0 for p in (self.input, self.output))


class Waiver(Located):
    """An inline ``regc:ignore`` comment: ``rule`` is waived for ``alias`` and/or ``model``."""

    rule: str
    reason: str | None = None
    until: datetime.date | None = None
    alias: str | None = None
    model: str | None = None


class Prose(Located):
    heading: str
    level: int


class Registry(Frozen):
    path: str
    format: Literal["markdown", "yaml"]
    title: str | None = None
    reviewed: datetime.date | None = None
    meta: dict[str, Any] = {}
    meta_lines: dict[str, int] = {}
    aliases: tuple[Alias, ...]
    models: tuple[Model, ...] = ()
    prose: tuple[Prose, ...] = ()
    waivers: tuple[Waiver, ...] = ()


# --- raw records -> IR ---------------------------------------------------------


def build(raw: RawRegistry) -> Registry:
    """Give raw records their meaning; raise ``InputError`` with every structural problem."""
    errors = DiagnosticCollector(raw.path)
    names = _Names({a.name for a in raw.aliases}, {m.ref.value for m in raw.models})
    aliases: list[Alias] = []
    seen: dict[str, int] = {}
    for raw_alias in raw.aliases:
        if raw_alias.name in seen:
            errors.error(raw_alias.pos.line, f"duplicate alias `{raw_alias.name}` (first defined at line {seen[raw_alias.name]}); "
                         "rename or merge one of them", raw_alias.pos.col)
            continue
        seen[raw_alias.name] = raw_alias.pos.line
        if not cells.is_alias_name(raw_alias.name):
            # One grammar for both front ends: a name is a client's model field, an HTTP header value,
            # a Go map key and a LiteLLM model group, so it stays a plain word.
            errors.error(raw_alias.pos.line, cells.alias_name_problem(raw_alias.name), raw_alias.pos.col)
            continue
        alias = _alias(raw_alias, names, errors)
        if alias is not None:
            aliases.append(alias)
    models = _models(raw.models, errors)
    reviewed = _reviewed(raw, errors)
    waivers = tuple(_waiver(w, errors) for w in raw.waivers)
    if not raw.aliases:
        errors.error(1, "the registry defines no aliases; add a section `## Title · alias `name`` with a | **Primary** | row")
    errors.raise_if_any()
    return Registry(
        path=raw.path,
        format=raw.format,
        title=raw.title,
        reviewed=reviewed,
        meta={k: _json_value(v) for k, v in raw.meta.items()},
        meta_lines={k: p.line for k, p in raw.meta_pos.items()},
        aliases=tuple(aliases),
        models=tuple(models),
        prose=tuple(Prose(heading=p.heading, level=p.level, **_at(p.pos)) for p in raw.prose),
        waivers=waivers,
    )


class _Names:
    """The alias names and the Models rows' references of the registry being built: what a note must not hide."""

    def __init__(self, aliases: set[str], models: set[str]) -> None:
        from regc.model.providers import BUILTIN

        self.aliases = aliases
        self.models = models
        # Providers a bare `provider/model` in a note may not name: regc's and those of the Models rows.
        self.providers = {*BUILTIN, *(model.split("/", 1)[0] for model in models if "/" in model)}


def _at(pos: Any) -> dict[str, int]:
    return {"line": pos.line, "col": pos.col}


def _alias(raw: RawAlias, names: _Names, errors: DiagnosticCollector) -> Alias | None:
    if raw.primary is None:
        return None  # the front end has reported the missing Primary
    primary = _primary(raw, names.aliases, errors)
    alternatives = []
    for text in raw.alternatives:
        entry = _alternative(raw.name, text, names, errors)
        if entry is not None:
            alternatives.append(entry)
    deprecated = _deprecation(raw, names.aliases, errors) if raw.status is not None else None
    if primary is None or len(alternatives) != len(raw.alternatives):
        return None
    return Alias(
        name=raw.name,
        section=raw.section,
        title=raw.title,
        primary=primary,
        alternatives=tuple(alternatives),
        rationale=tuple(Rationale(key=key, text=text.value, **_at(text.pos)) for key, text in raw.rationale),
        notes=raw.notes.value if raw.notes else None,
        deprecated=deprecated,
        **_at(raw.pos),
    )


def _deprecation(raw: RawAlias, alias_names: set[str], errors: DiagnosticCollector) -> Deprecation | None:
    """The alias's Status cell read (``cells.read_alias_status``): None when active, or after reporting what is wrong.

    The replacement must name another alias of this registry: a client told to move needs a name that answers.
    """
    assert raw.status is not None
    text = raw.status
    try:
        status = cells.read_alias_status(text.value)
    except cells.CellError as exc:
        errors.error(text.pos.line, f"Status of `{raw.name}`: {exc}", text.pos.col)
        return None
    if status is None:
        return None
    col = text.pos.col + status.replacement_offset
    if status.replacement == raw.name:
        errors.error(text.pos.line, f"Status of `{raw.name}`: an alias cannot be replaced by itself; name the alias clients "
                     "move to", col)
        return None
    if status.replacement not in alias_names:
        import difflib

        near = difflib.get_close_matches(status.replacement, sorted(alias_names - {raw.name}), n=1, cutoff=0.6)
        hint = f"; did you mean `{near[0]}`?" if near else ""
        errors.error(text.pos.line, f"Status of `{raw.name}` names unknown alias `{status.replacement}` as its replacement{hint}", col)
        return None
    return Deprecation(sunset=status.sunset, replacement=status.replacement, **_at(text.pos))


def _primary(raw: RawAlias, alias_names: set[str], errors: DiagnosticCollector) -> Entry | None:
    assert raw.primary is not None
    text = raw.primary
    where = "`Resolves to`" if raw.section == "legacy" else "Primary"
    parts = cells.split_entries(text.value) if "," in text.value else ()
    if len(parts) > 1:
        errors.error(text.pos.line, f"{where} of `{raw.name}` holds one model or alias, not {len(parts)}; "
                     "put the others in Alternatives, in fallback order", text.pos.col + parts[1][1])
        return None
    try:
        entry = cells.read_entry(text.value)
    except cells.EntryError as exc:
        errors.error(text.pos.line, f"{where} of `{raw.name}`: {exc}", text.pos.col + exc.offset)
        return None
    if entry.pending:
        errors.error(text.pos.line, f"{where} of `{raw.name}` is pending ({entry.note}); the primary must be routable today", text.pos.col)
        return None
    if "/" not in entry.head:
        # A bare name where a target is expected names an alias.
        if entry.head not in alias_names:
            hint = f"; if it is a model, write it with its provider: `provider/{entry.head}`" if cells.is_alias_name(entry.head) else ""
            errors.error(text.pos.line, f"{where} of `{raw.name}` names unknown alias `{entry.head}`{hint}", text.pos.col)
            return None
        return Entry(text=entry.clean, alias=entry.head, note=entry.note, **_at(text.pos))
    if not cells.is_model_ref(entry.head):
        problem = cells.ref_problem(entry.head)
        errors.error(text.pos.line, f"{where} of `{raw.name}` is not a model reference: {entry.head!r}; "
                     + (f"{problem}; " if problem else "") + "write `provider/model-id` (letters, digits and . : @ ~ + - _ /)",
                     text.pos.col)
        return None
    return Entry(text=entry.clean, ref=ModelRef.parse(entry.head), note=entry.note, **_at(text.pos))


def _alternative(alias: str, text: Text, names: _Names, errors: DiagnosticCollector) -> Entry | None:
    """One alternative, under the entry grammar (``cells.read_entry``); None after reporting what is wrong with it.

    Nothing that names a model is kept as a note by accident: a code span or bare word that is not a reference is
    an error, and so is a reference hidden in a note (a Models row or an alias in a code span) or in prose.
    """
    line, col = text.pos.line, text.pos.col
    try:
        entry = cells.read_entry(text.value, 0)
    except cells.EntryError as exc:
        errors.error(line, f"alternative of `{alias}`: {exc}", col + exc.offset)
        return None
    at = _at(text.pos)
    if entry.prose:
        for word, offset, _ in cells.references_in(entry.head):
            if cells.is_model_ref(word) and "/" in word:
                errors.error(line, f"`{word}` in the alternative {entry.head!r} of `{alias}` is a model reference inside prose, "
                             "so it would never be routed; write each alternative as a code span, separated by commas: "
                             f"{cells.ENTRY_FORMS}", col + offset)
                return None
        return Entry(text=text.value, note=text.value, **at)
    if entry.note is not None:
        for word, offset, code in cells.references_in(entry.note):
            if code and (word in names.models or word in names.aliases or ("/" in word and cells.is_model_ref(word))):
                errors.error(line, f"`{word}` sits in the note of `{entry.head}` (an alternative of `{alias}`), where it is never "
                             f"routed; make it an entry of its own (`{entry.head}`, `{word}`), or write it without backticks if it "
                             "is only mentioned", col + entry.note_offset + offset)
                return None
            if not code and cells.is_model_ref(word) and (word in names.models or word.split("/", 1)[0] in names.providers):
                # A bare `provider/model` of a known provider reads as a reference; words such as and/or stay prose.
                errors.error(line, f"`{word}` in the note of `{entry.head}` (an alternative of `{alias}`) reads as a model "
                             f"reference, which a note never routes; make it an entry of its own (`{entry.head}`, `{word}`), "
                             f"or, if it is only mentioned, name the model without its provider ({word.split('/', 1)[1]})",
                             col + entry.note_offset + offset)
                return None
    common: dict[str, Any] = {"text": entry.clean, "note": entry.note, "pending": entry.pending, **at}
    if entry.head in names.aliases:
        return Entry(alias=entry.head, **common)
    if cells.is_model_ref(entry.head):
        return Entry(ref=ModelRef.parse(entry.head), **common)
    if not entry.code and "/" not in entry.head:
        return Entry(text=text.value, note=text.value, **at)  # a word that is no reference: kept as a note
    problem = cells.ref_problem(entry.head)
    errors.error(line, f"alternative {entry.head!r} of `{alias}` is not a model reference"
                 + (f": {problem}" if problem else "") + "; write `provider/model-id` (letters, digits and . : @ ~ + - _ /), "
                 "or the name of an alias", col + (1 if entry.code else 0))
    return None


def _models(raw_models: tuple[RawModel, ...], errors: DiagnosticCollector) -> list[Model]:
    models: list[Model] = []
    seen: dict[str, int] = {}
    for raw in raw_models:
        ref_text = raw.ref.value
        if not cells.is_model_ref(ref_text):
            problem = cells.ref_problem(ref_text)
            errors.error(raw.ref.pos.line, f"{ref_text!r} is not a model reference; " + (f"{problem}; " if problem else "")
                         + "write `provider/model-id`", raw.ref.pos.col)
            continue
        if ref_text in seen:
            errors.error(raw.pos.line, f"duplicate Models row for `{ref_text}` (first at line {seen[ref_text]}); keep one", raw.pos.col)
            continue
        seen[ref_text] = raw.pos.line
        fields: dict[str, Any] = {}
        unread = False
        for field, cell in raw.cells:
            try:
                fields.update(_model_cell(field, cell.value))
            except cells.CellError as exc:
                if raw.missing and not unread:  # the cause, said once before what it made of the cells after it
                    errors.error(raw.pos.line, f"`{ref_text}`'s row writes {raw.missing} cell{'s' if raw.missing > 1 else ''} "
                                 "fewer than the Models header, so the cells after the gap are read one column early; "
                                 "write an empty cell as `| |`", raw.pos.col)
                unread = True
                errors.error(cell.pos.line, f"`{ref_text}` {field.replace('_', ' ')}: {exc}", cell.pos.col)
        models.append(Model(ref=ModelRef.parse(ref_text), **_at(raw.pos), **fields))
    return models


def _model_cell(field: str, text: str) -> dict[str, Any]:
    if field == "kind":
        kind, dims = cells.read_kind(text)
        return {"kind": kind, "dimensions": dims}
    if field in {"input", "output", "cache_read", "cache_write"}:
        price = cells.read_price(text)
        if isinstance(price, cells.PriceText):
            return {field: Price(usd=price.usd, low=price.low, unit=price.unit)}
        return {field: price}
    if field == "context":
        return {"context": cells.read_context(text)}
    if field == "status":
        status = cells.read_status(text)
        return {"status": Lifecycle(state=status.state, date=status.date, replacement=status.replacement)}
    if field == "source":
        return {"source": text or None}
    raise AssertionError(field)  # pragma: no cover - the front ends only produce known fields


def _reviewed(raw: RawRegistry, errors: DiagnosticCollector) -> datetime.date | None:
    value = raw.meta.get("reviewed")
    if value is None:
        return None
    line = raw.meta_pos["reviewed"].line if "reviewed" in raw.meta_pos else 1
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    try:
        return cells.read_date(str(value))
    except cells.CellError as exc:
        errors.error(line, f"front matter `reviewed`: {exc}")
        return None


def _waiver(raw: RawWaiver, errors: DiagnosticCollector) -> Waiver:
    until = None
    if raw.until:
        try:
            until = cells.read_date(raw.until)
        except cells.CellError as exc:
            errors.error(raw.pos.line, f"regc:ignore {raw.rule} until=: {exc}")
    return Waiver(rule=raw.rule, reason=raw.reason, until=until, alias=raw.alias, model=raw.model, **_at(raw.pos))


def _json_value(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_value(v) for v in value]
    return value
