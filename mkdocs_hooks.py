"""MkDocs hooks for regc's documentation site (mkdocs.yml `hooks:`).

README.md's Guarantees list is the one source of the guarantees (each line names its test, and
tests/test_guarantees.py reads it there); docs/guarantees.md shows the same lines, included when the
site is built, with README's `docs/` links made relative to the page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

README = Path(__file__).parent / "README.md"
MARKER = "<!-- readme-guarantees -->"


def readme_guarantees() -> str:
    """The guarantees of README.md: from its first group heading to the end of the list."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("\n## Guarantees\n"):]
    section = section[: section.index("\n## ", 1)]
    start = section.index("\n**")
    end = section.rindex("\n- ")
    end = section.index("\n\n", end) if "\n\n" in section[end:] else len(section)
    return section[start:end].strip() + "\n"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if MARKER not in markdown:
        return markdown
    depth = page.file.src_uri.count("/")
    return markdown.replace(MARKER, readme_guarantees().replace("](docs/", "](" + "../" * depth))
