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
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable


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


@dataclasses.dataclass(frozen=True)
class EntryText:
    """One entry of an Alternatives (or Primary) cell as written: its reference part and its parenthetical note.

    ``head`` is the reference without its backticks; ``prose`` is set when the entry is words rather
    than a reference (``future ollama models pulled on demand``): then ``head`` is those words.
    """

    text: str
    offset: int
    head: str
    note: str | None
    code: bool = False  # the head was written as a code span
    prose: bool = False
    note_offset: int = 0  # where the note's text starts in ``text``

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


class EntryError(CellError):
    """An entry that follows no form of the entry grammar; ``offset`` is where in the entry it goes wrong."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


ENTRY_FORMS = "`provider/model`, `provider/model` (a note), ..."


def read_entry(text: str, offset: int = 0) -> EntryText:
    """One entry (already split at commas, stripped): a code span or bare reference with an optional
    parenthesised note, or prose (words with no reference). ``EntryError`` for anything else.

    The grammar, in full::

        entry := "`" ref "`" [note] | ref [note] | prose
        note  := "(" text with balanced parentheses ")"   -- the entry's last character
        prose := words (at least two), no code span, ending in an optional note
    """
    if text[:1] == "`" and text[-1:] == "`" and text.count("`") == 2 and text[1:-1].strip():  # `ref`: nearly every entry
        return EntryText(text, offset, text[1:-1].strip(), None, code=True)
    if text.startswith("`"):
        close = text.find("`", 1)
        if close < 0:
            raise EntryError(f"the code span {text!r} is not closed; add its closing backtick", 0)
        head = text[1:close].strip()
        if not head:
            raise EntryError("an empty code span; write the reference inside it: `provider/model`", 0)
        note, note_offset = _note(text, close + 1, head)
        return EntryText(text, offset, head, note, code=True, note_offset=note_offset)
    open_at = _trailing_note_start(text)
    before = text[:open_at].rstrip() if open_at is not None else text
    if "`" in before:
        where = before.index("`")
        raise EntryError(f"a code span after {before[:where].strip()!r}; an entry is one reference (a note goes in parentheses "
                         f"after it), and entries are separated by commas: {ENTRY_FORMS}", where)
    if open_at is None and "(" in text:
        where = text.index("(")
        raise EntryError(f"the note in {text!r} does not end the entry; write {ENTRY_FORMS}", where)
    inner = text[open_at + 1:-1] if open_at is not None else ""
    note = inner.strip() if open_at is not None else None
    note_offset = open_at + 1 + len(inner) - len(inner.lstrip()) if open_at is not None else 0
    if not before:
        raise EntryError(f"a note without a reference: {text!r}; write {ENTRY_FORMS}", 0)
    if not any(c.isspace() for c in before):
        return EntryText(text, offset, before, note, note_offset=note_offset)
    return EntryText(text, offset, before, note, prose=True, note_offset=note_offset)


def _note(text: str, start: int, head: str) -> tuple[str | None, int]:
    """The note after a code span (``text[start:]``), and where its text starts."""
    rest = text[start:]
    stripped = rest.lstrip()
    if not stripped:
        return None, 0
    at = start + len(rest) - len(stripped)
    if not stripped.startswith("("):
        raise EntryError(f"{stripped!r} after `{head}`: separate alternatives with commas, and put a note in parentheses after "
                         f"its model: {ENTRY_FORMS}", at)
    end = _closing_paren(text, at)
    if end is None:
        raise EntryError(f"the note after `{head}` is not closed; add its `)`", at)
    if text[end + 1:].strip():
        tail = len(text) - len(text[end + 1:].lstrip())
        raise EntryError(f"{text[tail:]!r} after the note of `{head}`: separate alternatives with commas: {ENTRY_FORMS}", tail)
    inner = text[at + 1:end]
    return inner.strip(), at + 1 + len(inner) - len(inner.lstrip())


def _closing_paren(text: str, open_at: int) -> int | None:
    """The index of the ``)`` that closes the ``(`` at ``open_at``; parentheses in code spans do not count."""
    close = text.find(")", open_at)
    if close > 0 and text.find("(", open_at + 1, close) < 0 and text.find("`", open_at, close) < 0:
        return close  # `(when key added)`: no nesting, no code
    return _balanced(_NOTE_MARKS.finditer(text, open_at), "(")


def _trailing_note_start(text: str) -> int | None:
    """Where the note that ends ``text`` opens (its ``(``), or None when ``text`` does not end with one."""
    if not text.endswith(")"):
        return None
    return _balanced(reversed(list(_NOTE_MARKS.finditer(text))), ")")


def _balanced(marks: Iterable[re.Match[str]], opening: str) -> int | None:
    """Where the parenthesis that ``marks`` open first is balanced again, walking ``marks`` (backticks and
    parentheses, in either direction, ``opening`` being the one met first); parentheses in code spans do not count."""
    depth = 0
    in_code = False
    for match in marks:
        ch = match[0]
        if ch == "`":
            in_code = not in_code
        elif in_code:
            continue
        elif ch == opening:
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return match.start()
    return None


_NOTE_MARKS = re.compile(r"[`()]")


def references_in(text: str) -> list[tuple[str, int, bool]]:
    """What in ``text`` (a note, or prose) could name a model or an alias: each code span's content and
    each word with a ``/``, with its offset and whether it was a code span."""
    found: list[tuple[str, int, bool]] = []
    code_ends: list[tuple[int, int]] = []
    start = text.find("`")
    while start >= 0:
        end = text.find("`", start + 1)
        if end < 0:
            break
        found.append((text[start + 1:end].strip(), start + 1, True))
        code_ends.append((start, end))
        start = text.find("`", end + 1)
    if "/" in text:
        for match in _WORD.finditer(text):
            if "/" in match[0] and not any(a <= match.start() <= b for a, b in code_ends):
                word = match[0].strip(_WORD_PUNCTUATION)
                found.append((word, match.start() + match[0].index(word[:1] or match[0][:1]), False))
    return sorted(found, key=lambda item: item[1])


_WORD = re.compile(r"[^\s`]+")
_WORD_PUNCTUATION = ".,;:!?()[]{}\"'*_"


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


#: The longest alias name: a client's model field, a header value, a Go map key, a gateway's database column (Bifrost
#: keeps routing rule ids and names in varchar(255), and writes `regc-` before the alias).
MAX_ALIAS_NAME = 100


def is_alias_name(text: str) -> bool:
    return len(text) <= MAX_ALIAS_NAME and ALIAS_NAME.fullmatch(text) is not None


def alias_name_problem(name: str) -> str:
    """The message for an alias name outside the grammar, naming a look-alike character when there is one."""
    if len(name) > MAX_ALIAS_NAME and ALIAS_NAME.fullmatch(name):
        return (f"alias name {name[:24]!r}... is {len(name)} characters long; at most {MAX_ALIAS_NAME} (clients send it "
                "as the model, and gateways keep it in columns of bounded length)")
    message = f"alias name {name!r} may contain only letters, digits, '.', '_' and '-', starting with a letter or digit"
    if name.count("`") >= 2 and not name.startswith("`"):  # `fast` ; `provider/model`: two cells run together
        return message + "; it holds two code spans, as two cells would: separate the table's columns with `|`"
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


#: The longest value cell (price, context, kind, status) regc reads: real ones are under 60 characters.
MAX_VALUE_CELL = 200


def _short(cell: str, what: str, forms: str) -> str:
    if len(cell) > MAX_VALUE_CELL:
        raise CellError(f"cannot read {what}: the cell is {len(cell):,} characters (at most {MAX_VALUE_CELL}); write {forms}")
    return cell


# --- numbers -------------------------------------------------------------------

#: The one number form of price and context cells: digits, optionally grouped in threes by commas, optionally a
#: decimal point and more digits: `15`, `0.14`, `1,250.00`, `128,000`. No leading zero but `0.x`, no other
#: separator: `5,00`, `0,55`, `1.000.000` or `050` are errors, never a number read some other way.
NUMBER = r"(?:0|[1-9]\d{0,2}(?:,\d{3})++|[1-9]\d*+)(?:\.\d++)?+"
NUMBER_FORM = "digits with a decimal point (5.00, 0.55), commas only between groups of three (1,250.00)"
# Anything a number could be taken for: where a cell does not read, this finds what to name.
_NUMBER_LIKE = re.compile(r"(?<![\d.,_])[\d.,_]*\d[\d.,_]*+")


def _number_problem(cell: str) -> str | None:
    """Why a number in ``cell`` is not in the one form, when one of them is not (``5,00``: a comma before two digits)."""
    for match in _NUMBER_LIKE.finditer(cell):
        number = match[0].rstrip(".,")
        if number and re.fullmatch(NUMBER, number) is None:
            return f"{number!r} is not a number regc reads: write {NUMBER_FORM}"
    return None


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
_PRICE = re.compile(
    rf"~?+\s*+\$?+\s*+(?P<low>{NUMBER})(?:\s*+(?:-|–|to)\s*+\$?+\s*+(?P<high>{NUMBER}))?+"
    r"\s*+(?:/\s*+(?P<unit>[A-Za-z0-9 ]++))?+"
)
NOT_APPLICABLE = "n/a"
_BLANK = {"", "—", "–", "-", "?", "unknown", "tbd"}
PRICE_FORMS = "$15.00, 15, 0.20-0.60 (an estimate), $0.04/image, $0.006/min, free, n/a, or blank"
#: The largest price regc reads, in USD per unit (1M tokens, an image, a minute, a second), and the most decimal
#: places: under both, every target's arithmetic is exact. Envoy's cost expression multiplies token counts by
#: integer nano-USD per token scaled by at most 10^6 (9 decimal places of USD per 1M tokens), within uint64 for
#: any request; JSON, SQLite and LiteLLM read a price as a double, which holds 15 significant digits exactly.
MAX_PRICE = Decimal(100_000)
MAX_PRICE_DECIMALS = 9


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
    match = _PRICE.fullmatch(cell)
    if match is None:
        problem = _number_problem(cell)
        raise CellError(f"cannot read price {cell!r}: {problem}" if problem else f"cannot read price {cell!r}; write {PRICE_FORMS}")
    unit_word = (match["unit"] or "").strip().lower().replace(" ", "")
    unit = PRICE_UNITS.get(unit_word.removeprefix("per"))
    if unit is None:
        raise CellError(f"unknown price unit {match['unit']!r} in {cell!r}; use /image, /min or /s (default: per 1M tokens)")
    low = _price_number(match["low"], cell)
    if match["high"] is None:
        return PriceText(usd=low, low=None, unit=unit)
    high = _price_number(match["high"], cell)
    if high < low:
        raise CellError(f"price range {cell!r} runs backwards; write the lower bound first")
    return PriceText(usd=high, low=low, unit=unit)


def _price_number(number: str, cell: str) -> Decimal:
    value = Decimal(number.replace(",", ""))
    if value > MAX_PRICE:
        raise CellError(f"price {cell!r} is over regc's maximum of ${MAX_PRICE:,} per unit (per 1M tokens, image, minute or "
                        "second); is the unit right?")
    if -value.as_tuple().exponent > MAX_PRICE_DECIMALS:  # type: ignore[operator]  # a finite number: an int exponent
        raise CellError(f"price {cell!r} has more than {MAX_PRICE_DECIMALS} decimal places (a millionth of a nano-dollar per "
                        "token); round it")
    return value


# --- context windows -----------------------------------------------------------

_CONTEXT = re.compile(rf"~?+\s*+(?P<number>{NUMBER})\s*+(?P<suffix>[kKmM])?+\s*+(?:tokens?+|tok)?+\+?+")
CONTEXT_FORMS = "200K, 1M, 1.5M, 128000, 128,000 or leave blank"
#: The largest context window regc reads: a billion tokens, a thousand times today's largest.
MAX_CONTEXT = 1_000_000_000


def read_context(text: str) -> int | None:
    """``200K`` -> 200000, ``1M`` -> 1000000, ``128,000`` -> 128000; blank -> None."""
    cell = _short(text.strip().strip("`").strip(), "context window", CONTEXT_FORMS)
    if cell.lower() in _BLANK:
        return None
    match = _CONTEXT.fullmatch(cell)
    if match is None:
        problem = _number_problem(cell)
        raise CellError(f"cannot read context window {cell!r}: {problem}" if problem
                        else f"cannot read context window {cell!r}; write {CONTEXT_FORMS}")
    number = Decimal(match["number"].replace(",", ""))
    scale = {"k": 1000, "m": 1_000_000}.get((match["suffix"] or "").lower(), 1)
    tokens = number * scale
    if tokens != tokens.to_integral_value():
        raise CellError(f"context window {cell!r} is not a whole number of tokens ({tokens.normalize():f})")
    if tokens > MAX_CONTEXT:
        raise CellError(f"context window {cell!r} is over regc's maximum of {MAX_CONTEXT:,} tokens")
    return int(tokens)


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
_KIND = re.compile(r"(?P<kind>[A-Za-z_-]++(?: ++[A-Za-z_-]++)*+)\s*+(?:\(\s*+(?P<dims>\d++)\s*+(?:-?+\s*+dim(?:ensions?+|s)?+)?+\s*+\))?+")


def read_kind(text: str) -> tuple[str | None, int | None]:
    """``chat`` -> ("chat", None); ``embedding (3072)`` -> ("embedding", 3072); blank -> (None, None)."""
    cell = _short(text.strip().strip("`").strip(), "kind", ", ".join(KINDS))
    if cell.lower() in _BLANK:
        return None, None
    match = _KIND.fullmatch(cell)
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
    r"(?P<state>active|unknown|deprecated|retired)"
    r"(?:\s++(?:on\s++)?+(?P<date>\d{4}-\d{2}-\d{2}))?+"
    r"(?:\s*+(?:→|->|=>|,?+\s*+use|,?+\s*+replaced by)\s*+`?+(?P<replacement>[^`\s]++)`?+)?+\s*+",
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
    match = _STATUS.fullmatch(cell)
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


# An alias's lifecycle: the same words as a model's Status, but the replacement is another alias and both the
# sunset date and the replacement are required (a client told to stop sending a name must be told what to send).
_ALIAS_STATUS = re.compile(
    r"(?P<state>active|deprecated)"
    r"(?:\s++(?:on\s++)?+(?P<date>\d{4}-\d{2}-\d{2}))?+"
    r"(?:\s*+(?:→|->|=>|,?+\s*+use|,?+\s*+replaced by)\s*+`?+(?P<replacement>[^`\s]++)`?+)?+\s*+",
    re.I,
)
ALIAS_STATUS_FORMS = "active (or blank), or deprecated YYYY-MM-DD → `replacement-alias` (the sunset date, then the alias clients move to)"
ALIAS_STATES = ("active", "deprecated")


@dataclasses.dataclass(frozen=True)
class AliasStatusText:
    """A deprecated alias's sunset date and replacement alias, and where in the cell the replacement is written."""

    sunset: datetime.date
    replacement: str
    replacement_offset: int


def read_alias_status(text: str) -> AliasStatusText | None:
    """An alias's Status cell: None for an active alias (``active`` or blank), else its sunset and replacement.

    ``CellError`` for anything else: a misspelt state (with the nearest one), ``retired`` (a retired alias is
    removed, not marked), a date that is no calendar date, a missing date or replacement, a replacement that is
    no alias name. Whether the replacement names an alias of the registry is ``regc.model``'s question.
    """
    cell = _short(text.strip(), "status", ALIAS_STATUS_FORMS)
    if cell == "" or cell.lower() in {"active", "—", "–", "-"}:
        return None
    match = _ALIAS_STATUS.fullmatch(cell)
    if match is None:
        word = cell.split(None, 1)[0].lower().rstrip(",:;")
        if word == "retired":
            raise CellError("an alias is not retired in the registry: once its sunset has passed it is removed (`regc "
                            f"breaking` accepts that); until then write {ALIAS_STATUS_FORMS}")
        import difflib

        near = difflib.get_close_matches(word, ALIAS_STATES, n=1, cutoff=0.75)
        hint = f" (did you mean {near[0]!r}?)" if near and near[0] != word else ""
        raise CellError(f"cannot read the alias status {cell!r}{hint}; write {ALIAS_STATUS_FORMS}")
    if match["state"].lower() == "active":
        raise CellError(f"an active alias has no sunset or replacement: {cell!r}; write `active`, or {ALIAS_STATUS_FORMS}")
    if match["date"] is None:
        raise CellError(f"a deprecated alias needs its sunset date: write `deprecated YYYY-MM-DD → replacement-alias`, not {cell!r}")
    sunset = read_date(match["date"])
    replacement = match["replacement"]
    if replacement is None:
        raise CellError(f"a deprecated alias needs the alias that replaces it: write `deprecated YYYY-MM-DD → replacement-alias`, "
                        f"not {cell!r}")
    if not is_alias_name(replacement):
        what = "a model reference" if "/" in replacement else "no alias name"
        raise CellError(f"the replacement {replacement!r} is {what}; a deprecated alias is replaced by another alias "
                        "(clients keep sending an alias name)")
    offset = len(text) - len(text.lstrip()) + match.start("replacement")
    return AliasStatusText(sunset, replacement, offset)


def read_date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise CellError(f"{text.strip()!r} is not a date; write YYYY-MM-DD") from None
