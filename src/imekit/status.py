"""The one status vocabulary used across the kit (gate, catalog, drills, evidence)."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WAIVED = "waived"
    NOT_APPLICABLE = "not-applicable"
    UNKNOWN = "unknown"  # cannot tell; never counted as pass
    STALE = "stale"  # evidence exists but has expired
    MISSING = "missing"  # manual evidence required and absent
    INHERITED = "inherited"  # met by AWS under the BAA

    @property
    def is_satisfied(self) -> bool:
        """True only for statuses an auditor may count as met."""
        return self in (Status.PASS, Status.WAIVED, Status.NOT_APPLICABLE, Status.INHERITED)


# When several results roll up into one control status, the worst one wins; reports list
# controls in this order too.
SEVERITY_ORDER = (
    Status.FAIL,
    Status.UNKNOWN,
    Status.MISSING,
    Status.STALE,
    Status.WAIVED,
    Status.PASS,
    Status.INHERITED,
    Status.NOT_APPLICABLE,
)


def worst(statuses: list[Status] | tuple[Status, ...]) -> Status:
    """Roll several statuses into one; an empty list is not-applicable."""
    if not statuses:
        return Status.NOT_APPLICABLE
    return min(statuses, key=SEVERITY_ORDER.index)
