"""``doctor``: is this environment ready to run the gateways the configured targets generate?

The documented pre-start step (a container's entrypoint, a Helm hook): every environment variable a
configured target's output references (provider keys, the proxy's master key) is set and not blank.
Exit 0 ready, 1 problems (each with its fix), 2 bad input. Never cached: its answer is the environment's.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import click

from regc.cli.context import EXIT_FINDINGS, EXIT_OK, Context, pass_context, registry_option


@dataclass
class Need:
    """One environment variable a target's output reads."""

    variable: str
    target: str
    needed_by: list[str]
    ready: bool

    @property
    def problem(self) -> str:
        state = "is set but blank" if self.variable in os.environ else "is not set"
        return f"{self.variable} {state}"

    @property
    def fix(self) -> str:
        return f"set {self.variable} in the gateway's environment before it starts"


@click.command()
@registry_option
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", help="how the result is printed")
@pass_context
def doctor(obj: Context, registry: str | None, fmt: str) -> int:
    """Check the environment the generated gateway configs need: every variable they reference is set."""
    from regc import pipeline
    from regc.targets import configured

    config = obj.configured("doctor", registry)  # no configuration: no targets to check, exit 2 naming `regc init`
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    pipeline.check_providers(resolved, config)  # a provider its kind cannot reach yet (no api_version, no region): exit 2
    needs: list[Need] = []
    for target, options in configured(config):
        for variable, users in sorted(target.environment(resolved, options).items()):
            needs.append(Need(variable, target.name, sorted(set(users)), bool(os.environ.get(variable, "").strip())))
    problems = [need for need in needs if not need.ready]
    if fmt == "json":
        checks = [{**asdict(n), "problem": None if n.ready else n.problem, "fix": None if n.ready else n.fix} for n in needs]
        obj.out(json.dumps({"ready": not problems, "checks": checks}, indent=2) + "\n")
    else:
        for need in problems:
            more = f" and {len(need.needed_by) - 3} more" if len(need.needed_by) > 3 else ""
            obj.out(f"{need.target}: {need.problem} (needed by {', '.join(need.needed_by[:3])}{more}); {need.fix}\n")
    if problems:
        obj.log(f"regc doctor: {len(problems)} of {len(needs)} environment variables are missing", fg="red")
        return EXIT_FINDINGS
    obj.log(f"regc doctor: ready ({len(needs)} environment variables set)")
    return EXIT_OK


COMMANDS = [doctor]
