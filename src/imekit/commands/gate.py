"""`imekit gate`: the pull-request gate.

Exit 0 when no unwaived mandatory finding remains, 1 when one does, 2 when the gate could
not evaluate (bad input, broken pack, unreadable waivers, synth failure, checkov failure).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from imekit.errors import ImekitError

_PATH = click.Path(path_type=Path, dir_okay=False)
_IN_FILE = click.Path(path_type=Path, exists=False, dir_okay=False)


def _config_pairs(values: tuple[str, ...]) -> dict[str, str]:
    pairs: dict[str, str] = {}
    for value in values:
        key, sep, text = value.partition("=")
        if not sep or not key.strip():
            raise ImekitError(
                f"--config {value!r} is not KEY=VALUE",
                hint="e.g. --config ime-platform:logRetentionDays=2192",
            )
        pairs[key.strip()] = text
    return pairs


def _say(line: str) -> None:
    click.echo(line, err=True)


def _progress(message: str) -> None:
    # Multi-line progress (synth's resource count per type) is detail for `imekit synth`;
    # the gate shows the first line and keeps stderr readable.
    _say(message.split("\n", 1)[0])


@click.command("gate")
@click.argument(
    "program_dir", required=False, type=click.Path(path_type=Path, file_okay=False)
)
@click.option("--graph", "graph_files", multiple=True, type=_IN_FILE,
              help="A graph written by `imekit synth` (repeatable).")
@click.option("--preview-json", "preview_files", multiple=True, type=_IN_FILE,
              help="Output of `pulumi preview --json --show-sames` (repeatable).")
@click.option("--stack-export", "export_files", multiple=True, type=_IN_FILE,
              help="Output of `pulumi stack export` (repeatable).")
@click.option("--stack", "stacks", multiple=True, metavar="NAME",
              help="Stack to gate (repeatable; default dev). With files: select stacks.")
@click.option("--config", "config", multiple=True, metavar="KEY=VALUE",
              help="Override a stack config value for synthesis (repeatable).")
@click.option("--unknowns", is_flag=True,
              help="Synthesize as `pulumi preview` sees it: other resources' outputs unknown.")
@click.option("--require-isolation", is_flag=True,
              help="Refuse to synthesize (exit 2) unless the program can run in its own network, "
              "process and mount namespaces (Linux): use it when gating untrusted code.")
@click.option("--policy-config", type=_IN_FILE,
              help="Pulumi policy config (enforcement levels, thresholds).")
@click.option("--waivers", "waivers_file", type=_IN_FILE, help="Waiver file (YAML).")
@click.option("--sarif", type=_PATH, help="Write a SARIF 2.1.0 report here.")
@click.option("--junit", type=_PATH, help="Write a JUnit XML report here.")
@click.option("--json", "json_file", type=_PATH, help="Write the JSON report here.")
@click.option("--markdown", type=_PATH, help="Write a Markdown summary (PR comment) here.")
@click.option("--no-checkov", is_flag=True,
              help="Skip checkov (its checks count as not evaluated).")
@click.option("--no-record", is_flag=True, help="Do not record this run in the evidence record.")
def command(
    program_dir: Path | None,
    graph_files: tuple[Path, ...],
    preview_files: tuple[Path, ...],
    export_files: tuple[Path, ...],
    stacks: tuple[str, ...],
    config: tuple[str, ...],
    unknowns: bool,
    require_isolation: bool,
    policy_config: Path | None,
    waivers_file: Path | None,
    sarif: Path | None,
    junit: Path | None,
    json_file: Path | None,
    markdown: Path | None,
    no_checkov: bool,
    no_record: bool,
) -> int:
    """Gate a Pulumi program (default: the reference platform, stack dev) or graph files.

    Evaluates the Rego policy pack (and checkov) on every stack, applies waivers, prints
    a per-control table with HIPAA Security Rule citations and writes the requested
    reports. Exit 0: no blocking finding; 1: blocking findings; 2: could not evaluate.
    """
    from imekit.gate.output import check_report_paths, record_run, write_reports
    from imekit.gate.run import GateRequest, run_gate
    from imekit.gate.sources import GraphInputs
    from imekit.report.table import render_table

    started = time.monotonic()
    inputs = [*graph_files, *preview_files, *export_files]
    inputs += [p for p in (policy_config, waivers_file) if p is not None]
    check_report_paths(
        {"SARIF": sarif, "JUnit": junit, "JSON": json_file, "Markdown": markdown}, inputs
    )
    request = GateRequest(
        inputs=GraphInputs(
            program_dir=program_dir,
            graph_files=graph_files,
            preview_files=preview_files,
            export_files=export_files,
            stacks=stacks,
            config_overrides=_config_pairs(config),
            unknowns=unknowns,
            require_isolation=require_isolation,
        ),
        policy_config=policy_config,
        waivers_file=waivers_file,
        checkov=not no_checkov,
    )
    result = run_gate(request, progress=_progress)
    # Record before any verdict is shown or written: a run that cannot be recorded exits
    # 2, and no table or report may then say "exit 0" (or 1) for it.
    entry = record_run(result, program_dir=program_dir, enabled=not no_record)
    if entry is not None:
        _say(f"evidence: recorded as entry {entry.seq} ({entry.hash[:12]})")
    written = write_reports(
        result,
        sarif=sarif,
        junit=junit,
        json_file=json_file,
        markdown=markdown,
    )
    click.echo(render_table(result, colour=sys.stdout.isatty()), nl=False)
    for kind, path in written:
        _say(f"report: {kind} written to {path}")
    _say(f"gate: done in {time.monotonic() - started:.1f} s")
    return result.exit_code
