"""The command line: a thin click layer over ``regc.pipeline``, one module per command group.

``build`` (build, check, lint), ``cost``, ``doctor``, ``explain`` (rules, explain), ``graph``, ``git`` (hook, install-hook,
verify-commits, breaking, diff), ``init`` (a project's set-up), ``prices`` (prices check|sync, fmt), ``verify_gateway``
(a running proxy against the registry); ``context`` holds what they share. A new command is a function in its
group's module (or a new module) listed in that module's ``COMMANDS``, registered below.

Exit codes (buf's convention): 0 clean, 1 findings or drift, 2 bad input,
usage or configuration (a ``file:line:col`` message, never a traceback),
3 internal error. Results go to stdout, logs to stderr.
"""

from __future__ import annotations

import sys
import warnings
from typing import TYPE_CHECKING, Any

import click

from regc.about import __version__
from regc.cli import build, cost, doctor, explain, git, graph, init, prices, verify_gateway
from regc.cli.context import EXIT_INPUT, EXIT_INTERNAL, Context
from regc.errors import RegcError

if TYPE_CHECKING:
    from collections.abc import Sequence


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


for _group in (build, cost, doctor, explain, git, graph, init, prices, verify_gateway):
    for _command in _group.COMMANDS:
        cli.add_command(_command)


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
