"""``cost``: what each alias costs a month for the traffic in a usage file, at the registry's prices (docs/cost.md)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, Context, known_aliases, pass_context, registry_option, user_path
from regc.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from regc.model.resolve import ResolvedRegistry
    from regc.reports.cost import UsageFile


def _decimal(_ctx: click.Context, param: click.Parameter, value: str | None) -> Decimal | None:
    """A non-negative decimal option (``--period-days 7``, ``--tolerance 2``): Decimal, never a float."""
    if value is None:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = Decimal(-1)
    if not number.is_finite() or number < 0 or number > 10**9:  # a bound keeps every figure exact (reports.cost)
        raise click.BadParameter(f"expected a number from 0 to 1,000,000,000 such as 7 or 2.5, found {value!r}")
    return number


def _period(ctx: click.Context, param: click.Parameter, value: str | None) -> Decimal | None:
    """``--period-days``: a ``_decimal`` that is also a period the usage may cover (``reports.cost.period_problem``)."""
    number = _decimal(ctx, param, value)
    if number is not None:
        from regc.reports.cost import period_problem

        problem = period_problem(number)
        if problem is not None:
            raise click.BadParameter(problem)
    return number


usage_option = click.option("--usage", "usage", metavar="FILE", required=True,
                            help="the traffic: a usage CSV or LiteLLM's spend logs (GET /spend/logs as JSON); see docs/cost.md")
period_option = click.option("--period-days", "period_days", metavar="DAYS", callback=_period,
                             help="the days the usage covers (default: a CSV row's period_days, else 30; spend logs: their time span)")


def read_usage(path: str, registry: ResolvedRegistry, period_days: Decimal | None, *,
               known: Sequence[str] | None = None) -> UsageFile:
    """The usage file at ``path`` (as the user typed it), read strictly against ``registry`` (or the aliases ``known``)."""
    from regc.io.source import read_text
    from regc.reports.cost import read_usage as parse

    file = user_path(path)
    if not file.is_file():
        raise UsageError(f"no usage file {path!r}: expected a usage CSV or LiteLLM's spend logs (docs/cost.md)")
    return parse(read_text(file, path), path, registry, period_days=period_days, known=known)


@click.command()
@registry_option
@usage_option
@period_option
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
@click.option("--tolerance", "tolerance", metavar="PERCENT", default="2", show_default=True, callback=_decimal,
              help="spend logs: flag a served model whose recorded spend differs from the registry's prices by more than this %")
@click.option("--tolerance-usd", "tolerance_usd", metavar="USD", default="0.01", show_default=True, callback=_decimal,
              help="...and by more than this many dollars (both must be exceeded)")
@click.argument("aliases", nargs=-1, metavar="[ALIAS]...")
@pass_context
def cost(obj: Context, *, registry: str | None, usage: str, period_days: Decimal | None, fmt: str, tolerance: Decimal,
         tolerance_usd: Decimal, aliases: tuple[str, ...]) -> int:
    """What each alias (default: every alias in FILE) costs a month for the traffic in FILE, on its primary and on each
    fallback (the worst case marked). With spend logs, also what the gateway billed against what the registry's prices
    give for the same tokens: exit 1 when a served model differs beyond the tolerance."""
    from regc import pipeline
    from regc.reports import cost as report

    config = obj.config(registry)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    known_aliases(resolved, aliases)
    found = read_usage(usage, resolved, period_days)
    estimate = report.estimate(resolved, found, aliases)
    drifts = report.billing(resolved, found, percent=tolerance, usd=tolerance_usd)
    render = {"text": report.text, "json": report.to_json, "markdown": report.markdown}[fmt]
    obj.out(render(estimate, drifts))
    flagged = [d for d in drifts if d.flagged]
    if flagged:
        noun = "model's" if len(flagged) == 1 else "models'"
        obj.log(f"regc: {len(flagged)} served {noun} recorded spend differs from the registry's prices beyond "
                f"{tolerance}% and ${tolerance_usd}: the registry's price is stale, or the gateway prices another model", fg="red")
        return EXIT_FINDINGS
    return EXIT_OK


COMMANDS = (cost,)
