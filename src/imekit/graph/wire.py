"""Pulumi's wire and state encodings of property values, turned into graph values.

Both the resource monitor protocol (protobuf Structs sent by a program) and the state
formats (`pulumi stack export`, `pulumi preview --json`) mark special values with a
signature key. A secret of any shape becomes the graph's one SECRET_MARKER; an unknown
stays Pulumi's own unknown sentinel (UNKNOWN_MARKER). Numbers are kept as the wire gives
them (the protocol has only doubles, so `14` arrives as `14.0`).
"""

from __future__ import annotations

import re
from typing import Any

from imekit.graph.model import SECRET_MARKER, UNKNOWN_MARKER

SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
OUTPUT_SIG = "d0e6a833031e9bbcd3f4e8bde6ca49a4"


class SecretSink:
    """Collects the plaintext of secrets met on the way, only so they can be redacted
    from anything else the run prints (program output, error messages)."""

    def __init__(self) -> None:
        self.values: set[str] = set()

    def add(self, value: Any) -> None:
        if isinstance(value, str):
            if len(value) >= 4 and value not in (SECRET_MARKER, UNKNOWN_MARKER):
                self.values.add(value)
        elif isinstance(value, dict):
            for v in value.values():
                self.add(v)
        elif isinstance(value, list):
            for v in value:
                self.add(v)

    def redact(self, text: str) -> str:
        # Longest first, so a secret containing another is replaced whole.
        for secret in sorted(self.values, key=len, reverse=True):
            text = text.replace(secret, SECRET_MARKER)
        return text


def to_graph_value(value: Any, sink: SecretSink | None = None) -> Any:
    """One wire/state value -> the value written into a graph document."""
    if isinstance(value, dict):
        sig = value.get(SIG_KEY)
        if sig == SECRET_SIG:
            if sink is not None:
                sink.add(value.get("value", value.get("plaintext")))
            return SECRET_MARKER
        if sig == OUTPUT_SIG:
            if value.get("secret"):
                if sink is not None:
                    sink.add(value.get("value"))
                return SECRET_MARKER
            if "value" not in value:
                return UNKNOWN_MARKER
            return to_graph_value(value["value"], sink)
        if sig == RESOURCE_SIG:
            # What a provider without resource-reference support receives, and so what
            # state holds: the custom resource's id, or a component's URN.
            ref_id = value.get("id")
            if isinstance(ref_id, str) and ref_id:
                return ref_id
            if ref_id is not None and ref_id != "":
                return to_graph_value(ref_id, sink)
            return value.get("urn", UNKNOWN_MARKER)
        # Assets and archives keep their (signed) shape, like the analyzer's Mappable().
        return {k: to_graph_value(v, sink) for k, v in value.items()}
    if isinstance(value, list):
        return [to_graph_value(v, sink) for v in value]
    return value


def is_internal_key(key: str) -> bool:
    """Keys such as `__defaults` are engine bookkeeping; the analyzer skips them."""
    return key.startswith("__")


def properties_from(raw: Any, sink: SecretSink | None = None) -> dict[str, Any]:
    """A property map as the analyzer sees it: internal keys dropped, secrets masked."""
    if not isinstance(raw, dict):
        return {}
    return {k: to_graph_value(v, sink) for k, v in raw.items() if not is_internal_key(k)}


_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {
    "ns": 1e-9,
    "us": 1e-6,
    "µs": 1e-6,
    "μs": 1e-6,
    "ms": 1e-3,
    "s": 1.0,
    "m": 60.0,
    "h": 3600.0,
}


def go_duration_seconds(text: str) -> float:
    """A Go duration string ("5m", "1h30m", "90s") in seconds; "" is 0 (no timeout set)."""
    text = (text or "").strip()
    if not text or text == "0":
        return 0.0
    sign = -1.0 if text.startswith("-") else 1.0
    body = text.lstrip("+-")
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(body):
        if match.start() != pos:
            raise ValueError(f"invalid duration {text!r}")
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(body):
        raise ValueError(f"invalid duration {text!r}")
    return sign * total


def parse_provider_ref(ref: str) -> str:
    """A provider reference is "<urn>::<id>"; the URN is everything before the last "::"."""
    if not ref:
        return ""
    urn, sep, _id = ref.rpartition("::")
    return urn if sep else ref


def urn_parts(urn: str) -> tuple[str, str, str, str]:
    """(stack, project, qualified type, name) of a URN; names may themselves contain '::'."""
    if not urn.startswith("urn:pulumi:"):
        raise ValueError(f"not a Pulumi URN: {urn!r}")
    parts = urn[len("urn:pulumi:") :].split("::", 3)
    if len(parts) != 4:
        raise ValueError(f"not a Pulumi URN: {urn!r}")
    return parts[0], parts[1], parts[2], parts[3]
