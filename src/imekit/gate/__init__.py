"""The pull-request gate: evaluate stacks, apply waivers, roll up control statuses.

    from imekit.gate import GateRequest, GraphInputs, run_gate
    result = run_gate(GateRequest(inputs=GraphInputs(graph_files=(path,))))
    result.exit_code, result.controls, result.findings

Reports read a GateResult: imekit.report.{table,sarif,junit,json_report,markdown}.
"""

from imekit.gate.result import (
    REPORT_SCHEMA,
    CheckInfo,
    ControlResult,
    GateResult,
    ManualControl,
    StackRun,
)
from imekit.gate.run import GateRequest, run_gate
from imekit.gate.sources import GraphInputs

__all__ = [
    "REPORT_SCHEMA",
    "CheckInfo",
    "ControlResult",
    "GateRequest",
    "GateResult",
    "GraphInputs",
    "ManualControl",
    "StackRun",
    "run_gate",
]
