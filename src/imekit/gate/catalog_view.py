"""What the gate reads from the control catalog: controls, citations, manual controls.

The catalog is the one hub for citations: a check's citations are its control's. Keeping
every catalog lookup here leaves the rest of the gate independent of the catalog's model.
"""

from __future__ import annotations

from imekit.catalog.model import Catalog, Control
from imekit.gate.result import ManualControl
from imekit.gate.rollup import ControlSpec


def control_ids_for(catalog: Catalog, check_id: str) -> tuple[str, ...]:
    control = catalog.control_for_check(check_id)
    return (control.id,) if control else ()


def citations_for(catalog: Catalog, check_id: str) -> tuple[str, ...]:
    return tuple(catalog.citations_for_check(check_id))


def is_known_check(catalog: Catalog, check_id: str) -> bool:
    return catalog.control_for_check(check_id) is not None or check_id in catalog.checkov


def needs_alternative(catalog: Catalog, check_id: str) -> bool:
    """True when the check's control cites an addressable specification.

    Waiving the check leaves that specification unimplemented for the resource, which
    164.306(d)(3)(ii)(B) allows only with the reason documented and an equivalent
    alternative measure adopted: the waiver must name it. A required standard cited by
    the same control (164.312(a)(1) next to 164.308(a)(4)(ii)(B)) does not lift that duty.
    """
    control = catalog.control_for_check(check_id)
    if control is None:
        return False
    requirements = [catalog.requirement(c) for c in control.citations]
    return any(r is not None and r.is_addressable for r in requirements)


def is_mandatory_check(catalog: Catalog, check_id: str) -> bool:
    """The catalog's own level of a check: a Rego rule by its name, checkov by checkov.yaml."""
    return catalog.is_mandatory(check_id)


def control_specs(catalog: Catalog, *, with_checkov: bool) -> list[ControlSpec]:
    """Every control with at least one automated check, in catalog order.

    Without checkov, a control's checkov ids are left out; a control decided by checkov
    alone keeps them so the roll-up reports it as not evaluated rather than dropping it.

    The gate decides a control only when at least one of its checks is mandatory and the
    control rests on no document: a risk analysis supported by an advisory AWS Config
    check is checked in part, and its checks finding nothing to inspect must never read as
    the risk analysis being not applicable.
    """
    specs: list[ControlSpec] = []
    for control in catalog.controls.values():
        if not control.automated:
            continue
        checks = control.checks if with_checkov or not control.rego else control.rego
        evidence = tuple(m.id for m in control.manual_evidence)
        mandatory = any(is_mandatory_check(catalog, c) for c in control.checks)
        specs.append(
            ControlSpec(
                control.id,
                control.title,
                control.citations,
                checks,
                manual_evidence=evidence,
                drills=control.drills,
                decided=mandatory and not evidence,
            )
        )
    return specs


def _evidence_kind(control: Control) -> str:
    if control.inherited:
        return "inherited"
    if control.drills and not control.manual_evidence:
        return "drill"
    if control.drills:
        return "drill+manual"
    return "manual"


def manual_controls(catalog: Catalog) -> list[ManualControl]:
    """Controls no automated check decides: listed apart, never counted as pass."""
    return [
        ManualControl(c.id, c.title, c.citations, _evidence_kind(c))
        for c in catalog.controls.values()
        if not c.automated
    ]
