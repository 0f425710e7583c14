"""Writing outputs: atomically, only when they change, and only inside the root.

``plan`` compares generated outputs with what is on disk; ``apply`` writes
the changed ones, each through a temporary file in the same directory that is
fsynced and renamed over the target, so a reader (or an interrupted build)
sees either the whole old file or the whole new one. An output that is
already up to date is not touched: its mtime stays, and make-style tools do
not rebuild. ``diff`` renders the plan as a unified diff for ``--check``.

Faults: each file is written by ``regc.io.atomic`` (a temporary file that carries
its writer's PID and is locked until its rename, so ``remove_leftovers`` removes
what a killed build left and never what a running one is about to rename);
``locked`` makes two builds of one project take turns.

The write policy is here too, in one place: ``normal_path`` (judged from the name
alone, so also in git's index and in commits) and ``Policy`` (judged on disk)
refuse every output path that is not a plain file of regc's own inside the
project, before anything is read or written.
"""

from __future__ import annotations

import dataclasses
import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from regc.errors import InputError, RegcError, UsageError
from regc.io.atomic import remove_leftovers, write_atomic

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping


@dataclasses.dataclass(frozen=True)
class Change:
    path: str  # relative to the root, posix
    old: bytes | None
    new: bytes | None  # None: the file is to be removed (no target generates it any more: ``regc.io.manifest``)

    @property
    def status(self) -> Literal["create", "update", "same", "remove"]:
        if self.new is None:
            return "remove"
        if self.old is None:
            return "create"
        return "same" if self.old == self.new else "update"


def resolve_inside(root: Path, relative: str) -> Path:
    """``root / relative``, refusing anything that would land outside ``root`` (``..``, absolute, symlinks).

    For reading a project file (the go target's hand-written file); outputs go through ``Policy``.
    """
    if not relative or Path(relative).is_absolute() or "\x00" in relative:
        raise UsageError(f"output path {relative!r} must be a relative path inside the project root")
    root = root.resolve()
    target = (root / relative).resolve()
    if not target.is_relative_to(root):
        raise UsageError(f"output path {relative!r} leaves the project root {root}; outputs must stay inside it")
    return target


# --- the write policy ---------------------------------------------------------------
#
# regc writes only its own files. Every output path passes two checks, both here:
# ``normal_path`` (its one spelling, and what it may never name, judged from the name
# alone: also in git's index and in commits) and ``Policy.place`` (what is on disk:
# no symbolic link on the way, a regular file or nothing, not inside git's directory,
# not a file regc reads), before anything is read or written.


class OutputPathError(ValueError):
    """An output path that the write policy refuses; the caller says which setting named it."""


def normal_path(relative: str) -> str:
    """The output path ``relative`` in its one spelling (``out/./a.txt`` and ``out//a.txt`` are ``out/a.txt``).

    Refused from the name alone: an empty or absolute path, a NUL or another control
    character (a newline would forge a line of the outputs manifest), a path that
    leaves the project (``..``), the project root itself, and any path into a ``.git``
    directory (in any case: ``.GIT`` is the same directory on a case-insensitive file
    system, and git refuses such names for the same reason).
    """
    import posixpath

    if not relative or any(ord(char) < 0x20 or 0x7F <= ord(char) < 0xA0 for char in relative):
        raise OutputPathError(f"output path {relative!r} must be a relative path of printable characters")
    if Path(relative).is_absolute() or posixpath.isabs(relative):
        raise OutputPathError(f"output path {relative!r} must be a relative path inside the project root")
    normal = posixpath.normpath(relative)
    if normal == ".." or normal.startswith("../"):
        raise OutputPathError(f"output path {relative!r} leaves the project root; outputs must stay inside it")
    if normal == ".":
        raise OutputPathError(f"output path {relative!r} is the project root itself; give the target a file path")
    if any(part.casefold() == ".git" for part in normal.split("/")):
        raise OutputPathError(f"output path {relative!r} is inside a .git directory; regc never writes into git's own files")
    return normal


@dataclasses.dataclass(frozen=True)
class Policy:
    """Where outputs may be written under ``root``: the checks that need the disk (see ``normal_path`` for the others).

    ``inputs`` maps each file regc reads (configuration, registry, policy, catalog) to
    what it is, ``protected`` each directory no output may enter (regc's cache) to what
    it is. ``folds_case``: the file system under ``root`` ignores case (macOS, Windows),
    so ``Out/A.txt`` is ``out/a.txt``.
    """

    root: Path  # resolved
    inputs: Mapping[str, str]  # realpath (casefolded when folds_case) -> what it is
    protected: Mapping[str, str]
    git_dirs: tuple[str, ...]  # realpaths
    folds_case: bool
    locate: Callable[[str], tuple[str, int]] | None = None

    @classmethod
    def at(cls, root: Path, *, inputs: Mapping[Path, str] | None = None, protected: Mapping[Path, str] | None = None,
           locate: Callable[[str], tuple[str, int]] | None = None) -> Policy:
        root = root.resolve()
        folds = _folds_case(root)
        return cls(root=root, inputs={_key(path, folds): what for path, what in (inputs or {}).items()},
                   protected={_key(path, folds): what for path, what in (protected or {}).items()},
                   git_dirs=tuple(_key(path, folds) for path in git_dirs(root)), folds_case=folds, locate=locate)

    def place(self, relative: str) -> Path:
        """Where output ``relative`` (a ``normal_path``) is written; every refusal names the setting's line.

        Refused: a symbolic link, as the output or as any directory on its way (it
        would send the write elsewhere: into ``.git/hooks``, over the registry, out of
        the project); a directory, a FIFO or a device where the output goes; a path
        below a file; a path inside git's directory (``$GIT_DIR``, a worktree's) or
        regc's cache; any file regc reads.
        """
        try:
            normal = normal_path(relative)
        except OutputPathError as exc:
            raise self._error(str(exc), relative) from None
        path = self.root
        parts = normal.split("/")
        for depth, part in enumerate(parts, 1):
            path = path / part
            shown = "/".join(parts[:depth])
            try:
                info = path.lstat()
            except (FileNotFoundError, NotADirectoryError):
                break  # the rest is created by the write
            except OSError as exc:
                raise self._error(f"output path {relative!r} cannot be checked: {shown!r}: {exc.strerror}", relative) from None
            if stat.S_ISLNK(info.st_mode):
                where = "is a symbolic link" if depth == len(parts) else f"cannot be written: {shown!r} is a symbolic link"
                raise self._error(f"output path {relative!r} {where}; regc writes plain files in plain directories, never "
                                  "through a link: remove the link or give the target another path", relative)
            if depth < len(parts) and not stat.S_ISDIR(info.st_mode):
                raise self._error(f"output path {relative!r} cannot be written: {shown!r} is a file, not a directory", relative)
            if depth == len(parts) and stat.S_ISDIR(info.st_mode):
                raise self._error(f"output path {relative!r} is a directory; give the target a file path", relative)
            if depth == len(parts) and not stat.S_ISREG(info.st_mode):
                raise self._error(f"output path {relative!r} is not a regular file (a pipe, socket or device); "
                                  "remove it or give the target another path", relative)
        key = self.key(normal)
        for git_dir in self.git_dirs:
            if key == git_dir or key.startswith(git_dir + os.sep):
                raise self._error(f"output path {relative!r} is inside git's directory {git_dir}; regc never writes there", relative)
        for directory, what in self.protected.items():
            if key == directory or key.startswith(directory + os.sep):
                raise self._error(f"output path {relative!r} is inside {what}; give the target another path", relative)
        if key in self.inputs:
            raise self._error(f"output path {relative!r} is {self.inputs[key]}, which regc reads; "
                              "an output never overwrites an input: give the target another path", relative)
        return self.root / normal

    def removable(self, relative: str) -> Path | None:
        """The file at ``relative`` if regc may remove it (it could write there, and a regular file is there), else None.

        For a path the manifest lists: the manifest is a file in the project, so a path it lists
        is trusted no more than a configured one.
        """
        try:
            path = self.place(relative)
        except RegcError:
            return None
        try:
            return path if stat.S_ISREG(path.lstat().st_mode) else None
        except OSError:
            return None

    def key(self, normal: str) -> str:
        """The output's identity on this file system: two outputs with one key are one file."""
        path = os.path.join(self.root, *normal.split("/"))
        return path.casefold() if self.folds_case else path

    def _error(self, message: str, relative: str) -> RegcError:
        return _located(message, relative, self.locate)


def _key(path: Path, folds_case: bool) -> str:
    real = os.path.realpath(path)
    return real.casefold() if folds_case else real


def _folds_case(root: Path) -> bool:
    """Whether the file system holding ``root`` ignores case: the same path in the other case names the same file."""
    for candidate in (root, *(root / name for name in _listing(root))):
        other = candidate.parent / candidate.name.swapcase()
        if candidate.name == other.name:
            continue  # no cased letter to tell by
        try:
            return os.path.samefile(candidate, other)
        except OSError:
            return False
    return False


def _listing(directory: Path) -> list[str]:
    try:
        return sorted(os.listdir(directory))[:32]
    except OSError:
        return []


def git_dirs(root: Path) -> list[Path]:
    """Git's own directories for a project at ``root``: ``$GIT_DIR`` and ``$GIT_COMMON_DIR`` when set, and the
    repository's, found as git finds it (a ``.git`` directory, or a ``.git`` file naming a worktree's directory
    and, through its ``commondir``, the shared one)."""
    found: list[Path] = []
    for variable in ("GIT_DIR", "GIT_COMMON_DIR"):
        value = os.environ.get(variable)
        if value:
            found.append(Path.cwd() / value)
    for directory in (root, *root.parents):
        dot_git = directory / ".git"
        if dot_git.is_dir():
            found.append(dot_git)
            break
        if dot_git.exists():
            text = _small_file(dot_git)
            if text.startswith("gitdir:"):
                worktree = (directory / text.removeprefix("gitdir:").strip()).resolve()
                found.append(worktree)
                common = _small_file(worktree / "commondir")
                if common:
                    found.append((worktree / common).resolve())
            break
    return found


def _small_file(path: Path) -> str:
    """The text of one of git's small pointer files (``.git``, ``commondir``), read with the usual guards; "" if none."""
    from regc.io.source import read_bytes

    try:
        return read_bytes(path, str(path), 64 * 1024).decode("utf-8", "replace").strip()  # noted in the run cache's record
    except (OSError, RegcError):
        return ""


def _located(message: str, relative: str, locate: Callable[[str], tuple[str, int]] | None) -> RegcError:
    if locate is None:
        return UsageError(message)
    file, line = locate(relative)
    return InputError.at(file, line, message)


def plan(outputs: Mapping[str, bytes], root: Path, locate: Callable[[str], tuple[str, int]] | None = None,
         policy: Policy | None = None, owned: Collection[str] | None = None, *,
         advise: Callable[[str, bytes], str] | None = None) -> list[Change]:
    """Each output compared with what is on disk; every path is checked (``Policy.place``) before any is read.

    With ``owned`` (a plan that is to be written), an existing file that an output would change must be regc's:
    listed in the manifest on disk, carrying regc's generated-file notice (``GENERATED``), or one of ``owned`` (a
    hand-written file a target edits a block of, or a path the user adopted). Anything else is someone's hand-written
    file that a configured path happens to name, and is refused (``foreign``) before anything is written, with what
    ``advise(path, existing bytes)`` adds (the advice of the target that writes the path).

    Two outputs that are one file (``out/a.txt`` and ``out/./a.txt``; ``Out/A.txt`` where case is folded) are refused.
    When the outputs hold the manifest (``regc.io.manifest``), each file the manifest on disk lists that no output is
    any more, and that the policy would let regc write, is planned for removal (a ``Change`` whose ``new`` is None).
    """
    from regc.io import cache, manifest

    policy = policy or Policy.at(root, locate=locate)
    paths: dict[str, Path] = {}
    owners: dict[str, str] = {}
    for relative in sorted(outputs):
        path = policy.place(relative)
        key = policy.key(normal_path(relative))
        if key in owners:
            raise policy._error(f"output path {relative!r} is the same file as {owners[key]!r}, which another target writes; "
                                "give one of them another path", relative)
        owners[key] = relative
        paths[relative] = path
    changes = []
    for relative, path in paths.items():
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except OSError as exc:
            raise _located(f"output path {relative!r} cannot be read: {exc.strerror}", relative, policy.locate) from None
        cache.note(path, old)  # a replay is valid only while the outputs on disk are these bytes
        changes.append(Change(relative, old, outputs[relative]))
    listed = next((c.old for c in changes if c.path == manifest.NAME), None) if manifest.NAME in outputs else None
    if owned is not None:
        found = not_ours(changes, owned)
        if found:
            old = next(c.old for c in changes if c.path == found[0])
            raise foreign(found[0], policy.locate, advise(found[0], old) if advise is not None and old is not None else "")
    for relative in manifest.parse(listed):
        try:
            normal = normal_path(relative)
        except OutputPathError:
            continue
        key = policy.key(normal)
        if key in owners:
            continue  # still generated (or listed twice)
        owners[key] = normal
        orphan = policy.removable(normal)
        if orphan is None:
            continue
        try:
            old = orphan.read_bytes()
        except OSError:
            continue  # not readable here: not regc's to remove
        cache.note(orphan, old)
        changes.append(Change(normal, old, None))
    return sorted(changes, key=lambda change: change.path)


def not_ours(changes: list[Change], owned: Collection[str]) -> list[str]:
    """The outputs that would overwrite an existing file regc did not write: one the manifest on disk (the old bytes of
    the ``regc.outputs`` change) does not list, that has no generated-file notice, and that is not one of ``owned``."""
    from regc.io import manifest

    listed = next((c.old for c in changes if c.path == manifest.NAME), None)
    mine = {manifest.NAME, *manifest.parse(listed), *owned}  # the manifest's name is regc's own (an input name)
    return [c.path for c in changes if c.status == "update" and c.path not in mine and not generated(c.old)]


#: The notice every generated file of regc's starts with (``regc.targets.header``), as bytes.
GENERATED = b"Code generated by regc from "


def generated(data: bytes | None) -> bool:
    """Whether ``data`` carries regc's generated-file notice near its top (where every built-in target writes it)."""
    return data is not None and GENERATED in data[:4096]


def foreign(relative: str, locate: Callable[[str], tuple[str, int]] | None, advice: str = "") -> RegcError:
    """The refusal to overwrite ``relative``, a file regc did not write, with the ways out (and the target's ``advice``)."""
    return _located(f"output path {relative!r} is an existing file that regc did not generate (regc.outputs does not list it "
                    "and it has no \"Code generated by regc\" notice); regc never overwrites a hand-written file: give the "
                    f"target another path, move the file away, or let regc own it with `regc build --adopt {relative}`"
                    + (f"; {advice}" if advice else ""), relative, locate)


def apply(changes: list[Change], root: Path) -> list[Change]:
    """Write every changed output; returns the ones written.

    Leftovers of interrupted writes are removed beside every output, changed or not,
    so an interrupted build leaves nothing behind once the next build has run.
    """
    from regc.io import cache

    written: list[Change] = []
    root = root.resolve()
    for change in changes:
        path = root / change.path  # placed by ``plan``: a plain path under the root
        if change.status == "same":
            remove_leftovers(path)
            continue
        cache.uncacheable()  # a replay would not write it again
        try:
            if change.new is None:
                remove(path, root)
            else:
                write_atomic(path, change.new)
        except OSError as exc:  # a full disk, a read-only file system, no permission: the environment, not a bug
            raise UsageError(f"cannot write {change.path}: {exc.strerror or exc}; "
                             f"{len(written)} of the changed outputs were written, the others are unchanged") from None
        written.append(change)
    return written


def remove(path: Path, root: Path) -> None:
    """Remove the generated file ``path``, then each directory above it that this left empty (never ``root``)."""
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_relative_to(root):
        try:
            parent.rmdir()
        except OSError:  # not empty (or not ours to remove): stop here
            break
        parent = parent.parent


def diff(changes: list[Change]) -> str:
    """A unified diff (git's a/ b/ form) of every change; binary outputs are named, not shown."""
    import difflib

    parts: list[str] = []
    for change in changes:
        if change.status == "same":
            continue
        try:
            old = change.old.decode("utf-8").splitlines(keepends=True) if change.old is not None else []
            new = change.new.decode("utf-8").splitlines(keepends=True) if change.new is not None else []
        except UnicodeDecodeError:
            fromfile = f"a/{change.path}" if change.old is not None else "/dev/null"
            parts.append(f"Binary files {fromfile} and {f'b/{change.path}' if change.new is not None else '/dev/null'} differ\n")
            continue
        fromfile = f"a/{change.path}" if change.old is not None else "/dev/null"
        tofile = f"b/{change.path}" if change.new is not None else "/dev/null"
        lines = difflib.unified_diff(old, new, fromfile=fromfile, tofile=tofile)
        for line in lines:
            parts.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(parts)
