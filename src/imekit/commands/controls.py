"""`imekit controls`: browse the control catalog, its coverage of the rule, and its integrity.

    imekit controls list [--family F] [--json]
    imekit controls show ID [--json]
    imekit controls coverage [--json]
    imekit controls check [--json]      (exit 1 when a reference dangles or an area is unchecked)

Tables fit a 100-column terminal; --json gives the same facts for machines.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import click

from imekit import exitcodes
from imekit.errors import ImekitError

WIDTH = 100


def _catalog(folder: Path | None) -> Any:
    from imekit.catalog import load_catalog

    return load_catalog(folder)


def _echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=False))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _row(cells: list[tuple[str, int]]) -> list[str]:
    """One table row; cells wrap onto continuation lines rather than being cut."""
    wrapped = [textwrap.wrap(text, width) or [""] for text, width in cells]
    lines = []
    for i in range(max(len(w) for w in wrapped)):
        parts = [
            f"{(w[i] if i < len(w) else ''):<{width}}"
            for w, (_, width) in zip(wrapped, cells, strict=True)
        ]
        lines.append(" ".join(parts).rstrip())
    return lines


def _echo_wrapped(text: str) -> None:
    for line in textwrap.wrap(text, WIDTH):
        click.echo(line)


def _regulation_line(catalog: Any) -> str:
    regulation = catalog.regulation
    line = (
        f"Catalog {catalog.version} follows the {regulation.title} as in force since"
        f" {regulation.text_version}."
    )
    kinds = {"proposed-rule": "the proposed rule", "final-rule-not-yet-effective": "the final rule"}
    for change in regulation.pending_changes:
        line += (
            f" Not followed: {kinds.get(change.kind, change.kind)} of {change.published},"
            f" {change.reference}, not in force."
        )
    return line


def _regulation_json(catalog: Any) -> dict[str, Any]:
    regulation = catalog.regulation
    return {
        "title": regulation.title,
        "citation": regulation.citation,
        "text_version": regulation.text_version,
        "text_version_note": regulation.text_version_note,
        "pending_changes": [
            {
                "title": c.title,
                "kind": c.kind,
                "published": c.published,
                "reference": c.reference,
                "note": c.note,
            }
            for c in regulation.pending_changes
        ],
    }


_folder_option = click.option(
    "--catalog",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A controls/ folder other than the kit's own.",
)


@click.group(name="controls")
def command() -> None:
    """Browse the HIPAA control catalog (controls/)."""


# ------------------------------------------------------------------ list
@command.command(name="list")
@click.option("--family", help="Only controls of this family, e.g. ENC or IAM.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_folder_option
def list_controls(family: str | None, as_json: bool, folder: Path | None) -> None:
    """List the controls: checks, drills and manual evidence per control."""
    catalog = _catalog(folder)
    controls = list(catalog.controls.values())
    if family:
        family = family.upper()
        if family not in catalog.families:
            raise ImekitError(
                f"no control family {family!r}",
                hint=f"families: {', '.join(catalog.families)}",
            )
        controls = [c for c in controls if c.family == family]
    if as_json:
        _echo_json(
            {
                "catalog_version": catalog.version,
                "regulation": _regulation_json(catalog),
                "controls": [c.to_json() for c in controls],
            }
        )
        return
    click.echo(f"{'ID':<11} {'TITLE':<42} {'CHECKS':>6} {'DRILLS':>6} {'MANUAL':>6}  CITATIONS")
    for control in controls:
        citations = control.citations[0]
        if len(control.citations) > 1:
            citations += f" +{len(control.citations) - 1}"
        manual = "AWS" if control.inherited else str(len(control.manual_evidence))
        if control.inherited and control.manual_evidence:
            manual = f"AWS+{len(control.manual_evidence)}"
        title = textwrap.wrap(control.title, 42)
        click.echo(
            f"{control.id:<11} {title[0]:<42} {len(control.checks):>6}"
            f" {len(control.drills):>6} {manual:>6}  {citations}"
        )
        for more in title[1:]:
            click.echo(f"{'':<11} {more}")
    click.echo("")
    click.echo(f"{len(controls)} control(s). MANUAL: manual evidence items; AWS: inherited.")
    _echo_wrapped(_regulation_line(catalog))


# ------------------------------------------------------------------ show
@command.command(name="show")
@click.argument("control_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@_folder_option
def show_control(control_id: str, as_json: bool, folder: Path | None) -> None:
    """Show one control: citations, implementation, checks, drills, evidence."""
    catalog = _catalog(folder)
    control = catalog.controls.get(control_id.upper())
    if control is None:
        raise ImekitError(f"no control {control_id!r} in the catalog", hint="imekit controls list")
    if as_json:
        data = control.to_json()
        data["citations"] = [
            {
                "citation": c,
                "title": catalog.requirements[c].title,
                "obligation": catalog.requirements[c].obligation,
                "kind": catalog.requirements[c].kind,
            }
            for c in control.citations
        ]
        data["family_title"] = catalog.families.get(control.family)
        data["catalog_version"] = catalog.version
        _echo_json(data)
        return

    def para(text: str, indent: str = "  ") -> None:
        for line in textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent):
            click.echo(line)

    click.echo(f"{control.id}  {control.title}")
    click.echo(f"Family: {control.family} ({catalog.families.get(control.family, '?')})")
    click.echo("Citations (45 CFR):")
    for citation in control.citations:
        requirement = catalog.requirements[citation]
        obligation = "standard" if requirement.is_standard else requirement.obligation
        for line in _row([(f"  {citation}", 24), (f"{requirement.title} ({obligation})", 75)]):
            click.echo(line)
    if control.implementation:
        components = ", ".join(control.implementation.components)
        click.echo("Implementation" + (f" (components: {components}):" if components else ":"))
        para(control.implementation.summary)
    if control.inherited:
        click.echo("Inherited from AWS under the BAA:")
        para(control.inherited)
    click.echo("Automated checks:" + ("" if control.rego or control.checkov else " none"))
    for rule in control.rego:
        click.echo(f"  rego     {rule}")
    for mapping in control.checkov:
        reason = f": {mapping.reason}" if mapping.reason else ""
        click.echo(_cut(f"  checkov  {mapping.id} ({mapping.enforcement}){reason}", WIDTH))
    click.echo("Drills:" + ("" if control.drills else " none"))
    for drill in control.drills:
        click.echo(f"  {drill}")
    click.echo("Manual evidence:" + ("" if control.manual_evidence else " none"))
    for item in control.manual_evidence:
        click.echo(
            f"  {item.id}  {item.frequency}, valid {item.validity_days} days, owner {item.owner}"
        )
        para(item.title, indent="    ")


# ------------------------------------------------------------------ coverage
_HOW_CODES = {
    "automated": "A",
    "drills": "D",
    "manual-evidence": "M",
    "inherited": "I",
    "not-applicable": "N",
}


@command.command(name="coverage")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@_folder_option
def coverage(as_json: bool, folder: Path | None) -> None:
    """Show how every requirement of the rule is met, in citation order."""
    from imekit.catalog.coverage import compute_coverage
    from imekit.catalog.model import NOT_REASONABLE
    from imekit.status import Status

    catalog = _catalog(folder)
    report = compute_coverage(catalog)
    if as_json:
        data = report.to_json()
        data["regulation"] = _regulation_json(catalog)
        _echo_json(data)
        return

    widths = (24, 3, 29, 9, 5)
    controls_width = WIDTH - sum(widths) - len(widths)
    header = ("CITATION", "OBL", "TITLE", "STATUS", "HOW", "CONTROLS")
    click.echo(_row(list(zip(header, (*widths, controls_width), strict=True)))[0])
    for row in report.rows:
        requirement = row.requirement
        depth = len(catalog.ancestors(requirement.citation))
        citation = "  " * depth + requirement.citation
        obligation = "std" if requirement.is_standard else requirement.obligation[:3]
        how = "".join(code for means, code in _HOW_CODES.items() if means in row.means)
        if row.advisory_only:
            how = how.replace("A", "a")  # its checks warn; none can fail the gate
        decision = requirement.decision
        if decision is not None and decision.outcome == NOT_REASONABLE and not row.controls:
            how += "N"
        if not row.covered:
            status = "GAP"
        elif row.status is Status.NOT_APPLICABLE:
            status = "n/a"
        elif row.status is Status.INHERITED:
            status = "inherited"
        else:
            status = "covered"
        cells = (citation, obligation, requirement.title, status, how, " ".join(row.controls))
        for line in _row(list(zip(cells, (*widths, controls_width), strict=True))):
            click.echo(line)
        for gap in row.gaps if row.is_leaf else ():
            click.echo(f"{'':<{widths[0] + 1}}gap: {gap}")

    t = report.totals
    click.echo("")
    _echo_wrapped(
        f"{t['leaves']} requirements to meet ({t['required_leaves']} required,"
        f" {t['addressable_leaves']} addressable) out of {t['requirements']} listed"
        f" ({t['standards']} standards, {t['implementation_specifications']} specifications)."
    )
    _echo_wrapped(
        f"Covered {t['covered_leaves']}, gaps {t['gaps']}. Met by: automated checks"
        f" {t['leaves_by_automated']} ({t['leaves_by_advisory_checks_only']} advisory only),"
        f" drills {t['leaves_by_drills']}, manual evidence"
        f" {t['leaves_by_manual_evidence']}, inherited {t['leaves_by_inherited']},"
        f" not applicable {t['leaves_by_not_applicable']}."
    )
    _echo_wrapped(
        "HOW: A automated checks (a: advisory only, they warn but never fail the gate),"
        " D drills, M manual evidence, I inherited from AWS,"
        " N documented as not applicable or not reasonable. Covered means the catalog says"
        " how; whether it passes comes from gate runs, drills and evidence."
    )
    _echo_wrapped(_regulation_line(catalog))


# ------------------------------------------------------------------ check
@command.command(name="check")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Kit folder holding controls/, policies/, runbooks/ and infra/ (default: the kit's).",
)
@click.pass_context
def check(ctx: click.Context, as_json: bool, root: Path | None) -> int:
    """Check the catalog against the policy pack, runbooks and infra (exit 1 on problems)."""
    from imekit.catalog.integrity import check_all
    from imekit.paths import kit_root

    root = root.resolve() if root is not None else kit_root()
    catalog = _catalog(root / "controls")
    results = check_all(catalog, root)
    problems = sum(len(r.problems) for r in results)
    unchecked = [r for r in results if r.skipped]
    if as_json:
        _echo_json(
            {
                "catalog_version": catalog.version,
                "ok": not problems and not unchecked,
                "areas": [r.to_json() for r in results],
            }
        )
    else:
        for result in results:
            if result.skipped:
                click.echo(f"{result.area}: NOT CHECKED: {result.skipped}")
                continue
            verdict = "ok" if not result.problems else f"{len(result.problems)} problem(s)"
            click.echo(f"{result.area}: {result.checked} checked, {verdict}")
            for problem in result.problems:
                click.echo(f"  {problem}")
        if problems or unchecked:
            click.echo(
                f"{problems} problem(s), {len(unchecked)} area(s) not checked: the catalog and"
                " the kit disagree (see docs/controls.md).",
                err=True,
            )
    code = exitcodes.VIOLATIONS if problems or unchecked else exitcodes.OK
    ctx.exit(code)
    return code
