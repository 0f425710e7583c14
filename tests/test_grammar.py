"""The registry's closed grammar: what it accepts is accepted everywhere, and prose that cannot be mistaken for
structure stays prose (README "The registry format"; the refusals are fixtures in tests/fixtures/bad/)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from regc import pipeline
from regc.errors import InputError
from tests.conftest import FIXTURES, GOOD, ROOT, run_regc

# Two Models tables, the second under a level-3 subsection of `## Models`; an alias's fallback in each.
SPLIT_MODELS = """---
reviewed: 2026-11-01
---
# Registry

## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-4o` |
| **Alternatives** | `anthropic/claude-opus-4-7`, `xai/grok-4.3` |

## Models

### OpenAI

| Model | Kind | Input $/MTok | Output $/MTok | Context |
|---|---|---|---|---|
| `openai/gpt-4o` | chat | $2.40 | $10.00 | 128K |

### Others

| Model | Input $/MTok | Kind | Output $/MTok |
|---|---|---|---|
| `xai/grok-4.3` | $1.25 | chat | $2.50 |
| `anthropic/claude-opus-4-7` | $5.00 | chat | $25.00 |
"""


def test_every_table_under_models_and_its_subsections_is_read(tmp_path: Path) -> None:
    registry = pipeline.load_text(SPLIT_MODELS, "registry.md")
    assert {str(m.ref): str(m.input.usd) for m in registry.models if m.input is not None and m.input != "n/a"} == {  # type: ignore[union-attr]
        "openai/gpt-4o": "2.40", "xai/grok-4.3": "1.25", "anthropic/claude-opus-4-7": "5.00"}


def test_fmt_sync_and_explain_accept_what_the_parser_accepts(tmp_path: Path) -> None:
    (tmp_path / "registry.md").write_text(SPLIT_MODELS, encoding="utf-8")
    fmt = run_regc("fmt", cwd=tmp_path)
    assert fmt.code == 0, fmt.err
    formatted = (tmp_path / "registry.md").read_text(encoding="utf-8")
    second = formatted[formatted.index("### Others"):]
    assert second.index("| `anthropic/claude-opus-4-7` | $5.00") < second.index("| `xai/grok-4.3`              | $1.25")  # sorted

    sync = run_regc("prices", "sync", "--catalog", FIXTURES / "catalogs" / "litellm-small.json", "--today", "2026-11-22",
                    cwd=tmp_path)
    assert sync.code == 0, sync.err
    assert "`openai/gpt-4o` input price: $2.40 → $2.50" in sync.out  # a cell of the first table, read with its own header
    assert "`xai/grok-4.3` output price: $2.50 → $2.60" in sync.out  # and of the second, whose columns are in another order
    synced = (tmp_path / "registry.md").read_text(encoding="utf-8")
    assert re.search(r"\| `openai/gpt-4o` +\| chat +\| \$2\.50 +\|", synced)
    assert re.search(r"\| `xai/grok-4\.3` +\| \$1\.25 +\| chat +\| \$2\.60 +\|", synced)

    explained = json.loads(run_regc("explain", "general", "--format", "json", cwd=tmp_path).out)
    assert [(step["model"], step["input"]) for step in explained["chain"]] == [
        ("openai/gpt-4o", "$2.50/1M tok"), ("anthropic/claude-opus-4-7", "$5.00/1M tok"), ("xai/grok-4.3", "$1.25/1M tok")]


@pytest.mark.parametrize("prose", [
    "## How aliases work\n\nAn alias names a model.\n",  # a heading about aliases, without a code span
    "### Notes on `reasoning`\n\nA subheading with a code span, inside a section.\n",
    "## Benchmarks\n\n| Task | Score |\n|---|---|\n| code | 0.91 |\n",  # a table that resembles nothing regc reads
    "## Modes\n\nNot a typo of Models: no Models table follows.\n",
    "Prose that says alias `reasoning` in passing, in a paragraph.\n",
    "- a list item with `openai/o3`, `openai/gpt-5.4` in it\n",
    "```markdown\n## Example · alias `example`\n\n| | |\n|---|---|\n| **Primary** | `openai/o3` |\n```\n",  # a fenced example
])
def test_prose_that_cannot_be_mistaken_for_structure_stays_prose(prose: str) -> None:
    base = "# R\n\n## Reasoning · alias `reasoning`\n\n| | |\n|---|---|\n| **Primary** | `openai/o3` |\n\n"
    before = pipeline.load_text(base, "r.md")
    after = pipeline.load_text(base + prose, "r.md")
    assert [a.name for a in after.aliases] == [a.name for a in before.aliases]
    assert after.models == before.models


def test_the_good_registries_and_this_repository_still_read_as_before() -> None:
    """The IR snapshots (tests/test_snapshots.py) pin the meaning; here: nothing of them is refused."""
    for path in (ROOT / "registry.md", *GOOD):
        pipeline.load(path)


@pytest.mark.parametrize(("edit", "line", "fragment"), [
    (("## Reasoning · alias `reasoning`", "# Reasoning · alias `reasoning`"), 3, "level-2 heading, not level 1"),
    (("## Reasoning · alias `reasoning`", "#### Reasoning · alias `reasoning`"), 3, "level-2 heading, not level 4"),
    (("## Models", "# Models"), 9, "the Models section is a level-2 heading"),
    (("| Model | Input $/MTok |", "| Model | Input $/1K |"), 11, "prices in the Models table are per 1M tokens"),
    (("| Model | Input $/MTok |\n|---|---|\n| `openai/o3` | $2.00 |", "| Model | Input $/MTok | Input |\n|---|---|---|\n"
      "| `openai/o3` | $2.00 | $3.00 |"), 11, "a second input column"),
])
def test_one_grammar_at_every_level(edit: tuple[str, str], line: int, fragment: str) -> None:
    text = ("# R\n\n## Reasoning · alias `reasoning`\n\n| | |\n|---|---|\n| **Primary** | `openai/o3` |\n\n## Models\n\n"
            "| Model | Input $/MTok |\n|---|---|\n| `openai/o3` | $2.00 |\n")
    with pytest.raises(InputError) as caught:
        pipeline.load_text(text.replace(*edit), "r.md")
    assert any(d.line == line and fragment in d.message for d in caught.value.diagnostics), caught.value


def test_the_fixture_registries_copy_and_build(tmp_path: Path) -> None:
    shutil.copyfile(ROOT / "registry.md", tmp_path / "registry.md")
    (tmp_path / "regc.toml").write_text("[providers.koder]\nlocal = true\n")  # every built-in target; the registry's own provider
    assert run_regc("build", "--check", cwd=tmp_path).code in {0, 1}
