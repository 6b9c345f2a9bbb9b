"""How `imekit synth` keeps an untrusted program away from the machine's credentials.

Two levels, chosen per machine:

- `namespaces` (Linux with unprivileged user namespaces and util-linux `unshare`): the program
  runs in new user, PID, mount and network namespaces.
  - network: only a loopback interface that is down, so no instance metadata service
    (169.254.169.254), no cloud API and no way to send anything anywhere;
  - PID, with a fresh /proc: other processes, and so their environments
    (`/proc/<pid>/environ` of imekit itself or of the CI shell that started it), are out of
    sight; when the runner exits or is killed, the kernel kills every process left in the
    namespace, however it detached itself (`setsid`, double fork);
  - mount: the caller's well-known credential folders and files (`~/.aws`, `~/.pulumi`,
    `~/.ssh`, `~/.netrc`, the files AWS_SHARED_CREDENTIALS_FILE and the like point at, ...)
    are covered by empty read-only mounts (the runner does this before the program starts).
- `environment` (anywhere else: macOS, containers whose seccomp profile forbids namespaces):
  only the environment allow-list applies. Files the user can read and the metadata service
  stay reachable to a program that goes looking for them.

Neither is a sandbox against a determined attacker on the same account: code that must not
run on a machine at all belongs in a disposable container or VM.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

NAMESPACES = "namespaces"
ENVIRONMENT = "environment"

_UNSHARE_FLAGS = (
    "--user",
    "--map-root-user",
    "--pid",
    "--fork",
    "--mount",
    "--mount-proc",
    "--net",
)

# Relative to the caller's home: where CLIs and SDKs keep credentials and tokens.
_HOME_SECRETS = (
    ".aws",
    ".azure",
    ".config/gcloud",
    ".config/gh",
    ".docker",
    ".gnupg",
    ".kube",
    ".netrc",
    ".git-credentials",
    ".npmrc",
    ".pgpass",
    ".pulumi",
    ".pypirc",
    ".ssh",
    ".terraform.d",
)
# Environment variables naming a credential file or folder.
_SECRET_PATH_VARS = (
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_CONFIG_FILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "GOOGLE_APPLICATION_CREDENTIALS",
    "AZURE_CONFIG_DIR",
    "KUBECONFIG",
    "PULUMI_HOME",
    "DOCKER_CONFIG",
)


@dataclass(frozen=True)
class Isolation:
    level: str  # NAMESPACES or ENVIRONMENT
    prefix: tuple[str, ...] = ()  # command prefix that enters the namespaces
    masked: tuple[str, ...] = field(default=())  # paths the runner covers before the program
    reason: str = ""  # why namespaces are unavailable, for the progress line


@cache
def _namespaces_work(unshare: str) -> str:
    """'' when the runner's whole isolation works here, else the reason it does not.

    The probe does what a real run does (enter the namespaces, cover a folder, lock the
    mounts), so a machine that allows user namespaces but not mounts in them (some
    AppArmor and seccomp profiles) falls back cleanly instead of failing every run."""
    src_dir = str(Path(__file__).resolve().parent.parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": src_dir}
    code = "import sys; from imekit.graph.isolation import enter; enter(sys.argv[1:])"
    with tempfile.TemporaryDirectory(prefix="imekit-probe-") as folder:
        try:
            probe = subprocess.run(
                [unshare, *_UNSHARE_FLAGS, "--", sys.executable, "-c", code, folder],
                stdin=subprocess.DEVNULL,
                capture_output=True,
                env=env,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"unshare failed to start ({exc})"
    if probe.returncode != 0:
        detail = probe.stderr.decode("utf-8", "replace").strip().splitlines()
        return f"namespaces refused ({detail[-1] if detail else f'exit {probe.returncode}'})"
    return ""


def _credential_paths(environ: dict[str, str], keep: list[Path]) -> tuple[str, ...]:
    """Existing credential files and folders of the caller, except any that hold something
    the run needs: the program, the interpreter, imekit itself."""
    # HOME as set, and the account's home from the password database (HOME may be moved).
    homes = {Path(environ["HOME"])} if environ.get("HOME") else set()
    with contextlib.suppress(KeyError, ImportError):
        import pwd

        homes.add(Path(pwd.getpwuid(os.getuid()).pw_dir))
    candidates = [home / rel for home in homes for rel in _HOME_SECRETS]
    candidates += [Path(environ[var]) for var in _SECRET_PATH_VARS if environ.get(var)]
    out: set[str] = set()
    for path in candidates:
        try:
            resolved = path.resolve()
            if not (resolved.is_dir() or resolved.is_file()):
                continue
        except OSError:
            continue
        # Hiding a folder that holds something the run needs would break the run.
        if not any(k == resolved or resolved in k.parents for k in keep):
            out.add(str(resolved))
    return tuple(sorted(out))


def choose(keep: list[Path], environ: dict[str, str] | None = None) -> Isolation:
    """The strongest isolation this machine offers for a program that needs `keep`."""
    environ = dict(os.environ if environ is None else environ)
    if not sys.platform.startswith("linux"):
        return Isolation(ENVIRONMENT, reason=f"no namespaces on {sys.platform}")
    if environ.get("IMEKIT_SYNTH_ISOLATION") == ENVIRONMENT:
        return Isolation(ENVIRONMENT, reason="IMEKIT_SYNTH_ISOLATION=environment")
    unshare = shutil.which("unshare")
    if unshare is None:
        return Isolation(ENVIRONMENT, reason="util-linux `unshare` is not installed")
    why_not = _namespaces_work(unshare)
    if why_not:
        return Isolation(ENVIRONMENT, reason=why_not)
    return Isolation(
        NAMESPACES,
        prefix=(unshare, *_UNSHARE_FLAGS, "--"),
        masked=_credential_paths(environ, keep),
    )


# ---- inside the namespaces (the runner, before the program starts) --------------------

_MS_RDONLY = 0x1
_MS_NOSUID = 0x2
_MS_NODEV = 0x4
_MS_NOEXEC = 0x8
_MS_BIND = 0x1000
_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000


def _libc():  # type: ignore[no-untyped-def]
    import ctypes
    import ctypes.util

    return ctypes, ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


def enter(paths: list[str]) -> None:
    """Hide `paths`, then lock the hiding in place. Called once, single-threaded, by the
    runner inside the namespaces `choose` set up, before any of the program's code runs.

    The first user namespace's root may unmount what it mounted, so the masks alone would
    not hold against a program that goes looking. Entering a second user namespace with
    its own copy of the mount table makes the kernel lock every inherited mount
    (MNT_LOCKED): the program can stack mounts on top but never uncover what is beneath.

    Raises OSError if any step fails: the run was promised this isolation, so it must not
    go ahead without it."""
    _mask(paths)
    _lock_mounts()


def _lock_mounts() -> None:
    ctypes, libc = _libc()
    if libc.unshare(_CLONE_NEWUSER | _CLONE_NEWNS) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"cannot enter a nested user namespace: {os.strerror(err)}")
    # Map the namespace's root onto ours (root of the outer namespace, the caller outside).
    for name, text in (("setgroups", "deny"), ("uid_map", "0 0 1"), ("gid_map", "0 0 1")):
        with open(f"/proc/self/{name}", "w", encoding="ascii") as handle:
            handle.write(text)


def _mask(paths: list[str]) -> None:
    """Cover each folder with an empty read-only tmpfs and each file with /dev/null."""
    ctypes, libc = _libc()
    libc.mount.argtypes = (
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
    )
    for path in paths:
        target = path.encode()
        if os.path.isdir(path):
            flags = _MS_RDONLY | _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
            rc = libc.mount(b"none", target, b"tmpfs", flags, b"size=4k,mode=0500")
        else:
            rc = libc.mount(b"/dev/null", target, None, _MS_BIND, None)
        if rc != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"cannot hide {path}: {os.strerror(err)}")
