"""Reading a catalog file: bytes to JSON, which catalog it is, and where an entry is written."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, Literal

from regc.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

#: A catalog is data, not a document: a generous ceiling that still refuses runaway files.
MAX_BYTES = 256 * 1024 * 1024


def read_json(path: Path, display: str) -> tuple[str, Any]:
    """The file's text and its JSON value; ``InputError`` at the line JSON reports for malformed files."""
    from regc.io.source import decode, deepest, long_number, position, read_bytes

    try:
        data = read_bytes(path, display, MAX_BYTES, "catalog file")  # a regular file: a FIFO would block
    except FileNotFoundError:
        raise InputError.at(display, 1, "no such catalog file") from None
    text = decode(data, display)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.at(display, exc.lineno, f"the catalog is not valid JSON: {exc.msg}", exc.colno) from None
    except ValueError:  # the one other ValueError: an integer longer than Python converts (sys.get_int_max_str_digits)
        long = long_number(text)
        line, col = position(text, long.start() if long else -1)
        digits = len(long[0]) if long else 0
        raise InputError.at(display, line, f"a number of {digits:,} digits is out of range for a model catalog", col) from None
    except RecursionError:
        line, col = position(text, deepest(text))
        raise InputError.at(display, line, "the catalog nests too deeply to be a model catalog", col) from None
    return text, value


def sniff(data: Any, display: str) -> Literal["litellm", "models.dev"]:
    """Which catalog ``data`` is, from its shape; an ``InputError`` naming both shapes when it is neither.

    - LiteLLM's cost map: ``{"gpt-4o": {"litellm_provider": "openai", "input_cost_per_token": ...}, ...}``
    - models.dev's ``api.json``: ``{"openai": {"id": "openai", "models": {"gpt-4o": {...}}}, ...}``
    - models.dev flattened (one row per provider and model): ``{"providers": {...}, "models": [{"provider": ..., "model": ...}]}``
    """
    if isinstance(data, dict) and data:
        if isinstance(data.get("models"), list) and isinstance(data.get("providers"), dict):
            return "models.dev"
        values = [v for k, v in data.items() if k != "sample_spec"]
        if values and all(isinstance(v, dict) for v in values):
            if sum("litellm_provider" in v for v in values) * 2 >= len(values):
                return "litellm"
            if sum(isinstance(v.get("models"), dict) for v in values) * 2 >= len(values):
                return "models.dev"
    shape = type(data).__name__ if not isinstance(data, dict) else "an object of another shape"
    raise InputError.at(display, 1, f"not a model catalog (the JSON is {shape}); expected LiteLLM's cost map "
                                    '({"model": {"litellm_provider": ..., "input_cost_per_token": ...}}) or models.dev '
                                    '({"provider": {"models": {...}}}, or its flattened {"providers": ..., "models": [...]})')


def line_of_key(text: str, key: str) -> int:
    """The line where ``"key":`` is first written in the JSON text, else where ``"key"`` first is (1: nowhere)."""
    for quoted in dict.fromkeys((json.dumps(key, ensure_ascii=False), json.dumps(key))):
        match = re.search(re.escape(quoted) + r"\s*:", text) or re.search(re.escape(quoted), text)
        if match is not None:
            from regc.io.source import position

            return position(text, match.start())[0]
    return 1
