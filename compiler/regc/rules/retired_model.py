"""No alias routes to a retired model.

A model is retired from the day its provider stops serving it: the date of a `retired` or `deprecated`
Status in the Models table, of its entry in the policy file's `retired:` list, or, when the policy names a
catalog (`catalog: litellm`), the catalog's deprecation date (whichever is earliest), once that date is
today or past. Traffic
sent to it fails, so every primary and routable fallback that is retired is a finding, at the cell that
names it, with the replacement when the registry or the policy names one. Pending alternatives are not
routed and are not checked. A retirement date that is still ahead is `deprecated-model`'s business.

Fails (`xai/grok-code-fast-1` was retired on 2026-05-15):

```markdown
## Code · alias `code-fast`

| | |
|---|---|
| **Primary** | `xai/grok-code-fast-1` |
| **Alternatives** | `mistral/codestral-latest` |

## Models

| Model | Status |
|---|---|
| `xai/grok-code-fast-1` | retired 2026-05-15 → `xai/grok-4.3` |
```

Passes (the replacement is primary; the retired model stays in the Models table for history):

```markdown
## Code · alias `code-fast`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `mistral/codestral-latest` |

## Models

| Model | Status |
|---|---|
| `xai/grok-4.3` | active |
| `xai/grok-code-fast-1` | retired 2026-05-15 → `xai/grok-4.3` |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class RetiredModel(Rule[RuleOptions]):
    id = "retired-model"
    default_severity = "error"

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        for alias_name, routed in ctx.direct_routes():
            retirement = ctx.retirement(routed.ref)
            if retirement is None or not retirement.retired_on(ctx.today):
                continue
            assert retirement.date is not None  # retired_on needs a date
            when = f"on {retirement.date.isoformat()}"
            fix = f"; route to `{retirement.replacement}` instead" if retirement.replacement else "; replace it"
            yield Hit(
                f"`{routed.ref}` ({routed.role} of `{alias_name}`) was retired {when} ({retirement.source}){fix}",
                routed.entry.pos.line, routed.entry.pos.col, alias=alias_name, model=str(routed.ref),
            )
