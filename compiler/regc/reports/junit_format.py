"""``--format junit``: JUnit XML for CI test reports (Jenkins, GitLab, Azure Pipelines).

One ``<testsuite>`` per rule that ran, one ``<testcase>`` per finding:
a ``<failure>`` when the finding is at or above the fail severity, a passing
case with the message in ``<system-out>`` when it is below, ``<skipped>`` when
it is waived; a rule without findings has one passing case, so the report
shows what was checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from regc.rules import at_least

if TYPE_CHECKING:
    from regc.lint import Finding, LintResult
    from regc.rules import Severity


def render(result: LintResult, *, fail_severity: Severity = "error") -> str:
    by_rule: dict[str, list[Finding]] = {rule_id: [] for rule_id in result.rules}
    for finding in sorted((*result.findings, *result.waived)):
        by_rule[finding.rule].append(finding)
    root = ET.Element("testsuites", name="regc lint")
    totals = {"tests": 0, "failures": 0, "skipped": 0}
    for rule_id, findings in by_rule.items():
        suite = ET.SubElement(root, "testsuite", name=rule_id)
        counts = {"tests": max(1, len(findings)), "failures": 0, "skipped": 0}
        if not findings:
            ET.SubElement(suite, "testcase", classname=f"regc.{rule_id}", name="no findings", file=result.registry_path)
        for finding in findings:
            case = ET.SubElement(suite, "testcase", classname=f"regc.{rule_id}", name=f"{finding.file}:{finding.line}:{finding.col}",
                                 file=finding.file, line=str(finding.line))
            if finding.waived:
                ET.SubElement(case, "skipped", message=f"waived: {finding.waiver_reason} ({finding.waiver_source})")
                counts["skipped"] += 1
            elif at_least(finding.severity, fail_severity):
                failure = ET.SubElement(case, "failure", type=finding.severity, message=finding.message)
                failure.text = str(finding)
                counts["failures"] += 1
            else:
                ET.SubElement(case, "system-out").text = str(finding)
        suite.attrib.update({key: str(value) for key, value in counts.items()} | {"errors": "0"})
        for key in totals:
            totals[key] += counts[key]
    root.attrib.update({key: str(value) for key, value in totals.items()} | {"errors": "0"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
