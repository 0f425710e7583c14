"""JSON output shared by the targets that write one compact JSON value per alias (``portkey``, ``openrouter``, ``bifrost``).

Such a file is an object whose members are objects of already-encoded values, one alias a line: a reviewer's
diff shows the aliases that changed, and each value is exactly what a client sends (a header, a request body).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

#: A value as compact JSON, keys sorted, ASCII only: what a client sends (a header, a request body). One encoder for
#: every call: ``json.dumps`` with these arguments builds a new ``JSONEncoder`` each time.
compact: Callable[[object], str] = json.JSONEncoder(ensure_ascii=True, sort_keys=True, separators=(",", ":")).encode


def object_lines(values: dict[str, str]) -> str:
    """A JSON object of already-encoded values, one key per line, keys sorted (indented as a member of the file's object)."""
    if not values:
        return "{}"
    return "{\n" + ",\n".join(f"    {json.dumps(key)}: {values[key]}" for key in sorted(values)) + "\n  }"


def document(notice: str, member: str, values: dict[str, str], left_out: dict[str, str]) -> bytes:
    """The whole file: the generated-file notice as ``$comment``, each alias's encoded value under ``member``, and
    under ``left_out`` each alias's encoded list of what was left out and why. ASCII throughout."""
    return (f'{{\n  "$comment": {json.dumps(notice)},\n'
            f'  {json.dumps(member)}: {object_lines(values)},\n  "left_out": {object_lines(left_out)}\n}}\n').encode("ascii")
