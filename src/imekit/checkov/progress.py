"""Elapsed-time lines for long steps (installing checkov, running it), sent to a callback."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from types import TracebackType


class Ticker:
    """Says `<label>...` on entry, `<label>: <n> s` every `every` seconds, and the total on exit.

    The callback receives whole lines (the CLI writes them to stderr), so the output stays
    readable in CI logs as well as on a terminal.
    """

    def __init__(self, label: str, say: Callable[[str], None], every: float = 5.0) -> None:
        self.label = label
        self.say = say
        self.every = every
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.started = 0.0

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __enter__(self) -> Ticker:
        self.started = time.monotonic()
        self.say(f"{self.label} ...")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            self.say(f"{self.label}: {self.elapsed:.0f} s")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        outcome = "done" if exc_type is None else "failed"
        self.say(f"{self.label}: {outcome} in {self.elapsed:.1f} s")
