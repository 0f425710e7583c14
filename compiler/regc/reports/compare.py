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
alternatives, the alias it resolves through, its section, title, rationale or
notes or status (deprecated, sunset, replacement) changed; the price effect of all that on the alias's primary (``output
$1.50 → $2.50 per 1M, ×1.7``); a change of any model in its chain (a fallback's
price, the primary's context or status: the effect on this alias); and, once per
model, every change of a Models row (added, removed, kind, prices, context,
status, source), with the aliases whose chains it is in: plan-style, so that
every change that reaches a generated output is named. What reaches an output is
what the json target writes (``regc.targets.json``), which holds everything the
other targets read; a test checks that no two registries whose outputs differ
compare as unchanged.
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

Aspect = Literal["removed", "added", "kind", "primary", "fallbacks", "via", "pending", "section", "price", "chain", "title",
                 "rationale", "notes", "model", "reviewed", "status"]

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
    line: int | None = None  # the alias's (or Models row's) line in the new registry (None when it was removed)
    model: str | None = None  # a change of a Models row (``alias`` is then empty)

    @property
    def subject(self) -> str:
        """What changed: the alias, ``model provider/id``, or ``registry``."""
        return self.alias or (f"model {self.model}" if self.model else "registry")

    @property
    def message(self) -> str:
        return f"{self.subject}: {self.text}"


@dataclasses.dataclass(frozen=True)
class Comparison:
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    def by_alias(self) -> dict[str, list[Change]]:
        """Changes by subject (an alias, ``model provider/id``, ``registry``), in order."""
        grouped: dict[str, list[Change]] = {}
        for change in self.changes:
            grouped.setdefault(change.subject, []).append(change)
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
    changes.extend(_model_changes(old, new))
    old_reviewed, new_reviewed = old.registry.reviewed, new.registry.reviewed
    if old_reviewed != new_reviewed:
        changes.append(Change("", "reviewed", f"reviewed {old_reviewed or '(none)'} → {new_reviewed or '(none)'}",
                              old=str(old_reviewed) if old_reviewed else None, new=str(new_reviewed) if new_reviewed else None))
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
    for position, ref in enumerate(after.models):
        if ref not in before.models:
            continue  # a new primary or fallback: said above
        skip = ("input", "output", "kind") if position == 0 and before.primary == ref else ()
        described = _model_field_changes(old.model(ref), new.model(ref), skip)
        if described:
            role = "primary" if position == 0 else f"fallback {position}"
            add("chain", f"{role} {ref}: {'; '.join(described)}", None, None)
    from regc.targets.json import alias_document

    old_doc, new_doc = alias_document(old, name), alias_document(new, name)
    if old_doc["title"] != new_doc["title"]:
        add("title", f"title {old_doc['title']!r} → {new_doc['title']!r}", str(old_doc["title"]), str(new_doc["title"]))
    if old_doc["rationale"] != new_doc["rationale"]:
        add("rationale", f"rationale changed ({_rationale_keys(old_doc)} → {_rationale_keys(new_doc)})", None, None)
    if old_doc["notes"] != new_doc["notes"]:
        add("notes", f"notes {_list(map(str, old_doc['notes']))} → {_list(map(str, new_doc['notes']))}", None, None)  # type: ignore[call-overload]
    old_status, new_status = _alias_status(old_doc), _alias_status(new_doc)
    if old_status != new_status:
        add("status", f"status {old_status} → {new_status}", old_status, new_status)
    return found


def _alias_status(document: dict[str, object]) -> str:
    """``active`` or ``deprecated, sunset YYYY-MM-DD → replacement``: the lifecycle the json target writes."""
    if not document.get("deprecated"):
        return "active"
    return f"deprecated, sunset {document['sunset']} → {document['replacement']}"


def _rationale_keys(document: dict[str, object]) -> str:
    rows = document["rationale"]
    assert isinstance(rows, list)
    return _list(str(row["key"]) for row in rows)


def _model_changes(old: ResolvedRegistry, new: ResolvedRegistry) -> list[Change]:
    """Every Models row added, removed or changed, once, with the aliases whose chains hold it (in the new registry)."""
    found: list[Change] = []
    old_models = {str(m.ref): m for m in old.models}
    new_models = {str(m.ref): m for m in new.models}
    users: dict[str, list[str]] = {}
    for alias in new.aliases:
        for position, chained in enumerate(new.resolve(alias.name).models):
            users.setdefault(str(chained), []).append(f"{alias.name} ({'primary' if position == 0 else f'fallback {position}'})")
    for ref in [*old_models, *(r for r in new_models if r not in old_models)]:
        before, after = old_models.get(ref), new_models.get(ref)
        if before is not None and after is None:
            text = "removed from the Models table"
        elif before is None and after is not None:
            text = (f"added to the Models table ({_kind_text(after)}, input {_price(after.input) or 'unknown'}, "
                    f"output {_price(after.output) or 'unknown'})")
        else:
            described = _model_field_changes(before, after, ())
            if not described:
                continue
            text = "; ".join(described)
        effect = f"; in the chains of {', '.join(users[ref])}" if ref in users else "; in no alias's chain"
        line = after.pos.line if after is not None else None
        found.append(Change("", "model", text + effect, model=ref, line=line))
    return found


def _model_field_changes(old: Model | None, new: Model | None, skip: tuple[str, ...]) -> list[str]:
    """What changed between two versions of one Models row, field by field, as the outputs see it."""
    from regc.targets.json import model_document

    if old is None or new is None:
        return [] if old is new else ["Models row " + ("added" if old is None else "removed")]
    before, after = model_document(old), model_document(new)
    found: list[str] = []
    if "kind" not in skip and (before["kind"], before["dimensions"]) != (after["kind"], after["dimensions"]):
        found.append(f"kind {_kind_text(old)} → {_kind_text(new)}")
    for field in ("input", "output", "cache_read", "cache_write"):
        if field not in skip and before[field] != after[field]:
            found.append(_price_change(field, old, new) or f"{field.replace('_', ' ')} changed")
    if before["context"] != after["context"]:
        found.append(f"context {_tokens(old.context)} → {_tokens(new.context)}")
    if before["status"] != after["status"]:
        found.append(f"status {_status(old)} → {_status(new)}")
    if before["source"] != after["source"]:
        found.append("source changed")
    return found


def _tokens(count: int | None) -> str:
    return f"{count:,}" if count is not None else "unknown"


def _status(model: Model) -> str:
    status = model.status
    return status.state + (f" {status.date}" if status.date else "") + (f" → {status.replacement}" if status.replacement else "")


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
    name = field.replace("_", " ")
    if not isinstance(before, Price) and not isinstance(after, Price):
        return f"{name} {before or 'unknown'} → {after or 'unknown'}" if before != after else None
    if not isinstance(before, Price) or not isinstance(after, Price):
        return f"{name} {_price(before) or before or 'unknown'} → {_price(after) or after or 'unknown'}"
    if before.usd == after.usd and before.unit == after.unit and before.low == after.low:
        return None
    if before.unit != after.unit or before.usd == after.usd:
        return f"{name} {_price(before)} → {_price(after)}"
    effect = _ratio(before.usd, after.usd)
    return f"{name} ${usd_text(before.usd)} → ${usd_text(after.usd)} per {_UNITS[after.unit]}{effect}"


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
    low = f"${usd_text(value.low)}–" if value.low is not None else ""
    return f"{low}${usd_text(value.usd)} per {_UNITS[value.unit]}"

