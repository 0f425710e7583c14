"""regc prices check and sync: each difference is a finding at its cell, in every lint output format;
sync writes exactly the differing cells, and nothing else, into a copy of a registry."""

from __future__ import annotations

import difflib
import json
import shutil
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from regc.prices import context_matches, format_context, format_price
from tests.conftest import FIXTURES, ROOT, run_regc
from tests.test_catalogs import LITELLM, MODELS_DEV, SMALL_LITELLM, SMALL_MODELS_DEV, real

REGISTRY = FIXTURES / "prices" / "registry.md"
SHOWN = REGISTRY.relative_to(ROOT).as_posix()  # how findings name it (relative to the project root, where tests run)
TODAY = ("--today", "2026-11-22")


def check(*args: object, registry: Path = REGISTRY) -> tuple[int, list[dict[str, object]], str]:
    result = run_regc("prices", "check", "--registry", registry, "--format", "json", *TODAY, *args)
    data = json.loads(result.out) if result.out else {"findings": []}
    return result.code, data["findings"], result.err


def test_each_difference_is_a_finding_at_its_cell() -> None:
    code, findings, err = check("--catalog", SMALL_LITELLM)
    assert code == 1
    assert [(f["rule"], f["severity"], f["line"], f["col"], f["model"]) for f in findings] == [
        ("catalog-price", "error", 42, 32, "openai/o3"),           # `$9.00` (backticked, with a waiver) vs $8.00
        ("catalog-blank", "info", 42, 122, "openai/o3"),           # no cache-read price; the catalog has $0.50
        ("catalog-lifecycle", "error", 42, 136, "openai/o3"),      # active, but dated 2026-12-11
        ("catalog-price", "error", 46, 35, "xai/grok-4.3"),        # $2.50 vs $2.60 (+4%)
        ("catalog-unlisted", "warning", 47, 3, "xai/grok-3"),      # only azure_ai/ lists it
    ]
    messages = [f["message"] for f in findings]
    assert messages[0] == "`openai/o3` output price is $9.00 per 1M tokens; LiteLLM cost map (litellm-small.json) `o3` says $8.00 (-11%)"
    assert messages[2] == ("`openai/o3`: LiteLLM cost map (litellm-small.json) `o3` says it stops being served on 2026-12-11, "
                           "in 19 days (deprecation_date); the Status says `active`")
    assert "did you mean `xai/grok-4.3`?; other hosts list it: `azure_ai/grok-3`" in messages[4]
    assert "8 listed, 1 not listed, 1 on providers it does not cover, 1 local; 3 errors, 1 warning, 1 info" in err


def test_what_agrees_is_silent() -> None:
    # kimi's 256K is 262,144; gemini's range 1.00-1.50 holds 1.25 and its `$10` is $10.00; whisper-1's $0.006/min is
    # LiteLLM's $0.0001/s, and its Status gives the catalog's date; Vertex AI's date for gemini is not Google's.
    _, findings, _ = check("--catalog", SMALL_LITELLM)
    assert {f["model"] for f in findings}.isdisjoint({"kimi/kimi-k2.6", "google/gemini-2.5-pro", "openai/whisper-1",
                                                        "anthropic/claude-opus-4-7", "xai/grok-imagine-image", "ollama/qwen2.5:3b"})


def test_threshold_mutes_small_price_differences() -> None:
    _, findings, _ = check("--catalog", SMALL_LITELLM, "--threshold", "5")
    assert [f["model"] for f in findings if f["rule"] == "catalog-price"] == ["openai/o3"]
    _, findings, _ = check("--catalog", SMALL_LITELLM, "--threshold", "12.5")  # $9.00 is 12.5% over $8.00
    assert [f["model"] for f in findings if f["rule"] == "catalog-price"] == []
    bad = run_regc("prices", "check", "--registry", REGISTRY, "--catalog", SMALL_LITELLM, "--threshold", "-1")
    assert bad.code == 2


def test_models_dev_differences() -> None:
    code, findings, _ = check("--catalog", SMALL_MODELS_DEV)
    assert code == 1
    assert [(f["rule"], f["model"]) for f in findings] == [
        ("catalog-price", "openai/o3"), ("catalog-blank", "openai/o3"),
        ("catalog-price", "kimi/kimi-k2.6"), ("catalog-price", "kimi/kimi-k2.6"), ("catalog-price", "kimi/kimi-k2.6"),
        ("catalog-unlisted", "xai/grok-3"),
        ("catalog-blank", "xai/grok-imagine-image"),  # models.dev: context 8000, LiteLLM: none
    ]
    # whisper-1 is not listed by models.dev, but its Status already says deprecated: not a finding.
    # gpt-4o is deprecated in models.dev and in the Status: agreement.


def test_exit_codes_and_fail_severity(tmp_path: Path) -> None:
    agreeing = tmp_path / "registry.md"
    agreeing.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n"
                        "| Model | Input | Output | Cache write |\n|---|---|---|---|\n| `openai/gpt-4o` | $2.50 | $10.00 | |\n")
    assert check("--catalog", SMALL_LITELLM, registry=agreeing)[0] == 0
    only_info = agreeing.read_text().replace("| $2.50 |", "| |")
    agreeing.write_text(only_info)
    code, findings, _ = check("--catalog", SMALL_LITELLM, registry=agreeing)
    assert code == 0 and [f["rule"] for f in findings] == ["catalog-blank"]  # info does not fail by default
    assert check("--catalog", SMALL_LITELLM, "--fail-severity", "info", registry=agreeing)[0] == 1
    unparseable = tmp_path / "bad.md"
    unparseable.write_text("# nothing here\n")
    result = run_regc("prices", "check", "--registry", unparseable, "--catalog", SMALL_LITELLM)
    assert result.code == 2 and "defines no aliases" in result.err


def test_each_models_table_is_read_with_its_own_header(tmp_path: Path) -> None:
    """Two Models sections with their columns in another order: the second row's output price is its Output cell."""
    registry = tmp_path / "registry.md"
    registry.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n"
                        "## Models\n\n| Model | Input | Output |\n|---|---|---|\n| `openai/gpt-4o` | $2.50 | $10.00 |\n\n"
                        "## Models\n\n| Model | Output | Input |\n|---|---|---|\n| `openai/o3` | $9.00 | $2.00 |\n")
    _, findings, _ = check("--catalog", SMALL_LITELLM, registry=registry)
    prices = [(f["line"], f["col"], f["message"]) for f in findings if f["rule"] == "catalog-price"]
    assert prices == [(17, 17, "`openai/o3` output price is $9.00 per 1M tokens; "
                               "LiteLLM cost map (litellm-small.json) `o3` says $8.00 (-11%)")]
    assert run_regc("prices", "sync", "--registry", registry, "--catalog", SMALL_LITELLM, *TODAY).code == 0
    assert registry.read_text().splitlines()[16] == "| `openai/o3` | $8.00 | $2.00 |"


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "junit"])
def test_every_lint_output_format(fmt: str) -> None:
    result = run_regc("prices", "check", "--registry", REGISTRY, "--catalog", SMALL_LITELLM, "--format", fmt, *TODAY)
    assert result.code == 1
    if fmt == "text":
        assert result.out.splitlines()[0].startswith(f"{SHOWN}:42:32: error catalog-price `openai/o3` output price")
    elif fmt == "json":
        assert json.loads(result.out)["summary"]["failed"] is True
    elif fmt == "sarif":
        run = json.loads(result.out)["runs"][0]
        rules = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        assert rules == ["catalog-price", "catalog-context", "catalog-lifecycle", "catalog-unlisted", "catalog-blank"]
        assert run["tool"]["driver"]["rules"][0]["helpUri"].endswith("docs/prices.md#prices-and-lifecycle-from-catalogs-regc-prices")
        assert [r["ruleId"] for r in run["results"]][:2] == ["catalog-price", "catalog-blank"]
        assert run["results"][0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 42, "startColumn": 32}
    elif fmt == "github":
        assert result.out.splitlines()[0].startswith(f"::error title=catalog-price,file={SHOWN},line=42,col=32::`openai/o3`")
        assert "::notice title=catalog-blank" in result.out
    else:
        suites = {suite.get("name"): suite for suite in ET.fromstring(result.out)}
        assert set(suites) == {"catalog-price", "catalog-context", "catalog-lifecycle", "catalog-unlisted", "catalog-blank"}
        assert suites["catalog-price"].get("failures") == "2"


def test_docs_anchor_of_the_checks_exists() -> None:
    page = (ROOT / "docs/prices.md").read_text(encoding="utf-8")
    assert page.startswith("# Prices and lifecycle from catalogs (`regc prices`)\n")  # github anchors it as the SARIF helpUri says


# --- the real catalogs against this repository's registry ---------------------------------------


def test_this_registry_against_litellm_1_109_1() -> None:
    """The registry was made from LiteLLM 1.109.1: only the models it no longer lists are reported."""
    code, findings, _ = check("--catalog", real(LITELLM), registry=ROOT / "registry.md")
    assert code == 1
    assert [(f["rule"], f["model"]) for f in findings] == [
        ("catalog-unlisted", "google/embedding-001"), ("catalog-unlisted", "google/gemini-2.0-flash"),
        ("catalog-unlisted", "openai/dall-e-3"), ("catalog-unlisted", "stability/..."), ("catalog-unlisted", "xai/grok-3"),
    ]


def test_this_registry_against_models_dev() -> None:
    """models.dev (2026-07-02) is older: V4 Flash's old price, the 922K input budget of GPT-5.4/5.5, codestral's 256K,
    gemini-2.0-flash marked deprecated, and models newer than the snapshot are reported; retired rows are not compared."""
    code, findings, _ = check("--catalog", real(MODELS_DEV), registry=ROOT / "registry.md")
    assert code == 1
    got = [(f["rule"], f["model"]) for f in findings]
    assert got == [
        ("catalog-price", "deepseek/deepseek-v4-flash"), ("catalog-price", "deepseek/deepseek-v4-flash"),
        ("catalog-price", "deepseek/deepseek-v4-flash"),
        ("catalog-unlisted", "google/embedding-001"), ("catalog-lifecycle", "google/gemini-2.0-flash"),
        ("catalog-unlisted", "google/gemini-3.5-flash-lite"), ("catalog-unlisted", "google/gemini-embedding-2"),
        ("catalog-unlisted", "kimi/kimi-k3.1-pro"), ("catalog-context", "mistral/codestral-latest"),
        ("catalog-unlisted", "openai/dall-e-3"), ("catalog-unlisted", "openai/gpt-5-search-api"),
        ("catalog-context", "openai/gpt-5.4"), ("catalog-context", "openai/gpt-5.5"),
        ("catalog-unlisted", "xai/grok-3"), ("catalog-blank", "xai/grok-imagine-image"),
        ("catalog-unlisted", "xai/grok-imagine-image-2.0"),
    ]


# --- the cell grammar of the comparison ---------------------------------------------------------


@pytest.mark.parametrize(("written", "value", "catalog", "same"), [
    ("1M", 1_000_000, 1_048_576, True), ("1M", 1_000_000, 1_050_000, True), ("1M", 1_000_000, 922_000, False),
    ("128K", 128_000, 131_072, True), ("256K", 256_000, 262_144, True), ("8K", 8_000, 8_191, True),
    ("128,000", 128_000, 131_072, False), ("131072", 131_072, 131_072, True), ("200K", 200_000, 256_000, False),
])
def test_context_windows_match_at_their_written_precision(written: str, value: int, catalog: int, same: bool) -> None:
    assert context_matches(written, value, catalog) is same


@pytest.mark.parametrize(("tokens", "text"), [
    (1_000_000, "1M"), (1_048_576, "1M"), (1_050_000, "1.05M"), (131_072, "128K"), (922_000, "922K"), (8_191, "8,191"), (8_192, "8K"),
])
def test_context_is_written_in_its_shortest_exact_form(tokens: int, text: str) -> None:
    from regc.parse.cells import read_context

    assert format_context(tokens) == text
    assert context_matches(text, read_context(text) or 0, tokens)


@pytest.mark.parametrize(("value", "unit", "old", "text"), [
    (Decimal("0.14"), "mtok", "$0.30", "$0.14"), (Decimal(30), "mtok", None, "$30.00"), (Decimal("0.0028"), "mtok", "$0.006", "$0.0028"),
    (Decimal("0.0018498"), "minute", "$0.00185/min", "$0.0018498/min"), (Decimal("0.02"), "image", "0.04 / img", "0.02/ img"),
    (Decimal("0.5"), "mtok", "0.20-0.60", "0.50"),
])
def test_prices_are_written_as_the_registry_writes_them(value: Decimal, unit: str, old: str | None, text: str) -> None:
    assert format_price(value, unit, old) == text  # type: ignore[arg-type]


# --- sync ------------------------------------------------------------------------------------


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old line, new line) for every line that differs; the files must have the same number of lines."""
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def cell_changes(old_line: str, new_line: str) -> list[tuple[str, str]]:
    from regc.parse.document import split_row

    old, new = split_row(old_line.rstrip("\r\n")), split_row(new_line.rstrip("\r\n"))
    assert len(old) == len(new)
    return [(a.raw, b.raw) for a, b in zip(old, new, strict=True) if a.raw != b.raw]


def test_sync_changes_only_the_cells_that_differ(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    shutil.copyfile(REGISTRY, registry)
    before = registry.read_bytes()
    result = run_regc("prices", "sync", "--registry", registry, "--catalog", SMALL_LITELLM, *TODAY)
    assert result.code == 0, result.err
    after = registry.read_bytes()
    lines = changed_lines(before.decode(), after.decode())
    assert [cell_changes(a, b) for a, b in lines] == [
        [(' `$9.00` <!-- regc:ignore revision-trigger reason="keep \\| this, `code` and {{ x }}" --> ',
          ' `$8.00` <!-- regc:ignore revision-trigger reason="keep \\| this, `code` and {{ x }}" --> '),  # the waiver stays
         ("  ", " $0.50 "), (" active ", " deprecated 2026-12-11 ")],
        [(" $2.50 ", " $2.60 ")],
    ]
    assert result.out.splitlines() == [
        f"{registry}:42:32: `openai/o3` output price: $9.00 → $8.00",
        f"{registry}:42:122: `openai/o3` cache-read price: (blank) → $0.50",
        f"{registry}:42:136: `openai/o3` Status: active → deprecated 2026-12-11",
        f"{registry}:46:35: `xai/grok-4.3` output price: $2.50 → $2.60",
    ]
    assert "4 cells in 2 rows set from LiteLLM cost map (litellm-small.json)" in result.err
    # Sync is idempotent, and what it wrote now agrees with the catalog.
    again = run_regc("prices", "sync", "--registry", registry, "--catalog", SMALL_LITELLM, *TODAY)
    assert again.code == 0 and again.out == "" and registry.read_bytes() == after
    _, findings, _ = check("--catalog", SMALL_LITELLM, registry=registry)
    assert [f["rule"] for f in findings] == ["catalog-unlisted"]


def test_sync_keeps_crlf_a_byte_order_mark_and_file_mode(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    registry.write_bytes(b"\xef\xbb\xbf" + REGISTRY.read_bytes().replace(b"\n", b"\r\n"))
    registry.chmod(0o640)
    before = registry.read_bytes()
    assert run_regc("prices", "sync", "--registry", registry, "--catalog", SMALL_LITELLM, *TODAY).code == 0
    after = registry.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and after.count(b"\r\n") == before.count(b"\r\n") and b"\n" not in after.replace(b"\r\n", b"")
    assert (registry.stat().st_mode & 0o777) == 0o640
    expected = REGISTRY.read_bytes()
    synced_lf = tmp_path / "lf.md"
    shutil.copyfile(REGISTRY, synced_lf)
    run_regc("prices", "sync", "--registry", synced_lf, "--catalog", SMALL_LITELLM, *TODAY)
    assert after == b"\xef\xbb\xbf" + synced_lf.read_bytes().replace(b"\n", b"\r\n") != expected


def test_sync_dry_run_writes_nothing_and_prints_the_diff(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    shutil.copyfile(REGISTRY, registry)
    result = run_regc("prices", "sync", "--dry-run", "--registry", registry, "--catalog", SMALL_LITELLM, *TODAY)
    assert result.code == 1 and registry.read_bytes() == REGISTRY.read_bytes()
    assert "-| `xai/grok-4.3` | chat | $1.25 | $2.50 |" in result.out and "+| `xai/grok-4.3` | chat | $1.25 | $2.60 |" in result.out


def test_sync_refuses_a_registry_without_meaning_and_yaml_registries(tmp_path: Path) -> None:
    broken = tmp_path / "registry.md"
    broken.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n"
                      "| Model | Input |\n|---|---|\n| `openai/gpt-4o` | cheap |\n")
    before = broken.read_bytes()
    result = run_regc("prices", "sync", "--registry", broken, "--catalog", SMALL_LITELLM)
    assert result.code == 2 and "cannot read price 'cheap'" in result.err and broken.read_bytes() == before
    yaml = tmp_path / "registry.yaml"
    yaml.write_text("aliases:\n  a: {primary: openai/gpt-4o}\nmodels:\n  openai/gpt-4o: {input: $9}\n")
    refused = run_regc("prices", "sync", "--registry", yaml, "--catalog", SMALL_LITELLM)
    assert refused.code == 2 and "writes markdown registries" in refused.err
    checked = run_regc("prices", "check", "--registry", yaml, "--catalog", SMALL_LITELLM, "--format", "json")
    assert checked.code == 1 and json.loads(checked.out)["findings"][0]["line"] == 4  # YAML: the model's line


def test_sync_on_this_repositorys_registry_changes_only_the_differing_cells(tmp_path: Path) -> None:
    """models.dev disagrees with the registry in 8 cells: exactly those change, every other byte stays."""
    registry = tmp_path / "registry.md"
    shutil.copyfile(ROOT / "registry.md", registry)
    before = registry.read_text(encoding="utf-8")
    result = run_regc("prices", "sync", "--registry", registry, "--catalog", real(MODELS_DEV), *TODAY)
    assert result.code == 0, result.err
    after = registry.read_text(encoding="utf-8")
    changes = [(a.split("|")[1].strip(), cell_changes(a, b)) for a, b in changed_lines(before, after)]
    assert changes == [
        ("`deepseek/deepseek-v4-flash`", [(" $0.30 ", " $0.14 "), (" $1.20 ", " $0.28 "), (" $0.006 ", " $0.0028 ")]),
        ("`google/gemini-2.0-flash`", [(" ", " deprecated ")]),
        ("`mistral/codestral-latest`", [(" 128K ", " 256K ")]),
        ("`openai/gpt-5.4`", [(" 1M ", " 922K ")]),
        ("`openai/gpt-5.5`", [(" 1M ", " 922K ")]),
        ("`xai/grok-imagine-image`", [(" ", " 8K ")]),
    ]
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))
    assert len([line for line in diff if line.startswith("+") and not line.startswith("+++")]) == 6
    litellm = run_regc("prices", "sync", "--registry", registry, "--catalog", real(LITELLM), *TODAY)
    assert litellm.code == 0
    restored = registry.read_text(encoding="utf-8")
    # Back to LiteLLM's figures. gemini-2.0-flash keeps its `deprecated` and grok-imagine-image its 8K (LiteLLM has
    # neither); GPT-5.4 and 5.5 get LiteLLM's exact 1,050,000, which the registry had rounded to 1M.
    assert [(a.split("|")[1].strip(), cell_changes(a, b)) for a, b in changed_lines(before, restored)] == [
        ("`google/gemini-2.0-flash`", [(" ", " deprecated ")]),
        ("`openai/gpt-5.4`", [(" 1M ", " 1.05M ")]),
        ("`openai/gpt-5.5`", [(" 1M ", " 1.05M ")]),
        ("`xai/grok-imagine-image`", [(" ", " 8K ")]),
    ]


@pytest.mark.parametrize(("value", "written"), [
    (Decimal("0.40000000000000003"), "$0.40"),  # LiteLLM's 4.0000000000000003e-07 per token: float noise
    (Decimal("0.16666667"), "$0.16666667"),
    (Decimal("0.1234567894"), "$0.123456789"),
])
def test_sync_writes_prices_the_parser_reads(value: Decimal, written: str) -> None:
    """Never more decimal places than a cell may hold (regc.parse.cells.MAX_PRICE_DECIMALS)."""
    from regc.parse.cells import read_price

    assert format_price(value, "mtok", "$0.30") == written
    assert read_price(written) is not None
