"""The pull-request gate: evaluate stacks, apply waivers, roll up control statuses."""

from imekit.gate.result import (
    REPORT_SCHEMA,
    CheckInfo,
    ControlResult,
    GateResult,
    ManualControl,
    StackRun,
)

__all__ = [
    "REPORT_SCHEMA",
    "CheckInfo",
    "ControlResult",
    "GateResult",
    "ManualControl",
    "StackRun",
]
