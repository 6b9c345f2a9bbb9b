"""Helpers the service modules share: error codes, tag maps, ownership checks, retries."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from imekit.drills.context import RUN_TAG, DrillContext
from imekit.drills.errors import DrillStepError

T = TypeVar("T")


def error_code(exc: BaseException) -> str:
    """The AWS error code of a botocore ClientError, or "" for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_client_error(exc: BaseException, *codes: str) -> bool:
    from botocore.exceptions import ClientError

    return isinstance(exc, ClientError) and (not codes or error_code(exc) in codes)


def tags_to_dict(items: Iterable[Mapping[str, str]] | None, key: str = "Key",
                 value: str = "Value") -> dict[str, str]:
    return {item[key]: item[value] for item in items or ()}


def require_owned(ctx: DrillContext, what: str, tags: Mapping[str, str]) -> None:
    """Refuse to change a resource this run did not create (it lacks this run's tag)."""
    if not ctx.owns(dict(tags)):
        found = tags.get(RUN_TAG)
        detail = f"tagged {RUN_TAG}={found}" if found else f"has no {RUN_TAG} tag"
        raise DrillStepError(
            f"{what}: {detail}, not {RUN_TAG}={ctx.run_id}; refusing to touch a resource this "
            "run did not create"
        )


def retry_while(ctx: DrillContext, what: str, call: Callable[[], T], *, codes: tuple[str, ...],
                message_contains: tuple[str, ...] = (), timeout: float = 90.0) -> T:
    """Retry `call` while AWS reports one of `codes` (eventual consistency, e.g. a new IAM
    role or access key not yet usable). Locally moto is consistent, so there is no wait."""
    deadline = time.monotonic() + (timeout if ctx.is_aws else 0.0)
    while True:
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - re-raised unless it is a retryable code
            retryable = is_client_error(exc, *codes) and (
                not message_contains or any(m in str(exc) for m in message_contains)
            )
            if not retryable or time.monotonic() >= deadline:
                raise
            time.sleep(5.0)


def utc_iso(value: Any) -> str:
    from datetime import UTC, datetime

    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return str(value)
