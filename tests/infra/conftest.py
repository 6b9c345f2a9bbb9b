"""Fixtures for the reference platform's tests: programs run under Pulumi's mocks.

Importing infra_harness puts infra/ on sys.path, so test modules can import ime_platform.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from infra_harness import Registry, run_reference_program

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="session")
def dev_platform() -> Registry:
    return run_reference_program("dev")


@pytest.fixture(scope="session")
def prod_platform() -> Registry:
    return run_reference_program("prod")


@pytest.fixture(params=["dev", "prod"])
def platform(request, dev_platform: Registry, prod_platform: Registry) -> Registry:
    return dev_platform if request.param == "dev" else prod_platform


@pytest.fixture
def ctx():
    from ime_platform.context import PlatformContext

    return PlatformContext(environment="test", account_id="111122223333", region="us-east-1")


def pytest_collection_modifyitems(config, items):
    # Importing pulumi_aws.s3 warns about its own deprecated V2 aliases at import time,
    # whether or not a program uses them; the platform uses only the canonical classes.
    here = str(__import__("pathlib").Path(__file__).parent)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws.*"))
