"""OpenRouter's id for a registry model: one mapping, shared by the ``openrouter`` target and
``regc prices check --catalog openrouter`` (so what the target emits is what the price check proves).

OpenRouter names a model ``<lab>/<name>`` with its own spelling (``anthropic/claude-opus-4.7``,
``x-ai/grok-4.3``, ``moonshotai/kimi-k2.6``). A registry reference is mapped by the first of these
that applies (docs/targets/openrouter.md, "Mapping"):

1. **override**: the target's ``models`` option names the reference (``"xai/grok-4.20-0309-reasoning" =
   "x-ai/grok-4.20"``), or leaves it out (``= ""``). The configuration's word, emitted as given.
2. **R0** provider ``openrouter``: the model id already is OpenRouter's (``openrouter/qwen/qwen-2.5-7b-instruct``).
3. **R1** a provider of ``LABS``: ``<lab>/<model>`` with the lab's OpenRouter name (``xai`` -> ``x-ai``,
   ``kimi`` -> ``moonshotai``, ``mistral`` -> ``mistralai``).
4. **R2** anthropic only, on top of R1: a trailing ``-YYYYMMDD`` snapshot date is dropped and a trailing
   ``-<major>-<minor>`` version becomes ``-<major>.<minor>`` (``claude-haiku-4-5-20251001`` ->
   ``claude-haiku-4.5``).

An id that R0-R2 compute is the model's OpenRouter id only when it is **known**: in the committed list
``regc.model.openrouter_ids.IDS`` (proven against models.dev's ``openrouter`` provider by a test) or in
the target's ``ids`` option. Anything else is a guess, and is never emitted: the model has no
OpenRouter id. No regular expression: the rules are string operations (``rpartition``), linear by sight.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from regc.model.openrouter_ids import IDS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from regc.model import ModelRef

#: regc provider -> the lab's name in OpenRouter ids (R1). A provider not here (groq, ollama, stability, one a
#: configuration adds) has no rule: map its models with the target's ``models`` option.
LABS: Mapping[str, str] = {
    "anthropic": "anthropic",
    "deepseek": "deepseek",
    "google": "google",
    "kimi": "moonshotai",
    "mistral": "mistralai",
    "openai": "openai",
    "perplexity": "perplexity",
    "xai": "x-ai",
}
#: The registry provider whose model ids are OpenRouter ids (R0).
OPENROUTER = "openrouter"
#: What an OpenRouter id looks like (the options' ``models`` values and ``ids`` are checked against it):
#: ``<lab>/<name>``, lab lower-case, the name without spaces, quotes or slashes (``:free`` and ``~`` occur).
ID_PATTERN = r"^[a-z0-9~][a-z0-9._~-]*/[A-Za-z0-9][A-Za-z0-9._:~-]*$"


def computed(ref: ModelRef) -> str | None:
    """The id rules R0-R2 give ``ref``, known or not; None when no rule applies (a provider without one)."""
    if ref.provider == OPENROUTER:
        return ref.model
    lab = LABS.get(ref.provider or "")
    if lab is None:
        return None
    model = _anthropic(ref.model) if ref.provider == "anthropic" else ref.model
    return f"{lab}/{model}"


def _anthropic(model: str) -> str:
    """R2: ``claude-opus-4-7`` -> ``claude-opus-4.7``, ``claude-haiku-4-5-20251001`` -> ``claude-haiku-4.5``."""
    head, dash, tail = model.rpartition("-")
    if dash and len(tail) == 8 and _digits(tail):
        model = head
    head, dash, minor = model.rpartition("-")
    base, dash2, major = head.rpartition("-")
    if dash and dash2 and _digits(major) and _digits(minor):
        return f"{base}-{major}.{minor}"
    return model


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


@dataclasses.dataclass(frozen=True)
class IdMap:
    """The mapping in effect: the committed ids plus the configuration's overrides and extra ids."""

    overrides: Mapping[str, str] = dataclasses.field(default_factory=dict)  # registry reference -> id ("": none)
    extra_ids: frozenset[str] = frozenset()

    def known(self, openrouter_id: str) -> bool:
        return openrouter_id in IDS or openrouter_id in self.extra_ids

    def id_of(self, ref: ModelRef) -> str | None:
        """The model's OpenRouter id, or None."""
        return self.lookup(ref)[0]

    def lookup(self, ref: ModelRef) -> tuple[str | None, str]:
        """``(id, rule)`` when ``ref`` has an OpenRouter id (rule: ``override``, ``R0``, ``R1``, ``R2``); else
        ``(None, why not)``."""
        text = str(ref)
        if text in self.overrides:
            given = self.overrides[text]
            return (given, "override") if given else (None, "left out by the `models` option")
        found = computed(ref)
        if found is None:
            return None, f"no OpenRouter mapping for provider {ref.provider!r} (map it in the `models` option)"
        if not self.known(found):
            return None, f"`{found}` is not a known OpenRouter id, and ids are never guessed"
        if ref.provider == OPENROUTER:
            return found, "R0"
        return found, "R2" if found != f"{LABS[ref.provider or '']}/{ref.model}" else "R1"
