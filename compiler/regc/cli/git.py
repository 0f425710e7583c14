"""The git commands: ``hook``, ``install-hook``, ``verify-commits``, ``breaking``, ``diff``.

A thin click layer, like ``regc.cli`` (which registers these commands), over
``regc.git.protocol`` (the same-commit protocol), ``regc.reports.compare`` (what changed
between two registries) and ``regc.git.install`` (the plain git hook).
"""

from __future__ import annotations

import json
import os
import shlex
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from regc.cli.context import Context
    from regc.git.protocol import CommitVerdict, Judgement
    from regc.git.repo import Repo
    from regc.git.snapshot import Project
    from regc.io import write
    from regc.model.resolve import ResolvedRegistry

EXIT_OK, EXIT_FINDINGS = 0, 1


def _open(obj: Context, config_file: str | None = None) -> tuple[Repo, Project]:
    from regc.errors import UsageError
    from regc.git.snapshot import locate

    try:
        from regc.git.repo import Repo
    except ImportError as exc:  # GitPython refuses to load without a git executable
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UsageError(f"git is not installed or not on PATH; this command runs git ({first})") from None

    cwd = Path.cwd()
    repo = Repo.open(cwd)
    file = Path(config_file) if config_file else obj.config_file
    return repo, locate(repo.top, cwd, file)


def _here(repo: Repo, location: str) -> str:
    """A top-relative path as the user can type it from the current directory."""
    return os.path.relpath(repo.top / location, Path.cwd())


def _build_command(obj: Context, config_file: str | None) -> str:
    given = config_file or (str(obj.config_file) if obj.config_file else None)
    return f"regc --config {shlex.quote(given)} build" if given else "regc build"


# --- hook -------------------------------------------------------------------------


@click.command()
@click.option("--fix", is_flag=True, help="write the outputs of the staged registry to the working tree (still exits 1: stage them)")
@click.option("--config", "config_file", metavar="FILE", help="the configuration file (as the global --config; for pre-commit's args:)")
@click.option("--files-regex", is_flag=True, help="print the `files:` pattern for .pre-commit-config.yaml that this configuration needs")
@click.pass_obj
def hook(obj: Context, fix: bool, config_file: str | None, files_regex: bool) -> int:
    """The pre-commit check: the STAGED registry and outputs agree.

    Reads the index, not the working tree (with partial staging the index is
    what gets committed). Exits 0 at once when nothing regc watches is staged.
    """
    from regc.git.protocol import check_index, describe, staged_config

    repo, project = _open(obj, config_file)
    if fix and project.config is None:  # no configuration, no writes (as `regc build`)
        from regc.errors import UsageError

        raise UsageError("no configuration (regc.toml, or [tool.regc] in pyproject.toml) for this project; `regc hook --fix` "
                         "writes the targets a configuration names: run `regc init` to create one")
    if files_regex:
        import re

        from regc.git.snapshot import watched

        names = watched(project, staged_config(repo, project), repo.index())
        obj.out(f"^({'|'.join(re.escape(name) for name in names)})(/.*)?$\n")
        return EXIT_OK
    result = check_index(repo, project)
    if not result.relevant or result.judgement is None:
        if obj.verbose:
            obj.log("regc: nothing regc watches is staged")
        return EXIT_OK
    judgement = result.judgement
    if judgement.ok:
        obj.log(f"regc: the staged {judgement.registry} and its {len(judgement.outputs)} outputs agree")
        return EXIT_OK
    for output in judgement.bad:
        obj.out(f"regc hook: {describe(output, judgement, staged=True)}\n")
    for error in judgement.policy_errors:
        obj.out(f"{error}\n")
    if judgement.policy_errors:
        obj.log(f"regc: the staged {judgement.registry} has policy errors; fix them (`regc lint` lists them) and stage it again")
    bad = judgement.bad
    if not bad:
        return EXIT_FINDINGS
    paths = " ".join(shlex.quote(_here(repo, o.location)) for o in bad)
    links = " ".join(shlex.quote(_here(repo, o.location)) for o in bad if o.problem == "link")
    if fix:
        _fix(obj, repo, judgement)
    elif links:  # `regc build` refuses to write through a link: it goes first
        obj.log(f"fix: git rm -q --cached {links} && rm -f {links} && {_build_command(obj, config_file)} && git add {paths}")
    else:
        obj.log(f"fix: {_build_command(obj, config_file)} && git add {paths}")
        obj.log("     (or `regc hook --fix`: it writes the outputs of the staged registry, then `git add` them)")
    for source in result.unstaged_sources:
        obj.log(f"note: {source} has changes that are not staged; `regc build` regenerates from the working tree, "
                f"so stage the whole file (`git add {shlex.quote(_here(repo, source))}`) or use `regc hook --fix`, "
                "which writes the outputs of the staged version")
    return EXIT_FINDINGS


def _fix(obj: Context, repo: Repo, judgement: Judgement) -> None:
    from regc.io.atomic import write_atomic
    from regc.io.write import remove
    from regc.pipeline import setting_line, write_policy

    config = judgement.config
    locate = (lambda path: setting_line(config, judgement.settings.get(path, ""))) if config.file is not None else None
    policy = write_policy(config, config.root, locate)  # the write policy `regc build` keeps
    # Every output is placed before any is written, as `regc build` does: on a refusal (exit 2) nothing is written.
    placed = {output.path: policy.place(output.path) for output in judgement.bad if output.expected is not None}
    _refuse_foreign(placed, judgement, policy)
    for output in judgement.bad:
        if output.expected is None:  # no target generates it any more
            orphan = policy.removable(output.path)
            if orphan is not None:
                remove(orphan, policy.root)
                obj.out(f"removed {_here(repo, output.location)}\n")
            continue
        target = placed[output.path]
        if not target.is_file() or target.read_bytes() != output.expected:
            write_atomic(target, output.expected)
        obj.out(f"wrote {_here(repo, output.location)}\n")
    paths = " ".join(shlex.quote(_here(repo, o.location)) for o in judgement.bad)
    obj.log(f"regc: the outputs of the staged {judgement.registry} are in the working tree; stage them and commit again: git add {paths}")
    new = [o for o in judgement.bad if o.actual is None and o.expected is not None]
    if new:
        names = " ".join(shlex.quote(_here(repo, o.location)) for o in new)
        verb = "is" if len(new) == 1 else "are"
        obj.log(f"note: {names} {verb} not in the index; pre-commit does not notice new files, so add them yourself")


def _refuse_foreign(placed: dict[str, Path], judgement: Judgement, policy: write.Policy) -> None:
    """As ``regc build`` does: a file in the working tree that regc did not write is never overwritten."""
    from regc.io import manifest
    from regc.io.write import foreign, generated

    listed = policy.root / manifest.NAME
    expected = {output.path: output.expected for output in judgement.outputs}
    whole = set(manifest.parse(expected.get(manifest.NAME)))
    edits = {path for path, data in expected.items() if data is not None and path not in whole and path != manifest.NAME}
    mine = {manifest.NAME, *manifest.parse(listed.read_bytes() if listed.is_file() else None), *edits}  # edits: hand-written files a target edits
    for relative, path in placed.items():
        old = path.read_bytes() if path.is_file() else None
        if old is not None and old != expected[relative] and relative not in mine and not generated(old):
            raise foreign(relative, policy.locate)


# --- install-hook -------------------------------------------------------------------


@click.command("install-hook")
@click.option("--force", is_flag=True, help="replace a pre-commit hook that regc did not write (kept as pre-commit.regc-backup)")
@click.option("--uninstall", is_flag=True, help="remove regc's hook (and put a backed-up one back)")
@click.pass_obj
def install_hook(obj: Context, force: bool, uninstall: bool) -> int:
    """Install a plain git pre-commit hook that runs `regc hook` (for repositories without pre-commit)."""
    from regc.git import install

    repo, project = _open(obj)
    hooks = repo.hooks_dir()
    if uninstall:
        done = install.uninstall(hooks)
        if done.action == "absent":
            obj.log(f"regc: no hook at {done.path}")
        else:
            obj.out(f"removed {done.path}\n")
            if done.restored:
                obj.out(f"restored {done.path} from {done.backup}\n")
        return EXIT_OK
    args: list[str] = []
    if project.explicit and project.config is not None:
        args = ["--config", f"{project.directory}/{project.config}" if project.directory else project.config]
    done = install.install(hooks, force=force, args=args)
    if done.backup is not None:
        obj.log(f"regc: the previous hook is kept as {done.backup}")
    if done.action == "unchanged":
        obj.log(f"regc: {done.path} is already installed")
    else:
        obj.out(f"{done.action} {done.path}\n")
    return EXIT_OK


# --- verify-commits ---------------------------------------------------------------


@click.command("verify-commits")
@click.argument("spec", metavar="RANGE")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def verify_commits(obj: Context, spec: str, fmt: str) -> int:
    """Every commit in RANGE (e.g. origin/main..HEAD) keeps the registry and outputs in agreement.

    Catches commits made with `git commit --no-verify`. Commits that touch neither
    the registry, its configuration nor an output are skipped.
    """
    from regc.git.protocol import verify
    from regc.reports import annotate

    repo, project = _open(obj)
    verdicts = verify(repo, project, spec)
    bad = [v for v in verdicts if v.status == "bad"]
    if fmt == "json":
        obj.out(json.dumps({"range": spec, "ok": not bad, "commits": [_verdict_data(v) for v in verdicts]}, indent=2,
                           ensure_ascii=False) + "\n")
    else:
        for verdict in verdicts:
            if verdict.status == "bad" or obj.verbose:
                obj.out(_verdict_text(verdict))
    if annotate.enabled():
        for verdict in bad:
            for message, file in _problems(verdict):
                obj.out(annotate.annotation("error", f"{verdict.commit.short} {verdict.commit.subject}: {message}", file=file,
                                            title="regc verify-commits"))
    checked = sum(v.status != "skipped" for v in verdicts)
    commits = f"{len(verdicts)} commit{'s' if len(verdicts) != 1 else ''}"
    summary = f"regc: {commits} in {spec}: {checked} checked, {len(verdicts) - checked} skipped"
    if bad:
        obj.log(f"{summary}; {len(bad)} break{'s' if len(bad) == 1 else ''} the same-commit protocol", fg="red")
        obj.log("fix: rewrite those commits so that each carries its regenerated outputs (`regc build`, then "
                "`git commit --amend` or an interactive rebase), or squash them into one that does")
        return EXIT_FINDINGS
    obj.log(f"{summary}; every checked commit keeps the registry and its outputs in agreement")
    return EXIT_OK


def _problems(verdict: CommitVerdict) -> list[tuple[str, str | None]]:
    from regc.git.protocol import describe

    found: list[tuple[str, str | None]] = [(error, None) for error in verdict.errors]
    judgement = verdict.judgement
    if judgement is not None:
        found += [(describe(o, judgement, staged=False), o.location) for o in judgement.bad]
        found += [(error, judgement.registry) for error in judgement.policy_errors]
    return found


def _verdict_text(verdict: CommitVerdict) -> str:
    head = f"{verdict.commit.short} {verdict.commit.subject}"
    if verdict.status == "skipped":
        return f"{head}\n  skipped: {verdict.reason}\n"
    if verdict.status == "ok":
        return f"{head}\n  ok\n"
    lines = [head]
    if verdict.reason:
        lines.append(f"  {verdict.reason}:")
    lines += [f"  {message}" for message, _ in _problems(verdict)]
    return "\n".join(lines) + "\n"


def _verdict_data(verdict: CommitVerdict) -> dict[str, object]:
    from regc.git.protocol import describe

    judgement = verdict.judgement
    problems = [{"path": o.location, "problem": o.problem, "message": describe(o, judgement, staged=False)}
                for o in judgement.bad] if judgement else []
    return {
        "sha": verdict.commit.sha,
        "short": verdict.commit.short,
        "subject": verdict.commit.subject,
        "status": verdict.status,
        "reason": verdict.reason or None,
        "problems": problems,
        "errors": [*verdict.errors, *(judgement.policy_errors if judgement else ())],
    }


# --- breaking and diff -------------------------------------------------------------


def _registries(obj: Context, ref: str, staged: bool) -> tuple[ResolvedRegistry | None, ResolvedRegistry, str, str, str]:
    """The registry at REF (None when REF has none) and the one in the working tree or the index, with their
    labels, and the new registry's path relative to the repository's top (for annotations)."""
    from regc import pipeline
    from regc.git.protocol import staged_config
    from regc.git.snapshot import config_at, registry_at

    repo, project = _open(obj)
    if staged:
        config = staged_config(repo, project)
        new = registry_at(repo.index(), project, config)
        new_label = f"{config.display(config.registry_path)} (staged)"
    else:
        config = obj.config()
        new = pipeline.load(config.registry_path, display=config.display(config.registry_path))
        new_label = config.display(config.registry_path)
    new_location = project.path(config.settings.registry) or config.settings.registry
    old_tree = repo.tree(ref)
    old_config = config_at(old_tree, project) or config
    location = project.path(old_config.settings.registry)
    old_label = f"{ref}:{old_config.display(old_config.registry_path)}"
    if location is None or old_tree.read(location) is None:
        return None, new, old_label, new_label, new_location
    return registry_at(old_tree, project, old_config), new, old_label, new_label, new_location


_against = click.option("--against", "ref", required=True, metavar="REF", help="the git revision to compare with (e.g. origin/main)")
_staged = click.option("--staged", is_flag=True, help="compare the staged registry (the index) instead of the working tree's")


@click.command()
@_against
@_staged
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def breaking(obj: Context, ref: str, staged: bool, fmt: str) -> int:
    """Aliases removed (legacy ones included) or whose kind changed since REF: exit 1.

    A changed primary, chain or price is reported, and is not breaking.
    """
    from regc.reports import annotate, diffreport
    from regc.reports.compare import compare

    old, new, old_label, new_label, location = _registries(obj, ref, staged)
    if old is None:
        obj.log(f"regc: {old_label} does not exist: nothing to compare with, nothing can break")
        return EXIT_OK
    comparison = compare(old, new)
    obj.out(diffreport.to_json(comparison, old_label, new_label) if fmt == "json" else diffreport.text(comparison, old_label, new_label))
    if annotate.enabled():
        for change in comparison.changes:
            level: annotate.Level = "error" if change.breaking else "notice"
            obj.out(annotate.annotation(level, change.message, file=location, line=change.line,
                                        title="regc breaking" if change.breaking else "regc: registry change"))
    count = len(comparison.breaking)
    if count:
        obj.log(f"regc: {count} breaking change{'s' if count != 1 else ''} against {old_label}", fg="red")
        return EXIT_FINDINGS
    obj.log(f"regc: no breaking change against {old_label} ({len(comparison.changes)} changes reported)")
    return EXIT_OK


@click.command("diff")
@_against
@_staged
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True)
@click.pass_obj
def diff_command(obj: Context, ref: str, staged: bool, fmt: str) -> int:
    """Per alias, what changed since REF and its price effect (markdown: a pull request summary)."""
    from regc.reports import diffreport
    from regc.reports.compare import compare

    old, new, old_label, new_label, _ = _registries(obj, ref, staged)
    if old is None:
        obj.log(f"regc: {old_label} does not exist: nothing to compare with")
        return EXIT_OK
    comparison = compare(old, new)
    render = {"text": diffreport.text, "markdown": diffreport.markdown, "json": diffreport.to_json}[fmt]
    obj.out(render(comparison, old_label, new_label))
    return EXIT_OK


COMMANDS = (hook, install_hook, verify_commits, breaking, diff_command)
