"""What every command shares: the ``Context`` (configuration and console), the common options, the exit codes."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from regc.io import cache
from regc.reports import REPORTERS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from regc.model.config import Config
    from regc.model.resolve import ResolvedRegistry

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


class Context:
    """What every command gets: the configuration and the console."""

    def __init__(self, config_file: str | None, quiet: bool, verbose: bool) -> None:
        self.config_file = Path(config_file) if config_file else None
        self.quiet = quiet
        self.verbose = verbose
        self.color = "NO_COLOR" not in os.environ and sys.stderr.isatty()

    def config(self, registry: str | None = None) -> Config:
        from regc.model.config import load_config

        return load_config(self.config_file).with_registry(registry)

    def configured(self, command: str, registry: str | None = None) -> Config:
        """The configuration of a command that writes or compares outputs: without a configuration file it
        refuses (exit 2) and names `regc init`, so a run in the wrong directory never writes the default targets."""
        config = self.config(registry)
        if config.file is None:
            from regc.errors import UsageError

            raise UsageError(
                f"no configuration (regc.toml, or [tool.regc] in pyproject.toml) in {config.root} or above it; "
                f"`regc {command}` works on the targets a configuration names: run `regc init` to create one "
                "(`regc lint` and `regc explain` read registry.md without it)")
        return config

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


def user_path(path: str) -> Path:
    """A path the user typed: relative to the working directory."""
    return Path(path) if Path(path).is_absolute() else Path.cwd() / path


def known_aliases(resolved: ResolvedRegistry, names: Iterable[str]) -> None:
    """Refuse (exit 2) an alias the registry does not define, with the nearest name or, failing one, the aliases."""
    from regc.errors import UsageError
    from regc.parse.suggest import nearest

    known = [alias.name for alias in resolved.aliases]
    for name in names:
        if name not in known:
            near = nearest(name, known)
            hint = f"; did you mean `{near}`?" if near else f"; aliases: {', '.join(known)}"
            raise UsageError(f"no alias {name!r} in {resolved.registry.path}{hint}")


def not_ours_note(path: str, advice: str = "", build: str = "regc build") -> str:
    """What ``regc check`` and ``regc hook`` say of an output over a file regc did not write (which ``regc build``
    refuses with ``regc.io.write.foreign``): the ways out, then the target's ``advice``."""
    return (f"a file regc did not generate, which `regc build` never overwrites: give the target another path, or hand "
            f"the file over with `{build} --adopt {path}`" + (f"; {advice}" if advice else ""))
