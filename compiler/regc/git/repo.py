"""The repository, through GitPython: the only module that imports it.

Everything the same-commit protocol asks of git is here: the staged names,
the index and commits as ``Snapshot``s, the commits of a range, whether the
clone is shallow, where hooks live. Git errors become ``UsageError``s with a
plain message (exit 2), never a traceback.

The index is read with ``git ls-files -s`` and the object database, never
from the working tree, and never through GitPython's ``IndexFile``: that one
always opens ``.git/index``, while ``git commit -a`` and ``git commit PATH``
run the hook on a temporary index named by ``GIT_INDEX_FILE``, which git
commands (and so ``ls-files``) honour.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, Any

import git

from regc.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


@dataclasses.dataclass(frozen=True)
class CommitInfo:
    sha: str
    short: str
    subject: str
    parents: tuple[str, ...]


class Repo:
    """A git repository with a working tree."""

    def __init__(self, repo: git.Repo) -> None:
        self._repo = repo
        assert repo.working_tree_dir is not None
        self.top = Path(repo.working_tree_dir)
        self._index: IndexSnapshot | None = None

    @classmethod
    def open(cls, path: Path) -> Repo:
        try:
            repo = git.Repo(path, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise UsageError(f"{path} is not in a git repository; this command reads git history (run it inside a clone)") from None
        if repo.bare or repo.working_tree_dir is None:
            raise UsageError(f"{repo.git_dir} is a bare repository; run this command in a clone with a working tree")
        return cls(repo)

    def git(self, *args: str, **kwargs: Any) -> str:
        """Run ``git ARGS`` at the top of the working tree; a failure is a ``UsageError`` with git's message."""
        try:
            return str(self._repo.git.execute(["git", *args], **kwargs))
        except git.GitCommandError as exc:
            raise UsageError(_git_message(exc)) from None

    # --- the index ---------------------------------------------------------

    def staged(self) -> set[str]:
        """Paths whose staged content differs from HEAD (all staged paths before the first commit).

        Plumbing (``diff-index``), so no porcelain setting such as ``diff.relative`` changes the names.
        """
        base = "HEAD" if self._repo.head.is_valid() else self.git("hash-object", "-t", "tree", "/dev/null").strip()
        out = self.git("diff-index", "--cached", "--name-only", "-z", "--no-renames", base)
        return {name for name in out.split("\0") if name}

    def ignored(self, paths: list[str]) -> set[str]:
        """Those of ``paths`` (top-relative) that git's exclude rules (``.gitignore`` ...) ignore."""
        import subprocess

        if not paths:
            return set()
        result = subprocess.run(["git", "check-ignore", "-z", "--no-index", "--stdin"], cwd=self.top, capture_output=True, check=False,
                                input=("\0".join(paths) + "\0").encode())
        if result.returncode not in (0, 1):  # 1: none of them is ignored
            raise UsageError(f"git check-ignore failed: {result.stderr.decode(errors='replace').strip()}")
        return {name for name in result.stdout.decode(errors="surrogateescape").split("\0") if name}

    def index(self) -> IndexSnapshot:
        """The staged files; one snapshot per ``Repo`` (regc never stages), so what it read is read once."""
        if self._index is None:
            self._index = IndexSnapshot(self)
        return self._index

    # --- commits -----------------------------------------------------------

    def is_shallow(self) -> bool:
        return self.git("rev-parse", "--is-shallow-repository").strip() == "true"

    def resolve(self, rev: str) -> str:
        """The full sha of the commit ``rev`` names; an unknown revision is a ``UsageError``."""
        if rev.startswith("-"):
            raise UsageError(f"{rev!r} is not a revision")
        try:
            return str(self._repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")).strip()
        except git.GitCommandError:
            hint = "; in a shallow clone fetch it first (actions/checkout: fetch-depth: 0)" if self.is_shallow() else ""
            raise UsageError(f"unknown revision {rev!r}: no commit of that name in {self.top}{hint}") from None

    def commits(self, spec: str) -> list[CommitInfo]:
        """The commits of a range (``A..B``, ``A...B``, or one revision and its ancestors), oldest first."""
        if not spec or spec.startswith("-"):
            raise UsageError(f"{spec!r} is not a range; write it as A..B (e.g. origin/main..HEAD)")
        for rev in _range_ends(spec):
            self.resolve(rev)
        out = self.git("rev-list", "--reverse", "--topo-order", "--parents", "--format=%h%x1f%s", "--end-of-options", spec)
        lines = out.splitlines()
        infos = []
        for header, details in zip(lines[::2], lines[1::2], strict=True):
            sha, *parents = header.removeprefix("commit ").split()
            short, _, subject = details.partition("\x1f")
            infos.append(CommitInfo(sha, short, subject, tuple(parents)))
        return infos

    def head_tree(self) -> TreeSnapshot | None:
        """The files of HEAD's commit; None before the first commit."""
        return self.commit_tree(self._repo.head.commit.hexsha) if self._repo.head.is_valid() else None

    def tree(self, rev: str) -> TreeSnapshot:
        """The files of the commit ``rev`` names."""
        return self.commit_tree(self.resolve(rev))

    def commit_tree(self, sha: str) -> TreeSnapshot:
        """The files of the commit ``sha`` (a full id that ``commits`` or ``resolve`` returned)."""
        return TreeSnapshot(self, sha, self._repo.commit(sha).tree)

    # --- hooks -------------------------------------------------------------

    def hooks_dir(self) -> Path:
        """Where git looks for hooks: ``core.hooksPath`` when set, else ``$GIT_DIR/hooks``."""
        return (self.top / self.git("rev-parse", "--git-path", "hooks").strip()).resolve()

    def read_blob(self, sha: str) -> bytes:
        data: bytes = self._repo.odb.stream(bytes.fromhex(sha)).read()
        return data


#: git's file modes: a regular file (executable or not), a symbolic link (its blob is the link's target).
REGULAR_MODES = frozenset({"100644", "100755"})
LINK_MODE = "120000"


class TreeSnapshot:
    """The files of one commit."""

    def __init__(self, repo: Repo, sha: str, tree: git.Tree) -> None:
        self.repo = repo
        self.sha = sha
        self.label = sha[:7]
        self._tree = tree
        self._entries: dict[str, str | None] = {}

    def entry(self, path: str) -> str | None:
        """The object id at ``path`` (a blob, or a tree for a directory); None when there is nothing."""
        if path not in self._entries:
            try:
                self._entries[path] = str((self._tree / path).hexsha)
            except KeyError:
                self._entries[path] = None
        return self._entries[path]

    def read(self, path: str) -> bytes | None:
        item = self._item(path)
        if item is not None and item.type == "blob" and item.mode != int(LINK_MODE, 8):
            return self.repo.read_blob(item.hexsha)
        if item is not None and item.type != "blob":
            return None  # a directory
        target = self.resolve(path)  # a symbolic link, or one on the way (KeyError above)
        return None if target == path else self.read(target)

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        return {path: self.read(path) for path in paths}

    def resolve(self, path: str) -> str:
        from regc.git.snapshot import follow

        return follow(path, self._link, f"commit {self.label}")

    def linked(self, paths: Iterable[str]) -> set[str]:
        return {path for path in paths if _through_link(path, self._link)}

    def _item(self, path: str) -> Any:
        try:
            return self._tree / path
        except KeyError:
            return None

    def _link(self, path: str) -> str | None:
        item = self._item(path)
        if item is None or item.type != "blob" or item.mode != int(LINK_MODE, 8):
            return None
        return self.repo.read_blob(item.hexsha).decode("utf-8", "surrogateescape")

    def display(self, path: str) -> str:
        return f"{self.label}:{path}"


class IndexSnapshot:
    """The staged files: what ``git commit`` is about to record."""

    label = "the index"

    def __init__(self, repo: Repo) -> None:
        self.repo = repo
        self._read: dict[str, bytes | None] = {}  # the registry is read for its model, its lint, its partial staging
        self._links: dict[str, str | None] = {}  # path -> the target of the staged symbolic link there, or None

    def entries(self, paths: Iterable[str]) -> dict[str, tuple[str, str]]:
        """path -> (mode, blob id) of the staged files and links at or below ``paths``; an unmerged path is a ``UsageError``."""
        specs = [f":(literal){p}" for p in paths]
        if not specs:
            return {}
        out = self.repo.git("ls-files", "-s", "-z", "--", *specs)
        found: dict[str, tuple[str, str]] = {}
        for record in out.split("\0"):
            if not record:
                continue
            info, _, path = record.partition("\t")
            mode, sha, stage = info.split()
            if stage != "0":
                raise UsageError(f"{path} has unresolved merge conflicts; resolve them and `git add {path}` first")
            if mode in REGULAR_MODES or mode == LINK_MODE:
                found[path] = (mode, sha)
        return found

    def read(self, path: str) -> bytes | None:
        return self.read_many([path])[path]

    def read_many(self, paths: Iterable[str]) -> dict[str, bytes | None]:
        wanted = list(dict.fromkeys(paths))
        new = [path for path in wanted if path not in self._read]
        if new:
            found = self.entries(new)
            linked = []
            for path in new:
                mode, sha = found.get(path, ("", ""))
                if mode in REGULAR_MODES:
                    self._read[path] = self.repo.read_blob(sha)
                else:  # a symbolic link, one on the way, or nothing
                    linked.append(path)
            if linked:
                self._prefetch_links(linked)
                for path in linked:
                    target = self.resolve(path)
                    self._read[path] = None if target == path else self.read(target)
        return {path: self._read[path] for path in wanted}

    def resolve(self, path: str) -> str:
        from regc.git.snapshot import follow

        return follow(path, self._link, self.label)

    def linked(self, paths: Iterable[str]) -> set[str]:
        paths = list(paths)
        self._prefetch_links(paths)
        return {path for path in paths if _through_link(path, self._link)}

    def _prefetch_links(self, paths: list[str]) -> None:
        """The staged links at every path of ``paths`` and every directory above them, with one ``git ls-files``."""
        prefixes = {"/".join(parts[:i]) for parts in (p.split("/") for p in paths) for i in range(1, len(parts) + 1)}
        wanted = sorted(p for p in prefixes if p not in self._links)
        if not wanted:
            return
        found = self.entries(wanted)
        for prefix in wanted:
            mode, sha = found.get(prefix, ("", ""))
            self._links[prefix] = self.repo.read_blob(sha).decode("utf-8", "surrogateescape") if mode == LINK_MODE else None

    def _link(self, path: str) -> str | None:
        if path not in self._links:
            self._prefetch_links([path])
        return self._links.get(path)

    def display(self, path: str) -> str:
        return path


def _through_link(path: str, link: Callable[[str], str | None]) -> bool:
    parts = path.split("/")
    return any(link("/".join(parts[:i])) is not None for i in range(1, len(parts) + 1))


def _range_ends(spec: str) -> list[str]:
    for sep in ("...", ".."):
        if sep in spec:
            return [end or "HEAD" for end in spec.split(sep, 1)]
    return [spec]


def _git_message(exc: git.GitCommandError) -> str:
    stderr = str(exc.stderr or "").strip().removeprefix("stderr:").strip().strip("'").strip()
    lines = [line.removeprefix("fatal: ").removeprefix("error: ") for line in stderr.splitlines() if line.strip()]
    command = " ".join(str(part) for part in exc.command[:3]) if isinstance(exc.command, list) else str(exc.command)
    return f"{command} failed: {'; '.join(lines) or f'exit status {exc.status}'}"


__all__ = ["CommitInfo", "IndexSnapshot", "Repo", "TreeSnapshot"]
