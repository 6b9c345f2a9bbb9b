"""METADATA annotations of Rego rules, read in Python.

regorus has no rego.metadata.rule(), so the kit reads the annotation blocks itself, as OPA
does: a comment block (contiguous comment lines) whose first line is `# METADATA` holds
YAML, and it belongs to the rule that starts on the next line. `scope: package`
blocks describe the package instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from imekit.errors import ImekitError


@dataclass
class Annotation:
    line: int  # 1-based line of the `# METADATA` marker
    target_line: int  # 1-based line of the first non-comment line after the block
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def scope(self) -> str:
        return str(self.data.get("scope", "rule"))


def parse_annotations(text: str, path: str) -> list[Annotation]:
    """Every METADATA block of one file; malformed YAML is an error naming file:line."""
    lines = text.splitlines()
    annotations: list[Annotation] = []
    i = 0
    while i < len(lines):
        # OPA groups contiguous comment lines into one block and reads it as METADATA only
        # when the block's first line says so: a comment right above `# METADATA` hides it.
        starts_block = i == 0 or not lines[i - 1].lstrip().startswith("#")
        if lines[i].strip() != "# METADATA" or not starts_block:
            i += 1
            continue
        start = i
        body: list[str] = []
        i += 1
        while i < len(lines) and lines[i].lstrip().startswith("#"):
            stripped = lines[i].lstrip()[1:]
            # OPA strips one leading space after '#'; YAML indentation is kept after that.
            body.append(stripped[1:] if stripped.startswith(" ") else stripped)
            i += 1
        try:
            data = yaml.safe_load("\n".join(body)) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = start + 2 + (mark.line if mark else 0)
            raise ImekitError(
                f"{path}:{where}: malformed METADATA block: {getattr(exc, 'problem', exc)}",
                hint="METADATA comment blocks must hold valid YAML",
            ) from exc
        if not isinstance(data, dict):
            raise ImekitError(
                f"{path}:{start + 1}: METADATA block is not a YAML mapping",
                hint="write `# title: ...`, `# description: ...`, `# custom: ...`",
            )
        annotations.append(Annotation(line=start + 1, target_line=i + 1, data=data))
    return annotations
