"""``--format github``: GitHub Actions workflow commands that annotate the pull request.

``::error title=retired-model,file=registry.md,line=37,col=17::message`` per
finding in force; ``info`` becomes ``notice``. Byte for byte what the Actions
toolkit (``@actions/core``) writes for the same annotation: the same property
order, and values escaped the same way (``%``, CR, LF everywhere; ``:`` and
``,`` also in properties), so a message cannot end the command early or forge
another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from regc.reports.annotate import escape_data, escape_property

if TYPE_CHECKING:
    from regc.lint import LintResult
    from regc.rules import Severity

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def render(result: LintResult, *, fail_severity: Severity = "error") -> str:
    lines = []
    for finding in result.findings:
        properties = {"title": finding.rule, "file": finding.file, "line": str(finding.line), "col": str(finding.col)}
        props = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
        lines.append(f"::{COMMANDS[finding.severity]} {props}::{escape_data(finding.message)}\n")
    return "".join(lines)
