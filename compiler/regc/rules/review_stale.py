"""The registry was reviewed within the review interval.

A registry is reviewed at least once a quarter even when nothing else prompts it: prices move,
models are deprecated, new ones ship. The front matter's `reviewed:` date records the last review; it is
stale once more than `interval_days` (default 92, a quarter) have passed, and a registry without one
has never recorded a review. A date in the future is a typo. Reported at the `reviewed:` key.

Fails (last reviewed on 2026-06-01, 174 days before 2026-11-22):

```markdown
---
reviewed: 2026-06-01
---
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `anthropic/claude-opus-4-7` |
```

Passes:

```markdown
---
reviewed: 2026-11-01
---
## Reasoning · alias `reasoning`

| | |
|---|---|
| **Primary** | `anthropic/claude-opus-4-7` |
```
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class ReviewStaleOptions(RuleOptions):
    interval_days: int = Field(default=92, ge=1, description="longest time between two reviews, in days")


class ReviewStale(Rule[ReviewStaleOptions]):
    id = "review-stale"
    default_severity = "warning"
    Options = ReviewStaleOptions

    def check(self, ctx: LintContext, options: ReviewStaleOptions) -> Iterator[Hit]:
        registry = ctx.registry.registry
        reviewed = registry.reviewed
        line = registry.meta_lines.get("reviewed", 1)
        if reviewed is None:
            yield Hit("the registry records no review: add `reviewed: YYYY-MM-DD` to the front matter after reviewing it", 1)
        elif reviewed > ctx.today:
            yield Hit(f"`reviewed: {reviewed.isoformat()}` is in the future (today is {ctx.today.isoformat()})", line)
        else:
            try:
                due = reviewed + datetime.timedelta(days=options.interval_days)
            except OverflowError:  # due after the year 9999: never stale
                return
            if due < ctx.today:
                age = (ctx.today - reviewed).days
                yield Hit(f"last reviewed {age} days ago ({reviewed.isoformat()}); a review was due by {due.isoformat()} "
                          f"(every {options.interval_days} days): review the registry and update `reviewed:`", line)
