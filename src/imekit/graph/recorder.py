"""A resource monitor that records every registration a Pulumi program makes.

Pulumi's `MockMonitor` hands `Mocks.new_resource` only type, name and inputs. The gate
needs what the engine would store: parent, dependencies, property dependencies, options,
provider and where in the program the resource was declared. This subclass reads them
from the `RegisterResourceRequest` itself and answers with deterministic mock outputs.

Two modes:
- resolved: outputs (ids, ARNs, ...) are known mock values, as in Pulumi's unit tests;
- unknowns: the monitor answers like the engine during `pulumi preview` of a new stack:
  no id, and only the inputs echoed back (plus the auto-generated physical name), so
  every other output is unknown to the program and any input derived from it reaches the
  graph as Pulumi's unknown sentinel.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime.proto import resource_pb2

from imekit.graph import mock_values
from imekit.graph.model import SECRET_MARKER, UNKNOWN_MARKER, build_document
from imekit.graph.wire import (
    SecretSink,
    go_duration_seconds,
    parse_provider_ref,
    to_graph_value,
)

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
_IMEKIT_DIR = Path(__file__).resolve().parent.parent


# ---- protobuf Struct <-> plain values, numbers kept as the doubles the wire carries ------


def value_to_py(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "struct_value":
        return struct_to_py(value.struct_value)
    if kind == "list_value":
        return [value_to_py(v) for v in value.list_value.values]
    if kind == "string_value":
        return value.string_value
    if kind == "number_value":
        return float(value.number_value)
    if kind == "bool_value":
        return value.bool_value
    return None


def struct_to_py(struct: struct_pb2.Struct) -> dict[str, Any]:
    return {k: value_to_py(v) for k, v in struct.fields.items()}


def py_to_struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


def _create_urn(stack: str, project: str, parent: str, type_: str, name: str) -> str:
    """A URN as the engine builds it (resource.CreateURN): the parent's whole qualified type
    chain prefixes the type, except the root stack's; MockMonitor keeps only the last link."""
    qualified = type_
    if parent:
        parent_type = parent[len("urn:pulumi:") :].split("::", 3)[2]
        if parent_type != STACK_TYPE:
            qualified = f"{parent_type}${type_}"
    return f"urn:pulumi:{stack}::{project}::{qualified}::{name}"


class DuplicateResourceError(Exception):
    """Two registrations with one URN: the engine stops the program with this error."""


# ---- what one registration looked like -------------------------------------------------


@dataclass
class Registration:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    inputs: dict[str, Any]  # raw wire values (secrets still wrapped): never written out
    dependencies: list[str] = field(default_factory=list)
    property_dependencies: dict[str, list[str]] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    provider_urn: str = ""
    package: str = ""
    version: str = ""
    location: dict[str, Any] | None = None


def _custom_timeouts(request: Any) -> dict[str, float]:
    timeouts = {"create": 0.0, "update": 0.0, "delete": 0.0}
    if request.HasField("customTimeouts"):
        ct = request.customTimeouts
        for key in timeouts:
            try:
                timeouts[key] = go_duration_seconds(getattr(ct, key))
            except ValueError:
                timeouts[key] = 0.0
    return timeouts


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """MockMonitor that keeps full registrations and answers deterministically."""

    def __init__(
        self,
        *,
        project: str,
        stack: str,
        program_root: Path,
        unknowns: bool,
        config: dict[str, str],
        secret_keys: set[str],
    ) -> None:
        super().__init__(_NoMocks())
        self.project = project
        self.stack = stack
        self.program_root = Path(program_root).resolve()
        self.unknowns = unknowns
        self.config = config
        self.secret_keys = secret_keys
        self.sink = SecretSink()
        self.registrations: dict[str, Registration] = {}
        self._lock = threading.Lock()
        self._default_region = config.get("aws:region") or mock_values.DEFAULT_REGION
        self.mocks = _InvokeMocks(self)

    # -- URNs, as the engine builds them -------------------------------------------------

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        return _create_urn(self.stack, self.project, parent, type_, name)

    # -- where the program declared it ---------------------------------------------------

    def _location(self, request: Any) -> dict[str, Any] | None:
        frames = []
        if request.HasField("stackTrace"):
            frames = [(f.pc.uri, f.pc.line) for f in request.stackTrace.frames]
        if request.HasField("sourcePosition"):
            frames.append((request.sourcePosition.uri, request.sourcePosition.line))
        for uri, line in frames:
            rel = self._program_file(uri)
            if rel is not None and line:
                return {"file": rel, "line": int(line)}
        return None

    def _program_file(self, uri: str) -> str | None:
        if not uri:
            return None
        parsed = urlparse(uri)
        path = Path(unquote(parsed.path if parsed.scheme == "file" else uri))
        try:
            resolved = path.resolve()
        except OSError:
            return None
        if _IMEKIT_DIR in resolved.parents:
            return None
        if any(part in ("site-packages", "dist-packages") for part in resolved.parts):
            return None
        try:
            return resolved.relative_to(self.program_root).as_posix()
        except ValueError:
            return None

    # -- registrations --------------------------------------------------------------------

    def _region_for(self, provider_urn: str) -> str:
        reg = self.registrations.get(provider_urn)
        if reg is not None:
            region = reg.inputs.get("region")
            if isinstance(region, str) and region and region != UNKNOWN_MARKER:
                return region
        return self._default_region

    def _record(self, reg: Registration) -> None:
        with self._lock:
            if reg.urn in self.registrations:
                # The engine refuses this too; keeping either one would hide the other.
                # Registrations arrive in no fixed order: name both places, in line order.
                places = sorted(
                    (loc["file"], int(loc["line"]))
                    for loc in (self.registrations[reg.urn].location, reg.location)
                    if loc is not None
                )
                where = ""
                if places:
                    listed = " and ".join(f"{file}:{line}" for file, line in places)
                    where = f" (declared at {listed})"
                raise DuplicateResourceError(
                    f"Duplicate resource URN '{reg.urn}'{where}; try giving it a unique name"
                )
            self.registrations[reg.urn] = reg

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = struct_to_py(request.object)
        pkg = request.type.split(":", 1)[0]
        if request.type.startswith(PROVIDER_PREFIX):
            # The engine records an explicit provider's plugin version (and download URL)
            # among its inputs, as it does for default providers.
            if request.version:
                inputs["version"] = request.version
            if request.pluginDownloadURL:
                inputs["pluginDownloadURL"] = request.pluginDownloadURL
        options: dict[str, Any] = {
            "protect": bool(request.protect) if request.HasField("protect") else False,
            "ignoreChanges": list(request.ignoreChanges) or None,
            "deleteBeforeReplace": bool(request.deleteBeforeReplace),
            "additionalSecretOutputs": list(request.additionalSecretOutputs) or None,
            # The engine stores (and shows an analyzer) only the alias that matched a
            # resource of the previous state; a mock run is a stack's first preview.
            "aliasURNs": [],
            "customTimeouts": _custom_timeouts(request),
            "parent": request.parent,
        }
        reg = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=bool(request.custom),
            parent=request.parent,
            inputs=inputs,
            dependencies=sorted(set(request.dependencies)),
            property_dependencies={
                key: sorted(set(deps.urns)) for key, deps in request.propertyDependencies.items()
            },
            options=options,
            provider_urn=parse_provider_ref(request.provider),
            package="" if request.type.startswith(PROVIDER_PREFIX) else pkg,
            version=request.version,
            location=self._location(request),
        )
        self._record(reg)

        if request.type == STACK_TYPE or not request.custom:
            return resource_pb2.RegisterResourceResponse(urn=urn, object=py_to_struct({}))
        rid, outputs = self._outputs(reg)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=rid, object=py_to_struct(outputs))

    def ReadResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        urn = self.make_urn(request.parent, request.type, request.name)
        inputs = struct_to_py(request.properties)
        reg = Registration(
            urn=urn,
            type=request.type,
            name=request.name,
            custom=True,
            parent=request.parent,
            inputs=inputs,
            dependencies=sorted(set(request.dependencies)),
            options={"parent": request.parent},
            provider_urn=parse_provider_ref(request.provider),
            package=request.type.split(":", 1)[0],
            version=request.version,
            location=self._location(request),
        )
        self._record(reg)
        # A read always returns the existing resource's state, preview or not.
        _rid, outputs = mock_values.resource_outputs(
            request.type, request.name, urn, inputs, self._region_for(reg.provider_urn)
        )
        outputs["id"] = request.id
        return resource_pb2.ReadResourceResponse(urn=urn, properties=py_to_struct(outputs))

    def _outputs(self, reg: Registration) -> tuple[str, dict[str, Any]]:
        region = self._region_for(reg.provider_urn)
        rid, outputs = mock_values.resource_outputs(reg.type, reg.name, reg.urn, reg.inputs, region)
        if not self.unknowns or reg.type.startswith(PROVIDER_PREFIX):
            return rid, outputs
        # Preview of a create: the provider plans the inputs it was given, plus the
        # auto-generated physical name (assigned at Check time); the rest is unknown.
        planned = dict(reg.inputs)
        name_prop = mock_values.NAME_PROPERTY.get(reg.type, "name")
        if name_prop in outputs and name_prop not in planned:
            planned[name_prop] = outputs[name_prop]
        return "", planned

    # -- the graph ------------------------------------------------------------------------

    def _default_providers(self) -> dict[tuple[str, str], Registration]:
        """The engine registers one default provider per package and version; the program
        never sees them, so they are rebuilt here from the stack's `<package>:` config."""
        wanted: dict[tuple[str, str], Registration] = {}
        for reg in self.registrations.values():
            if not reg.custom or reg.provider_urn or not reg.package:
                continue
            key = (reg.package, reg.version)
            if key in wanted:
                continue
            suffix = reg.version.replace(".", "_").replace("-", "_")
            name = f"default_{suffix}" if suffix else "default"
            ptype = f"{PROVIDER_PREFIX}{reg.package}"
            urn = f"urn:pulumi:{self.stack}::{self.project}::{ptype}::{name}"
            props: dict[str, Any] = {}
            for ckey, cvalue in self.config.items():
                ns, _, short = ckey.partition(":")
                if ns == reg.package and short:
                    secret = ckey in self.secret_keys
                    props[short] = SECRET_MARKER if secret else cvalue
            if reg.version:
                props["version"] = reg.version
            wanted[key] = Registration(
                urn=urn, type=ptype, name=name, custom=True, parent="", inputs=props
            )
        return wanted

    def documents(self) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
        """Stack-scope analyzer documents sorted by URN, and the locations map."""
        with self._lock:
            regs = dict(self.registrations)
        defaults = self._default_providers()
        for reg in defaults.values():
            regs.setdefault(reg.urn, reg)

        properties = {urn: self._properties(reg) for urn, reg in regs.items()}
        docs = []
        locations: dict[str, dict[str, Any]] = {}
        for urn in sorted(regs):
            reg = regs[urn]
            provider_urn = reg.provider_urn
            if not provider_urn and reg.custom and reg.package:
                provider_urn = defaults[(reg.package, reg.version)].urn
            provider: dict[str, Any] = {}
            if provider_urn and provider_urn in regs:
                preg = regs[provider_urn]
                provider = {
                    "type": preg.type,
                    "name": preg.name,
                    "urn": preg.urn,
                    "properties": properties[provider_urn],
                }
            docs.append(
                build_document(
                    type_=reg.type,
                    name=reg.name,
                    urn=urn,
                    properties=properties[urn],
                    options=reg.options,
                    provider=provider,
                    dependencies=reg.dependencies,
                    property_dependencies=reg.property_dependencies,
                )
            )
            if reg.location is not None:
                locations[urn] = reg.location
        return docs, locations

    def _properties(self, reg: Registration) -> dict[str, Any]:
        return {k: to_graph_value(v, self.sink) for k, v in reg.inputs.items()}


class _NoMocks(pulumi_mocks.Mocks):
    """Placeholder until the monitor exists; RecordingMonitor answers registrations itself."""

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        return {}, None

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> Any:
        return "", {}


class _InvokeMocks(pulumi_mocks.Mocks):
    """Data-source calls: deterministic answers for the common ones, {} for the rest."""

    def __init__(self, monitor: RecordingMonitor) -> None:
        self.monitor = monitor

    def call(self, args: pulumi_mocks.MockCallArgs) -> Any:
        region = self.monitor._region_for(parse_provider_ref(args.provider or ""))
        return mock_values.invoke_result(args.token, args.args or {}, region), []

    def new_resource(self, args: pulumi_mocks.MockResourceArgs) -> Any:
        return "", {}
