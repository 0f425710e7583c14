"""Every regular expression regc applies to text runs in linear time, on inputs built to make it slow.

The patterns are found, not listed: every call of ``re.compile``, ``re.match``, ``re.search``, ... in
``compiler/regc`` is read from the source (``ast``), its pattern taken from the module that defines it (so a
pattern built from constants is the one regc runs), and the methods it is used with from the calls on it.
A pattern built at run time from values only known then (a key to look up, the secret patterns joined) must
be described in ``DYNAMIC`` with the patterns it takes; a new one that is not fails the test, so no regex can
escape it. Each pattern is then run by ``tests/adversary.py`` in a child process on megabytes of whitespace and
on every loop of the pattern pumped tens of thousands of times before a failing character: each run must end
within ``BOUND`` seconds (a linear pattern takes milliseconds; a quadratic one seconds to hours).
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import json
import os
import re
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator

import pytest

from tests.conftest import ROOT

PACKAGE = ROOT / "compiler" / "regc"
#: Seconds one method may take on one adversarial input (linear patterns here take at most a few hundredths).
BOUND = 1.0
_METHODS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "finditer", "findall"}
_SCANS = {"search", "sub", "subn", "split", "finditer", "findall"}


@dataclasses.dataclass(frozen=True)
class Site:
    """A regex that regc runs: where, the pattern, and how it is applied (``match``, ``fullmatch``, or a scan)."""

    where: str
    pattern: re.Pattern[str]
    methods: tuple[str, ...]


def _dynamic_secret_patterns() -> list[tuple[re.Pattern[str], str]]:
    from regc.rules import no_inline_secret

    return [(re.compile(p), "fullmatch") for p in no_inline_secret.PATTERNS.values()]


def _dynamic_scanner() -> list[tuple[re.Pattern[str], str]]:
    from regc.rules import no_inline_secret

    return [(no_inline_secret._compiled(()), "finditer")]


#: Patterns built at run time: (module, function) -> the patterns that site runs, with their method. A user's own
#: `extra_patterns` (no-inline-secret's option) are that user's regexes, compiled to be checked, not regc's.
DYNAMIC: dict[tuple[str, str], Callable[[], list[tuple[re.Pattern[str], str]]]] = {
    ("model/config.py", "key_line"): lambda: [(re.compile(rf'\s*"?{re.escape(key)}"?\s*='), "match") for key in ("path", "my-llm")],
    ("catalogs/_read.py", "line_of_key"): lambda: [(re.compile(re.escape('"gpt-4o"') + r"\s*:"), "search"),
                                                    (re.compile(re.escape('"gpt-4o"')), "search")],
    ("rules/no_inline_secret.py", "_compiled"): _dynamic_scanner,
    ("rules/no_inline_secret.py", "find_secrets"): _dynamic_secret_patterns,
    ("rules/no_inline_secret.py", "_compiles"): lambda: [],
}


def _modules() -> Iterator[tuple[str, str, ast.Module]]:
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).as_posix()
        module = "regc." + relative.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        yield relative, module, ast.parse(path.read_text(encoding="utf-8"))


def _is_re_call(node: ast.AST) -> str | None:
    """``re.X(...)``: X, else None."""
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"):
        return node.func.attr
    return None


def _uses() -> dict[str, set[str]]:
    """Name of a compiled pattern -> the methods called on it anywhere in the package (``X.fullmatch``, ``cells.X.match``)."""
    found: dict[str, set[str]] = {}
    for _, _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _METHODS - {"compile"}:
                owner = node.func.value
                name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
                if name is not None and name != "re":
                    found.setdefault(name, set()).add(node.func.attr)
    return found


def _function_of(tree: ast.Module) -> dict[ast.AST, str]:
    owners: dict[ast.AST, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for inner in ast.walk(node):
                owners.setdefault(inner, node.name)
    return owners


def _global(name: str) -> object:
    """A module-level value of the package by name (a pattern string imported inside a function)."""
    for _, module, _ in _modules():
        value = getattr(importlib.import_module(module), name, None)
        if value is not None:
            return value
    raise LookupError(name)


def _as_pattern(value: object, flags: int = 0) -> re.Pattern[str]:
    return value if isinstance(value, re.Pattern) else re.compile(str(value), flags)


def sites() -> tuple[list[Site], list[str]]:
    """Every regex of the package, and the dynamic sites ``DYNAMIC`` does not describe."""
    uses = _uses()
    found: dict[tuple[str, int], Site] = {}
    undescribed: list[str] = []
    described: set[tuple[str, str]] = set()
    for relative, module_name, tree in _modules():
        module = importlib.import_module(module_name)
        owners = _function_of(tree)
        module_level = {id(node.value): target.id for node in tree.body if isinstance(node, ast.Assign)
                        for target in node.targets if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            method = _is_re_call(node)
            if method is None:
                continue
            assert isinstance(node, ast.Call)
            where = f"compiler/regc/{relative}:{node.lineno}"
            function = owners.get(node)
            if method == "compile" and id(node) in module_level:
                name = module_level[id(node)]
                compiled = getattr(module, name)
                methods = tuple(sorted(uses.get(name, {"finditer"})))
                found[(compiled.pattern, compiled.flags)] = Site(f"{where} ({name})", compiled, methods)
                continue
            argument = node.args[0] if node.args else None
            flags = 0
            for keyword in node.keywords:
                if keyword.arg == "flags":
                    flags = eval(compile(ast.Expression(keyword.value), "<flags>", "eval"), {"re": re})  # re.S | re.I: names from `re` only
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                pattern = re.compile(argument.value, flags)
            elif isinstance(argument, ast.Name) and (hasattr(module, argument.id) or _is_constant_name(argument.id)):
                pattern = _as_pattern(getattr(module, argument.id, None) or _global(argument.id), flags)
            else:
                key = (relative, function or "<module>")
                if key not in DYNAMIC:
                    undescribed.append(f"{where}: re.{method}() of a pattern built at run time in {key[1]}(); describe it in DYNAMIC")
                described.add(key)
                continue
            if method == "compile":
                continue  # a pattern compiled inside a function and returned: its uses are a DYNAMIC entry's business
            kind = method if method in {"match", "fullmatch"} else "finditer"
            previous = found.get((pattern.pattern, pattern.flags))
            methods = tuple(sorted({kind, *(previous.methods if previous else ())}))
            found[(pattern.pattern, pattern.flags)] = Site(where, pattern, methods)
    for key in described:
        for pattern, method in DYNAMIC[key]():
            kind = method if method in {"match", "fullmatch"} else "finditer"
            found.setdefault((pattern.pattern, pattern.flags), Site(f"compiler/regc/{key[0]} {key[1]}()", pattern, (kind,)))
    stale = sorted(set(DYNAMIC) - described)
    undescribed += [f"DYNAMIC describes {key}, which no longer builds a pattern at run time" for key in stale]
    return [dataclasses.replace(s, methods=tuple(m if m in {"match", "fullmatch"} else "finditer" for m in s.methods))
            for s in found.values()], undescribed


def _is_constant_name(name: str) -> bool:
    return name.isupper() or name.lstrip("_").isupper()


def test_every_regex_is_found_and_every_pattern_built_at_run_time_is_described() -> None:
    found, undescribed = sites()
    assert not undescribed, "\n".join(undescribed)
    names = " ".join(site.where for site in found)
    # The ones issue 13 found quadratic, and a few from every layer: the discovery is not vacuous.
    for expected in ("parse/markdown.py", "parse/cells.py", "parse/document.py", "model/config.py", "prices/__init__.py",
                     "no_inline_secret.py", "parse/yamlio.py", "targets/go.py"):
        assert expected in names, expected
    assert len(found) >= 40


def timed(requests: list[Site], bound: float) -> list[str]:
    """Run each pattern in ``tests/adversary.py``'s child process; the problems: a run over ``bound`` seconds, or one
    that never ends (the child is killed after ``bound`` × 3 on one input and started again for the next pattern)."""
    problems: list[str] = []
    pending = list(requests)
    while pending:
        child = subprocess.Popen([sys.executable, "-m", "tests.adversary"], cwd=ROOT, stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE)
        assert child.stdin is not None and child.stdout is not None
        lines = _Lines(child.stdout.fileno())
        try:
            while pending:
                site = pending.pop(0)
                child.stdin.write((json.dumps({"pattern": site.pattern.pattern, "flags": site.pattern.flags,
                                               "methods": list(site.methods)}) + "\n").encode())
                child.stdin.flush()
                current = "starting"
                while True:
                    line = lines.next(bound * 3)
                    if line is None:
                        problems.append(f"{site.where}: {site.pattern.pattern!r} did not finish {current} in {bound * 3:.0f} s")
                        raise TimeoutError
                    message = json.loads(line)
                    if "start" in message:
                        current = message["start"]
                        continue
                    if message["seconds"] > bound:
                        problems.append(f"{site.where}: {site.pattern.pattern!r} took {message['seconds']:.2f} s, "
                                        f"{message['input']}")
                    break
        except TimeoutError:
            pass
        finally:
            child.kill()
            child.wait()
    return problems


class _Lines:
    """Lines from a pipe, each waited for at most a given time (a buffered reader would hide lines from ``select``)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buffer = b""

    def next(self, timeout: float) -> str | None:
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self.fd], [], [], max(left, 0))
            if not ready:
                return None
            chunk = os.read(self.fd, 65536)
            assert chunk, "the adversary process ended"
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.decode()


def test_every_regex_runs_in_linear_time_on_adversarial_input() -> None:
    found, _ = sites()
    started = time.perf_counter()
    problems = timed(found, BOUND)
    assert not problems, "\n".join(problems)
    assert time.perf_counter() - started < 120  # the whole battery, so that CI stays fast


@pytest.mark.parametrize("pattern", [
    r"<!--\s*regc:ignore\s+(?P<body>.*?)\s*-->",  # parse/markdown.py's _WAIVER before issue 13
    r"^(?P<head>.*?)\s*\((?P<note>[^()]*(?:\([^()]*\)[^()]*)*)\)\s*$",  # parse/cells.py's _TRAILING_NOTE
    r"(?P<key>[a-z_]+)\s*=\s*\"(?P<value>[^\"]*)\"",  # _WAIVER_ARG: a failing scan restarts at every letter
])
def test_the_battery_catches_a_quadratic_pattern(pattern: str) -> None:
    """The adversarial inputs are not vacuous: the patterns issue 13 found quadratic fail them."""
    site = Site("control", re.compile(pattern, re.S), ("finditer",))
    assert timed([site], 0.5)
