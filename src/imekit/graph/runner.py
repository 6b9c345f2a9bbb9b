"""Child-process entry point of `imekit synth`: run one Pulumi program under mocks.

    python -m imekit.graph.runner REQUEST.json

Started by imekit.graph.synth with the program's main folder as cwd, a scrubbed
environment (no cloud or Pulumi credentials) and the stack config in PULUMI_CONFIG, as the
Python language host does; where the machine allows it, inside new user, PID, mount and
network namespaces, in which it first hides the caller's credential files
(imekit.graph.isolation). It runs the program the way the language host does
(`run_in_stack(runpy.run_path(main))`), against a RecordingMonitor instead of the engine,
and writes one JSON result file: the documents and locations, or the program's error.
Everything it writes is already masked: secrets never leave this process.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

_OUTPUT_LIMIT = 20_000


def _program_frame(exc: BaseException, program_root: Path) -> tuple[str, int] | None:
    """The innermost traceback frame inside the program (not in site-packages or imekit)."""
    imekit_dir = Path(__file__).resolve().parent.parent
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = traceback.extract_tb(current.__traceback__)
        if isinstance(current, SyntaxError) and current.filename:
            frames.append(traceback.FrameSummary(current.filename, current.lineno or 0, ""))
        for frame in reversed(frames):
            path = Path(frame.filename).resolve()
            if imekit_dir in path.parents:
                continue
            if any(p in ("site-packages", "dist-packages") for p in path.parts):
                continue
            try:
                return path.relative_to(program_root).as_posix(), int(frame.lineno or 0)
            except ValueError:
                continue
        current = current.__cause__ or current.__context__
    return None


def _error_message(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, SyntaxError):
        text = exc.msg or text
    # One readable line: Pulumi's own messages wrap with newlines and tabs.
    return " ".join(text.split()) or "(no message)"


def _watch_secret_literals(sink: Any) -> None:
    """Remember values a program wraps with `Output.secret`, so that masking also covers
    secrets that never reach a resource (an error message, a debug print)."""
    import pulumi

    original = pulumi.Output.secret

    def secret(value: Any) -> Any:
        if isinstance(value, pulumi.Output):
            value.apply(sink.add)
        else:
            sink.add(value)
        return original(value)

    pulumi.Output.secret = staticmethod(secret)  # type: ignore[method-assign]


def _drain(loop: asyncio.AbstractEventLoop) -> None:
    """After a program error, let registrations already under way finish (briefly), so
    their secrets are known for masking the error message."""
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    if not pending:
        return
    with contextlib.suppress(BaseException):
        loop.run_until_complete(asyncio.wait(pending, timeout=2.0))


def run(request: dict[str, Any]) -> dict[str, Any]:
    from google.protobuf import empty_pb2
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime import settings as pulumi_settings
    from pulumi.runtime.stack import run_in_stack

    from imekit.graph.recorder import RecordingMonitor

    program_root = Path(request["program_root"]).resolve()
    config = json.loads(os.environ.get("PULUMI_CONFIG", "{}"))
    secret_keys = set(json.loads(os.environ.get("PULUMI_CONFIG_SECRET_KEYS", "[]")))
    monitor = RecordingMonitor(
        project=request["project"],
        stack=request["stack"],
        program_root=program_root,
        unknowns=bool(request["unknowns"]),
        config=config,
        secret_keys=secret_keys,
    )
    features = set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures)
    pulumi_settings.configure(
        pulumi_mocks.MockSettings(
            monitor=monitor,
            monitor_features=features,
            engine=pulumi_mocks.MockEngine(logging.getLogger("pulumi.program")),
            project=request["project"],
            stack=request["stack"],
            dry_run=bool(request["unknowns"]),
            organization="organization",
            callbacks=None,
        )
    )

    _watch_secret_literals(monitor.sink)
    # An absolute path: Pulumi turns the declaring frame into a file URI for locations.
    main = str(Path(request["main_file"]).resolve())
    sys.argv = [main]
    captured = io.StringIO()
    handler = logging.StreamHandler(captured)
    logging.getLogger().addHandler(handler)
    logging.getLogger("asyncio").setLevel(logging.CRITICAL)  # as the language host does
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    error: dict[str, Any] | None = None
    try:
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            loop.run_until_complete(run_in_stack(lambda: runpy.run_path(main, run_name="__main__")))
    except SystemExit as exc:
        if exc.code not in (None, 0):
            error = {"type": "SystemExit", "message": f"program exited with {exc.code}"}
    except BaseException as exc:  # noqa: BLE001 (the program's error is the result)
        error = {"type": type(exc).__name__, "message": _error_message(exc)}
        where = _program_frame(exc, program_root)
        if where is not None:
            error["file"], error["line"] = where
        _drain(loop)
    finally:
        with contextlib.suppress(Exception):
            loop.run_until_complete(loop.shutdown_asyncgens())
        with contextlib.suppress(Exception):
            loop.close()

    documents, locations = monitor.documents()
    output = monitor.sink.redact(captured.getvalue())
    if len(output) > _OUTPUT_LIMIT:
        output = output[-_OUTPUT_LIMIT:]
    if error is not None:
        error["message"] = monitor.sink.redact(error["message"])
        return {"error": error, "output": output}
    return {"resources": documents, "locations": locations, "output": output}


def main(argv: list[str]) -> int:
    request_path = Path(argv[1])
    request = json.loads(request_path.read_text(encoding="utf-8"))
    result: dict[str, Any]
    try:
        if request.get("isolation") == "namespaces":
            # Still single-threaded, and none of the program's code has run yet.
            from imekit.graph.isolation import enter

            enter(list(request.get("masked", [])))
    except OSError as exc:
        message = _error_message(exc)
        result = {"error": {"type": "IsolationError", "message": message, "isolation": True}}
    else:
        try:
            result = run(request)
        except BaseException as exc:  # noqa: BLE001 (a runner failure must still be reported)
            result = {"error": {"type": type(exc).__name__, "message": _error_message(exc)}}
            result["error"]["internal"] = True
    Path(request["result_path"]).write_text(json.dumps(result, sort_keys=True), encoding="utf-8")
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: executor threads and the event loop's finalisers only add
    # noise (Pulumi's known "event loop is closed" ValueError) and time.
    os._exit(0 if "error" not in result else 3)


if __name__ == "__main__":
    main(sys.argv)
