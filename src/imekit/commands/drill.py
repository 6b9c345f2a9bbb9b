"""`imekit drill`: list, show, validate and run incident and restore drills."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from imekit import exitcodes
from imekit.errors import ImekitError


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _progress(line: str) -> None:
    click.echo(line, err=True)


@click.group("drill")
def command() -> None:
    """Run incident and restore drills (runbooks/*.yaml) and tabletop exercises.

    Exit codes: 0 the run passed; 1 it failed or deviated; 2 it could not run.
    """


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """List the drills with their kind, targets and controls."""
    from imekit.drills.definition import list_drills

    drills = list_drills()
    if as_json:
        click.echo(json.dumps([{
            "name": d.name, "title": d.title, "kind": d.kind, "controls": list(d.controls),
            "supported_targets": list(d.supported_targets),
            "rto_seconds": d.rto_seconds, "rpo_seconds": d.rpo_seconds,
            "frequency": d.frequency,
        } for d in drills], indent=2))
        return
    width = max(len(d.name) for d in drills)
    for drill in drills:
        where = "tabletop" if drill.is_tabletop else "/".join(drill.supported_targets)
        click.echo(f"{drill.name:<{width}}  {where:<9}  {','.join(drill.controls):<40}  "
                   f"{drill.title}")


def _seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value >= 3600:
        return f"{value:g} s ({value / 3600:g} h)"
    return f"{value:g} s"


@command.command("show")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the parsed definition as JSON.")
def show_command(name: str, as_json: bool) -> None:
    """Show a drill: its objectives, steps, verification, rollbacks and AWS-only checks."""
    from imekit.drills.definition import PHASES, load_drill

    drill = load_drill(name)
    if as_json:
        import yaml

        click.echo(json.dumps(yaml.safe_load(drill.path.read_text(encoding="utf-8")), indent=2))
        return
    echo = click.echo
    echo(f"{drill.name}: {drill.title}")
    echo(f"  kind: {drill.kind}    controls: {', '.join(drill.controls)}    "
         f"frequency: {drill.frequency or 'not set'}")
    echo(f"  definition: {drill.path} (sha256 {drill.sha256[:12]}...)")
    echo("")
    for line in drill.description.splitlines():
        echo(f"  {line}")
    if drill.is_tabletop:
        _show_tabletop(drill.tabletop or {})
        return
    echo("")
    echo(f"  targets: RTO {_seconds(drill.rto_seconds)}, RPO {_seconds(drill.rpo_seconds)}")
    echo(f"  runs on: {', '.join(drill.supported_targets)}")
    if drill.local_unsupported_reason:
        echo(f"  not local because: {drill.local_unsupported_reason}")
    if drill.configuration:
        echo("  configuration (change with --set KEY=VALUE):")
        for key, value in drill.configuration.items():
            echo(f"    {key} = {json.dumps(value)}")
    echo(f"  steady state: {drill.steady_state_title}")
    for step in drill.steady_state:
        echo(f"    probe {step.name}: {step.function}")
    for phase in PHASES:
        echo(f"  {phase}:")
        for step in drill.phases[phase]:
            echo(f"    {step.kind} {step.name}: {step.function}")
        if not drill.phases[phase]:
            echo("    (nothing)")
    echo("  verification:")
    for step in drill.verification:
        echo(f"    probe {step.name}: {step.function}")
    echo("  rollbacks (always run):")
    for step in drill.rollbacks:
        echo(f"    action {step.name}: {step.function}")
    if drill.aws_only:
        echo("  verified only against AWS:")
        for text in drill.aws_only:
            echo(f"    - {text}")
    if drill.not_verified:
        echo("  not verified by this drill (on any target):")
        for text in drill.not_verified:
            echo(f"    - {text}")


def _show_tabletop(tabletop: dict[str, Any]) -> None:
    echo = click.echo
    echo("")
    echo(f"  duration: {tabletop['duration_minutes']} minutes; roles: "
         f"{', '.join(tabletop['roles'])}")
    echo("  scenario:")
    for line in tabletop["scenario"].strip().splitlines():
        echo(f"    {line}")
    for inject in tabletop["injects"]:
        echo(f"  T+{inject['at_minute']} min  {inject['id']}: {inject['title']}")
        for question in inject["questions"]:
            echo(f"    {question['id']}: {question['text']}")


@command.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def validate_command(paths: tuple[Path, ...]) -> None:
    """Validate drill definitions (default: every runbook). Exit 1 if any is invalid."""
    import yaml

    from imekit.drills.definition import drill_paths, validate_definition

    targets = list(paths) or drill_paths()
    bad = 0
    for path in targets:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise ImekitError(f"cannot read {path}: {exc}") from exc
        problems = validate_definition(data, path)
        if problems:
            bad += 1
            click.echo(f"{path}: invalid")
            for problem in problems:
                click.echo(f"  - {problem}")
        else:
            click.echo(f"{path}: ok")
    click.get_current_context().exit(exitcodes.VIOLATIONS if bad else exitcodes.OK)


def _parse_set(values: tuple[str, ...], configuration: Any) -> dict[str, Any]:
    """KEY=VALUE pairs; a value replacing text stays text as typed (`engine_version=16.4`),
    any other value is read as YAML (`object_lock=false`, `report_count=3`)."""
    import yaml

    overrides: dict[str, Any] = {}
    for item in values:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ImekitError(f"--set {item!r}: expected KEY=VALUE")
        if isinstance(configuration.get(key), str):
            overrides[key] = raw
            continue
        try:
            overrides[key] = yaml.safe_load(raw) if raw else ""
        except yaml.YAMLError as exc:
            raise ImekitError(f"--set {item!r}: the value is not valid YAML: {exc}") from exc
    return overrides


@command.command("run")
@click.argument("name")
@click.option("--target", type=click.Choice(["local", "aws"]), default="local", show_default=True,
              help="local: moto's server on 127.0.0.1, no AWS account. aws: your credentials, "
              "in the account named by --confirm-account.")
@click.option("--confirm-account", metavar="ID",
              help="With --target aws: the 12-digit account id you mean; anything else refuses.")
@click.option("--tabletop", is_flag=True, help="Run a tabletop exercise.")
@click.option("--answers", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="With --tabletop: read the answers from this YAML file (for CI).")
@click.option("--journal-dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("journals"), show_default=True, help="Where to write the journal.")
@click.option("--rto", type=float, metavar="SECONDS", help="Override the RTO target.")
@click.option("--rpo", type=float, metavar="SECONDS", help="Override the RPO target.")
@click.option("--skip-step", "skip_steps", multiple=True, metavar="PHASE",
              type=click.Choice(["inject", "detect", "respond", "restore"]),
              help="Skip a phase (a negative control: the run must then fail). Repeatable.")
@click.option("--set", "set_values", multiple=True, metavar="KEY=VALUE",
              help="Override a configuration value of the drill (YAML value). Repeatable.")
@click.option("--no-record", is_flag=True,
              help="Do not record the journal in the evidence record.")
def run_command(name: str, target: str, confirm_account: str | None, tabletop: bool,
                answers: Path | None, journal_dir: Path, rto: float | None, rpo: float | None,
                skip_steps: tuple[str, ...], set_values: tuple[str, ...],
                no_record: bool) -> None:
    """Run drill NAME (a runbook name or a path to a drill YAML) and write its journal."""
    from imekit.drills.definition import load_drill
    from imekit.drills.journal import ensure_writable, write_journal
    from imekit.drills.runner import deferred_interrupts

    if target == "aws" and not confirm_account:
        # Refuse before anything else happens: not a session, not a client, not a call.
        from imekit.drills.aws_target import check_confirmation

        check_confirmation(confirm_account)
    drill = load_drill(name)
    ensure_writable(journal_dir)
    if drill.is_tabletop or tabletop:
        journal = _run_tabletop(drill, tabletop, answers, target, confirm_account, rto, rpo,
                                skip_steps, set_values)
    else:
        if answers is not None:
            raise ImekitError("--answers applies to tabletop exercises (--tabletop) only")
        journal = _run_technical(drill, target, confirm_account, rto, rpo, skip_steps,
                                 _parse_set(set_values, drill.configuration))
    with deferred_interrupts():
        path = write_journal(journal, journal_dir)
        _summary(journal, path)
    _record(path, drill, enabled=not no_record)
    click.get_current_context().exit(exitcodes.OK if journal["status"] == "passed"
                                     else exitcodes.VIOLATIONS)


def _run_technical(drill: Any, target: str, confirm_account: str | None, rto: float | None,
                   rpo: float | None, skip_steps: tuple[str, ...],
                   overrides: dict[str, Any]) -> dict[str, Any]:
    from imekit.drills.runner import RunOptions, run_drill, validate_options

    if target not in drill.supported_targets:
        raise ImekitError(
            f"drill {drill.name} cannot run on --target {target}: "
            f"{drill.local_unsupported_reason or 'not a supported target'}",
            hint=f"supported targets: {', '.join(drill.supported_targets)}"
            + ("; use a sandbox account: --target aws --confirm-account ID"
               if "aws" in drill.supported_targets else ""))
    if target == "local" and confirm_account:
        raise ImekitError("--confirm-account applies to --target aws only")
    options = RunOptions(skip_phases=skip_steps, rto_seconds=rto, rpo_seconds=rpo,
                         overrides=overrides, progress=_progress)
    validate_options(drill, options)
    if target == "local":
        from imekit.drills.local_target import LocalTarget

        opened: Any = LocalTarget()
    else:
        from imekit.drills.aws_target import AwsTarget

        opened = AwsTarget(confirm_account)
    with opened as live:
        return run_drill(drill, live, options)


def _run_tabletop(drill: Any, tabletop: bool, answers: Path | None, target: str,
                  confirm_account: str | None, rto: float | None, rpo: float | None,
                  skip_steps: tuple[str, ...], set_values: tuple[str, ...]) -> dict[str, Any]:
    from imekit.drills.tabletop import run_tabletop

    if not drill.is_tabletop:
        raise ImekitError(f"{drill.name} is a technical drill, not a tabletop exercise",
                          hint=f"run it without --tabletop: imekit drill run {drill.name}")
    if not tabletop:
        raise ImekitError(f"{drill.name} is a tabletop exercise",
                          hint=f"run it with --tabletop (and --answers FILE in CI): "
                          f"imekit drill run {drill.name} --tabletop")
    if target != "local" or confirm_account or rto or rpo or skip_steps or set_values:
        raise ImekitError("a tabletop exercise takes only --answers and --journal-dir",
                          hint="--target, --confirm-account, --rto, --rpo, --skip-step and "
                          "--set apply to technical drills")
    interactive = answers is None and _stdin_is_terminal()
    if answers is None and not interactive:
        raise ImekitError("a tabletop exercise needs participants: standard input is not a "
                          "terminal and no --answers file was given",
                          hint="run it in a terminal, or pass --answers FILE (YAML)")
    return run_tabletop(drill, answers_file=answers, progress=_progress)


def _record(path: Path, drill: Any, *, enabled: bool) -> None:
    """Append the journal to the evidence record (the drill's verdict per control)."""
    from imekit.evidence import record_drill_journal

    try:
        entry = record_drill_journal(path, program=drill.path.parent, enabled=enabled)
    except ImekitError as exc:
        raise ImekitError(
            f"the drill ran and its journal is at {path}, but recording it as evidence "
            f"failed: {exc.message}",
            hint=f"fix the evidence store, then: imekit evidence record {path}"
            + (f" ({exc.hint})" if exc.hint else ""),
        ) from exc
    if entry is not None:
        click.echo(f"  evidence: recorded as entry {entry.seq} ({entry.hash[:12]})")


def _summary(journal: dict[str, Any], path: Path) -> None:
    from imekit.drills.runner import NOT_VERIFIED

    echo = click.echo
    echo(f"drill {journal['drill']}: {journal['status'].upper()}  (run {journal['run_id']}, "
         f"target {journal['target']}, {journal['duration_seconds']:.2f} s)")
    for key in ("rto", "rpo"):
        objective = journal["objectives"][key]
        target = objective["target_seconds"]
        measured = objective["measured_seconds"]
        if target is None and measured is None:
            echo(f"  {key.upper()}: not applicable")
            continue
        verdict = {True: "met", False: "MISSED", None: "no target"}[objective["met"]]
        shown = "not measured" if measured is None else f"{measured:.3f} s"
        echo(f"  {key.upper()}: {shown} vs target {_seconds(target)}: {verdict}")
    for reason in journal["reasons"]:
        echo(f"  reason: {reason}")
    unknown = [s for s in journal["steps"] if s["outcome"] == "unknown"]
    if unknown:
        echo(f"  {len(unknown)} check(s) can only be verified against AWS (see the journal's "
             "notes)")
    outside = [n for n in journal["notes"] if n.startswith(NOT_VERIFIED)]
    if outside:
        echo(f"  {len(outside)} thing(s) this drill does not verify on any target (see the "
             "journal's notes)")
    echo(f"  journal: {path}")
