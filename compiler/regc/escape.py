"""Characters that deceive a reader, and how regc writes them where people read them.

A registry's free text (titles, notes, rationale) may hold anything but NUL. None of it can break
a generated file: each target quotes for its language. Two kinds of characters are still escaped
where people read:

- ``BIDI``, the Unicode bidirectional controls (U+202A-U+202E, U+2066-U+2069, LRM, RLM, ALM):
  they reorder how a line is *shown* without changing its bytes ("Trojan Source",
  CVE-2021-42574), so a reviewer reading a generated YAML, SQL or JSON file, or its diff, could
  see a statement that is not there. The targets write them as escapes (``\\u202e``, ``char(8238)``),
  which every reader turns back into the same character.
- control characters (C0 but tab and newline, DEL, C1): on a terminal they are commands
  (``ESC [ 2 J`` clears the screen, OSC sets the window title). ``terminal`` escapes them, with
  the bidirectional controls, in what the CLI prints from the registry (``regc explain``, ``regc
  diff``, findings).
"""

from __future__ import annotations

import re

#: The bidirectional formatting characters (Unicode's Bidi_Control property).
BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{BIDI}]")
_JSON = re.compile(f"[\x7f-\x9f\u2028\u2029{BIDI}]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match[0])
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(text: str) -> str:
    """``text`` safe to print on a terminal: controls and bidirectional controls as ``\\x1b``, ``\\u202e``."""
    return _TERMINAL.sub(_escaped, text)


def json_text(text: str) -> str:
    """A JSON document with DEL, C1 controls, line separators and bidirectional controls written as ``\\uXXXX``.

    ``json.dumps(..., ensure_ascii=False)`` escapes only C0 controls; these characters can stand only
    inside JSON strings, where ``\\uXXXX`` means the same character to every JSON reader.
    """
    return _JSON.sub(lambda m: f"\\u{ord(m[0]):04x}", text)
