"""checkov's own isolated environment: where it lives, whether it is ready, how to make it.

checkov 3.3.30 pins `packaging<24` and `boto3==1.35.49`, which conflict with pulumi; in one
environment pip silently settles on an older checkov that drops built-in graph checks when
external checks are loaded. So the kit keeps checkov in a virtual environment of its own
(as pipx and pre-commit do), created with the kit's own Python, pinned to the version the
kit is tested with, and drives it as a subprocess.

Location: $IMEKIT_HOME/checkov-<version> when IMEKIT_HOME is set, else
${XDG_CACHE_HOME:-~/.cache}/imekit/checkov-<version>.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from imekit.checkov.progress import Ticker
from imekit.errors import ImekitError

CHECKOV_VERSION = "3.3.30"
MARKER = "imekit-checkov.json"
INSTALL_TIMEOUT = 900.0  # seconds; a cold install takes ~25-50 s from PyPI

Progress = Callable[[str], None]


@dataclass(frozen=True)
class CheckovEnvironment:
    root: Path
    version: str

    @property
    def executable(self) -> Path:
        return self.root / "bin" / "checkov"

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"


@dataclass(frozen=True)
class EnvironmentStatus:
    root: Path
    ready: bool
    installed_version: str | None  # what the environment holds, if anything
    problem: str | None  # why it is not ready

    def describe(self) -> str:
        if self.ready:
            return f"checkov {self.installed_version} ready in {self.root}"
        return f"checkov not ready in {self.root}: {self.problem}"


def cache_root() -> Path:
    home = os.environ.get("IMEKIT_HOME")
    if home:
        return Path(home).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "imekit"


def environment_dir(version: str = CHECKOV_VERSION) -> Path:
    return cache_root() / f"checkov-{version}"


def install_log(root: Path) -> Path:
    """Beside the environment, so it survives removing a broken one."""
    return root.parent / f"{root.name}.install.log"


def _python_tag() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def installed_version(root: Path) -> str | None:
    """checkov's version as recorded by pip in the environment (no process started)."""
    for metadata in sorted(root.glob("lib/python*/site-packages/checkov-*.dist-info/METADATA")):
        for line in metadata.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Version:"):
                return line.split(":", 1)[1].strip()
            if not line.strip():
                break
    return None


def status(version: str = CHECKOV_VERSION) -> EnvironmentStatus:
    root = environment_dir(version)
    if not root.is_dir():
        return EnvironmentStatus(root, False, None, "not installed")
    found = installed_version(root)
    marker = root / MARKER
    if not marker.is_file():
        return EnvironmentStatus(root, False, found, "incomplete installation")
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return EnvironmentStatus(root, False, found, "unreadable installation record")
    if found != version:
        return EnvironmentStatus(root, False, found, f"holds checkov {found}, need {version}")
    if recorded.get("python") != _python_tag():
        built_for = recorded.get("python")
        return EnvironmentStatus(
            root, False, found, f"built for Python {built_for}, kit runs {_python_tag()}"
        )
    if not os.access(root / "bin" / "checkov", os.X_OK):
        return EnvironmentStatus(root, False, found, "checkov executable missing")
    if not os.access(root / "bin" / "python", os.X_OK):
        # The virtualenv links to the Python it was made with; removing that Python (an
        # upgrade, a pyenv cleanup) leaves checkov unable to start.
        return EnvironmentStatus(root, False, found, "its Python interpreter is gone")
    return EnvironmentStatus(root, True, found, None)


def ensure_checkov(
    *, install: bool = True, progress: Progress | None = None, version: str = CHECKOV_VERSION
) -> CheckovEnvironment:
    """The ready environment, provisioning it first when allowed; else an ImekitError."""
    current = status(version)
    if current.ready:
        return CheckovEnvironment(current.root, version)
    if not install:
        raise ImekitError(
            current.describe(),
            hint="run `imekit checkov setup`, or pass --no-checkov to gate without checkov",
        )
    return provision(progress=progress, version=version)


@contextmanager
def _lock(root: Path) -> Iterator[None]:
    """One installer at a time per environment (parallel test workers, CI steps)."""
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def provision(
    *, progress: Progress | None = None, version: str = CHECKOV_VERSION, force: bool = False
) -> CheckovEnvironment:
    """Create the environment and install the pinned checkov into it (idempotent)."""
    say = progress or (lambda _line: None)
    root = environment_dir(version)
    with _lock(root):
        if not force and status(version).ready:
            return CheckovEnvironment(root, version)
        if root.exists():
            say(f"checkov: removing an unusable environment in {root}")
            shutil.rmtree(root)
        install_log(root).unlink(missing_ok=True)
        started = time.monotonic()
        say(f"checkov: installing checkov {version} into {root} (one time, ~30 s)")
        root.parent.mkdir(parents=True, exist_ok=True)
        _run_step([sys.executable, "-m", "venv", str(root)], root, "create the virtualenv", say)
        _run_step(
            [
                str(root / "bin" / "python"), "-m", "pip", "install",
                "--disable-pip-version-check", "--no-input", f"checkov=={version}",
            ],
            root,
            f"pip install checkov=={version}",
            say,
        )
        found = installed_version(root)
        if found != version:
            raise ImekitError(
                f"installing checkov {version} left checkov {found} in {root}",
                hint=f"see {install_log(root)}; then run `imekit checkov setup --force`",
            )
        record = {
            "checkov": version,
            "python": _python_tag(),
            "python_executable": sys.executable,
            "installed_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        (root / MARKER).write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        say(f"checkov: checkov {version} ready in {time.monotonic() - started:.0f} s")
    return CheckovEnvironment(root, version)


def _run_step(command: list[str], root: Path, what: str, say: Progress) -> None:
    log_path = install_log(root)
    with open(log_path, "ab") as log, Ticker(f"checkov: {what}", say):
        log.write(f"$ {' '.join(command)}\n".encode())
        log.flush()
        try:
            completed = subprocess.run(
                command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                timeout=INSTALL_TIMEOUT,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise ImekitError(
                f"could not {what}: no result after {INSTALL_TIMEOUT:.0f} s",
                hint=f"check network access to the package index; log: {log_path}",
            ) from exc
        except OSError as exc:
            raise ImekitError(f"could not {what}: {exc.strerror}") from exc
        if completed.returncode != 0:  # inside the ticker, so it says "failed"
            tail = _tail(log_path)
            raise ImekitError(
                f"could not {what} (exit {completed.returncode}): {tail}",
                hint=f"check network access to the package index (full log: {log_path}), "
                "or pass --no-checkov to gate without checkov",
            )


def _tail(path: Path, lines: int = 3) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return "no log"
    # pip's own warnings about local find-links are noise; the error is at the end.
    useful = [line.strip() for line in text if line.strip() and "is ignored" not in line]
    return " | ".join(useful[-lines:]) or "no output"
