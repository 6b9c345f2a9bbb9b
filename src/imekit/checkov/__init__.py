"""checkov on Pulumi programs, through a Terraform-plan bridge.

checkov cannot read Pulumi. pulumi-aws is bridged from the Terraform AWS provider, so the
kit writes its resource graph as the Terraform plan JSON the program would have produced
(`plan`), runs a pinned checkov from an isolated environment on it (`environment`,
`runner`) with the kit's own checks (`custom_checks`), and maps each result back to the
Pulumi resource, its program location and its control (`results`, `mapping`).

The API other parts of the kit call:
    run_checkov(graphs, *, progress=None, install=True, timeout=None) -> CheckovResult
        (timeout None: $IMEKIT_CHECKOV_TIMEOUT seconds, else 1800)
    convert_graphs(graphs) -> PlanConversion        (graph -> plan, no checkov needed)
    ensure_checkov(*, install=True, progress=None) -> CheckovEnvironment
    status() -> EnvironmentStatus
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from imekit.checkov.environment import (
    CHECKOV_VERSION,
    CheckovEnvironment,
    EnvironmentStatus,
    ensure_checkov,
    provision,
    status,
)
from imekit.checkov.mapping import CheckovMapping, load_mapping
from imekit.checkov.plan import PlanConversion, convert_graphs
from imekit.checkov.results import CheckovResult, map_report
from imekit.checkov.runner import resolve_timeout, run_plans
from imekit.errors import ImekitError
from imekit.graph.model import Graph

__all__ = [
    "CHECKOV_VERSION",
    "CheckovEnvironment",
    "CheckovMapping",
    "CheckovResult",
    "EnvironmentStatus",
    "PlanConversion",
    "convert_graphs",
    "ensure_checkov",
    "load_mapping",
    "provision",
    "run_checkov",
    "run_conversion",
    "status",
]


def run_checkov(
    graphs: list[Graph],
    *,
    progress: Callable[[str], None] | None = None,
    install: bool = True,
    timeout: float | None = None,
    mapping: CheckovMapping | None = None,
) -> CheckovResult:
    """Scan the graphs' resources with checkov; findings carry URNs, locations and controls.

    Raises ImekitError (exit 2) when checkov cannot be provisioned or run, reports another
    version than the pinned one, or gives a result the bridge cannot attribute. With
    install=False a missing environment is an error instead of being provisioned.
    """
    if not graphs:
        raise ImekitError("no graph given to checkov")
    return run_conversion(
        convert_graphs(graphs), progress=progress, install=install, timeout=timeout,
        mapping=mapping,
    )


def run_conversion(
    conversion: PlanConversion,
    *,
    progress: Callable[[str], None] | None = None,
    install: bool = True,
    timeout: float | None = None,
    mapping: CheckovMapping | None = None,
) -> CheckovResult:
    say = progress or (lambda _line: None)
    started = time.monotonic()
    timeout = resolve_timeout(timeout)  # a bad setting fails before anything runs
    mapping = mapping or load_mapping()
    if conversion.unmapped_types:
        listed = ", ".join(f"{t} ({n})" for t, n in conversion.unmapped_types.items())
        say(f"checkov: no Terraform type known for {listed}; checkov cannot see them")
    if not conversion.resources:
        say("checkov: no resource checkov can read; nothing scanned")
        result = map_report({"results": {}, "summary": {}}, conversion, mapping)
        result.version = CHECKOV_VERSION
        result.notes.append("no resource checkov can read")
        return result
    env = ensure_checkov(install=install, progress=say)
    with tempfile.TemporaryDirectory(prefix="imekit-plan-") as folder:
        plan_file = Path(folder) / "plan.json"
        conversion.write(plan_file)
        say(f"checkov: {len(conversion.resources)} resources written as a Terraform plan")
        report = run_plans(env, [plan_file], progress=say, timeout=timeout)
    version = str((report.get("summary") or {}).get("checkov_version") or "")
    if version != env.version:
        raise ImekitError(
            f"checkov reported version {version or 'unknown'}, the kit is tested with "
            f"{env.version}",
            hint="run `imekit checkov setup --force` to reinstall the pinned version",
        )
    result = map_report(report, conversion, mapping)
    result.elapsed = time.monotonic() - started
    if result.unmapped_checks:
        say("checkov: ids not in controls/checkov.yaml (reported as advisory): "
            + ", ".join(result.unmapped_checks))
    return result
