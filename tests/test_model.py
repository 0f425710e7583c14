"""What the registry means: entries, chains, prices, lifecycles, waivers, and markdown == YAML."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

import regc
from regc.model import Price
from regc.parse import cells
from tests.conftest import FIXTURES

FEATURES = regc.load(FIXTURES / "good/features.md")


def _strip_positions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_positions(v) for k, v in value.items() if k not in {"line", "col", "path", "format", "meta_lines"}}
    if isinstance(value, list):
        return [_strip_positions(v) for v in value]
    return value


def test_markdown_and_yaml_give_the_same_ir() -> None:
    from_yaml = regc.load(FIXTURES / "good/features.yaml")
    assert _strip_positions(FEATURES.model_dump(mode="json")) == _strip_positions(from_yaml.model_dump(mode="json"))


def test_alternatives_keep_order_notes_and_pending() -> None:
    alternatives = FEATURES.alias("reasoning").alternatives
    assert [(a.target, a.note, a.pending) for a in alternatives] == [
        ("openai/o3", None, False),
        ("xai/grok-4.20-0309-reasoning", "~2M ctx", False),
        ("perplexity/sonar-pro", "when key added", True),
        ("local", None, False),
    ]
    assert alternatives[3].alias == "local"


def test_an_alternative_naming_an_alias_stands_for_its_chain() -> None:
    chain = FEATURES.resolve("reasoning")
    assert [str(m) for m in chain.models] == [
        "anthropic/claude-opus-4-7", "openai/o3", "xai/grok-4.20-0309-reasoning", "ollama/qwen2.5:3b", "ollama/llama3.2:3b",
    ]
    assert [e.target for e in chain.pending] == ["perplexity/sonar-pro"]


def test_prose_and_bare_names_are_kept_but_not_routed() -> None:
    local = FEATURES.resolve("local")
    assert [str(m) for m in local.fallbacks] == ["ollama/llama3.2:3b"]
    assert [e.text for e in local.unroutable] == ["future ollama models pulled on demand"]
    assert FEATURES.resolve("local").unroutable[0].ref is None

    embed = FEATURES.resolve("embed")
    (bare,) = embed.unroutable
    assert (bare.ref.provider if bare.ref else "-", bare.target, bare.note) == (None, "koder-embed", "local")


def test_legacy_alias_may_name_another_alias() -> None:
    best = FEATURES.resolve("best")
    assert best.via == ("reasoning",)
    assert best.models == FEATURES.resolve("reasoning").models
    assert FEATURES.alias("best").section == "legacy"
    assert FEATURES.alias("best").notes == "flagship"


def test_keys_match_without_case_bold_or_colon() -> None:
    assert str(FEATURES.resolve("embed").primary) == "openai/text-embedding-3-large"
    assert [r.key for r in FEATURES.alias("reasoning").rationale] == ["Why primary", "Why not OpenAI o3"]


def test_models_table_values() -> None:
    haiku = FEATURES.model("anthropic/claude-haiku-4-5-20251001")
    assert haiku is not None
    expected = ("chat", Price(usd=Decimal("1.00")), Price(usd=Decimal("5.00")), 200_000)
    assert (haiku.kind, haiku.input, haiku.output, haiku.context) == expected
    embed = FEATURES.model("openai/text-embedding-3-large")
    assert embed is not None and (embed.kind, embed.dimensions, embed.output) == ("embedding", 3072, "n/a")
    qwen = FEATURES.model("qwen/qwen2.5-coder-32b")
    assert qwen is not None and qwen.input == Price(usd=Decimal("0.60"), low=Decimal("0.20")) and qwen.input.estimate
    local = FEATURES.model("ollama/qwen2.5:3b")
    assert local is not None and local.free and local.context == 32_768
    dalle = FEATURES.model("openai/dall-e-3")
    assert dalle is not None and dalle.input == Price(usd=Decimal("0.04"), unit="image")
    retired = FEATURES.model("xai/grok-code-fast-1")
    assert retired is not None
    status = retired.status
    assert (status.state, status.date, status.replacement) == ("retired", datetime.date(2026, 5, 15), "xai/grok-4.3")


def test_front_matter() -> None:
    assert FEATURES.registry.reviewed == datetime.date(2026, 10, 1)
    assert FEATURES.registry.meta == {"reviewed": "2026-10-01", "owner": "platform-team"}
    assert FEATURES.registry.meta_lines["reviewed"] == 2


def test_inline_waivers_attach_to_what_follows_or_contains_them() -> None:
    waivers = [(w.rule, w.alias, w.model, w.reason, w.until, w.pos.line) for w in FEATURES.registry.waivers]
    assert waivers == [
        ("fallback-provider", "local", None, "local must stay local", None, 9),
        ("alias-has-fallback", "best", None, "inherits reasoning's chain", datetime.date(2027, 1, 1), 43),
        ("price-present", None, "xai/grok-code-fast-1", "kept for history", None, 62),
    ]


def test_prose_sections_are_kept() -> None:
    assert [(p.heading, p.pos.line) for p in FEATURES.registry.prose] == [
        ("Tier shortcuts (legacy — back-compat)", 38),
        ("Update protocol", 64),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$15.00", cells.PriceText(Decimal("15.00"), None, "mtok")),
        ("15", cells.PriceText(Decimal("15"), None, "mtok")),
        ("~$0.14", cells.PriceText(Decimal("0.14"), None, "mtok")),
        ("0.20-0.60", cells.PriceText(Decimal("0.60"), Decimal("0.20"), "mtok")),
        ("$1.00–2.00", cells.PriceText(Decimal("2.00"), Decimal("1.00"), "mtok")),
        ("$0.04/image", cells.PriceText(Decimal("0.04"), None, "image")),
        ("$0.006 / min", cells.PriceText(Decimal("0.006"), None, "minute")),
        ("$2.50/MTok", cells.PriceText(Decimal("2.50"), None, "mtok")),
        ("free", cells.PriceText(Decimal(0), None, "mtok")),
        ("n/a", "n/a"),
        ("", None),
        ("—", None),
    ],
)
def test_price_cells(text: str, expected: object) -> None:
    assert cells.read_price(text) == expected


@pytest.mark.parametrize("text", ["fifteen", "$", "1.2.3", "$5/fortnight", "0.60-0.20"])
def test_bad_price_cells(text: str) -> None:
    with pytest.raises(cells.CellError):
        cells.read_price(text)


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("200K", 200_000), ("1M", 1_000_000), ("2M", 2_000_000), ("128,000", 128_000),
        ("1.5M", 1_500_000), ("32k tokens", 32_000), ("", None),
    ],
)
def test_context_cells(text: str, tokens: int | None) -> None:
    assert cells.read_context(text) == tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("active", ("active", None, None)),
        ("deprecated 2026-08-01", ("deprecated", datetime.date(2026, 8, 1), None)),
        ("retired 2026-05-15 → `xai/grok-4.3`", ("retired", datetime.date(2026, 5, 15), "xai/grok-4.3")),
        ("Retired 2026-05-15 -> xai/grok-4.3", ("retired", datetime.date(2026, 5, 15), "xai/grok-4.3")),
    ],
)
def test_status_cells(text: str, expected: tuple[object, ...]) -> None:
    status = cells.read_status(text)
    assert (status.state, status.date, status.replacement) == expected


@pytest.mark.parametrize("text", ["retired", "retired 2026-13-01 → a/b", "active 2026-01-01", "gone", "retired 2026-05-15 → grok 4.3"])
def test_bad_status_cells(text: str) -> None:
    with pytest.raises(cells.CellError):
        cells.read_status(text)


@pytest.mark.parametrize(
    ("text", "pending"),
    [
        ("(when key added)", True), ("(once paid)", True), ("(Pending: budget)", True),
        ("(~1M ctx)", False), ("(local, post-VOICE-52)", False),
    ],
)
def test_pending_notes(text: str, pending: bool) -> None:
    assert cells.read_entry(f"`a/b` {text}").pending is pending


def test_entries_split_outside_parentheses_and_code() -> None:
    text = "`a/b`, c/d (x, y), `e/f,g`, future models, "
    assert [entry for entry, _ in cells.split_entries(text)] == ["`a/b`", "c/d (x, y)", "`e/f,g`", "future models"]
