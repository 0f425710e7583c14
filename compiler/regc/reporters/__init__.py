"""Reporters: how ``regc lint`` prints a ``LintResult``, one small module each, picked by name.

Each module has ``render(result, *, fail_severity) -> str``. Only the one in
use is imported. ``github`` is the default when ``GITHUB_ACTIONS=true`` and no
``--format`` is given, so a workflow step annotates the pull request.
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regc.lint import LintResult
    from regc.rules import Severity

REPORTERS = {
    "text": "path:line:col: severity rule-id message, one finding a line (waived ones left out)",
    "json": "an object with a `findings` array (waived ones included, marked) and a `summary` of counts",
    "sarif": "SARIF 2.1.0, for GitHub code scanning and other SARIF viewers; waivers become suppressions",
    "github": "GitHub Actions workflow commands (::error file=...::), which annotate the pull request",
    "junit": "JUnit XML: one test suite per rule, one test case per finding, for CI test reports",
}


def default_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


def render(name: str, result: LintResult, *, fail_severity: Severity = "error") -> str:
    """The report of ``result`` in format ``name`` (a key of ``REPORTERS``)."""
    if name not in REPORTERS:
        raise KeyError(name)
    module = importlib.import_module(f"{__name__}.{name}_format")
    text: str = module.render(result, fail_severity=fail_severity)
    return text
