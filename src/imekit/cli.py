"""The `imekit` command group.

Subcommands live in imekit.commands.<name> and are imported only when invoked, so
`imekit drill ...` never pays for importing pulumi, and one broken area cannot take the
whole CLI down.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback

import click

from imekit import __version__, exitcodes
from imekit.errors import ImekitError

# command name -> module under imekit.commands exposing a click object named `command`
_COMMANDS = {
    "synth": "synth",
    "gate": "gate",
    "policy": "policy",
    "controls": "controls",
    "drill": "drill",
    "evidence": "evidence",
    "checkov": "checkov",
}

_HELP = {
    "synth": "Run a Pulumi program offline and write its resource graph.",
    "gate": "Gate a program or graph with the policy pack and checkov.",
    "policy": "Work with the Rego policy pack (test, list).",
    "controls": "Browse the HIPAA control catalog.",
    "drill": "Run incident and restore drills.",
    "evidence": "Record, export and verify audit evidence.",
    "checkov": "Run checkov on Pulumi programs (Terraform-plan bridge, isolated env).",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(name for name in _COMMANDS if _available(name))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _COMMANDS.get(cmd_name)
        if module_name is None or not _available(cmd_name):
            return None
        module = importlib.import_module(f"imekit.commands.{module_name}")
        return module.command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, _HELP.get(name, "")) for name in self.list_commands(ctx)]
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


def _available(name: str) -> bool:
    return importlib.util.find_spec(f"imekit.commands.{_COMMANDS[name]}") is not None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="imekit")
def cli() -> None:
    """imekit: the HIPAA Security Rule, with code as the proof.

    Exit codes: 0 all good; 1 violations found or a drill failed/deviated;
    2 could not evaluate or run.
    """


def main(argv: list[str] | None = None) -> int:
    try:
        result = cli.main(args=argv, prog_name="imekit", standalone_mode=False)
    except ImekitError as exc:
        click.echo(f"imekit: error: {exc.message}", err=True)
        if exc.hint:
            click.echo(f"  hint: {exc.hint}", err=True)
        return exitcodes.ERROR
    except click.exceptions.Abort:
        click.echo("imekit: aborted", err=True)
        return exitcodes.ERROR
    except click.ClickException as exc:
        exc.show()
        return exitcodes.ERROR
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("imekit: interrupted", err=True)
        return exitcodes.ERROR
    except Exception as exc:  # a bug must never read as "violations found" (1) or a pass (0)
        click.echo(f"imekit: internal error: {type(exc).__name__}: {exc}", err=True)
        click.echo("  hint: a bug in imekit; rerun with IMEKIT_DEBUG=1 for a traceback", err=True)
        if os.environ.get("IMEKIT_DEBUG"):
            traceback.print_exc()
        return exitcodes.ERROR
    return result if isinstance(result, int) else exitcodes.OK


if __name__ == "__main__":
    sys.exit(main())
