"""Read rule names and METADATA annotations from the pack's .rego files, without a Rego engine.

The catalog's integrity checks need three facts per rule: its name, which control its
METADATA `custom.control` names, and which control ids its messages start with. A small
line-based reader is enough for that and keeps the check independent of the engine that
evaluates the pack, so the two can catch each other's mistakes.

Rules are selected the way Pulumi's OPA analyzer selects them: `deny`/`violation`/`warn`
(per resource) and `stack_deny`/`stack_violation`/`stack_warn` (per stack), each alone or
followed by `_suffix`. Every other rule is a helper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

_POLICY_RULE = re.compile(r"^(stack_)?(deny|violation|warn)(_[A-Za-z0-9_]*)?$")
# A rule head starts in column 0: `name contains`, `name if`, `name :=`, `name[`, `name {`...
_RULE_HEAD = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(contains\b|if\b|:=|=|\[|\{|\()")
_NOT_RULES = {"package", "import", "default", "else", "some", "every", "not", "with"}
_MESSAGE_CONTROL = re.compile(r"\"\[(IME-[A-Z]{2,4}-\d{2})\]")


@dataclass
class RegoRule:
    name: str
    file: Path
    line: int  # first definition
    controls: set[str] = field(default_factory=set)  # from METADATA custom.control
    titles: list[str] = field(default_factory=list)
    message_controls: set[str] = field(default_factory=set)  # [IME-..] at message starts
    annotated: bool = False

    @property
    def kind(self) -> str:
        """deny | warn (per resource) or stack_deny | stack_warn (per stack)."""
        match = _POLICY_RULE.match(self.name)
        assert match is not None
        base = "warn" if match.group(2) == "warn" else "deny"
        return f"stack_{base}" if match.group(1) else base


@dataclass
class RegoScan:
    files: list[Path]
    packages: dict[Path, str]
    rules: dict[str, RegoRule]  # policy rules only (helpers and tests left out)
    problems: list[tuple[Path, int, str]]  # unreadable METADATA and the like


def is_policy_rule(name: str) -> bool:
    return bool(_POLICY_RULE.match(name))


def scan_pack(folder: Path) -> RegoScan:
    files = sorted(p for p in folder.rglob("*.rego") if p.is_file())
    scan = RegoScan(files=files, packages={}, rules={}, problems=[])
    for path in files:
        _scan_file(path, scan)
    return scan


def _scan_file(path: Path, scan: RegoScan) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    pending: dict[str, Any] | None = None  # METADATA waiting for the next rule
    current: RegoRule | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("# METADATA"):
            block, i = _metadata_block(lines, i + 1)
            try:
                parsed = yaml.safe_load("\n".join(block)) or {}
            except yaml.YAMLError as exc:
                scan.problems.append((path, i, f"METADATA is not valid YAML: {exc}"))
                parsed = {}
            if not isinstance(parsed, dict):
                scan.problems.append((path, i, "METADATA is not a YAML mapping"))
                parsed = {}
            pending = None if parsed.get("scope") in ("package", "subpackages") else parsed
            current = None
            continue
        if line.startswith("package "):
            scan.packages[path] = line.split()[1]
        head = _RULE_HEAD.match(line) if line and not line[0].isspace() else None
        if head and head.group(1) not in _NOT_RULES:
            name = head.group(1)
            current = None
            if is_policy_rule(name):
                rule = scan.rules.get(name)
                if rule is None:
                    rule = scan.rules[name] = RegoRule(name=name, file=path, line=i + 1)
                if pending is not None:
                    rule.annotated = True
                    control = (pending.get("custom") or {}).get("control")
                    if control:
                        rule.controls.add(str(control))
                    if pending.get("title"):
                        rule.titles.append(str(pending["title"]))
                current = rule
            pending = None
        if current is not None:
            current.message_controls.update(_MESSAGE_CONTROL.findall(line))
        i += 1


def _metadata_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """The YAML lines of a METADATA comment block and the index after it."""
    block: list[str] = []
    i = start
    while i < len(lines) and lines[i].lstrip().startswith("#"):
        text = lines[i].lstrip()[1:]
        block.append(text[1:] if text.startswith(" ") else text)
        i += 1
    return block, i
