"""``--format json``: ``{"findings": [...], "summary": {...}}``, waived findings included and marked."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from regc.lint import LintResult
    from regc.rules import Severity


def render(result: LintResult, *, fail_severity: Severity = "error") -> str:
    findings = sorted((*result.findings, *result.waived))
    document = {
        "registry": result.registry_path,
        "policy": result.policy_path,
        "findings": [finding.as_dict() for finding in findings],
        "summary": {**result.counts, "fail_severity": fail_severity, "failed": result.failed(fail_severity)},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
