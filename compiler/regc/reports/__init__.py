"""What regc prints for people and CI: lint reports, ``explain``, ``diff`` and ``breaking``.

The lint reporters, how ``regc lint`` prints a ``LintResult``, are one small module
each (``NAME_format.py``), picked by name: each has ``render(result, *, fail_severity)
-> str``, and only the one in use is imported. Beside them: ``explain`` (an alias or a
rule in full), ``compare`` (what changed between two registries) with ``diffreport``
(how ``regc diff`` shows it), and ``annotate`` (GitHub workflow commands).
``github`` is the default when ``GITHUB_ACTIONS=true`` and no ``--format`` is
given, so a workflow step annotates the pull request.
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
