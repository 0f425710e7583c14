"""The registry writer (regc.parse.document) and regc fmt: the writer sees every table exactly as the parser does,
edits keep every other byte, and formatting never changes what the registry means and is idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from regc import pipeline
from regc.errors import InputError
from regc.parse import blocks
from regc.parse.document import CellEdit, Document, EditError, format_document, meaning, replace_value, split_row
from tests.conftest import FIXTURES, GOOD, ROOT, run_regc

MARKDOWN = [p for p in GOOD if p.suffix == ".md"] + [FIXTURES / "hostile" / "hostile.md", FIXTURES / "prices" / "registry.md",
                                                     ROOT / "registry.md", ROOT / "tests" / "protocol" / "registry.md"]


def parser_cells(text: str) -> dict[int, list[str]]:
    """Line -> the cell contents the parser reads for every top-level table row."""
    rows: dict[int, list[str]] = {}
    for block in blocks.blocks(text):
        if isinstance(block, blocks.Table):
            for row in (block.header, *block.rows):
                rows[row.line] = [cell.text for cell in row.cells]
    return rows


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_the_writer_splits_every_row_as_the_parser_does(path: Path) -> None:
    doc = Document.read(path, path.name)
    expected = parser_cells(doc.body)
    seen = {}
    for table in doc.tables:
        for row in (table.header, *table.rows):
            contents = [cell.content for cell in row.cells]
            seen[row.line] = contents + [""] * (len(expected[row.line]) - len(contents))  # markdown-it pads short rows
    assert seen == expected


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_the_writer_finds_each_models_cell_where_the_parser_read_it(path: Path) -> None:
    from regc.prices import model_columns

    doc = Document.read(path, path.name)
    raw = pipeline.parse(doc.body, path.name)
    columns = model_columns(doc, pipeline.load_text(doc.body, path.name))
    for model in raw.models:
        table = doc.table_at(model.pos.line)
        assert table is not None
        row = table.row_at(model.pos.line)
        assert row is not None
        by_field = dict(model.cells)
        for field, index in columns.items():
            if field in by_field and index < len(row.cells):
                import re

                written = re.sub(r"<!--\s*regc:ignore.*?-->", "", row.cells[index].content, flags=re.S).strip()
                assert written == by_field[field].value, (model.ref.value, field)


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
def test_a_document_gives_back_its_bytes(path: Path) -> None:
    data = path.read_bytes()
    for variant in (data, data.replace(b"\n", b"\r\n"), b"\xef\xbb\xbf" + data, data.rstrip(b"\n"), data.replace(b"\n", b"\r")):
        assert Document(variant.decode("utf-8"), "x.md").text.encode("utf-8") == variant


def test_split_row_follows_gfm() -> None:
    def texts(line: str) -> list[str]:
        return [cell.raw for cell in split_row(line)]

    assert texts("| a | b |") == [" a ", " b "]
    assert texts("a | b") == ["a ", " b"]
    assert texts("| a \\| b | `c|d` |") == [" a \\| b ", " `c", "d` "]  # GFM: a pipe in a code span still splits
    assert texts("  | a |  ") == [" a "]
    assert texts("| a | b \\|") == [" a ", " b \\|"]
    assert texts("| | |") == [" ", " "]
    assert texts("|a||b|") == ["a", "", "b"]


@pytest.mark.parametrize(("raw", "value", "expected"), [
    (" $1.00 ", "$2.00", " $2.00 "),
    ("  ", "$2.00", " $2.00 "),
    ("", "$2.00", " $2.00 "),
    (" `$1.00` ", "$2.00", " `$2.00` "),
    (' $1 <!-- regc:ignore r reason="a \\| b" --> ', "$2", ' $2 <!-- regc:ignore r reason="a \\| b" --> '),
    (' <!-- regc:ignore r reason="x" --> $1 ', "$2", ' <!-- regc:ignore r reason="x" --> $2 '),
    (' <!-- regc:ignore r reason="x" --> ', "$2", ' $2 <!-- regc:ignore r reason="x" --> '),
])
def test_replace_value_keeps_spacing_comments_and_code_marks(raw: str, value: str, expected: str) -> None:
    assert replace_value(raw, value) == expected


def test_replace_value_refuses_to_guess() -> None:
    with pytest.raises(EditError, match="split by a comment"):
        replace_value(" $1 <!-- x --> /min ", "$2")
    with pytest.raises(ValueError, match="cannot hold a pipe"):
        replace_value(" $1 ", "a | b")


def test_edit_cells_changes_only_those_cells() -> None:
    doc = Document("x\r\n| a | b | c |\r\n|---|---|---|\r\n| 1 | 2 | 3 |\r\ntail", "x.md")
    edited = doc.edit_cells([CellEdit(4, 2, "30"), CellEdit(4, 0, "10")])
    assert edited.text == "x\r\n| a | b | c |\r\n|---|---|---|\r\n| 10 | 2 | 30 |\r\ntail"
    assert doc.text.endswith("| 1 | 2 | 3 |\r\ntail")  # documents are values: the original is unchanged


def test_sync_leaves_a_cell_it_cannot_edit_and_says_so(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    # The parser reads `$ <!-- waiver --> 9` as $9 (the waiver is taken out); where the new value would go is a guess.
    split = '$ <!-- regc:ignore price-present reason="x" --> 9'
    registry.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Primary** | `openai/gpt-4o` |\n\n## Models\n\n"
                        f"| Model | Input | Output |\n|---|---|---|\n| `openai/gpt-4o` | {split} | $9.00 |\n")
    result = run_regc("prices", "sync", "--registry", registry, "--catalog", FIXTURES / "catalogs" / "litellm-small.json")
    assert result.code == 0
    assert registry.read_text().endswith(f"| `openai/gpt-4o` | {split} | $10.00 |\n")
    assert f"registry.md:11: not changed: the value '{split}' is split by a comment; edit it by hand" in result.err


# --- regc fmt ----------------------------------------------------------------------------------


def fmt_text(text: str, width: int = 120) -> str:
    doc = Document(text, "r.md")
    return format_document(doc, pipeline.parse(doc.body, "r.md"), max_width=width).text


def test_this_repositorys_registry_is_formatted() -> None:
    result = run_regc("fmt", "--check", cwd=ROOT)
    assert (result.code, result.out) == (0, "")
    assert "registry.md is formatted" in result.err


@pytest.mark.parametrize("path", MARKDOWN, ids=lambda p: p.name)
@pytest.mark.parametrize("width", [20, 120, 10_000])
def test_fmt_keeps_meaning_is_idempotent_and_touches_only_tables(path: Path, width: int) -> None:
    text = path.read_text(encoding="utf-8")
    once = fmt_text(text, width)
    assert fmt_text(once, width) == once
    assert meaning(pipeline.load_text(once, "r.md")) == meaning(pipeline.load_text(text, "r.md"))
    doc = Document(text, "r.md")
    table_lines = {n for t in doc.tables for n in range(t.first_line, t.last_line + 1)}
    for number, (old, new) in enumerate(zip(text.splitlines(), once.splitlines(), strict=True), start=1):
        if number not in table_lines:
            assert old == new


def test_fmt_aligns_orders_keys_and_sorts_the_models_table() -> None:
    text = ("---\nreviewed: 2026-11-01\n---\n## T · alias `t`\n\n|   |  |\n|:--|--:|\n| **Why** | because \\| so |\n"
            "|**Alternatives**|`b/c`|\n| **Primary** | `a/b` <!-- regc:ignore x reason=\"y\" --> |\n\n## Models\n\n"
            "| Model | Input |\n|---|:-:|\n| `z/y` | $1 |\n| `a/b` | 日本 |\n")
    with pytest.raises(Exception, match="cannot read price"):
        pipeline.load_text(text, "r.md")  # 日本 is no price: the test below uses a valid one
    text = text.replace("日本", "$2")
    formatted = fmt_text(text)
    lines = formatted.splitlines()
    assert lines[6].startswith("| :----") and lines[7].startswith("| **Primary**") and lines[8].startswith("| **Alternatives**")
    assert "because \\| so" in lines[9] and '<!-- regc:ignore x reason="y" -->' in lines[7]
    assert len({len(line) for line in lines[5:10]}) == 1  # aligned
    assert lines[-2:] == ["| `a/b` |  $2   |", "| `z/y` |  $1   |"]
    compact = fmt_text(text, width=20).splitlines()
    assert compact[5:8] == ["| | |", "|:---|---:|", '| **Primary** | `a/b` <!-- regc:ignore x reason="y" --> |']


def test_fmt_cli(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    shutil.copyfile(FIXTURES / "prices" / "registry.md", registry)
    (tmp_path / "regc.toml").write_text('registry = "registry.md"\n')
    before = registry.read_bytes()
    checked = run_regc("fmt", "--check", cwd=tmp_path)
    assert checked.code == 1 and checked.out.startswith("--- a/registry.md\n+++ b/registry.md\n") and registry.read_bytes() == before
    written = run_regc("fmt", cwd=tmp_path)
    assert (written.code, written.out) == (0, "formatted registry.md\n")
    assert run_regc("fmt", "--check", cwd=tmp_path).code == 0
    after = registry.read_text()
    assert "| `anthropic/claude-opus-4-7` |" in after.split("## Models")[1].splitlines()[6]  # sorted: anthropic first
    assert after.split("## Misc")[1].splitlines()[4].startswith("| **Primary**")


def test_fmt_refuses_what_it_cannot_keep(tmp_path: Path) -> None:
    broken = tmp_path / "registry.md"
    broken.write_text("## A · alias `a`\n\n| | |\n|---|---|\n| **Why** | x |\n")
    before = broken.read_bytes()
    result = run_regc("fmt", "--registry", broken)
    assert result.code == 2 and "has no Primary" in result.err and broken.read_bytes() == before
    yaml = tmp_path / "registry.yaml"
    yaml.write_text("aliases:\n  a: {primary: openai/gpt-4o}\n")
    assert run_regc("fmt", "--registry", yaml).code == 2


def test_fmt_keeps_crlf_and_bom(tmp_path: Path) -> None:
    registry = tmp_path / "registry.md"
    registry.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "prices" / "registry.md").read_bytes().replace(b"\n", b"\r\n"))
    assert run_regc("fmt", "--registry", registry).code == 0
    data = registry.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")


# --- hypothesis: generated registries, hostile cells -----------------------------------------------

provider = st.from_regex(r"[a-z][a-z0-9-]{0,8}", fullmatch=True)
model_id = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:@~+-]{0,15}", fullmatch=True)
# Cell text people type: pipes escaped, HTML comments, waivers, backticks, wide and zero-width characters.
hostile = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30).map(
        lambda s: s.replace("\\", "").replace("|", "\\|").replace("<!--", "").replace("-->", "").strip()),
    st.sampled_from(["<!-- note -->", "`a \\| b`", '<!-- regc:ignore fallback-provider reason="p \\| q" -->', "日本語 😀",
                     "a\u200bb", "{{ x }} */ %s", "trailing \\"]),
)
space = st.sampled_from(["", " ", "  ", "\t"])
price = st.sampled_from(["$1.00", "free", "n/a", "0.20-0.60", "$0.02/image", "", "`$3`"])
delimiter = st.sampled_from(["---", ":--", "--:", ":-:", "-----"])


def cell(text: str, draw: st.DrawFn) -> str:
    return draw(space) + text + draw(space)


def row(cells: list[str], draw: st.DrawFn) -> str:
    lead, tail = draw(st.sampled_from([("|", "|"), ("|", ""), ("", ""), ("  |", "|  ")]))
    if not all(c.strip() for c in cells):  # an empty cell at an edge needs its pipe, or the row has fewer cells
        lead, tail = lead or "|", tail or "|"
    return lead + "|".join(cell(c, draw) for c in cells) + tail


@st.composite
def registries(draw: st.DrawFn) -> str:
    refs = draw(st.lists(st.builds(lambda p, m: f"{p}/{m}", provider, model_id), min_size=1, max_size=5, unique=True))
    parts = [draw(st.sampled_from(["", "---\nreviewed: 2026-11-01\n---\n"])), "# Registry\n\nProse | with a pipe.\n"]
    for index, ref in enumerate(refs[:3]):
        rows = [["**Primary**", f"`{ref}`"], ["**Alternatives**", ", ".join(f"`{r}`" for r in refs if r != ref) or "none yet"],
                ["**Why**", draw(hostile) or "because"]]
        rows = draw(st.permutations(rows))
        head = row(["", ""], draw) + "\n" + row([draw(delimiter) for _ in range(2)], draw)
        parts.append(f"\n## Use {index} · alias `a{index}`\n\n{head}\n" + "\n".join(row(r, draw) for r in rows) + "\n")
    body = [[f"`{ref}`", draw(st.sampled_from(["chat", "embedding (3)", ""])), draw(price), draw(price), draw(hostile)] for ref in refs]
    parts.append("\n## Models\n\n" + row(["Model", "Kind", "Input", "Output", "Source"], draw) + "\n"
                 + row([draw(delimiter) for _ in range(5)], draw) + "\n" + "\n".join(row(r, draw) for r in body) + "\n")
    return "".join(parts)


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(registries(), st.sampled_from([30, 120, 400]))
def test_fmt_never_changes_meaning_and_is_idempotent(text: str, width: int) -> None:
    try:
        before = pipeline.load_text(text, "r.md")
    except InputError:  # a generated text without meaning (a duplicate, a bad cell) is not formatted
        return
    once = fmt_text(text, width)
    assert meaning(pipeline.load_text(once, "r.md")) == meaning(before)
    assert fmt_text(once, width) == once
    # Every cell's text survives byte for byte: only the spacing around it and the row order change.
    old_cells = sorted(c.text for t in Document(text, "r.md").tables for r in (t.header, *t.rows) for c in r.cells if c.text)
    new_cells = sorted(c.text for t in Document(once, "r.md").tables for r in (t.header, *t.rows) for c in r.cells if c.text)
    assert new_cells == old_cells
