"""Fixtures for tests/gate; shared helpers live in gate_support (a unique module name)."""

from gate_support import *  # noqa: F403
from gate_support import _evidence_in_tmp  # noqa: F401 (autouse fixture)
