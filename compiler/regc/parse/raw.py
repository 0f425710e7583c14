"""Raw records: what a front end found, as text, with where it found it.

Both front ends (markdown and YAML) produce these records and nothing else;
``regc.model`` gives them a meaning. Interpreting a cell (a price, a status,
a list of alternatives) therefore happens in exactly one place, which is why
a registry written as markdown and the same content written as YAML give the
same IR.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Literal


@dataclasses.dataclass(frozen=True)
class Pos:
    """A 1-based line and column in the source file."""

    line: int
    col: int = 1


@dataclasses.dataclass(frozen=True)
class Text:
    """A piece of source text (a table cell, a YAML scalar) and its position."""

    value: str
    pos: Pos


@dataclasses.dataclass(frozen=True)
class RawWaiver:
    """An inline ``<!-- regc:ignore RULE reason="..." -->`` comment.

    ``alias`` / ``model`` say what it applies to: the front end fills them
    from where the comment stands (before an alias heading, inside a row).
    """

    rule: str
    reason: str | None
    until: str | None
    pos: Pos
    alias: str | None = None
    model: str | None = None


@dataclasses.dataclass(frozen=True)
class RawAlias:
    """An alias section (``use-case``) or a row of the legacy table (``legacy``)."""

    name: str
    section: Literal["use-case", "legacy"]
    title: str
    pos: Pos
    primary: Text | None
    # Each alternative is the text of one entry; an entry's own note in
    # parentheses is split off by the model, not here.
    alternatives: tuple[Text, ...]
    rationale: tuple[tuple[str, Text], ...]
    notes: Text | None = None
    # The lifecycle cell (a `Status` row or column, YAML `status:`): `deprecated YYYY-MM-DD → replacement`.
    status: Text | None = None


@dataclasses.dataclass(frozen=True)
class RawModel:
    """A row of the ``## Models`` table: column name -> cell."""

    ref: Text
    cells: tuple[tuple[str, Text], ...]
    pos: Pos
    missing: int = 0  # cells the row's line writes fewer than its header has (markdown pads them; YAML: 0)


@dataclasses.dataclass(frozen=True)
class RawProse:
    """A section that regc keeps but does not interpret."""

    heading: str
    level: int
    pos: Pos


@dataclasses.dataclass(frozen=True)
class RawRegistry:
    path: str
    format: Literal["markdown", "yaml"]
    meta: dict[str, Any]
    meta_pos: dict[str, Pos]
    title: str | None
    aliases: tuple[RawAlias, ...]
    models: tuple[RawModel, ...]
    prose: tuple[RawProse, ...]
    waivers: tuple[RawWaiver, ...] = ()
