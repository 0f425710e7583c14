"""`regc graph`: the DOT read back by the real Graphviz (`dot -Tjson`) and the Mermaid by a parser of its own,
every edge compared with `regc.load`'s chains; hostile names and titles neither break nor inject."""

from __future__ import annotations

import json
import re
import subprocess

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import regc
from regc.reports import graph as drawing
from tests.conftest import FIXTURES, ROOT, require_tool, run_regc

FEATURES = FIXTURES / "good/features.md"  # a legacy alias resolving to an alias, an alias entry, a pending entry
SEED = FIXTURES / "good/seed-000.md"  # retired and deprecated models (policy.yaml's `retired:`, Status cells)

#: (tail name, head name, label, dashed) read back from a drawing; a node is (id, name, detail, state-free).
Read = tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, bool]]]


def _unescape_dot(label: str) -> list[str]:
    """A DOT label as Graphviz shows it: `\\\\` a backslash, `\\n` a line break (the only escapes regc writes)."""
    lines, current, chars = [], [], iter(label)
    for char in chars:
        if char == "\\":
            following = next(chars)
            if following == "n":
                lines.append("".join(current))
                current = []
                continue
            assert following == "\\", f"unexpected escape \\{following} in {label!r}"
        current.append(char)
    return [*lines, "".join(current)]


def read_dot(text: str) -> Read:
    """Nodes (id → (name, detail)) and edges as Graphviz reads them (`dot -Tjson`); `dot -Tsvg` must draw it too."""
    dot = require_tool("dot")
    subprocess.run([dot, "-Tsvg", "-o", "/dev/null"], input=text.encode(), check=True, timeout=60)
    data = json.loads(subprocess.run([dot, "-Tjson"], input=text.encode(), check=True, capture_output=True, timeout=60).stdout)
    by_gvid = {o["_gvid"]: o["name"] for o in data.get("objects", [])}
    nodes = {}
    for obj in data.get("objects", []):
        name, *detail = _unescape_dot(obj["label"])
        assert len(detail) <= 1
        nodes[obj["name"]] = (name, detail[0] if detail else "")
    edges = [(by_gvid[e["tail"]], by_gvid[e["head"]], e["label"], e.get("style") == "dashed") for e in data.get("edges", [])]
    return nodes, edges


_ENTITY = re.compile(r"#(\d+);")
_MERMAID_NODE = re.compile(r'  ([am]\d+)(?:\("([^"]*)"\)|\["([^"]*)"\])')
_MERMAID_EDGE = re.compile(r'  ([am]\d+) (-->|==>|-\.->)\|"([^"]*)"\| ([am]\d+)')
_MERMAID_CLASS = re.compile(r"  (classDef (alias|pending|deprecated|retired) [a-z0-9:#,. -]+|class [am]\d+(,[am]\d+)* [a-z]+)")


def _unescape_mermaid(label: str) -> list[str]:
    return [_ENTITY.sub(lambda m: chr(int(m.group(1))), part) for part in label.split("<br>")]


def read_mermaid(text: str) -> Read:
    """A strict reader of the flowchart regc writes: every line is a node, an edge or a class; anything else fails."""
    head, *lines = text.splitlines()
    assert head == "flowchart LR" and text.endswith("\n")
    nodes: dict[str, tuple[str, str]] = {}
    edges = []
    for line in lines:
        if node := _MERMAID_NODE.fullmatch(line):
            name, *detail = _unescape_mermaid(node.group(2) if node.group(2) is not None else node.group(3))
            assert node.group(1) not in nodes and len(detail) <= 1
            nodes[node.group(1)] = (name, detail[0] if detail else "")
        elif edge := _MERMAID_EDGE.fullmatch(line):
            (label,) = _unescape_mermaid(edge.group(3))
            edges.append((edge.group(1), edge.group(4), label, edge.group(2) == "-.->"))
        else:
            assert _MERMAID_CLASS.fullmatch(line), f"not a line regc writes: {line!r}"
    return nodes, edges


def check_against_chains(read: Read, registry: regc.ResolvedRegistry, names: list[str]) -> None:
    """Every alias drawn has exactly its chain (numbered from 1), its pending entries dashed and its alias entries."""
    nodes, edges = read
    name_of = {node_id: name for node_id, (name, _) in nodes.items()}
    drawn_aliases = [name for node_id, name in name_of.items() if node_id.startswith("a")]
    for name in names:
        assert name in drawn_aliases
    for name in drawn_aliases:
        alias_id = next(i for i, n in name_of.items() if n == name and i.startswith("a"))
        mine = [(name_of[head], label, dashed) for tail, head, label, dashed in edges if tail == alias_id]
        numbered = sorted((int(label), head) for head, label, dashed in mine if label.isdigit() and not dashed)
        assert [head for _, head in numbered] == [str(ref) for ref in registry.resolve(name).models]
        assert [n for n, _ in numbered] == list(range(1, len(numbered) + 1))
        chain, alias = registry.resolve(name), registry.alias(name)
        assert sorted(head for head, label, dashed in mine if dashed) == sorted(e.target for e in chain.pending)
        assert sorted(head for head, label, _ in mine if label == "resolves to") == sorted(
            e.alias for e in (alias.primary, *alias.alternatives) if e.alias is not None and not e.pending)
        assert len(mine) == len(numbered) + len(chain.pending) + sum(1 for _, label, _ in mine if label == "resolves to")


def test_dot_of_this_repository_is_drawn_by_graphviz_and_matches_every_chain() -> None:
    result = run_regc("graph", "--format", "dot", cwd=ROOT)
    assert result.code == 0, result.err
    registry = regc.load(ROOT / "registry.md")
    read = read_dot(result.out)
    check_against_chains(read, registry, [a.name for a in registry.aliases])
    assert sorted(n for i, (n, _) in read[0].items() if i.startswith("a")) == sorted(a.name for a in registry.aliases)


def test_mermaid_of_this_repository_matches_every_chain() -> None:
    result = run_regc("graph", cwd=ROOT)
    assert result.code == 0, result.err
    registry = regc.load(ROOT / "registry.md")
    check_against_chains(read_mermaid(result.out), registry, [a.name for a in registry.aliases])


def test_legacy_alias_points_at_its_target_and_pending_entries_are_dashed() -> None:
    registry = regc.load(FEATURES)
    for fmt, reader in (("dot", read_dot), ("mermaid", read_mermaid)):
        result = run_regc("graph", "--registry", FEATURES, "--today", "2026-11-22", "--format", fmt, "best", cwd=ROOT)
        assert result.code == 0, result.err
        nodes, edges = reader(result.out)
        # `best` resolves to `reasoning`, which names `local`: all three are drawn, nothing else
        assert sorted(n for i, (n, _) in nodes.items() if i.startswith("a")) == ["best", "local", "reasoning"]
        name_of = {i: n for i, (n, _) in nodes.items()}
        assert ("best", "reasoning", "resolves to", False) in {(name_of[t], name_of[h], lbl, d) for t, h, lbl, d in edges}
        assert ("reasoning", "perplexity/sonar-pro", "pending", True) in {(name_of[t], name_of[h], lbl, d) for t, h, lbl, d in edges}
        check_against_chains((nodes, edges), registry, ["best"])


def test_retired_and_deprecated_models_are_marked_as_lint_sees_them() -> None:
    args = ("graph", "--registry", SEED, "--policy", ROOT / "policy.yaml", "--today", "2026-11-22")
    mermaid, dot = run_regc(*args, "code-fast", cwd=ROOT), run_regc(*args, "--format", "dot", "code-fast", cwd=ROOT)
    assert mermaid.code == dot.code == 0, mermaid.err + dot.err
    nodes = dict(read_dot(dot.out)[0].values())
    # the policy's `retired:` list (policy.yaml:7), as `regc explain` and the retired-model rule say
    assert nodes["xai/grok-code-fast-1"] == "retired 2026-05-15 → xai/grok-4.3"
    assert nodes["openai/gpt-5-mini"] == "deprecated, retires 2026-12-11 → openai/gpt-5.4-mini"
    assert nodes["mistral/codestral-latest"] == ""
    assert dict(read_mermaid(mermaid.out)[0].values()) == nodes
    retired_id = next(i for i, (n, _) in read_mermaid(mermaid.out)[0].items() if n == "xai/grok-code-fast-1")
    assert re.search(rf"^  class ([am]\d+,)*{retired_id}(,[am]\d+)* retired$", mermaid.out, re.M)
    assert re.search(r'label="xai/grok-code-fast-1\\n[^"]*", shape=ellipse, style="filled,bold"', dot.out)


def test_output_is_deterministic() -> None:
    first = run_regc("graph", "--format", "dot", "--today", "2026-11-22", cwd=ROOT)
    second = run_regc("graph", "--format", "dot", "--today", "2026-11-22", cwd=ROOT)
    assert first.code == 0 and first.out == second.out


def test_unknown_alias_exits_2_with_did_you_mean() -> None:
    result = run_regc("graph", "reasoning", "resoning", cwd=ROOT)
    assert result.code == 2 and result.out == ""
    assert "no alias 'resoning'" in result.err and "did you mean `reasoning`?" in result.err
    assert "Traceback" not in result.err


#: Names and titles built to break DOT or Mermaid: quotes, escapes, brackets, arrows, HTML, comments, newlines.
HOSTILE = st.one_of(
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=40),
    st.lists(st.sampled_from(['"', "\\", "\\n", "\\N", "\n", "\r", "`", "-->", "-.->", "==>", ";", "[", "]", "(", ")", "{", "}",
                              "|", "<b>", "</td>", "&amp;", "#quot;", "#35;", "%%", "<br>", "}\ndigraph x {", "a -> b", "ü", " ",
                              "\u2028", "\u2029", "\x85", "\x1b[2J", "\x7f"]),
             max_size=12).map("".join),
)


@st.composite
def graphs(draw: st.DrawFn) -> drawing.Graph:
    aliases = draw(st.lists(st.tuples(HOSTILE, HOSTILE), min_size=1, max_size=4))
    models = draw(st.lists(st.tuples(HOSTILE, HOSTILE, st.sampled_from(["active", "pending", "deprecated", "retired"])),
                           min_size=1, max_size=5))
    nodes = [drawing.Node(f"a{i}", n, t, "alias") for i, (n, t) in enumerate(aliases, 1)]
    nodes += [drawing.Node(f"m{i}", n, d, s) for i, (n, d, s) in enumerate(models, 1)]  # type: ignore[arg-type]
    edges = [drawing.Edge(f"a{i}", f"m{j}", draw(st.sampled_from(["1", "2", "pending", "resolves to"])), draw(st.booleans()))
             for i in range(1, len(aliases) + 1) for j in draw(st.lists(st.integers(1, len(models)), max_size=3))]
    return drawing.Graph(tuple(nodes), tuple(edges))


#: What a label cannot show on its one line, spelled out here rather than taken from ``drawing.printable`` (the code
#: under test): C0 and C1 controls, DEL, the line and paragraph separators, lone surrogates. Each is drawn as a space.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def expected(graph: drawing.Graph) -> Read:
    nodes = {n.id: (_UNPRINTABLE.sub(" ", n.name), _UNPRINTABLE.sub(" ", n.detail)) for n in graph.nodes}
    return nodes, [(e.tail, e.head, e.label, e.dashed) for e in graph.edges]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_hostile_text_neither_breaks_nor_injects_into_dot(graph: drawing.Graph) -> None:
    nodes, edges = read_dot(drawing.dot(graph))
    want_nodes, want_edges = expected(graph)
    # a detail that is empty is not written; a name that is empty reads back empty
    assert nodes == want_nodes
    assert sorted(edges) == sorted(want_edges)


@settings(max_examples=300, deadline=None)
@given(graphs())
def test_hostile_text_neither_breaks_nor_injects_into_mermaid(graph: drawing.Graph) -> None:
    text = drawing.mermaid(graph)
    assert read_mermaid(text) == expected(graph)
    for line in text.splitlines()[1:]:  # no registry text outside a quoted label: no `-->`, `;`, `%%` or tag of its own
        outside = re.sub(r'"[^"]*"', "", line)
        assert re.fullmatch(r"  [A-Za-z0-9 ,:#.()\[\]|=>-]*", outside), line


def test_docs_example_is_what_regc_prints() -> None:
    page = (ROOT / "docs/commands.md").read_text(encoding="utf-8")
    block = re.search(r"```console\n\$ regc graph (.+?)\n(.*?)```", page, re.S)
    assert block, "docs/commands.md lost its `regc graph` example"
    result = run_regc("graph", *block[1].split(), cwd=ROOT)
    assert result.code == 0 and result.out == block[2]
    check_against_chains(read_mermaid(result.out), regc.load(FEATURES), ["best"])
