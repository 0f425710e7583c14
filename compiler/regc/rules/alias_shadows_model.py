"""No alias is named like a real model id.

Clients send an alias where they would send a model id, and gateways route both through one name space: an
alias called `gpt-4o` that resolves to another model answers every client that asked for GPT-4o by name,
and a reader of the client's code cannot tell. A name is a real model id when it is, ignoring case, the id
of a row of the registry's Models table (`openai/gpt-4o` gives `gpt-4o`; `openrouter/anthropic/claude-haiku-4.5`
gives `claude-haiku-4.5`), or, when the policy names a catalog (`catalog: litellm`, `models.dev` or a path:
read offline, the same one that feeds `retired-model`; with `catalog: false` in this rule's options it is not
consulted), the last segment of an id that catalog lists, unless that segment is one plain word of letters
(`best`, `fast`, `search` are tool and tier names there, not model ids). Without a catalog the Models table is
the only source, so the result never depends on the network. An alias whose primary is the very model it is
named after (`gpt-4o` → `openai/gpt-4o`) is a warning: harmless today, misleading once the primary changes;
otherwise an error. Rename the alias after its use case.

Fails (clients asking for `gpt-4o` would get Claude):

```markdown
## Vision · alias `gpt-4o`

| | |
|---|---|
| **Primary** | `anthropic/claude-sonnet-4-6` |
| **Alternatives** | `openai/gpt-4o` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `anthropic/claude-sonnet-4-6` | chat | $3.00 | $15.00 |
| `openai/gpt-4o` | chat | $2.50 | $10.00 |
```

Passes (the alias is named after its use case):

```markdown
## Vision · alias `vision`

| | |
|---|---|
| **Primary** | `anthropic/claude-sonnet-4-6` |
| **Alternatives** | `openai/gpt-4o` |

## Models

| Model | Kind | Input $/MTok | Output $/MTok |
|---|---|---|---|
| `anthropic/claude-sonnet-4-6` | chat | $3.00 | $15.00 |
| `openai/gpt-4o` | chat | $2.50 | $10.00 |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class AliasShadowsModelOptions(RuleOptions):
    catalog: bool = Field(default=True, description="also compare with the model ids the policy's catalog (`catalog:`) lists")


class AliasShadowsModel(Rule[AliasShadowsModelOptions]):
    id = "alias-shadows-model"
    default_severity = "error"
    Options = AliasShadowsModelOptions

    def check(self, ctx: LintContext, options: AliasShadowsModelOptions) -> Iterator[Hit]:
        registry = ctx.registry
        # name (case-folded) -> the Models rows it is the id of, in file order
        rows: dict[str, list[str]] = {}
        for model in registry.models:
            for name in {model.ref.model, model.ref.model.rpartition("/")[2]}:
                rows.setdefault(name.casefold(), []).append(str(model.ref))
        listed = {name.casefold(): name for name in ctx.catalog_model_names() if not name.isalpha()} if options.catalog else {}
        for alias in registry.aliases:
            folded = alias.name.casefold()
            models = rows.get(folded)
            if models:
                source = f"the Models table's `{models[0]}`"
            elif folded in listed and ctx.catalog is not None:
                source = f"{ctx.catalog.label} lists `{listed[folded]}`"
            else:
                continue
            primary = registry.resolve(alias.name).primary
            if primary.model.casefold() == folded or primary.model.rpartition("/")[2].casefold() == folded:
                yield Hit(f"alias `{alias.name}` has the name of a model ({source}) and resolves to it, `{primary}`: once "
                          "its primary changes, clients asking for that model by name get another one; name the alias after "
                          "its use case", alias.line, alias.col, alias=alias.name, severity="warning")
            else:
                yield Hit(f"alias `{alias.name}` has the name of a model ({source}) but resolves to `{primary}`: clients and "
                          f"gateways that send `{alias.name}` as a model id get another model; name the alias after its use "
                          "case", alias.line, alias.col, alias=alias.name)
