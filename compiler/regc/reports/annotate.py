"""GitHub Actions annotations (workflow commands), printed when ``GITHUB_ACTIONS=true``.

``::error file=registry.md,line=12,title=regc breaking::message`` makes GitHub
show the message on that line of the pull request. Values are escaped as the
runner expects (``%``, CR and LF in the message; also ``:`` and ``,`` in
properties), so a hostile alias name or commit subject cannot end the command
early or inject another one.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pathlib import Path

Level = Literal["error", "warning", "notice"]


def enabled() -> bool:
    return os.environ.get("GITHUB_ACTIONS") == "true"


def workspace_path(path: Path) -> str:
    """``path`` relative to the checkout (``GITHUB_WORKSPACE``), as GitHub matches annotations to files."""
    workspace = os.environ.get("GITHUB_WORKSPACE")
    relative = os.path.relpath(path, workspace) if workspace else os.path.relpath(path)
    return relative.replace(os.sep, "/")


def annotation(level: Level, message: str, *, file: str | None = None, line: int | None = None, title: str | None = None) -> str:
    """One workflow command line (with its newline)."""
    properties = []
    if file is not None:
        properties.append(f"file={escape_property(file)}")
    if line is not None:
        properties.append(f"line={line}")
    if title is not None:
        properties.append(f"title={escape_property(title)}")
    head = f"::{level} {','.join(properties)}" if properties else f"::{level}"
    return f"{head}::{escape_data(message)}\n"


def escape_data(value: str) -> str:
    """A message, escaped as the runner reads it (the same as ``@actions/core``'s ``escapeData``)."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """A property value (file, title): ``:`` and ``,`` would end it, so they are escaped too."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")
