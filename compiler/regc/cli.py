"""The command line: a thin click layer over ``regc.pipeline``.

Exit codes (buf's convention): 0 clean, 1 findings or drift, 2 bad input,
usage or configuration (a ``file:line:col`` message, never a traceback),
3 internal error. Results go to stdout, logs to stderr.
"""

from __future__ import annotations

import dataclasses
import os
import sys
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from regc import __version__, cache
from regc.cli_git import COMMANDS as GIT_COMMANDS
from regc.cli_prices import COMMANDS as PRICES_COMMANDS
from regc.errors import RegcError, UsageError
from regc.reporters import REPORTERS, default_format

if TYPE_CHECKING:
    import datetime
    from collections.abc import Callable, Sequence

    from regc.config import Config
    from regc.resolve import ResolvedRegistry
    from regc.rules import Rule, Severity

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Context:
    """What every command gets: the configuration and the console."""

    def __init__(self, config_file: str | None, quiet: bool, verbose: bool) -> None:
        self.config_file = Path(config_file) if config_file else None
        self.quiet = quiet
        self.verbose = verbose
        self.color = "NO_COLOR" not in os.environ and sys.stderr.isatty()

    def config(self, registry: str | None = None) -> Config:
        from regc.config import load_config

        return load_config(self.config_file).with_registry(registry)

    def out(self, text: str) -> None:
        """A result, on stdout."""
        click.echo(text, nl=False)
        cache.record_output("out", text)

    def log(self, text: str, *, fg: str | None = None) -> None:
        """A log line, on stderr (silenced by -q)."""
        if not self.quiet:
            click.echo(click.style(text, fg=fg) if self.color and fg else text, err=True)
            cache.record_output("err", text + "\n", fg)

    def err(self, text: str) -> None:
        """Text for stderr that is not a log line (a diff kept off a machine-read stdout)."""
        click.echo(text, err=True, nl=False)
        cache.record_output("err", text)


pass_context = click.make_pass_decorator(Context)
registry_option = click.option("--registry", "registry", metavar="PATH", help="registry file (default: from the config, registry.md)")
policy_option = click.option("--policy", "policy", metavar="PATH", help="policy file (default: from the config, policy.yaml)")
format_option = click.option(
    "--format", "fmt", type=click.Choice(list(REPORTERS)), default=None,
    help="how findings are printed (default: text; github when GITHUB_ACTIONS=true)",
)
fail_severity_option = click.option(
    "--fail-severity", type=click.Choice(["error", "warning", "info"]), default=None,
    help="exit 1 on findings this severe or more (default: the policy's fail_severity, else error)",
)
today_option = click.option(
    "--today", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", default=None,
    help="the date that date rules judge by (default: today), for reproducible results",
)


def lint_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options `lint` and `check` share."""
    for option in (today_option, fail_severity_option, format_option, policy_option, registry_option):
        command = option(command)
    return command


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="regc")
@click.option("--config", "config_file", metavar="FILE", help="pyproject.toml or regc.toml to use (default: the nearest one)")
@click.option("-q", "--quiet", is_flag=True, help="print results only, no logs")
@click.option("-v", "--verbose", is_flag=True, help="more logs; tracebacks of internal errors")
@click.option("--no-cache", is_flag=True, help="run in full: neither replay nor record (also REGC_NO_CACHE=1)")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, quiet: bool, verbose: bool, no_cache: bool) -> None:
    """regc: compile and check an AI model routing registry (registry.md)."""
    ctx.obj = Context(config_file, quiet, verbose)


for _command in GIT_COMMANDS:  # hook, install-hook, verify-commits, breaking, diff (regc.cli_git)
    cli.add_command(_command)
for _command in PRICES_COMMANDS:  # prices check|sync, fmt (regc.cli_prices)
    cli.add_command(_command)


@cli.command()
@registry_option
@click.option(
    "--output-dir", metavar="DIR", type=click.Path(file_okay=False), help="write the outputs under DIR instead of the project root"
)
@click.option("--check", is_flag=True, help="write nothing; print a diff of what would change and exit 1 on drift")
@pass_context
def build(obj: Context, registry: str | None, output_dir: str | None, check: bool) -> int:
    """Regenerate every configured target from the registry."""
    from regc import pipeline
    from regc.write import diff

    config = obj.config(registry)
    result = pipeline.build(config, check=check, output_dir=Path(output_dir).resolve() if output_dir else None)
    if check:
        if result.stale:
            obj.out(diff(result.stale))
            obj.log(f"regc: {len(result.stale)} of {len(result.changes)} outputs are stale; run `regc build` to update them", fg="red")
            return EXIT_FINDINGS
        obj.log(f"regc: {len(result.changes)} outputs are up to date")
        return EXIT_OK
    for change in result.written:
        obj.out(f"{_DONE[change.status]} {change.path}\n")
    unchanged = len(result.changes) - len(result.written)
    removed = sum(change.status == "remove" for change in result.written)
    gone = f", {removed} removed" if removed else ""
    obj.log(f"regc: {len(result.written) - removed} written{gone}, {unchanged} unchanged, from {config.display(config.registry_path)}")
    return EXIT_OK


_DONE = {"create": "created", "update": "updated", "remove": "removed"}
_STALE = {"create": "stale (missing)", "update": "stale (differs from the registry)",
          "remove": "no target generates it any more (regc.outputs lists it); `regc build` removes it"}


@cli.command()
@lint_options
@pass_context
def check(obj: Context, *, registry: str | None, policy: str | None, fmt: str | None, fail_severity: str | None,
          today: datetime.datetime | None) -> int:
    """What CI runs: lint (policy findings) and drift (outputs match the registry); exit 1 on either."""
    from regc import pipeline
    from regc.write import diff

    config = obj.config(registry)
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
            obj.log(f"{change.path}: {_STALE[change.status]}", fg="red")
        from regc import annotate

        if annotate.enabled():  # GitHub Actions: one annotation per stale output
            for change in result.stale:
                obj.out(annotate.annotation("error", "stale: run `regc build` and commit it with the registry",
                                            file=annotate.workspace_path(config.root / change.path), title="regc check"))
        obj.log("regc: run `regc build` and commit the outputs with the registry")
        return EXIT_FINDINGS
    obj.log(f"regc: {config.display(config.registry_path)} and {len(result.changes)} outputs agree")
    return EXIT_FINDINGS if linted else EXIT_OK


@cli.command()
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
    from regc import pipeline, reporters

    policy = pipeline.load_policy(config, _user_path(flags.policy) if flags.policy else None)
    result = pipeline.lint(resolved, config, today=flags.today.date() if flags.today else None, policy=policy)
    threshold = cast("Severity", flags.fail_severity or policy.file.fail_severity or "error")
    obj.out(reporters.render(flags.fmt or default_format(), result, fail_severity=threshold))
    failed = result.failed(threshold)
    obj.log(f"regc: {result.registry_path}: {result.summary()}", fg="red" if failed else None)
    return failed


def _user_path(path: str) -> Path:
    """A path the user typed: relative to the working directory."""
    return Path(path) if Path(path).is_absolute() else Path.cwd() / path


@cli.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: the documentation page of every rule (docs/rules.md)")
@policy_option
@pass_context
def rules(obj: Context, fmt: str, policy: str | None) -> int:
    """List the rules: id, default severity, summary (built-in, plugins, and the policy's custom rules)."""
    from regc import pipeline
    from regc.lint import docs, known_rules

    config = obj.config()
    found = known_rules(pipeline.load_policy(config, _user_path(policy) if policy else None))
    if fmt == "json":
        import json

        obj.out(json.dumps([docs.rule_data(rule) for rule in found.values()], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        obj.out(docs.rules_page(list(found.values())))
    else:
        width = max(len(rule_id) for rule_id in found)
        obj.out("".join(f"{rule.id:<{width}}  {rule.default_severity:<7}  {rule.summary}\n" for rule in found.values()))
    return EXIT_OK


@cli.command()
@registry_option
@policy_option
@today_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--rule", "kind", flag_value="rule", help="NAME is a rule id")
@click.option("--alias", "kind", flag_value="alias", help="NAME is an alias")
@click.argument("name")
@pass_context
def explain(obj: Context, *, registry: str | None, policy: str | None, today: datetime.datetime | None, fmt: str,
            kind: str | None, name: str) -> int:
    """Explain alias NAME (chain, prices, pending alternatives, rationale, findings) or rule NAME (its documentation)."""
    from regc import explain as explaining
    from regc import pipeline
    from regc.lint import known_rules

    config = obj.config(registry)
    policy_file = pipeline.load_policy(config, _user_path(policy) if policy else None)
    rules_known = known_rules(policy_file) if kind != "alias" else {}
    if kind == "rule" or (kind is None and name in rules_known):
        if name not in rules_known:
            raise UsageError(f"no rule {name!r}; `regc rules` lists them")
        if kind is None and config.registry_path.is_file():
            resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
            if name in {a.name for a in resolved.aliases}:
                raise UsageError(f"{name!r} is both a rule and an alias; say which with --rule or --alias")
        return _explain_rule(obj, rules_known[name], fmt)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    if name not in {a.name for a in resolved.aliases}:
        known = ", ".join(a.name for a in resolved.aliases)
        raise UsageError(f"no alias {name!r} in {resolved.registry.path}; aliases: {known} (for a rule, `regc rules` lists them)")
    result = pipeline.lint(resolved, config, today=today.date() if today else None, policy=policy_file)
    findings = [f for f in result.findings if explaining.concerns(resolved, name, f.alias, f.model)]
    if fmt == "json":
        import json

        data = explaining.alias_data(resolved, name, result)
        data["findings"] = [f.as_dict() for f in findings]
        obj.out(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        obj.out(explaining.alias_text(resolved, name, result))
        if findings:
            obj.out("  findings:\n" + "".join(f"    {f.file}:{f.line}: {f.severity} {f.rule} {f.message}\n" for f in findings))
    return EXIT_OK


def _explain_rule(obj: Context, rule: Rule[Any], fmt: str) -> int:
    from regc.lint import docs

    if fmt == "json":
        import json

        obj.out(json.dumps(docs.rule_data(rule, full=True), indent=2, ensure_ascii=False) + "\n")
    else:
        obj.out(docs.rule_text(rule))
    return EXIT_OK


#: Flags of the whole program that users also write after the command (`regc lint -q`, as with ruff or mypy).
GLOBAL_FLAGS = ("-q", "--quiet", "-v", "--verbose", "--no-cache")


def hoist_global_flags(args: list[str]) -> list[str]:
    """``regc lint -q`` means ``regc -q lint``: global flags move before the command (never past ``--``)."""
    end = args.index("--") if "--" in args else len(args)
    flags = [a for a in args[:end] if a in GLOBAL_FLAGS]
    return flags + [a for a in args[:end] if a not in GLOBAL_FLAGS] + args[end:]


def main(argv: Sequence[str] | None = None) -> int:
    args = hoist_global_flags(list(sys.argv[1:] if argv is None else argv))
    verbose = "-v" in args or "--verbose" in args
    try:
        with warnings.catch_warnings():
            if not verbose:  # a library's warning about a hostile input is not for the user: regc's message is
                warnings.simplefilter("ignore")
            result: Any = cli.main(args=args, prog_name="regc", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.Abort:
        click.echo("regc: aborted", err=True)
        return EXIT_INPUT
    except click.ClickException as exc:
        exc.show()
        return EXIT_INPUT if exc.exit_code == 2 else exc.exit_code
    except RegcError as exc:
        click.echo(str(exc), err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("regc: interrupted", err=True)
        return 130
    except Exception as exc:  # a bug in regc: say so, and how to get the traceback
        if verbose:
            import traceback

            traceback.print_exc()
        click.echo(f"regc: internal error: {type(exc).__name__}: {exc}\n"
                   "This is a bug in regc; rerun with -v for the traceback and report it.", err=True)
        return EXIT_INTERNAL
    return int(result or 0)
