"""The command line: a thin click layer over ``regc.pipeline``.

Exit codes (buf's convention): 0 clean, 1 findings or drift, 2 bad input,
usage or configuration (a ``file:line:col`` message, never a traceback),
3 internal error. Results go to stdout, logs to stderr.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regc import __version__
from regc.cli_git import COMMANDS as GIT_COMMANDS
from regc.errors import RegcError, UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from regc.config import Config

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

    def log(self, text: str, *, fg: str | None = None) -> None:
        """A log line, on stderr (silenced by -q)."""
        if not self.quiet:
            click.echo(click.style(text, fg=fg) if self.color and fg else text, err=True)


pass_context = click.make_pass_decorator(Context)
registry_option = click.option("--registry", "registry", metavar="PATH", help="registry file (default: from the config, registry.md)")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="regc")
@click.option("--config", "config_file", metavar="FILE", help="pyproject.toml or regc.toml to use (default: the nearest one)")
@click.option("-q", "--quiet", is_flag=True, help="print results only, no logs")
@click.option("-v", "--verbose", is_flag=True, help="more logs; tracebacks of internal errors")
@click.pass_context
def cli(ctx: click.Context, config_file: str | None, quiet: bool, verbose: bool) -> None:
    """regc: compile and check an AI model routing registry (registry.md)."""
    ctx.obj = Context(config_file, quiet, verbose)


for _command in GIT_COMMANDS:  # hook, install-hook, verify-commits, breaking, diff (regc.cli_git)
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
        obj.out(f"{'created' if change.status == 'create' else 'updated'} {change.path}\n")
    unchanged = len(result.changes) - len(result.written)
    obj.log(f"regc: {len(result.written)} written, {unchanged} unchanged, from {config.display(config.registry_path)}")
    return EXIT_OK


@cli.command()
@registry_option
@pass_context
def check(obj: Context, registry: str | None) -> int:
    """What CI runs: the outputs match the registry (drift), exit 1 if not."""
    from regc import pipeline
    from regc.write import diff

    config = obj.config(registry)
    result = pipeline.build(config, check=True)
    if result.stale:
        obj.out(diff(result.stale))
        for change in result.stale:
            obj.log(f"{change.path}: stale ({'missing' if change.old is None else 'differs from the registry'})", fg="red")
        from regc import annotate

        if annotate.enabled():  # GitHub Actions: one annotation per stale output
            for change in result.stale:
                obj.out(annotate.annotation("error", "stale: run `regc build` and commit it with the registry",
                                            file=annotate.workspace_path(config.root / change.path), title="regc check"))
        obj.log("regc: run `regc build` and commit the outputs with the registry")
        return EXIT_FINDINGS
    obj.log(f"regc: {config.display(config.registry_path)} and {len(result.changes)} outputs agree")
    return EXIT_OK


@cli.command()
@registry_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.argument("name")
@pass_context
def explain(obj: Context, registry: str | None, fmt: str, name: str) -> int:
    """Show what alias NAME resolves to: chain, prices, pending alternatives, rationale."""
    from regc import explain as explaining
    from regc import pipeline

    config = obj.config(registry)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    if name not in {a.name for a in resolved.aliases}:
        known = ", ".join(a.name for a in resolved.aliases)
        raise UsageError(f"no alias {name!r} in {resolved.registry.path}; aliases: {known}")
    if fmt == "json":
        import json

        obj.out(json.dumps(explaining.alias_data(resolved, name), indent=2, ensure_ascii=False) + "\n")
    else:
        obj.out(explaining.alias_text(resolved, name))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args or "--verbose" in args
    try:
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
