"""Loading the policy pack exactly as Pulumi's OPA analyzer does, plus its METADATA.

The analyzer (pulumi-policy-opa, loadPolicyPack) walks the folder recursively, compiles
every `.rego` file in Rego v0 mode, requires one package across all files (the package is
the pack's name) and selects rules by name. The kit does the same, compiles in both Rego
v0 (as the analyzer) and v1 (as regorus evaluates), and reads each rule's METADATA:
title, description, custom.message, custom.control and custom.resource_types.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imekit import paths
from imekit.errors import ImekitError
from imekit.policy import naming
from imekit.policy.engine import new_engine
from imekit.policy.metadata import Annotation, parse_annotations

MANIFEST = "PulumiPolicy.yaml"
CONFIG_SCHEMA = "config-schema.json"


@dataclass(frozen=True)
class Definition:
    """One textual definition of a rule (a rule may be defined by several bodies)."""

    file: str  # path relative to the pack root
    line: int
    start: int  # byte offsets of the whole definition in the file
    end: int
    head: str  # regorus head kind: "Set" (`contains`), "Compr", "Func" or "Default"


@dataclass
class Rule:
    """A rule the analyzer evaluates: deny/violation/warn, resource or stack scope."""

    name: str
    scope: str  # naming.RESOURCE | naming.STACK
    level: str  # naming.MANDATORY | naming.ADVISORY, implied by the name
    file: str
    line: int
    head: str  # regorus head kind: "Set" for `contains`, "Compr", "Func"
    title: str = ""
    description: str = ""
    message: str = ""
    control: str = ""
    resource_types: tuple[str, ...] = ()
    config_schema: dict[str, Any] | None = None
    definitions: list[Definition] = field(default_factory=list)

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass
class TestRule:
    name: str
    file: str
    line: int


@dataclass
class Pack:
    root: Path
    name: str  # the Rego package, which is the pack's name
    version: str
    description: str
    display_name: str
    files: dict[str, str]  # relative path -> text, every .rego file
    rules: list[Rule]
    tests: list[TestRule]
    helpers: set[str]
    config_schema: dict[str, Any]
    # Every definition of every name (rules, helpers, tests), for static checks.
    definitions: dict[str, list[Definition]] = field(default_factory=dict)

    def rule(self, name: str) -> Rule:
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(name)

    def rule_names(self) -> list[str]:
        return [r.name for r in self.rules]

    def query(self, rule: str) -> str:
        return f"data.{self.name}.{rule}"

    def sources(self) -> list[tuple[str, str]]:
        return sorted(self.files.items())

    def text_of(self, definition: Definition) -> str:
        data = self.files[definition.file].encode("utf-8")
        return data[definition.start : definition.end].decode("utf-8")


def load_pack(path: Path | str | None = None) -> Pack:
    """Load and compile the pack at `path` (default: the kit's own policies/)."""
    root = Path(path) if path is not None else paths.policies_dir()
    if not root.is_dir():
        raise ImekitError(
            f"policy pack folder {root} does not exist",
            hint="pass --pack pointing at the folder holding PulumiPolicy.yaml",
        )
    manifest = _load_manifest(root)
    files = _read_rego_files(root)
    # Both parsers must accept the pack: v0 is what Pulumi's analyzer runs, v1 what the kit
    # evaluates with. A file lacking `import rego.v1` fails the v0 parse on `if`/`contains`.
    new_engine(files.items(), rego_v0=True)
    engine = new_engine(files.items(), rego_v0=False)
    asts = json.loads(engine.get_ast_as_json())
    _refuse_deprecated_builtins(asts)

    package = ""
    rules: dict[str, Rule] = {}
    tests: list[TestRule] = []
    helpers: set[str] = set()
    all_definitions: dict[str, list[Definition]] = {}
    display_name = ""
    annotations: dict[str, list[Annotation]] = {
        rel: parse_annotations(text, rel) for rel, text in files.items()
    }
    for module in asts:
        rel = module["source"]["file"]
        text_bytes = files[rel].encode("utf-8")
        pkg = _ref_name(module["ast"]["package"]["refr"])
        if not package:
            package = pkg
        elif pkg != package:
            raise ImekitError(
                f"{rel}: package {pkg!r} differs from {package!r}",
                hint="Pulumi's analyzer requires one package across every .rego file, tests too",
            )
        by_line = {a.target_line: a for a in annotations[rel] if a.scope != "package"}
        for a in annotations[rel]:
            if a.scope == "package" and a.data.get("title"):
                display_name = str(a.data["title"])
        for item in module["ast"]["rules"]:
            kind, body = next(iter(item.items()))
            head_kind, name = _rule_head(kind, body)
            span = body["span"]
            definition = Definition(
                rel, span["line"], span["start"], _def_end(text_bytes, span), head_kind
            )
            all_definitions.setdefault(name, []).append(definition)
            if naming.is_test(name):
                tests.append(TestRule(name, rel, span["line"]))
                continue
            rule_kind = naming.classify(name)
            if rule_kind is None:
                helpers.add(name)
                continue
            if kind != "Default" and _dotted_head(body):
                # `deny.x contains msg`: the analyzer keys rules on Head.Name, which a dotted
                # head does not have, so it never evaluates it, while data.<pack>.deny would
                # be an object yielding nothing here. Either way the checks would vanish.
                raise ImekitError(
                    f"{rel}:{span['line']}: rule head {name}.<...> is a dotted path; Pulumi's "
                    "analyzer selects rules by a plain name and would never evaluate it",
                    hint=f"name the rule plainly, e.g. `{name}_<check> contains msg if {{...}}`",
                )
            rule = rules.get(name)
            if rule is None:
                rule = Rule(
                    name=name,
                    scope=rule_kind.scope,
                    level=rule_kind.level,
                    file=rel,
                    line=span["line"],
                    head=head_kind,
                )
                rules[name] = rule
            rule.definitions.append(definition)
            note = by_line.get(span["line"])
            if note is not None:
                _apply_metadata(rule, note)

    if not package:
        raise ImekitError(f"{root}: no .rego files", hint="a pack needs at least one rule file")
    schema = _load_config_schema(root)
    for name, rule_schema in schema.items():
        if name in rules:
            rules[name].config_schema = rule_schema
    ordered = sorted(rules.values(), key=lambda r: (r.file, r.line))
    return Pack(
        root=root,
        name=package,
        version=str(manifest.get("version", "")),
        description=str(manifest.get("description", "")),
        display_name=display_name or package,
        files=files,
        rules=ordered,
        tests=sorted(tests, key=lambda t: (t.file, t.line)),
        helpers=helpers,
        config_schema=schema,
        definitions=all_definitions,
    )


# Built-ins OPA refuses in a module importing rego.v1 (as Pulumi's analyzer compiles it);
# regorus still accepts them, so the kit checks for them itself.
DEPRECATED_BUILTINS = frozenset(
    {
        "any",
        "all",
        "re_match",
        "set_diff",
        "net.cidr_overlap",
        "cast_array",
        "cast_set",
        "cast_string",
        "cast_boolean",
        "cast_null",
        "cast_object",
    }
)


def _refuse_deprecated_builtins(asts: list[dict[str, Any]]) -> None:
    for module in asts:
        rel = module["source"]["file"]
        for call in _calls(module["ast"]):
            try:
                name = _ref_name(call["fcn"])
            except ImekitError:
                continue
            if name in DEPRECATED_BUILTINS:
                line = call.get("span", {}).get("line", "?")
                raise ImekitError(
                    f"{rel}:{line}: {name}() is a deprecated built-in, which OPA refuses in a "
                    "module importing rego.v1 (Pulumi's analyzer would not load the pack)",
                    hint="use its replacement (regex.match, some/every, set difference, ...)",
                )


def _calls(node: Any) -> list[dict[str, Any]]:
    """Every Call node of a regorus AST, depth first."""
    found: list[dict[str, Any]] = []
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            call = item.get("Call")
            if isinstance(call, dict) and "fcn" in call:
                found.append(call)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def _load_manifest(root: Path) -> dict[str, Any]:
    manifest_path = root / MANIFEST
    if not manifest_path.is_file():
        raise ImekitError(
            f"{root}: no {MANIFEST}",
            hint="a Pulumi policy pack needs PulumiPolicy.yaml with `runtime: opa`",
        )
    try:
        manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ImekitError(f"{manifest_path}: invalid YAML: {exc}") from exc
    runtime = manifest.get("runtime") if isinstance(manifest, dict) else None
    if isinstance(runtime, dict):
        runtime = runtime.get("name")
    if runtime != "opa":
        raise ImekitError(
            f"{manifest_path}: runtime is {runtime!r}, expected 'opa'",
            hint="the kit evaluates OPA (Rego) policy packs only",
        )
    return manifest


def _read_rego_files(root: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    for file in sorted(root.rglob("*.rego")):
        if file.is_file():
            rel = file.relative_to(root).as_posix()
            try:
                files[rel] = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ImekitError(f"cannot read policy file {file}: {exc}") from exc
    return files


def _load_config_schema(root: Path) -> dict[str, Any]:
    path = root / CONFIG_SCHEMA
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        # Pulumi's analyzer silently drops a malformed schema; the kit refuses it instead,
        # because configuration is validated against it.
        raise ImekitError(
            f"{path}:{exc.lineno}: invalid JSON: {exc.msg}",
            hint="config-schema.json maps rule names to {properties, required}",
        ) from exc
    if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
        raise ImekitError(f"{path}: must map rule names to objects")
    return data


def _ref_name(ref: dict[str, Any]) -> str:
    """Dotted name of a regorus reference node (`imekit_hipaa`, `a.b`)."""
    kind, node = next(iter(ref.items()))
    if kind == "Var":
        return str(node["value"])
    if kind == "RefDot":
        return f"{_ref_name(node['refr'])}.{node['field'][1]}"
    if kind == "RefBrack":
        return _ref_name(node["refr"])
    raise ImekitError(f"unexpected reference kind {kind} in policy AST")


def _rule_head(kind: str, body: dict[str, Any]) -> tuple[str, str]:
    """(head kind, rule name) of one regorus rule node."""
    if kind == "Default":
        return "Default", _base_name(body["refr"])
    head_kind, head = next(iter(body["head"].items()))
    return head_kind, _base_name(head["refr"])


def _dotted_head(body: dict[str, Any]) -> bool:
    """Whether a rule's head is a dotted path (`a.b`) rather than a name or `a[x]`."""
    _, head = next(iter(body["head"].items()))
    ref = head["refr"]
    while True:
        kind, node = next(iter(ref.items()))
        if kind == "RefDot":
            return True
        if kind != "RefBrack":
            return False
        ref = node["refr"]


def _base_name(ref: dict[str, Any]) -> str:
    # The analyzer keys rules on Head.Name, the leading variable of a ref head.
    kind, node = next(iter(ref.items()))
    if kind == "Var":
        return str(node["value"])
    return _base_name(node["refr"])


def _def_end(text: bytes, span: dict[str, Any]) -> int:
    end = int(span["end"])
    return min(end, len(text))


def _apply_metadata(rule: Rule, note: Annotation) -> None:
    data = note.data
    custom = data.get("custom") or {}
    if not isinstance(custom, dict):
        raise ImekitError(f"{rule.file}:{note.line}: METADATA `custom` must be a mapping")
    rule.title = str(data.get("title") or "")
    rule.description = " ".join(str(data.get("description") or "").split())
    rule.message = " ".join(str(custom.get("message") or "").split())
    rule.control = str(custom.get("control") or "")
    types = custom.get("resource_types") or []
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ImekitError(
            f"{rule.file}:{note.line}: custom.resource_types of {rule.name} must be a list "
            "of Pulumi type tokens"
        )
    rule.resource_types = tuple(types)
