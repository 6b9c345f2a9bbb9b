"""checkov's report -> the kit's findings, attributed to Pulumi resources and controls.

Every checkov record names a Terraform address; the plan conversion maps it back to the
URN, stack and Pulumi type, and the graph gives the program location. controls/checkov.yaml
gives the control and the enforcement: mandatory and advisory ids become findings, ignored
ids are dropped but counted, and ids missing from the mapping become advisory findings
and are listed so the catalog can be completed.

A value Pulumi does not know until deployment (a policy built from another resource's ARN
during a preview), or a secret one, cannot be shown in the plan, and checkov judges it as
if it were absent: a wildcard policy it cannot read passes. So a pass whose
evaluated keys touch such a value is not evidence: a mandatory id's becomes `unknown`
(never a pass), an advisory id's is dropped, and a failure on one says so in a note.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from imekit.checkov.mapping import ADVISORY, IGNORED, MANDATORY, CheckovMapping
from imekit.checkov.plan import PlanConversion, PlanResource
from imekit.errors import ImekitError
from imekit.findings import Finding, Location

ENGINE = "checkov"

# Checks that must report on every resource of the given Terraform type whenever one is
# in the plan. A silent gap means checkov did not load them: the kit's own checks (a broken
# file is skipped with only a log line) and one built-in graph check (checkov 3.1.47 drops
# built-in graph checks when external ones are loaded).
CANARIES: dict[str, str] = {
    "CKV_IME_1": "aws_cognito_user_pool",
    "CKV_IME_2": "aws_backup_vault",
    "CKV_IME_3": "aws_backup_plan",
    "CKV_IME_4": "aws_s3_bucket",
    "CKV2_AWS_6": "aws_s3_bucket",
}


@dataclass
class CheckovResult:
    findings: list[Finding]
    passed: dict[str, set[str]]  # check id -> URNs that passed it
    unmapped_types: dict[str, int]  # Pulumi type -> resources checkov could not see
    unmapped_checks: dict[str, int]  # checkov id not in controls/checkov.yaml -> failures
    ignored: dict[str, int]  # ignored checkov id -> failures dropped
    version: str
    resources: int  # resources converted and scanned
    check_names: dict[str, str] = field(default_factory=dict)  # id -> checkov's title
    elapsed: float = 0.0
    notes: list[str] = field(default_factory=list)
    # Mandatory check id -> {URN: why}: checkov passed it on values unknown until deployment.
    unknown: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    def summary(self) -> dict[str, Any]:
        return {
            "checkov_version": self.version,
            "resources": self.resources,
            "findings": len(self.findings),
            "blocking": len(self.blocking),
            "passed": sum(len(u) for u in self.passed.values()),
            "unknown": {c: len(u) for c, u in sorted(self.unknown.items())},
            "ignored": dict(sorted(self.ignored.items())),
            "unmapped_checks": dict(sorted(self.unmapped_checks.items())),
            "unmapped_types": dict(sorted(self.unmapped_types.items())),
            "elapsed_seconds": round(self.elapsed, 2),
        }


def map_report(
    report: dict[str, Any], conversion: PlanConversion, mapping: CheckovMapping
) -> CheckovResult:
    summary = report.get("summary") or {}
    results = report.get("results") or {}
    findings: list[Finding] = []
    passed: dict[str, set[str]] = defaultdict(set)
    unmapped_checks: Counter[str] = Counter()
    ignored: Counter[str] = Counter()
    names: dict[str, str] = {}
    seen: dict[str, set[str]] = defaultdict(set)  # check id -> addresses with a result
    unknown: dict[str, dict[str, str]] = defaultdict(dict)
    locations = _locations(conversion)

    for record in results.get("passed_checks") or []:
        check_id, origin = _identify(record, conversion)
        names.setdefault(check_id, record.get("check_name") or check_id)
        seen[check_id].add(origin.address)
        blind = _unknown_inputs(record, origin)
        if blind:
            entry = mapping.get(check_id)
            if entry is not None and entry.enforcement == MANDATORY:
                unknown[check_id][origin.urn] = (
                    f"checkov read {', '.join(blind)}, which the plan cannot show "
                    "(unknown until deployment, or secret)"
                )
            continue
        passed[check_id].add(origin.urn)

    for record in results.get("failed_checks") or []:
        check_id, origin = _identify(record, conversion)
        title = record.get("check_name") or check_id
        names.setdefault(check_id, title)
        seen[check_id].add(origin.address)
        entry = mapping.get(check_id)
        if entry is not None and entry.enforcement == IGNORED:
            ignored[check_id] += 1
            continue
        notes: list[str] = []
        if entry is None:
            unmapped_checks[check_id] += 1
            enforcement = ADVISORY
            message = f"{title} ({check_id}; not mapped in controls/checkov.yaml)"
            controls: tuple[str, ...] = ()
        else:
            enforcement = entry.enforcement
            controls = (entry.control,) if entry.control else ()
            prefix = f"[{entry.control}] " if entry.control else ""
            message = f"{prefix}{title} ({check_id})"
        known = mapping.known_false(check_id, origin.pulumi_type)
        if known is not None:
            notes.append(f"known false result: {known.reason}")
        blind = _unknown_inputs(record, origin)
        if blind:
            notes.append(f"judged without {', '.join(blind)}, which the plan cannot show "
                         "(unknown until deployment, or secret): checkov read it as absent")
        findings.append(
            Finding(
                check_id=check_id,
                engine=ENGINE,
                enforcement=enforcement,
                stack=origin.stack,
                urn=origin.urn,
                resource_type=origin.pulumi_type,
                message=message,
                control_ids=controls,
                location=locations.get(origin.urn),
                notes=notes,
            )
        )

    _check_canaries(conversion, seen)
    findings.sort(key=lambda f: (f.stack, f.urn, f.check_id))
    return CheckovResult(
        findings=findings,
        passed=dict(passed),
        unmapped_types=dict(conversion.unmapped_types),
        unmapped_checks=dict(sorted(unmapped_checks.items())),
        ignored=dict(sorted(ignored.items())),
        version=str(summary.get("checkov_version") or ""),
        resources=len(conversion.resources),
        check_names=dict(sorted(names.items())),
        unknown={c: dict(sorted(u.items())) for c, u in sorted(unknown.items())},
    )


_ATTRIBUTE = re.compile(r"[/.\[]")


def _unknown_inputs(record: dict[str, Any], origin: PlanResource) -> list[str]:
    """The resource's unknown-until-deployment attributes this result was judged on.

    checkov names what it read in `evaluated_keys` (`rule/0/x`, `parameter[?(...)]/value`);
    a check that names nothing may have read anything.
    """
    if not origin.unknown_attributes:
        return []
    keys = (record.get("check_result") or {}).get("evaluated_keys") or []
    if not keys:
        return sorted(origin.unknown_attributes)
    return sorted(u for u in origin.unknown_attributes if any(_reads(str(k), u) for k in keys))


def _reads(key: str, unknown: str) -> bool:
    """Whether evaluated key `key` reads attribute `unknown` (`policy`, or `tags/owner`)."""
    top = _ATTRIBUTE.split(key, maxsplit=1)[0]
    attribute, _, entry = unknown.partition("/")
    if top != attribute:
        return False
    rest = key[len(top):].lstrip("/.")
    return not entry or not rest or rest == entry or rest.startswith((entry + "/", entry + "."))


def _identify(record: dict[str, Any], conversion: PlanConversion):
    check_id = record.get("check_id")
    address = record.get("resource_address") or record.get("resource")
    origin = conversion.resources.get(address or "")
    if not isinstance(check_id, str) or origin is None:
        raise ImekitError(
            f"checkov reported {check_id!r} on {address!r}, which is not in the plan it was given",
            hint="this is a bug in the checkov bridge; please report it with the plan file",
        )
    return check_id, origin


def _locations(conversion: PlanConversion) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for graph in conversion.graphs:
        for urn, where in graph.locations.items():
            file, line = where.get("file"), where.get("line")
            if isinstance(file, str) and isinstance(line, int):
                found[urn] = Location(file=file, line=line)
    return found


def _check_canaries(conversion: PlanConversion, seen: dict[str, set[str]]) -> None:
    for check_id, tf_type in CANARIES.items():
        expected = {a for a, o in conversion.resources.items() if o.tf_type == tf_type}
        missing = expected - seen.get(check_id, set())
        if missing:
            raise ImekitError(
                f"checkov did not run {check_id} on {len(missing)} {tf_type} resource(s) "
                f"(e.g. {sorted(missing)[0]}): its checks were not all loaded",
                hint="run `imekit checkov setup --force`; if that does not help, the kit's "
                "custom checks and this checkov version disagree",
            )
