"""A content-hash cache of whole command runs: ``regc check`` in tens of milliseconds.

``regc check``, ``regc lint`` and ``regc build --check`` are pure functions of
their inputs: the command line, the working directory, the date (date rules),
the environment variables in ``ENVIRONMENT``, regc's own code and what Python
loads beside it (``fingerprint``), and the files they read (the configuration,
the registry, the policy, a catalog the policy names, the outputs on disk, any
project file a target reads, git's directory file). So a run is recorded, as
mypy, ruff and pre-commit record theirs: every file the full command reads goes
through ``regc.io.source.read_bytes`` (or, for the few read otherwise, ``note``),
which notes it here with the SHA-256 of its bytes, its size and the real path it
was read through (or "missing"); at the end its transcript (what it printed, on
which stream, in which colour) and its exit code are stored under a key made of
everything else.

The record is complete by test, not by care: ``tests/test_cache_complete.py``
runs each cacheable command under an audit hook (``sys.addaudithook``) and fails
when it opens a file the record lacks, and under a recording ``os.environ`` and
fails when it reads a variable ``ENVIRONMENT`` does not list.

The next identical run looks the key up with the standard library only (no
click, pydantic, markdown-it or jinja2: importing those costs more than the
whole replay) and replays the transcript only if each recorded file is what it
was: still reached through the same real path (a file or a directory on its way
turned into a symbolic link is a change), a regular file of the same size (a
FIFO, a device or a file grown past its size is never read: the full run refuses
it), with the same bytes; a missing one still missing. Anything else, and the
full command runs (and records again). The cache is never trusted over the
files it was made from: one changed byte anywhere, in an input, in an output on
disk or in regc itself, and the full command runs.

What is not cached: runs that end in an error (exit 2 or 3), a ``build`` that
wrote or removed files, runs that load a plugin rule or target (a plugin's code,
an editable install's sources included, is not regc's to fingerprint), and every
other command. ``--no-cache`` or ``REGC_NO_CACHE=1`` switch it off; the cache
lives in ``.regc-cache/`` (``cache_dir`` in the config) and ignores itself in git.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import stat
import sys
from pathlib import Path

# Not `from typing import TYPE_CHECKING`: importing typing costs ~10 ms, a sixth of a replayed `regc check`.
TYPE_CHECKING = False

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

FORMAT = 2
#: The commands whose runs are recorded (the first argument after the global options).
CACHEABLE = frozenset({"check", "lint", "build"})
#: Every environment variable a cacheable run reads (``tests/test_cache_complete.py`` fails on any other): GitHub
#: annotations, colour, the models.dev catalog's file, and git's directories (no output may be written into them).
ENVIRONMENT = ("GITHUB_ACTIONS", "GITHUB_WORKSPACE", "NO_COLOR", "REGC_MODELS_DEV", "GIT_DIR", "GIT_COMMON_DIR")
#: Environment variables that switch the cache off (so no record or replay ever depends on them): regc's own, and
#: click's shell completion, which answers instead of running the command.
SWITCHES = ("REGC_NO_CACHE", "_REGC_COMPLETE")
#: A recorded file larger than this is not hashed again (no file regc reads may be larger: catalogs' limit).
MAX_BYTES = 256 * 1024 * 1024
#: At most this many recorded runs are kept per project; older ones are removed.
KEEP = 64
_GLOBAL_FLAGS = {"-q", "--quiet", "-v", "--verbose"}

Transcript = list[tuple[str, str, "str | None"]]  # (stream "out"/"err", text, colour)


class Recorder:
    """What the running command read, and what it printed."""

    def __init__(self) -> None:
        #: absolute path -> [SHA-256 or None (missing), size or None, the real path when it differs]
        self.reads: dict[str, list[Any]] = {}
        self.transcript: Transcript = []
        self.cacheable = True

    def note(self, path: Path, data: bytes | None) -> None:
        key = str(path.absolute())
        if key not in self.reads:
            real = os.path.realpath(key)
            self.reads[key] = [_digest(data), None if data is None else len(data), None if real == key else real]


class _Active:
    """The recorder of this process's run, if one records (set by ``start``, cleared by ``stop``)."""

    recorder: Recorder | None = None


_active = _Active()


def note(path: Path, data: bytes | None) -> None:
    """Tell the cache that the command read ``path`` (``None``: it is missing). A no-op when nothing records."""
    if _active.recorder is not None:
        _active.recorder.note(path, data)


def record_output(stream: str, text: str, colour: str | None = None) -> None:
    if _active.recorder is not None:
        _active.recorder.transcript.append((stream, text, colour))


def uncacheable() -> None:
    """This run did something a replay cannot repeat (wrote a file): do not store it."""
    if _active.recorder is not None:
        _active.recorder.cacheable = False


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


# --- the fast path ---------------------------------------------------------------


def replay(args: Sequence[str]) -> int | None:
    """Replay a recorded run of ``args`` if every file it read is unchanged; None when there is none."""
    try:
        found = _lookup(args)
        if found is None:
            return None
        entry, _ = found
        if entry.get("config") != _discovered_config(args):
            return None  # another configuration file would be found now (a regc.toml added beside pyproject.toml)
        for path, (digest, size, real) in entry["reads"].items():
            if not _unchanged(path, digest, size, real):
                return None
        if _cleans_up(args) and _leftovers_beside(entry["reads"]):
            return None  # an interrupted write left a temporary file: the full build removes it
        _print(entry["transcript"])
        return int(entry["code"])
    except Exception:  # a damaged or foreign cache file is a miss, never an error
        return None


def _cleans_up(args: Sequence[str]) -> bool:
    """A ``build`` that may write: it also removes what interrupted writes left (``regc.io.atomic.remove_leftovers``)."""
    return _command(args) == "build" and "--check" not in args


def _leftovers_beside(paths: Sequence[str] | dict[str, Any]) -> bool:
    """Whether a temporary file of regc's atomic writes lies in the directory of any file the run read."""
    for directory in {Path(path).parent for path in paths}:
        try:
            if any(_TMP_MARK in name for name in os.listdir(directory)):
                return True
        except OSError:
            continue
    return False


#: regc.io.atomic.TMP_MARK (not imported: the replay path loads nothing it does not need).
_TMP_MARK = ".regc-tmp-"


def _unchanged(path: str, digest: str | None, size: int | None, real: str | None) -> bool:
    """Whether ``path`` is what the record says, judged with the full run's guards (``regc.io.source.read_bytes``).

    Reached through the same real path (no link added or moved on the way), and then either still
    missing, or a regular file of the recorded size with the recorded SHA-256. A FIFO, a device, a
    directory or a larger file is a change, found without reading it (a FIFO would block, a link to
    ``/dev/zero`` never end); the full run then says what is wrong.
    """
    if os.path.realpath(path) != (real or path):
        return False
    if digest is None:
        try:
            os.lstat(path)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        return False
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return False
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size != size or size > MAX_BYTES:
            return False
        hashing = hashlib.sha256()
        seen = 0
        while chunk := os.read(fd, 1 << 20):
            seen += len(chunk)
            if seen > size:
                return False  # growing while read
            hashing.update(chunk)
        return seen == size and hashing.hexdigest() == digest
    except OSError:
        return False
    finally:
        os.close(fd)


def _print(transcript: list[list[Any]]) -> None:
    colour = "NO_COLOR" not in os.environ and sys.stderr.isatty()
    for stream, text, fg in transcript:
        target = sys.stdout if stream == "out" else sys.stderr
        target.write(_style(text, fg) if colour and fg else text)
    sys.stdout.flush()
    sys.stderr.flush()


_COLOURS = {"red": 31, "green": 32, "yellow": 33}


def _style(text: str, fg: str) -> str:
    """What click.style(text, fg=fg) prints, for the colours regc uses, line by line as click.echo writes it."""
    body = text.rstrip("\n")
    return f"\x1b[{_COLOURS.get(fg, 39)}m{body}\x1b[0m" + text[len(body):]


# --- keys and storage ----------------------------------------------------------------


def _lookup(args: Sequence[str]) -> tuple[dict[str, Any], Path] | None:
    if not enabled(args):
        return None
    location = _location(args)
    if location is None:
        return None
    path = location / f"{_key(args)}.json"
    try:
        entry: dict[str, Any] = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    if entry.get("format") != FORMAT:
        return None
    return entry, path


def enabled(args: Sequence[str]) -> bool:
    """Whether a run of ``args`` may be cached: a cacheable command, and the cache not switched off.

    (A ``build`` that writes files marks its run ``uncacheable``: only a build
    that found everything up to date is replayed.)
    """
    if any(os.environ.get(name) for name in SWITCHES) or "--no-cache" in args:
        return False
    return _command(args) in CACHEABLE and not any(a in ("-h", "--help", "--version") for a in args)


def _command(args: Sequence[str]) -> str | None:
    """The command ``args`` runs: the first argument past the global options, ``--config FILE`` included."""
    rest = iter(args)
    for arg in rest:
        if arg == "--config":
            next(rest, None)
        elif arg not in _GLOBAL_FLAGS and not arg.startswith("--config="):
            return arg
    return None


def _location(args: Sequence[str]) -> Path | None:
    """The project's cache directory: ``cache_dir`` beside the configuration file (the working directory without one)."""
    config = _discovered_config(args)
    if config is None:
        return Path.cwd() / ".regc-cache"
    cache_dir = _cache_dir_setting(Path(config))
    if (cache_dir is None or Path(cache_dir).is_absolute() or ".." in Path(cache_dir).parts
            or any(part.casefold() == ".git" for part in Path(cache_dir).parts)):
        return None
    root = Path(config).parent
    location = root / cache_dir
    if _linked_or_in_git(root, cache_dir):  # the full run refuses it (exit 2 at cache_dir); never replayed or stored
        return None
    try:  # a symlink out of the project is no place to write: run without a cache
        inside = location.resolve().is_relative_to(root.resolve()) and location.resolve() != root.resolve()
    except OSError:
        return None
    return location if inside else None


def _linked_or_in_git(root: Path, cache_dir: str) -> bool:
    """Whether the cache directory is, or is reached through, a symbolic link, or lies in ``$GIT_DIR``."""
    path = root
    for part in Path(cache_dir).parts:
        path = path / part
        if path.is_symlink():
            return True
    real = os.path.realpath(root / cache_dir)
    for variable in ("GIT_DIR", "GIT_COMMON_DIR"):
        value = os.environ.get(variable)
        if value and Path(real).is_relative_to(os.path.realpath(Path.cwd() / value)):
            return True
    return False


def _discovered_config(args: Sequence[str]) -> str | None:
    """The configuration file a run of ``args`` uses, found as ``regc.model.config.find_config`` finds it (stdlib only)."""
    from regc.io.discovery import config_file

    found = config_file(Path.cwd(), _config_arg(args))
    return None if found is None else str(found)


def _config_arg(args: Sequence[str]) -> str | None:
    for index, arg in enumerate(args):
        if arg == "--config" and index + 1 < len(args):
            return args[index + 1]
        if arg.startswith("--config="):
            return arg.removeprefix("--config=")
    return None


def _cache_dir_setting(config: Path) -> str | None:
    import tomllib

    try:
        data: Any = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    table = data.get("tool", {}).get("regc", {}) if config.name == "pyproject.toml" else data
    value = table.get("cache_dir", ".regc-cache") if isinstance(table, dict) else None
    return value if isinstance(value, str) and value else None


def _key(args: Sequence[str]) -> str:
    parts = {
        "format": FORMAT,
        "args": list(args),
        "cwd": str(Path.cwd()),
        "today": datetime.date.today().isoformat(),
        "env": {name: os.environ.get(name) for name in ENVIRONMENT},
        "regc": fingerprint(),
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def fingerprint() -> list[Any]:
    """regc's own code and what Python may load beside it: a changed file means a different key.

    The package's files are identified by size and mtime (statting ~100 files costs
    well under a millisecond; hashing them would not); ``sys.path`` itself (another
    ``PYTHONPATH``, another interpreter's paths); its ``site-packages`` directories
    by their mtime, which changes when a package is installed, upgraded or removed.
    (Plugins' own code is not fingerprinted: a run that loads one is not recorded.)
    """
    package = Path(__file__).parent.parent  # regc, not regc/io
    files = sorted(
        (str(p.relative_to(package)), p.stat().st_size, p.stat().st_mtime_ns)
        for p in package.rglob("*")
        if p.suffix in {".py", ".jinja", ".j2"} and "__pycache__" not in p.parts
    )
    paths = []
    for entry in sys.path:
        if not entry.endswith(("site-packages", "dist-packages")):
            continue  # the working directory (python -m) changes with every file created in it
        try:
            paths.append((entry, os.stat(entry).st_mtime_ns))
        except OSError:
            continue
    return [sys.version, sys.path, files, paths]


def store(args: Sequence[str], code: int) -> None:
    """Record the finished run (a no-op unless it ended cleanly, 0 or 1, and wrote nothing)."""
    recorder = _active.recorder
    if recorder is None or not recorder.cacheable or code not in (0, 1):
        return
    try:
        location = _location(args)
        if location is None:
            return
        location.mkdir(parents=True, exist_ok=True)
        ignore = location / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# regc's cache: safe to delete at any time\n*\n", encoding="utf-8")
        entry = {"format": FORMAT, "code": code, "config": _discovered_config(args), "reads": recorder.reads,
                 "transcript": recorder.transcript}
        from regc.io.atomic import write_atomic

        write_atomic(location / f"{_key(args)}.json", json.dumps(entry, sort_keys=True).encode())
        _prune(location)
    except OSError:
        pass  # a cache that cannot be written is no cache; the run itself succeeded


def _prune(location: Path) -> None:
    entries = sorted(location.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for stale in entries[KEEP:]:
        stale.unlink(missing_ok=True)


def start() -> Recorder:
    """Begin recording this process's run."""
    _active.recorder = Recorder()
    return _active.recorder


def stop() -> None:
    _active.recorder = None
