"""`imekit policy`: run the pack's Rego tests and list its rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click

from imekit import exitcodes
from imekit.errors import ImekitError

_pack_option = click.option(
    "--pack",
    "pack_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Policy pack folder (default: the kit's policies/).",
)


@click.group(name="policy")
def command() -> None:
    """Work with the Rego policy pack (test, list)."""


@command.command(name="test")
@_pack_option
@click.option("-v", "--verbose", is_flag=True, help="Print every test, not only failures.")
@click.option("-r", "--run", "match", default=None, help="Only tests whose name matches REGEX.")
@click.option("--no-record", is_flag=True, help="Do not record this run in the evidence record.")
def test_command(pack_dir: Path | None, verbose: bool, match: str | None, no_record: bool) -> int:
    """Run the pack's `test_` rules, like `opa test`.

    A test passes when it evaluates to true; undefined, false or an error fails it. The pack
    is also parsed as Pulumi's analyzer parses it (Rego v0 with `import rego.v1`).
    Exit 0 when every test passes, 1 when any fails, 2 when the pack does not compile.
    """
    from imekit.policy.pack import load_pack
    from imekit.policy.testrunner import TestResult, run_tests

    pack = load_pack(pack_dir)
    current_file = [""]

    def show(result: TestResult) -> None:
        if result.passed and not verbose:
            return
        if result.file != current_file[0]:
            current_file[0] = result.file
            click.echo(f"{result.file}:")
        ms = result.seconds * 1000
        query = pack.query(result.name)
        if result.passed:
            click.echo(f"{query}: PASS ({ms:.1f}ms)")
        elif result.outcome == "error":
            click.echo(f"{query}: ERROR ({ms:.1f}ms)\n  {result.location}: {result.detail}")
        else:
            click.echo(f"{query}: FAIL ({ms:.1f}ms)\n  {result.location}: {result.detail}")

    started = datetime.now(UTC)
    report = run_tests(pack, match=match, on_result=show)
    if not report.results:
        raise ImekitError(
            "no tests found" + (f" matching {match!r}" if match else ""),
            hint="tests are rules named test_* in *_test.rego files of the pack",
        )
    click.echo("-" * 80)
    failed = len(report.failed)
    if failed:
        click.echo(f"PASS: {report.passed}/{len(report.results)}")
        click.echo(f"FAIL: {failed}/{len(report.results)}")
    else:
        click.echo(f"PASS: {report.passed}/{len(report.results)} ({report.seconds:.2f}s)")
    _record(pack, report, started, pack_dir, enabled=not no_record)
    return exitcodes.VIOLATIONS if failed else exitcodes.OK


def _record(pack, report, started: datetime, pack_dir: Path | None, *, enabled: bool) -> None:
    """Record the run as evidence: a control passes when every test of its rules passed.

    A test belongs to the rule its name contains (test_fail_<rule>__case), or else to the
    rules of the file it tests (x_test.rego tests x.rego).
    """
    from imekit import __version__
    from imekit.evidence import record_run
    from imekit.paths import kit_root
    from imekit.status import Status, worst

    by_name = sorted(pack.rules, key=lambda r: len(r.name), reverse=True)
    statuses: dict[str, list[Status]] = {}
    for result in report.results:
        rules = [r for r in by_name if r.name in result.name][:1] or [
            r for r in pack.rules if r.file == result.file.replace("_test.rego", ".rego")
        ]
        for rule in rules:
            statuses.setdefault(rule.control, []).append(
                Status.PASS if result.passed else Status.FAIL
            )
    record_run(
        "policy-test",
        controls={c: str(worst(s)) for c, s in sorted(statuses.items())},
        result="fail" if report.failed else "pass",
        started=started,
        ended=datetime.now(UTC),
        summary={
            "tests": len(report.results),
            "passed": report.passed,
            "failed": len(report.failed),
            "pack": pack.name,
            "pack_version": pack.version,
        },
        tool_versions={"imekit": __version__, "policy-pack": pack.version},
        program=pack_dir or kit_root(),
        enabled=enabled,
    )


@command.command(name="list")
@_pack_option
@click.option("--json", "as_json", is_flag=True, help="Print the rules as JSON.")
def list_command(pack_dir: Path | None, as_json: bool) -> int:
    """List the pack's rules: name, scope, level, control and title."""
    from imekit.policy.pack import load_pack

    pack = load_pack(pack_dir)
    if as_json:
        rows = [
            {
                "rule": r.name,
                "scope": r.scope,
                "level": r.level,
                "control": r.control,
                "title": r.title,
                "description": r.description,
                "message": r.message,
                "resource_types": list(r.resource_types),
                "location": r.location,
                "config": sorted((r.config_schema or {}).get("properties", {})),
            }
            for r in pack.rules
        ]
        click.echo(
            json.dumps({"pack": pack.name, "version": pack.version, "rules": rows}, indent=2)
        )
        return exitcodes.OK
    name_w = max((len(r.name) for r in pack.rules), default=len("RULE"))
    click.echo(f"{'RULE':<{name_w}}  {'SCOPE':<8}  {'LEVEL':<9}  {'CONTROL':<10}  TITLE")
    for r in pack.rules:
        click.echo(f"{r.name:<{name_w}}  {r.scope:<8}  {r.level:<9}  {r.control:<10}  {r.title}")
    click.echo(f"{len(pack.rules)} rules in pack {pack.name} {pack.version}", err=True)
    return exitcodes.OK
