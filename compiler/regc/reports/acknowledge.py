"""What ``regc breaking`` accepts: an alias removed after its sunset, and changes the policy acknowledges.

``compare`` says what is breaking by nature (an alias removed, its kind changed); ``accept`` decides which of
those a pull request may make:

- the removal of an alias whose sunset, as the registry *at the compared revision* wrote it
  (``deprecated YYYY-MM-DD → replacement``), is on or before today: its clients were told, and the date is
  the one they were told (a deprecation written in the same change as the removal does not count);
- any breaking change that ``policy.yaml`` acknowledges under ``breaking: acknowledge:``, by change id
  (``alias-removed``, ``kind-changed``) and alias, with a reason, up to and including its ``until`` day.

An accepted change stays in the report, no longer breaking, its text saying why it is accepted; a change
that is not accepted gets a note saying what would make it so. An acknowledgement past its ``until`` day
no longer applies, and one that matches no change is reported as unused, so that neither outlives the
change it was written for.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime

    from regc.lint.policy import Policy
    from regc.model.resolve import ResolvedRegistry
    from regc.reports.compare import Change, Comparison

#: A breaking change's stable id (what an acknowledgement names), by the aspect ``compare`` gives it.
CHANGE_IDS = {"removed": "alias-removed", "kind": "kind-changed"}


@dataclasses.dataclass(frozen=True)
class Accepted:
    """The comparison with accepted changes no longer breaking, and notes about the acknowledgements themselves."""

    comparison: Comparison
    notes: tuple[str, ...]


def accept(comparison: Comparison, old: ResolvedRegistry, policy: Policy, today: datetime.date) -> Accepted:
    """``comparison`` with each breaking change that is accepted (see the module's documentation) made non-breaking."""
    from regc.reports.compare import Comparison

    acknowledgements = policy.file.breaking.acknowledge
    used: set[int] = set()
    notes: list[str] = []
    changes: list[Change] = []
    for change in comparison.changes:
        change_id = CHANGE_IDS.get(change.aspect)
        if not change.breaking or change_id is None:
            changes.append(change)
            continue
        why = _sunset_passed(change, old, today) if change_id == "alias-removed" else None
        if why is None:
            for index, ack in enumerate(acknowledgements):
                if ack.change != change_id or ack.alias != change.alias:
                    continue
                where = f"{policy.display}:{policy.line('breaking', 'acknowledge', index)}"
                if ack.until < today:
                    notes.append(f"{where}: the acknowledgement of {change_id} `{change.alias}` ended on {ack.until.isoformat()}; "
                                 "it no longer applies")
                    used.add(index)
                    continue
                why = f"acknowledged in {where} until {ack.until.isoformat()}: {ack.reason}"
                used.add(index)
                break
        if why is None:
            changes.append(change)
            notes.append(f"{change.alias}: {_hint(change, change_id, old)}")
        else:
            changes.append(dataclasses.replace(change, breaking=False, text=f"{change.text} (accepted: {why})"))
    for index, ack in enumerate(acknowledgements):
        if index not in used:
            where = f"{policy.display}:{policy.line('breaking', 'acknowledge', index)}"
            notes.append(f"{where}: the acknowledgement of {ack.change} `{ack.alias}` matches no change; remove it")
    return Accepted(Comparison(tuple(changes)), tuple(notes))


def _sunset_passed(change: Change, old: ResolvedRegistry, today: datetime.date) -> str | None:
    deprecated = old.alias(change.alias).deprecated
    if deprecated is None or deprecated.sunset > today:
        return None
    return f"its sunset {deprecated.sunset.isoformat()} has passed; clients move to `{deprecated.replacement}`"


def _hint(change: Change, change_id: str, old: ResolvedRegistry) -> str:
    """What would make a breaking change acceptable (a note on stderr; the report itself stays as ``compare`` wrote it)."""
    ack = f"breaking: acknowledge: [{{change: {change_id}, alias: {change.alias}, reason: \"...\", until: YYYY-MM-DD}}]"
    if change_id == "alias-removed":
        deprecated = old.alias(change.alias).deprecated
        if deprecated is not None:
            return f"its sunset is {deprecated.sunset.isoformat()}: remove it then, or acknowledge it in the policy ({ack})"
        return f"deprecate it first (Status: deprecated YYYY-MM-DD → replacement), or acknowledge it in the policy ({ack})"
    return f"acknowledge it in the policy if clients can take it ({ack})"
