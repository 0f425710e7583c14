"""``--format sarif``: SARIF 2.1.0, for GitHub code scanning and any SARIF viewer.

One run; ``tool.driver.rules`` describes every known rule (id, summary,
full documentation as ``help``, ``helpUri``, default level), and each result
names its ``ruleId`` and ``ruleIndex``. Waived findings are kept as results
with a ``suppression`` (``inSource`` for a ``regc:ignore`` comment,
``external`` for a policy waiver) and its justification, which is how SARIF
consumers show accepted findings. Paths are relative to ``%SRCROOT%``, the
project root.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from regc.lint import Finding, LintResult
    from regc.rules import Rule, Severity

from regc.about import HOMEPAGE

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = HOMEPAGE


def render(result: LintResult, *, fail_severity: Severity = "error") -> str:
    from regc.about import __version__

    rule_ids = list(result.rules)
    document = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "regc",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_descriptor(rule) for rule in result.rules.values()],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, rule_ids, result.registry_path) for f in sorted((*result.findings, *result.waived))],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule: Rule[Any]) -> dict[str, Any]:
    doc = rule.doc
    first_paragraph = doc.split("\n\n", 2)[1] if doc.count("\n\n") >= 1 else rule.summary
    return {
        "id": rule.id,
        "name": "".join(part.capitalize() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": " ".join(first_paragraph.split())},
        "help": {"text": doc, "markdown": doc},
        "helpUri": rule.uri,
        "defaultConfiguration": {"level": LEVELS[rule.default_severity]},
    }


def _result(finding: Finding, rule_ids: list[str], registry_path: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_ids.index(finding.rule),
        "level": LEVELS[finding.severity],
        "message": {"text": finding.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": finding.file, "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": finding.line, "startColumn": finding.col},
                }
            }
        ],
    }
    properties = {k: v for k, v in (("alias", finding.alias), ("model", finding.model)) if v is not None}
    if properties:
        result["properties"] = properties
    if finding.waived:
        in_source = (finding.waiver_source or "").rsplit(":", 1)[0] == registry_path
        result["suppressions"] = [
            {"kind": "inSource" if in_source else "external", "justification": f"{finding.waiver_reason} ({finding.waiver_source})"}
        ]
    return result
