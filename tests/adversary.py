"""Adversarial inputs for a regular expression, and a child process that times a pattern on them.

``inputs(pattern)`` reads the pattern's own syntax tree (``re._parser``) and builds the strings that make a
backtracking engine slow: every loop of the pattern *pumped* (its body repeated tens of thousands of times,
after the text that leads to it and before a character that makes the match fail), each with the characters
the loop accepts (spaces, letters, digits, the pattern's own literals), and megabytes of whitespace. A linear
pattern reads each in milliseconds; a quadratic one takes seconds on the pumped strings and hours on the
megabytes, which is what ``tests/test_regex_linear.py`` looks for.

Run as ``python -m tests.adversary``, it reads one JSON object per line on stdin (``{"pattern", "flags",
"methods"}``), prints ``{"start": what}`` before each timed run and ``{"seconds": worst, "input": what}`` after
the last, so that the parent knows which input a pattern is stuck on and can kill it there.
"""

from __future__ import annotations

import json
import re
import re._constants as c  # the node types of re._parser's tree
import re._parser as parser
import sys
import time
from collections.abc import Iterator
from typing import Any

#: Characters a loop is pumped with, where it accepts them (and the pattern's own literals).
PUMP_CHARS = (" ", "a", "0", "\n", "\t", "-", ".")
#: How long a pumped string is, and the whitespace runs: large enough that quadratic time is seconds.
PUMP_LENGTH = 50_000
WHITESPACE_LENGTH = 1_000_000
#: What ends a pumped string: nothing, a character no pattern here accepts, and the rest of a match.
TAILS = ("", "\x00")


def inputs(pattern: re.Pattern[str]) -> Iterator[tuple[str, str]]:
    """(description, text) pairs: megabytes of whitespace, and every loop of the pattern pumped."""
    for char in (" ", "\n", "\t", "\r\n"):
        yield f"{len(char) * WHITESPACE_LENGTH // len(char):,} × {char!r}", char * (WHITESPACE_LENGTH // len(char))
    tree = parser.parse(pattern.pattern, pattern.flags)
    loops = list(_loops(tree))
    literals = _literals(tree)
    chars = list(dict.fromkeys([*PUMP_CHARS, *literals[:6]]))
    seen: set[str] = set()
    for index, _ in enumerate(loops):
        for char in chars:
            for whole in (False, True):
                text = _generate(tree, loops[index], char, stop=not whole)
                if text is None or len(text) < 1000:
                    continue
                for tail in TAILS:
                    candidate = text + tail
                    if candidate not in seen:
                        seen.add(candidate)
                        yield f"loop {index} pumped with {char!r}{' (whole match)' if whole else ''} + {tail!r}", candidate
    # Repeated near-matches: the shortest match, less its last character, over and over.
    shortest = _generate(tree, None, "a", stop=False) or ""
    for near in {shortest[:-1], shortest + " ", shortest + "\x00"}:
        if near:
            yield f"{near!r} repeated", near * max(1, PUMP_LENGTH // len(near))


def _loops(tree: Any) -> Iterator[Any]:
    """Every unbounded (or long) repetition node of the tree, outermost first."""
    for node in tree:  # the tree's own tuples: a loop is known by identity
        op, av = node
        if op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            _, high, body = av
            if high == c.MAXREPEAT or high >= 1000:
                yield node
            yield from _loops(body)
        elif op == c.SUBPATTERN:
            yield from _loops(av[3])
        elif op == c.ATOMIC_GROUP:
            yield from _loops(av)
        elif op == c.BRANCH:
            for branch in av[1]:
                yield from _loops(branch)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            yield from _loops(av[1])


def _literals(tree: Any) -> list[str]:
    found: list[str] = []
    for op, av in tree:
        if op == c.LITERAL:
            found.append(chr(av))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            found += _literals(av[2])
        elif op == c.SUBPATTERN:
            found += _literals(av[3])
        elif op == c.ATOMIC_GROUP:
            found += _literals(av)
        elif op == c.BRANCH:
            for branch in av[1]:
                found += _literals(branch)
        elif op == c.IN:
            found += [chr(v) for kind, v in av if kind == c.LITERAL]
    return list(dict.fromkeys(found))


class _StopError(Exception):
    def __init__(self, text: str) -> None:
        self.text = text


def _generate(tree: Any, target: Any, char: str, *, stop: bool) -> str | None:
    """A string the pattern reads up to ``target`` (the loop pumped with ``char``), then the rest of a
    shortest match unless ``stop``; None when ``char`` is not something the loop accepts first."""
    out: list[str] = []
    state = {"pumped": False, "first": True}
    try:
        ok = _emit(tree, target, char, stop, out, pumping=False, state=state)
    except _StopError as done:
        return done.text
    if target is not None and not state["pumped"]:
        return None
    return "".join(out) if ok else None


def _emit(tree: Any, target: Any, char: str, stop: bool, out: list[str], *, pumping: bool, state: dict[str, bool]) -> bool:
    for node in tree:
        op, av = node
        if op == c.LITERAL:
            out.append(chr(av))
            state["first"] = False
        elif op == c.NOT_LITERAL:
            wanted = char if pumping and state["first"] else "a"
            out.append(wanted if ord(wanted) != av else "b")
            state["first"] = False
        elif op == c.ANY:
            out.append(char if pumping and state["first"] else "a")
            state["first"] = False
        elif op == c.IN:
            pick = _pick(av, char) if pumping and state["first"] else None
            if pumping and state["first"] and pick is None:
                return False  # the loop does not start with ``char``: another variant pumps it
            pick = pick or _pick(av, None)
            if pick is None:
                return False
            out.append(pick)
            state["first"] = False
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, c.POSSESSIVE_REPEAT):
            low, _, body = av
            if node is target and not state["pumped"]:
                state["pumped"] = True
                sample: list[str] = []
                if not _emit(body, None, char, True, sample, pumping=True, state={"pumped": True, "first": True}):
                    return False
                piece = "".join(sample)
                if not piece:
                    return False
                out.append(piece * max(1, PUMP_LENGTH // len(piece)))
                if stop:
                    raise _StopError("".join(out))
            else:
                for _ in range(low):
                    if not _emit(body, target, char, stop, out, pumping=pumping, state=state):
                        return False
                if (low == 0 and target is not None and not state["pumped"] and _contains(body, target)
                        and not _emit(body, target, char, stop, out, pumping=pumping, state=state)):
                    return False
        elif op == c.SUBPATTERN:
            if not _emit(av[3], target, char, stop, out, pumping=pumping, state=state):
                return False
        elif op == c.ATOMIC_GROUP:
            if not _emit(av, target, char, stop, out, pumping=pumping, state=state):
                return False
        elif op == c.BRANCH:
            branches = av[1]
            chosen = next((b for b in branches if target is not None and _contains(b, target)), None)
            for branch in ([chosen] if chosen is not None else branches):
                attempt: list[str] = []
                if _emit(branch, target, char, stop, attempt, pumping=pumping, state=state):
                    out.extend(attempt)
                    break
            else:
                return False
        elif op in (c.AT, c.ASSERT, c.ASSERT_NOT, c.GROUPREF, c.GROUPREF_EXISTS):
            continue
        else:  # pragma: no cover - a node type this generator does not know: say so rather than guess
            raise AssertionError(f"unknown regex node {op}")
    return True


def _contains(tree: Any, target: Any) -> bool:
    return target is not None and any(node is target for node in _loops(tree))


_CATEGORY_CHARS = {
    c.CATEGORY_DIGIT: "0", c.CATEGORY_NOT_DIGIT: "a", c.CATEGORY_SPACE: " ", c.CATEGORY_NOT_SPACE: "a",
    c.CATEGORY_WORD: "a", c.CATEGORY_NOT_WORD: " ", c.CATEGORY_LINEBREAK: "\n", c.CATEGORY_NOT_LINEBREAK: "a",
}


def _pick(items: Any, wanted: str | None) -> str | None:
    """A character the class ``items`` accepts: ``wanted`` if it does (None if it does not), else any."""
    negate = bool(items) and items[0][0] == c.NEGATE
    def accepts(ch: str) -> bool:
        hit = any((kind == c.LITERAL and ord(ch) == value) or (kind == c.RANGE and value[0] <= ord(ch) <= value[1])
                  or (kind == c.CATEGORY and _category(value, ch)) for kind, value in items)
        return hit != negate
    if wanted is not None:
        return wanted if accepts(wanted) else None
    for kind, value in items:
        if kind == c.LITERAL and not negate:
            return chr(value)
        if kind == c.RANGE and not negate:
            return chr(value[0])
        if kind == c.CATEGORY and not negate:
            return _CATEGORY_CHARS.get(value, "a")
    return next((ch for ch in ("a", "0", " ", "x", "-", "!", "~", "\x01") if accepts(ch)), None)


def _category(value: Any, ch: str) -> bool:
    tests = {
        c.CATEGORY_DIGIT: ch.isdigit(), c.CATEGORY_NOT_DIGIT: not ch.isdigit(),
        c.CATEGORY_SPACE: ch.isspace(), c.CATEGORY_NOT_SPACE: not ch.isspace(),
        c.CATEGORY_WORD: ch.isalnum() or ch == "_", c.CATEGORY_NOT_WORD: not (ch.isalnum() or ch == "_"),
        c.CATEGORY_LINEBREAK: ch == "\n", c.CATEGORY_NOT_LINEBREAK: ch != "\n",
    }
    return tests.get(value, False)


def run(pattern: re.Pattern[str], method: str, text: str) -> float:
    """Seconds ``method`` (``match``, ``fullmatch``, or a scan: every match of ``finditer``) takes on ``text``."""
    start = time.perf_counter()
    if method == "match":
        pattern.match(text)
    elif method == "fullmatch":
        pattern.fullmatch(text)
    else:
        for _ in pattern.finditer(text):
            pass
    return time.perf_counter() - start


def worst(pattern: re.Pattern[str], methods: list[str], report: Any = None) -> tuple[float, str]:
    """The slowest (method, input) of the pattern on its adversarial inputs; ``report(what)`` is called before each run."""
    slowest, what = 0.0, ""
    for description, text in inputs(pattern):
        for method in methods:
            label = f"{method} on {description} ({len(text):,} characters)"
            if report is not None:
                report(label)
            seconds = run(pattern, method, text)
            if seconds > slowest:
                slowest, what = seconds, label
    return slowest, what


def main() -> None:
    """One JSON request a line in; a ``{"start": what}`` line before each run, and ``{"seconds", "input"}`` at the end."""
    def report(what: str) -> None:
        print(json.dumps({"start": what}), flush=True)

    for line in sys.stdin:
        request = json.loads(line)
        pattern = re.compile(request["pattern"], request["flags"])
        seconds, what = worst(pattern, request["methods"], report)
        print(json.dumps({"seconds": seconds, "input": what}), flush=True)


if __name__ == "__main__":
    main()
