"""Read a Pulumi project the way the Pulumi CLI does, without the CLI.

`Pulumi.yaml` gives the project name, `main` and project-level config; `Pulumi.<stack>.yaml`
gives the stack's config. The result is the config bag the Python language host hands a
program (`PULUMI_CONFIG`: every value a string, structured values JSON-encoded) and the list
of secret keys (`PULUMI_CONFIG_SECRET_KEYS`). `secure:` values are never decrypted: they
become secrets whose value is the graph's secret marker.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imekit.errors import ImekitError
from imekit.graph.model import SECRET_MARKER

_STACK_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+$")


@dataclass(frozen=True)
class ProjectSpec:
    """What synth needs to run one stack of one program."""

    root: Path  # the folder holding Pulumi.yaml
    name: str  # project name
    main_dir: Path  # where the program runs (cwd and sys.path[0])
    main_file: str  # file or "." (a folder's __main__.py), relative to main_dir
    stack: str
    stack_file: Path
    config: dict[str, str] = field(default_factory=dict)  # "<namespace>:<key>" -> string
    secret_keys: tuple[str, ...] = ()

    def main_relative(self) -> str:
        """The program's entry file relative to the project root, e.g. `infra/__main__.py`."""
        entry = self.main_dir / ("__main__.py" if self.main_file == "." else self.main_file)
        return entry.relative_to(self.root).as_posix()


def _read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ImekitError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ImekitError(f"{path}: {what} is not UTF-8 text", hint=f"fix the {what}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise ImekitError(f"{path}: invalid YAML{where}", hint=f"fix the {what}") from exc


def _qualify(key: str, project: str) -> str:
    """Bare keys belong to the project's namespace, as in the Pulumi CLI."""
    return key if ":" in key else f"{project}:{key}"


def _contains_secure(value: Any) -> bool:
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return True
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _blind(value: Any) -> Any:
    """Replace every `secure:` leaf by the marker; ciphertext is never carried along."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_MARKER
        return {k: _blind(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blind(v) for v in value]
    return value


def config_string(value: Any) -> str:
    """How the CLI passes a config value to a program: plain text, or JSON for structures."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


def _project_defaults(raw: Any, project: str, path: Path) -> dict[str, Any]:
    """Project-level config in Pulumi.yaml: `key: value` or `key: {type, default, ...}`."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ImekitError(f"{path}: 'config' must be a mapping")
    out: dict[str, Any] = {}
    for key, spec in raw.items():
        if isinstance(spec, dict) and ("default" in spec or "value" in spec or "type" in spec):
            if "value" in spec:
                out[_qualify(str(key), project)] = spec["value"]
            elif "default" in spec:
                out[_qualify(str(key), project)] = spec["default"]
        else:
            out[_qualify(str(key), project)] = spec
    return out


def read_project(program_dir: Path) -> tuple[Path, dict[str, Any]]:
    """Find and parse Pulumi.yaml (or Pulumi.yml) in `program_dir`."""
    root = Path(program_dir).resolve()
    if not root.is_dir():
        raise ImekitError(
            f"program directory {program_dir} does not exist",
            hint="pass the folder holding Pulumi.yaml",
        )
    for candidate in ("Pulumi.yaml", "Pulumi.yml"):
        path = root / candidate
        if path.is_file():
            break
    else:
        raise ImekitError(
            f"no Pulumi.yaml in {root}",
            hint="pass the folder holding the program's Pulumi.yaml (create one with "
            "`name:`, `runtime: python` and optionally `main:`)",
        )
    data = _read_yaml(path, "project file")
    if not isinstance(data, dict):
        raise ImekitError(f"{path}: not a Pulumi project file (top level is not a mapping)")
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ImekitError(f"{path}: 'name' is missing", hint="add `name: <project>`")
    runtime = data.get("runtime")
    runtime_name = runtime.get("name") if isinstance(runtime, dict) else runtime
    if runtime_name != "python":
        raise ImekitError(
            f"{path}: runtime is {runtime_name!r}; imekit synth runs Python programs only",
            hint="for other runtimes, gate `pulumi preview --json` output instead",
        )
    return path, data


def _main_location(root: Path, data: dict[str, Any], path: Path) -> tuple[Path, str]:
    """Mirror the CLI: a `main` folder becomes the cwd; a `main` file runs from its folder."""
    main = data.get("main")
    if main in (None, ""):
        return root, "."
    if not isinstance(main, str):
        raise ImekitError(f"{path}: 'main' must be a path")
    target = (root / main).resolve()
    if target != root and root not in target.parents:
        raise ImekitError(f"{path}: 'main' ({main}) must be inside the project folder")
    if target.is_dir():
        if not (target / "__main__.py").is_file():
            raise ImekitError(
                f"{path}: main folder {main} has no __main__.py",
                hint="a Python program folder needs a __main__.py",
            )
        return target, "."
    if target.is_file():
        return target.parent, target.name
    raise ImekitError(f"{path}: 'main' ({main}) does not exist")


def parse_override(text: str) -> tuple[str, str]:
    """`--config KEY=VALUE` -> (KEY, VALUE); the value stays a plain string."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise ImekitError(
            f"--config {text!r} is not KEY=VALUE",
            hint="for example --config aws:region=us-east-1",
        )
    return key.strip(), value


def load_project(
    program_dir: Path, stack: str, overrides: dict[str, str] | None = None
) -> ProjectSpec:
    """Everything synth needs, or an ImekitError naming the file to fix."""
    path, data = read_project(program_dir)
    root = path.parent
    name = data["name"]
    if not _STACK_NAME.match(stack or ""):
        raise ImekitError(f"invalid stack name {stack!r}")
    main_dir, main_file = _main_location(root, data, path)

    # Stacks may keep their files elsewhere (`stackConfigDir`); the name is the last segment
    # of a fully qualified stack (org/project/stack), as the CLI does.
    stack_dir = root
    config_dir = data.get("stackConfigDir")
    if isinstance(config_dir, str) and config_dir:
        stack_dir = (root / config_dir).resolve()
    short = stack.split("/")[-1]
    stack_file = stack_dir / f"Pulumi.{short}.yaml"
    if not stack_file.is_file():
        alt = stack_dir / f"Pulumi.{short}.yml"
        if alt.is_file():
            stack_file = alt
        else:
            raise ImekitError(
                f"stack config file {stack_file} does not exist",
                hint=f"create it (`pulumi stack init {short}` and `pulumi config set ...`, "
                f"or write `config: {{}}` into Pulumi.{short}.yaml), or pick another --stack",
            )
    stack_data = _read_yaml(stack_file, "stack config file") or {}
    if not isinstance(stack_data, dict):
        raise ImekitError(f"{stack_file}: top level is not a mapping")
    stack_config = stack_data.get("config") or {}
    if not isinstance(stack_config, dict):
        raise ImekitError(f"{stack_file}: 'config' must be a mapping")
    if stack_data.get("environment"):
        # Values from Pulumi ESC environments exist only in Pulumi Cloud. Running without
        # them could quietly take the program's fallbacks instead of the stack's settings.
        raise ImekitError(
            f"{stack_file} imports Pulumi ESC environments ('environment:'), which cannot "
            "be opened offline",
            hint="put the values the program reads into a stack file's 'config:' (or pass "
            "them with --config KEY=VALUE) and drop 'environment:' from the stack gated "
            "offline",
        )

    merged: dict[str, Any] = _project_defaults(data.get("config"), name, path)
    for key, value in stack_config.items():
        merged[_qualify(str(key), name)] = value
    for key, value in (overrides or {}).items():
        merged[_qualify(key, name)] = value

    config: dict[str, str] = {}
    secret_keys: list[str] = []
    for key in sorted(merged):
        value = merged[key]
        if _contains_secure(value):
            secret_keys.append(key)
            value = _blind(value)
        config[key] = config_string(value)
    return ProjectSpec(
        root=root,
        name=name,
        main_dir=main_dir,
        main_file=main_file,
        stack=short,
        stack_file=stack_file,
        config=config,
        secret_keys=tuple(secret_keys),
    )
