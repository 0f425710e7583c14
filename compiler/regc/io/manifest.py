"""The outputs manifest, ``regc.outputs``: the files regc generated in a project, so that it knows its own.

When a target's ``path`` changes or a target is switched off, the file it used to
write would stay behind: still committed, still read by whatever consumed it (a Go
package with two ``Aliases`` maps no longer builds). So every build also writes,
at the root of the outputs, the list of the files it generated, one path a line,
and the next run compares it with what the configuration generates now:

- ``regc build`` removes a listed file that no target generates any more (as
  ``terraform apply`` destroys what left the configuration), and says so;
- ``regc build --check`` and ``regc check`` report it (exit 1), with a diff;
- the git hook and ``verify-commits`` report it when the index or a commit still
  holds it, naming the manifest of HEAD (or of the commit's parent) that listed it.

The manifest is an output like any other: generated from the configuration,
committed, drift-checked. It lists only the files regc owns whole: a hand-written
file that a target edits a block of (the go target's block mode) is never listed,
so it is never removed. A listed path is removed only when the write policy
allows writing it (``regc.io.write``): never a file regc reads, never inside ``.git``,
never through a symbolic link, never a directory.

Standard library only: the hook's fast path reads it.
"""

from __future__ import annotations

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Iterable

#: The manifest's name, at the root of the outputs (the project root, or ``--output-dir``).
NAME = "regc.outputs"

#: What the manifest is, in words: it lands in the user's project, where this repository's docs are not.
_ABOUT = (
    "# The files regc generates in this project, one a line: its record of the files it owns here.\n"
    "# `regc build` removes a listed file that no target generates any more; `regc check` and the git hook report it.\n"
)


def render(owned: Iterable[str], notice: str) -> bytes:
    """The manifest listing ``owned`` (project-relative output paths), under the generated-file ``notice``."""
    return (f"# {notice}\n{_ABOUT}" + "".join(f"{path}\n" for path in sorted(set(owned)))).encode("utf-8")


def parse(data: bytes | None) -> list[str]:
    """The paths a manifest lists (none when there is no manifest); comments, blank lines and undecodable bytes are skipped."""
    if data is None:
        return []
    text = data.decode("utf-8", "replace")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#") and "\ufffd" not in line]
