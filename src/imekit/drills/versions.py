"""Versions of the tools a drill ran with, recorded in every journal."""

from __future__ import annotations

import platform
from importlib import metadata

from imekit import __version__


def tool_versions() -> dict[str, str | None]:
    versions: dict[str, str | None] = {"imekit": __version__, "python": platform.python_version()}
    for package in ("boto3", "botocore", "moto"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions
