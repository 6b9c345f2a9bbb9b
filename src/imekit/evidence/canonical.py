"""Canonical JSON and hashing: the one byte form every hash and signature is computed over.

Keys sorted, no insignificant whitespace, UTF-8, no NaN or infinities. For the strings,
integers, booleans and nulls entries hold this is the JSON Canonicalization Scheme
(RFC 8785) form; floats use Python's shortest round-trip repr.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from imekit.errors import ImekitError

ZERO_HASH = "0" * 64  # the `prev` of the first entry of a chain


def canonical_bytes(value: Any) -> bytes:
    try:
        text = json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise ImekitError(
            f"evidence is not plain JSON: {exc}",
            hint="record only strings, numbers, booleans, lists and objects",
        ) from exc
    return text.encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def utc_timestamp(moment: datetime | None = None) -> str:
    """RFC 3339, UTC, millisecond precision, `Z` suffix."""
    moment = moment or datetime.now(UTC)
    if moment.tzinfo is None:
        raise ImekitError(
            f"timestamp {moment.isoformat()} has no time zone",
            hint="pass timezone-aware datetimes, e.g. datetime.now(UTC)",
        )
    text = moment.astimezone(UTC).isoformat(timespec="milliseconds")
    return text.replace("+00:00", "Z")


def parse_timestamp(value: str | datetime) -> datetime:
    """Accept a datetime or an RFC 3339 / ISO 8601 string with an offset."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError as exc:
            raise ImekitError(
                f"not a timestamp: {value!r}", hint="use RFC 3339, e.g. 2026-01-31T12:00:00Z"
            ) from exc
    if moment.tzinfo is None:
        raise ImekitError(
            f"timestamp {value!s} has no time zone",
            hint="use RFC 3339 with an offset, e.g. 2026-01-31T12:00:00Z",
        )
    return moment.astimezone(UTC)
