"""Policy pack configuration: Pulumi's `--policy-pack-config` file, read the same way.

    {"all": "advisory",
     "deny_x": "disabled",
     "deny_log_group_retention": {"enforcementLevel": "mandatory", "minimumDays": 2557}}

As in Pulumi (parsePolicyPackConfig): a value is an enforcement level string or an object
whose `enforcementLevel` (optional) is removed and whose other keys are the rule's
properties; empty content means no configuration; an invalid level is an error. A rule's
own level wins over `all`. Rules read their properties as `data.config.<rule>.<key>`, and
`data.config` holds only rules that were given properties.

The kit is stricter than Pulumi where Pulumi would silently ignore a mistake: a rule name
the pack does not have, a property the rule's schema (config-schema.json) does not declare,
or a value the schema rejects is an error, never a quietly unconfigured rule.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imekit.errors import ImekitError
from imekit.policy import naming

ALL = "all"


@dataclass(frozen=True)
class RuleConfig:
    enforcement_level: str | None = None
    properties: dict[str, Any] = field(default_factory=dict)


@dataclass
class PolicyConfig:
    rules: dict[str, RuleConfig] = field(default_factory=dict)
    source: str = "<none>"

    def level_for(self, rule: str, default: str) -> str:
        """The analyzer's configuredEnforcementLevel, falling back to the name's level."""
        own = self.rules.get(rule)
        if own is not None and own.enforcement_level:
            return own.enforcement_level
        every = self.rules.get(ALL)
        if every is not None and every.enforcement_level:
            return every.enforcement_level
        return default

    def data_config(self) -> dict[str, dict[str, Any]]:
        """What rules see as data.config: only entries that carry properties."""
        return {name: dict(rc.properties) for name, rc in self.rules.items() if rc.properties}


def load_policy_config(path: Path | str) -> PolicyConfig:
    """Read a policy config file (JSON as Pulumi takes it, or YAML)."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImekitError(f"cannot read policy config {file}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImekitError(f"policy config {file} is not UTF-8 text (byte {exc.start})") from exc
    if not text.strip():
        return PolicyConfig(source=str(file))
    if file.suffix.lower() in (".yaml", ".yml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ImekitError(f"{file}: invalid YAML: {exc}") from exc
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImekitError(
                f"{file}:{exc.lineno}: invalid JSON: {exc.msg}",
                hint="the file is Pulumi's --policy-pack-config format; YAML needs a .yaml name",
            ) from exc
    return parse_policy_config(data, str(file))


def parse_policy_config(data: Any, source: str = "<config>") -> PolicyConfig:
    if data is None:
        return PolicyConfig(source=source)
    if not isinstance(data, dict):
        raise ImekitError(f"{source}: policy config must be an object of rule names")
    rules: dict[str, RuleConfig] = {}
    for name, value in data.items():
        if isinstance(value, str):
            rules[name] = RuleConfig(_level(value, name, source), {})
        elif isinstance(value, dict):
            props = dict(value)
            level = None
            if "enforcementLevel" in props:
                raw = props.pop("enforcementLevel")
                if not isinstance(raw, str):
                    raise ImekitError(
                        f"{source}: {name}: {raw!r} is not a valid enforcement level; "
                        "must be a string"
                    )
                level = _level(raw, name, source)
            if level is None and not props:
                continue  # Pulumi drops empty entries
            rules[name] = RuleConfig(level, props)
        else:
            raise ImekitError(
                f"{source}: {name}: {value!r} is not a valid value; must be a string or object"
            )
    return PolicyConfig(rules=rules, source=source)


def _level(value: str, name: str, source: str) -> str:
    if value not in naming.LEVELS:
        raise ImekitError(
            f"{source}: {name}: {value!r} is not a valid enforcement level",
            hint=f"use one of {', '.join(naming.LEVELS)}",
        )
    return value


def check_against_pack(config: PolicyConfig, pack: Any) -> None:
    """Refuse configuration the pack would silently ignore, and validate properties."""
    import jsonschema

    known = set(pack.rule_names())
    for name, rule_config in config.rules.items():
        if name == ALL:
            if rule_config.properties:
                raise ImekitError(
                    f"{config.source}: `all` takes only an enforcementLevel, not properties"
                )
            continue
        if name not in known:
            raise ImekitError(
                f"{config.source}: the pack has no rule {name!r}",
                hint="`imekit policy list` shows the rule names",
            )
        if not rule_config.properties:
            continue
        schema = pack.config_schema.get(name)
        if schema is None:
            raise ImekitError(
                f"{config.source}: rule {name} takes no configuration properties "
                f"(got {', '.join(sorted(rule_config.properties))})"
            )
        declared = set((schema.get("properties") or {}).keys())
        unknown = sorted(set(rule_config.properties) - declared)
        if unknown:
            raise ImekitError(
                f"{config.source}: rule {name} has no property {', '.join(unknown)}",
                hint=f"its properties are: {', '.join(sorted(declared)) or 'none'}",
            )
        # As Pulumi's convertSchema: an object with the declared properties and required.
        full = {"type": "object", "properties": schema.get("properties") or {}}
        if schema.get("required"):
            full["required"] = schema["required"]
        try:
            jsonschema.validate(rule_config.properties, full)
        except jsonschema.ValidationError as exc:
            where = ".".join(str(p) for p in exc.absolute_path) or name
            raise ImekitError(f"{config.source}: {name}: {where}: {exc.message}") from exc
