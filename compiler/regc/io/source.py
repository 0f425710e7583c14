"""Reading input files: bytes to text, with errors that point at the byte's line.

Every input is bounded before it is parsed, so a hostile or runaway file is
refused in milliseconds instead of holding a commit hook for minutes (a
million-row table takes markdown-it about a minute and gigabytes of memory):

- any file regc reads: a regular file (not a FIFO or a device, which could
  block or never end) of at most ``MAX_BYTES``;
- a registry (``check_document``, whatever it was read from: the working
  tree, git's index, a commit): at most ``MAX_LINES`` lines of at most
  ``MAX_LINE_CHARS`` characters, and at most ``MAX_PIPES`` ``|`` characters
  (each one a table cell: markdown-it's cost grows with cells, not bytes).

The limits are about 2-3x the benchmark registry of 10,000 aliases over 5,000
models (3.7 MB, 76,000 lines, 163,000 ``|``, longest line 265 characters).
"""

from __future__ import annotations

import os
import re
import stat
import sys
from typing import TYPE_CHECKING

from regc.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

#: Larger files are refused rather than parsed: a registry is a document people read.
MAX_BYTES = 16 * 1024 * 1024
#: Lines in a registry (the benchmark's 10,000 aliases take 76,000).
MAX_LINES = 200_000
#: Characters on one line of a registry: a long paragraph of rationale is a few thousand.
MAX_LINE_CHARS = 65_536
#: ``|`` characters in a markdown registry, i.e. table cells (the benchmark's 10,000 aliases have 163,000).
MAX_PIPES = 500_000

_BOMS = {b"\xff\xfe": "UTF-16 (little-endian)", b"\xfe\xff": "UTF-16 (big-endian)"}


def read_text(path: Path, display: str, *, keep_bom: bool = False) -> str:
    """The file's text: UTF-8 (a BOM is allowed and dropped), no NUL bytes, at most ``MAX_BYTES``.

    ``keep_bom`` keeps a byte-order mark as ``U+FEFF`` for a writer that must give it back (``regc.parse.document``).
    """
    try:
        data = read_bytes(path, display, MAX_BYTES)
    except FileNotFoundError:
        raise InputError.at(display, 1, "no such file; create it or pass --registry PATH") from None
    text = decode(data, display)
    return "\ufeff" + text if keep_bom and data.startswith(b"\xef\xbb\xbf") else text


def read_bytes(path: Path, display: str, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path``, at most ``limit`` of them; ``InputError`` otherwise.

    The file is opened first and then checked (``fstat``), so what is checked is what
    is read; a FIFO or a device is refused before a read could block or never end.
    ``FileNotFoundError`` is left to the caller, whose message knows what was missing.

    What is read (or found missing) is noted in the run cache's record (``regc.io.cache.note``):
    every file a cacheable run reads comes through here, so a replay is checked against all of them.
    """
    from regc.io import cache

    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError:
        raise InputError.at(display, 1, f"is a directory, not a {what}") from None
    except FileNotFoundError:
        cache.note(path, None)
        raise
    except OSError as exc:
        raise InputError.at(display, 1, f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError.at(display, 1, f"is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise InputError.at(display, 1, "is not a regular file (a pipe, socket or device); point regc at a plain file")
        if info.st_size > limit:
            raise InputError.at(display, 1, f"{what} is {info.st_size:,} bytes; regc reads files up to {limit:,} bytes")
        chunks = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise InputError.at(display, 1, f"{what} is over {limit:,} bytes; regc reads files up to {limit:,} bytes")
            chunks.append(chunk)
        data = b"".join(chunks)
        cache.note(path, data)
        return data
    except OSError as exc:
        raise InputError.at(display, 1, f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


def decode(data: bytes, display: str) -> str:
    """UTF-8 text of ``data`` (a BOM is dropped); ``InputError`` at the first bad byte or NUL."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        if data.startswith(b"\xef\xbb\xbf"):  # the second would hide front matter and the first heading
            raise InputError.at(display, 1, "the file starts with two byte-order marks; save it as UTF-8 with one or none")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        encoding = next((name for bom, name in _BOMS.items() if data.startswith(bom)), None)
        if encoding is not None:
            raise InputError.at(display, 1, f"the file is {encoding}; save it as UTF-8") from None
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError.at(
            display, line, f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8", col
        ) from None
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        col = nul - (text.rfind("\n", 0, nul) + 1) + 1
        raise InputError.at(display, line, "contains a NUL byte; a registry is a text file", col)
    return text


def check_document(text: str, display: str, *, pipes: bool = True) -> None:
    """Refuse a text over the limits (``MAX_BYTES``, ``MAX_LINES``, ``MAX_LINE_CHARS``, ``MAX_PIPES``).

    Runs in C-speed string operations only, before any parser sees the text;
    the message names the limit and where it was passed.
    """
    if len(text) > MAX_BYTES:
        raise InputError.at(display, 1, f"the text is {len(text):,} characters; regc reads registries up to {MAX_BYTES:,} bytes")
    # Lines as markdown-it and the YAML reader count them: \n, \r\n and \r.
    newlines = text.count("\n") + text.count("\r") - text.count("\r\n")
    if newlines + 1 > MAX_LINES:
        raise InputError.at(display, MAX_LINES + 1, f"the file has {newlines + 1:,} lines; regc reads registries of up to "
                                                    f"{MAX_LINES:,} lines; remove rows, or keep bulk data out of the registry")
    if len(text) > MAX_LINE_CHARS:
        lines = _lines(text)
        if max(map(len, lines)) > MAX_LINE_CHARS:
            number, line = next((n, line) for n, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARS)
            raise InputError.at(display, number, f"line is {len(line):,} characters long; regc reads lines of up to "
                                                 f"{MAX_LINE_CHARS:,} characters (break the paragraph into lines)")
    if pipes and text.count("|") > MAX_PIPES:
        seen = 0
        for number, line in enumerate(_lines(text), 1):  # not split at \n alone: a file of \r line ends is one line there
            seen += line.count("|")
            if seen > MAX_PIPES:
                raise InputError.at(display, number, f"the file has {text.count('|'):,} `|` characters (table cells), past the "
                                                     f"limit of {MAX_PIPES:,} on this line; keep tables to what people read")


def _lines(text: str) -> list[str]:
    """The lines of ``text`` as markdown-it and the YAML reader count them: broken at \\n, \\r\\n and \\r."""
    return (text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text).split("\n")


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of ``offset`` in ``text`` (line 1, column 1 when it is negative)."""
    if offset < 0:
        return 1, 1
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


def deepest(text: str) -> int:
    """Where TOML or JSON ``text`` first reaches its deepest nesting of ``[`` and ``{`` (strings and ``#`` comments skipped).

    Only for the message once the parser gave up: an approximation (it does not tell a table header from an
    array), but a header adds one level where the parser failed at hundreds.
    """
    depth = deepest = 0
    where = -1
    quote = ""
    offset = 0
    while offset < len(text):
        char = text[offset]
        if quote:
            if char == "\\" and quote == '"':
                offset += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#":
            end = text.find("\n", offset)
            offset = len(text) if end < 0 else end
            continue
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, offset
        elif char in "]}":
            depth = max(depth - 1, 0)
        offset += 1
    return where


def long_number(text: str) -> re.Match[str] | None:
    """The first run of digits (``_`` allowed, as TOML writes them) longer than Python converts to an integer
    (``sys.get_int_max_str_digits``), for the message once a reader refused it; each run is looked at once, since a
    bounded repeat searched at every offset is quadratic."""
    limit = sys.get_int_max_str_digits()
    return next((m for m in re.finditer(r"[0-9][0-9_]*+", text) if len(m[0].replace("_", "")) > limit), None)

