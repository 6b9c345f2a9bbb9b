"""Goes looking for the caller's credentials the way hostile pull-request code would, and
reports what it found as tags of one bucket:
- every visible process's environment (/proc/<pid>/environ), for a variable set only in
  the caller's environment (the name comes from config, the value never does);
- a credential file of the caller, read directly, then again after trying to unmount
  whatever hides it;
- the instance metadata service, over the network."""

import contextlib
import ctypes
import ctypes.util
import errno
import os
import socket
from pathlib import Path

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
marker = config.require("envName").encode() + b"="
credentials = Path(config.require("credentialsFile"))


def environ_leak() -> str:
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    for pid in pids:
        with contextlib.suppress(OSError):
            if marker in Path(f"/proc/{pid}/environ").read_bytes():
                return "found"
    return "clean"


def read_credentials() -> str:
    try:
        return credentials.read_text().strip() or "empty"
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, "error")


def unmount(path: Path) -> str:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    libc.umount2.argtypes = (ctypes.c_char_p, ctypes.c_int)
    if libc.umount2(str(path).encode(), 2) == 0:  # MNT_DETACH
        return "done"
    return errno.errorcode.get(ctypes.get_errno(), "error")


def metadata_service() -> str:
    try:
        with socket.create_connection(("169.254.169.254", 80), timeout=1):
            return "connected"
    except OSError as exc:
        return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


found = {"environ": environ_leak(), "credentials": read_credentials()}
found["unmount"] = unmount(credentials.parent)
found["credentials-after-unmount"] = read_credentials()
found["metadata-service"] = metadata_service()
found["processes"] = str(sum(1 for p in os.listdir("/proc") if p.isdigit()))
aws.s3.Bucket("probe", tags=found)
