"""Warns when a routed model is deprecated or will be retired within the notice window.

A routed model (a primary or a routable fallback) is reported when the Models table marks it
`deprecated`, or when it has a retirement date (from its Status, the policy's `retired:` list, or the
catalog the policy names) that falls within `notice_days` after today: there is still time to replace it
calmly. A catalog that marks the model deprecated without a date (models.dev) counts as such a Status. The default window,
180 days, is the six-month deprecation notice providers give (seed 003). Once the date is reached the
model is retired and `retired-model` reports it instead.

Fails (`openai/whisper-1` stops on 2027-02-26, 96 days after 2026-11-22):

```markdown
## Audio · alias `audio`

| | |
|---|---|
| **Primary** | `openai/whisper-1` |
| **Alternatives** | `groq/whisper-large-v3` |

## Models

| Model | Kind | Status |
|---|---|---|
| `openai/whisper-1` | transcription | deprecated 2027-02-26 |
| `groq/whisper-large-v3` | transcription | active |
```

Passes (a model that is not deprecated is primary; the deprecated one is no longer routed):

```markdown
## Audio · alias `audio`

| | |
|---|---|
| **Primary** | `groq/whisper-large-v3` |
| **Alternatives** | `openai/gpt-4o-transcribe` |

## Models

| Model | Kind | Status |
|---|---|---|
| `openai/whisper-1` | transcription | deprecated 2027-02-26 |
| `groq/whisper-large-v3` | transcription | active |
| `openai/gpt-4o-transcribe` | transcription | active |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext


class DeprecatedModelOptions(RuleOptions):
    notice_days: int = Field(default=180, ge=0, description="how many days before a retirement date to start warning")


class DeprecatedModel(Rule[DeprecatedModelOptions]):
    id = "deprecated-model"
    default_severity = "warning"
    Options = DeprecatedModelOptions

    def check(self, ctx: LintContext, options: DeprecatedModelOptions) -> Iterator[Hit]:
        for alias_name, routed in ctx.direct_routes():
            retirement = ctx.retirement(routed.ref)
            if retirement is None or retirement.retired_on(ctx.today):
                continue
            if retirement.date is None:
                if not retirement.marked:
                    continue
                when = "is deprecated (no retirement date given)"
            else:
                days = (retirement.date - ctx.today).days
                if days > options.notice_days and not retirement.marked:
                    continue
                when = f"retires on {retirement.date.isoformat()}, in {days} day{'s' if days != 1 else ''}"
            fix = f"; plan the move to `{retirement.replacement}`" if retirement.replacement else "; choose its replacement"
            yield Hit(
                f"`{routed.ref}` ({routed.role} of `{alias_name}`) {when} ({retirement.source}){fix}",
                routed.entry.pos.line, routed.entry.pos.col, alias=alias_name, model=str(routed.ref),
            )
