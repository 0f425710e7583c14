"""Writing outputs: atomically, only when they change, and only inside the root.

``plan`` compares generated outputs with what is on disk; ``apply`` writes
the changed ones, each through a temporary file in the same directory that is
fsynced and renamed over the target, so a reader (or an interrupted build)
sees either the whole old file or the whole new one. An output that is
already up to date is not touched: its mtime stays, and make-style tools do
not rebuild. ``diff`` renders the plan as a unified diff for ``--check``.

Faults: a temporary file carries its writer's PID and is locked until its
rename, so ``remove_leftovers`` removes what a killed build left and never
what a running one is about to rename; ``locked`` makes two builds of one
project take turns. ``output_path`` refuses every output path that is not a
regular file inside the root before anything is read or written.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from regc.errors import InputError, RegcError, UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

#: Temporary files are ``.NAME.regc-tmp-PID-RANDOM`` beside ``NAME``: hidden, and named after their writer.
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


def output_path(root: Path, relative: str, locate: Callable[[str], tuple[str, int]] | None = None) -> Path:
    """Where output ``relative`` is written: inside ``root``, a regular file or nothing yet, under directories.

    Every way an output path can be wrong is an error before anything is written:
    outside the root (``..``, an absolute path, a symlink, a symlinked directory),
    a directory, a FIFO or device, or a path below an existing file. With ``locate``
    the error names the configuration file and the line of the target's setting.
    """
    try:
        path = resolve_inside(root, relative)
    except UsageError as exc:
        raise _located(exc.message, relative, locate) from None
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except NotADirectoryError:
        info = None  # a parent is a file: found below
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise _located(f"output path {relative!r} is a directory; give the target a file path", relative, locate)
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise _located(f"output path {relative!r} is not a regular file (a pipe, socket or device); "
                       "remove it or give the target another path", relative, locate)
    root = root.resolve()  # once, not for every parent (each resolve walks the path with system calls)
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        if parent.exists() and not parent.is_dir():
            where = parent.relative_to(root).as_posix()
            raise _located(f"output path {relative!r} cannot be written: {where!r} is a file, not a directory", relative, locate)
    return path


def _located(message: str, relative: str, locate: Callable[[str], tuple[str, int]] | None) -> RegcError:
    if locate is None:
        return UsageError(message)
    file, line = locate(relative)
    return InputError.at(file, line, message)


def plan(outputs: Mapping[str, bytes], root: Path, locate: Callable[[str], tuple[str, int]] | None = None) -> list[Change]:
    """Each output compared with what is on disk; every path is checked (``output_path``) before any is read."""
    from regc import cache

    paths = {relative: output_path(root, relative, locate) for relative in sorted(outputs)}
    changes = []
    for relative, path in paths.items():
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except OSError as exc:
            raise _located(f"output path {relative!r} cannot be read: {exc.strerror}", relative, locate) from None
        cache.note(path, old)  # a replay is valid only while the outputs on disk are these bytes
        changes.append(Change(relative, old, outputs[relative]))
    return changes


def apply(changes: list[Change], root: Path) -> list[Change]:
    """Write every changed output; returns the ones written.

    Leftovers of interrupted writes are removed beside every output, changed or not,
    so an interrupted build leaves nothing behind once the next build has run.
    """
    from regc import cache

    written: list[Change] = []
    for change in changes:
        path = resolve_inside(root, change.path)
        if change.status == "same":
            remove_leftovers(path)
            continue
        cache.uncacheable()  # a replay would not write it again
        try:
            write_atomic(path, change.new)
        except OSError as exc:  # a full disk, a read-only file system, no permission: the environment, not a bug
            raise UsageError(f"cannot write {change.path}: {exc.strerror or exc}; "
                             f"{len(written)} of the changed outputs were written, the others are unchanged") from None
        written.append(change)
    return written


@contextlib.contextmanager
def locked(root: Path, *, shared: bool = False) -> Iterator[None]:
    """Hold an advisory lock on the directory ``root`` while outputs under it are planned and written.

    Two ``regc build`` runs on one project take turns, so the outputs on disk
    always come from one registry, never some from each. ``shared`` is for
    readers (``--check``): any number at once, never while a build writes.
    The lock is ``flock`` on the directory itself: no lock file is left
    behind, and the kernel releases it when a process dies, even by SIGKILL.
    Where directories cannot be locked (some network file systems) the build
    goes on without it; each output is still atomic.
    """
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    try:
        fd = os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        yield  # the root does not exist yet (an --output-dir): nothing else can be writing there either
        return
    try:
        with contextlib.suppress(OSError):  # a file system without flock: each output is still atomic
            fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that readers see the whole old or the whole new file, never a mix.

    The bytes go to a temporary file beside ``path`` (``.NAME.regc-tmp-PID-…``), which is
    locked (``flock``) from its creation to its rename, fsynced, and renamed over ``path``;
    the directory is fsynced after. The PID and the lock tell ``remove_leftovers`` which
    temporary files belong to a writer that is gone.
    """
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(path)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}{os.getpid()}-", dir=path.parent)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # nobody else has this brand-new file open: never blocks
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
        os.fchmod(fd, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        os.close(fd)
    _fsync_dir(path.parent)


def remove_leftovers(path: Path) -> None:
    """Remove the temporary files that interrupted writes of ``path`` left behind, and only those.

    A temporary file is a leftover when its writer is gone: the process named in
    its name no longer exists (or is this one) and nobody holds its lock. A
    concurrent build's temporary file is never touched: its writer is alive, and
    holds the lock until the rename. (A dead writer's PID taken by another
    process keeps its leftover until that process ends: kept, never wrongly removed.)
    """
    import glob

    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}{TMP_MARK}*"))
    except OSError:
        return
    for leftover in candidates:
        if _abandoned(leftover):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()


def _abandoned(leftover: Path) -> bool:
    import fcntl

    pid_text = leftover.name.rpartition(TMP_MARK)[2].split("-", 1)[0]
    if pid_text.isdigit() and int(pid_text) != os.getpid() and _alive(int(pid_text)):
        return False
    try:
        fd = os.open(leftover, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False  # gone already, or not ours to judge (a symlink)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False  # a writer holds it
    finally:
        os.close(fd)
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    except OSError:
        return False
    return True


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
