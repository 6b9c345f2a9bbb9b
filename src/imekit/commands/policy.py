"""`imekit policy`: run the pack's Rego tests and list its rules."""

from __future__ import annotations

import json
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
def test_command(pack_dir: Path | None, verbose: bool, match: str | None) -> int:
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
        return exitcodes.VIOLATIONS
    click.echo(f"PASS: {report.passed}/{len(report.results)} ({report.seconds:.2f}s)")
    return exitcodes.OK


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
