"""Property: every registry that has a meaning can be linted, and linting it twice gives the same findings."""

from __future__ import annotations

import contextlib
import datetime
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regc import pipeline
from regc.errors import InputError
from regc.lint import run
from regc.lint.policy import EMPTY
from regc.model.providers import providers

refs = st.sampled_from(["`openai/a`", "`openai/b`", "`xai/c`", "`ollama/d`", "`zz/e`", "bare-name", "`x`", "`y`", "prose words"])
notes = st.sampled_from(["", " (when key added)", " (~1M ctx)", " (if re-indexed)"])
cells = {
    "Kind": st.sampled_from(["chat", "embedding (1024)", "embedding (3072)", "image", "transcription", ""]),
    "Input": st.sampled_from(["$1.00", "$0.50", "free", "n/a", "", "0.20-0.60", "$0.02/image", "$0.006/min", "$0"]),
    "Output": st.sampled_from(["$4.00", "$1.00", "free", "n/a", "", "$0.00"]),
    "Context": st.sampled_from(["128K", "1M", "32,768", ""]),
    "Status": st.sampled_from(["active", "", "deprecated 2026-12-01", "retired 2026-01-01 → `openai/b`", "deprecated", "retired"]),
}
row = st.builds(lambda ref, values: f"| {ref} | " + " | ".join(values) + " |",
                st.sampled_from(["`openai/a`", "`openai/b`", "`xai/c`", "`ollama/d`", "`zz/e`"]),
                st.tuples(*cells.values()))


@st.composite
def registries(draw: st.DrawFn) -> str:
    parts = [f"---\nreviewed: {draw(st.sampled_from(['2026-01-01', '2026-11-20', '2027-01-01']))}\n---\n"]
    for name in ("x", "y"):
        waiver = draw(st.sampled_from(["", '<!-- regc:ignore fallback-context reason="r" until="2026-01-01" -->\n']))
        primary = draw(st.sampled_from(["`openai/a`", "`xai/c`", "`ollama/d`", "`zz/e`"]))
        alternatives = ", ".join(f"{r}{n}" for r, n in draw(st.lists(st.tuples(refs, notes), max_size=4)) if r.strip("`") != name)
        alt_row = f"| **Alternatives** | {alternatives} |\n" if alternatives else ""
        parts.append(f"{waiver}## T · alias `{name}`\n\n| | |\n|---|---|\n| **Primary** | {primary} |\n{alt_row}")
    rows = draw(st.lists(row, max_size=6, unique_by=lambda r: r.split(" | ")[0]))
    if rows:
        parts.append("## Models\n\n| Model | " + " | ".join(cells) + " |\n|" + "---|" * (len(cells) + 1) + "\n" + "\n".join(rows) + "\n")
    return "\n".join(parts)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(registries(), st.dates(min_value=datetime.date(2025, 1, 1), max_value=datetime.date(2028, 1, 1)))
def test_every_registry_with_a_meaning_lints(text: str, today: datetime.date) -> None:
    registry = None
    with contextlib.suppress(InputError):
        registry = pipeline.load_text(text, "r.md")
    if registry is None:
        return
    first = run(registry, policy=EMPTY, today=today, providers=providers(), text=text)
    again = run(registry, policy=EMPTY, today=today, providers=providers(), text=text)
    assert first.findings == again.findings and first.waived == again.waived
    lines = len(text.splitlines())
    for finding in (*first.findings, *first.waived):
        assert finding.file == "r.md" and 1 <= finding.line <= lines and finding.col >= 1
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", finding.rule) and finding.message
