"""What a drill step sees: the target's clients, the run's identity and tags, and the clocks.

Actions and probes receive a DrillContext as their first argument. It never holds a value
that ends up in the journal unless an action puts it there on purpose (`note`), and the
secrets it holds (access keys the drill created) stay in memory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imekit.drills.errors import AwsOnlyCheck
from imekit.drills.targets import Credentials, Target

# Every resource a drill creates carries these tags; teardown refuses anything without them.
RUN_TAG = "imekit-drill"
DRILL_TAG = "imekit-drill-name"
COMPONENT_TAG = "component"
COMPONENT = "drills"


@dataclass
class Clock:
    """A wall-clock instant (for the journal) with its monotonic twin (for durations)."""

    at: datetime
    monotonic: float

    @classmethod
    def now(cls) -> Clock:
        return cls(at=datetime.now(UTC), monotonic=time.monotonic())

    @classmethod
    def from_wall(cls, at: datetime) -> Clock:
        """An instant reported by AWS (a timestamp), mapped onto this process's monotonic clock."""
        offset = (datetime.now(UTC) - at).total_seconds()
        return cls(at=at, monotonic=time.monotonic() - offset)


@dataclass
class Measurement:
    seconds: float
    basis: str
    start: datetime  # the recovery point (what the restore brought back)
    end: datetime  # the incident (when data stopped being safe)


@dataclass
class DrillContext:
    drill: str
    run_id: str
    suffix: str
    target: Target
    notes: list[str] = field(default_factory=list)
    incident: Clock | None = None
    rpo: Measurement | None = None
    _secrets: dict[str, Credentials] = field(default_factory=dict, repr=False)

    # -- AWS access ---------------------------------------------------------------------
    def client(self, service: str) -> Any:
        return self.target.client(service)

    def client_as(self, service: str, principal: str) -> Any:
        """A client using the access key the drill created for `principal`."""
        return self.target.client(service, self.credentials(principal))

    @property
    def is_aws(self) -> bool:
        return self.target.is_aws

    @property
    def is_local(self) -> bool:
        return not self.target.is_aws

    # -- identity of what this run creates ---------------------------------------------
    @property
    def tags(self) -> dict[str, str]:
        return {RUN_TAG: self.run_id, DRILL_TAG: self.drill, COMPONENT_TAG: COMPONENT}

    def tag_list(self, extra: dict[str, str] | None = None, *, key: str = "Key",
                 value: str = "Value") -> list[dict[str, str]]:
        merged = {**self.tags, **(extra or {})}
        return [{key: k, value: v} for k, v in merged.items()]

    def owns(self, tags: dict[str, str]) -> bool:
        return tags.get(RUN_TAG) == self.run_id

    # -- secrets (never journaled) -----------------------------------------------------
    def remember_credentials(self, principal: str, credentials: Credentials) -> None:
        self._secrets[principal] = credentials

    def credentials(self, principal: str) -> Credentials:
        from imekit.drills.errors import DrillStepError

        if principal not in self._secrets:
            raise DrillStepError(
                f"iam user {principal}: this run holds no access key for it "
                "(the step that creates it did not run)"
            )
        return self._secrets[principal]

    def forget_credentials(self, principal: str) -> None:
        self._secrets.pop(principal, None)

    # -- journal -----------------------------------------------------------------------
    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    def aws_only(self, what: str) -> None:
        """Stop this check on the local target: it can only be shown against AWS."""
        if self.is_local:
            raise AwsOnlyCheck(f"verified only against AWS: {what}")

    # -- objectives --------------------------------------------------------------------
    def mark_incident(self, at: datetime | None = None) -> None:
        """The moment the incident took effect (the RTO clock starts here). Defaults to now;
        without a mark the runner uses the end of the inject phase."""
        if self.incident is None:
            self.incident = Clock.from_wall(at) if at else Clock.now()

    def measure_rpo(self, recovery_point: datetime, incident: datetime, basis: str) -> None:
        """Record the data-loss window: from the recovery point restored to the incident, both
        as AWS (or this process, for the incident) reported them, and how they were chosen.
        The journal keeps both instants, so the figure can be checked against AWS."""
        seconds = (incident - recovery_point).total_seconds()
        self.rpo = Measurement(seconds=max(0.0, seconds), basis=basis, start=recovery_point,
                               end=incident)

    def poll(self, what: str, check: Any, *, timeout: float, interval: float = 10.0) -> Any:
        """Call `check()` until it returns a truthy value; raise DrillStepError on timeout.

        On the local target moto answers at once, so the interval shrinks to keep drills fast.
        """
        from imekit.drills.errors import DrillStepError

        delay = interval if self.is_aws else min(interval, 0.05)
        deadline = time.monotonic() + timeout
        while True:
            result = check()
            if result:
                return result
            if time.monotonic() >= deadline:
                raise DrillStepError(f"{what}: still not done after {timeout:.0f} s")
            time.sleep(delay)
