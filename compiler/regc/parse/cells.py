"""The grammar of table cells: model references, alternatives, prices, contexts, statuses.

These are the small languages people write inside the registry's cells
(``$15.00``, ``200K``, ``retired 2026-05-15 → xai/grok-4.3``,
``openai/o3, perplexity/sonar-pro (when key added)``). Each reader returns a
value or raises ``CellError`` with a message that shows the accepted forms.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal, InvalidOperation


class CellError(ValueError):
    """A cell's text does not follow its column's grammar; the message names the accepted forms."""


# A provider is a plain lower-case-ish word; a model id may carry the
# characters real ids use (ollama/qwen2.5:3b, xai/grok-4.20-0309-reasoning,
# openrouter/anthropic/claude-sonnet-4.6, bedrock/...:0, vertex@2024).
PROVIDER_RE = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
MODEL_ID_RE = r"[A-Za-z0-9._:@~+-][A-Za-z0-9._:@~+/-]*"
MODEL_REF = re.compile(rf"(?:(?P<provider>{PROVIDER_RE})/)?(?P<model>{MODEL_ID_RE})")
ALIAS_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

# Words that, opening a parenthetical note, make an alternative pending:
# listed (and explained), never routed to. "(when key added)", "(once paid)".
PENDING_WORDS = ("when", "once", "after", "until", "pending", "if")


@dataclasses.dataclass(frozen=True)
class EntryText:
    """One alternative as written: the reference part and its parenthetical note."""

    text: str
    offset: int
    head: str
    note: str | None

    @property
    def clean(self) -> str:
        """The entry without markup: ``perplexity/sonar-pro (when key added)``."""
        return f"{self.head} ({self.note})" if self.note is not None else self.head

    @property
    def pending(self) -> bool:
        if self.note is None:
            return False
        first = self.note.strip().split(None, 1)
        return bool(first) and first[0].lower().rstrip(",:;") in PENDING_WORDS


def split_entries(text: str) -> list[tuple[str, int]]:
    """Split a comma-separated list at commas outside parentheses and code spans.

    Returns each entry stripped, with its offset in ``text``.
    """
    entries: list[tuple[str, int]] = []
    depth = 0
    in_code = False
    start = 0
    for match in _ENTRY_MARKS.finditer(text):  # only these four characters move the state: skip the rest at C speed
        ch, i = match[0], match.start()
        if ch == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif depth == 0:  # a comma
            entries.append(_stripped(text, start, i))
            start = i + 1
    entries.append(_stripped(text, start, len(text)))
    return [(entry, offset) for entry, offset in entries if entry]


_ENTRY_MARKS = re.compile(r"[`(),]")


def _stripped(text: str, start: int, end: int) -> tuple[str, int]:
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    return piece.strip(), start + lead


_TRAILING_NOTE = re.compile(r"^(?P<head>.*?)\s*\((?P<note>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*$", re.S)


def read_entry(text: str, offset: int = 0) -> EntryText:
    """Split ``ref (note)`` into its head and note; backticks around the head are dropped."""
    match = _TRAILING_NOTE.match(text) if text.endswith(")") or text[-1:].isspace() else None  # a note ends the entry
    head, note = (match["head"], match["note"].strip()) if match else (text, None)
    head = head.strip()
    if len(head) >= 2 and head.startswith("`") and head.endswith("`"):
        head = head[1:-1].strip()
    return EntryText(text=text, offset=offset, head=head, note=note)


# A model id is a name, not a path: `.` and `..` segments, `//` and a trailing `/` are refused, so
# no consumer that joins ids into URLs or paths can be walked out of its directory.
_PATH_LIKE = re.compile(r"(?:^|/)\.{1,2}(?:/|$)|//|/$")


def is_model_ref(text: str) -> bool:
    match = MODEL_REF.fullmatch(text)
    return match is not None and _PATH_LIKE.search(match["model"]) is None


def split_ref(text: str) -> tuple[str | None, str]:
    """``provider/model`` -> (provider, model); a bare name -> (None, name)."""
    match = MODEL_REF.fullmatch(text)
    if match is None or _PATH_LIKE.search(match["model"]) is not None:
        raise CellError(f"{text!r} is not a model reference; write it as `provider/model-id`")
    return match["provider"], match["model"]


def ref_problem(text: str) -> str | None:
    """Why ``text``, meant as a reference, is not one, when a specific reason can be named."""
    odd = _odd_character(text)
    if odd is not None:
        why = "; references are ASCII, so a look-alike cannot pass for a real model" if not odd.isascii() else ""
        return f"it contains {describe(odd)}{why}"
    match = MODEL_REF.fullmatch(text)
    if match is not None and _PATH_LIKE.search(match["model"]) is not None:
        return "a model id is a name, not a path: no `.` or `..` segments, `//` or trailing `/`"
    return None


def looks_like_ref(text: str) -> bool:
    """``text`` was probably meant as a model reference (one word with a `/`), though it is not one."""
    return "/" in text and not any(c.isspace() for c in text) and not is_model_ref(text)


def is_alias_name(text: str) -> bool:
    return ALIAS_NAME.fullmatch(text) is not None


def alias_name_problem(name: str) -> str:
    """The message for an alias name outside the grammar, naming a look-alike character when there is one."""
    message = f"alias name {name!r} may contain only letters, digits, '.', '_' and '-', starting with a letter or digit"
    odd = _odd_character(name)
    if odd is not None:
        import unicodedata

        message += f"; it contains {describe(odd)}"
        if not odd.isascii():
            message += ": names are ASCII, so a look-alike cannot pass for another alias"
        folded = unicodedata.normalize("NFKC", name)
        if folded != name and is_alias_name(folded):
            message += f" (did you mean {folded!r}?)"
    return message


def describe(char: str) -> str:
    """``U+0430 CYRILLIC SMALL LETTER A``: a character named so that an invisible or look-alike one can be found."""
    import unicodedata

    name = unicodedata.name(char, "")
    if not name:
        kinds = {"Cc": "a control character", "Cs": "a lone surrogate", "Co": "a private-use character"}
        name = f"({kinds.get(unicodedata.category(char), 'an unassigned character')})"
    return f"U+{ord(char):04X} {name}"


def _odd_character(text: str) -> str | None:
    """The first character that is not printable ASCII (a look-alike, a control, an invisible format character)."""
    return next((c for c in text if not (c.isascii() and c.isprintable())), None)


#: The longest value cell (price, context, kind, status) regc reads: real ones are under 60 characters, and
#: the cells' patterns take quadratic time on long runs of spaces (20,000 took seconds).
MAX_VALUE_CELL = 200


def _short(cell: str, what: str, forms: str) -> str:
    if len(cell) > MAX_VALUE_CELL:
        raise CellError(f"cannot read {what}: the cell is {len(cell):,} characters (at most {MAX_VALUE_CELL}); write {forms}")
    return cell


# --- prices ------------------------------------------------------------------

PRICE_UNITS = {
    "": "mtok",
    "mtok": "mtok",
    "1m": "mtok",
    "m": "mtok",
    "image": "image",
    "img": "image",
    "min": "minute",
    "minute": "minute",
    "s": "second",
    "sec": "second",
    "second": "second",
}
_NUMBER = r"\d[\d,]*(?:\.\d+)?|\.\d+"
_PRICE = re.compile(
    rf"^~?\s*\$?\s*(?P<low>{_NUMBER})\s*(?:(?:-|–|to)\s*\$?\s*(?P<high>{_NUMBER}))?"
    r"\s*(?:/\s*(?P<unit>[A-Za-z0-9 ]+))?$"
)
NOT_APPLICABLE = "n/a"
_BLANK = {"", "—", "–", "-", "?", "unknown", "tbd"}
PRICE_FORMS = "$15.00, 15, 0.20-0.60 (an estimate), $0.04/image, $0.006/min, free, n/a, or blank"


@dataclasses.dataclass(frozen=True)
class PriceText:
    usd: Decimal
    low: Decimal | None
    unit: str


def usd_text(usd: Decimal) -> str:
    """A dollar amount as regc writes it (without the ``$``): cents at least, every further digit it has.

    ``15`` -> ``15.00``, ``0.14`` -> ``0.14``, ``0.006`` -> ``0.006``. ``regc explain``, ``regc diff``
    and ``regc prices sync`` all write prices this way.
    """
    return f"{usd:.2f}" if usd == usd.quantize(Decimal("0.01")) else f"{usd.normalize():f}"


def read_price(text: str) -> PriceText | str | None:
    """A price cell: a ``PriceText``, ``"n/a"`` (does not apply), or ``None`` (unknown)."""
    cell = _short(text.strip().strip("`").strip(), "price", PRICE_FORMS)
    lowered = cell.lower()
    if lowered in _BLANK:
        return None
    if lowered in {"n/a", "na", "not applicable"}:
        return NOT_APPLICABLE
    if lowered in {"free", "$0", "0"}:
        return PriceText(usd=Decimal(0), low=None, unit="mtok")
    match = _PRICE.match(cell)
    if match is None:
        raise CellError(f"cannot read price {cell!r}; write {PRICE_FORMS}")
    unit_word = (match["unit"] or "").strip().lower().replace(" ", "")
    unit = PRICE_UNITS.get(unit_word.removeprefix("per"))
    if unit is None:
        raise CellError(f"unknown price unit {match['unit']!r} in {cell!r}; use /image, /min or /s (default: per 1M tokens)")
    low = _decimal(match["low"])
    if match["high"] is None:
        return PriceText(usd=low, low=None, unit=unit)
    high = _decimal(match["high"])
    if high < low:
        raise CellError(f"price range {cell!r} runs backwards; write the lower bound first")
    return PriceText(usd=high, low=low, unit=unit)


def _decimal(number: str) -> Decimal:
    try:
        return Decimal(number.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        raise CellError(f"cannot read number {number!r}") from None


# --- context windows -----------------------------------------------------------

_CONTEXT = re.compile(r"^~?\s*(?P<number>\d[\d,_]*(?:\.\d+)?)\s*(?P<suffix>[kKmM])?\s*(?:tokens?|tok)?\+?$")


def read_context(text: str) -> int | None:
    """``200K`` -> 200000, ``1M`` -> 1000000, ``128,000`` -> 128000; blank -> None."""
    cell = _short(text.strip().strip("`").strip(), "context window", "200K, 1M, 128000 or leave blank")
    if cell.lower() in _BLANK:
        return None
    match = _CONTEXT.match(cell)
    if match is None:
        raise CellError(f"cannot read context window {cell!r}; write 200K, 1M, 128000 or leave blank")
    number = Decimal(match["number"].replace(",", "").replace("_", ""))
    scale = {"k": 1000, "m": 1_000_000}.get((match["suffix"] or "").lower(), 1)
    return int(number * scale)


# --- kinds -------------------------------------------------------------------

KINDS = ("chat", "embedding", "image", "transcription", "speech", "moderation", "rerank")
_KIND_ALIASES = {
    "completion": "chat",
    "text": "chat",
    "llm": "chat",
    "embeddings": "embedding",
    "image generation": "image",
    "image_generation": "image",
    "audio transcription": "transcription",
    "audio_transcription": "transcription",
    "stt": "transcription",
    "speech-to-text": "transcription",
    "tts": "speech",
    "text-to-speech": "speech",
    "audio_speech": "speech",
}
_KIND = re.compile(r"^(?P<kind>[A-Za-z _-]+?)\s*(?:\(\s*(?P<dims>\d+)\s*(?:-?\s*dim(?:ensions?|s)?)?\s*\))?$")


def read_kind(text: str) -> tuple[str | None, int | None]:
    """``chat`` -> ("chat", None); ``embedding (3072)`` -> ("embedding", 3072); blank -> (None, None)."""
    cell = _short(text.strip().strip("`").strip(), "kind", ", ".join(KINDS))
    if cell.lower() in _BLANK:
        return None, None
    match = _KIND.match(cell)
    kind = match["kind"].strip().lower() if match else ""
    kind = _KIND_ALIASES.get(kind, kind)
    if match is None or kind not in KINDS:
        raise CellError(f"unknown kind {cell!r}; use one of {', '.join(KINDS)} (an embedding may add its dimensions: `embedding (3072)`)")
    dims = int(match["dims"]) if match["dims"] else None
    if dims is not None and kind != "embedding":
        raise CellError(f"only an embedding has dimensions, not {kind!r}")
    return kind, dims


# --- lifecycle ---------------------------------------------------------------

_STATUS = re.compile(
    r"^(?P<state>active|unknown|deprecated|retired)"
    r"(?:\s+(?:on\s+)?(?P<date>\d{4}-\d{2}-\d{2}))?"
    r"(?:\s*(?:→|->|=>|,?\s*use|,?\s*replaced by)\s*`?(?P<replacement>[^`\s]+)`?)?\s*$",
    re.I,
)
STATUS_FORMS = "active, unknown (or blank), deprecated YYYY-MM-DD [→ provider/model], retired YYYY-MM-DD → provider/model"


@dataclasses.dataclass(frozen=True)
class StatusText:
    state: str
    date: datetime.date | None
    replacement: str | None


def read_status(text: str) -> StatusText:
    cell = _short(text.strip(), "status", STATUS_FORMS)
    if cell.lower() in _BLANK:
        return StatusText("unknown", None, None)  # not stated is not the same as active
    match = _STATUS.match(cell)
    if match is None:
        raise CellError(f"cannot read status {cell!r}; write {STATUS_FORMS}")
    state = match["state"].lower()
    date = read_date(match["date"]) if match["date"] else None
    replacement = match["replacement"]
    if replacement is not None and not is_model_ref(replacement):
        raise CellError(f"replacement {replacement!r} is not a model reference (`provider/model`)")
    if state in {"active", "unknown"} and (date or replacement):
        raise CellError(f"an {state} model has no date or replacement: {cell!r}")
    if state == "retired" and date is None:
        raise CellError(f"a retired model needs its date: `retired YYYY-MM-DD → provider/model`, not {cell!r}")
    return StatusText(state, date, replacement)


def read_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CellError(f"{text.strip()!r} is not a date; write YYYY-MM-DD") from None
