"""What changed between two resolved registries, alias by alias (``regc breaking``, ``regc diff``).

Pure: two ``ResolvedRegistry`` values in, a ``Comparison`` out; no git, no
files. The command line reads the old registry from a git revision and the
new one from the working tree or the index.

Breaking (clients that send the alias today get an error or a different kind
of answer; ``regc breaking`` exits 1):

- an alias is removed, legacy aliases included;
- an alias's kind changes (``chat`` → ``embedding``), or an embedding alias's
  dimensions change (stored vectors stop being comparable).

Reported, not breaking: an alias added; its primary, fallbacks, pending
alternatives, the alias it resolves through, or its section changed; and the
price effect of all that on the alias's primary (``output $1.50 → $2.50 per
1M, ×1.7``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from regc.parse.cells import usd_text

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal

    from regc.model import Model
    from regc.model.resolve import ResolvedRegistry

Aspect = Literal["removed", "added", "kind", "primary", "fallbacks", "via", "pending", "section", "price"]

_UNITS = {"mtok": "1M", "image": "image", "minute": "min", "second": "s"}


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference of one alias."""

    alias: str
    aspect: Aspect
    text: str  # what changed, without the alias: "output $1.50 → $2.50 per 1M, ×1.7"
    breaking: bool = False
    old: str | None = None
    new: str | None = None
    line: int | None = None  # the alias's line in the new registry (None when it was removed)

    @property
    def message(self) -> str:
        return f"{self.alias}: {self.text}"


@dataclasses.dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    def by_alias(self) -> dict[str, list[Change]]:
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.alias, []).append(change)
        return grouped


def compare(old: ResolvedRegistry, new: ResolvedRegistry) -> Comparison:
    """Every change from ``old`` to ``new``, alias by alias in the new registry's order, removed aliases first."""
    old_names = {a.name for a in old.aliases}
    new_names = {a.name for a in new.aliases}
    changes: list[Change] = []
    for name in (a.name for a in old.aliases):
        if name not in new_names:
            legacy = old.alias(name).section == "legacy"
            what = "legacy alias removed" if legacy else "removed"
            changes.append(Change(name, "removed", f"{what}: clients that send `{name}` will get an error", True, old=name))
    for alias in new.aliases:
        if alias.name in old_names:
            changes.extend(_alias_changes(old, new, alias.name))
        else:
            chain = new.resolve(alias.name)
            changes.append(Change(alias.name, "added", f"added: {chain.primary} ({_kind_text(new.model(chain.primary))})",
                                  new=str(chain.primary), line=alias.pos.line))
    return Comparison(tuple(changes))


def _alias_changes(old: ResolvedRegistry, new: ResolvedRegistry, name: str) -> list[Change]:
    line = new.alias(name).pos.line
    before, after = old.resolve(name), new.resolve(name)
    found: list[Change] = []

    def add(aspect: Aspect, text: str, old_value: str | None, new_value: str | None, breaking: bool = False) -> None:
        found.append(Change(name, aspect, text, breaking, old_value, new_value, line))

    old_primary, new_primary = old.model(before.primary), new.model(after.primary)
    old_kind, new_kind = _kind_text(old_primary), _kind_text(new_primary)
    if old_kind != new_kind:
        known = old_primary is not None and old_primary.kind is not None and new_primary is not None and new_primary.kind is not None
        note = ": clients get a different kind of answer" if known else ""
        add("kind", f"kind {old_kind} → {new_kind}{note}", old_kind, new_kind, breaking=known)
    old_section, new_section = old.alias(name).section, new.alias(name).section
    if old_section != new_section:
        add("section", f"moved from the {old_section} aliases to the {new_section} aliases", old_section, new_section)
    if before.via != after.via:
        add("via", f"resolves through {_list(before.via)} → {_list(after.via)}", _list(before.via), _list(after.via))
    if before.primary != after.primary:
        add("primary", f"primary {before.primary} → {after.primary}", str(before.primary), str(after.primary))
    if before.fallbacks != after.fallbacks:
        old_list, new_list = _list(str(m) for m in before.fallbacks), _list(str(m) for m in after.fallbacks)
        removed = [str(m) for m in before.fallbacks if m not in after.fallbacks]
        added = [str(m) for m in after.fallbacks if m not in before.fallbacks]
        if removed or added:
            parts = [f"− {m}" for m in removed] + [f"+ {m}" for m in added]
            text = f"fallbacks {', '.join(parts)} (now {new_list})"
        else:
            text = f"fallbacks reordered: {old_list} → {new_list}"
        add("fallbacks", text, old_list, new_list)
    old_pending = {_entry_text(e.target, e.note) for e in before.pending}
    new_pending = {_entry_text(e.target, e.note) for e in after.pending}
    for entry in sorted(new_pending - old_pending):
        add("pending", f"pending alternative added: {entry}", None, entry)
    for entry in sorted(old_pending - new_pending):
        add("pending", f"pending alternative removed: {entry}", entry, None)
    for field in ("input", "output"):
        effect = _price_change(field, old_primary, new_primary)
        if effect is not None:
            add("price", effect, _price(getattr(old_primary, field, None)), _price(getattr(new_primary, field, None)))
    return found


def _entry_text(target: str, note: str | None) -> str:
    return f"{target} ({note})" if note else target


def _list(items: Iterable[str]) -> str:
    values = list(items)
    return ", ".join(values) if values else "(none)"


def _kind_text(model: Model | None) -> str:
    if model is None or model.kind is None:
        return "unknown"
    return f"{model.kind} ({model.dimensions})" if model.dimensions else model.kind


def _price_change(field: str, old: Model | None, new: Model | None) -> str | None:
    from regc.model import Price

    before, after = getattr(old, field, None), getattr(new, field, None)
    if not isinstance(before, Price) and not isinstance(after, Price):
        return None
    if not isinstance(before, Price) or not isinstance(after, Price):
        return f"{field} {_price(before) or 'unknown'} → {_price(after) or 'unknown'}"
    if before.usd == after.usd and before.unit == after.unit:
        return None
    if before.unit != after.unit:
        return f"{field} {_price(before)} → {_price(after)}"
    effect = _ratio(before.usd, after.usd)
    return f"{field} ${usd_text(before.usd)} → ${usd_text(after.usd)} per {_UNITS[after.unit]}{effect}"


def _ratio(before: Decimal, after: Decimal) -> str:
    if before == 0:
        return " (was free)"
    if after == 0:
        return " (now free)"
    ratio = after / before
    text = f"{ratio:.1f}"
    if text in {"1.0", "0.0"}:
        text = f"{ratio:.2f}"
    return f", ×{text}"


def _price(value: object) -> str | None:
    from regc.model import Price

    if not isinstance(value, Price):
        return None
    if value.usd == 0:
        return "free"
    return f"${usd_text(value.usd)} per {_UNITS[value.unit]}"

