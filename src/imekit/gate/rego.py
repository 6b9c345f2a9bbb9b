"""The Rego pack's verdicts on one graph, as findings, and its rules, as check descriptions."""

from __future__ import annotations

from typing import Any

from imekit.errors import ImekitError
from imekit.findings import ADVISORY, MANDATORY, Finding, Location
from imekit.gate import catalog_view
from imekit.gate.result import CheckInfo, StackRun
from imekit.graph.model import Graph

ENGINE = "rego"
DISABLED_REASON = "disabled by the policy config"


def _location(graph: Graph, urn: str) -> Location | None:
    loc = graph.location_of(urn)
    if not isinstance(loc, dict):
        return None
    file, line = loc.get("file"), loc.get("line")
    if not isinstance(file, str) or isinstance(line, bool) or not isinstance(line, int | float):
        return None
    return Location(file=file, line=int(line))


def _controls(catalog: Any, rule: str, metadata_control: str) -> tuple[str, ...]:
    # The catalog is the hub; a rule it does not list still shows the control its
    # METADATA names, so its findings are never orphaned in the reports.
    return catalog_view.control_ids_for(catalog, rule) or (
        (metadata_control,) if metadata_control else ()
    )


def evaluate_graph(
    pack: Any, graph: Graph, config: Any, catalog: Any
) -> tuple[list[Finding], StackRun]:
    """Evaluate every enabled rule of the pack on one stack's graph (Pulumi's semantics)."""
    from imekit.policy.evaluate import evaluate

    evaluation = evaluate(pack, graph, config)
    findings: list[Finding] = []
    for v in evaluation.violations:
        if v.level not in (MANDATORY, ADVISORY):
            raise ImekitError(f"rule {v.rule} reported an unknown enforcement level {v.level!r}")
        findings.append(
            Finding(
                check_id=v.rule,
                engine=ENGINE,
                enforcement=v.level,
                stack=graph.stack,
                urn=v.urn,
                resource_type=v.resource_type,
                message=v.message,
                control_ids=_controls(catalog, v.rule, v.control),
                location=_location(graph, v.urn),
            )
        )
    run = StackRun(
        stack=graph.stack,
        project=graph.project,
        source=graph.source,
        resource_count=len(graph.resources),
        inspected={rule: len(urns) for rule, urns in evaluation.evaluated.items()},
        unknown={rule: DISABLED_REASON for rule in evaluation.skipped_rules},
        covered=set().union(*evaluation.evaluated.values()),
    )
    return findings, run


def check_infos(pack: Any, config: Any, catalog: Any) -> dict[str, CheckInfo]:
    """Every rule the run evaluates, with its METADATA and its level after the config."""
    from imekit.policy.evaluate import effective_levels

    levels = effective_levels(pack, config)
    infos: dict[str, CheckInfo] = {}
    for rule in pack.rules:
        level = levels[rule.name]
        if level not in (MANDATORY, ADVISORY):
            continue  # disabled: not evaluated, reported as unknown
        infos[rule.name] = CheckInfo(
            check_id=rule.name,
            engine=ENGINE,
            enforcement=level,
            control_ids=_controls(catalog, rule.name, rule.control),
            title=rule.title or rule.name,
            description=" ".join(rule.description.split()),
            fix=rule.message,
            citations=catalog_view.citations_for(catalog, rule.name),
        )
    return infos
