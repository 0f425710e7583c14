"""A short fuzzing pass in CI: every target of ``tests/fuzz.py``, derandomized (the same inputs on every run).

The long runs are ``python -m tests.fuzz --seconds N``; this pass keeps the harness working and
replays the inputs that found bugs before (``EXAMPLES``), so a fix cannot silently regress.
"""

from __future__ import annotations

import contextlib

import pytest

from regc.errors import RegcError
from tests import fuzz

#: Examples per target: about 8 seconds for all of them on the CI machine.
BUDGET = {"bytes": 40, "markdown": 60, "yaml": 60, "cells": 300, "config": 60, "policy": 40, "emit": 40}

#: Inputs the long runs found bugs with (each fixed), checked on every run.
EXAMPLES: list[tuple[str, object]] = [
    # Two byte-order marks: the second hid the front matter, and fmt's writer saw it (a change of meaning).
    ("bytes", b"\xef\xbb\xbf\xef\xbb\xbf---\nreviewed: 2026-11-22\n---\n# R\n\n## A \xc2\xb7 alias `a`\n\n| | |\n|---|---|\n"
              b"| **Primary** | `openai/gpt-4o` |\n"),
    # A reused anchor: ruamel printed a warning, with its own source line, on regc's stderr.
    ("yaml", "a: &c [1]\nb: &c [2]\naliases: {}\n"),
    # A custom rule whose schema refers to nowhere: jsonschema's referencing error was an internal error (exit 3).
    ("policy", 'custom_rules:\n  - {"id": "my-rule", "severity": "error", "message": "m", "applies_to": "alias", '
               '"schema": {"$ref": "#/nope"}}\n'),
    # ... or to itself without end: a RecursionError.
    ("policy", 'custom_rules:\n  - {"id": "my-rule", "severity": "error", "message": "m", "applies_to": "alias", '
               '"schema": {"$ref": "#"}}\n'),
]


def test_every_target_has_a_budget() -> None:
    assert set(BUDGET) == set(fuzz.targets())


@pytest.mark.parametrize("target", sorted(BUDGET))
def test_fuzz_target(target: str) -> None:
    fuzz.run(target, max_examples=BUDGET[target], derandomize=True)


@pytest.mark.parametrize(("target", "value"), EXAMPLES, ids=[f"{t}-{i}" for i, (t, _) in enumerate(EXAMPLES)])
def test_inputs_that_found_bugs(target: str, value: object, recwarn: pytest.WarningsRecorder) -> None:
    _strategy, check = fuzz.targets()[target]
    with contextlib.suppress(RegcError):
        check(value)
    assert not list(recwarn), [str(w.message) for w in recwarn]  # nothing printed beside regc's own message
