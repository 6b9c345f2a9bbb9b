"""controls/checkov.yaml: which checkov ids the kit enforces, for which control, and why not.

    version: 1
    checkov_version: "3.3.30"
    checks:
      CKV_AWS_16: {control: IME-ENC-01, enforcement: mandatory}
      CKV_AWS_18: {control: IME-AUD-02, enforcement: advisory, reason: "..."}
      CKV_AWS_144: {enforcement: ignored, reason: "..."}
    known_false_results:
      - {check: CKV2_AWS_69, resource_type: "aws:rds/instance:Instance", reason: "..."}

The file's shape is checked against controls/schema/checkov.schema.json; a mapping written
for another checkov version is refused, since ids and semantics move between releases.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from imekit.errors import ImekitError
from imekit.paths import controls_dir

MANDATORY = "mandatory"
ADVISORY = "advisory"
IGNORED = "ignored"


@dataclass(frozen=True)
class CheckMapping:
    check_id: str
    enforcement: str  # MANDATORY | ADVISORY | IGNORED
    control: str | None = None
    reason: str | None = None


@dataclass(frozen=True)
class KnownFalseResult:
    check_id: str
    resource_type: str  # Pulumi type token
    reason: str


@dataclass
class CheckovMapping:
    checkov_version: str
    checks: dict[str, CheckMapping]
    known_false_results: list[KnownFalseResult] = field(default_factory=list)
    path: Path | None = None

    def get(self, check_id: str) -> CheckMapping | None:
        return self.checks.get(check_id)

    def known_false(self, check_id: str, pulumi_type: str) -> KnownFalseResult | None:
        for item in self.known_false_results:
            if item.check_id == check_id and item.resource_type == pulumi_type:
                return item
        return None

    def by_enforcement(self, enforcement: str) -> list[str]:
        return sorted(c for c, m in self.checks.items() if m.enforcement == enforcement)


def mapping_path() -> Path:
    return controls_dir() / "checkov.yaml"


def _schema() -> dict | None:
    path = controls_dir() / "schema" / "checkov.schema.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def load_mapping(
    path: Path | None = None, *, expected_version: str | None = None
) -> CheckovMapping:
    """Load and check the mapping; any deviation is an ImekitError (exit 2), never a guess."""
    from imekit.checkov.environment import CHECKOV_VERSION

    path = Path(path) if path is not None else mapping_path()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ImekitError(f"cannot read the checkov mapping {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ImekitError(f"{path}: not valid YAML: {exc}") from exc
    _validate(data, path)
    expected = expected_version or CHECKOV_VERSION
    if data["checkov_version"] != expected:
        raise ImekitError(
            f"{path} maps checkov {data['checkov_version']}, the kit runs checkov {expected}",
            hint="review the mapping against the new checkov release, then update checkov_version",
        )
    checks = {
        check_id: CheckMapping(
            check_id=check_id,
            enforcement=entry["enforcement"],
            control=entry.get("control"),
            reason=entry.get("reason"),
        )
        for check_id, entry in data["checks"].items()
    }
    known = [
        KnownFalseResult(item["check"], item["resource_type"], item["reason"])
        for item in data["known_false_results"]
    ]
    return CheckovMapping(data["checkov_version"], checks, known, path)


def _validate(data: object, path: Path) -> None:
    schema = _schema()
    if schema is not None:
        import jsonschema

        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(data),
            key=lambda e: list(e.absolute_path),
        )
        if errors:
            first = errors[0]
            where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
            raise ImekitError(
                f"{path}: {where}: {first.message}",
                hint="see controls/schema/checkov.schema.json"
                + (f" ({len(errors) - 1} more problems)" if len(errors) > 1 else ""),
            )
        return
    # Without the schema (a trimmed install), check what this module relies on.
    if not isinstance(data, dict) or not isinstance(data.get("checks"), dict):
        raise ImekitError(f"{path}: expected a mapping with 'checks'")
    if not isinstance(data.get("known_false_results"), list):
        raise ImekitError(f"{path}: expected a 'known_false_results' list")
    for check_id, entry in data["checks"].items():
        if not isinstance(entry, dict) or entry.get("enforcement") not in (
            MANDATORY, ADVISORY, IGNORED,
        ):
            raise ImekitError(f"{path}: {check_id}: enforcement must be mandatory|advisory|ignored")
        if entry["enforcement"] != MANDATORY and not entry.get("reason"):
            raise ImekitError(f"{path}: {check_id}: a reason is required unless mandatory")
        if entry["enforcement"] != IGNORED and not entry.get("control"):
            raise ImekitError(f"{path}: {check_id}: a control is required unless ignored")
