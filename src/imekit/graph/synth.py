"""Run a Pulumi Python program offline and return its graph (`imekit synth`).

Pull-request code is untrusted, so the program runs in a child process (see
imekit.graph.runner) with:
- an environment rebuilt from an allow-list: no AWS_*, PULUMI_*, cloud or CI tokens, a
  throw-away HOME, and AWS credential/config files and instance metadata pointed nowhere;
- its own process group, killed as a whole when the timeout expires or the runner exits;
- where the machine allows it, new user, PID, mount and network namespaces with the
caller's credential files hidden (imekit.graph.isolation). This is credential hygiene, not a
sandbox: code that must not run at all on this machine belongs in a container.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.graph import isolation
from imekit.graph.model import Graph, validate_graph_json
from imekit.graph.project import ProjectSpec, load_project

DEFAULT_TIMEOUT = 120.0

# Variables a Python program may need to start; everything else is dropped.
_ENV_KEEP = {
    "PATH",
    "LANG",
    "LANGUAGE",
    "TZ",
    "TMPDIR",
    "TEMP",
    "TMP",
    "SYSTEMROOT",
    "PYTHONHASHSEED",
    "PYTHONDONTWRITEBYTECODE",
    "PYTHONUTF8",
    "PYTHONIOENCODING",
    "VIRTUAL_ENV",
}
_ENV_KEEP_PREFIXES = ("LC_",)
_RUNNER_EXIT_PROGRAM_ERROR = 3


def child_environment(
    spec: ProjectSpec, home: Path, base: dict[str, str] | None = None
) -> dict[str, str]:
    """The program's environment: an allow-list of the caller's, plus config for Pulumi."""
    source = os.environ if base is None else base
    env = {k: v for k, v in source.items() if k in _ENV_KEEP or k.startswith(_ENV_KEEP_PREFIXES)}
    src_dir = str(Path(__file__).resolve().parent.parent.parent)  # so `imekit` is importable
    env["PYTHONPATH"] = src_dir
    env["HOME"] = str(home)
    # Point the AWS SDKs away from any credentials the machine holds.
    env["AWS_SHARED_CREDENTIALS_FILE"] = str(home / "no-aws-credentials")
    env["AWS_CONFIG_FILE"] = str(home / "no-aws-config")
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["PULUMI_CONFIG"] = json.dumps(spec.config, sort_keys=True)
    env["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(sorted(spec.secret_keys))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # The group outlives its leader while any member lives, so this also reaches what the
    # program left behind after the runner exited.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _versions() -> dict[str, str]:
    from importlib import metadata

    out = {}
    for dist in ("pulumi", "pulumi-aws"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            continue
    return out


def _program_error(spec: ProjectSpec, error: dict[str, Any], output: str) -> ImekitError:
    where = ""
    if error.get("file"):
        where = f" at {error['file']}:{error.get('line', 0)}"
    if error.get("isolation"):
        return ImekitError(
            f"synth could not isolate {spec.main_relative()}: {error['message']}",
            hint="set IMEKIT_SYNTH_ISOLATION=environment to run it with the environment "
            "allow-list only (no network or credential-file isolation)",
        )
    if error.get("internal"):
        return ImekitError(
            f"synth could not run {spec.main_relative()}: {error['type']}: {error['message']}",
            hint="this is a fault in imekit's runner; run with the same arguments and report it",
        )
    hint = "fix the program; it must run under `pulumi preview` too"
    if output.strip():
        last = output.strip().splitlines()[-1]
        hint += f" (its last output line: {last[:200]})"
    return ImekitError(
        f"program {spec.main_relative()} failed{where}: {error['type']}: {error['message']}",
        hint=hint,
    )


def _isolation_for(spec: ProjectSpec) -> isolation.Isolation:
    # What the run itself needs must stay visible: the program, this interpreter, imekit.
    keep = [
        spec.root,
        spec.main_dir,
        Path(sys.prefix).resolve(),
        Path(sys.base_prefix).resolve(),
        Path(__file__).resolve().parent.parent,
        Path(tempfile.gettempdir()).resolve(),
    ]
    return isolation.choose(keep)


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return " | ".join(text.strip().splitlines()[-lines:])


def run_program(
    spec: ProjectSpec, *, unknowns: bool, timeout: float, iso: isolation.Isolation
) -> dict[str, Any]:
    """Run the program in a child process; returns the runner's result document."""
    with tempfile.TemporaryDirectory(prefix="imekit-synth-") as tmp:
        tmp_dir = Path(tmp)
        home = tmp_dir / "home"
        home.mkdir()
        result_path = tmp_dir / "result.json"
        request_path = tmp_dir / "request.json"
        request = {
            "project": spec.name,
            "stack": spec.stack,
            "program_root": str(spec.root),
            "main_file": spec.main_file,
            "unknowns": unknowns,
            "result_path": str(result_path),
            "isolation": iso.level,
            "masked": list(iso.masked),
        }
        request_path.write_text(json.dumps(request), encoding="utf-8")
        cmd = [*iso.prefix, sys.executable, "-m", "imekit.graph.runner", str(request_path)]
        # Files, not pipes: a process the program leaves behind would hold a pipe open and
        # keep us waiting although the program is done. The runner captures the program's
        # own output itself; these only catch the interpreter dying.
        with open(tmp_dir / "stderr.txt", "wb") as err_file:
            proc = subprocess.Popen(
                cmd,
                cwd=spec.main_dir,
                env=child_environment(spec, home),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err_file,
                start_new_session=True,  # its own process group, so a timeout kills everything
            )
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                _kill_group(proc)
                raise ImekitError(
                    f"program {spec.main_relative()} ran past the {timeout:g} s timeout and "
                    "was killed",
                    hint="look for a loop or a network call in the program; raise --timeout if "
                    "it is just large",
                ) from None
            finally:
                # Whatever the program started and left running goes too.
                _kill_group(proc)
        if not result_path.is_file():
            # The interpreter itself died (signal, crash before the runner started).
            raise ImekitError(
                f"program {spec.main_relative()} stopped without a result "
                f"(exit {proc.returncode}): {_tail(tmp_dir / 'stderr.txt') or 'no output'}",
                hint="run the program with `python` in its folder to see why",
            )
        try:
            result: dict[str, Any] = json.loads(result_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ImekitError(f"synth runner wrote an unreadable result: {exc.msg}") from exc
    if "error" in result:
        raise _program_error(spec, result["error"], result.get("output", ""))
    return result


def _describe(iso: isolation.Isolation) -> str:
    if iso.level == isolation.NAMESPACES:
        return "isolated: no network, no other processes, credential files hidden"
    return f"environment allow-list only: {iso.reason}"


def synthesize(
    program_dir: Path | str | None = None,
    stack: str = "dev",
    config_overrides: dict[str, str] | None = None,
    unknowns: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    *,
    progress: Any = None,
    require_isolation: bool = False,
) -> Graph:
    """Run `program_dir`'s Pulumi program for `stack` under mocks and return its graph.

    `progress`, if given, is called with one line of text at a time (the CLI passes a
    stderr writer); the program's own output is passed through it as well.
    `require_isolation` refuses to run the program (exit 2) where the machine cannot put
    it in namespaces (see imekit.graph.isolation).
    """
    from imekit.paths import reference_program_dir

    if timeout <= 0:
        raise ImekitError(f"timeout must be positive, got {timeout:g}")
    root = Path(program_dir) if program_dir is not None else reference_program_dir()
    spec = load_project(root, stack, config_overrides)
    say = progress or (lambda _line: None)
    mode = "unknowns" if unknowns else "resolved"
    iso = _isolation_for(spec)
    if require_isolation and iso.level != isolation.NAMESPACES:
        raise ImekitError(
            f"cannot isolate {spec.main_relative()} on this machine ({iso.reason}) and "
            "isolation is required",
            hint="run on Linux with unprivileged user namespaces (util-linux `unshare`), or "
            "drop the isolation requirement for trusted code",
        )
    say(f"synth: running {spec.main_relative()} of {spec.name} (stack {spec.stack}, {mode})")
    say(f"synth: {_describe(iso)}")
    started = time.monotonic()
    result = run_program(spec, unknowns=unknowns, timeout=timeout, iso=iso)
    output = result.get("output", "")
    for line in output.splitlines():
        say(f"  program: {line}")
    source = {
        "kind": "synth",
        "program": _program_label(spec.root),
        "main": spec.main_relative(),
        "mode": mode,
        "config_overrides": sorted(config_overrides or {}),
        "sdk": _versions(),
        "isolation": iso.level,
    }
    data = {
        "schema": "imekit.graph/v1",
        "project": spec.name,
        "stack": spec.stack,
        "source": source,
        "resources": result.get("resources"),
        "locations": result.get("locations", {}),
    }
    graph = validate_graph_json(data, f"synth of {spec.main_relative()}")
    elapsed = time.monotonic() - started
    say(summary(graph, elapsed))
    return graph


def summary(graph: Graph, elapsed: float | None = None) -> str:
    """Resources by type, one per line, for stderr."""
    counts = Counter(doc["__type"] for doc in graph.resources)
    took = f" in {elapsed:.1f} s" if elapsed is not None else ""
    lines = [f"synth: {len(graph.resources)} resources in {graph.project}/{graph.stack}{took}"]
    width = max((len(t) for t in counts), default=0)
    for type_, n in sorted(counts.items()):
        lines.append(f"  {type_:<{width}}  {n}")
    return "\n".join(lines)


def _program_label(root: Path) -> str:
    """The program folder as a graph may name it: relative to the working directory when
    inside it, else only the folder's name. An absolute path would put the user's home
    folder into graphs, reports and evidence, and differ from machine to machine."""
    here = Path.cwd().resolve()
    resolved = root.resolve()
    if resolved == here or here in resolved.parents:
        return resolved.relative_to(here).as_posix() or "."
    return resolved.name
