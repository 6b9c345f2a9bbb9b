"""`imekit synth`: run a Pulumi Python program offline and write its resource graph."""

from __future__ import annotations

from pathlib import Path

import click

from imekit import exitcodes
from imekit.errors import ImekitError


def _stderr(line: str) -> None:
    click.echo(line, err=True)


@click.command(name="synth")
@click.argument(
    "program_dir",
    required=False,
    type=click.Path(file_okay=False, path_type=Path),
)
@click.option("--stack", "-s", default="dev", show_default=True, help="Stack whose config to use.")
@click.option(
    "--config",
    "-c",
    "config",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override one config value (repeatable); a bare KEY is in the project's namespace.",
)
@click.option(
    "--unknowns",
    is_flag=True,
    help="Write values that come from other resources' outputs as Pulumi's unknown marker, "
    "as a real `pulumi preview` of a new stack sees them.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=120.0,
    show_default=True,
    help="Seconds the program may run before it is killed.",
)
@click.option(
    "--require-isolation",
    is_flag=True,
    help="Refuse to run the program (exit 2) unless it can be put in its own network, "
    "process and mount namespaces, its credential files hidden (Linux).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the graph here instead of standard output.",
)
def command(
    program_dir: Path | None,
    stack: str,
    config: tuple[str, ...],
    unknowns: bool,
    timeout: float,
    require_isolation: bool,
    output: Path | None,
) -> int:
    """Run PROGRAM_DIR's Pulumi program offline under mocks and write its graph.

    PROGRAM_DIR is the folder holding Pulumi.yaml (default: the kit's reference IME
    platform). The program runs in a child process without cloud or Pulumi credentials
    and, where the machine allows it, without network or sight of other processes.
    The graph (schema imekit.graph/v1, see docs/graph-contract.md) goes to standard output
    or --output; a summary of resources by type goes to standard error.
    """
    from imekit.graph.project import parse_override
    from imekit.graph.synth import synthesize

    overrides: dict[str, str] = {}
    for item in config:
        key, value = parse_override(item)
        overrides[key] = value
    graph = synthesize(
        program_dir,
        stack,
        overrides,
        unknowns,
        timeout,
        progress=_stderr,
        require_isolation=require_isolation,
    )
    text = graph.dumps()
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise ImekitError(f"cannot write {output}: {exc.strerror}") from exc
        _stderr(f"synth: graph written to {output}")
    return exitcodes.OK
