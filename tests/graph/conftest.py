"""Fixtures for tests/graph; shared helpers live in graph_support (a unique module name)."""

from graph_support import *  # noqa: F403
