"""Nothing that looks like an API key appears in the registry.

The registry is committed, rendered on the web and copied into generated files; a key pasted into a
note or a rationale leaks with it. The whole file is searched (prose, tables, comments, front matter)
for OpenAI keys (`sk-...`, `sk-proj-...`, `sk-svcacct-...`, and the `sk-...` keys of DeepSeek and
Moonshot), Anthropic keys (`sk-ant-...`), xAI keys (`xai-...`), Google API keys (`AIza...`), Groq,
OpenRouter, Perplexity, Replicate, Fireworks and Hugging Face tokens, GitHub tokens, AWS access key ids,
JSON Web Tokens, `Bearer` tokens and private key blocks, plus the regular expressions in
`extra_patterns`. A match must be long enough, mix letters and digits and hold an unbroken run of 16
letters and digits (8 for a bearer token), so names such as `task-categories`, `sk-learn-0-24-compatible` or
`xai-grok-4-fast-reasoning` do not match. The finding shows only the
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

#: What each kind of key looks like. The body of a match must also look random (see ``_looks_random``),
#: except for the kinds in ``_FIXED``, whose shape alone is the secret's.
PATTERNS: dict[str, str] = {
    "an Anthropic API key": r"sk-ant-[A-Za-z0-9_-]{20,}",
    "an OpenRouter API key": r"sk-or-v1-[A-Za-z0-9]{20,}",
    "an OpenAI API key": r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",  # also DeepSeek's and Moonshot's sk-…
    "an xAI API key": r"xai-[A-Za-z0-9]{32,}",  # alphanumeric after xai-: `xai-grok-4-...` names are not keys
    "a Google API key": r"AIza[0-9A-Za-z_-]{35}",
    "a Groq API key": r"gsk_[A-Za-z0-9]{20,}",
    "a Perplexity API key": r"pplx-[A-Za-z0-9]{20,}",
    "a Hugging Face token": r"hf_[A-Za-z0-9]{20,}",
    "a Replicate API token": r"r8_[A-Za-z0-9]{30,}",
    "a Fireworks API key": r"fw_[A-Za-z0-9]{20,}",
    "a GitHub token": r"(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,})",
    "an AWS access key id": r"(?:AKIA|ASIA)[0-9A-Z]{16}",
    "a JSON Web Token": r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}",
    "a bearer token": r"(?i:bearer)\s+[A-Za-z0-9._~+/-]{20,}=*",
    "a private key": r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----",
}
_FIXED = frozenset({"a private key"})
#: A key's body has a run of at least this many letters and digits; hyphenated names do not. An opaque
#: bearer token may use `._~+/-` freely (RFC 6750), so its runs are shorter; `Bearer` then a space is rare in prose.
_RUN = 16
_BEARER_RUN = 8


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
        for line, col, kind, secret in find_secrets(ctx.text, tuple(options.extra_patterns)):
            yield Hit(f"this looks like {kind} ({secret[:8]}…): revoke it, remove it from the registry and its history, "
                      "and let the gateway read it from the environment", line, col)


@functools.lru_cache(maxsize=8)
def _compiled(extra: tuple[str, ...]) -> re.Pattern[str]:
    """Every pattern in one expression, for one pass over each line (also used to search generated files)."""
    # Not preceded by a word character or '-', so `task-...` or `my-sk-...` inside a word does not match. A '/'
    # may precede a key: one pasted as a model id (`openai/sk-proj-...`) would reach the gateway configs.
    alternatives = "|".join(f"(?:{p})" for p in (*PATTERNS.values(), *extra))
    return re.compile(rf"(?<![A-Za-z0-9_-])(?:{alternatives})")


def find_secrets(text: str, extra: tuple[str, ...] = ()) -> list[tuple[int, int, str, str]]:
    """Every key-like string in ``text``: (line, column, kind, the match), as the rule reports them."""
    pattern = _compiled(extra)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in pattern.finditer(line):
            secret = match.group()
            kind = next((name for name, regex in PATTERNS.items() if re.fullmatch(regex, secret)), "a secret (extra_patterns)")
            if kind in _FIXED or _looks_random(secret, _BEARER_RUN if kind == "a bearer token" else _RUN):
                found.append((number, match.start() + 1, kind, secret))
    return found


def _looks_random(secret: str, minimum_run: int) -> bool:
    """Letters and digits mixed, with a long unbroken run: `sk-learn-0-24-compatible` is a name, not a key."""
    body = secret.split(None, 1)[-1]
    run = max((len(part) for part in re.split(r"[^A-Za-z0-9]", body)), default=0)
    return any(c.isdigit() for c in body) and any(c.isalpha() for c in body) and run >= minimum_run
