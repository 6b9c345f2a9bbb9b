"""The kit's one error type for "could not evaluate or run" (exit 2).

Checks report outcomes as data (findings, statuses). An exception is reserved for broken
input, a missing tool or a refused operation; the CLI turns it into one readable line and
exit code 2, never into a pass.
"""

from __future__ import annotations


class ImekitError(Exception):
    """Something could not be evaluated or run. `hint` says what to do next."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message
