"""Nothing that looks like an API key appears in the registry.

The registry is committed, rendered on the web and copied into generated files; a key pasted into a
note or a rationale leaks with it. The whole file is searched (prose, tables, comments, front matter)
for OpenAI keys (`sk-...`, `sk-proj-...`), Anthropic keys (`sk-ant-...`), xAI keys (`xai-...`), Google
API keys (`AIza...`), Groq, OpenRouter, Perplexity and Hugging Face tokens, AWS access key ids, and
`Bearer` tokens, plus the regular expressions in `extra_patterns`. A match must be long enough and mix
letters and digits, so prose such as `task-categories` does not match. The finding shows only the
start of the secret; revoke the key, then remove it (from the git history too).

Fails (an OpenAI project key in a note):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Note** | test with sk-proj-4f9Qz8LmN2xR7tY1uV3wK5pS6dA0bC9eH |
```

Passes (the key's environment variable, never its value):

```markdown
## General · alias `general`

| | |
|---|---|
| **Primary** | `openai/gpt-5.4` |
| **Note** | the gateway reads the key from `OPENAI_API_KEY` |
```
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from pydantic import Field, field_validator

from regc.rules import Hit, Rule, RuleOptions

if TYPE_CHECKING:
    from collections.abc import Iterator

    from regc.lint.context import LintContext

#: What each provider's keys look like; the body must also mix letters and digits (see ``_looks_random``).
PATTERNS: dict[str, str] = {
    "an Anthropic API key": r"sk-ant-[A-Za-z0-9_-]{20,}",
    "an OpenRouter API key": r"sk-or-v1-[A-Za-z0-9]{20,}",
    "an OpenAI API key": r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
    "an xAI API key": r"xai-[A-Za-z0-9_-]{20,}",
    "a Google API key": r"AIza[0-9A-Za-z_-]{35}",
    "a Groq API key": r"gsk_[A-Za-z0-9]{20,}",
    "a Perplexity API key": r"pplx-[A-Za-z0-9]{20,}",
    "a Hugging Face token": r"hf_[A-Za-z0-9]{20,}",
    "an AWS access key id": r"(?:AKIA|ASIA)[0-9A-Z]{16}",
    "a bearer token": r"(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}=*",
}


class NoInlineSecretOptions(RuleOptions):
    extra_patterns: list[str] = Field(default=[], description="more regular expressions that match secrets")

    @field_validator("extra_patterns")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return patterns


class NoInlineSecret(Rule[NoInlineSecretOptions]):
    id = "no-inline-secret"
    default_severity = "error"
    Options = NoInlineSecretOptions

    def check(self, ctx: LintContext, options: NoInlineSecretOptions) -> Iterator[Hit]:
        if ctx.text is None:
            return
        pattern = _compiled(tuple(options.extra_patterns))
        for number, line in enumerate(ctx.text.splitlines(), start=1):
            for match in pattern.finditer(line):
                secret = match.group()
                if not _looks_random(secret):
                    continue
                kind = next((name for name, regex in PATTERNS.items() if re.fullmatch(regex, secret)), "a secret (extra_patterns)")
                yield Hit(f"this looks like {kind} ({secret[:8]}…): revoke it, remove it from the registry and its history, "
                          "and let the gateway read it from the environment", number, match.start() + 1)


@functools.lru_cache(maxsize=8)
def _compiled(extra: tuple[str, ...]) -> re.Pattern[str]:
    # Not preceded by a word character or '-', so `task-...` or `/xai-...` inside a name does not match.
    alternatives = "|".join(f"(?:{p})" for p in (*PATTERNS.values(), *extra))
    return re.compile(rf"(?<![A-Za-z0-9_/-])(?:{alternatives})")


def _looks_random(secret: str) -> bool:
    body = secret.split(None, 1)[-1]
    return any(c.isdigit() for c in body) and any(c.isalpha() for c in body)
