"""Writing outputs: atomically, only when they change, and only inside the root.

``plan`` compares generated outputs with what is on disk; ``apply`` writes
the changed ones, each through a temporary file in the same directory that is
fsynced and renamed over the target, so a reader (or an interrupted build)
sees either the whole old file or the whole new one. An output that is
already up to date is not touched: its mtime stays, and make-style tools do
not rebuild. ``diff`` renders the plan as a unified diff for ``--check``.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from regc.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

TMP_MARK = ".regc-tmp-"


@dataclasses.dataclass(frozen=True)
class Change:
    path: str  # relative to the root, posix
    old: bytes | None
    new: bytes

    @property
    def status(self) -> Literal["create", "update", "same"]:
        if self.old is None:
            return "create"
        return "same" if self.old == self.new else "update"


def resolve_inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root`` (``..``, absolute, symlinks)."""
    if not relative or Path(relative).is_absolute() or "\x00" in relative:
        raise UsageError(f"output path {relative!r} must be a relative path inside the project root")
    root = root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise UsageError(f"output path {relative!r} leaves the project root {root}; outputs must stay inside it")
    return target


def plan(outputs: Mapping[str, bytes], root: Path) -> list[Change]:
    from regc import cache

    changes = []
    for relative in sorted(outputs):
        path = resolve_inside(root, relative)
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except IsADirectoryError:
            raise UsageError(f"output path {relative!r} is a directory") from None
        cache.note(path, old)  # a replay is valid only while the outputs on disk are these bytes
        changes.append(Change(relative, old, outputs[relative]))
    return changes


def apply(changes: list[Change], root: Path) -> list[Change]:
    """Write every changed output; returns the ones written."""
    from regc import cache

    written = []
    for change in changes:
        if change.status == "same":
            continue
        cache.uncacheable()  # a replay would not write it again
        write_atomic(resolve_inside(root, change.path), change.new)
        written.append(change)
    return written


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _remove_leftovers(path: Path) -> None:
    """Remove temporary files that an interrupted earlier write of ``path`` left behind."""
    for leftover in path.parent.glob(f".{path.name}{TMP_MARK}*"):
        leftover.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every platform opens directories
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def diff(changes: list[Change]) -> str:
    """A unified diff (git's a/ b/ form) of every change; binary outputs are named, not shown."""
    import difflib

    parts: list[str] = []
    for change in changes:
        if change.status == "same":
            continue
        try:
            old = change.old.decode("utf-8").splitlines(keepends=True) if change.old is not None else []
            new = change.new.decode("utf-8").splitlines(keepends=True)
        except UnicodeDecodeError:
            parts.append(f"Binary files a/{change.path} and b/{change.path} differ\n")
            continue
        fromfile = f"a/{change.path}" if change.old is not None else "/dev/null"
        lines = difflib.unified_diff(old, new, fromfile=fromfile, tofile=f"b/{change.path}")
        for line in lines:
            parts.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(parts)
