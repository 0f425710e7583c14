"""Rendering a ``Comparison`` for people and tools: text, markdown (a pull request summary), JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from regc.model.resolve import ResolvedRegistry
    from regc.reports.compare import Change, Comparison


def text(comparison: Comparison, old: str, new: str) -> str:
    """One line per change: ``code-fast: output $1.50 → $2.50 per 1M, ×1.7``; breaking ones marked."""
    from regc.escape import terminal

    if not comparison.changes:
        return terminal(f"nothing that reaches an output changed between {old} and {new}\n")
    return terminal("".join(f"{c.message}{'  [breaking]' if c.breaking else ''}\n" for c in comparison.changes))


def markdown(comparison: Comparison, old: str, new: str) -> str:
    """A reviewer's summary: breaking changes first, then one table row per changed alias."""
    lines = [f"### Registry changes: {cell(old)} → {cell(new)}", ""]
    if not comparison.changes:
        return "\n".join([*lines, "Nothing that reaches an output changed.", ""])
    breaking = comparison.breaking
    if breaking:
        noun = "change" if len(breaking) == 1 else "changes"
        lines += [f"**{len(breaking)} breaking {noun}**: clients that use these aliases today will fail or get another kind of answer.", ""]
        lines += [f"- {_subject(c.subject)}: {cell(c.text)}" for c in breaking]
        lines.append("")
    grouped = comparison.by_alias()
    lines += ["| alias | what changed |", "|---|---|"]
    for subject, changes in grouped.items():
        described = "<br>".join(("**breaking**: " if c.breaking else "") + cell(c.text) for c in changes)
        lines.append(f"| {_subject(subject)} | {described} |")
    count = sum(1 for changes in grouped.values() if changes[0].alias)
    others = len(grouped) - count
    aliases = "alias" if count == 1 else "aliases"
    more = f"; {others} more to Models rows or the registry" if others else ""
    lines += ["", f"{count} {aliases} changed, {len(breaking)} breaking{more}.", ""]
    from regc.escape import terminal

    return terminal("\n".join(lines))  # a reviewer reads it: no bidirectional or control characters


#: Beyond this many changed aliases the pictures are left out: GitHub stops rendering a diagram that large.
MAX_PICTURED = 40


def routing(old: ResolvedRegistry, new: ResolvedRegistry, names: Sequence[str], old_label: str, new_label: str) -> str:
    """The chains of the aliases ``names``, before and after, as two Mermaid diagrams (``regc graph``'s writer)."""
    from regc.reports import graph

    lines = ["#### Routing of the changed aliases", ""]
    if len(names) > MAX_PICTURED:
        return "\n".join([*lines, f"{len(names)} aliases changed: too many to draw here; `regc graph ALIAS...` draws any of them.", ""])
    pictures = []
    for registry in (old, new):
        known = {a.name for a in registry.aliases}
        present = [name for name in names if name in known]
        pictures.append(graph.mermaid(graph.build(registry, None, present)).rstrip("\n") if present else None)
    if pictures[0] is not None and pictures[0] == pictures[1]:  # a price or a text changed: one picture, not two alike
        return "\n".join([*lines, f"**{cell(f'Unchanged ({old_label} and {new_label})')}**", "",
                           "```mermaid", pictures[1], "```", ""])
    for label, picture in ((f"Before ({old_label})", pictures[0]), (f"After ({new_label})", pictures[1])):
        lines += [f"**{cell(label)}**", ""]
        lines += ["```mermaid", picture, "```", ""] if picture is not None else ["(none of these aliases)", ""]
    return "\n".join(lines)


def to_json(comparison: Comparison, old: str, new: str) -> str:
    document = {
        "old": old,
        "new": new,
        "breaking": bool(comparison.breaking),
        "changes": [_change_data(c) for c in comparison.changes],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _change_data(change: Change) -> dict[str, object]:
    return {
        "alias": change.alias or None,
        "model": change.model,
        "aspect": change.aspect,
        "breaking": change.breaking,
        "message": change.message,
        "old": change.old,
        "new": change.new,
        "line": change.line,
    }


def cell(value: str) -> str:
    """Text safe inside a markdown table cell: no pipes, newlines or HTML."""
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace("|", "\\|").replace("\r", " ").replace("\n", " "))


def _subject(subject: str) -> str:
    """An alias as a code span; ``model provider/id`` with the reference as one; ``registry`` as it is."""
    if subject.startswith("model "):
        return "model " + code(subject.removeprefix("model "))
    return subject if subject == "registry" else code(subject)


def code(value: str) -> str:
    """A code span that survives backticks and pipes inside ``value`` (HTML is inert in code spans)."""
    longest = current = 0
    for char in value:
        current = current + 1 if char == "`" else 0
        longest = max(longest, current)
    fence = "`" * (longest + 1)
    padded = f" {value} " if value.startswith("`") or value.endswith("`") else value
    return fence + padded.replace("|", "\\|").replace("\r", " ").replace("\n", " ") + fence
