"""Reading input files: bytes to text, with errors that point at the byte's line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.errors import InputError

if TYPE_CHECKING:
    from pathlib import Path

#: Larger inputs are refused rather than parsed: a registry is a document people read.
MAX_BYTES = 64 * 1024 * 1024


def read_text(path: Path, display: str) -> str:
    """The file's text: UTF-8 (a BOM is allowed and dropped), no NUL bytes, at most ``MAX_BYTES``."""
    from regc import cache

    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InputError.at(display, 1, f"file is {size:,} bytes; regc reads files up to {MAX_BYTES:,} bytes")
        data = path.read_bytes()
    except FileNotFoundError:
        cache.note(path, None)
        raise InputError.at(display, 1, "no such file; create it or pass --registry PATH") from None
    except IsADirectoryError:
        raise InputError.at(display, 1, "is a directory, not a registry file") from None
    except OSError as exc:
        raise InputError.at(display, 1, f"cannot read: {exc.strerror}") from None
    cache.note(path, data)
    return decode(data, display)


def decode(data: bytes, display: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
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
