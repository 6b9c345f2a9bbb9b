"""Fails at import time: a dependency that is not installed."""

import imekit_no_such_module  # noqa: F401
import pulumi  # noqa: F401
