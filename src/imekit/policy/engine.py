"""The in-process Rego engine (regorus) behind the pack: building it and reading its errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from imekit.errors import ImekitError

# regorus reports `--> file:line:col`, the offending source line, then `error: <reason>`,
# then (in debug builds) a native backtrace the user never needs.
_LOCATION = re.compile(r"-->\s*(?P<loc>[^\s]+:\d+:\d+)")
_REASON = re.compile(r"^error:\s*(?P<reason>.*)$", re.MULTILINE)


def error_text(exc: BaseException) -> str:
    """One line, `file:line:col: reason`, from a regorus exception."""
    text = str(exc).split("Stack backtrace:")[0]
    loc = _LOCATION.search(text)
    reason = _REASON.search(text)
    if reason:
        # The reason may continue on following lines ("Caused by: ..."): keep them short.
        tail = text[reason.end() :].strip()
        why = reason.group("reason").strip()
        if tail:
            why = f"{why} ({' '.join(tail.split())})"
    else:
        why = " ".join(text.split())
    return f"{loc.group('loc')}: {why}" if loc else why


def new_engine(files: Iterable[tuple[str, str]], *, rego_v0: bool = False) -> Any:
    """A regorus engine holding the given (path, text) modules; parse errors raise ImekitError.

    `rego_v0=True` parses as Pulumi's analyzer does (OPA in Rego v0 mode, where every file
    needs `import rego.v1` for `if` and `contains`).
    """
    import regorus

    engine = regorus.Engine()
    engine.set_rego_v0(rego_v0)
    for path, text in files:
        try:
            engine.add_policy(path, text)
        except RuntimeError as exc:
            mode = "Rego v0 mode with import rego.v1" if rego_v0 else "Rego v1"
            raise ImekitError(
                f"policy pack does not compile ({mode}): {error_text(exc)}",
                hint="fix the Rego at that file:line; `imekit policy test` re-checks the pack",
            ) from exc
    return engine
