"""Regenerate tests/checkov/data/terraform_aws_schema_names.json (not a test).

The file holds Terraform's own attribute and block names, nested, for every Terraform type
the bridge maps to: `{tf_type: {name: None (attribute) | {...} (block)}}`. They are read
from the Terraform AWS provider bindings that cdktf publishes on PyPI, whose generated
Python sources name every field and link it to the provider's documentation anchor
(`#<terraform_name>`); the sources are parsed, never imported (importing them starts a
JavaScript runtime).

    pip download --no-deps cdktf-cdktf-provider-aws==21.22.1 -d /tmp/cdktf
    unzip -q /tmp/cdktf/*.whl 'cdktf_cdktf_provider_aws/*/__init__.py' -d /tmp/cdktf
    .venv/bin/python tests/checkov/tf_schema_extract.py /tmp/cdktf/cdktf_cdktf_provider_aws

21.22.1 binds provider 6.25.0. Newer pulumi-aws attributes absent from it are tolerated by
the test; names that differ from Terraform's by inflection are not.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "data" / "terraform_aws_schema_names.json"
_ANCHOR = re.compile(r"#(\w+) \w+#(\w+)\}")
_META = {"connection", "count", "depends_on", "for_each", "lifecycle", "provider",
         "provisioners", "timeouts"}


def _structs(source: str) -> tuple[str | None, dict[str, dict[str, str | None]]]:
    """(root config struct, {struct: {terraform name: nested struct or None}})."""
    root, structs = None, {}
    for node in ast.parse(source).body:
        if not isinstance(node, ast.ClassDef):
            continue
        decorators = [d for d in node.decorator_list
                      if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "data_type"]
        init = [f for f in node.body if isinstance(f, ast.FunctionDef) and f.name == "__init__"]
        if not decorators or not init:
            continue
        bases = next(k for k in decorators[0].keywords if k.arg == "jsii_struct_bases")
        if "TerraformMetaArguments" in ast.unparse(bases.value):
            root = node.name
        names = {}
        for line in (ast.get_docstring(init[0]) or "").splitlines():
            match = re.match(r":param (\w+):", line)
            anchors = _ANCHOR.findall(line)
            if match and anchors:
                names[match.group(1)] = anchors[-1][1]
        fields: dict[str, str | None] = {}
        for arg in init[0].args.kwonlyargs:
            annotation = ast.unparse(arg.annotation) if arg.annotation else ""
            nested = re.findall(r"'(\w+)'", annotation)
            fields[names.get(arg.arg, arg.arg)] = nested[0] if nested else None
        structs[node.name] = fields
    return root, structs


def _tree(structs, name: str, seen: tuple[str, ...] = ()) -> dict:
    out: dict = {}
    for field, nested in structs.get(name, {}).items():
        if not seen and field in _META:
            continue
        if nested is None:
            out[field] = None
        elif nested in structs and nested not in seen:
            out[field] = _tree(structs, nested, seen + (nested,))
        else:
            out[field] = {}
    return out


def main(bindings: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "src"))
    from imekit.checkov.type_map import PULUMI_TO_TERRAFORM

    schema = {}
    for tf_type in sorted(set(PULUMI_TO_TERRAFORM.values())):
        root, structs = _structs((bindings / tf_type[4:] / "__init__.py").read_text())
        schema[tf_type] = _tree(structs, root) if root else {}
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(schema, sort_keys=True, indent=0) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
