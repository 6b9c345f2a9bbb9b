"""One gate run: graphs -> Rego pack (+ checkov) -> findings -> waivers -> control statuses.

Every failure to evaluate raises ImekitError (exit 2); nothing here turns an error into a
pass. Progress goes to the `progress` callable (the CLI writes it to stderr).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit import __version__
from imekit.errors import ImekitError
from imekit.findings import Finding
from imekit.gate import catalog_view
from imekit.gate.locations import anchor
from imekit.gate.rego import check_infos, evaluate_graph
from imekit.gate.result import CheckInfo, GateResult, StackRun, sort_findings
from imekit.gate.rollup import roll_up
from imekit.gate.sources import GraphInputs, check_combination, collect_graphs, synthesized_program
from imekit.graph.model import Graph
from imekit.graph.wire import urn_parts
from imekit.waivers import Waiver, apply_waivers, load_waivers

Progress = Callable[[str], None]
CHECKOV_SKIPPED = "checkov was not run (--no-checkov)"
MISSING_RULE = "the policy pack has no such rule"


@dataclass(frozen=True)
class GateRequest:
    inputs: GraphInputs = field(default_factory=GraphInputs)
    policy_config: Path | None = None
    waivers_file: Path | None = None
    checkov: bool = True
    checkov_install: bool = True  # provision the isolated checkov environment if missing
    today: dt.date | None = None
    policy_dir: Path | None = None  # another pack (tests); default: the kit's policies/
    controls_dir: Path | None = None  # another catalog (tests); default: the kit's controls/


def _load_waivers(request: GateRequest, catalog: Any) -> list[Waiver]:
    if request.waivers_file is None:
        return []
    return load_waivers(
        request.waivers_file,
        is_known_check=lambda c: catalog_view.is_known_check(catalog, c),
        needs_alternative=lambda c: catalog_view.needs_alternative(catalog, c),
    )


def _checkov_stage(
    graphs: list[Graph],
    runs: dict[str, StackRun],
    catalog: Any,
    request: GateRequest,
    say: Progress,
) -> tuple[list[Finding], dict[str, CheckInfo], dict[str, Any]]:
    from imekit.checkov import run_checkov

    result = run_checkov(graphs, progress=say, install=request.checkov_install)
    inspected: dict[tuple[str, str], set[str]] = {}
    for check_id, urns in result.passed.items():
        for urn in urns:
            stack = urn_parts(urn)[0]
            inspected.setdefault((stack, check_id), set()).add(urn)
    for f in result.findings:
        inspected.setdefault((f.stack, f.check_id), set()).add(f.urn)
    # A mandatory id checkov "passed" on values unknown until deployment (or secret) is not
    # evidence of a pass: its control cannot be decided for that stack.
    for check_id, reasons in result.unknown.items():
        for urn, why in sorted(reasons.items()):
            stack = urn_parts(urn)[0]
            if stack in runs:
                runs[stack].unknown.setdefault(check_id, f"checkov: {why}")
    counted = catalog.check_index()  # ignored checkov ids speak for no control
    for (stack, check_id), urns in inspected.items():
        if stack in runs:
            runs[stack].inspected[check_id] = len(urns)
            if check_id in counted:
                runs[stack].covered.update(urns)
    infos: dict[str, CheckInfo] = {}
    ids = set(result.check_names) | {f.check_id for f in result.findings}
    for check_id in sorted(ids):
        mapping = catalog.checkov.get(check_id)
        if mapping is not None and mapping.enforcement == "ignored":
            continue
        infos[check_id] = CheckInfo(
            check_id=check_id,
            engine="checkov",
            enforcement=mapping.enforcement if mapping else "advisory",
            control_ids=catalog_view.control_ids_for(catalog, check_id),
            title=result.check_names.get(check_id, check_id),
            description=result.check_names.get(check_id, check_id),
            fix="",
            citations=catalog_view.citations_for(catalog, check_id),
        )
    for f in result.findings:
        if not f.control_ids:
            f.control_ids = catalog_view.control_ids_for(catalog, f.check_id)
    return list(result.findings), infos, result.summary()


def _check_coverage(graph: Graph, run: StackRun) -> None:
    """Note the resources no check inspected; refuse a stack none of whose resources is.

    A graph of types the pack and checkov do not know (another provider such as
    aws-native, a program of something else entirely) would otherwise come out all
    not-applicable: a verdict on a stack the gate did not look at.
    """
    resources = [d for d in graph.resources if not str(d.get("__type", "")).startswith("pulumi:")]
    # Custom resources are the ones with a provider; components (`__provider` {}) hold none
    # of the infrastructure themselves and are never a check's concern.
    run.uninspected = dict(
        sorted(
            Counter(
                str(d.get("__type", ""))
                for d in resources
                if d.get("__provider") and d.get("__urn") not in run.covered
            ).items()
        )
    )
    if any(d.get("__urn") in run.covered for d in resources):
        return
    if not run.inspected:
        raise ImekitError(
            f"no check ran on stack {graph.stack}: every rule is disabled and checkov "
            "was not run",
            hint="enable rules in the --policy-config, or drop --no-checkov",
        )
    types = Counter(str(d.get("__type", "")) for d in resources)
    listed = ", ".join(f"{t} ({n})" for t, n in types.most_common(5))
    more = f" and {len(types) - 5} more type(s)" if len(types) > 5 else ""
    raise ImekitError(
        f"no check inspects any resource of stack {graph.stack}: its {len(resources)} "
        f"resource(s) are of types the gate does not know: {listed}{more}",
        hint="gate a program written with pulumi-aws (`aws:` types), or leave this stack out",
    )


def run_gate(request: GateRequest, *, progress: Progress | None = None) -> GateResult:
    say = progress or (lambda _line: None)
    started_at = dt.datetime.now(dt.UTC)
    timings: dict[str, float] = {}

    from imekit.catalog import load_catalog
    from imekit.policy.config import check_against_pack, load_policy_config
    from imekit.policy.pack import load_pack

    check_combination(request.inputs)
    t0 = time.monotonic()
    catalog = load_catalog(request.controls_dir)
    pack = load_pack(request.policy_dir)
    config = load_policy_config(request.policy_config) if request.policy_config else None
    if config is not None:
        check_against_pack(config, pack)
    waivers = _load_waivers(request, catalog)
    timings["load"] = time.monotonic() - t0

    graphs, graph_timings = collect_graphs(request.inputs, say)
    timings.update(graph_timings)

    findings: list[Finding] = []
    runs: dict[str, StackRun] = {}
    for graph in graphs:
        t0 = time.monotonic()
        stack_findings, run = evaluate_graph(pack, graph, config, catalog)
        run.seconds = time.monotonic() - t0
        timings[f"rego:{graph.stack}"] = run.seconds
        say(
            f"rego: {graph.stack}: {len(pack.rules)} rules over {run.resource_count} "
            f"resources, {len(stack_findings)} finding(s) in {run.seconds:.2f} s"
        )
        findings += stack_findings
        runs[graph.stack] = run
    checks = check_infos(pack, config, catalog)
    # A rule the catalog counts on but the pack lacks (renamed, removed, another pack)
    # would otherwise look not-applicable forever: it is unknown.
    in_pack = set(pack.rule_names())
    for control in catalog.controls.values():
        for rule in control.rego:
            if rule not in in_pack:
                for run in runs.values():
                    run.unknown[rule] = MISSING_RULE

    engines: dict[str, Any] = {
        "rego": {"engine": "regorus", "pack": pack.name, "pack_version": pack.version},
    }
    if request.checkov:
        t0 = time.monotonic()
        ckv_findings, ckv_checks, ckv_summary = _checkov_stage(
            graphs, runs, catalog, request, say
        )
        timings["checkov"] = time.monotonic() - t0
        findings += ckv_findings
        checks.update(ckv_checks)
        engines["checkov"] = {"ran": True, **ckv_summary}
        say(f"checkov: {len(ckv_findings)} finding(s) in {timings['checkov']:.1f} s")
    else:
        engines["checkov"] = {"ran": False, "reason": "--no-checkov"}
        checkov_only = [
            c for c in catalog.controls.values() if c.automated and not c.rego
        ]
        for run in runs.values():
            for control in checkov_only:
                for check_id in control.checkov_ids:
                    run.unknown[check_id] = CHECKOV_SKIPPED

    for graph in graphs:
        _check_coverage(graph, runs[graph.stack])

    waiver_report = apply_waivers(
        findings,
        waivers,
        today=request.today,
        stacks=list(runs),
        source=str(request.waivers_file) if request.waivers_file else None,
    )
    root, manifest = anchor(findings, graphs, synthesized_program(request.inputs))
    run_list = list(runs.values())
    findings = sort_findings(findings)
    controls = roll_up(
        catalog_view.control_specs(catalog, with_checkov=request.checkov), run_list, findings
    )
    result = GateResult(
        stacks=run_list,
        findings=findings,
        checks=checks,
        controls=controls,
        manual=catalog_view.manual_controls(catalog),
        waivers=waiver_report,
        engines=engines,
        timings=timings,
        started_at=started_at,
        tool_version=__version__,
        root=root,
        manifest=manifest,
    )
    if not result.controls:
        raise ImekitError("the catalog has no automated control: nothing was gated")
    return result
