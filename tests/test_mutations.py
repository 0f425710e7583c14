"""Proof by mutation: a one-token slip in a registry's structure is understood or refused, never silently dropped.

``tests/mutations.py`` lists every single edit of a structural token (heading markers and levels, the word
``alias``, code-span fences, column headers, key names, separators, delimiter rows, decimal points, digit
groups) of this repository's registry and of the fixture registries; a fixed-seed sample of them is checked
here (``python -m tests.mutations`` checks all of them, some 8,000, in half a minute). For each: regc refuses
the edited text with a diagnostic on the edited line, or reads the same registry, or lint fails with a new
error on that line. An edit that changes an alias, a fallback, a Models row or a price while everything
passes fails the test.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT
from tests.mutations import Mutation, baseline, mutations, verdict

REGISTRIES = [ROOT / "registry.md", FIXTURES / "good" / "features.md", FIXTURES / "good" / "seed-000.md",
              FIXTURES / "hostile" / "hostile.md", FIXTURES / "prices" / "registry.md", FIXTURES / "providers" / "registry.md"]
#: Mutations checked per registry (a fixed-seed sample of all of them), and the seed.
BUDGET = 700
SEED = 12


@pytest.mark.parametrize("path", REGISTRIES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_structural_slip_is_understood_or_refused_on_its_line(path: Path) -> None:
    base = baseline(path)
    found = mutations(base.text)
    sample = random.Random(SEED).sample(found, min(BUDGET, len(found)))
    kinds = {mutation.what.split(" → ")[0].split(" '")[0] for mutation in sample}
    started = time.perf_counter()
    broken = [f"line {m.line}: {m.what}: {problem}\n    {m.text[:150]}" for m in sample if (problem := verdict(base, m)) is not None]
    assert not broken, f"{len(broken)} of {len(sample)} slips went through:\n" + "\n".join(broken[:20])
    assert len(sample) >= min(BUDGET, 500)
    assert time.perf_counter() - started < 20
    # The sample covers every kind of structure the registry has (headings, keys, headers, separators, numbers).
    assert {"heading level ##", "column header", "a cell separator removed", "a delimiter column removed"} <= kinds, kinds


def test_the_oracle_is_not_vacuous() -> None:
    """An edit of a value (a price, a fallback's name) that regc cannot know is wrong is reported as a broken promise."""
    base = baseline(ROOT / "registry.md")
    lines = base.text.split("\n")
    price = next(i for i, line in enumerate(lines, 1) if line.startswith("| `anthropic/claude-opus-4-7` |"))
    fallback = next(i for i, line in enumerate(lines, 1) if line.startswith("| **Alternatives** | `openai/gpt-5.5`"))
    assert verdict(base, Mutation(price, lines[price - 1].replace("$5.00", "$6.00", 1), "a price")) is not None
    assert verdict(base, Mutation(fallback, lines[fallback - 1].replace("`openai/gpt-5.5`, ", "", 1), "a fallback dropped")) is not None
    # and the structural ones the issue names are caught
    heading = next(i for i, line in enumerate(lines, 1) if line.startswith("## 5. Cheap commodity"))
    for edit in ("## Cheap (alias `cheap`)", "### 5. Cheap commodity · alias `cheap`", "## 5. Cheap commodity · alias `cheap` (v2)"):
        assert verdict(base, Mutation(heading, edit, "heading")) is None
