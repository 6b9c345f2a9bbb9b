"""One finding model for every engine (the Rego pack, checkov) and every report."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

from imekit.status import Status

MANDATORY = "mandatory"
ADVISORY = "advisory"


@dataclass(frozen=True)
class Location:
    file: str
    line: int


@dataclass
class Finding:
    """One violation of one check by one resource of one stack."""

    check_id: str  # Rego rule name (deny_...) or checkov id (CKV_AWS_16): the id everywhere
    engine: str  # "rego" | "checkov"
    enforcement: str  # MANDATORY | ADVISORY
    stack: str
    urn: str  # the resource the finding is attributed to
    resource_type: str
    message: str  # starts with the control id for Rego findings; never holds secrets
    control_ids: tuple[str, ...] = ()
    location: Location | None = None
    status: Status = Status.FAIL  # FAIL, or WAIVED when a live waiver matched
    waiver: dict[str, Any] | None = None  # the matching waiver (justification, approver, expiry)
    notes: list[str] = field(default_factory=list)  # e.g. "waiver W-3 expired on 2026-01-01"

    @property
    def blocking(self) -> bool:
        return self.status is Status.FAIL and self.enforcement == MANDATORY

    def fingerprint(self) -> str:
        """Stable across runs and resource order: what it is, not where it was listed."""
        key = "\x1f".join((self.engine, self.check_id, self.stack, self.urn, self.message))
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = str(self.status)
        data["control_ids"] = list(self.control_ids)
        data["fingerprint"] = self.fingerprint()
        return data
