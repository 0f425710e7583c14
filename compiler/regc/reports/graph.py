"""``regc graph``: the routing as a picture, aliases → primary → fallbacks, in DOT (Graphviz) or Mermaid.

``build`` turns a resolved registry (and the lint run that judged it) into a ``Graph`` of plain nodes and
edges; ``dot`` and ``mermaid`` print it. Every piece of registry text (names, titles, statuses) reaches the
output only through ``dot_string`` or ``mermaid_string``, so that quotes, newlines, brackets, ``-->`` or
HTML in a title can neither break the file nor add a node, an edge or markup. Node ids are generated
(``a1``, ``m1``), never taken from the registry. The output depends on the registry and the date only.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from collections.abc import Sequence

    from regc.lint import LintResult
    from regc.model.resolve import ResolvedRegistry

State = Literal["active", "deprecated", "retired", "pending", "alias"]


@dataclasses.dataclass(frozen=True)
class Node:
    id: str
    name: str  # the alias or model reference
    detail: str  # an alias's title; a model's status when it is not active
    state: State


@dataclasses.dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    label: str  # the position in the chain (1 = primary), "pending", or "resolves to" (an alias entry)
    dashed: bool = False


@dataclasses.dataclass(frozen=True)
class Graph:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def build(registry: ResolvedRegistry, lint: LintResult | None, names: Sequence[str] = ()) -> Graph:
    """The aliases ``names`` (all when empty) and the aliases their entries name, with their chains.

    An alias has one edge per model of its chain (as ``regc.load`` resolves it, numbered from 1, the primary),
    one dashed edge per pending entry, and one ``resolves to`` edge per alias it names (a legacy alias's target).
    """
    wanted = _closure(registry, names) if names else [a.name for a in registry.aliases]
    nodes: dict[str, Node] = {f"alias:{name}": Node(f"a{index}", name, registry.alias(name).title, "alias")
                              for index, name in enumerate(wanted, 1)}
    edges: list[Edge] = []

    def model_node(ref: str, pending: bool) -> Node:
        key = f"model:{ref}"
        if key not in nodes:
            state: State = "pending"
            detail = ""
            if not pending:
                state, detail = _status(registry, ref, lint)
            nodes[key] = Node(f"m{len(nodes) - len(wanted) + 1}", ref, detail, state)
        return nodes[key]

    for name in wanted:
        tail = nodes[f"alias:{name}"].id
        alias = registry.alias(name)
        chain = registry.resolve(name)
        edges.extend(Edge(tail, model_node(str(ref), False).id, str(index)) for index, ref in enumerate(chain.models, 1))
        for entry in (alias.primary, *alias.alternatives):
            if entry.alias is not None:
                edges.append(Edge(tail, nodes[f"alias:{entry.alias}"].id, "pending" if entry.pending else "resolves to",
                                  dashed=entry.pending))
        edges.extend(Edge(tail, model_node(entry.target, True).id, "pending", dashed=True)
                     for entry in chain.pending if entry.alias is None)
    return Graph(tuple(nodes.values()), tuple(edges))


def _closure(registry: ResolvedRegistry, names: Sequence[str]) -> list[str]:
    """``names`` and every alias an entry of theirs names, in registry order."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            alias = registry.alias(name)
            todo.extend(e.alias for e in (alias.primary, *alias.alternatives) if e.alias is not None)
    return [a.name for a in registry.aliases if a.name in seen]


def _status(registry: ResolvedRegistry, ref: str, lint: LintResult | None) -> tuple[State, str]:
    """A model's status as lint judged it (``regc explain``'s): the Status cell, the policy's ``retired:``, a catalog."""
    from regc.reports.explain import lint_status

    retirement = lint.retirements.get(ref) if lint is not None else None
    if retirement is not None and lint is not None and lint.today is not None:
        return lint_status(retirement, lint.today)
    model = registry.model(ref)
    if model is not None and model.status.state in ("deprecated", "retired"):
        state: State = "retired" if model.status.state == "retired" else "deprecated"
        return state, model.status.state + (f" {model.status.date.isoformat()}" if model.status.date else "")
    return "active", ""


def printable(text: str) -> str:
    """``text`` on one line: control characters, separators of lines and surrogates become spaces."""
    return "".join(" " if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp") else c for c in text)


def dot_string(text: str) -> str:
    """A DOT quoted string whose label shows ``text`` as written: no escape (``\\N``, ``\\n``) or quote survives."""
    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_label(node: Node) -> str:
    parts = [node.name, node.detail] if node.detail else [node.name]
    return '"' + "\\n".join(dot_string(p)[1:-1] for p in parts) + '"'


_DOT_STYLE = {
    "alias": 'shape=box, style="rounded,filled", fillcolor="#e8f0fe"',
    "active": "shape=ellipse",
    "pending": 'shape=ellipse, style=dashed',
    "deprecated": 'shape=ellipse, style=filled, fillcolor="#fff3cd"',
    "retired": 'shape=ellipse, style="filled,bold", fillcolor="#f8d7da", color="#b00020"',
}


def dot(graph: Graph) -> str:
    """The graph in Graphviz's DOT: ``dot -Tsvg`` draws it, left to right."""
    lines = ["digraph regc {", "  rankdir=LR;", '  node [fontname="Helvetica"];', '  edge [fontname="Helvetica"];']
    lines.extend(f"  {n.id} [label={_dot_label(n)}, {_DOT_STYLE[n.state]}];" for n in graph.nodes)
    for e in graph.edges:
        style = ", style=dashed" if e.dashed else (", style=bold" if e.label == "resolves to" else "")
        lines.append(f"  {e.tail} -> {e.head} [label={dot_string(e.label)}{style}];")
    return "\n".join([*lines, "}"]) + "\n"


#: Characters a Mermaid label keeps as written; every other one is written as an entity (``#34;``).
_MERMAID_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ./_:,+@=-")


def mermaid_string(text: str) -> str:
    """A Mermaid quoted label showing ``text``: anything but letters, digits, spaces and ``./_:,+@=-`` as ``#NNN;``."""
    return '"' + "".join(c if c in _MERMAID_PLAIN or (c.isalnum() and c.isprintable()) else f"#{ord(c)};"
                         for c in printable(text)) + '"'


def _mermaid_label(node: Node) -> str:
    parts = [node.name, node.detail] if node.detail else [node.name]
    return '"' + "<br>".join(mermaid_string(p)[1:-1] for p in parts) + '"'


_MERMAID_CLASSES = {
    "alias": "fill:#e8f0fe",
    "pending": "stroke-dasharray:4 3",
    "deprecated": "fill:#fff3cd",
    "retired": "fill:#f8d7da,stroke:#b00020,stroke-width:2px",
}


def mermaid(graph: Graph) -> str:
    """The graph as a Mermaid flowchart (GitHub renders a ```` ```mermaid ```` block), left to right."""
    lines = ["flowchart LR"]
    for n in graph.nodes:
        open_, close = ("(", ")") if n.state == "alias" else ("[", "]")
        lines.append(f"  {n.id}{open_}{_mermaid_label(n)}{close}")
    for e in graph.edges:
        arrow = "-.->" if e.dashed else ("==>" if e.label == "resolves to" else "-->")
        lines.append(f"  {e.tail} {arrow}|{mermaid_string(e.label)}| {e.head}")
    for state, style in _MERMAID_CLASSES.items():
        members = [n.id for n in graph.nodes if n.state == state]
        if members:
            lines.append(f"  classDef {state} {style}")
            lines.append(f"  class {','.join(members)} {state}")
    return "\n".join(lines) + "\n"
