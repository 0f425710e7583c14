"""The ``sqlite`` target: the ``task_categories`` table that the registry's "Future" section asks for.

The smart router (AIGW-31) is to read its task categories from a SQLite
table; this target writes that table as SQL text, deterministic and
diffable, at ``targets/sqlite/task_categories.sql``. Load it with::

    sqlite3 routing.db < targets/sqlite/task_categories.sql

The script runs in one transaction and replaces the two tables and the view
(``DROP ... IF EXISTS`` first), so loading it again refreshes a database to
the registry's current state and nothing else in the database is touched.

``task_categories``: one row per alias, legacy ones included.

=================  =====================================================
``alias``          the alias (primary key)
``title``          the section title (a legacy alias: its name)
``section``        ``use-case`` or ``legacy``
``kind``           what the alias serves (its primary's kind), or NULL
``primary_model``  the primary, ``provider/model``
``input_usd``      the primary's input price in USD per ``input_unit``
``input_unit``     ``mtok`` (1M tokens), ``image``, ``minute``, ``second``
``output_usd``     the primary's output price in USD per ``output_unit``
``output_unit``    as ``input_unit``
=================  =====================================================

A price is NULL (with its unit) when the registry does not give it or says
``n/a``; ``free`` is 0. A range (``0.20-0.60``, an estimate) gives its upper
bound, the figure regc uses everywhere. Prices are written as the decimals
the registry gives (``0.006``), so they read back as the nearest REAL.

``task_category_fallbacks(alias, position, model)``: the ordered fallback
chain, one row per fallback, ``position`` 1 for the first model tried after
the primary. A table rather than a JSON column, so the router (or anyone)
can join and filter on models with plain SQL. ``task_category_chain`` is a
view of the whole chain, the primary at position 0.

Rows are sorted (alias, then position). Text is written as SQL string
literals with ``'`` doubled; control characters and line separators (a
newline in a YAML title) are written as ``char(N)``, so every statement
stays on one line and no character of a title can end a literal or a
statement.

Options (``[tool.regc.targets.sqlite]``): ``path`` (default
``targets/sqlite/task_categories.sql``) and ``database`` (default: none): a
path for a ready-made SQLite database built from the same SQL with the
``sqlite3`` module. The database is byte-identical from run to run with the
same SQLite library, but SQLite writes its own version into the file header,
so its bytes change with the library: this repository keeps only the SQL text
under version control, and builds the ``.db`` where it is deployed.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from pydantic import Field, ValidationInfo, field_validator

from regc.escape import BIDI
from regc.targets import Target, TargetOptions, header, templates

if TYPE_CHECKING:
    from jinja2 import Template

    from regc.model import PriceCell
    from regc.model.resolve import ResolvedRegistry


class SqliteOptions(TargetOptions):
    path_options = ("path", "database")

    path: str = "targets/sqlite/task_categories.sql"
    database: str | None = Field(
        default=None, description="also write a SQLite database built from the SQL here (its bytes depend on the SQLite version)"
    )

    @field_validator("database")
    @classmethod
    def _database(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and (not value.strip() or value == info.data.get("path")):
            raise ValueError("database needs a path of its own, not empty and not the SQL file's")
        return value


class SqliteTarget(Target[SqliteOptions]):
    name = "sqlite"
    description = (
        "the `task_categories` table the registry's Future section asks for (alias, title, kind, primary, prices) and "
        "`task_category_fallbacks(alias, position, model)`, as SQL text; optionally the `.db` built from it"
    )
    proven_by = (
        "loaded with Python's `sqlite3` and with the `sqlite3` CLI and queried: every row equals `regc.load`'s alias, chain "
        "and prices; hypothesis registries with hostile titles and names reload to the same data"
    )
    Options = SqliteOptions

    def render(self, registry: ResolvedRegistry, options: SqliteOptions) -> dict[str, bytes]:
        categories: list[list[object]] = []
        fallbacks: list[list[object]] = []
        for name in sorted(alias.name for alias in registry.aliases):
            alias, chain = registry.alias(name), registry.resolve(name)
            model = registry.model(chain.primary)
            input_usd, input_unit = _price(model.input if model else None)
            output_usd, output_unit = _price(model.output if model else None)
            # model.kind is registry.kind(name), without resolving the alias and looking its primary up again
            categories.append([name, alias.title, alias.section, model.kind if model else None, str(chain.primary),
                               input_usd, input_unit, output_usd, output_unit])
            fallbacks.extend([name, position, str(ref)] for position, ref in enumerate(chain.fallbacks, 1))
        # Each row is written as its literals here, once, rather than through a filter per value in the template.
        text = _template().render(
            header=header(registry),
            categories=[", ".join(map(sql_literal, row)) for row in categories],
            fallbacks=[", ".join(map(sql_literal, row)) for row in fallbacks],
        )
        outputs = {options.path: text.encode("utf-8")}
        if options.database:
            outputs[options.database] = database(text)
        return outputs


def _template() -> Template:
    return templates().get_template("sqlite.sql.jinja")


def _price(price: PriceCell) -> tuple[Decimal | None, str | None]:
    if price is None or isinstance(price, str):  # unknown, or "n/a"
        return None, None
    return price.usd, price.unit


def sql_literal(value: object) -> str:
    """``value`` as an SQLite literal: NULL, an integer, a decimal as written, or a quoted string.

    In a string ``'`` is doubled; a control character (U+0000-U+001F,
    U+007F-U+009F), a line or paragraph separator (U+2028, U+2029) or a
    bidirectional control (``regc.escape.BIDI``) is written as ``char(N)`` joined with ``||``, so the literal stays on one
    line for every reader, not just for SQLite. A lone surrogate has no UTF-8
    form: ``ValueError``.
    """
    if isinstance(value, str) and _NEEDS_CHAR.search(value) is None:
        return "'" + value.replace("'", "''") + "'"  # the common case first: a string no character of which needs char(N)
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} is not a finite number")
        return format(value, "f")
    if not isinstance(value, str):
        raise TypeError(f"no SQL literal for {type(value).__name__}")
    parts: list[str] = []
    run: list[str] = []
    for char in value:
        code = ord(char)
        if 0xD800 <= code <= 0xDFFF:
            raise ValueError(f"lone surrogate U+{code:04X} cannot be written as UTF-8")
        if _BREAKS.match(char):
            if run:
                parts.append("'" + "".join(run) + "'")
                run = []
            parts.append(f"char({code})")
        else:
            run.append("''" if char == "'" else char)
    if run or not parts:
        parts.append("'" + "".join(run) + "'")
    return " || ".join(parts)


# A control character or a line/paragraph separator (what some reader may take as a line break), or a
# bidirectional control (which reorders how the line is shown: ``regc.escape``): written as char(N).
_BREAK_CHARS = f"\x00-\x1f\x7f-\x9f\u2028\u2029{BIDI}"
_BREAKS = re.compile(f"[{_BREAK_CHARS}]")
#: A string holding none of these (nor a lone surrogate, refused below) is one plain quoted literal.
_NEEDS_CHAR = re.compile(f"[{_BREAK_CHARS}\ud800-\udfff]")


def database(sql: str) -> bytes:
    """The bytes of a SQLite database made by running ``sql`` in a fresh in-memory database."""
    import sqlite3

    connection = sqlite3.connect(":memory:")
    try:
        connection.executescript(sql)
        return connection.serialize()
    finally:
        connection.close()
