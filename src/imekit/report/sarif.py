"""SARIF 2.1.0 for code-scanning tools (GitHub, Azure DevOps, any SARIF viewer).

One run; one rule per check, with its help text and Security Rule citations; one result
per finding at the program file and line where the resource was declared. Fingerprints
identify a finding by what it is (engine, check, stack, URN, message), so reordering
resources does not churn alerts. Waived findings stay in the log as suppressed results.
Checks that could not be evaluated are tool execution notifications (warnings), so a
viewer shows that the run did not see everything.

The run carries no `automationDetails`: GitHub's upload-sarif action fills the analysis
category only where a run has none, so the workflow's `category:` keeps working.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from imekit.findings import ADVISORY, MANDATORY, Finding
from imekit.gate.result import CheckInfo, GateResult, sort_findings
from imekit.status import Status

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
ROOT_BASE_ID = "REPOROOT"
FINGERPRINT_KEY = "imekitFinding/v1"

_LEVEL = {MANDATORY: "error", ADVISORY: "warning"}
# GitHub ranks alerts by this property (0-10); mandatory checks are high, advisory medium.
_SECURITY_SEVERITY = {MANDATORY: "8.0", ADVISORY: "5.0"}


def _is_absolute_uri(uri: str) -> bool:
    return uri.startswith("file:")


def _relative_uri(file: str, root: Path | None) -> str:
    path = Path(file)
    if path.is_absolute() and root is not None:
        try:
            path = path.resolve().relative_to(root.resolve())
        except ValueError:
            return path.resolve().as_uri()
    elif path.is_absolute():
        return path.as_uri()
    return PurePosixPath(*path.parts).as_posix()


def _rule(check: CheckInfo) -> dict[str, Any]:
    citations = ", ".join(f"45 CFR {c}" for c in check.citations) or "none recorded"
    controls = ", ".join(check.control_ids) or "none"
    help_text = "\n".join(
        line
        for line in (
            check.description or check.title,
            f"How to fix: {check.fix}" if check.fix else "",
            f"Controls: {controls}",
            f"HIPAA Security Rule: {citations}",
        )
        if line
    )
    help_md = "\n\n".join(
        part
        for part in (
            check.description or check.title,
            f"**How to fix:** {check.fix}" if check.fix else "",
            f"**Controls:** {controls}",
            f"**HIPAA Security Rule:** {citations}",
        )
        if part
    )
    rule: dict[str, Any] = {
        "id": check.check_id,
        "name": check.check_id,
        "shortDescription": {"text": check.title or check.check_id},
        "fullDescription": {"text": check.description or check.title or check.check_id},
        "help": {"text": help_text, "markdown": help_md},
        "defaultConfiguration": {"level": _LEVEL.get(check.enforcement, "error")},
        "properties": {
            "engine": check.engine,
            "enforcement": check.enforcement,
            "controls": list(check.control_ids),
            "citations": list(check.citations),
            # Code scanning filters alerts by tag: by control and by 45 CFR citation.
            "tags": [
                "security",
                "hipaa",
                *check.control_ids,
                *(f"45 CFR {c}" for c in check.citations),
            ],
            "precision": "high",
            "security-severity": _SECURITY_SEVERITY.get(check.enforcement, "8.0"),
        },
    }
    if check.help_uri:
        rule["helpUri"] = check.help_uri
    return rule


def _location(f: Finding, root: Path | None, fallback_uri: str) -> dict[str, Any]:
    physical: dict[str, Any]
    if f.location is not None:
        uri = _relative_uri(f.location.file, root)
        artifact = {"uri": uri}
        if not _is_absolute_uri(uri):  # a base applies to relative references only
            artifact["uriBaseId"] = ROOT_BASE_ID
        physical = {
            "artifactLocation": artifact,
            "region": {"startLine": max(1, int(f.location.line))},
        }
    else:
        # Code scanning needs a location; without one, point at the program's manifest.
        physical = {
            "artifactLocation": {"uri": fallback_uri, "uriBaseId": ROOT_BASE_ID},
            "region": {"startLine": 1},
        }
    return {
        "physicalLocation": physical,
        "logicalLocations": [
            {"fullyQualifiedName": f.urn, "name": f.urn.split("::")[-1], "kind": "resource"}
        ],
    }


def _result(f: Finding, rule_index: int, root: Path | None, fallback_uri: str) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": f.check_id,
        "ruleIndex": rule_index,
        "kind": "fail",
        "level": _LEVEL.get(f.enforcement, "error"),
        "message": {"text": f.message},
        "locations": [_location(f, root, fallback_uri)],
        "partialFingerprints": {FINGERPRINT_KEY: f.fingerprint()},
        "properties": {
            "stack": f.stack,
            "urn": f.urn,
            "resourceType": f.resource_type,
            "engine": f.engine,
            "controls": list(f.control_ids),
            "status": str(f.status),
        },
    }
    if f.notes:
        result["properties"]["notes"] = list(f.notes)
    if f.status is Status.WAIVED and f.waiver:
        w = f.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": (
                    f"{w['id']}: {w['justification']} (approver {w['approver']}, "
                    f"expires {w['expires']})"
                ),
                "properties": {"waiver": w},
            }
        ]
    return result


def build_sarif(
    result: GateResult, *, root: Path | None = None, fallback_uri: str = "Pulumi.yaml"
) -> dict[str, Any]:
    """`root` is the repository root that relative artifact URIs are anchored to."""
    rules = [_rule(result.checks[c]) for c in sorted(result.checks)]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for f in sort_findings(result.findings):
        if f.check_id not in index:
            # A finding of a check nobody described still gets a rule: never drop it.
            rules.append(
                _rule(
                    CheckInfo(
                        check_id=f.check_id,
                        engine=f.engine,
                        enforcement=f.enforcement,
                        control_ids=f.control_ids,
                        title=f.check_id,
                    )
                )
            )
            index[f.check_id] = len(rules) - 1
        results.append(_result(f, index[f.check_id], root, fallback_uri))
    invocation: dict[str, Any] = {
        # A run that could not evaluate never produces a report (exit 2).
        "executionSuccessful": True,
        "startTimeUtc": result.started_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    notifications = _not_evaluated(result)
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "imekit",
                "version": result.tool_version or "0",
                "rules": rules,
            }
        },
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {"stacks": [s.stack for s in result.stacks]},
    }
    if root is not None:
        run["originalUriBaseIds"] = {ROOT_BASE_ID: {"uri": root.resolve().as_uri() + "/"}}
    return {"$schema": SARIF_SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def _not_evaluated(result: GateResult) -> list[dict[str, Any]]:
    """One warning per stack and reason naming the checks that could not be evaluated."""
    notes = []
    for run in result.stacks:
        by_reason: dict[str, list[str]] = {}
        for check, reason in sorted(run.unknown.items()):
            by_reason.setdefault(reason, []).append(check)
        for reason, checks in by_reason.items():
            notes.append(
                {
                    "level": "warning",
                    "message": {
                        "text": f"stack {run.stack}: not evaluated ({reason}): "
                        + ", ".join(checks)
                    },
                }
            )
    return notes


def write_sarif(
    result: GateResult, path: Path, *, root: Path | None = None, fallback_uri: str = "Pulumi.yaml"
) -> None:
    data = build_sarif(result, root=root, fallback_uri=fallback_uri)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
