"""``regc install-hook``: a plain git pre-commit hook that runs ``regc hook``.

For repositories that do not use the pre-commit framework. The hook is a
small shell script in the directory git takes hooks from (``core.hooksPath``
when it is set, else ``.git/hooks``) that runs ``regc hook`` with the Python
interpreter that installed it, so it works without activating the virtual
environment. A hook that regc did not write is never overwritten silently:
``--force`` keeps it as ``pre-commit.regc-backup`` (and ``--uninstall`` puts
it back).
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from typing import TYPE_CHECKING, Literal

from regc.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

MARK = "# regc: installed by `regc install-hook`"
BACKUP_SUFFIX = ".regc-backup"


@dataclasses.dataclass(frozen=True)
class Installed:
    path: Path
    action: Literal["installed", "updated", "unchanged", "removed", "absent"]
    backup: Path | None = None
    restored: bool = False


def script(python: str, args: Sequence[str] = ()) -> str:
    """The hook: run ``python -P -m regc hook ARGS``; say how to fix it when that interpreter is gone.

    ``-P`` keeps the repository's top directory (git runs hooks there) off ``sys.path``, so a directory
    named ``regc`` or ``git`` in the user's project cannot stand in for the real packages.
    """
    return (
        "#!/bin/sh\n"
        f"{MARK}; `regc install-hook --uninstall` removes it.\n"
        "# The same-commit protocol: the staged registry and its generated outputs must agree.\n"
        "# `git commit --no-verify` skips it; `regc verify-commits` in CI still catches such a commit.\n"
        f"python={shlex.quote(python)}\n"
        'if [ ! -x "$python" ]; then\n'
        '  echo "regc hook: cannot run $python (the Python that installed this hook);'
        " rerun 'regc install-hook' from the environment that has regc\" >&2\n"
        "  exit 1\n"
        "fi\n"
        f'exec "$python" -P -m regc hook{"".join(" " + shlex.quote(a) for a in args)}\n'
    )


def install(hooks_dir: Path, *, force: bool = False, python: str | None = None, args: Sequence[str] = ()) -> Installed:
    from regc.io.atomic import write_atomic

    path = hooks_dir / "pre-commit"
    text = script(python or sys.executable, args)
    backup = None
    if path.exists() or path.is_symlink():
        current = _read(path)
        if current == text:
            return Installed(path, "unchanged")
        if current is None or MARK not in current:
            if not force:
                raise UsageError(_foreign_message(path, current))
            backup = _free_backup(path)
            path.rename(backup)
    existed = path.exists()
    write_atomic(path, text.encode("utf-8"))
    path.chmod(0o755)
    return Installed(path, "updated" if existed else "installed", backup)


def uninstall(hooks_dir: Path) -> Installed:
    path = hooks_dir / "pre-commit"
    if foreign(path):
        raise UsageError(f"{path} was not written by regc; remove it yourself if you mean to")
    if not path.exists():
        return Installed(path, "absent")
    path.unlink()
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if backup.exists():
        backup.rename(path)
        return Installed(path, "removed", backup, restored=True)
    return Installed(path, "removed")


def foreign(path: Path) -> bool:
    """A hook at ``path`` that regc did not write (a link, unreadable, or without ``MARK``): ``install`` replaces it
    only with ``force``."""
    if not (path.exists() or path.is_symlink()):
        return False
    current = _read(path)
    return current is None or MARK not in current


def _read(path: Path) -> str | None:
    if path.is_symlink():
        return None  # a hook manager's link: not ours
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _free_backup(path: Path) -> Path:
    candidate = path.with_name(path.name + BACKUP_SUFFIX)
    number = 1
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.name}{BACKUP_SUFFIX}.{number}")
    return candidate


def _foreign_message(path: Path, current: str | None) -> str:
    if current is not None and "pre-commit" in current and ("pre-commit.com" in current or "pre_commit" in current):
        return (f"{path} is the pre-commit framework's hook; add regc to .pre-commit-config.yaml instead "
                "(docs/protocol.md: the same-commit protocol), or rerun with --force to replace it")
    return (f"{path} already exists and was not written by regc; rerun with --force to replace it "
            f"(it is kept as {path.name}{BACKUP_SUFFIX}), or call `{sys.executable} -m regc hook` from it")
