"""`imekit checkov`: the isolated checkov environment, the Terraform-plan bridge, a scan.

    imekit checkov setup [--force]          install the pinned checkov (CI calls this first)
    imekit checkov status                   is it ready? (exit 0 ready, 2 not)
    imekit checkov plan GRAPH... -o FILE    write the Terraform plan checkov would read
    imekit checkov run [GRAPH...]           scan graphs (or synthesize a program) with checkov

Exit codes: 0 all good; 1 a mandatory checkov id failed; 2 could not evaluate or run.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import click

from imekit import exitcodes
from imekit.errors import ImekitError


def _say(line: str) -> None:
    click.echo(line, err=True)


@click.group(name="checkov")
def command() -> None:
    """Run checkov on Pulumi programs through a Terraform-plan bridge.

    checkov lives in its own virtualenv (it pins libraries pulumi cannot share), created
    on first use in $IMEKIT_HOME or ~/.cache/imekit.
    """


@command.command()
@click.option("--force", is_flag=True, help="Reinstall even if the environment looks ready.")
def setup(force: bool) -> int:
    """Install the pinned checkov into its isolated environment (idempotent)."""
    from imekit.checkov import environment

    env = environment.provision(progress=_say, force=force)
    click.echo(environment.status(env.version).describe())
    return exitcodes.OK


@command.command()
def status() -> int:
    """Say whether the pinned checkov is installed and usable."""
    from imekit.checkov import environment

    current = environment.status()
    click.echo(current.describe())
    if not current.ready:
        click.echo("  hint: run `imekit checkov setup`", err=True)
        return exitcodes.ERROR
    return exitcodes.OK


@command.command()
@click.argument("graphs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Where to write the Terraform plan JSON.")
@click.option("--addresses", type=click.Path(path_type=Path),
              help="Also write a JSON map: Terraform address -> Pulumi URN, stack and type.")
def plan(graphs: tuple[Path, ...], output: Path, addresses: Path | None) -> int:
    """Write GRAPHS (from `imekit synth`) as one Terraform plan JSON for checkov."""
    from imekit.checkov.plan import convert_graphs
    from imekit.graph.model import load_graph

    conversion = convert_graphs([load_graph(p) for p in graphs])
    conversion.write(output)
    if addresses is not None:
        table = {
            address: {
                "urn": o.urn,
                "stack": o.stack,
                "pulumi_type": o.pulumi_type,
                # What checkov will read as absent: unknown until deployment, or secret.
                "unknown_attributes": sorted(o.unknown_attributes),
            }
            for address, o in sorted(conversion.resources.items())
        }
        addresses.write_text(json.dumps(table, indent=2) + "\n", encoding="utf-8")
    _say(f"checkov plan: {len(conversion.resources)} resources written to {output}; "
         f"{conversion.components} component/engine resources have no Terraform counterpart")
    for pulumi_type, count in conversion.unmapped_types.items():
        _say(f"  unmapped (checkov cannot see): {pulumi_type} x{count}")
    return exitcodes.OK


@command.command()
@click.argument("graphs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--program", type=click.Path(path_type=Path, file_okay=False),
              help="Synthesize this Pulumi program instead of reading graphs "
              "(default: the reference platform).")
@click.option("--stack", "stacks", multiple=True,
              help="Stack(s) to synthesize with --program or by default (default: dev).")
@click.option("--json", "json_out", type=click.Path(path_type=Path),
              help="Also write the full result as JSON.")
@click.option("--no-install", is_flag=True,
              help="Fail instead of installing checkov when its environment is missing.")
@click.option("--timeout", type=float, default=None,
              help="Seconds to wait for checkov (default: $IMEKIT_CHECKOV_TIMEOUT, else 1800).")
@click.option("--no-record", is_flag=True, help="Do not record this run as evidence.")
def run(
    graphs: tuple[Path, ...],
    program: Path | None,
    stacks: tuple[str, ...],
    json_out: Path | None,
    no_install: bool,
    timeout: float | None,
    no_record: bool,
) -> int:
    """Scan GRAPHS (or a synthesized program) with checkov and map results to controls."""
    from imekit.checkov import run_checkov
    from imekit.graph.model import load_graph

    if graphs and (program or stacks):
        raise ImekitError("give either graph files or --program/--stack, not both")
    started = datetime.now(UTC)
    if graphs:
        loaded = [load_graph(p) for p in graphs]
    else:
        from imekit.graph.synth import synthesize
        from imekit.paths import reference_program_dir

        program = program or reference_program_dir()  # what synth runs, and what is recorded
        loaded = [synthesize(program, stack=s, progress=_say) for s in (stacks or ("dev",))]
    result = run_checkov(loaded, progress=_say, install=not no_install, timeout=timeout)
    ended = datetime.now(UTC)
    _print_result(result)
    if json_out is not None:
        json_out.write_text(json.dumps(_result_json(result), indent=2) + "\n", encoding="utf-8")
    verdict = "fail" if result.blocking else "pass"
    _record(result, verdict, started, ended, loaded, program, enabled=not no_record)
    return exitcodes.VIOLATIONS if result.blocking else exitcodes.OK


def _print_result(result) -> None:
    out = sys.stdout
    for finding in result.findings:
        where = f"  {finding.location.file}:{finding.location.line}" if finding.location else ""
        out.write(f"{finding.enforcement.upper():9} {finding.check_id:12} {finding.message}\n"
                  f"{'':22}{finding.urn}{where}\n")
        for note in finding.notes:
            out.write(f"{'':22}note: {note}\n")
    for check_id, urns in result.unknown.items():
        for urn, reason in urns.items():
            out.write(f"{'UNKNOWN':9} {check_id:12} not evaluated: {reason}\n{'':22}{urn}\n")
    s = result.summary()
    out.write(
        f"checkov {s['checkov_version']}: {s['resources']} resources, "
        f"{s['blocking']} blocking and {s['findings'] - s['blocking']} advisory findings, "
        f"{s['passed']} passed results, {sum(s['unknown'].values())} unknown, "
        f"{sum(s['ignored'].values())} ignored failures\n"
    )
    if result.unmapped_types:
        out.write("not seen by checkov (no Terraform type): "
                  + ", ".join(f"{t} x{n}" for t, n in result.unmapped_types.items()) + "\n")
    if result.unmapped_checks:
        out.write("ids missing from controls/checkov.yaml (reported as advisory): "
                  + ", ".join(result.unmapped_checks) + "\n")


def _result_json(result) -> dict:
    return {
        "summary": result.summary(),
        "findings": [f.to_json() for f in result.findings],
        "passed": {k: sorted(v) for k, v in sorted(result.passed.items())},
        "unknown": result.unknown,
        "check_names": result.check_names,
        "notes": result.notes,
    }


def _control_statuses(result) -> dict[str, str]:
    from imekit.checkov.mapping import load_mapping
    from imekit.status import Status, worst

    mapping = load_mapping()
    statuses: dict[str, list[Status]] = {}

    def note(check_id: str, status: Status) -> None:
        entry = mapping.get(check_id)
        if entry is not None and entry.control and entry.enforcement != "ignored":
            statuses.setdefault(entry.control, []).append(status)

    for check_id in result.passed:
        note(check_id, Status.PASS)
    for check_id in result.unknown:  # judged on values unknown until deployment
        note(check_id, Status.UNKNOWN)
    for finding in result.findings:
        for control in finding.control_ids:
            statuses.setdefault(control, []).append(
                Status.FAIL if finding.blocking else Status.PASS
            )
    return {k: str(worst(v)) for k, v in sorted(statuses.items())}


def _record(result, verdict, started, ended, graphs, program, *, enabled: bool) -> None:
    from imekit import __version__
    from imekit.evidence import record_run

    record_run(
        "checkov",
        controls=_control_statuses(result),
        result=verdict,
        started=started,
        ended=ended,
        summary=result.summary(),
        tool_versions={"checkov": result.version, "imekit": __version__},
        stack=",".join(sorted({g.stack for g in graphs})),
        program=program,
        enabled=enabled,
    )
