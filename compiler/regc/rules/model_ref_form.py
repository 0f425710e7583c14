"""References are `provider/model-id`, with a provider regc knows.

The gateway, LiteLLM and Envoy route by provider: a bare name (`whisper-large-v3`) cannot be routed at
all, and a misspelt provider (`opneai/gpt-5.4`) gets no endpoint or API key. Every primary and
alternative written as a model reference (pending ones included: they will be routed one day) and
every row of the Models table is checked. (A reference that breaks the grammar, such as a Cyrillic `о`
in `оpenai/gpt-5.4` or a path such as `openai/../x`, never gets this far: it is an input error at its
column.) Known providers are regc's provider table plus the `[providers.NAME]` tables of the
configuration (`[tool.regc.providers.NAME]` in pyproject.toml); `known_providers_only: false` turns
the second check off. A reference with no Models row that is one slip (a character dropped, added, or
two neighbours swapped) from a row's reference is reported as the slip it probably is, and so is a row
that no alias names while such a reference has no row: `ollama/qwen25:3b` and `ollama/qwen2.5:3b`.

Fails (no provider):

```markdown
## Audio · alias `audio`

| | |
|---|---|
| **Primary** | `openai/whisper-1` |
| **Alternatives** | `whisper-large-v3` |
```

Passes:

```markdown
## Audio · alias `audio`

| | |
|---|---|
| **Primary** | `openai/whisper-1` |
| **Alternatives** | `groq/whisper-large-v3` |
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import Field

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext
    from regc.model import ModelRef


class ModelRefFormOptions(RuleOptions):
    known_providers_only: bool = Field(default=True, description="also report providers missing from regc's provider table")


class ModelRefForm(Rule[ModelRefFormOptions]):
    id = "model-ref-form"
    default_severity = "error"
    Options = ModelRefFormOptions

    def check(self, ctx: LintContext, options: ModelRefFormOptions) -> Iterator[Hit]:
        rows = {str(model.ref): model for model in ctx.registry.models}
        unlisted: dict[str, str] = {}  # a reference no Models row has -> the alias that names it first
        for alias in ctx.registry.aliases:
            for entry in (alias.primary, *alias.alternatives):
                if entry.ref is None:
                    continue
                ref = str(entry.ref)
                problem = self._problem(ctx, entry.ref, options)
                if problem is None and ref not in rows and rows:
                    unlisted.setdefault(ref, alias.name)
                    row = next((rows[r] for r in rows if one_slip(ref, r)), None)
                    if row is not None:
                        problem = (f"`{ref}` has no Models row, but `{row.ref}` (line {row.pos.line}) has: "
                                   "a slip in one of the two? (a reference regc cannot match has no kind, price or context)")
                if problem:
                    yield Hit(f"{problem} (in `{alias.name}`)", entry.pos.line, entry.pos.col, alias=alias.name, model=ref)
        for model in ctx.registry.models:
            problem = self._problem(ctx, model.ref, options)
            near = next((r for r in unlisted if one_slip(str(model.ref), r)), None) if problem is None else None
            if near is not None:
                problem = (f"Models row `{model.ref}` is named by no alias, but `{near}` (in `{unlisted[near]}`) has no row: "
                           "a slip in one of the two?")
            if problem:
                yield Hit(f"{problem} (Models row)" if near is None else problem, model.pos.line, model.pos.col, model=str(model.ref))

    def _problem(self, ctx: LintContext, ref: ModelRef, options: ModelRefFormOptions) -> str | None:
        if ref.provider is None:
            return f"`{ref}` has no provider: write it as `provider/{ref.model}` so it can be routed"
        if options.known_providers_only and ref.provider not in ctx.providers:
            from regc.model.providers import PRESETS, REQUIRED
            from regc.parse.suggest import nearest

            if ref.provider in PRESETS:  # an Azure resource, a Bedrock region...: regc knows the kind, not the endpoint
                kind = PRESETS[ref.provider].kind
                return (f"`{ref}` names provider `{ref.provider}`, whose endpoint is yours: add "
                        f"{ctx.config_table(f'providers.{ref.provider}')} with {' and '.join(REQUIRED[kind])} (docs/providers.md)")
            near = nearest(ref.provider, list(ctx.providers))
            hint = f"did you mean `{near}/{ref.model}`? " if near else ""
            return (f"`{ref}` names provider `{ref.provider}`, which regc does not know; {hint}"
                    f"add it under {ctx.config_table(f'providers.{ref.provider}')} if it is real")
        return None


def one_slip(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one character dropped or added, or two neighbours swapped (``gemini-25`` and
    ``gemini-2.5``); a character replaced is not a slip but another name (``qwen2.5:3b`` and ``qwen2.5:7b``)."""
    from regc.parse.suggest import one_edit

    replaced = len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) == 1
    return one_edit(a, b) and not replaced
