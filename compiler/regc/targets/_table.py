"""README's targets table, generated from the targets' own metadata.

Each target class says what it writes (``description``), how its output is
proven (``proven_by``) and where it goes by default (its options' ``path``);
``tests/test_targets_table.py`` keeps README.md's table equal to ``table()``
(``pytest --snapshot-update`` rewrites it).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from regc.targets import all_targets, builtin_names

#: The table's first two lines; README.md's table starts with them.
HEAD = "| target | default path | what | proven by |\n|---|---|---|---|\n"


def default_path(name: str) -> str:
    """A target's default output path; a directory (a name without a suffix) ends in ``/``."""
    path = str(all_targets()[name].Options.model_fields["path"].default)
    return path if PurePosixPath(path).suffix else path.rstrip("/") + "/"


def table() -> str:
    """The markdown table of every built-in target, sorted by name."""
    rows = []
    for name in builtin_names():
        cls = all_targets()[name]
        cells = [f"`{name}`", f"`{default_path(name)}`", cls.description, cls.proven_by]
        for cell in cells:
            if "|" in cell or "\n" in cell:
                raise ValueError(f"target {name}: {cell!r} cannot be a table cell (no | or newline)")
        rows.append("| " + " | ".join(cells) + " |\n")
    return HEAD + "".join(rows)
