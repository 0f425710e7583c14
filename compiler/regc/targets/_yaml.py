"""YAML output for the targets that write YAML (``litellm``, ``envoy``).

Registry text never reaches a YAML file raw. Every scalar goes through the
``yaml`` jinja2 filter, which writes a string as a JSON string (JSON is a
subset of YAML 1.2) and also escapes the characters that YAML 1.1 readers
(PyYAML, which LiteLLM uses) treat as line breaks or refuse (NEL, U+2028,
U+2029, C1 controls, BOM), and the bidirectional controls (``regc.escape``). So ``yes``, ``on``, ``{{ x }}``, ``#``, ``: ``,
``- ``, ``&a``, ``*a``, ``!tag``, ``%``, a leading ``@`` or backtick, a newline
or a quote all stay the exact string they were, in YAML 1.1 and 1.2 alike.

Numbers are written so that YAML 1.1 and 1.2 both read them as numbers:
an exact decimal with a point and no exponent (``0.000005``), never ``5e-06``
(which YAML 1.1 reads as a string).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal

from regc.escape import BIDI

# Characters a YAML 1.1 reader refuses or reads as a line break, even inside double quotes, and the
# bidirectional controls, which would make a reviewer see a line other than the one written (regc.escape).
_UNSAFE = re.compile(f"[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff{BIDI}]")


def quote(text: str) -> str:
    """``text`` as a double-quoted scalar that every YAML reader gives back unchanged."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m[0]):04x}", json.dumps(text, ensure_ascii=False))


def decimal_text(value: Decimal) -> str:
    """An exact decimal that YAML 1.1 and 1.2 read as a float: digits, a point, no exponent."""
    text = format(value.normalize(), "f")
    return text if "." in text else f"{text}.0"


def scalar(value: object) -> str:
    """The ``yaml`` filter: any scalar a target emits, written so it reloads as itself."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, str):
        return quote(value)
    raise TypeError(f"not a YAML scalar: {value!r}")


def comment(text: str) -> str:
    """Text for a ``#`` comment: JSON-quoted, so it cannot end the comment line."""
    return quote(text)
