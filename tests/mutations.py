"""Single edits of a registry's structure, and the verdict regc must give on each.

``mutations(text)`` lists every edit of one structural token of a markdown registry: heading markers and
levels, the word ``alias``, code-span fences, column headers, the key names ``Primary`` / ``Alternatives``,
the separators between alternatives and between cells, the delimiter rows, decimal points and digit groups, an alias's
``Status`` key and a lifecycle's ``deprecated`` and ``→``.
Each edit changes one line and keeps the line count, so a diagnostic can be matched to the edited line.

``verdict(...)`` says whether regc kept its promise on an edited text: it refuses it (an input error on the
edited line), or it reads the same registry (the aliases, models and waivers mean what they meant: prose may
change), or lint fails with a new error on the edited line. Anything else, an alias, a fallback, a Models row
or a price changed while everything passes, is a broken promise.

``python -m tests.mutations [FILE...]`` runs every mutation of each file (not a sample) and prints the broken
ones: the tool for finding what the parser still lets through.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from regc import pipeline
from regc.errors import InputError
from regc.lint import run
from regc.lint.policy import EMPTY, Policy
from regc.model.providers import providers
from regc.parse.document import Document, meaning

TODAY = datetime.date(2026, 11, 22)
#: Characters a typo inserts or substitutes: letters next to each other on a keyboard, a space, a doubled letter.
TYPO_LETTERS = "aeiosrtnlmz "


@dataclasses.dataclass(frozen=True)
class Mutation:
    line: int  # 1-based
    text: str  # the new line
    what: str  # the kind of edit, for the report


def _typos(word: str, rng: random.Random) -> Iterator[str]:
    """One-character slips of ``word``: a letter dropped, two swapped, one doubled, one replaced or inserted."""
    for i in range(len(word)):
        yield word[:i] + word[i + 1:]
        if i + 1 < len(word) and word[i] != word[i + 1]:
            yield word[:i] + word[i + 1] + word[i] + word[i + 2:]
        yield word[:i] + word[i] + word[i:]
        yield word[:i] + rng.choice(TYPO_LETTERS.replace(word[i].lower(), "")) + word[i + 1:]
    yield word + rng.choice(TYPO_LETTERS.strip())


def mutations(text: str, seed: int = 0) -> list[Mutation]:
    """Every structural single-line edit of ``text``, in a fixed order."""
    rng = random.Random(seed)
    lines = text.split("\n")
    document = Document(text, "registry.md")
    table_lines: dict[int, tuple[str, int]] = {}  # line -> (role, table's first line)
    structural: dict[int, set[int]] = {}  # row line -> the indexes of its cells that hold structure, not free text
    numbers: dict[int, set[int]] = {}  # row line -> the indexes of its price and context cells (decimal points, digit groups)
    for table in document.tables:
        table_lines[table.header.line] = ("header", table.first_line)
        table_lines[table.delimiter.line] = ("delimiter", table.first_line)
        headers = [cell.content.strip("* ").lower() for cell in table.header.cells]
        for row in table.rows:
            table_lines[row.line] = ("row", table.first_line)
            structural[row.line] = _structural_cells(headers, [cell.content for cell in row.cells])
            numbers[row.line] = _number_cells(headers)
    found: list[Mutation] = []

    def add(number: int, new: str, what: str) -> None:
        if new != lines[number - 1]:
            found.append(Mutation(number, new, what))

    for number, line in enumerate(lines, start=1):
        role = table_lines.get(number, (None, 0))[0]
        heading = re.match(r"(#{1,6}) ", line)
        if heading and role is None:
            marker, rest = heading[1], line[heading.end():]
            for other in ("#", "##", "###", "####", "#######"):
                add(number, f"{other} {rest}", f"heading level {marker} → {other}")
            add(number, f"{marker}{rest}", "no space after the heading marker")
            add(number, f"    {marker} {rest}", "heading indented four spaces")
            add(number, f"  {marker} {rest}", "heading indented two spaces")
            add(number, rest, "heading marker removed")
            for match in re.finditer(r"(?i)\balias\b", line):
                start, end = match.span()
                if line[:start].count("`") % 2:
                    continue  # inside the alias name's code span: part of a name, not the keyword
                for typo in _typos(match[0], rng):
                    add(number, line[:start] + typo + line[end:], f"`alias` → {typo!r}")
                add(number, line[:start] + line[end:], "`alias` removed")
                add(number, line[:start] + "alias:" + line[end:], "`alias:`")
                add(number, line[:start] + "aliases" + line[end:], "`aliases`")
                add(number, line[:start] + "ALIAS" + line[end:], "`ALIAS`")
            if rest.strip().lower() == "models":
                for typo in _typos(rest.strip(), rng):
                    add(number, f"{marker} {typo}", f"`Models` → {typo!r}")
            add(number, line + " (draft)", "a suffix after the heading")
            name = re.search(r"`[^`]*`\s*$", line)  # the alias name's code span; backticks in the title are free text
            for index in ([name.start(), name.end() - 1 - (len(name[0]) - len(name[0].rstrip()))] if name else []):
                add(number, line[:index] + line[index + 1:], "a backtick of the alias name removed")
        if role in {"header", "row"}:
            cells = _cells(line)
            for index, (start, end) in enumerate(cells):
                if role == "row" and index not in structural.get(number, set()):
                    continue  # free text (rationale, notes, a Source cell, a prose table): any edit is a prose edit
                cell = line[start:end]
                stripped = cell.strip()
                lead = start + len(cell) - len(cell.lstrip())
                if role == "header" and stripped:
                    for typo in _typos(stripped, rng):
                        add(number, line[:lead] + typo + line[lead + len(stripped):], f"column header {stripped!r} → {typo!r}")
                    add(number, line[:lead] + stripped.upper() + line[lead + len(stripped):], "column header upper case")
                if role == "row" and index == 0:
                    key = re.fullmatch(r"\*\*(Primary|Alternatives|Fallbacks|Status)\*\*", stripped)
                    if key:
                        word = key[1]
                        for typo in _typos(word, rng):
                            add(number, line.replace(f"**{word}**", f"**{typo}**", 1), f"key {word!r} → {typo!r}")
                        add(number, line.replace(f"**{word}**", word, 1), "key without bold")
                        add(number, line.replace(f"**{word}**", f"**{word}:**", 1), "key with a colon")
                        add(number, line.replace(f"**{word}**", f"**{word} model**", 1), "key with a word after it")
                        if word != "Status":
                            other = "Alternatives" if word == "Primary" else "Primary"
                            add(number, line.replace(f"**{word}**", f"**{other}**", 1), f"key {word!r} → {other!r}")
                for match in re.finditer(r"(?i)\bdeprecated\b", cell):  # a lifecycle's state word (an alias's or a model's)
                    at = start + match.start()
                    for typo in _typos(match[0], rng):
                        add(number, line[:at] + typo + line[at + len(match[0]):], f"status word {match[0]!r} → {typo!r}")
                for match in re.finditer("→", cell):
                    at = start + match.start()
                    add(number, line[:at] + line[at + 1:], "a status arrow removed")
                for match in re.finditer(r", ", cell):
                    if _inside(cell, match.start(), "(", ")") or _inside(cell, match.start(), "<!--", "-->"):
                        continue  # a comma in a note or a comment is free text
                    at = start + match.start()
                    for separator in ("; ", " or ", " then ", " ", " / ", " and "):
                        add(number, line[:at] + separator + line[at + 2:], f"separator ', ' → {separator!r}")
                numeric = index in numbers.get(number, set())
                for match in re.finditer(r"\d\.\d", cell if numeric else ""):
                    at = start + match.start() + 1
                    add(number, line[:at] + "," + line[at + 1:], "decimal point → comma")
                    add(number, line[:at] + line[at + 1:], "decimal point removed")
                    add(number, line[:at] + ".." + line[at + 1:], "decimal point doubled")
                for match in re.finditer(r"\d,\d", cell if numeric else ""):
                    at = start + match.start() + 1
                    add(number, line[:at] + "." + line[at + 1:], "digit-group comma → point")
                    add(number, line[:at] + line[at + 1:], "digit-group comma removed")
                for match in re.finditer("`", cell):
                    if _inside(cell, match.start(), "(", ")") or _inside(cell, match.start(), "<!--", "-->"):
                        continue
                    at = start + match.start()
                    add(number, line[:at] + line[at + 1:], "a backtick removed")
            pipes = [i for i, char in enumerate(line) if char == "|" and (i == 0 or line[i - 1] != "\\")]
            for at in pipes[1:-1]:
                add(number, line[:at] + line[at + 1:], "a cell separator removed")
        if role == "delimiter":
            segments = line.strip().strip("|").split("|")
            if len(segments) > 1:
                add(number, "|" + "|".join(segments[1:]) + "|", "a delimiter column removed")
            add(number, line.replace("---", "--", 1), "a delimiter shortened")
            add(number, line.replace("|", "", 1), "a delimiter row without its first pipe")
    return found


def _inside(text: str, at: int, opener: str, closer: str) -> bool:
    """Whether position ``at`` of ``text`` lies between an ``opener`` and its ``closer`` (a note, a comment)."""
    before = text[:at]
    return before.rfind(opener) > before.rfind(closer) if opener != closer else before.count(opener) % 2 == 1


def _structural_cells(headers: list[str], cells: list[str]) -> set[int]:
    """Which cells of a row hold structure: every Models cell but Source/Notes, every legacy cell but Notes, an alias
    table's key cells and the values of its Primary and Alternatives rows."""
    from regc.parse.markdown import model_field

    fields = [model_field(header) for header in headers]
    if "model" in fields:
        return {i for i, field in enumerate(fields) if field != "source"}
    if "alias" in headers:
        return {i for i, header in enumerate(headers) if not header.startswith("note")}
    key = cells[0].strip("* :").lower() if cells else ""
    return {0, 1} if key in {"primary", "alternatives", "fallbacks", "status"} else set()  # a rationale row is free text


def _number_cells(headers: list[str]) -> set[int]:
    from regc.parse.markdown import model_field

    return {i for i, header in enumerate(headers) if model_field(header) in {"input", "output", "cache_read", "cache_write", "context"}}


def _cells(line: str) -> list[tuple[int, int]]:
    """(start, end) of each cell's raw text between pipes, as the writer splits it."""
    from regc.parse.document import split_row

    return [(cell.start, cell.end) for cell in split_row(line)]


def _policy_for(path: Path) -> Policy:
    from regc.lint.policy import load_policy

    root = Path(__file__).resolve().parent.parent
    return load_policy(root / "policy.yaml", "policy.yaml") if path == root / "registry.md" else EMPTY


def _meaning(registry: Any) -> object:
    """What the outputs and lint read: aliases, models, waivers, the review date; prose and the title may change."""
    data = meaning(registry)
    assert isinstance(data, dict)
    inner = data["registry"]
    return {key: inner[key] for key in ("aliases", "models", "waivers", "reviewed", "meta")}


@dataclasses.dataclass
class Baseline:
    name: str
    text: str
    meaning: object
    policy: Policy
    findings: set[tuple[int, str, str]]


def baseline(path: Path) -> Baseline:
    text = path.read_text(encoding="utf-8")
    registry = pipeline.load_text(text, path.name)
    policy = _policy_for(path)
    return Baseline(path.name, text, _meaning(registry), policy, _lint(registry, text, policy))


def _lint(registry: Any, text: str, policy: Policy) -> set[tuple[int, str, str]]:
    result = run(registry, policy=policy, today=TODAY, providers=providers(), text=text)
    return {(f.line, f.rule, f.message) for f in result.findings if f.severity == "error"}


def verdict(base: Baseline, mutation: Mutation) -> str | None:
    """None when regc kept its promise on the mutated text; else what went wrong."""
    lines = base.text.split("\n")
    lines[mutation.line - 1] = mutation.text
    text = "\n".join(lines)
    try:
        registry = pipeline.load_text(text, base.name)
    except InputError as exc:
        if any(d.line == mutation.line for d in exc.diagnostics):
            return None
        return f"refused, but not at line {mutation.line}: {exc.diagnostics[0]}"
    if _meaning(registry) == base.meaning:
        return None
    new = _lint(registry, text, base.policy) - base.findings
    if any(line == mutation.line for line, _, _ in new):
        return None
    return "read as another registry, and lint passes" + (f" (new errors elsewhere: {sorted(new)[:2]})" if new else "")


def main(paths: list[str]) -> int:
    broken = 0
    for name in paths:
        base = baseline(Path(name))
        found = mutations(base.text)
        for mutation in found:
            problem = verdict(base, mutation)
            if problem is not None:
                broken += 1
                print(f"{name}:{mutation.line}: {mutation.what}: {problem}\n    {mutation.text[:160]}")
        print(f"{name}: {len(found)} mutations", file=sys.stderr)
    return 1 if broken else 0


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    default = [str(root / "registry.md"), *(str(p) for p in sorted((root / "tests/fixtures/good").glob("*.md"))),
               str(root / "tests/fixtures/hostile/hostile.md"), str(root / "tests/fixtures/prices/registry.md")]
    raise SystemExit(main(sys.argv[1:] or default))
