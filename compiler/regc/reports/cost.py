"""``regc cost``: what each alias costs a month for a given traffic, at the registry's prices.

Pure: text in (a usage CSV or LiteLLM's spend logs, already read), a ``ResolvedRegistry`` in, reports out.
docs/cost.md is the user's description; the choices it states live here:

- Money is ``decimal.Decimal`` from the price cells to the end. Every amount is computed exactly (a local
  context of 60 digits), then rounded ONCE for display, to the cent, with ``ROUND_HALF_EVEN`` (banker's
  rounding: $0.125 → $0.12, $0.135 → $0.14). A total is the exact sum rounded once, so displayed rows may
  differ from the displayed total by a cent or two; nothing is rounded twice.
- A month is 30 days. A CSV row covers ``period_days`` days (default 30, or ``--period-days``); spend logs
  cover the time from their first ``startTime`` to their last ``endTime`` (or ``--period-days``).
- A price is billed on the quantity its unit names: per 1M tokens (``mtok``) on the input or output tokens,
  per minute or second on ``audio_seconds``, per image on ``images``. Cached input tokens are part of the
  input tokens (as OpenAI's ``prompt_tokens`` and LiteLLM's spend logs count them) and are billed at the cache
  read price, or at the input price when the model has none. ``n/a`` costs nothing; an unknown (blank) price,
  or a model without a Models row, makes that model's cost unknown whenever the traffic needs it.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import re
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Literal

from regc.errors import Diagnostic, InputError
from regc.io.source import position

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from regc.model import Model
    from regc.model.resolve import ResolvedRegistry

MONTH_DAYS = Decimal(30)
CENT = Decimal("0.01")
ROUNDING = ROUND_HALF_EVEN
MTOK = Decimal(1_000_000)
#: Exact arithmetic: 60 significant digits hold any product of the largest price and a year of tokens.
_EXACT = decimal.Context(prec=60, rounding=ROUND_HALF_EVEN)

#: Bounds on what a usage file may say, so that every figure stays exact in ``_EXACT`` and no input is an internal error:
#: a quantity (requests, tokens, seconds, images) of at most 10^15 a row or log (a million billion: no month has it),
#: a period of 0.001 to 36,600 days (86 seconds to a century), a logged spend of at most $10^9.
MAX_QUANTITY = Decimal(10) ** 15
MIN_PERIOD_DAYS, MAX_PERIOD_DAYS = Decimal("0.001"), Decimal(36_600)
MAX_SPEND = Decimal(10) ** 9
#: Digits a usage number may have (the bounds above need far fewer): longer ones are refused before any arithmetic.
_MAX_DIGITS = 40

REQUIRED = ("alias", "requests", "input_tokens", "output_tokens")
OPTIONAL = ("cached_input_tokens", "audio_seconds", "images", "period_days")
COLUMNS = REQUIRED + OPTIONAL
_WHOLE = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")


def cents(amount: Decimal) -> Decimal:
    """``amount`` rounded to the cent, half to even: the one rounding every displayed figure gets."""
    return amount.quantize(CENT, rounding=ROUNDING)


# --- usage in ---------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Usage:
    """One alias's traffic for a 30-day month (quantities already scaled from the file's period)."""

    alias: str
    requests: Decimal = Decimal(0)
    input_tokens: Decimal = Decimal(0)
    output_tokens: Decimal = Decimal(0)
    cached_input_tokens: Decimal = Decimal(0)
    audio_seconds: Decimal = Decimal(0)
    images: Decimal = Decimal(0)

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.alias, *(_EXACT.add(getattr(self, f), getattr(other, f)) for f in _QUANTITIES))

    def scaled(self, factor: Decimal) -> Usage:
        return Usage(self.alias, *(_EXACT.multiply(getattr(self, f), factor) for f in _QUANTITIES))


_QUANTITIES = ("requests", "input_tokens", "output_tokens", "cached_input_tokens", "audio_seconds", "images")


@dataclasses.dataclass(frozen=True)
class Logged:
    """What the spend logs say about one model the gateway served: its logs summed (not scaled to a month)."""

    model: str  # as the logs name it (``model``; the names, comma-separated, when several are one Models row)
    ref: str | None  # the registry's Models row it is, when one matches
    logs: int
    usage: Usage  # prompt, completion and cached tokens (``alias`` is the model group of its first log)
    recorded: Decimal  # the sum of the logs' ``spend``


@dataclasses.dataclass(frozen=True)
class UsageFile:
    path: str
    format: Literal["csv", "spend-logs"]
    usage: dict[str, Usage]  # per alias, for a 30-day month, in the file's order
    period: str  # how the file's period was read, for people
    where: dict[str, tuple[int, int]]  # an alias's first line and column (for the unknown-alias error)
    logged: tuple[Logged, ...] = ()


def read_usage(text: str, path: str, registry: ResolvedRegistry, *, period_days: Decimal | None = None,
               known: Sequence[str] | None = None) -> UsageFile:
    """A usage file: spend logs when it is JSON (starts with ``[`` or ``{``), else the CSV. Strict: exit 2 on
    any bad header, row, number, or an alias the registry (or ``known``: ``regc diff`` knows both sides') lacks."""
    text = text.removeprefix("\ufeff")
    spend_logs = text.lstrip()[:1] in ("[", "{")
    found = _read_spend_logs(text, path, registry, period_days) if spend_logs else _read_csv(text, path, period_days)
    check_aliases(found, list(known) if known is not None else [a.name for a in registry.aliases])
    return found


def check_aliases(found: UsageFile, known: Sequence[str]) -> None:
    """Every alias of ``found`` is in ``known``, or exit 2 at its first line with the nearest known spelling."""
    from regc.parse.suggest import nearest

    errors = []
    for alias, (line, col) in found.where.items():
        if alias not in known:
            near = nearest(alias, known)
            hint = f"; did you mean `{near}`?" if near else ""
            errors.append(Diagnostic(found.path, line, col, f"unknown alias {alias!r}: expected an alias of the registry{hint}"))
    if errors:
        raise InputError(errors)


def _read_csv(text: str, path: str, period_days: Decimal | None) -> UsageFile:
    """``alias,requests,input_tokens,output_tokens[,cached_input_tokens][,audio_seconds][,images][,period_days]``."""
    from regc.parse.suggest import nearest

    default_period = period_days if period_days is not None else MONTH_DAYS
    header: list[str] | None = None
    usage: dict[str, Usage] = {}
    where: dict[str, tuple[int, int]] = {}
    periods: set[Decimal] = set()
    errors: list[Diagnostic] = []

    def fail(line: int, col: int, message: str) -> None:
        errors.append(Diagnostic(path, line, col, message))

    for number, raw in enumerate(text.splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        try:
            fields = _fields(raw)
        except _QuoteError as exc:
            fail(number, exc.col, "a double quote that is never closed: expected a field wrapped in a pair of quotes")
            continue
        if header is None:
            header = [name for name, _ in fields]
            suggested = set()
            for name, col in fields:
                if name not in COLUMNS:
                    near = nearest(name, COLUMNS)
                    suggested.add(near)
                    hint = f"; did you mean `{near}`?" if near else ""
                    fail(number, col, f"unknown column {name!r}{hint} (columns: {', '.join(REQUIRED)}, optional {', '.join(OPTIONAL)})")
                elif header.count(name) > 1 and header.index(name) != fields.index((name, col)):
                    fail(number, col, f"column {name!r} appears twice")
            missing = [c for c in REQUIRED if c not in header and c not in suggested]  # a misspelling is said once
            if missing:
                fail(number, 1, f"the header lacks {', '.join(missing)}: expected `{','.join(REQUIRED)}` "
                                f"(then any of {', '.join(OPTIONAL)})")
            if errors:
                raise InputError(errors)
            continue
        if len(fields) != len(header):
            col = fields[len(header)][1] if len(fields) > len(header) else len(raw) + 1
            fail(number, col, f"expected {len(header)} fields ({','.join(header)}), found {len(fields)}")
            continue
        values: dict[str, Decimal] = {}
        before = len(errors)
        alias, alias_col = fields[header.index("alias")]
        if not alias:
            fail(number, alias_col, "expected an alias name, found an empty field")
        for (value, col), name in zip(fields, header, strict=True):
            if name == "alias":
                continue
            decimal_allowed = name in ("audio_seconds", "period_days")
            if not (_NUMBER if decimal_allowed else _WHOLE).fullmatch(value):
                shape = "a number such as 90 or 12.5" if decimal_allowed else "a whole number such as 120000 (no separators)"
                fail(number, col, f"{name}: expected {shape}, found {value!r}")
                continue
            if name == "period_days":
                problem = period_problem(Decimal(value))
            elif len(value) > _MAX_DIGITS or Decimal(value) > MAX_QUANTITY:
                problem = f"expected at most {MAX_QUANTITY:,} a row, found {_shown(value)}"
            else:
                problem = None
            if problem is not None:
                fail(number, col, f"{name}: {problem}")
                continue
            values[name] = Decimal(value)
        if len(errors) > before:
            continue
        period = values.pop("period_days", default_period)
        if values.get("cached_input_tokens", Decimal(0)) > values["input_tokens"]:
            fail(number, fields[header.index("cached_input_tokens")][1],
                 "cached_input_tokens: expected at most input_tokens (cached tokens are part of the input tokens)")
            continue
        periods.add(period)
        row = Usage(alias, **values).scaled(_EXACT.divide(MONTH_DAYS, period))
        usage[alias] = usage[alias] + row if alias in usage else row
        where.setdefault(alias, (number, alias_col))
    if header is None:
        fail(1, 1, f"empty usage file: expected the header `{','.join(REQUIRED)}` and a row per alias")
    if errors:
        raise InputError(errors)
    shown = ", ".join(f"{_number(p)} days" for p in sorted(periods)) or f"{_number(default_period)} days"
    return UsageFile(path, "csv", usage, f"rows of {shown}, scaled to 30 days", where)


def period_problem(days: Decimal) -> str | None:
    """What is wrong with a period of ``days`` (a CSV's ``period_days``, ``--period-days``), or None."""
    if not days.is_finite() or not MIN_PERIOD_DAYS <= days <= MAX_PERIOD_DAYS:
        return f"expected a number of days from {MIN_PERIOD_DAYS} to {MAX_PERIOD_DAYS:,}, found {_shown(str(days))}"
    return None


def _shown(text: str) -> str:
    """A number as the file wrote it, cut short when it is long (an error message quotes it)."""
    return repr(text if len(text) <= 24 else f"{text[:12]}...{text[-6:]} ({len(text)} characters)")


class _QuoteError(ValueError):
    def __init__(self, col: int) -> None:
        super().__init__(col)
        self.col = col


def _fields(line: str) -> list[tuple[str, int]]:
    """A CSV line's fields, stripped of spaces and one pair of double quotes, each with its 1-based column.

    A quoted field may hold commas, as a spreadsheet exports `"1,000,000"` (the number's check then says that it
    takes no separators); a quote never closed is a ``_QuoteError`` at its column.
    """
    found = []
    start = 0
    parts = line.split(",")
    index = 0
    while index < len(parts):
        part = parts[index]
        begin = start + (len(part) - len(part.lstrip()))
        if part.lstrip().startswith('"'):
            while not (len(part.strip()) >= 2 and part.strip().endswith('"')) and index + 1 < len(parts):
                index += 1
                part += "," + parts[index]
            if not (len(part.strip()) >= 2 and part.strip().endswith('"')):
                raise _QuoteError(begin + 1)
        stripped = part.strip()
        if len(stripped) >= 2 and stripped[0] == stripped[-1] == '"':
            stripped = stripped[1:-1].strip()
        found.append((stripped, begin + 1))
        start += len(part) + 1
        index += 1
    return found


def _read_spend_logs(text: str, path: str, registry: ResolvedRegistry, period_days: Decimal | None) -> UsageFile:
    """LiteLLM's ``GET /spend/logs`` answer: a JSON array of SpendLogs rows (or ``{"data": [...]}``, as /spend/logs/v2).

    Each successful log counts one request of its ``model_group`` (the alias the client sent) with its
    ``prompt_tokens`` and ``completion_tokens`` (and ``metadata.additional_usage_values.cache_read_input_tokens``);
    a log whose ``status`` is ``failure`` is skipped. The period is the first ``startTime`` to the last ``endTime``.
    """
    objects, errors = _json_objects(text, path)
    usage: dict[str, Usage] = {}
    where: dict[str, tuple[int, int]] = {}
    logged: dict[str, tuple[tuple[str, ...], str | None, int, Usage, Decimal]] = {}
    matched: dict[str, str | None] = {}
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None
    for log, offset in objects:
        def at(key: str, message: str, log_offset: int = offset) -> None:
            line, col = position(text, _key_offset(text, log_offset, key))
            errors.append(Diagnostic(path, line, col, message))

        if not isinstance(log, dict):
            line, col = position(text, offset)
            errors.append(Diagnostic(path, line, col, "expected a spend log (a JSON object with model_group, model, prompt_tokens, ...)"))
            continue
        if isinstance(log, _Object) and log.twice:
            at(log.twice[0], f"{log.twice[0]}: the key appears twice in this log; expected each key once (JSON readers "
                             "disagree on which value counts)")
            continue
        if log.get("status") == "failure":
            continue
        group, model = log.get("model_group"), log.get("model")
        if not isinstance(group, str) or not group:
            at("model_group", "model_group: expected the alias the client sent (a non-empty string)")
            continue
        if not isinstance(model, str) or not model:
            at("model", "model: expected the model the gateway served (a non-empty string)")
            continue
        counts: dict[str, int] = {}
        for key in ("prompt_tokens", "completion_tokens"):
            value = log.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUANTITY:
                at(key, f"{key}: expected a whole number of tokens from 0 to {MAX_QUANTITY:,}, found {_json_shown(value)}")
            counts[key] = value if isinstance(value, int) and 0 <= value <= MAX_QUANTITY else 0
        cached = _cached_tokens(log.get("metadata"))
        if isinstance(cached, str):
            at("metadata", f"metadata: {cached}")
            continue
        spend = log.get("spend", 0)
        if isinstance(spend, bool) or not isinstance(spend, (int, Decimal)) or not 0 <= spend <= MAX_SPEND:
            at("spend", f"spend: expected the cost in USD the gateway recorded (a number from 0 to {MAX_SPEND:,}), "
                        f"found {_json_shown(spend)}")
            continue
        times = []
        for key in ("startTime", "endTime"):
            value = log.get(key)
            if value is None and key == "endTime":
                continue
            moment = _timestamp(value)
            if moment is None:
                at(key, f"{key}: expected an ISO 8601 time such as 2026-11-01T12:00:00Z, found {value!r}")
            else:
                times.append(moment)
        if cached > counts["prompt_tokens"]:
            at("metadata", "metadata: cache_read_input_tokens is more than prompt_tokens")
            continue
        if len(times) < 1 or errors:
            continue
        first = min(times[0], first) if first else times[0]
        last = max(times[-1], last) if last else times[-1]
        one = Usage(group, Decimal(1), Decimal(counts["prompt_tokens"]), Decimal(counts["completion_tokens"]), Decimal(cached))
        usage[group] = usage[group] + one if group in usage else one
        if group not in where:  # a position costs a scan of the text before it: once per alias, not once per log
            where[group] = position(text, _key_offset(text, offset, "model_group"))
        ref = matched[model] if model in matched else matched.setdefault(model, _match(registry, model, group))
        key = ref or model  # `acme/big` and `big` (with custom_llm_provider acme) are one Models row
        previous = logged.get(key)
        recorded = Decimal(spend)
        if previous is None:
            logged[key] = ((model,), ref, 1, one, recorded)
        else:
            names = previous[0] if model in previous[0] else (*previous[0], model)
            logged[key] = (names, ref, previous[2] + 1, previous[3] + one, _EXACT.add(previous[4], recorded))
    if errors:
        raise InputError(errors)
    if period_days is not None:
        days = period_days
        period = f"{_number(days)} days (--period-days), scaled to 30 days"
    else:
        if first is None or last is None or last <= first:
            raise InputError.at(path, 1, "the spend logs span no time (one moment or none): expected logs over a period, "
                                "or give their period with --period-days")
        seconds = _EXACT.divide(Decimal(int((last - first).total_seconds() * 1_000_000)), Decimal(1_000_000))
        days = _EXACT.divide(seconds, Decimal(86_400))
        period = (f"logs from {_utc(first)} to {_utc(last)} "
                  f"({days.quantize(Decimal('0.01'))} days), scaled to 30 days")
    factor = _EXACT.divide(MONTH_DAYS, days)
    monthly = {alias: u.scaled(factor) for alias, u in usage.items()}
    served = tuple(Logged(", ".join(names), ref, count, u, recorded) for names, ref, count, u, recorded in logged.values())
    return UsageFile(path, "spend-logs", monthly, period, where, served)


class _LongNumber(str):
    """A JSON number of more digits than any usage figure has: kept as its text, so that the field it stands in is
    refused at its line, rather than converted (Python refuses an integer of 4,300 digits; Decimal would take it)."""


def _number_of(text: str) -> object:
    return _LongNumber(text) if len(text) > _MAX_DIGITS else Decimal(text)


def _int_of(text: str) -> object:
    return _LongNumber(text) if len(text) > _MAX_DIGITS else int(text)


class _Object(dict[str, object]):
    """A JSON object with the keys it wrote more than once (readers disagree on which value counts: none is taken)."""

    twice: tuple[str, ...] = ()


def _object_of(pairs: list[tuple[str, object]]) -> _Object:
    found = _Object(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen and key not in twice:
                twice.append(key)
            seen.add(key)
        found.twice = tuple(twice)
    return found


def _json_shown(value: object) -> str:
    if isinstance(value, _LongNumber):
        return _shown(str(value))
    if isinstance(value, Decimal):
        return _shown(str(value))
    return _shown(json.dumps(value)) if isinstance(value, (str, int, float, list, dict, type(None))) else repr(value)


def _json_objects(text: str, path: str) -> tuple[list[tuple[object, int]], list[Diagnostic]]:
    """The array's items, each with its offset in ``text`` (for ``file:line:col``); the array is the whole file."""
    # A recorded spend keeps the digits the gateway wrote; an overlong number stays text (``_LongNumber``).
    decoder = json.JSONDecoder(parse_float=_number_of, parse_int=_int_of, object_pairs_hook=_object_of)
    start = len(text) - len(text.lstrip())
    try:
        document, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise InputError.at(path, exc.lineno, f"not JSON: {exc.msg}", exc.colno) from None
    except RecursionError:  # the C scanner recurses once per level
        raise InputError.at(path, 1, "the JSON is nested too deep to read: expected LiteLLM's spend logs, an array of "
                            "flat log objects") from None
    rest = len(text) - len(text[end:].lstrip())
    if rest < len(text):
        line, col = position(text, rest)
        raise InputError.at(path, line, "extra data after the spend logs: the file holds one JSON array (two exports "
                            "appended to one file are two arrays: join them into one)", col)
    if isinstance(document, dict) and isinstance(document.get("data"), list):
        start = text.index("[", _key_offset(text, start, "data"))
    elif not isinstance(document, list):
        line, col = position(text, start)
        raise InputError.at(path, line, "expected LiteLLM's spend logs: a JSON array of logs, as GET /spend/logs returns "
                            "(or {\"data\": [...]}), or a usage CSV", col)
    found = []
    index = start + 1
    while True:
        index = _skip(text, index)
        if text[index] == "]":
            break
        item, end = decoder.raw_decode(text, index)
        found.append((item, index))
        index = _skip(text, end)
        if text[index] == ",":
            index += 1
    return found, []


def _skip(text: str, index: int) -> int:
    while text[index] in " \t\r\n":
        index += 1
    return index


def _key_offset(text: str, start: int, key: str) -> int:
    """Where ``"key"`` is written in the object that starts at ``start`` (the object's start when not found)."""
    found = text.find(json.dumps(key), start, start + 65_536)
    return found if found >= 0 else start


def _cached_tokens(metadata: object) -> int | str:
    """``cache_read_input_tokens`` from a log's metadata (a JSON string in the database, an object in the API), 0 when
    it is not there; what is wrong with it (a message) when metadata or the count is malformed."""
    if metadata is None:
        return 0
    if isinstance(metadata, str):
        try:
            metadata = json.loads(metadata, parse_int=_int_of, parse_float=_number_of)
        except (json.JSONDecodeError, RecursionError):
            return "expected an object (or a JSON string of one), found a string that is not JSON"
    if not isinstance(metadata, dict):
        return f"expected an object, found {_json_shown(metadata)}"
    extra = metadata.get("additional_usage_values")
    if extra is None:
        return 0
    if not isinstance(extra, dict):
        return f"additional_usage_values: expected an object, found {_json_shown(extra)}"
    value = extra.get("cache_read_input_tokens")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_QUANTITY:
        return f"cache_read_input_tokens: expected a whole number of tokens from 0 to {MAX_QUANTITY:,}, found {_json_shown(value)}"
    return value


def _timestamp(value: object) -> datetime.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=datetime.UTC)


def _match(registry: ResolvedRegistry, model: str, group: str) -> str | None:
    """The Models row a logged ``model`` is: written as the registry writes it, else the one of the alias's chain (then
    of the registry) whose id it ends with (LiteLLM writes ``gemini/gemini-2.5-pro`` or ``claude-sonnet-4-6``)."""
    if registry.model(model) is not None:
        return model
    chain = [str(ref) for ref in registry.resolve(group).models] if group in _names(registry) else []
    for candidates in (chain, [str(m.ref) for m in registry.models]):
        hits = {ref for ref in candidates if (m := registry.model(ref)) is not None
                and (model == m.ref.model or model.endswith("/" + m.ref.model))}
        if len(hits) == 1:
            return hits.pop()
    return None


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _names(registry: ResolvedRegistry) -> set[str]:
    return {a.name for a in registry.aliases}


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


# --- money out --------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Priced:
    """One model of an alias's chain carrying the alias's whole load."""

    model: str
    role: str  # "primary", "fallback 1", ...
    usd: Decimal | None  # exact, per month; None when a price the traffic needs is unknown
    estimate: bool = False  # a price range was used (its upper figure)
    missing: str = ""  # why ``usd`` is unknown


@dataclasses.dataclass(frozen=True)
class AliasCost:
    usage: Usage
    chain: tuple[Priced, ...]

    @property
    def primary(self) -> Priced:
        return self.chain[0]

    @property
    def worst(self) -> Priced | None:
        """The most expensive model of the chain whose cost is known (the first of equals)."""
        known = [p for p in self.chain if p.usd is not None]
        return max(known, key=lambda p: p.usd or 0) if known else None


@dataclasses.dataclass(frozen=True)
class CostReport:
    source: str
    period: str
    aliases: tuple[AliasCost, ...]

    @property
    def primary_total(self) -> Decimal:
        return _sum(a.primary.usd for a in self.aliases)

    @property
    def worst_total(self) -> Decimal:
        return _sum(w.usd for a in self.aliases if (w := a.worst) is not None)

    @property
    def complete(self) -> bool:
        """Every primary's cost is known (else the totals are a floor)."""
        return all(a.primary.usd is not None for a in self.aliases)


def _sum(amounts: Iterable[Decimal | None]) -> Decimal:
    total = Decimal(0)
    for amount in amounts:
        if amount is not None:
            total = _EXACT.add(total, amount)
    return total


def estimate(registry: ResolvedRegistry, found: UsageFile, names: Sequence[str] = ()) -> CostReport:
    """Each alias of the usage (only ``names`` when given), priced on its primary and on each fallback."""
    rows = []
    for alias, usage in found.usage.items():
        if names and alias not in names:
            continue
        chain = registry.resolve(alias).models
        rows.append(AliasCost(usage, tuple(price(registry.model(ref), str(ref), "primary" if i == 0 else f"fallback {i}", usage)
                                           for i, ref in enumerate(chain))))
    return CostReport(found.path, found.period, tuple(rows))


def price(model: Model | None, ref: str, role: str, usage: Usage) -> Priced:
    """What ``usage`` costs on ``model`` (exact): each price on the quantity its unit names."""
    from regc.model import Price

    if model is None:
        return Priced(ref, role, None, missing="no Models row")
    total = Decimal(0)
    used_estimate = False
    cache = model.cache_read if isinstance(model.cache_read, Price) and model.cache_read.unit == "mtok" else None
    for side in ("input", "output"):
        cell = getattr(model, side)
        tokens = usage.input_tokens if side == "input" else usage.output_tokens
        needed = tokens + usage.audio_seconds + usage.images
        if cell == "n/a" or (cell is None and needed == 0):
            continue
        if not isinstance(cell, Price):
            return Priced(ref, role, None, missing=f"no {side} price")
        used_estimate = used_estimate or cell.estimate
        if cell.unit == "mtok":
            billed = tokens
            if side == "input" and cache is not None:
                billed = _EXACT.subtract(tokens, usage.cached_input_tokens)
                total = _EXACT.add(total, _EXACT.divide(_EXACT.multiply(usage.cached_input_tokens, cache.usd), MTOK))
            total = _EXACT.add(total, _EXACT.divide(_EXACT.multiply(billed, cell.usd), MTOK))
        elif cell.unit == "minute":
            total = _EXACT.add(total, _EXACT.divide(_EXACT.multiply(usage.audio_seconds, cell.usd), Decimal(60)))
        elif cell.unit == "second":
            total = _EXACT.add(total, _EXACT.multiply(usage.audio_seconds, cell.usd))
        else:  # image
            total = _EXACT.add(total, _EXACT.multiply(usage.images, cell.usd))
    return Priced(ref, role, total, used_estimate or (cache is not None and cache.estimate))


# --- billed versus declared -------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Drift:
    """One served model: what the gateway recorded against what the registry's prices give for the same tokens."""

    model: str
    ref: str | None
    logs: int
    recorded: Decimal
    declared: Decimal | None
    flagged: bool
    note: str = ""

    @property
    def percent(self) -> Decimal | None:
        if self.declared is None or self.declared == 0:
            return None
        return _EXACT.divide(_EXACT.multiply(_EXACT.subtract(self.recorded, self.declared), Decimal(100)), self.declared)


def billing(registry: ResolvedRegistry, found: UsageFile, *, percent: Decimal, usd: Decimal) -> tuple[Drift, ...]:
    """Per served model: a difference is flagged when it is more than ``usd`` dollars AND more than ``percent`` % of
    the registry's figure (both, so neither a cent of rounding nor a fraction of a percent on a large bill is noise)."""
    from regc.model import Price

    found_drifts = []
    for logged in found.logged:
        model = registry.model(logged.ref) if logged.ref else None
        if model is None:
            found_drifts.append(Drift(logged.model, None, logged.logs, logged.recorded, None, True,
                                      "the registry has no Models row for this model: the gateway serves a model the registry "
                                      "does not list"))
            continue
        cells = [c for c in (model.input, model.output) if isinstance(c, Price)]
        if any(c.unit != "mtok" for c in cells):
            found_drifts.append(Drift(logged.model, logged.ref, logged.logs, logged.recorded, None, False,
                                      "priced per minute, second or image: spend logs carry tokens only, not compared"))
            continue
        declared = price(model, str(model.ref), "", logged.usage).usd
        if declared is None:
            found_drifts.append(Drift(logged.model, logged.ref, logged.logs, logged.recorded, None, False,
                                      "the registry has no price for it: not compared"))
            continue
        difference = abs(_EXACT.subtract(logged.recorded, declared))
        flagged = difference > usd and _EXACT.multiply(difference, Decimal(100)) > _EXACT.multiply(percent, declared)
        note = "registry price stale, or the gateway prices another model" if flagged else ""
        found_drifts.append(Drift(logged.model, logged.ref, logged.logs, logged.recorded, declared, flagged, note))
    return tuple(found_drifts)


# --- rendering --------------------------------------------------------------------


def usd(amount: Decimal | None, *, estimate: bool = False) -> str:
    """``$1,234.56`` (rounded once, half to even); ``~`` before an estimate; ``unknown``."""
    if amount is None:
        return "unknown"
    rounded = cents(amount)
    sign = "-" if rounded < 0 else ""
    return f"{'~' if estimate else ''}{sign}${abs(rounded):,.2f}"


def _count(value: Decimal) -> str:
    """A monthly quantity for people: whole numbers with separators (scaling can leave fractions)."""
    return f"{value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN, context=_EXACT):,}"


def _cost_text(priced: Priced) -> str:
    return usd(priced.usd, estimate=priced.estimate) if priced.usd is not None else f"unknown ({priced.missing})"


def _traffic(u: Usage) -> str:
    parts = [f"{_count(u.requests)} requests", f"{_count(u.input_tokens)} input tokens"]
    if u.cached_input_tokens:
        parts[-1] += f" ({_count(u.cached_input_tokens)} cached)"
    parts.append(f"{_count(u.output_tokens)} output tokens")
    if u.audio_seconds:
        parts.append(f"{_count(u.audio_seconds)} s of audio")
    if u.images:
        parts.append(f"{_count(u.images)} images")
    return ", ".join(parts)


def _totals(report: CostReport) -> str:
    floor = "" if report.complete else " (at least: some primaries' prices are unknown)"
    return (f"total: {usd(report.primary_total)} a month on the primaries{floor}; "
            f"{usd(report.worst_total)} if every alias fell to its most expensive model")


def text(report: CostReport, drifts: Sequence[Drift] = ()) -> str:
    from regc.escape import terminal

    lines = [f"Monthly cost at the registry's prices, for the traffic in {report.source} ({report.period}):", ""]
    for row in report.aliases:
        lines.append(f"{row.usage.alias}: {_traffic(row.usage)} a month")
        worst = row.worst
        width = max(len(p.model) for p in row.chain)
        for priced in row.chain:
            mark = "  <- worst case" if len(row.chain) > 1 and priced is worst else ""
            lines.append(f"  {priced.role:<11} {priced.model:<{width}}  {_cost_text(priced):>12}{mark}")
    lines += ["", _totals(report)]
    if drifts:
        lines += ["", *_drift_lines(drifts)]
    return terminal("\n".join(lines) + "\n")


def _drift_lines(drifts: Sequence[Drift]) -> list[str]:
    lines = ["Billed versus declared (spend logs' recorded spend against the registry's prices for the same tokens):"]
    for d in drifts:
        served = d.model if d.ref in (None, d.model) else f"{d.model} ({d.ref})"
        percent = f", {d.percent:+.1f}%" if d.percent is not None else ""
        figures = f"recorded {usd(d.recorded)}"
        if d.declared is not None:
            figures += f", registry {usd(d.declared)}{percent}"
        verdict = "DIFFERS: " if d.flagged else ("ok" if not d.note else "")
        lines.append(f"  {served}: {d.logs} log{'' if d.logs == 1 else 's'}, {figures}  {verdict}{d.note}".rstrip())
    return lines


def markdown(report: CostReport, drifts: Sequence[Drift] = ()) -> str:
    from regc.escape import terminal
    from regc.reports.diffreport import cell, code

    lines = ["### Monthly cost at the registry's prices", "", f"Traffic: {cell(report.source)} ({cell(report.period)}).", "",
             "| alias | requests | primary | $/month | worst case | $/month |", "|---|---:|---|---:|---|---:|"]
    for row in report.aliases:
        worst = row.worst
        lines.append(f"| {code(row.usage.alias)} | {_count(row.usage.requests)} | {code(row.primary.model)} | {_cost_text(row.primary)} | "
                     f"{code(worst.model) if worst else 'unknown'} | {usd(worst.usd, estimate=worst.estimate) if worst else 'unknown'} |")
    lines += [f"| **total** | | | **{usd(report.primary_total)}** | | **{usd(report.worst_total)}** |", ""]
    if not report.complete:
        lines += ["The totals are a floor: some primaries' prices are unknown.", ""]
    if drifts:
        lines += ["#### Billed versus declared", "", "| model served | logs | recorded | registry | difference | |",
                  "|---|---:|---:|---:|---:|---|"]
        for d in drifts:
            percent = f"{d.percent:+.1f}%" if d.percent is not None else ""
            lines.append(f"| {code(d.model)} | {d.logs} | {usd(d.recorded)} | {usd(d.declared)} | {percent} | "
                         f"{'**differs**: ' if d.flagged else ''}{cell(d.note)} |")
        lines.append("")
    return terminal("\n".join(lines))


def _money(amount: Decimal | None) -> str | None:
    """An amount for JSON: the cents as a string (``"1234.56"``, exact for every reader), null when unknown."""
    return str(cents(amount)) if amount is not None else None


def to_json(report: CostReport, drifts: Sequence[Drift] = ()) -> str:
    document = {
        "usage": report.source,
        "period": report.period,
        "rounding": "ROUND_HALF_EVEN to the cent, once per figure",
        "aliases": [{
            "alias": row.usage.alias,
            "monthly": {f: str(cents(getattr(row.usage, f))) for f in _QUANTITIES},
            "chain": [{"model": p.model, "role": p.role, "usd": _money(p.usd), "estimate": p.estimate, "missing": p.missing or None}
                      for p in row.chain],
            "worst": {"model": w.model, "usd": _money(w.usd)} if (w := row.worst) else None,
        } for row in report.aliases],
        "total": {"primary_usd": _money(report.primary_total), "worst_usd": _money(report.worst_total), "complete": report.complete},
        "billing": [{"model": d.model, "registry_model": d.ref, "logs": d.logs, "recorded_usd": str(d.recorded),
                     "registry_usd": _money(d.declared), "flagged": d.flagged, "note": d.note or None} for d in drifts],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- the plan: cost before and after a registry change ----------------------------


@dataclasses.dataclass(frozen=True)
class CostChange:
    alias: str
    before: Decimal | None  # None: unknown, or the alias does not exist on that side
    after: Decimal | None
    exists_before: bool = True
    exists_after: bool = True

    @property
    def delta(self) -> Decimal | None:
        if self.before is None and not self.exists_before:
            return self.after
        if self.after is None and not self.exists_after:
            return _EXACT.minus(self.before) if self.before is not None else None
        return _EXACT.subtract(self.after, self.before) if self.before is not None and self.after is not None else None


def plan(old: ResolvedRegistry, new: ResolvedRegistry, found: UsageFile,
         changed: Sequence[str]) -> tuple[list[CostChange], Decimal, Decimal]:
    """The primary's monthly cost of each changed alias that has traffic, before and after; and the whole bill before and after."""
    old_names = {a.name for a in old.aliases}
    new_names = {a.name for a in new.aliases}

    def bill(registry: ResolvedRegistry, names: set[str]) -> dict[str, Decimal | None]:
        return {alias: price(registry.model(registry.resolve(alias).primary), "", "", usage).usd
                for alias, usage in found.usage.items() if alias in names}

    before, after = bill(old, old_names), bill(new, new_names)
    rows = [CostChange(alias, before.get(alias), after.get(alias), alias in old_names, alias in new_names)
            for alias in changed if alias in found.usage]
    rows = [r for r in rows if r.before != r.after or not (r.exists_before and r.exists_after)]
    return rows, _sum(before.values()), _sum(after.values())


def percent_text(before: Decimal | None, after: Decimal | None) -> str:
    if before is None or after is None:
        return ""
    if before == 0:
        return "new cost" if after else "±0%"
    change = _EXACT.divide(_EXACT.multiply(_EXACT.subtract(after, before), Decimal(100)), before)
    return f"{change.quantize(Decimal('0.1'), rounding=ROUNDING):+}%"


def plan_markdown(rows: Sequence[CostChange], total_before: Decimal, total_after: Decimal, source: str, period: str) -> str:
    from regc.reports.diffreport import cell, code

    lines = ["#### Monthly cost", "", f"At the traffic in {cell(source)} ({cell(period)}), on each alias's primary.", ""]
    if not rows:
        lines += ["No changed alias with traffic changes cost.", ""]
    else:
        lines += ["| alias | before | after | change | % |", "|---|---:|---:|---:|---:|"]
        for row in rows:
            before = usd(row.before) if row.exists_before else "(new)"
            after = usd(row.after) if row.exists_after else "(removed)"
            delta = _signed(row.delta)
            lines.append(f"| {code(row.alias)} | {before} | {after} | {delta} | {percent_text(row.before, row.after)} |")
    change = _signed(_EXACT.subtract(total_after, total_before))
    lines += [f"| **total** | **{usd(total_before)}** | **{usd(total_after)}** | **{change}** | "
              f"**{percent_text(total_before, total_after)}** |" if rows else
              f"Total: {usd(total_before)} a month before and after.", ""]
    return "\n".join(lines)


def _signed(amount: Decimal | None) -> str:
    if amount is None:
        return "unknown"
    rounded = cents(amount)
    return ("+" if rounded > 0 else "") + usd(rounded) if rounded != 0 else "$0.00"


def plan_text(rows: Sequence[CostChange], total_before: Decimal, total_after: Decimal) -> str:
    lines = [f"{row.alias}: cost {usd(row.before) if row.exists_before else '(new)'} → "
             f"{usd(row.after) if row.exists_after else '(removed)'} a month ({_signed(row.delta)}"
             f"{', ' + p if (p := percent_text(row.before, row.after)) else ''})" for row in rows]
    change = percent_text(total_before, total_after)
    lines.append(f"total: cost {usd(total_before)} → {usd(total_after)} a month ({_signed(_EXACT.subtract(total_after, total_before))}"
                 f"{', ' + change if change else ''})")
    return "\n".join(lines) + "\n"


def plan_data(rows: Sequence[CostChange], total_before: Decimal, total_after: Decimal, source: str, period: str) -> dict[str, object]:
    return {
        "usage": source,
        "period": period,
        "aliases": [{"alias": r.alias, "before_usd": _money(r.before) if r.exists_before else None,
                     "after_usd": _money(r.after) if r.exists_after else None, "change_usd": _money(r.delta),
                     "change_percent": percent_text(r.before, r.after) or None} for r in rows],
        "total": {"before_usd": _money(total_before), "after_usd": _money(total_after),
                  "change_usd": _money(_EXACT.subtract(total_after, total_before)),
                  "change_percent": percent_text(total_before, total_after) or None},
    }
