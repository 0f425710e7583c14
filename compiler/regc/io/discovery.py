"""Finding the project's configuration file, with the standard library only.

Three callers need the same answer: ``regc.model.config`` (which then validates the
file with pydantic), the hook's fast path and the run cache's replay (which
must decide before pydantic, click or anything heavy is imported). So the
search lives here, once: the nearest ``regc.toml``, or ``pyproject.toml`` with
a ``[tool.regc]`` table, at or above the starting directory, not above the
repository's top (a directory holding ``.git``, or ``top`` when given). So does
``top_relative``, which the hook's fast and full paths both use to place it.
"""

from __future__ import annotations

import os
import re

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from pathlib import Path

CONFIG_FILES = ("regc.toml", "pyproject.toml")
_TOOL_REGC = re.compile(r"^[ \t]*+\[tool\.regc[.\]]", re.M)


def has_tool_regc(pyproject: Path) -> bool:
    """``pyproject`` has a ``[tool.regc]`` table (or one of its sub-tables)."""
    try:
        return _TOOL_REGC.search(pyproject.read_text(encoding="utf-8")) is not None
    except (OSError, UnicodeDecodeError):
        return False


def find_config(start: Path, *, top: Path | None = None) -> Path | None:
    """The configuration file for a run started in ``start``, or None when there is none."""
    for directory in (start, *start.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file() and (name == "regc.toml" or has_tool_regc(candidate)):
                return candidate
        if (directory / ".git").exists() or directory == top:
            break
    return None


def config_file(cwd: Path, config_arg: str | None, *, top: Path | None = None) -> Path | None:
    """The configuration file a run started in ``cwd`` uses: the one ``--config`` names, else ``find_config``'s."""
    if config_arg:
        return (cwd / config_arg).absolute()
    return find_config(cwd, top=top)


def top_relative(top: Path, path: Path) -> str | None:
    """``path`` as a posix path relative to the repository's ``top`` ("" for the top); None when it is outside."""
    try:
        relative = os.path.relpath(os.path.realpath(path), os.path.realpath(top))
    except ValueError:  # another drive
        return None
    relative = relative.replace(os.sep, "/")
    if relative == ".." or relative.startswith("../"):
        return None
    return "" if relative == "." else relative
