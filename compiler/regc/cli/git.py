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

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, not_ours_note
from regc.cli.cost import period_option, read_usage

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

    from regc.cli.context import Context
    from regc.git.protocol import CommitVerdict, Judgement, Output
    from regc.git.repo import Repo
    from regc.git.snapshot import Project
    from regc.io import write
    from regc.lint.policy import Policy
    from regc.model.resolve import ResolvedRegistry


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


def _config_given(obj: Context, config_file: str | None) -> str | None:
    """The configuration file the user named (the hook's --config, else the global one), to repeat in a fix."""
    return config_file or (str(obj.config_file) if obj.config_file else None)


def _build_command(obj: Context, config_file: str | None) -> str:
    given = _config_given(obj, config_file)
    return f"regc --config {shlex.quote(given)} build" if given else "regc build"


# --- hook -------------------------------------------------------------------------


@click.command()
@click.option("--fix", is_flag=True, help="write the outputs of the staged registry to the working tree (still exits 1: stage them)")
@click.option("--config", "config_file", metavar="FILE", help="the configuration file (as the global --config; for pre-commit's args:)")
@click.option("--files-regex", is_flag=True, help="print the `files:` pattern for .pre-commit-config.yaml that this configuration needs")
@click.option("--no-lint", is_flag=True,
              help="judge agreement only, not the policy (the pre-commit `regc` hook: the `regc-lint` hook prints the findings)")
@click.pass_obj
def hook(obj: Context, fix: bool, config_file: str | None, files_regex: bool, no_lint: bool) -> int:
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
    result = check_index(repo, project, lint=not no_lint)
    if not result.relevant or result.judgement is None:
        if obj.verbose:
            obj.log("regc: nothing regc watches is staged")
        return EXIT_OK
    judgement = result.judgement
    if judgement.ok:
        # The files it generates, as `regc check` counts them: not an earlier output that is gone, as it should be.
        generated = sum(output.expected is not None for output in judgement.outputs)
        obj.log(f"regc: the staged {judgement.registry} and its {generated} outputs agree")
        return EXIT_OK
    on_disk = [] if fix else _regenerated_not_staged(repo, judgement)  # --fix writes them all and says so itself
    for output in judgement.bad:
        if output not in on_disk:
            obj.out(f"regc hook: {describe(output, judgement, staged=True)}\n")
    if on_disk:
        regenerated = " ".join(shlex.quote(_here(repo, o.location)) for o in on_disk)
        obj.out(f"regc hook: regenerated but not staged: {regenerated}; run git add {regenerated}\n")
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
    elif len(on_disk) == len(bad):  # the working tree holds every one of them: only `git add` is missing (said above)
        pass
    elif links:  # `regc build` refuses to write through a link: it goes first
        obj.log(f"fix: git rm -q --cached {links} && rm -f {links} && {_build_command(obj, config_file)} && git add {paths}")
    else:
        config = judgement.config
        placed = {o.path: config.root / o.path for o in bad if o.expected is not None}
        for path in _not_ours(placed, judgement, config.root):
            obj.log(f"note: {path} is {not_ours_note(path, _advice(judgement, path), _build_command(obj, config_file))}")
        obj.log(f"fix: {_build_command(obj, config_file)} && git add {paths}")
        given = _config_given(obj, config_file)
        again = f"regc hook --config {shlex.quote(given)} --fix" if given else "regc hook --fix"
        obj.log(f"     (or `{again}`: it writes the outputs of the staged registry, then `git add` them)")
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
    obj.out(f"regc hook: regenerated but not staged: {paths}; run git add {paths}\n")
    obj.log(f"regc: the outputs of the staged {judgement.registry} are in the working tree; stage them and commit again")
    new = [o for o in judgement.bad if o.actual is None and o.expected is not None]
    if new:
        names = " ".join(shlex.quote(_here(repo, o.location)) for o in new)
        verb = "is" if len(new) == 1 else "are"
        obj.log(f"note: {names} {verb} not in the index; pre-commit does not notice new files, so add them yourself")


def _refuse_foreign(placed: dict[str, Path], judgement: Judgement, policy: write.Policy) -> None:
    """As ``regc build`` does: a file in the working tree that regc did not write is never overwritten."""
    from regc.io.write import foreign

    found = _not_ours(placed, judgement, policy.root)
    if found:
        raise foreign(found[0], policy.locate, _advice(judgement, found[0]))


def _advice(judgement: Judgement, path: str) -> str:
    """What the target that writes ``path`` says about the file there, which regc did not write."""
    from regc.pipeline import advice

    location = judgement.config.root / path
    return advice(judgement.config, judgement.settings, path, location.read_bytes()) if location.is_file() else ""


def _not_ours(placed: dict[str, Path], judgement: Judgement, root: Path) -> list[str]:
    """The outputs whose working-tree file exists, differs and is not regc's, as ``regc build`` judges them
    (``write.not_ours``: the manifest on disk, the generated-file notice, the files a target edits a block of)."""
    from regc.io import manifest
    from regc.io.write import Change, not_ours

    listed = root / manifest.NAME
    expected = {output.path: output.expected for output in judgement.outputs}
    changes = [Change(manifest.NAME, listed.read_bytes() if listed.is_file() else None, expected.get(manifest.NAME))]
    changes += [Change(relative, path.read_bytes() if path.is_file() and not path.is_symlink() else None, expected.get(relative))
                for relative, path in placed.items()]
    return not_ours(changes, judgement.edited)


def _regenerated_not_staged(repo: Repo, judgement: Judgement) -> list[Output]:
    """The bad outputs whose working-tree file is already what the staged registry generates: `regc build` (or
    `regc hook --fix`) regenerated them, and only `git add` is missing."""
    found = []
    for output in judgement.bad:
        if output.expected is None or output.problem == "link":
            continue
        file = repo.top / output.location
        if not file.is_symlink() and file.is_file() and file.read_bytes() == output.expected:
            found.append(output)
    return found


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


def _breaking_policy(obj: Context, staged: bool, path: str | None) -> Policy:
    """The policy whose `breaking: acknowledge:` applies: --policy, else the staged one (--staged), else the configured one."""
    from regc import pipeline
    from regc.cli.context import user_path

    if path is not None:
        return pipeline.load_policy(obj.config(), user_path(path))
    if not staged:
        return pipeline.load_policy(obj.config())
    from regc.git.protocol import staged_config
    from regc.io.source import decode
    from regc.lint.policy import EMPTY, parse_policy

    repo, project = _open(obj)
    config = staged_config(repo, project)
    name = config.settings.policy
    location = project.path(name)
    blob = repo.index().read(location) if location is not None else None
    return parse_policy(decode(blob, name), name) if blob is not None else EMPTY


@click.command()
@_against
@_staged
@click.option("--policy", "policy", metavar="PATH", help="policy file whose `breaking: acknowledge:` applies (default: the configured one)")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", default=None,
              help="the date sunsets and acknowledgements are judged by (default: today), for reproducible results")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.pass_obj
def breaking(obj: Context, *, ref: str, staged: bool, policy: str | None, today: datetime.datetime | None, fmt: str) -> int:
    """Aliases removed (legacy ones included) or whose kind changed since REF: exit 1.

    A changed primary, chain or price is reported, and is not breaking. The removal of an alias whose sunset
    (at REF) has passed is accepted, and so is a change the policy acknowledges (`breaking: acknowledge:`).
    """
    import datetime as _datetime

    from regc.reports import annotate, diffreport
    from regc.reports.acknowledge import accept
    from regc.reports.compare import compare

    old, new, old_label, new_label, location = _registries(obj, ref, staged)
    if old is None:
        obj.log(f"regc: {old_label} does not exist: nothing to compare with, nothing can break")
        return EXIT_OK
    accepted = accept(compare(old, new), old, _breaking_policy(obj, staged, policy), today.date() if today else _datetime.date.today())
    comparison = accepted.comparison
    obj.out(diffreport.to_json(comparison, old_label, new_label) if fmt == "json" else diffreport.text(comparison, old_label, new_label))
    for note in accepted.notes:
        obj.log(f"regc: {note}")
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
@click.option("--usage", "usage", metavar="FILE",
              help="a usage CSV or LiteLLM's spend logs: add each changed alias's monthly cost before and after (docs/cost.md)")
@period_option
@click.pass_obj
def diff_command(obj: Context, *, ref: str, staged: bool, fmt: str, usage: str | None, period_days: Decimal | None) -> int:
    """Per alias, what changed since REF and its price effect (markdown: a pull request summary, with the changed
    chains drawn before and after; with --usage, the monthly cost before and after at that traffic)."""
    from regc.reports import diffreport
    from regc.reports.compare import compare

    old, new, old_label, new_label, _ = _registries(obj, ref, staged)
    if old is None:
        obj.log(f"regc: {old_label} does not exist: nothing to compare with")
        return EXIT_OK
    comparison = compare(old, new)
    changed = [subject for subject, changes in comparison.by_alias().items() if changes[0].alias]
    plan = None
    if usage is not None:
        from regc.reports import cost

        known = list(dict.fromkeys([*(a.name for a in new.aliases), *(a.name for a in old.aliases)]))
        found = read_usage(usage, new, period_days, known=known)
        rows, before, after = cost.plan(old, new, found, changed)
        plan = (rows, before, after, found)
    if fmt == "json":
        document = json.loads(diffreport.to_json(comparison, old_label, new_label))
        if plan is not None:
            document["cost"] = cost.plan_data(plan[0], plan[1], plan[2], plan[3].path, plan[3].period)
        obj.out(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        text = diffreport.markdown(comparison, old_label, new_label)
        if plan is not None:
            text += "\n" + cost.plan_markdown(plan[0], plan[1], plan[2], plan[3].path, plan[3].period)
        if changed:
            text += "\n" + diffreport.routing(old, new, changed, old_label, new_label)
        obj.out(text)
    else:
        obj.out(diffreport.text(comparison, old_label, new_label))
        if plan is not None:
            obj.out(cost.plan_text(plan[0], plan[1], plan[2]))
    return EXIT_OK


COMMANDS = (hook, install_hook, verify_commits, breaking, diff_command)
