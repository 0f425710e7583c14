"""``graph``: the routing as a picture (aliases → primary → fallbacks), in Mermaid or Graphviz's DOT."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from regc.cli.context import EXIT_OK, Context, known_aliases, pass_context, policy_option, registry_option, today_option, user_path

if TYPE_CHECKING:
    import datetime


@click.command()
@registry_option
@policy_option
@today_option
@click.option("--format", "fmt", type=click.Choice(["mermaid", "dot"]), default="mermaid", show_default=True,
              help="mermaid: a flowchart GitHub renders; dot: Graphviz (`regc graph --format dot | dot -Tsvg`)")
@click.argument("aliases", nargs=-1, metavar="[ALIAS]...")
@pass_context
def graph(obj: Context, *, registry: str | None, policy: str | None, today: datetime.datetime | None, fmt: str,
          aliases: tuple[str, ...]) -> int:
    """Draw ALIASes (default: all) → primary → fallbacks, numbered in order; pending entries dashed, retired or
    deprecated models marked (as lint judges them), legacy aliases pointing at their target."""
    from regc import pipeline
    from regc.reports import graph as drawing

    config = obj.config(registry)
    policy_file = pipeline.load_policy(config, user_path(policy) if policy else None)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    known_aliases(resolved, aliases)
    result = pipeline.lint(resolved, config, today=today.date() if today else None, policy=policy_file)
    picture = drawing.build(resolved, result, list(dict.fromkeys(aliases)))
    obj.out(drawing.dot(picture) if fmt == "dot" else drawing.mermaid(picture))
    return EXIT_OK


COMMANDS = (graph,)
