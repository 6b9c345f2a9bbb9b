"""Build the graph from what a Pulumi CLI user already has.

- `pulumi preview --json` (a PreviewDigest: `steps[].newState` are ResourceV3 states with
  the inputs the analyzer would see; values unknown until apply are Pulumi's unknown
  sentinel; secrets are masked by the CLI as the string "[secret]").
- `pulumi stack export` (an UntypedDeployment of version 3 or 4:
  `deployment.resources[]` are ResourceV3 states; secrets are signed objects holding
  `ciphertext`, or `plaintext` with --show-secrets, and become the secret marker).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from imekit.errors import ImekitError
from imekit.graph.model import Graph, validate_graph_json
from imekit.graph.state_docs import documents_from_states

_PREVIEW_HINT = "pass the output of `pulumi preview --json --show-sames` for the stack to gate"
_EXPORT_HINT = "pass the output of `pulumi stack export` (version 3 or 4)"

# Steps whose resource is gone once the update completes.
_GONE = {
    "delete",
    "delete-replaced",
    "discard",
    "discard-replaced",
    "remove-pending-replace",
    "read-discard",
}


def _read_json(path: Path, what: str, hint: str) -> tuple[Any, str]:
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ImekitError(f"cannot read {what} {path}: {exc.strerror}", hint=hint) from exc
    digest = hashlib.sha256(raw).hexdigest()
    try:
        return json.loads(raw.decode("utf-8")), digest
    except UnicodeDecodeError as exc:
        raise ImekitError(f"{path}: {what} is not UTF-8 text", hint=hint) from exc
    except json.JSONDecodeError as exc:
        if raw.lstrip().startswith(b"{") and b'"sequence"' in raw[:2000]:
            raise ImekitError(
                f"{path}: this is a stream of engine events, not a preview digest; the events "
                "carry no dependencies or property dependencies",
                hint="unset PULUMI_ENABLE_STREAMING_JSON_PREVIEW and run "
                "`pulumi preview --json --show-sames` again",
            ) from exc
        raise ImekitError(
            f"{path}: {what} is not valid JSON (line {exc.lineno}: {exc.msg})", hint=hint
        ) from exc


def load_preview_json(path: Path | str) -> Graph:
    """A graph from `pulumi preview --json` output."""
    path = Path(path)
    data, digest = _read_json(path, "preview", _PREVIEW_HINT)
    where = str(path)
    if not isinstance(data, dict):
        raise ImekitError(
            f"{where}: not a preview digest (top level is not an object)", hint=_PREVIEW_HINT
        )
    if "sequence" in data and "steps" not in data:
        raise ImekitError(
            f"{where}: this is an engine event, not a preview digest",
            hint="unset PULUMI_ENABLE_STREAMING_JSON_PREVIEW and run "
            "`pulumi preview --json --show-sames` again",
        )
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise ImekitError(f"{where}: not a preview digest (no 'steps' list)", hint=_PREVIEW_HINT)
    diagnostics = data.get("diagnostics") or []
    if not isinstance(diagnostics, list):
        raise ImekitError(f"{where}: 'diagnostics' is not a list", hint=_PREVIEW_HINT)
    errors = [d for d in diagnostics if isinstance(d, dict) and d.get("severity") == "error"]
    if errors:
        first = " ".join(str(errors[0].get("message", "")).split())[:300]
        raise ImekitError(
            f"{where}: the preview failed ({len(errors)} error(s); first: {first}); its "
            "steps describe a partial stack",
            hint="fix the preview errors, then run `pulumi preview --json --show-sames` again",
        )

    states: dict[str, Any] = {}
    ops: dict[str, str] = {}
    for i, step in enumerate(steps):
        if not isinstance(step, dict) or not isinstance(step.get("op"), str):
            raise ImekitError(f"{where}: steps[{i}] is not a step (no 'op')", hint=_PREVIEW_HINT)
        urn = step.get("urn")
        if not isinstance(urn, str):
            raise ImekitError(f"{where}: steps[{i}] has no urn", hint=_PREVIEW_HINT)
        ops[urn] = step["op"]
        if step["op"] in _GONE:
            if step["op"] == "delete":
                states.pop(urn, None)
            continue
        new_state = step.get("newState")
        if new_state is None:
            raise ImekitError(
                f"{where}: steps[{i}] ({step['op']} {urn}) has no newState", hint=_PREVIEW_HINT
            )
        states[urn] = new_state

    # The CLI leaves unchanged resources out of the digest unless asked to show them: a
    # graph without them would hide part of the stack from stack-wide rules.
    summary = data.get("changeSummary") or {}
    same = summary.get("same", 0) if isinstance(summary, dict) else 0
    shown_same = sum(1 for op in ops.values() if op == "same")
    if isinstance(same, int | float) and same > shown_same:
        raise ImekitError(
            f"{where}: the preview leaves out {int(same) - shown_same} unchanged resource(s), "
            "so the graph would be incomplete",
            hint="run `pulumi preview --json --show-sames`",
        )

    project, stack, docs, locations = documents_from_states(
        list(states.values()), where, _PREVIEW_HINT
    )
    source = {"kind": "preview-json", "file": path.name, "sha256": digest}
    return validate_graph_json(
        {
            "schema": "imekit.graph/v1",
            "project": project,
            "stack": stack,
            "source": source,
            "resources": docs,
            "locations": locations,
        },
        where,
    )


def load_stack_export(path: Path | str) -> Graph:
    """A graph from `pulumi stack export` output."""
    path = Path(path)
    data, digest = _read_json(path, "stack export", _EXPORT_HINT)
    where = str(path)
    if not isinstance(data, dict) or "deployment" not in data:
        raise ImekitError(f"{where}: not a stack export (no 'deployment')", hint=_EXPORT_HINT)
    version = data.get("version")
    if version not in (3, 4):
        raise ImekitError(
            f"{where}: stack export version {version!r} is not supported (3 or 4 expected)",
            hint="export with a current Pulumi CLI",
        )
    deployment = data["deployment"]
    if not isinstance(deployment, dict):
        raise ImekitError(f"{where}: 'deployment' is not an object", hint=_EXPORT_HINT)
    resources = deployment.get("resources")
    if not isinstance(resources, list):
        raise ImekitError(f"{where}: 'deployment.resources' is not a list", hint=_EXPORT_HINT)
    pending = deployment.get("pending_operations") or []
    project, stack, docs, locations = documents_from_states(resources, where, _EXPORT_HINT)
    source: dict[str, Any] = {"kind": "stack-export", "file": path.name, "sha256": digest}
    if pending:
        # An interrupted update: the state may not match the cloud. Recorded, not hidden.
        source["pending_operations"] = len(pending) if isinstance(pending, list) else 1
    return validate_graph_json(
        {
            "schema": "imekit.graph/v1",
            "project": project,
            "stack": stack,
            "source": source,
            "resources": docs,
            "locations": locations,
        },
        where,
    )
