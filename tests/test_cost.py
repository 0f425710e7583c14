"""`regc cost`: a fixture registry and fixture usage files priced to the cent against a table worked out by hand; the
spend-log comparison flags the one served model whose recorded spend differs; strict reading of the usage files."""

from __future__ import annotations

import decimal
import json
import re
import threading
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import regc
from regc.errors import InputError
from regc.reports import cost
from tests.conftest import FIXTURES, ROOT, require_module, run_regc

COST = FIXTURES / "cost"
REGISTRY = COST / "registry.md"

# The monthly cost of each alias of tests/fixtures/cost/usage.csv on each model of its chain, worked out by hand
# from the Models table of tests/fixtures/cost/registry.md (prices per 1M tokens unless a unit is given):
#
# chat: row 1 covers 30 days (×1): 1,000 requests, 2,000,000 in (400,000 of them cached), 500,000 out;
#       row 2 covers 7 days (×30/7): 140 → 600 requests, 700,000 → 3,000,000 in, 70,000 → 300,000 out.
#       A month: 1,600 requests, 5,000,000 in, 400,000 cached, 800,000 out.
#   acme/big   ($3.00 in, $0.30 cache read, $15.00 out): 4,600,000 × 3.00/1M = 13.80; 400,000 × 0.30/1M = 0.12;
#              800,000 × 15.00/1M = 12.00                                      → 25.92 (the worst case)
#   acme/small ($0.50, no cache read: cached at the input price, $1.50): 5,000,000 × 0.50/1M = 2.50;
#              800,000 × 1.50/1M = 1.20                                        → 3.70
#   other/mid  ($1.25, $0.125 cache read, $10.00): 4,600,000 × 1.25/1M = 5.75; 400,000 × 0.125/1M = 0.05;
#              800,000 × 10.00/1M = 8.00                                       → 13.80
# voice: 9,000 s of audio = 150 min.
#   acme/whisper ($0.006/min): 150 × 0.006                                     → 0.90
#   other/ears   ($0.00015/s): 9,000 × 0.00015                                 → 1.35 (the worst case)
# draw: 25 images in 10 days (×3) = 75 images.
#   acme/painter ($0.04/image): 75 × 0.04                                      → 3.00
# tiny: 50,000 in, no output.
#   acme/small: 50,000 × 0.50/1M = 0.025, half a cent: half to even            → 0.02 (half up would say 0.03)
#   other/unpriced: no input price                                             → unknown
# Totals, exact sums rounded once: primaries 25.92 + 0.90 + 3.00 + 0.025 = 29.845 → 29.84 (half to even; half up: 29.85);
#         worst cases 25.92 + 1.35 + 3.00 + 0.025 = 30.295 → 30.30.
BY_HAND = {
    "chat": [("primary", "acme/big", "25.92"), ("fallback 1", "acme/small", "3.70"), ("fallback 2", "other/mid", "13.80")],
    "voice": [("primary", "acme/whisper", "0.90"), ("fallback 1", "other/ears", "1.35")],
    "draw": [("primary", "acme/painter", "3.00")],
    "tiny": [("primary", "acme/small", "0.02"), ("fallback 1", "other/unpriced", None)],
}
WORST_BY_HAND = {"chat": "acme/big", "voice": "other/ears", "draw": "acme/painter", "tiny": "acme/small"}
TOTALS_BY_HAND = {"primary_usd": "29.84", "worst_usd": "30.30", "complete": True}


def _cost(*args: str) -> tuple[int, str, str]:
    result = run_regc("cost", "--registry", REGISTRY, *args)
    return result.code, result.out, result.err


def test_the_report_matches_the_table_worked_out_by_hand() -> None:
    code, out, err = _cost("--usage", COST / "usage.csv", "--format", "json")

    assert code == 0, err
    report = json.loads(out)
    got = {a["alias"]: [(m["role"], m["model"], m["usd"]) for m in a["chain"]] for a in report["aliases"]}
    assert got == BY_HAND
    assert {a["alias"]: a["worst"]["model"] for a in report["aliases"]} == WORST_BY_HAND
    assert report["total"] == TOTALS_BY_HAND
    chat = next(a for a in report["aliases"] if a["alias"] == "chat")
    assert chat["monthly"]["requests"] == "1600.00" and chat["monthly"]["input_tokens"] == "5000000.00"
    assert report["aliases"][3]["chain"][1]["missing"] == "no input price"


def test_text_and_markdown_show_the_same_figures() -> None:
    code, text, _ = _cost("--usage", COST / "usage.csv")
    assert code == 0
    assert "  primary     acme/big          $25.92  <- worst case\n" in text
    assert "  fallback 1  other/unpriced  unknown (no input price)\n" in text
    assert "total: $29.84 a month on the primaries; $30.30 if every alias fell to its most expensive model\n" in text

    code, markdown, _ = _cost("--usage", COST / "usage.csv", "--format", "markdown")
    assert code == 0
    assert "| `voice` | 50 | `acme/whisper` | $0.90 | `other/ears` | $1.35 |\n" in markdown
    assert "| **total** | | | **$29.84** | | **$30.30** |\n" in markdown


def test_only_the_aliases_asked_for() -> None:
    code, out, _ = _cost("--usage", COST / "usage.csv", "--format", "json", "voice")
    assert code == 0
    report = json.loads(out)
    assert [a["alias"] for a in report["aliases"]] == ["voice"]
    assert report["total"]["primary_usd"] == "0.90"
    code, _, err = _cost("--usage", COST / "usage.csv", "vocie")
    assert code == 2 and "did you mean `voice`?" in err


def test_rounding_is_half_to_even_once_per_figure() -> None:
    """$0.025 is shown as $0.02 and $0.035 as $0.04 (half to even); half up would give $0.03 for the first."""
    assert [cost.usd(Decimal(v)) for v in ("0.025", "0.035", "0.005", "1234.565", "-0.015")] == \
        ["$0.02", "$0.04", "$0.00", "$1,234.56", "-$0.02"]
    assert Decimal("0.025").quantize(cost.CENT, rounding=ROUND_HALF_UP) == Decimal("0.03")  # what the choice rules out


def test_a_period_flag_scales_a_csv_without_period_days(tmp_path: Path) -> None:
    usage = tmp_path / "week.csv"
    usage.write_text("alias,requests,input_tokens,output_tokens\ndraw,7,0,0\nchat,7,700000,70000\n", encoding="utf-8")
    # One week scaled to 30 days (×30/7): chat 3,000,000 in × 3.00/1M = 9.00, 300,000 out × 15.00/1M = 4.50 → 13.50.
    code, out, _ = _cost("--usage", usage, "--period-days", "7", "--format", "json", "chat")
    assert code == 0
    assert json.loads(out)["aliases"][0]["chain"][0]["usd"] == "13.50"
    assert _cost("--usage", usage, "--period-days", "0")[0] == 2


# The spend logs span 2026-11-01T00:00:00Z (first startTime) to 2026-11-04T00:00:00Z (last endTime): 3 days, ×10.
# The failure log is skipped. chat: 3 requests → 30; prompt 130,000 → 1,300,000 (cached 5,000 → 50,000);
# completion 13,000 → 130,000. acme/big: 1,250,000 × 3.00/1M = 3.75; 50,000 × 0.30/1M = 0.015; 130,000 × 15.00/1M = 1.95
# → 5.715 → $5.72 (half to even: 5.715 → 5.72).
# Billed versus declared, per served model:
#   acme/big ("acme/big" and "big" with custom_llm_provider acme): 10,000 × 3/1M + 2,000 × 15/1M = 0.06, and
#       15,000 × 3/1M + 5,000 × 0.30/1M + 1,000 × 15/1M = 0.0615: 0.1215 declared, 0.06 + 0.0615 recorded: equal.
#   other/mid: 100,000 × 1.25/1M + 10,000 × 10/1M = 0.225 declared, 0.45 recorded: +100 %, flagged.
def test_spend_logs_are_aggregated_per_alias_and_scaled_to_a_month() -> None:
    code, out, err = _cost("--usage", COST / "spend-logs.json", "--format", "json")

    assert code == 1, err  # other/mid is billed at twice the registry's price
    report = json.loads(out)
    assert [(a["alias"], a["chain"][0]["usd"]) for a in report["aliases"]] == [("chat", "5.72")]
    assert report["aliases"][0]["monthly"]["cached_input_tokens"] == "50000.00"
    billing = {b["registry_model"]: (b["model"], b["logs"], b["recorded_usd"], b["registry_usd"], b["flagged"]) for b in report["billing"]}
    assert billing == {
        "acme/big": ("acme/big, big", 2, "0.1215", "0.12", False),
        "other/mid": ("other/mid", 1, "0.45", "0.22", True),
    }
    assert "1 served model's recorded spend differs" in err


def test_the_spend_log_comparison_names_the_model_and_the_cause() -> None:
    code, out, _ = _cost("--usage", COST / "spend-logs.json")
    assert code == 1
    assert ("  other/mid: 1 log, recorded $0.45, registry $0.22, +100.0%  DIFFERS: registry price stale, or the gateway "
            "prices another model\n") in out
    assert "  acme/big, big (acme/big): 2 logs, recorded $0.12, registry $0.12, +0.0%  ok\n" in out


def test_a_wider_tolerance_lets_the_difference_pass() -> None:
    assert _cost("--usage", COST / "spend-logs.json", "--tolerance", "150")[0] == 0
    assert _cost("--usage", COST / "spend-logs.json", "--tolerance-usd", "0.50")[0] == 0
    assert _cost("--usage", COST / "spend-logs.json", "--tolerance", "-1")[0] == 2
    assert _cost("--usage", COST / "spend-logs.json", "--tolerance", "1e400")[0] == 2  # bounded, as every usage number
    assert _cost("--usage", COST / "spend-logs.json", "--period-days", "1e-30")[0] == 2


def test_a_model_the_registry_does_not_list_is_flagged(tmp_path: Path) -> None:
    logs = json.loads((COST / "spend-logs.json").read_text(encoding="utf-8"))
    logs[2]["model"] = "somewhere/else"
    usage = tmp_path / "logs.json"
    usage.write_text(json.dumps({"data": logs}), encoding="utf-8")  # /spend/logs/v2's envelope
    code, out, _ = _cost("--usage", usage)
    assert code == 1
    assert "somewhere/else: 1 log, recorded $0.45  DIFFERS: the registry has no Models row for this model" in out


@pytest.mark.parametrize(("text", "where", "message"), [
    ("alias,requests,input_token,output_tokens\nchat,1,2,3\n", "1:16", "unknown column 'input_token'; did you mean `input_tokens`?"),
    ("alias,requests,input_tokens\nchat,1,2\n", "1:1", "the header lacks output_tokens"),
    ("alias,requests,input_tokens,output_tokens\nchat,1,2,3\nchta,1,2,3\n", "3:1",
     "unknown alias 'chta': expected an alias of the registry; did you mean `chat`?"),
    ("alias,requests,input_tokens,output_tokens\nchat,1,2.5,3\n", "2:8", "input_tokens: expected a whole number such as 120000"),
    ("alias,requests,input_tokens,output_tokens\nchat, 1,-2,3\n", "2:9", "input_tokens: expected a whole number"),
    ("alias,requests,input_tokens,output_tokens\nchat,1,2\n", "2:9",
     "expected 4 fields (alias,requests,input_tokens,output_tokens), found 3"),
    ("alias,requests,input_tokens,output_tokens,cached_input_tokens\nchat,1,2,3,4\n", "2:12",
     "cached_input_tokens: expected at most input_tokens"),
    ("alias,requests,input_tokens,output_tokens,period_days\nchat,1,2,3,0\n", "2:12",
     "period_days: expected a number of days from 0.001 to 36,600, found '0'"),
    ("alias,requests,input_tokens,output_tokens,period_days\nchat,1,2,3,0." + "0" * 60 + "1\n", "2:12",
     "period_days: expected a number of days from 0.001 to 36,600"),  # 30 / period would overflow an exact figure
    ("alias,requests,input_tokens,output_tokens\nchat,1,1" + "0" * 28 + ",0\n", "2:8",
     "input_tokens: expected at most 1,000,000,000,000,000 a row, found '100000000000...000000 (29 characters)'"),
    ("alias,requests,input_tokens,output_tokens\nchat,1,2," + "9" * 5000 + "\n", "2:10", "output_tokens: expected at most"),
    ("", "1:1", "empty usage file"),
    ('[{"model_group": "chat", "model": "acme/big",\n  "prompt_tokens": "ten", "startTime": "2026-11-01T00:00:00Z"}]', "2:3",
     "prompt_tokens: expected a whole number of tokens from 0 to 1,000,000,000,000,000, found '\"ten\"'"),
    ('[{"model_group": "chat", "model": "acme/big", "prompt_tokens": ' + "9" * 5000 + ', "startTime": "2026-11-01T00:00:00Z"}]',
     "1:47", "prompt_tokens: expected a whole number of tokens from 0 to"),  # past Python's int-from-text limit
    ('[{"model_group": "chat", "model": "acme/big", "spend": 1e400, "startTime": "2026-11-01T00:00:00Z"}]', "1:47",
     "spend: expected the cost in USD the gateway recorded (a number from 0 to 1,000,000,000), found '1E+400'"),
    ('[{"model_group": "chat", "model": "acme/big", "metadata": "{not json", "startTime": "2026-11-01T00:00:00Z"}]', "1:47",
     "metadata: expected an object (or a JSON string of one), found a string that is not JSON"),
    ('[{"model_group": "chat", "model": "acme/big", "metadata": {"additional_usage_values": {"cache_read_input_tokens": -1}},'
     ' "startTime": "2026-11-01T00:00:00Z"}]', "1:47", "metadata: cache_read_input_tokens: expected a whole number of tokens"),
    ('[{"model_group": "chat", "model": "acme/big", "metadata": [1, 2], "startTime": "2026-11-01T00:00:00Z"}]', "1:47",
     "metadata: expected an object, found '[1, 2]'"),
    ('[{"model_group": "chat", "model": "acme/big", "startTime": "2026-11-01T00:00:00Z"}]\n[{"model_group": "chat"}]', "2:1",
     "extra data after the spend logs"),  # two exports appended to one file: the second is never dropped silently
    ("[" * 100_000 + "]" * 100_000, "1:1", "the JSON is nested too deep to read"),
    ('[{"model_group": "chat", "model": "acme/big", "spend": 1, "spend": 2, "startTime": "2026-11-01T00:00:00Z"}]', "1:47",
     "spend: the key appears twice in this log"),  # as a CSV's column twice: never one of them picked silently
    ('alias,requests,input_tokens,output_tokens\n"chat","1","1,000,000","0"\n', "2:12",
     "input_tokens: expected a whole number such as 120000 (no separators), found '1,000,000'"),  # a spreadsheet's export
    ('alias,requests,input_tokens,output_tokens\n"chat,1,100,0\n', "2:1", "a double quote that is never closed"),
    ('[{"model_group": "caht", "model": "acme/big", "startTime": "2026-11-01T00:00:00Z"},\n'
     ' {"model_group": "chat", "model": "acme/big", "startTime": "2026-11-02T00:00:00Z"}]', "1:3", "did you mean `chat`?"),
    ('[{"model_group": "chat", "model": "acme/big", "startTime": "yesterday"}]', "1:47", "startTime: expected an ISO 8601 time"),
    ('[{"model_group": "chat", "model": "acme/big", "startTime": "2026-11-01T00:00:00Z"}]', "1:1", "the spend logs span no time"),
    ('{"logs": []}', "1:1", "expected LiteLLM's spend logs: a JSON array"),
    ('[{"model_group": "chat",', "1:25", "not JSON"),
])
def test_bad_usage_is_exit_2_with_the_place_and_the_expectation(tmp_path: Path, text: str, where: str, message: str) -> None:
    usage = tmp_path / "usage.txt"
    usage.write_text(text, encoding="utf-8")

    code, out, err = _cost("--usage", usage)

    assert (code, out) == (2, "")
    assert f"{usage}:{where}: error: " in err, err
    assert message in err
    assert "Traceback" not in err


def test_every_error_of_a_csv_is_reported_at_once(tmp_path: Path) -> None:
    registry = regc.load(REGISTRY)
    with pytest.raises(InputError) as raised:
        cost.read_usage("alias,requests,input_tokens,output_tokens\nchat,x,2,3\nvoice,1,y,3\n", "u.csv", registry)
    assert [(d.line, d.col) for d in raised.value.diagnostics] == [(2, 6), (3, 9)]


def test_a_missing_usage_file_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = _cost("--usage", tmp_path / "nope.csv")
    assert code == 2 and "no usage file" in err


def test_hostile_model_names_in_spend_logs_neither_break_the_table_nor_inject(tmp_path: Path) -> None:
    logs = json.loads((COST / "spend-logs.json").read_text(encoding="utf-8"))
    logs[2]["model"] = "x | y\n<script>alert(1)</script> `tick` \u202e\x1b[31m"
    usage = tmp_path / "logs.json"
    usage.write_text(json.dumps(logs), encoding="utf-8")

    code, markdown, _ = _cost("--usage", usage, "--format", "markdown")
    code_text, text, _ = _cost("--usage", usage)

    assert code == code_text == 1  # a model the registry does not list
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert len(rows) == 3  # chat, and the two served models: no row split or added
    assert all(len(re.split(r"(?<!\\)\|", line)) == 8 for line in rows)  # six cells each, the name's pipe escaped
    # HTML stays inside a code span (inert on GitHub), control and bidirectional characters are shown, not sent.
    assert "| ``x \\| y <script>alert(1)</script> `tick` \\u202e\\x1b[31m`` | 1 | $0.45 | unknown |" in markdown
    assert "\x1b" not in markdown + text and "\u202e" not in markdown + text


ROW = st.tuples(st.sampled_from(["chat", "voice", "draw", "tiny"]), st.integers(0, 10**9), st.integers(0, 10**9),
                st.integers(0, 10**9), st.integers(0, 10**6), st.integers(1, 400))


@settings(max_examples=60, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8))
def test_rows_add_up_whatever_their_periods(rows: list[tuple[str, int, int, int, int, int]]) -> None:
    """An alias's cost from several rows is the sum of each row's cost alone (to 1e-30 of a dollar), and never negative."""
    registry = regc.load(REGISTRY)
    header = "alias,requests,input_tokens,output_tokens,audio_seconds,period_days\n"

    def primaries(lines: list[str]) -> dict[str, Decimal]:
        found = cost.read_usage(header + "".join(lines), "u.csv", registry)
        return {a.usage.alias: a.primary.usd or Decimal(0) for a in cost.estimate(registry, found).aliases}

    lines = [f"{a},{r},{i},{o},{s},{p}\n" for a, r, i, o, s, p in rows]
    together = primaries(lines)
    alone: dict[str, Decimal] = {}
    for line in lines:
        for alias, amount in primaries([line]).items():
            alone[alias] = decimal.Context(prec=60).add(alone.get(alias, Decimal(0)), amount)
    assert together.keys() == alone.keys()
    for alias, amount in together.items():
        assert amount >= 0
        assert abs(amount - alone[alias]) < Decimal("1e-30")


def _litellm_spend_logs(monkeypatch: pytest.MonkeyPatch, requests: int) -> list[dict[str, Any]]:
    """Spend logs made by LiteLLM itself: its Router (as the proxy runs it) serves the alias `claude` the way this
    repository's litellm target configures it (a mocked answer: 10 prompt and 20 completion tokens, no network), and
    LiteLLM's own `get_logging_payload` turns each call into the SpendLogs row that `/spend/logs` returns, serialised
    with FastAPI's encoder as the proxy's answer is."""
    monkeypatch.setenv("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # LiteLLM's bundled cost map: no download
    litellm = require_module("litellm")
    from fastapi.encoders import jsonable_encoder
    from litellm.integrations.custom_logger import CustomLogger
    from litellm.proxy.spend_tracking.spend_tracking_utils import get_logging_payload

    rows: list[dict[str, Any]] = []
    done = threading.Event()

    class Collect(CustomLogger):  # type: ignore[misc]
        def log_success_event(self, kwargs: Any, response_obj: Any, start_time: Any, end_time: Any) -> None:
            rows.append(get_logging_payload(kwargs, response_obj, start_time, end_time))
            if len(rows) == requests:
                done.set()

    monkeypatch.setattr(litellm, "callbacks", [Collect()])
    router = litellm.Router(model_list=[{"model_name": "claude", "litellm_params": {
        "model": "anthropic/claude-sonnet-4-6", "api_key": "sk-not-used", "mock_response": "hello there"}}])
    for _ in range(requests):
        router.completion(model="claude", messages=[{"role": "user", "content": "hi"}])
    assert done.wait(60), "LiteLLM logged no success"
    return [jsonable_encoder(row) for row in rows]


def test_litellms_own_spend_logs_are_read_and_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    logs = tmp_path / "spend-logs.json"
    logs.write_text(json.dumps(_litellm_spend_logs(monkeypatch, 2)), encoding="utf-8")
    args = ("cost", "--usage", logs, "--period-days", "30", "--tolerance-usd", "0", "--format", "json", "claude")

    # This repository's registry prices anthropic/claude-sonnet-4-6 as LiteLLM's cost map does ($3 / $15 per 1M):
    # 2 × (10 × 3 + 20 × 15) / 1M = $0.00066, recorded and declared alike.
    agreed = run_regc("--no-cache", *args, cwd=ROOT)
    assert agreed.code == 0, agreed.err
    billing = json.loads(agreed.out)["billing"]
    assert [(b["model"], b["registry_model"], b["logs"], b["flagged"]) for b in billing] == [
        ("anthropic/claude-sonnet-4-6", "anthropic/claude-sonnet-4-6", 2, False)]
    assert Decimal(billing[0]["recorded_usd"]).quantize(Decimal("0.000001")) == Decimal("0.000660")

    # A registry whose output price is stale ($10): 2 × (10 × 3 + 20 × 10) / 1M = $0.00046 declared, 43 % under.
    stale = (ROOT / "registry.md").read_text(encoding="utf-8").replace(
        "| `anthropic/claude-sonnet-4-6` | chat | $3.00 | $15.00 |", "| `anthropic/claude-sonnet-4-6` | chat | $3.00 | $10.00 |")
    (tmp_path / "registry.md").write_text(stale, encoding="utf-8")
    differs = run_regc("--no-cache", *args, "--registry", tmp_path / "registry.md", cwd=ROOT)
    assert differs.code == 1
    assert json.loads(differs.out)["billing"][0]["flagged"] is True
