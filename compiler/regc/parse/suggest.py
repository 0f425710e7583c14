"""Did-you-mean for every reader: the known spelling nearest to an unknown one.

One place, so that a key misspelt in ``regc.toml``, ``policy.yaml``, a YAML registry or a markdown
table gets the same kind of message: ``unknown key; did you mean `registry`? (its keys: ...)``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pydantic import BaseModel


#: Words people use for a key under another name (the markdown registry's `Fallbacks` row is YAML's `alternatives`).
SYNONYMS = {"fallback": "alternatives", "fallbacks": "alternatives", "alternative": "alternatives", "resolves": "resolves_to",
            "target": "resolves_to", "notes": "source", "note": "source", "price": "input"}


def nearest(word: str, known: Sequence[str], cutoff: float = 0.6) -> str | None:
    """The known spelling closest to ``word`` (difflib's ratio at least ``cutoff``, or a synonym), or None."""
    import difflib

    if SYNONYMS.get(word.lower()) in known:
        return SYNONYMS[word.lower()]
    close = difflib.get_close_matches(word, list(known), n=1, cutoff=cutoff)
    return close[0] if close else None


def unknown_key(key: str, known: Sequence[str], where: str) -> str:
    """The message for a key a table or mapping does not have: the nearest known key, and all of them."""
    near = nearest(key, known)
    hint = f"; did you mean `{near}`?" if near else ""
    return f"unknown key in {where}{hint} (its keys: {', '.join(known)})"


def keys_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys the mapping at ``loc`` (a pydantic error location, without the unknown key) may have, read from the
    model's JSON Schema: properties, through dictionaries, lists and references. Empty when it cannot tell."""
    schema = model.model_json_schema()
    definitions: dict[str, Any] = schema.get("$defs", {})

    def resolve(node: Any) -> Any:
        while isinstance(node, dict) and "$ref" in node:
            node = definitions.get(node["$ref"].rsplit("/", 1)[-1], {})
        if isinstance(node, dict) and "anyOf" in node:  # an optional or a union: the branch that is a mapping
            node = next((resolve(b) for b in node["anyOf"] if "properties" in resolve(b) or "additionalProperties" in resolve(b)),
                        node)
        return node

    node = resolve(schema)
    for part in loc:
        if not isinstance(node, dict):
            return []
        if isinstance(part, str) and part in node.get("properties", {}):
            node = resolve(node["properties"][part])
        elif isinstance(node.get("additionalProperties"), dict):
            node = resolve(node["additionalProperties"])
        elif isinstance(node.get("items"), dict):
            node = resolve(node["items"])
        else:
            return []
    return list(node.get("properties", {})) if isinstance(node, dict) else []


def one_edit(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one edit: a character dropped, added or replaced, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) != len(b):
        short, long = (a, b) if len(a) < len(b) else (b, a)
        i = next((i for i in range(len(short)) if short[i] != long[i]), len(short))
        return short[i:] == long[i + 1:]
    diffs = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diffs) == 1:
        return True
    return len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
