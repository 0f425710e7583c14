"""Reading a project from a snapshot of the repository: the working tree, the index, or a commit.

The same-commit protocol judges what git holds, not what is on disk: the
hook reads the staged configuration, registry and outputs from the index, and
``verify-commits`` reads them from each commit. A ``Snapshot`` gives the bytes
at a path relative to the repository's top directory; this module finds the
project's configuration in one and reads its registry, without GitPython (the
git-backed snapshots live in ``regc.git.repo``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import posixpath
from typing import TYPE_CHECKING, Protocol

from regc.errors import InputError
from regc.io.discovery import CONFIG_FILES, top_relative

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from regc.model.config import Config
    from regc.model.resolve import ResolvedRegistry



class Snapshot(Protocol):
    """Files of the repository at one point: bytes by top-relative posix path.

    A symbolic link is followed as ``regc build`` follows it on disk, inside the snapshot:
    a registry that is a link to ``config/registry.md`` is read from ``config/registry.md``
    as the snapshot holds it. A link that leaves the repository is an ``InputError``: git
    holds only the link, never the file it points at (``follow``).
    """

    #: How messages name it: "the index", "the working tree", "a1b2c3d".
    label: str

    def read(self, path: str) -> bytes | None:
        """The file's bytes (through symbolic links), or None when there is no file at ``path``."""

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        """``read`` for many paths (an implementation may batch them)."""

    def resolve(self, path: str) -> str:
        """``path`` with every symbolic link on it followed (``follow``)."""

    def linked(self, paths: Iterable[str]) -> set[str]:
        """Those of ``paths`` that are a symbolic link or lie below one (where ``regc build`` would refuse to write)."""

    def display(self, path: str) -> str:
        """``path`` as messages show it (git's ``REV:path`` for a commit)."""


#: At most this many symbolic links are followed for one path (Linux's MAXSYMLINKS).
MAX_LINKS = 40


def follow(path: str, link: Callable[[str], str | None], label: str) -> str:
    """Where ``path`` leads in a snapshot whose ``link(p)`` is the target of the symbolic link at ``p`` (None: no link).

    Every component is followed, a linked directory on the way too. A link out of the repository
    (absolute, or through ``..`` past the top) cannot be read from git: an ``InputError`` that says so.
    """
    parts = [part for part in path.split("/") if part not in ("", ".")]
    hops = index = 0
    while index < len(parts):
        prefix = "/".join(parts[: index + 1])
        target = link(prefix)
        if target is None:
            index += 1
            continue
        hops += 1
        if hops > MAX_LINKS:
            raise InputError.at(path, 1, f"more than {MAX_LINKS} symbolic links lead from {path} in {label} (a loop?)")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(prefix), target))
        if posixpath.isabs(target) or joined == ".." or joined.startswith("../"):
            raise InputError.at(path, 1, f"{prefix} is a symbolic link to {target!r}, outside the repository: {label} holds only "
                                         f"the link, so regc cannot read {path} from git; keep the file itself in the repository "
                                         "(a link inside it is followed)")
        parts = [*(part for part in joined.split("/") if part != "."), *parts[index + 1:]]
        index = 0
    return "/".join(parts)


class WorkTree:
    """The files on disk."""

    label = "the working tree"

    def __init__(self, top: Path) -> None:
        self.top = top

    def read(self, path: str) -> bytes | None:
        try:
            return (self.top / path).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            return None

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        return {path: self.read(path) for path in paths}

    def resolve(self, path: str) -> str:
        return top_relative(self.top, self.top / path) or path

    def linked(self, paths: Iterable[str]) -> set[str]:
        from regc.git.hook_fast import through_link

        return {path for path in paths if through_link(self.top, path)}

    def display(self, path: str) -> str:
        return path


@dataclasses.dataclass(frozen=True)
class Project:
    """Where the project lives in the repository.

    ``directory`` is the project root relative to the top ("" at the top).
    ``config`` is the configuration file's name in it when the user has one
    (``--config`` or found as ``find_config`` finds it), None when the
    defaults apply.
    """

    top: Path
    directory: str
    config: str | None = None
    explicit: bool = False

    @property
    def root(self) -> Path:
        return self.top / self.directory if self.directory else self.top

    def path(self, relative: str) -> str | None:
        """A project-relative path as a top-relative one; None when it leaves the repository."""
        joined = posixpath.normpath(posixpath.join(self.directory, relative))
        if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
            return None
        return joined


def locate(top: Path, cwd: Path, config_file: Path | None) -> Project:
    """The project of the command: the given configuration file, the nearest one, or ``cwd`` with defaults."""
    from regc.model.config import find_config

    explicit = config_file is not None
    file = (cwd / config_file).absolute() if config_file is not None else find_config(cwd)
    if explicit and file is not None and not file.is_file():
        raise InputError.at(str(config_file), 1, "no such configuration file")
    if file is None:
        return Project(top, top_relative(top, cwd) or "")
    relative = top_relative(top, file)
    if relative is None:
        raise InputError.at(str(file), 1, f"the configuration file is outside the git repository {top}")
    directory, name = posixpath.split(relative)
    return Project(top, directory, name, explicit)


def config_at(snapshot: Snapshot, project: Project) -> Config | None:
    """The project's configuration as ``snapshot`` holds it; None when it holds none."""
    names = [project.config] if project.explicit and project.config else list(CONFIG_FILES)
    for name in names:
        path = posixpath.join(project.directory, name)
        data = snapshot.read(path)
        if data is None:
            continue
        config = parse_config(data, project.root / name, snapshot.display(path))
        if config is not None:
            return config
    return None


def default_config(project: Project) -> Config:
    from regc.model.config import Config, ConfigFile

    return Config(root=project.root, file=None, settings=ConfigFile())


def parse_config(data: bytes, file: Path, shown: str) -> Config | None:
    """A configuration from the bytes of ``file`` (None for a pyproject.toml without ``[tool.regc]``)."""
    from regc.io.source import decode
    from regc.model.config import Config, parse_settings

    text = decode(data, shown)
    settings = parse_settings(text, file.name, shown)
    return None if settings is None else Config(root=file.parent, file=file, settings=settings, text=text)


def registry_at(snapshot: Snapshot, project: Project, config: Config) -> ResolvedRegistry:
    """The registry the configuration names, read, parsed and resolved from ``snapshot``.

    It is parsed under the name ``regc build`` gives it (relative to the
    project root), so the outputs rendered from it are byte-identical to
    what ``regc build`` writes from the same file on disk.
    """
    from regc import pipeline
    from regc.io.source import decode
    from regc.model import build
    from regc.model.resolve import resolve

    path = project.path(config.settings.registry)
    display = config.display(config.registry_path)
    if path is None:
        raise InputError.at(display, 1, "the registry is outside the git repository; git cannot hold it")
    data = snapshot.read(path)
    if data is None:
        raise InputError.at(snapshot.display(path), 1, f"no registry in {snapshot.label}")
    try:
        return resolve(build(pipeline.parse(decode(data, display), display)))
    except InputError as exc:  # name the file as the snapshot holds it (a commit's `a1b2c3d:registry.md`)
        shown = snapshot.display(path)
        raise InputError(dataclasses.replace(d, file=shown) if d.file == display else d for d in exc.diagnostics) from None


def reader(snapshot: Snapshot, project: Project, config: Config) -> Callable[[str], bytes | None]:
    """How targets read an existing project file (the go target's block mode) from ``snapshot``.

    Paths are relative to the project root and must stay inside it, as ``regc build`` requires.
    """
    from regc.io.write import resolve_inside

    def read(path: str) -> bytes | None:
        resolve_inside(config.root, path)
        location = project.path(path)
        return None if location is None else snapshot.read(location)

    return read


def render(snapshot: Snapshot, project: Project, config: Config, registry: ResolvedRegistry,
           settings: dict[str, str] | None = None, *, edited: set[str] | None = None) -> dict[str, bytes]:
    """Every file ``regc build`` would write (the outputs and their manifest) from the files ``snapshot`` holds;
    ``settings`` receives the setting that names each output, ``edited`` the hand-written files a target edits a
    block of (``pipeline.generate``)."""
    from regc import pipeline

    return pipeline.generate(registry, config, reader(snapshot, project, config), settings=settings, edited=edited)


def watched(project: Project, config: Config, snapshot: Snapshot | None = None) -> list[str]:
    """Top-relative paths whose change concerns regc: configuration, registry, policy, every output and the manifest.

    Every output: each option of a target that names a file it writes (``path``, the sqlite
    target's ``database``). A target's path may be a directory (the schema target's):
    everything below it is watched too (see ``regc.git.hook_fast.is_watched``). With ``snapshot``,
    a configuration, registry or policy that is a symbolic link there is watched at the file
    it leads to as well: staging an edit of that file changes what regc reads.
    """
    from regc import targets
    from regc.io import manifest
    sources = [config.settings.registry, config.settings.policy]
    paths = [*sources, manifest.NAME]
    paths.extend(path for _, options in targets.configured(config) for path in options.output_paths())
    found = [p for p in (project.path(x) for x in paths) if p is not None]
    if config.file is not None and project.config is not None:
        found.append(posixpath.join(project.directory, config.file.name))
        sources.append(config.file.name)
    if snapshot is not None:
        for source in (project.path(x) for x in sources):
            if source is not None:
                with contextlib.suppress(InputError):  # a link out of the repository: reading it says so
                    found.append(snapshot.resolve(source))
    return sorted(set(found))
