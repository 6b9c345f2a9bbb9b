"""Runs Pulumi programs under Pulumi's unit-test mocks and records what they register.

The recording monitor keeps, for every resource, the inputs as the engine receives them
(camelCase keys, numbers as floats), its parent and its propertyDependencies: the same facts the
policy pack reads, so tests can assert on exactly what the gate will see.
"""

from __future__ import annotations

import json
import runpy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor
from pulumi.runtime.settings import ROOT

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA_DIR = REPO_ROOT / "infra"
PROJECT = "ime-platform"

if str(INFRA_DIR) not in sys.path:
    sys.path.insert(0, str(INFRA_DIR))


@dataclass
class Registered:
    urn: str
    type: str
    name: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    property_dependencies: dict[str, list[str]]
    dependencies: list[str]
    provider: str

    def depends_on(self, prop: str, other: Registered) -> bool:
        return other.urn in self.property_dependencies.get(prop, [])

    @property
    def tags(self) -> dict[str, str]:
        return self.inputs.get("tags") or {}

    def policy(self, prop: str = "policy") -> dict[str, Any]:
        return json.loads(self.inputs[prop])


@dataclass
class Registry:
    resources: list[Registered] = field(default_factory=list)
    invokes: list[str] = field(default_factory=list)

    def of_type(self, type_token: str) -> list[Registered]:
        return [r for r in self.resources if r.type == type_token]

    def one(self, type_token: str, name: str | None = None) -> Registered:
        matches = [r for r in self.of_type(type_token) if name is None or r.name == name]
        if len(matches) != 1:
            names = [r.name for r in self.of_type(type_token)]
            raise AssertionError(f"expected one {type_token} named {name!r}, have {names}")
        return matches[0]

    def by_urn(self, urn: str) -> Registered:
        for resource in self.resources:
            if resource.urn == urn:
                return resource
        raise AssertionError(f"no resource with urn {urn}")

    def attached_to(self, target: Registered, type_token: str, prop: str) -> list[Registered]:
        """Resources of a type whose `prop` depends on `target` (the policy pack's join)."""
        return [r for r in self.of_type(type_token) if r.depends_on(prop, target)]

    @property
    def aws_resources(self) -> list[Registered]:
        return [r for r in self.resources if r.custom and r.type.startswith("aws:")]


def _fake_arn(type_token: str, name: str) -> str:
    service = type_token.split(":")[1].split("/")[0]
    return f"arn:aws:{service}:us-east-1:111122223333:{name}"


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self, registry: Registry, preview: bool = False) -> None:
        self.registry = registry
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        outputs = dict(args.inputs)
        if self.preview:
            # What the engine plans for a new resource: its inputs, every computed output
            # (id, arn, ...) unknown.
            return "", outputs
        outputs.setdefault("arn", _fake_arn(args.typ, args.name))
        if args.typ == "aws:s3/bucket:Bucket":
            outputs.setdefault("bucket", args.name)
        return f"{args.name}-id", outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        self.registry.invokes.append(args.token)
        return {}, None


class RecordingMonitor(MockMonitor):
    def __init__(self, mocks: RecordingMocks, registry: Registry) -> None:
        super().__init__(mocks)
        self.registry = registry

    def RegisterResource(self, request):  # noqa: N802 - the gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registry.resources.append(
                Registered(
                    urn=response.urn,
                    type=request.type,
                    name=request.name,
                    parent=request.parent,
                    custom=request.custom,
                    inputs=rpc.deserialize_properties(request.object),
                    property_dependencies={
                        key: list(deps.urns) for key, deps in request.propertyDependencies.items()
                    },
                    dependencies=list(request.dependencies),
                    provider=request.provider,
                )
            )
        return response


def stack_config(stack: str) -> dict[str, str]:
    """The stack file's config as the Pulumi CLI hands it to a program (all values strings)."""
    data = yaml.safe_load((REPO_ROOT / f"Pulumi.{stack}.yaml").read_text())
    return {key: _config_value(value) for key, value in (data.get("config") or {}).items()}


def _config_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value)
    return str(value)


def synthesize(
    program: Callable[[], Any],
    *,
    stack: str = "dev",
    config: dict[str, str] | None = None,
    preview: bool = False,
) -> Registry:
    """Run `program` under mocks with the given config; return what it registered.

    With `preview`, the run is a dry run in which other resources' computed outputs are
    unknown, as in `pulumi preview` of a new stack.
    """
    registry = Registry()
    pulumi.runtime.set_all_config(dict(config or {}), [])
    ROOT.set(None)  # a fresh root stack per run, named after this run's stack
    mocks = RecordingMocks(registry, preview)
    pulumi.runtime.set_mocks(
        mocks,
        project=PROJECT,
        stack=stack,
        preview=preview,
        monitor=RecordingMonitor(mocks, registry),
    )
    pulumi.runtime.test(program)()
    return registry


def run_reference_program(
    stack: str, overrides: dict[str, str] | None = None, preview: bool = False
) -> Registry:
    """Run infra/__main__.py as `pulumi up` (or `pulumi preview`) would, with the stack's config."""
    config = {**stack_config(stack), **(overrides or {})}
    return synthesize(run_main, stack=stack, config=config, preview=preview)


def run_main() -> None:
    # Returns None: pulumi.runtime.test awaits whatever the program returns, and the module
    # globals runpy hands back are not an Output.
    runpy.run_path(str(INFRA_DIR), run_name="__main__")


# Stand-in key ARNs for components tested on their own (the platform test wires real keys).
KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-0000-4000-8000-000000000001"
LOG_KEY_ARN = "arn:aws:kms:us-east-1:111122223333:key/0f1e2d3c-0000-4000-8000-000000000002"
