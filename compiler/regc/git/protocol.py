"""The same-commit protocol: a snapshot's registry and outputs agree.

A snapshot (the index for the pre-commit hook, each commit for
``verify-commits``) keeps the protocol when every output it holds is exactly
what its registry generates under its configuration. ``judge`` compares the
two; ``check_index`` and ``verify`` apply it to what is staged and to a range
of history. Each output that disagrees gets one of five verdicts:

- ``stale``: the output was not touched, and does not match (the registry was
  changed without regenerating it);
- ``edited``: the output was touched, and does not match what the registry
  generates (a hand edit, or generated from another version of the registry);
- ``missing``: the registry generates it, and the snapshot has none;
- ``deleted``: it was removed, and the registry still generates it;
- ``orphan``: a file regc generated before (the manifest, ``regc.outputs``, of
  the snapshot or of HEAD / the commit's parent lists it) that no target generates
  any more, and the snapshot still holds;
- ``link``: the snapshot holds a symbolic link where the output goes (or on its
  way), which ``regc build`` refuses to write through.

"Touched" means staged (the hook) or changed by the commit against its first
parent (``verify-commits``).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Literal

from regc.errors import InputError
from regc.git.hook_fast import is_watched
from regc.git.snapshot import WorkTree, config_at, default_config, registry_at, render, watched

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from regc.git.repo import CommitInfo, Repo, TreeSnapshot
    from regc.git.snapshot import Project, Snapshot
    from regc.model.config import Config
    from regc.model.resolve import ResolvedRegistry

Problem = Literal["stale", "edited", "missing", "deleted", "orphan", "link"]
#: What a snapshot holds where an output is a symbolic link (or below one): never an output's bytes.
LINK = b"\0regc: a symbolic link\0"


@dataclasses.dataclass(frozen=True)
class Output:
    """One output: what the registry generates, and what the snapshot holds."""

    path: str  # relative to the project root, as the configuration names it
    location: str  # relative to the repository's top
    expected: bytes | None  # None: no target generates it any more (an orphan when the snapshot holds it)
    actual: bytes | None
    touched: bool

    @property
    def problem(self) -> Problem | None:
        if self.actual is LINK:
            return "link"
        if self.expected is None:
            return "orphan" if self.actual is not None else None
        if self.actual == self.expected:
            return None
        if self.actual is None:
            return "deleted" if self.touched else "missing"
        return "edited" if self.touched else "stale"


@dataclasses.dataclass(frozen=True)
class Judgement:
    """A snapshot's outputs against its registry."""

    config: Config
    registry: str  # top-relative path of the registry
    sources_touched: tuple[str, ...]  # top-relative: the registry, configuration or policy, when touched
    outputs: tuple[Output, ...]
    policy_errors: tuple[str, ...] = ()
    settings: Mapping[str, str] = dataclasses.field(default_factory=dict)  # output path -> the setting naming it
    edited: frozenset[str] = frozenset()  # the hand-written files a target edits a block of (not in the manifest)

    @property
    def bad(self) -> list[Output]:
        return [o for o in self.outputs if o.problem is not None]

    @property
    def ok(self) -> bool:
        return not self.bad and not self.policy_errors


def judge(
    snapshot: Snapshot, project: Project, config: Config, outputs: dict[str, bytes], touched: Callable[[str], bool],
    *, ignored: Callable[[list[str]], set[str]], listed: Iterable[str] = (),
) -> Judgement:
    """Compare ``outputs`` (rendered from the snapshot's registry) with the snapshot's files.

    Only the outputs git is meant to hold: one that the snapshot lacks and that ``ignored`` (git's exclude
    rules, ``.gitignore``) names, such as the sqlite target's optional ``.db`` built where it is deployed,
    is not the protocol's business. ``listed``: the paths earlier manifests list; each one that no output
    is any more and that the snapshot still holds is an orphan.
    """
    from regc.io.write import OutputPathError, normal_path
    from regc.pipeline import input_names

    orphans = set()
    inputs = input_names(config)
    for path in listed:
        try:
            normal = normal_path(path)
        except OutputPathError:
            continue  # a manifest line regc never wrote: no file of regc's
        if normal not in outputs and normal not in inputs:
            orphans.add(normal)
    expected: dict[str, bytes | None] = {**dict.fromkeys(sorted(orphans)), **outputs}
    places = {path: project.path(path) for path in expected}
    linked = snapshot.linked(location for location in places.values() if location is not None)
    actual = snapshot.read_many(location for location in places.values() if location is not None and location not in linked)
    actual.update(dict.fromkeys(linked, LINK))
    skipped = ignored([location for location, data in actual.items() if data is None])
    locations: dict[str, str] = {}
    for path, location in places.items():
        if location is not None and location in skipped:
            continue
        if location is None:
            if path in orphans:
                continue
            raise InputError.at(config.display(config.file) if config.file else "config", 1, f"output {path!r} is outside the repository")
        locations[path] = location
    registry, *others = _sources(project, config)
    policy = project.path(config.settings.policy)
    sources = [registry, *([policy] if policy is not None else []), *others]
    return Judgement(
        config=config,
        registry=registry,
        sources_touched=tuple(s for s in sources if touched(s) or touched(_resolved(snapshot, s))),
        outputs=tuple(
            Output(path, locations[path], expected[path], actual[locations[path]], touched(locations[path])) for path in sorted(locations)
        ),
    )


def _resolved(snapshot: Snapshot, path: str) -> str:
    """``path`` through the snapshot's symbolic links; itself when a link leaves the repository."""
    try:
        return snapshot.resolve(path)
    except InputError:
        return path


def _sources(project: Project, config: Config) -> list[str]:
    """Top-relative paths of the registry and, when the project has one, its configuration file."""
    found = [project.path(config.settings.registry) or config.settings.registry]
    if config.file is not None and project.config is not None:
        found.append(project.path(config.file.name) or config.file.name)
    return found


def policy_errors(snapshot: Snapshot, project: Project, config: Config, registry: ResolvedRegistry) -> tuple[str, ...]:
    """The policy errors of the snapshot's registry, one ``path:line:col: severity rule-id message`` each.

    Lints ``registry`` under the policy file *as the snapshot holds it* (a staged
    ``policy.yaml``, not the working tree's), at the policy's ``fail_severity``
    (``error`` by default), judging dates by today: the hook stops a commit that
    ``regc lint`` would fail. A snapshot without the policy file lints with the
    rules' defaults, unless the configuration names a policy file explicitly.
    """
    from regc.io.source import decode
    from regc.lint.policy import EMPTY, parse_policy
    from regc.pipeline import lint
    from regc.rules import at_least

    name = config.settings.policy
    location = project.path(name)
    blob = snapshot.read(location) if location is not None else None
    if blob is not None:
        policy = parse_policy(decode(blob, name), name)
    elif "policy" in config.settings.model_fields_set:
        raise InputError.at(name, 1, "the configured policy file is not in the snapshot; `git add` it or fix `policy` in the config")
    else:
        policy = EMPTY
    registry_location = project.path(config.settings.registry)
    source = snapshot.read(registry_location) if registry_location is not None else None
    text = decode(source, registry.registry.path) if source is not None else None
    result = lint(registry, config, policy=policy, text=text)
    threshold = policy.file.fail_severity or "error"
    return tuple(str(finding) for finding in result.findings if at_least(finding.severity, threshold))


# --- the hook: the index ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class IndexCheck:
    """What ``regc hook`` found in the index."""

    staged: frozenset[str]
    relevant: bool
    judgement: Judgement | None = None
    #: Sources whose working-tree copy differs from the staged one (partial staging).
    unstaged_sources: tuple[str, ...] = ()


def staged_config(repo: Repo, project: Project) -> Config:
    """The configuration as staged; the working tree's when it is not tracked; else the defaults."""
    return config_at(repo.index(), project) or config_at(WorkTree(repo.top), project) or default_config(project)


def check_index(repo: Repo, project: Project, *, lint: bool = True) -> IndexCheck:
    """Judge the staged registry and outputs, reading both from the index (and lint the staged registry unless ``lint`` is
    False: the pre-commit `regc` hook leaves the policy to the `regc-lint` hook, so no finding is printed twice)."""
    staged = frozenset(repo.staged())
    if not staged:
        return IndexCheck(staged, relevant=False)
    index = repo.index()
    config = staged_config(repo, project)
    paths = watched(project, config, index)
    if not any(is_watched(path, paths) for path in staged):
        return IndexCheck(staged, relevant=False)
    registry = registry_at(index, project, config)
    head = repo.head_tree()
    listed = [*_listed(index, project), *(_listed(head, project) if head is not None else [])]
    settings: dict[str, str] = {}
    edited: set[str] = set()
    outputs = render(index, project, config, registry, settings, edited=edited)
    judgement = judge(index, project, config, outputs, staged.__contains__, ignored=repo.ignored, listed=listed)
    errors = policy_errors(index, project, config, registry) if lint else ()
    judgement = dataclasses.replace(judgement, policy_errors=errors, settings=settings, edited=frozenset(edited))
    sources = _sources(project, config)
    disk, staged_sources = WorkTree(repo.top), index.read_many(sources)
    unstaged = tuple(s for s in sources if staged_sources[s] is not None and disk.read(s) != staged_sources[s])
    return IndexCheck(staged, relevant=True, judgement=judgement, unstaged_sources=unstaged)


# --- verify-commits: a range of history -----------------------------------------


@dataclasses.dataclass(frozen=True)
class CommitVerdict:
    commit: CommitInfo
    status: Literal["ok", "bad", "skipped"]
    reason: str = ""  # why it was skipped, or why it could not be judged
    judgement: Judgement | None = None
    errors: tuple[str, ...] = ()  # the commit's registry or configuration has no meaning


def verify(repo: Repo, project: Project, spec: str) -> list[CommitVerdict]:
    """Judge every commit of ``spec`` (oldest first) that touches the registry, its configuration or outputs."""
    if repo.is_shallow():
        from regc.errors import UsageError

        raise UsageError(
            f"{repo.top} is a shallow clone: its history is cut off, so the commits of {spec} cannot all be read. "
            "Fetch the whole history: `git fetch --unshallow`, or in GitHub Actions `actions/checkout` with `fetch-depth: 0`"
        )
    verdicts = []
    for commit in repo.commits(spec):
        snapshot = repo.commit_tree(commit.sha)
        parents = [repo.commit_tree(p) for p in commit.parents]
        try:
            config = config_at(snapshot, project)
            if config is None and project.config is not None:
                verdicts.append(CommitVerdict(commit, "skipped", f"no regc configuration ({project.config}) in this commit"))
                continue
            config = config or default_config(project)
            paths = watched(project, config, snapshot)
            if not _touches(snapshot, parents, paths):
                verdicts.append(CommitVerdict(commit, "skipped", "touches neither the registry, its configuration nor its outputs"))
                continue
            outputs = render(snapshot, project, config, registry_at(snapshot, project, config))
            first = parents[0] if parents else None
            listed = [path for tree in (snapshot, *parents) for path in _listed(tree, project)]
            judgement = judge(snapshot, project, config, outputs, _changed_against(snapshot, first), ignored=repo.ignored,
                              listed=listed)
        except InputError as exc:
            verdicts.append(CommitVerdict(commit, "bad", "its registry or configuration has no meaning", errors=tuple(
                str(d) for d in exc.diagnostics)))
            continue
        verdicts.append(CommitVerdict(commit, "ok" if judgement.ok else "bad", judgement=judgement))
    return verdicts


def _listed(snapshot: Snapshot, project: Project) -> list[str]:
    """The paths the snapshot's outputs manifest (``regc.outputs``) lists; none when it has none."""
    from regc.io import manifest

    location = project.path(manifest.NAME)
    return manifest.parse(snapshot.read(location)) if location is not None else []


def _touches(snapshot: TreeSnapshot, parents: list[TreeSnapshot], paths: list[str]) -> bool:
    """The commit changes a watched path against every parent (a merge that took one side's files as they were is
    judged by that side's own commit)."""
    ids = {path: snapshot.entry(path) for path in paths}
    if not parents:
        return any(ids.values())
    return all(any(parent.entry(path) != ids[path] for path in paths) for parent in parents)


def _changed_against(snapshot: TreeSnapshot, parent: TreeSnapshot | None) -> Callable[[str], bool]:
    def changed(path: str) -> bool:
        mine = snapshot.entry(path)
        return mine is not None if parent is None else parent.entry(path) != mine

    return changed


# --- messages ---------------------------------------------------------------------


def describe(output: Output, judgement: Judgement, *, staged: bool) -> str:
    """One sentence on what is wrong with ``output``: staged wording for the hook, commit wording for history.

    Paths are relative to the repository's top, as git names them.
    """
    sources = " and ".join(judgement.sources_touched)
    registry = judgement.registry
    path = output.location
    if output.problem == "link":
        where = "in the index" if staged else "in the commit"
        return (f"{path} is a symbolic link (or below one) {where}; an output is a plain file, never a link: "
                "remove the link and commit the file `regc build` writes")
    if output.problem == "orphan":
        where = "in the index" if staged else "in the commit"
        return f"{path} is no longer generated: no target writes it (regc.outputs listed it), but it is still {where}"
    if output.problem == "stale":
        if sources:
            verb = ("are staged" if " and " in sources else "is staged") if staged else "changed"
            return f"{sources} {verb} but {path} was not regenerated"
        return f"{path} does not match {registry}: it was already stale"
    if output.problem == "missing":
        return f"{path} is missing: {registry} generates it, and it is not {'in the index' if staged else 'in the commit'}"
    if output.problem == "deleted":
        return f"{path} is deleted{' in the index' if staged else ''}, but {registry} still generates it"
    if staged:
        why = "generated from another version of it, or edited by hand" if sources else "edited by hand?"
        return f"{path} is staged but differs from what the staged {registry} generates ({why})"
    why = "generated from another version of it, or edited by hand" if sources else "edited by hand?"
    return f"{path} changed but differs from what {registry} generates ({why})"
