"""``build``, ``check`` and ``lint``: what a project and its CI run on the registry."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import TYPE_CHECKING, cast

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, Context, lint_options, not_ours_note, pass_context, registry_option, user_path
from regc.reports import default_format

if TYPE_CHECKING:
    import datetime

    from regc.model.config import Config
    from regc.model.resolve import ResolvedRegistry
    from regc.rules import Severity


@click.command()
@registry_option
@click.option(
    "--output-dir", metavar="DIR", type=click.Path(file_okay=False), help="write the outputs under DIR instead of the project root"
)
@click.option("--check", is_flag=True, help="write nothing; print a diff of what would change and exit 1 on drift")
@click.option("--adopt", metavar="PATH", multiple=True,
              help="let regc overwrite PATH, an existing output file it did not generate (repeatable)")
@pass_context
def build(obj: Context, registry: str | None, output_dir: str | None, check: bool, adopt: tuple[str, ...]) -> int:
    """Regenerate every configured target from the registry (refused without a configuration: see `regc init`)."""
    from regc import pipeline
    from regc.io.write import diff

    config = obj.configured("build --check" if check else "build", registry)
    from regc.io.write import OutputPathError, normal_path

    try:
        adopted = [normal_path(path) for path in adopt]
    except OutputPathError as exc:
        from regc.errors import UsageError

        raise UsageError(f"--adopt: {exc}") from None
    result = pipeline.build(config, check=check, output_dir=Path(output_dir).resolve() if output_dir else None, adopt=adopted)
    if check:
        if result.stale:
            obj.out(diff(result.stale))
            for path in result.not_ours:
                obj.log(f"{path}: {_stale(path, 'update', result.not_ours, result.advice)}", fg="red")
            obj.log(f"regc: {len(result.stale)} of {len(result.changes)} outputs are stale; run `regc build` to update them", fg="red")
            return EXIT_FINDINGS
        obj.log(f"regc: {len(result.changes)} outputs are up to date")
        return EXIT_OK
    for change in result.written:
        obj.out(f"{_DONE[change.status]} {change.path}\n")
    for notice in result.notices:  # an alias a gateway will not serve is worth a line even when no file changed
        obj.log(f"regc: warning: {notice} (`regc lint` says why)", fg="yellow")
    unchanged = len(result.changes) - len(result.written)
    removed = sum(change.status == "remove" for change in result.written)
    gone = f", {removed} removed" if removed else ""
    obj.log(f"regc: {len(result.written) - removed} written{gone}, {unchanged} unchanged, from {config.display(config.registry_path)}")
    return EXIT_OK


def _stale(path: str, status: str, not_ours: tuple[str, ...], advice: dict[str, str]) -> str:
    if path in not_ours:
        return f"differs from the registry, and is {not_ours_note(path, advice.get(path, ''))}"
    return _STALE[status]


_DONE = {"create": "created", "update": "updated", "remove": "removed"}
_STALE = {"create": "stale (missing)", "update": "stale (differs from the registry)",
          "remove": "no target generates it any more (regc.outputs lists it); `regc build` removes it"}


@click.command()
@lint_options
@pass_context
def check(obj: Context, *, registry: str | None, policy: str | None, fmt: str | None, fail_severity: str | None,
          today: datetime.datetime | None) -> int:
    """What CI runs: lint (policy findings) and drift (outputs match the registry); exit 1 on either.

    Refused without a configuration (exit 2): drift is judged against the targets a configuration names.
    """
    from regc import pipeline
    from regc.io.write import diff

    config = obj.configured("check", registry)
    result = pipeline.build(config, check=True)
    flags = LintFlags(policy, fmt, fail_severity, today)
    linted = _lint(obj, config, result.registry, flags)
    if result.stale:
        # A machine-read report (sarif, json, junit, github) keeps stdout to itself; the diff goes to the log then.
        if (fmt or default_format()) == "text":
            obj.out(diff(result.stale))
        else:
            obj.err(diff(result.stale))
        for change in result.stale:
            obj.log(f"{change.path}: {_stale(change.path, change.status, result.not_ours, result.advice)}", fg="red")
        from regc.reports import annotate

        if annotate.enabled():  # GitHub Actions: one annotation per stale output
            for change in result.stale:
                obj.out(annotate.annotation("error", "stale: run `regc build` and commit it with the registry",
                                            file=annotate.workspace_path(config.root / change.path), title="regc check"))
        obj.log("regc: run `regc build` and commit the outputs with the registry")
        return EXIT_FINDINGS
    obj.log(f"regc: {config.display(config.registry_path)} and {len(result.changes)} outputs agree")
    return EXIT_FINDINGS if linted else EXIT_OK


@click.command()
@lint_options
@pass_context
def lint(obj: Context, *, registry: str | None, policy: str | None, fmt: str | None, fail_severity: str | None,
         today: datetime.datetime | None) -> int:
    """Check the registry against the policy's rules; exit 1 on findings at the fail severity."""
    from regc import pipeline

    config = obj.config(registry)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    return EXIT_FINDINGS if _lint(obj, config, resolved, LintFlags(policy, fmt, fail_severity, today)) else EXIT_OK


@dataclasses.dataclass(frozen=True)
class LintFlags:
    """The lint options that `lint` and `check` share."""

    policy: str | None
    fmt: str | None
    fail_severity: str | None
    today: datetime.datetime | None


def _lint(obj: Context, config: Config, resolved: ResolvedRegistry, flags: LintFlags) -> bool:
    """Lint, print the report, log the summary; true when the run fails."""
    from regc import pipeline, reports

    policy = pipeline.load_policy(config, user_path(flags.policy) if flags.policy else None)
    result = pipeline.lint(resolved, config, today=flags.today.date() if flags.today else None, policy=policy)
    threshold = cast("Severity", flags.fail_severity or policy.file.fail_severity or "error")
    obj.out(reports.render(flags.fmt or default_format(), result, fail_severity=threshold))
    failed = result.failed(threshold)
    obj.log(f"regc: {result.registry_path}: {result.summary()}", fg="red" if failed else None)
    return failed


COMMANDS = (build, check, lint)
