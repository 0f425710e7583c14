"""``regc prices``: compare the registry's Models table with a public catalog, and write the catalog's values back.

``compare`` looks every Models row up in the catalog by its exact key (``regc.catalogs``)
and returns one ``Difference`` per disagreement, at the registry cell it concerns:

- ``catalog-price`` (error): an input, output, cache-read or cache-write price differs by more
  than the cell's written precision (at least a cent's half, so ``$0.00185/min`` matches
  0.0018498) and more than ``threshold`` percent of the catalog's price. A range (an estimate)
  matches any price inside it. Prices are compared in the cell's unit (per 1M tokens, per image,
  per minute from LiteLLM's per-second figures); a catalog without a price in that unit is silent.
- ``catalog-context`` (error): the context window differs. ``128,000`` must match exactly;
  ``128K``/``1M`` are rounded figures and match within 1% of N×1000ᵏ or N×1024ᵏ (both are in use:
  128K is 128,000 at OpenAI and 131,072 at DeepSeek).
- ``catalog-lifecycle`` (error): the catalog dates the model (LiteLLM's ``deprecation_date``) and the
  Status does not give that date, or the catalog marks it deprecated (models.dev) and the Status
  says active or nothing.
- ``catalog-unlisted`` (warning): the first-party provider's key is not in the catalog (catalogs
  delete retired models), unless the Status already says deprecated or retired.
- ``catalog-blank`` (info): the registry leaves a cell blank that the catalog has a value for.

Prices and context windows of a model retired on or before ``today`` (by its Status or by the
catalog's date) are not compared: the row is history, and a catalog that still lists the name lists
whatever serves it now.

``edits`` turns the differences into ``rewrite.CellEdit``s: what ``regc prices sync`` writes.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from regc.about import HOMEPAGE
from regc.catalogs import FIELDS, Field, Unit
from regc.parse.cells import usd_text

if TYPE_CHECKING:
    import datetime
    from collections.abc import Mapping

    from regc.catalogs import Catalog, Facts, Lookup
    from regc.lint import LintResult
    from regc.model import Model, Price
    from regc.model.providers import Provider
    from regc.model.resolve import ResolvedRegistry
    from regc.parse.document import CellEdit, Document, Row, Table
    from regc.rules import Rule, Severity

Check = Literal["catalog-price", "catalog-context", "catalog-lifecycle", "catalog-unlisted", "catalog-blank"]
CellField = Literal["input", "output", "cache_read", "cache_write", "context", "status"]

#: Each check's severity and one-line summary (``regc prices check`` reports them like lint rules).
CHECKS: dict[Check, tuple[Severity, str]] = {
    "catalog-price": ("error", "A price differs from the catalog's beyond the cell's precision and the threshold."),
    "catalog-context": ("error", "The context window differs from the catalog's."),
    "catalog-lifecycle": ("error", "The catalog dates the model's retirement (or marks it deprecated) and the Status does not say so."),
    "catalog-unlisted": ("warning", "The model's first-party provider is no longer listed for it in the catalog."),
    "catalog-blank": ("info", "The registry leaves a value blank that the catalog gives (`regc prices sync` fills it)."),
}
FIELD_WORDS = {"input": "input price", "output": "output price", "cache_read": "cache-read price", "cache_write": "cache-write price",
                "context": "context window", "status": "Status"}
_UNIT_WORDS = {"mtok": "per 1M tokens", "image": "per image", "minute": "per minute", "second": "per second"}
_UNIT_SUFFIX = {"mtok": "", "image": "/image", "minute": "/min", "second": "/s"}
_NUMBER = re.compile(r"\d[\d,]*(?:\.(\d+))?|\.(\d+)")
_STATUS_TAIL = re.compile(r"(?<!\s)\s*+(?:→|->|=>|,?+\s*+use\b|,?+\s*+replaced by\b).*$", re.I | re.S)
_CONTEXT_TOLERANCE = Decimal("0.01")
#: The documentation page of the checks and its title's anchor (SARIF's helpUri).
DOCS_PAGE = "docs/prices.md"
DOCS_ANCHOR = "prices-and-lifecycle-from-catalogs-regc-prices"


@dataclasses.dataclass(frozen=True)
class Difference:
    """One disagreement between a Models row and the catalog, where to report it, and what sync writes."""

    check: Check
    model: str
    message: str
    line: int
    col: int
    field: CellField | None = None
    old: str | None = None  # the cell as written
    new: str | None = None  # what `regc prices sync` writes into the cell; None: nothing to write
    cell: int | None = None  # the cell's index in its row (for the writer)

    @property
    def severity(self) -> Severity:
        return CHECKS[self.check][0]

    @property
    def was(self) -> str:
        """The old value as a reader sees it: without comments (waivers) and code marks; ``(blank)`` for none."""
        return shown(self.old) or "(blank)"


def shown(cell: str | None) -> str:
    """A cell's value without HTML comments and surrounding backticks (``$9.00`` for a backticked ``$9.00`` and a waiver)."""
    from regc.parse.markdown import strip_comments  # a linear scan, as the parser finds comments

    return strip_comments(cell or "").strip().strip("`").strip()


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Everything ``compare`` found, and how many models it could judge."""

    catalog: Catalog
    registry_path: str
    differences: tuple[Difference, ...]
    listed: int
    unlisted: int
    not_covered: tuple[str, ...]  # models whose provider the catalog does not cover (or regc does not know)
    local: int

    def summary(self) -> str:
        skipped = f", {len(self.not_covered)} on providers it does not cover" if self.not_covered else ""
        local = f", {self.local} local" if self.local else ""
        return f"{self.listed} listed, {self.unlisted} not listed{skipped}{local}"


@dataclasses.dataclass(frozen=True)
class _Cells:
    """Where a Models row's cells are (markdown): the row, and the column of each field; None for YAML."""

    row: Row | None
    columns: Mapping[str, int]

    def cell(self, field: str) -> tuple[int, str] | None:
        """(index, text) of the field's cell; None when the table has no such column or the row is short of it."""
        index = self.columns.get(field)
        if index is None or self.row is None or index >= len(self.row.cells):
            return None
        return index, self.row.cells[index].text

    def has(self, field: str) -> bool:
        return self.row is None or field in self.columns

    def pos(self, field: str, model: Model) -> tuple[int, int]:
        index = self.columns.get(field)
        if self.row is not None and index is not None and index < len(self.row.cells):
            return self.row.line, self.row.cells[index].col
        return model.pos.line, model.pos.col


#: A row with no cells to point at (a YAML registry): every field is compared, findings go to the model's line.
_NOWHERE = _Cells(None, {})


def compare(
    registry: ResolvedRegistry,
    catalog: Catalog,
    providers: Mapping[str, Provider],
    *,
    today: datetime.date,
    threshold: Decimal = Decimal(0),
    document: Document | None = None,
) -> Comparison:
    """Every difference between ``registry``'s Models rows and ``catalog``; ``document`` (markdown) locates cells."""
    located = _located(document, registry) if document is not None else {}
    differences: list[Difference] = []
    listed = unlisted = local = 0
    not_covered: list[str] = []
    for model in registry.models:
        lookup = catalog.lookup(model.ref, providers.get(model.ref.provider or ""))
        cells = located.get(model.pos.line, _NOWHERE)
        if lookup.status == "local":
            local += 1
        elif lookup.status == "not-covered":
            not_covered.append(str(model.ref))
        elif lookup.status == "unlisted":
            unlisted += 1
            differences.extend(_unlisted(model, lookup, catalog))
        else:
            assert lookup.facts is not None
            listed += 1
            if not _retired(model, lookup.facts, today):  # a retired row is history: no figures to compare or fill
                differences.extend(_prices(model, lookup.facts, catalog, cells, threshold))
                differences.extend(_context(model, lookup.facts, catalog, cells))
            differences.extend(_lifecycle(model, lookup.facts, catalog, cells, today))
    return Comparison(catalog, registry.registry.path, tuple(sorted(differences, key=lambda d: (d.line, d.col, d.check))),
                      listed, unlisted, tuple(not_covered), local)


def _retired(model: Model, facts: Facts, today: datetime.date) -> bool:
    """Retired on or before ``today`` by the Status or by the catalog."""
    dates = [d for d in (model.status.date, facts.deprecation) if d is not None]
    return model.status.state == "retired" or any(d <= today for d in dates)


def _located(document: Document, registry: ResolvedRegistry) -> dict[int, _Cells]:
    """Each Models row's cells, by line, in one pass over the document's tables.

    Every table is read with its own header: a registry may have several Models sections, each with
    its own column order. (Finding each row's table anew was a scan of every table per model: 36 s
    for a 10,000-alias registry.)
    """
    lines = {model.pos.line for model in registry.models}
    found: dict[int, _Cells] = {}
    for table in document.tables:
        rows = [row for row in table.rows if row.line in lines]
        if rows:
            columns = _columns(table)
            found.update((row.line, _Cells(row, columns)) for row in rows)
    return found


def model_columns(document: Document, registry: ResolvedRegistry) -> dict[str, int]:
    """Field -> column index of the (first) Models table, read from its header as the parser reads it."""
    table = document.table_at(registry.models[0].pos.line) if registry.models else None
    return _columns(table) if table is not None else {}


def _columns(table: Table) -> dict[str, int]:
    """Field -> column index of a Models table, read from its header as the parser reads it (the last
    column of a field wins, as in the IR)."""
    from regc.parse.markdown import model_field  # the parser's own header grammar, so both agree

    columns: dict[str, int] = {}
    for index, cell in enumerate(table.header.cells):
        field = model_field(cell.content)
        if field is not None:
            columns[field] = index
    return columns


# --- prices ----------------------------------------------------------------------


def _prices(model: Model, facts: Facts, catalog: Catalog, cells: _Cells, threshold: Decimal) -> list[Difference]:
    found = []
    for field in FIELDS:
        if not cells.has(field):
            continue
        value: Price | str | None = getattr(model, field)
        where = cells.cell(field)
        line, col = cells.pos(field, model)
        written = where[1] if where else None
        if value == "n/a":
            continue
        if value is None:
            unit, catalog_price = _any_price(facts, field)
            if catalog_price is None or unit is None:
                continue
            new = format_price(catalog_price, unit, None)
            found.append(Difference("catalog-blank", str(model.ref), f"`{model.ref}` has no {FIELD_WORDS[field]}; {_says(catalog, facts)} "
                                    f"{new} ({_UNIT_WORDS[unit]}); `regc prices sync` writes it", line, col, field,
                                    written, new, where[0] if where else None))
            continue
        assert not isinstance(value, str)
        catalog_price = facts.price(field, value.unit)
        if catalog_price is None or _price_matches(value, written, catalog_price, threshold):
            continue
        new = format_price(catalog_price, value.unit, written)
        change = f" ({_percent(value.usd, catalog_price)})" if value.usd and not value.estimate else ""
        found.append(Difference("catalog-price", str(model.ref), f"`{model.ref}` {FIELD_WORDS[field]} is {shown(written) or value.usd} "
                                f"{_UNIT_WORDS[value.unit]}; {_says(catalog, facts)} {new}{change}",
                                line, col, field, written, new, where[0] if where else None))
    return found


def _any_price(facts: Facts, field: Field) -> tuple[Unit | None, Decimal | None]:
    """A catalog price for a blank cell: per 1M tokens if it has one, else per image, else per minute."""
    units: tuple[Unit, ...] = ("mtok", "image", "minute")
    for unit in units:
        price = facts.price(field, unit)
        if price is not None:
            return unit, price
    return None, None


def _price_matches(value: Price, written: str | None, catalog_price: Decimal, threshold: Decimal) -> bool:
    """Equal at the precision the cell is written with (at least cents), or within ``threshold`` percent."""
    tolerance = Decimal(5) * Decimal(10) ** -(max(_decimals(written), 2) + 1)
    low = value.low if value.low is not None else value.usd
    if low - tolerance <= catalog_price <= value.usd + tolerance:
        return True
    nearest = low if catalog_price < low else value.usd
    if catalog_price == 0:
        return False
    return abs(nearest - catalog_price) * 100 / catalog_price <= threshold


def _decimals(text: str | None) -> int:
    """The most digits after a decimal point in any number of ``text`` (``$0.00185/min`` -> 5)."""
    found = 0
    for match in _NUMBER.finditer(text or ""):
        digits = match.group(1) or match.group(2) or ""
        found = max(found, len(digits))
    return found


def _percent(old: Decimal, new: Decimal) -> str:
    change = (new - old) * 100 / old
    return f"{'+' if change > 0 else ''}{change.quantize(Decimal(1))}%"


def format_price(value: Decimal, unit: Unit, old: str | None) -> str:
    """A price as the registry writes it: ``$0.14``, ``$30.00``, ``$0.0018498/min``: at least cents,
    every digit the catalog gives up to the 9 decimal places a cell may hold (a catalog's floats carry noise
    past them: ``0.40000000000000003``), ``$`` unless the old cell had none, the unit suffix the old cell used."""
    from regc.parse.cells import MAX_PRICE_DECIMALS

    places = Decimal(1).scaleb(-MAX_PRICE_DECIMALS)
    number = usd_text(value.quantize(places).normalize() if value != value.quantize(places) else value)
    dollar = "$" if old is None or "$" in old or not old.strip() else ""
    suffix = _UNIT_SUFFIX[unit]
    if old:
        match = re.search(r"/\s*+[A-Za-z0-9 ]++$", old.strip().strip("`"))
        if match and unit != "mtok":
            suffix = match.group(0)
    return f"{dollar}{number}{suffix}"


# --- context ---------------------------------------------------------------------


def _context(model: Model, facts: Facts, catalog: Catalog, cells: _Cells) -> list[Difference]:
    if facts.context is None or not cells.has("context"):
        return []
    where = cells.cell("context")
    written = where[1] if where else None
    line, col = cells.pos("context", model)
    new = format_context(facts.context)
    index = where[0] if where else None
    if model.context is None:
        return [Difference("catalog-blank", str(model.ref), f"`{model.ref}` has no context window; {_says(catalog, facts)} "
                           f"{facts.context:,} tokens; `regc prices sync` writes {new}", line, col, "context", written, new, index)]
    if context_matches(written or str(model.context), model.context, facts.context):
        return []
    return [Difference("catalog-context", str(model.ref), f"`{model.ref}` context window is {shown(written) or f'{model.context:,}'}; "
                       f"{_says(catalog, facts)} {facts.context:,} tokens ({new})", line, col, "context", written, new, index)]


def context_matches(written: str, value: int, catalog_value: int) -> bool:
    """Exact for a number written out; within 1% of the decimal or binary reading for ``128K``/``1M``."""
    text = written.strip().strip("`").strip().rstrip("+").lower()
    if not re.search(r"\d\s*[km]\b", text.replace("tokens", "").replace("tok", "")):
        return value == catalog_value
    scale = 1000 if re.search(r"\d\s*k", text) else 1_000_000
    number = Decimal(value) / scale
    binary = number * (1024 if scale == 1000 else 1024 * 1024)
    return any(abs(Decimal(catalog_value) - reading) <= reading * _CONTEXT_TOLERANCE for reading in (Decimal(value), binary))


def format_context(tokens: int) -> str:
    """The shortest exact form: ``1M`` (1,000,000 or 1,048,576), ``1.05M``, ``128K`` (128,000 or 131,072), else ``8,191``."""
    for base, suffix in ((1_000_000, "M"), (1024 * 1024, "M"), (1000, "K"), (1024, "K")):
        if tokens >= base and (tokens * 100) % base == 0:
            number = Decimal(tokens) / base
            if base in {1024, 1024 * 1024} and number != number.to_integral_value():
                continue
            text = f"{number:.2f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return f"{tokens:,}"


# --- lifecycle -------------------------------------------------------------------


def _lifecycle(model: Model, facts: Facts, catalog: Catalog, cells: _Cells, today: datetime.date) -> list[Difference]:
    status = model.status
    where = cells.cell("status")
    written = where[1] if where else None
    line, col = cells.pos("status", model)
    index = where[0] if where else None
    here = f"the Status says `{shown(written)}`" if shown(written) else "the registry gives no Status"
    if facts.deprecation is not None:
        if status.date == facts.deprecation:
            return []
        state = "retired" if facts.deprecation <= today else "deprecated"
        days = (facts.deprecation - today).days
        when = f"stopped being served on {facts.deprecation}" if days <= 0 else f"stops being served on {facts.deprecation}, in {days} days"
        new = _status_text(state, facts.deprecation.isoformat(), written)
        return [Difference("catalog-lifecycle", str(model.ref), f"`{model.ref}`: {_says(catalog, facts)} it {when} "
                           f"(deprecation_date); {here}", line, col, "status", written, new if cells.has("status") else None, index)]
    if facts.deprecated and status.state not in {"deprecated", "retired"}:
        new = _status_text("deprecated", None, written)
        return [Difference("catalog-lifecycle", str(model.ref), f"`{model.ref}`: {_says(catalog, facts)} it is deprecated "
                           f"(no date); {here}", line, col, "status", written, new if cells.has("status") else None, index)]
    return []


def _status_text(state: str, date: str | None, old: str | None) -> str:
    """The new Status: state and date, followed by the old cell's replacement (``→ `x/y```) verbatim."""
    tail = _STATUS_TAIL.search(old or "")
    text = f"{state} {date}" if date else state
    return text + (tail.group(0) if tail and old and not old.lower().startswith(("active", "unknown")) else "")


def _unlisted(model: Model, lookup: Lookup, catalog: Catalog) -> list[Difference]:
    if model.status.state in {"deprecated", "retired"}:
        return []
    hints = "".join(f"; {hint}" for hint in lookup.hints)
    return [Difference("catalog-unlisted", str(model.ref), f"`{model.ref}` is not in {catalog.label} (no key `{lookup.key}`): "
                       f"retired or renamed? give it a Status or replace it{hints}", model.pos.line, model.pos.col)]


def _says(catalog: Catalog, facts: Facts) -> str:
    return f"{catalog.label} `{facts.key}` says"


# --- reporting and writing ---------------------------------------------------------


def lint_result(comparison: Comparison) -> LintResult:
    """The differences as a ``LintResult``, so every lint reporter (text, json, sarif, github, junit) prints them."""
    from regc.lint import Finding, LintResult

    findings = tuple(
        Finding(file=comparison.registry_path, line=d.line, col=d.col, rule=d.check, severity=d.severity, message=d.message, model=d.model)
        for d in comparison.differences
    )
    return LintResult(tuple(sorted(findings)), (), check_rules(), comparison.registry_path, None)


def check_rules() -> dict[str, Rule[Any]]:
    """Each check as a rule object the reporters can describe (SARIF's rule descriptors, JUnit's suites)."""
    from regc.rules import Rule, RuleOptions

    class CatalogCheck(Rule[RuleOptions]):
        """A check of ``regc prices check``: not a lint rule (it needs a catalog), so it registers nowhere."""

        def __init__(self, check: Check) -> None:
            self.id = check  # an instance attribute: an `id` in the class body would register a lint rule
            self.default_severity, self._summary = CHECKS[check]

        @property
        def doc(self) -> str:
            return (f"{self._summary}\n\nReported by `regc prices check`; the documentation's "
                    "\"Prices and lifecycle from catalogs\" page explains it.")

        @property
        def uri(self) -> str:
            return f"{HOMEPAGE}/blob/main/{DOCS_PAGE}#{DOCS_ANCHOR}"

    return {check: CatalogCheck(check) for check in CHECKS}


def edits(comparison: Comparison) -> list[CellEdit]:
    """What ``regc prices sync`` writes: each difference that has a cell and a new value."""
    from regc.parse.cells import CellError, read_price
    from regc.parse.document import CellEdit

    found = []
    for d in comparison.differences:
        if d.new is not None and d.cell is not None and d.new != d.old:
            if d.field in {"input", "output", "cache_read", "cache_write"}:
                try:
                    read_price(d.new)
                except CellError:
                    continue  # a catalog figure the registry cannot hold (over the maximum): reported, never written
            found.append(CellEdit(d.line, d.cell, d.new))
    return found
