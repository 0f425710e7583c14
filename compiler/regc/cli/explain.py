"""``rules`` and ``explain``: what the rules are, and why an alias routes as it does."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from regc.cli.context import EXIT_OK, Context, pass_context, policy_option, registry_option, today_option, user_path
from regc.errors import UsageError

if TYPE_CHECKING:
    import datetime

    from regc.rules import Rule


@click.command()
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="markdown: the documentation page of every rule (docs/rules.md)")
@policy_option
@pass_context
def rules(obj: Context, fmt: str, policy: str | None) -> int:
    """List the rules: id, default severity, summary (built-in, plugins, and the policy's custom rules)."""
    from regc import pipeline
    from regc.lint import docs, known_rules

    config = obj.config()
    found = known_rules(pipeline.load_policy(config, user_path(policy) if policy else None))
    if fmt == "json":
        import json

        obj.out(json.dumps([docs.rule_data(rule) for rule in found.values()], indent=2, ensure_ascii=False) + "\n")
    elif fmt == "markdown":
        obj.out(docs.rules_page(list(found.values())))
    else:
        width = max(len(rule_id) for rule_id in found)
        obj.out("".join(f"{rule.id:<{width}}  {rule.default_severity:<7}  {rule.summary}\n" for rule in found.values()))
    return EXIT_OK


@click.command()
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
    from regc import pipeline
    from regc.lint import known_rules
    from regc.parse.suggest import nearest
    from regc.reports import explain as explaining

    config = obj.config(registry)
    policy_file = pipeline.load_policy(config, user_path(policy) if policy else None)
    rules_known = known_rules(policy_file) if kind != "alias" else {}
    if kind == "rule" or (kind is None and name in rules_known):
        if name not in rules_known:
            near = nearest(name, list(rules_known))
            raise UsageError(f"no rule {name!r}; {f'did you mean `{near}`? ' if near else ''}`regc rules` lists them")
        if kind is None and config.registry_path.is_file():
            resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
            if name in {a.name for a in resolved.aliases}:
                raise UsageError(f"{name!r} is both a rule and an alias; say which with --rule or --alias")
        return _explain_rule(obj, rules_known[name], fmt)
    resolved = pipeline.load(config.registry_path, display=config.display(config.registry_path))
    aliases = [a.name for a in resolved.aliases]
    if name not in aliases:  # the nearest alias, as `regc graph` says; else the nearest rule when either was meant
        near, rule = nearest(name, aliases), nearest(name, list(rules_known)) if kind is None else None
        hint = (f"did you mean `{near}`?" if near else f"did you mean the rule `{rule}`?" if rule
                else f"aliases: {', '.join(aliases)}")
        raise UsageError(f"no alias {name!r} in {resolved.registry.path}; {hint} (for a rule, `regc rules` lists them)")
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


COMMANDS = (rules, explain)
