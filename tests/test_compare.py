"""regc.reports.compare: two resolved registries in, per-alias changes out (no git involved)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from regc import pipeline
from regc.errors import InputError
from regc.model import build
from regc.model.resolve import ResolvedRegistry, resolve
from regc.reports import diffreport
from regc.reports.compare import compare
from tests.conftest import FIXTURES, ROOT

BASE = """# Registry

## Code · alias `code-fast`

| | |
|---|---|
| **Primary** | `xai/grok-code-fast-1` |
| **Alternatives** | `mistral/codestral-latest`, `openai/gpt-5-mini`, `perplexity/sonar-pro` (when key added) |

## Embeddings · alias `embed`

| | |
|---|---|
| **Primary** | `openai/text-embedding-3-large` |
| **Alternatives** | `mistral/mistral-embed` |

## Tier shortcuts (legacy — back-compat)

| Alias | Resolves to | Notes |
|---|---|---|
| `fast` | `openai/gpt-5-mini` | cheap |
| `best` | `code-fast` | |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `xai/grok-code-fast-1` | chat | $0.20 | $1.50 |
| `xai/grok-4.3` | chat | $1.25 | $2.50 |
| `mistral/codestral-latest` | chat | $0.30 | $0.90 |
| `openai/gpt-5-mini` | chat | $0.25 | $2.00 |
| `openai/text-embedding-3-large` | embedding (3072) | $0.13 | n/a |
| `openai/text-embedding-3-small` | embedding (1536) | $0.02 | n/a |
| `mistral/mistral-embed` | embedding (1024) | $0.10 | n/a |
| `ollama/qwen2.5:3b` | chat | free | free |
"""


def registry(text: str) -> ResolvedRegistry:
    return resolve(build(pipeline.parse(text, "registry.md")))


def messages(old: str, new: str) -> list[str]:
    return [c.message + (" [breaking]" if c.breaking else "") for c in compare(registry(old), registry(new)).changes]


def test_no_change() -> None:
    assert compare(registry(BASE), registry(BASE)).changes == ()


def test_a_new_primary_with_its_price_effect() -> None:
    new = BASE.replace("| **Primary** | `xai/grok-code-fast-1` |", "| **Primary** | `xai/grok-4.3` |")
    assert messages(BASE, new) == [
        "code-fast: primary xai/grok-code-fast-1 → xai/grok-4.3",
        "code-fast: input $0.20 → $1.25 per 1M, ×6.2",
        "code-fast: output $1.50 → $2.50 per 1M, ×1.7",
        "best: primary xai/grok-code-fast-1 → xai/grok-4.3",  # a legacy alias through code-fast moves with it
        "best: input $0.20 → $1.25 per 1M, ×6.2",
        "best: output $1.50 → $2.50 per 1M, ×1.7",
    ]


def test_a_price_change_of_a_model_is_reported_for_every_alias_whose_chain_holds_it() -> None:
    """Plan-style: the effect on each alias (primary or fallback), and the model's change once with who uses it."""
    new = BASE.replace("| `openai/gpt-5-mini` | chat | $0.25 | $2.00 |", "| `openai/gpt-5-mini` | chat | $0.25 | $2.10 |")
    assert messages(BASE, new) == [
        "code-fast: fallback 2 openai/gpt-5-mini: output $2.00 → $2.10 per 1M, ×1.05",
        "fast: output $2.00 → $2.10 per 1M, ×1.05",
        "best: fallback 2 openai/gpt-5-mini: output $2.00 → $2.10 per 1M, ×1.05",
        "model openai/gpt-5-mini: output $2.00 → $2.10 per 1M, ×1.05; in the chains of code-fast (fallback 2), fast (primary), "
        "best (fallback 2)",
    ]


def test_context_status_and_rows_outside_every_chain_are_reported() -> None:
    models = BASE.replace("| Model | Kind | Input $/MTok | Output $/MTok |\n|---|---|---|---|",
                          "| Model | Kind | Input $/MTok | Output $/MTok | Context | Status |\n|---|---|---|---|---|---|")
    new = (models.replace("| `mistral/codestral-latest` | chat | $0.30 | $0.90 |",
                          "| `mistral/codestral-latest` | chat | $0.30 | $0.90 | 256K |")
           .replace("| `xai/grok-code-fast-1` | chat | $0.20 | $1.50 |",
                    "| `xai/grok-code-fast-1` | chat | $0.20 | $1.50 | | retired 2026-05-15 → `xai/grok-4.3` |")
           .replace("| `ollama/qwen2.5:3b` | chat | free | free |\n", "")
           .replace("| `openai/text-embedding-3-small` | embedding (1536) | $0.02 | n/a |",
                    "| `openai/text-embedding-3-small` | embedding (1536) | $0.03 | n/a |"))
    assert messages(models, new) == [
        "code-fast: primary xai/grok-code-fast-1: status unknown → retired 2026-05-15 → xai/grok-4.3",
        "code-fast: fallback 1 mistral/codestral-latest: context unknown → 256,000",
        "best: primary xai/grok-code-fast-1: status unknown → retired 2026-05-15 → xai/grok-4.3",
        "best: fallback 1 mistral/codestral-latest: context unknown → 256,000",
        "model xai/grok-code-fast-1: status unknown → retired 2026-05-15 → xai/grok-4.3; in the chains of code-fast (primary), "
        "best (primary)",
        "model mistral/codestral-latest: context unknown → 256,000; in the chains of code-fast (fallback 1), best (fallback 1)",
        "model openai/text-embedding-3-small: input $0.02 → $0.03 per 1M, ×1.5; in no alias's chain",
        "model ollama/qwen2.5:3b: removed from the Models table; in no alias's chain",
    ]


def test_title_rationale_notes_and_review_date_are_reported() -> None:
    old = "---\nreviewed: 2026-01-01\n---\n" + BASE.replace("| **Alternatives** | `mistral/mistral-embed` |",
                                                             "| **Alternatives** | `mistral/mistral-embed` |\n| **Why** | Good. |")
    new = (old.replace("2026-01-01", "2026-02-01").replace("## Embeddings · alias `embed`", "## Vectors · alias `embed`")
           .replace("| **Why** | Good. |", "| **Why** | Better. |").replace("| `fast` | `openai/gpt-5-mini` | cheap |",
                                                                        "| `fast` | `openai/gpt-5-mini` | cheapest |"))
    assert messages(old, new) == [
        "embed: title 'Embeddings' → 'Vectors'",
        "embed: rationale changed (Why → Why)",
        "fast: notes cheap → cheapest",
        "registry: reviewed 2026-01-01 → 2026-02-01",
    ]


def test_to_and_from_free() -> None:
    new = BASE.replace("| `fast` | `openai/gpt-5-mini` |", "| `fast` | `ollama/qwen2.5:3b` |")
    assert messages(BASE, new) == [
        "fast: primary openai/gpt-5-mini → ollama/qwen2.5:3b",
        "fast: input $0.25 → $0.00 per 1M (now free)",
        "fast: output $2.00 → $0.00 per 1M (now free)",
    ]
    assert messages(new, BASE)[1] == "fast: input $0.00 → $0.25 per 1M (was free)"


def test_removed_aliases_are_breaking_legacy_ones_included() -> None:
    new = BASE.replace("| `fast` | `openai/gpt-5-mini` | cheap |\n", "")
    new = new[: new.index("## Embeddings")] + new[new.index("## Tier shortcuts"):]
    assert messages(BASE, new) == [
        "embed: removed: clients that send `embed` will get an error [breaking]",
        "fast: legacy alias removed: clients that send `fast` will get an error [breaking]",
    ]


def test_a_changed_kind_or_embedding_dimensions_is_breaking() -> None:
    dims = BASE.replace("| **Primary** | `openai/text-embedding-3-large` |", "| **Primary** | `openai/text-embedding-3-small` |")
    changes = compare(registry(BASE), registry(dims)).changes
    assert [c.aspect for c in changes if c.breaking] == ["kind"]
    assert changes[0].message == "embed: kind embedding (3072) → embedding (1536): clients get a different kind of answer"

    kind = BASE.replace("| `fast` | `openai/gpt-5-mini` |", "| `fast` | `openai/text-embedding-3-small` |")
    assert messages(BASE, kind)[0] == "fast: kind chat → embedding (1536): clients get a different kind of answer [breaking]"


def test_an_unknown_kind_is_reported_not_breaking() -> None:
    new = BASE.replace("| `fast` | `openai/gpt-5-mini` |", "| `fast` | `openai/gpt-6` |")
    assert messages(BASE, new)[0] == "fast: kind chat → unknown"
    assert not compare(registry(BASE), registry(new)).breaking


def test_fallback_changes() -> None:
    dropped = BASE.replace("`mistral/codestral-latest`, `openai/gpt-5-mini`", "`openai/gpt-5-mini`, `xai/grok-4.3`")
    assert messages(BASE, dropped)[0] == (
        "code-fast: fallbacks − mistral/codestral-latest, + xai/grok-4.3 (now openai/gpt-5-mini, xai/grok-4.3)"
    )
    reordered = BASE.replace("`mistral/codestral-latest`, `openai/gpt-5-mini`", "`openai/gpt-5-mini`, `mistral/codestral-latest`")
    assert messages(BASE, reordered)[0] == (
        "code-fast: fallbacks reordered: mistral/codestral-latest, openai/gpt-5-mini → openai/gpt-5-mini, mistral/codestral-latest"
    )


def test_pending_alternatives_and_added_aliases() -> None:
    new = BASE.replace(", `perplexity/sonar-pro` (when key added)", "") + (
        "\n## Local · alias `local`\n\n| | |\n|---|---|\n| **Primary** | `ollama/qwen2.5:3b` |\n"
    )
    assert messages(BASE, new) == [
        "code-fast: pending alternative removed: perplexity/sonar-pro (when key added)",
        "local: added: ollama/qwen2.5:3b (chat)",
    ]


def test_a_legacy_alias_that_now_resolves_through_another_alias() -> None:
    new = BASE.replace("| `fast` | `openai/gpt-5-mini` |", "| `fast` | `code-fast` |")
    assert messages(BASE, new)[:2] == [
        "fast: resolves through (none) → code-fast",
        "fast: primary openai/gpt-5-mini → xai/grok-code-fast-1",
    ]


def test_markdown_summary_for_a_pull_request() -> None:
    new = BASE.replace("| **Primary** | `xai/grok-code-fast-1` |", "| **Primary** | `xai/grok-4.3` |")
    new = new.replace("| `fast` | `openai/gpt-5-mini` | cheap |\n", "")

    text = diffreport.markdown(compare(registry(BASE), registry(new)), "origin/main:registry.md", "registry.md")

    assert text.startswith("### Registry changes: origin/main:registry.md → registry.md\n\n**1 breaking change**")
    assert "- `fast`: legacy alias removed: clients that send `fast` will get an error\n" in text
    assert ("| `code-fast` | primary xai/grok-code-fast-1 → xai/grok-4.3<br>input $0.20 → $1.25 per 1M, ×6.2"
            "<br>output $1.50 → $2.50 per 1M, ×1.7 |\n") in text
    assert "| `fast` | **breaking**: legacy alias removed" in text
    assert text.endswith("\n3 aliases changed, 1 breaking.\n")


def test_markdown_cells_cannot_break_the_table() -> None:
    assert diffreport.cell("a | b <script>\nc") == "a \\| b &lt;script&gt; c"
    assert diffreport.code("x`y") == "``x`y``"


def test_json_and_text() -> None:
    new = BASE.replace("| `fast` | `openai/gpt-5-mini` | cheap |\n", "")
    comparison = compare(registry(BASE), registry(new))
    document = json.loads(diffreport.to_json(comparison, "HEAD:registry.md", "registry.md"))
    assert document["breaking"] is True
    assert document["changes"] == [{
        "alias": "fast", "model": None, "aspect": "removed", "breaking": True,
        "message": "fast: legacy alias removed: clients that send `fast` will get an error",
        "old": "fast", "new": None, "line": None,
    }]
    assert diffreport.text(comparison, "a", "b") == "fast: legacy alias removed: clients that send `fast` will get an error  [breaking]\n"
    assert diffreport.text(compare(registry(BASE), registry(BASE)), "a", "b") == "nothing that reaches an output changed between a and b\n"


def _outputs(resolved: ResolvedRegistry) -> dict[str, bytes]:
    from regc import targets

    rendered: dict[str, bytes] = {}
    for name in targets.builtin_names():
        if name != "schema":  # independent of the registry
            target = targets.all_targets()[name]()
            rendered.update(target.render(resolved, target.Options.model_validate({})))
    return rendered


def _value_edits(text: str) -> list[tuple[str, str]]:
    """Single edits of what the registry means, each still a valid registry: a Models cell swapped for another row's value
    in its column, a title or rationale or note reworded, two alternatives swapped, the review date moved."""
    from regc.parse.document import Document

    document = Document(text, "registry.md")
    edits: list[tuple[str, str]] = []
    lines = text.splitlines()
    for table in document.tables:
        rows = [row.texts() for row in table.rows]
        for row_index, row in enumerate(table.rows):
            for column in range(1, len(row.cells)):
                others = {r[column] for r in rows if column < len(r)} - {row.texts()[column]}
                for other in sorted(others)[:2]:
                    cells = row.texts()
                    new_line = "| " + " | ".join([*cells[:column], other, *cells[column + 1:]]) + " |"
                    edits.append((lines[row.line - 1], new_line))
            del row_index
    for line in lines:
        if line.startswith("## ") and "alias" in line:
            edits.append((line, line.replace("## ", "## Renamed ", 1)))
        if line.startswith("| **Why"):
            edits.append((line, line[:-1] + "Reworded. |"))
        if line.startswith("| **Alternatives** |") and line.count(",") >= 1:
            cell = line.split("|")[2].strip()
            parts = [part.strip() for part in cell.split(",")]
            edits.append((line, line.replace(cell, ", ".join([parts[1], parts[0], *parts[2:]]))))
        if line.startswith("reviewed:"):
            edits.append((line, "reviewed: 2026-01-02"))
    return edits


@pytest.mark.parametrize("path", [ROOT / "registry.md", FIXTURES / "good" / "features.md"], ids=lambda p: p.name)
def test_an_edit_that_changes_an_output_is_never_reported_as_no_change(path: Path) -> None:
    """Every single value edit (a fixed sample): if any target's output differs, `regc diff` names a change."""
    import random

    text = path.read_text(encoding="utf-8")
    old = registry(text)
    old_outputs = _outputs(old)
    edits = _value_edits(text)
    random.Random(12).shuffle(edits)
    checked = changed = 0
    for before, after in edits[:80]:
        try:
            new = registry(text.replace(before, after, 1))
        except InputError:
            continue  # a swapped value the grammar refuses where it landed (a Primary named twice, say): not a value edit
        checked += 1
        if _outputs(new) != old_outputs:
            changed += 1
            assert compare(old, new).changes, f"outputs changed but diff reports nothing: {before!r} → {after!r}"
    assert checked >= 40 and changed >= 30


def test_markdown_and_json_name_model_rows_and_the_registry() -> None:
    old = "---\nreviewed: 2026-01-01\n---\n" + BASE
    new = old.replace("2026-01-01", "2026-02-01").replace("| `openai/gpt-5-mini` | chat | $0.25 | $2.00 |",
                                                          "| `openai/gpt-5-mini` | chat | $0.25 | $2.10 |")
    comparison = compare(registry(old), registry(new))
    text = diffreport.markdown(comparison, "a", "b")
    assert "| model `openai/gpt-5-mini` | output $2.00 → $2.10 per 1M, ×1.05; in the chains of code-fast (fallback 2)" in text
    assert "| registry | reviewed 2026-01-01 → 2026-02-01 |" in text
    assert text.endswith("3 aliases changed, 0 breaking; 2 more to Models rows or the registry.\n")
    changes = json.loads(diffreport.to_json(comparison, "a", "b"))["changes"]
    assert {(c["alias"], c["model"], c["aspect"]) for c in changes} >= {(None, "openai/gpt-5-mini", "model"), (None, None, "reviewed")}
