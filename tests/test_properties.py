"""Property-based tests: the parser's input space is every string a person can type."""

from __future__ import annotations

import contextlib
import re
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regc.errors import InputError
from regc.model import build
from regc.model.resolve import resolve
from regc.parse import cells
from regc.parse.markdown import parse_markdown
from regc.parse.yaml import parse_yaml

provider = st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)
model_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:@~+-]{0,30}", fullmatch=True)
alias_name = st.from_regex(r"[a-z][a-z0-9-]{0,15}", fullmatch=True)
# Cell text a person might write: anything printable on one line, but a pipe must be escaped in a table.
cell_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=60).map(
    lambda s: s.replace("\\", "").replace("|", "\\|").strip()
)


@given(provider, model_id)
def test_every_model_reference_round_trips(p: str, m: str) -> None:
    assert cells.split_ref(f"{p}/{m}") == (p, m)


@given(st.decimals(min_value=0, max_value=10_000, places=4, allow_nan=False, allow_infinity=False))
def test_price_reads_back_what_was_written(value: Decimal) -> None:
    price = cells.read_price(f"${value}")
    assert isinstance(price, cells.PriceText) and price.usd == value


@given(st.integers(min_value=1, max_value=10**6))
def test_context_reads_back_plain_and_k_forms(tokens: int) -> None:
    assert cells.read_context(str(tokens)) == tokens
    assert cells.read_context(f"{tokens}K") == tokens * 1000


@given(st.text(max_size=40))
def test_cell_readers_raise_only_cell_errors(text: str) -> None:
    for reader in (cells.read_price, cells.read_context, cells.read_kind, cells.read_status):
        with contextlib.suppress(cells.CellError):
            reader(text)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(alias_name, provider, model_id, st.lists(st.tuples(provider, model_id), max_size=3), cell_text),
        min_size=1, max_size=5, unique_by=lambda t: t[0],
    )
)
def test_generated_registries_parse_to_what_was_written(rows: list[tuple[str, str, str, list[tuple[str, str]], str]]) -> None:
    sections = []
    for name, p, m, alternatives, why in rows:
        alts = ", ".join(f"`{ap}/{am}`" for ap, am in alternatives) or "none yet"
        sections.append(f"## {name} · alias `{name}`\n\n| | |\n|---|---|\n| **Primary** | `{p}/{m}` |\n"
                        f"| **Alternatives** | {alts} |\n| **Why primary** | {why} |\n")
    registry = resolve(build(parse_markdown("# R\n\n" + "\n".join(sections), "r.md")))
    for name, p, m, alternatives, why in rows:
        alias = registry.alias(name)
        assert str(alias.primary.ref) == f"{p}/{m}"
        written = [f"{ap}/{am}" for ap, am in alternatives]
        assert [e.target for e in alias.alternatives if e.ref is not None] == written
        expected = list(dict.fromkeys([f"{p}/{m}", *written]))
        assert [str(ref) for ref in registry.resolve(name).models] == expected
        # markdown-it unescapes \| in cells; rationale keeps the rest verbatim.
        assert alias.rationale[0].text == why.replace("\\|", "|")


@settings(max_examples=300)
@given(st.text(max_size=300))
def test_arbitrary_markdown_is_a_registry_or_an_input_error(text: str) -> None:
    try:
        resolve(build(parse_markdown(text, "r.md")))
    except InputError as exc:
        assert all(re.match(r"r\.md:\d+:\d+: error: ", str(d)) for d in exc.diagnostics)


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_arbitrary_yaml_is_a_registry_or_an_input_error(text: str) -> None:
    try:
        resolve(build(parse_yaml(text, "r.yaml")))
    except InputError as exc:
        assert all(re.match(r"r\.yaml:\d+:\d+: error: ", str(d)) for d in exc.diagnostics)


alias_section = st.builds(
    lambda name, body: f"## T · alias `{name}`\n\n| | |\n|---|---|\n{body}\n",
    alias_name,
    st.lists(st.sampled_from(["| **Primary** | `a/b` |", "| **Primary** | c |", "| **Alternatives** | x, `d/e` (when) |", "| k | v |",
                              "| **Primary** |", "| a | b | c |", "<!-- regc:ignore r -->", "text"]), max_size=4).map("\n".join),
)


@settings(max_examples=300)
@given(st.lists(alias_section, max_size=4).map("\n".join))
def test_structured_noise_is_a_registry_or_an_input_error(text: str) -> None:
    with contextlib.suppress(InputError):
        resolve(build(parse_markdown(text, "r.md")))



json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=30,
)


@settings(max_examples=1000)
@given(json_values, st.integers(min_value=0, max_value=8))
def test_the_json_targets_encoder_writes_what_json_dumps_writes(value: object, indent: int) -> None:
    """The json target's own encoder (for speed) against the standard library's, as the oracle."""
    import json

    from regc.targets.json import dumps

    assert dumps(value, indent) == json.dumps(value, indent=indent or None, sort_keys=True, ensure_ascii=False)
