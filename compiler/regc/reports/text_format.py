"""``--format text``: ``path:line:col: severity rule-id message``, as compilers and ruff print."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regc.lint import LintResult
    from regc.rules import Severity


def render(result: LintResult, *, fail_severity: Severity = "error") -> str:
    from regc.escape import terminal

    return "".join(terminal(f"{finding}") + "\n" for finding in result.findings)
