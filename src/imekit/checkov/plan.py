"""The kit's resource graph -> Terraform plan JSON, as checkov's `terraform_plan` reads it.

One flat root module holds every mapped resource of every graph given. For each resource:
- `planned_values.root_module.resources[]` and `resource_changes[]` (action `create`) carry
  the program's inputs under their Terraform names and shapes (see property_map);
- a value that depends on another resource (Pulumi's `propertyDependencies`) is written the
  way Terraform writes a value unknown until apply: left out of `values`/`after`, marked in
  `after_unknown`, and named in `configuration...expressions.<attr>.references`. checkov
  joins resources (bucket <-> encryption configuration, trail <-> log group) only through
  such references; the literal values a mock run produces would break those joins;
- an element of a list that refers to other resources (`resources = [db.arn, ...]`) is
  written as the reference string itself, which is what checkov turns a single reference
  into, so a list can join several resources.
Every address maps back to the Pulumi URN it came from, with the top-level attributes whose
content Pulumi did not know (a policy built from another resource's ARN during a preview):
checkov reads those as absent, so its verdicts on them are not evidence (see results).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imekit.checkov.property_map import (
    JSON_STRING_ATTRIBUTES,
    is_map_attribute,
    terraform_name,
)
from imekit.checkov.references import (
    Target,
    choose_target,
    expression,
    known_reference,
    looks_like_reference,
    named_target,
    reference_string,
)
from imekit.checkov.type_map import is_cloud_resource, terraform_type
from imekit.errors import ImekitError
from imekit.graph.model import SECRET_MARKER, UNKNOWN_MARKER, Graph

PROVIDER_NAME = "registry.terraform.io/hashicorp/aws"
# The plan format checkov 3.3 is tested against; the bridge writes nothing newer.
FORMAT_VERSION = "1.2"
TERRAFORM_VERSION = "1.9.8"

_NOT_IDENTIFIER = re.compile(r"[^A-Za-z0-9_]+")
_OMIT = object()  # a value Terraform would leave out of `values`: unknown until apply
# Attribute names that hold credentials: secret by nature, and judged by no check.
_CREDENTIAL = re.compile(r"password|secret|token|private_key|credential|passphrase|key_material")


@dataclass
class PlanResource:
    """Where one Terraform address came from."""

    address: str
    tf_type: str
    urn: str
    pulumi_type: str
    stack: str
    # Top-level Terraform attributes whose value is unknown until deployment (or secret) and
    # is not merely another resource's identifier (e.g. a policy document, a flag); an
    # unknown entry of a top-level map is named `<map>/<key>` (`tags/owner`).
    unknown_attributes: frozenset[str] = frozenset()


@dataclass
class PlanConversion:
    plan: dict[str, Any]
    resources: dict[str, PlanResource]  # address -> origin
    unmapped_types: dict[str, int]  # Pulumi type -> count of resources not converted
    components: int = 0  # component and engine resources (no cloud counterpart)
    graphs: list[Graph] = field(default_factory=list)

    def urn_of(self, address: str) -> str | None:
        origin = self.resources.get(address)
        return origin.urn if origin else None

    def dumps(self) -> str:
        return json.dumps(self.plan, indent=1, sort_keys=False) + "\n"

    def write(self, path: Path) -> None:
        Path(path).write_text(self.dumps(), encoding="utf-8")


@dataclass
class _Converted:
    value: Any
    expr: Any = None
    unknown: Any = None
    opaque: bool = False  # holds a value unknown until deployment, other than an identifier


def resource_name(pulumi_name: str, urn: str) -> str:
    """A Terraform identifier, unique per URN: the Pulumi name plus a short stable hash."""
    stem = _NOT_IDENTIFIER.sub("_", pulumi_name).strip("_") or "resource"
    if not (stem[0].isalpha() or stem[0] == "_"):
        stem = f"r_{stem}"
    digest = hashlib.sha256(urn.encode("utf-8")).hexdigest()[:8]
    return f"{stem[:48]}_{digest}"


def convert_graphs(graphs: list[Graph]) -> PlanConversion:
    """Convert one or more graphs (e.g. the dev and prod stacks) into one plan."""
    planned: list[dict[str, Any]] = []
    changes: list[dict[str, Any]] = []
    configuration: list[dict[str, Any]] = []
    origins: dict[str, PlanResource] = {}
    unmapped: Counter[str] = Counter()
    components = 0

    for graph in graphs:
        targets: dict[str, Target] = {}
        mapped: list[tuple[dict[str, Any], Target]] = []
        for doc in graph.resources:
            pulumi_type = doc["__type"]
            if not is_cloud_resource(doc):
                components += 1
                continue
            tf_type = terraform_type(pulumi_type)
            if tf_type is None:
                unmapped[pulumi_type] += 1
                continue
            urn = doc["__urn"]
            address = f"{tf_type}.{resource_name(doc.get('__name') or '', urn)}"
            if address in origins:
                raise ImekitError(
                    f"resource {urn} appears twice in the graphs given to checkov",
                    hint="pass each stack's graph once",
                )
            target = Target(address=address, tf_type=tf_type, pulumi_name=doc.get("__name") or "")
            targets[urn] = target
            origins[address] = PlanResource(address, tf_type, urn, pulumi_type, graph.stack)
            mapped.append((doc, target))

        for doc, target in mapped:
            values, expressions, unknown, opaque = _convert_resource(doc, target, targets)
            origins[target.address].unknown_attributes = frozenset(opaque)
            name = target.address.split(".", 1)[1]
            common = {
                "address": target.address,
                "mode": "managed",
                "type": target.tf_type,
                "name": name,
                "provider_name": PROVIDER_NAME,
            }
            planned.append({**common, "schema_version": 0, "values": values})
            changes.append(
                {
                    **common,
                    "change": {
                        "actions": ["create"],
                        "before": None,
                        "after": values,
                        "after_unknown": {**unknown, "id": True},
                        "before_sensitive": False,
                        "after_sensitive": {},
                    },
                }
            )
            if expressions:
                configuration.append(
                    {
                        "address": target.address,
                        "mode": "managed",
                        "type": target.tf_type,
                        "name": name,
                        "provider_config_key": "aws",
                        "expressions": expressions,
                        "schema_version": 0,
                    }
                )

    plan = {
        "format_version": FORMAT_VERSION,
        "terraform_version": TERRAFORM_VERSION,
        "planned_values": {"root_module": {"resources": planned}},
        "resource_changes": changes,
        # No provider_config: Pulumi providers take credentials and region from the
        # environment or stack configuration, which a plan of the program cannot show.
        "configuration": {"root_module": {"resources": configuration}},
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    return PlanConversion(
        plan=plan,
        resources=origins,
        unmapped_types=dict(sorted(unmapped.items())),
        components=components,
        graphs=list(graphs),
    )


def _convert_resource(
    doc: dict[str, Any], target: Target, targets: dict[str, Target]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], set[str]]:
    values: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    opaque: set[str] = set()
    dependencies = doc.get("propertyDependencies") or {}
    for key, value in (doc.get("__properties") or {}).items():
        if key.startswith("__"):
            continue  # engine bookkeeping such as __defaults
        tf_name = terraform_name(target.tf_type, (key,), value)
        depends_on = [targets[u] for u in dependencies.get(key, []) if u in targets]
        converted = _convert(target.tf_type, (key,), tf_name, value, depends_on, top=True)
        _collect(tf_name, converted, values, expressions, unknown)
        if converted.opaque and isinstance(value, dict) and isinstance(converted.value, dict):
            # A map: only its unknown entries are unknown (an unknown `owner` tag says
            # nothing about `data-class`).
            opaque.update(f"{tf_name}/{k}" for k, v in value.items() if v == UNKNOWN_MARKER)
        elif converted.opaque:
            opaque.add(tf_name)
    return values, expressions, unknown, opaque


def _collect(
    tf_name: str,
    converted: _Converted,
    values: dict[str, Any],
    expressions: dict[str, Any],
    unknown: dict[str, Any],
) -> None:
    if converted.value is not _OMIT:
        values[tf_name] = converted.value
    if converted.expr:
        expressions[tf_name] = converted.expr
    if converted.unknown:
        unknown[tf_name] = converted.unknown


def _convert(
    tf_type: str,
    path: tuple[str, ...],
    tf_name: str,
    value: Any,
    targets: list[Target],
    *,
    top: bool,
) -> _Converted:
    if isinstance(value, str):
        return _convert_string(tf_name, value, targets, top=top)
    if isinstance(value, bool) or value is None:
        return _Converted(value)
    if isinstance(value, float) and value.is_integer():
        return _Converted(int(value))  # the wire carries every number as a float
    if isinstance(value, (int, float)):
        return _Converted(value)
    if isinstance(value, dict):
        if tf_name in JSON_STRING_ATTRIBUTES:
            return _Converted(json.dumps(value, sort_keys=True))
        if is_map_attribute(tf_name):
            # Terraform leaves a map entry unknown until apply out of the plan.
            known = {k: _plain(v) for k, v in value.items() if v != UNKNOWN_MARKER}
            return _Converted(known, opaque=len(known) != len(value))
        block, expr, unknown, opaque = _convert_block(tf_type, path, value, targets)
        # A Terraform plan writes every nested block as a list of objects.
        return _Converted(
            [block], [expr] if expr else None, [unknown] if unknown else None, opaque
        )
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return _convert_block_list(tf_type, path, value, targets)
        return _convert_scalar_list(tf_name, value, targets)
    raise ImekitError(f"cannot convert a {type(value).__name__} at {'.'.join(path)}")


def _convert_string(tf_name: str, value: str, targets: list[Target], *, top: bool) -> _Converted:
    if value == SECRET_MARKER:
        # The graph never holds a secret's value: a secret policy is as unreadable to
        # checkov as an unknown one. A credential is secret by nature and judged by no check.
        return _Converted(value, opaque=not _CREDENTIAL.search(tf_name))
    if value == UNKNOWN_MARKER:
        # An unknown identifier still names its resource; any other unknown value (a
        # policy, a flag) is content checkov cannot judge.
        opaque = not (targets and looks_like_reference(tf_name))
        if not targets:
            return _Converted(_OMIT, None, True, opaque)
        return _Converted(
            _OMIT, expression(tf_name, choose_target(tf_name, targets)), True, opaque
        )
    if not targets or _is_json_text(value):
        return _Converted(value)
    # Pulumi says a top-level property depends on `targets`, so a string there is an
    # identifier of one of them; deeper down only identifier-like leaves are.
    target = choose_target(tf_name, targets, value) if top else known_reference(
        tf_name, value, targets
    )
    if target is None:
        return _Converted(value)
    return _Converted(_OMIT, expression(tf_name, target, value), True)


def _convert_block(
    tf_type: str, path: tuple[str, ...], obj: dict[str, Any], targets: list[Target]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], bool]:
    block: dict[str, Any] = {}
    expressions: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    opaque = False
    for key, value in obj.items():
        child = path + (key,)
        tf_name = terraform_name(tf_type, child, value)
        converted = _convert(tf_type, child, tf_name, value, targets, top=False)
        _collect(tf_name, converted, block, expressions, unknown)
        opaque = opaque or converted.opaque
    return block, expressions, unknown, opaque


def _convert_block_list(
    tf_type: str, path: tuple[str, ...], items: list[dict[str, Any]], targets: list[Target]
) -> _Converted:
    blocks, exprs, unknowns = [], [], []
    opaque = False
    for item in items:
        block, expr, unknown, item_opaque = _convert_block(tf_type, path, item, targets)
        blocks.append(block)
        exprs.append(expr)
        unknowns.append(unknown)
        opaque = opaque or item_opaque
    return _Converted(
        blocks,
        exprs if any(exprs) else None,
        unknowns if any(unknowns) else None,
        opaque,
    )


def _convert_scalar_list(tf_name: str, items: list[Any], targets: list[Target]) -> _Converted:
    out: list[Any] = []
    references: list[str] = []
    unknown: list[bool] = []
    unused = list(targets)
    opaque = False
    for item in items:
        target: Target | None = None
        if item == UNKNOWN_MARKER and targets:
            target = unused.pop(0) if unused else choose_target(tf_name, targets)
        elif isinstance(item, str) and targets:
            # A known element is a reference only when it names one of the resources it
            # depends on; constants listed beside references (a managed policy ARN) stay.
            target = named_target(item, targets)
        if target is not None:
            if target in unused:
                unused.remove(target)
            ref = reference_string(tf_name, target, item)
            out.append(ref)
            references.extend([ref, target.address])
            unknown.append(True)
        elif item == UNKNOWN_MARKER:
            out.append(None)
            unknown.append(True)
            opaque = True
        else:
            out.append(_plain(item))
            unknown.append(False)
    return _Converted(
        out,
        {"references": references} if references else None,
        unknown if any(unknown) else None,
        opaque,
    )


def _plain(value: Any) -> Any:
    """Data carried as-is (map values, list elements): only numbers are normalised."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _is_json_text(value: str) -> bool:
    return value[:1] in ("{", "[")
