"""Run ``regc ARGS`` in a child process that stops at every step of every atomic write.

Test-only: ``tests/test_interrupt.py`` starts this script as a real process (never imported by
regc) to kill a build with SIGKILL at an exact point. Before each step of
``regc.io.atomic.write_atomic`` (the temporary file created, half of its bytes written,
all written, fsynced, renamed, the directory fsynced) it writes one line ``STEP name path``
to the file descriptor named by ``REGC_PAUSE_FD`` and waits for one line on stdin
before it goes on (a directory's fsync is ``fsync-directory``). The parent reads the steps, lets the first ones through and kills
the process at the one it chose. Everything else is regc's normal code path.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Any


def main() -> int:
    out = os.fdopen(int(os.environ["REGC_PAUSE_FD"]), "w", buffering=1)

    names: dict[int, str] = {}  # temporary file descriptor -> the output it becomes

    def pause(step: str, what: object) -> None:
        name = names.get(what, "") if isinstance(what, int) else os.path.basename(str(what))
        out.write(f"STEP {step} {name}\n")
        sys.stdin.readline()

    from regc.io import atomic

    real_mkstemp, real_write, real_fsync = tempfile.mkstemp, os.write, os.fsync
    real_replace, real_fsync_dir, real_close = os.replace, atomic._fsync_dir, os.close
    halves: set[int] = set()

    def mkstemp(*args: Any, **kwargs: Any) -> tuple[int, str]:
        fd, name = real_mkstemp(*args, **kwargs)
        names[fd] = os.path.basename(name).split(atomic.TMP_MARK)[0].removeprefix(".")
        pause("created", fd)
        return fd, name

    def write_half_first(fd: int, data: Any) -> int:
        view = memoryview(data)
        if fd not in halves and len(view) > 1:  # the first write of a temporary file stops halfway
            halves.add(fd)
            written = real_write(fd, view[: len(view) // 2])
            pause("half-written", fd)
            return written
        return real_write(fd, view)

    def fsync(fd: int) -> None:
        pause("fsync" if fd in names else "fsync-directory", fd)
        real_fsync(fd)

    def replace(source: Any, target: Any) -> None:  # the output's own name
        pause("rename", target)
        real_replace(source, target)

    def close(fd: int) -> None:
        names.pop(fd, None)  # the number may next be a directory's
        real_close(fd)

    def fsync_dir(directory: Any) -> None:
        pause("renamed", directory)
        real_fsync_dir(directory)

    tempfile.mkstemp = mkstemp  # type: ignore[assignment]
    os.write = write_half_first
    os.fsync = fsync
    os.replace = replace
    os.close = close
    atomic._fsync_dir = fsync_dir  # type: ignore[assignment]

    from regc.cli import main as regc_main

    code = regc_main(sys.argv[1:])
    out.write(f"EXIT {code}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
