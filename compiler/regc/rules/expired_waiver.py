"""A waiver past its `until:` date is itself a finding.

A waiver with `until:` accepts a finding for a while (until the next review, a migration, a contract
date). After that day it no longer applies, so the finding it waived is reported again, and the waiver
is reported too, at its line in `policy.yaml` or the registry: renew it with a new date and reason, or
delete it.

Fails (a waiver that ran out on 2026-10-01):

```markdown
<!-- regc:ignore alias-has-fallback reason="Perplexity key pending" until="2026-10-01" -->
## Search · alias `search`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `openai/gpt-5-search-api` |
```

Passes (still in force on 2026-11-22):

```markdown
<!-- regc:ignore alias-has-fallback reason="Perplexity key pending" until="2027-02-22" -->
## Search · alias `search`

| | |
|---|---|
| **Primary** | `xai/grok-4.3` |
| **Alternatives** | `openai/gpt-5-search-api` |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class ExpiredWaiver(Rule[RuleOptions]):
    id = "expired-waiver"
    default_severity = "warning"

    def check(self, ctx: LintContext, options: RuleOptions) -> Iterator[Hit]:
        for waiver in ctx.waivers:
            if waiver.expired(ctx.today):
                assert waiver.until is not None
                target = " ".join(f"{k} `{v}`" for k, v in (("alias", waiver.alias), ("model", waiver.model)) if v) or "every finding"
                yield Hit(f"the waiver of {waiver.rule} for {target} expired on {waiver.until.isoformat()}; "
                          "renew it with a new date and reason, or remove it", waiver.line,
                          alias=waiver.alias, model=waiver.model, file=waiver.file)
