"""A minimal Chrome DevTools Protocol client over --remote-debugging-pipe (no extra
packages): opens a page in headless Chromium with the network blocked and reports every
request, failed load and console message, plus values evaluated in the page."""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"


@dataclass
class PageVisit:
    requests: list[str] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    loaded: bool = False


class _Pipe:
    def __init__(self, write_fd: int, read_fd: int) -> None:
        self.write_fd, self.read_fd = write_fd, read_fd
        self.buffer = b""
        self.next_id = 0

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None
    ) -> int:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        return self.next_id

    def receive(self, deadline: float) -> dict[str, Any] | None:
        while b"\0" not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([self.read_fd], [], [], remaining)
            if not ready:
                return None
            chunk = os.read(self.read_fd, 1 << 16)
            if not chunk:
                return None
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)


def visit(url: str, expressions: dict[str, str], timeout: float = 30.0) -> PageVisit:
    """Load `url` with the network blocked; evaluate `expressions` once loaded."""
    profile = Path(tempfile.mkdtemp(prefix="imekit-chromium-"))
    to_chrome_r, to_chrome_w = os.pipe()
    from_chrome_r, from_chrome_w = os.pipe()

    def wire_fds() -> None:  # in the child: fd 3 = commands in, fd 4 = responses out
        a, b = os.dup(to_chrome_r), os.dup(from_chrome_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    args = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-extensions",
        f"--user-data-dir={profile}",
        # No network: every proxied request goes to a closed port and no name resolves.
        "--proxy-server=127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--remote-debugging-pipe",
        "about:blank",
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        args,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire_fds,
        pass_fds=(3, 4),
        close_fds=True,
    )
    os.close(to_chrome_r)
    os.close(from_chrome_w)
    pipe = _Pipe(to_chrome_w, from_chrome_r)
    result = PageVisit()
    deadline = time.monotonic() + timeout
    try:
        target_call = pipe.send("Target.createTarget", {"url": "about:blank"})
        target_id = _wait_result(pipe, target_call, deadline, result)["targetId"]
        attach = pipe.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})
        session = _wait_result(pipe, attach, deadline, result)["sessionId"]
        for method in ("Network.enable", "Page.enable", "Runtime.enable", "Log.enable"):
            _wait_result(pipe, pipe.send(method, session=session), deadline, result)
        pipe.send("Page.navigate", {"url": url}, session=session)
        while not result.loaded:
            message = pipe.receive(deadline)
            if message is None:
                raise TimeoutError(f"{url} did not finish loading in {timeout}s")
            _collect(message, result)
        # Let late requests (images, fonts) show up before judging.
        settle = time.monotonic() + 1.0
        while (message := pipe.receive(settle)) is not None:
            _collect(message, result)
        for name, expression in expressions.items():
            call = pipe.send(
                "Runtime.evaluate",
                {"expression": expression, "returnByValue": True},
                session=session,
            )
            result.values[name] = _wait_result(pipe, call, deadline, result)["result"].get("value")
        pipe.send("Browser.close")
    finally:
        os.close(to_chrome_w)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        os.close(from_chrome_r)
        shutil.rmtree(profile, ignore_errors=True)
    return result


def _wait_result(pipe: _Pipe, call_id: int, deadline: float, visit: PageVisit) -> dict[str, Any]:
    while True:
        message = pipe.receive(deadline)
        if message is None:
            raise TimeoutError(f"no answer from Chromium to call {call_id}")
        if message.get("id") == call_id:
            if "error" in message:
                raise RuntimeError(f"Chromium refused call {call_id}: {message['error']}")
            return message.get("result", {})
        _collect(message, visit)


def _collect(message: dict[str, Any], visit: PageVisit) -> None:
    method = message.get("method")
    params = message.get("params", {})
    if method == "Network.requestWillBeSent":
        visit.requests.append(params["request"]["url"])
    elif method == "Network.loadingFailed":
        visit.failed.append(params)
    elif method == "Log.entryAdded":
        visit.console.append(f"{params['entry'].get('level')}: {params['entry'].get('text')}")
    elif method == "Runtime.consoleAPICalled":
        visit.console.append(str(params.get("args")))
    elif method == "Page.loadEventFired":
        visit.loaded = True
