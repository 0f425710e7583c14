"""Writing one file atomically: readers see the whole old file or the whole new one, never a mix.

Every file regc writes goes through ``write_atomic``: the outputs (``regc.io.write``
applies the write policy first), the registry ``fmt`` and ``prices sync`` edit
(``write_through``), the git hook, the run cache's records. A temporary file
carries its writer's PID and is locked until its rename, so ``remove_leftovers``
removes what a killed build left and never what a running one is about to
rename; ``locked`` makes two builds of one project take turns.

Standard library only, and nothing of regc's: the cache stores its records with it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

#: Temporary files are ``.NAME.regc-tmp-PID-RANDOM`` beside ``NAME``: hidden, and named after their writer.
TMP_MARK = ".regc-tmp-"


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
    # Never executable, whatever was there: a generated file is data, and keeping an executable bit is how
    # text written into a hook would run.
    mode = path.stat().st_mode & 0o666 if path.exists() else 0o666 & ~_umask()
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


def write_through(path: Path, data: bytes) -> None:
    """Replace the file ``path`` names, following symbolic links, atomically: the registry, edited in place.

    ``regc fmt`` and ``regc prices sync`` edit the user's own file as an editor would: when
    ``registry.md`` is a link (to a registry shared between projects, say), the file it points
    at gets the new text and the link stays a link. (Outputs are the opposite: never written
    through a link, see ``Policy``.)
    """
    write_atomic(Path(os.path.realpath(path)), data)


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
