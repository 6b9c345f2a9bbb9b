"""Waivers: time-boxed, approved exceptions to one check for matching resources.

A waiver file is YAML: a list of entries (or a mapping whose only key is `waivers`).
Each entry:

    id: W-001                      # unique
    rule: deny_rds_force_ssl       # the check id (Rego rule or checkov id)
    resource: "urn:pulumi:dev::ime-platform::*::legacy-db"   # URN or fnmatch pattern
    stack: dev                     # optional: only this stack
    justification: why the risk is accepted
    approver: who accepted it
    expires: 2026-03-31            # last day the waiver applies
    alternative_measure: ...       # required when the control cites an addressable
                                   # specification (45 CFR 164.306(d)(3)(ii)(B))

Loading is strict: an unknown field, a missing one, a bad date or a duplicate id is an
error naming the entry and the field (exit 2), because a waiver that silently failed to
parse would turn into a silent failure of the gate. An expired waiver no longer applies:
the finding counts again, with a note saying when the waiver expired.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from imekit.errors import ImekitError
from imekit.findings import Finding
from imekit.status import Status

EXPIRY_WARNING_DAYS = 30

_REQUIRED = ("id", "rule", "resource", "justification", "approver", "expires")
_OPTIONAL = ("stack", "alternative_measure")
_CHECK_ID = re.compile(r"^((stack_)?(deny|warn|violation)(_[a-z0-9_]+)?|CKV2?_[A-Z0-9]+_[0-9]+)$")
_HINT = "see docs/gate.md (Waivers) for the format"


@dataclass(frozen=True)
class Waiver:
    id: str
    rule: str
    resource: str  # a URN or an fnmatch pattern over URNs
    justification: str
    approver: str
    expires: dt.date  # the last day on which the waiver applies
    stack: str | None = None
    alternative_measure: str | None = None

    def covers(self, finding: Finding) -> bool:
        """Same check, same stack (when scoped), URN matches the pattern."""
        if finding.check_id != self.rule:
            return False
        if self.stack is not None and finding.stack != self.stack:
            return False
        return fnmatch.fnmatchcase(finding.urn, self.resource)

    def expired(self, today: dt.date) -> bool:
        return today > self.expires

    def days_left(self, today: dt.date) -> int:
        return (self.expires - today).days

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "rule": self.rule,
            "resource": self.resource,
            "stack": self.stack,
            "justification": self.justification,
            "approver": self.approver,
            "expires": self.expires.isoformat(),
        }
        if self.alternative_measure is not None:
            data["alternative_measure"] = self.alternative_measure
        return data


@dataclass
class WaiverUse:
    waiver: Waiver
    matched: int = 0  # findings it waived (or, when expired, would have waived)
    note: str = ""

    def to_json(self) -> dict[str, Any]:
        data = self.waiver.to_json()
        data["matched"] = self.matched
        if self.note:
            data["note"] = self.note
        return data


@dataclass
class WaiverReport:
    """What the waivers did in one gate run; every list is reported, none is silent."""

    source: str | None = None
    today: dt.date = field(default_factory=dt.date.today)
    applied: list[WaiverUse] = field(default_factory=list)  # live and matched something
    expired: list[WaiverUse] = field(default_factory=list)  # past their date: not applied
    expiring_soon: list[WaiverUse] = field(default_factory=list)  # live, <= 30 days left
    unmatched: list[WaiverUse] = field(default_factory=list)  # live, matched nothing

    @property
    def total(self) -> int:
        return len(self.applied) + len(self.expired) + len(self.unmatched)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "evaluated_on": self.today.isoformat(),
            "applied": [u.to_json() for u in self.applied],
            "expired": [u.to_json() for u in self.expired],
            "expiring_soon": [u.to_json() for u in self.expiring_soon],
            "unmatched": [u.to_json() for u in self.unmatched],
        }


def _entry_error(path: str, index: int, entry_id: Any, field_name: str, why: str) -> ImekitError:
    label = f"entry {index + 1}"
    if isinstance(entry_id, str) and entry_id:
        label += f" ({entry_id})"
    return ImekitError(f"{path}: waiver {label}: field '{field_name}' {why}", hint=_HINT)


_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_date(value: Any) -> dt.date | None:
    # The file is read with dates kept as text (quoted or not); parsed data handed to
    # parse_waivers may carry real dates.
    if isinstance(value, dt.datetime):
        return None  # a timestamp is ambiguous about the last valid day: refuse it
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        # Only YYYY-MM-DD: Python also reads 20260331 or 2026-W13-2, which a reviewer
        # of the waiver file would not recognise as the date the waiver ends.
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:  # 2026-02-30
            return None
    return None


def parse_waivers(
    data: Any,
    *,
    source: str = "<waivers>",
    is_known_check: Callable[[str], bool] | None = None,
    needs_alternative: Callable[[str], bool] | None = None,
) -> list[Waiver]:
    """Validate already-parsed YAML. See the module docstring for the format.

    `is_known_check(rule)` rejects waivers for checks the kit does not have (a typo would
    otherwise waive nothing, quietly). `needs_alternative(rule)` is true when the rule's
    control cites an addressable specification, so the entry must document the
    alternative measure adopted instead.
    """
    if data is None:
        return []
    if isinstance(data, dict):
        if set(data) != {"waivers"}:
            raise ImekitError(
                f"{source}: a waiver file is a list, or a mapping with the single key 'waivers'",
                hint=_HINT,
            )
        data = data["waivers"] or []
    if not isinstance(data, list):
        raise ImekitError(f"{source}: waivers must be a list of entries", hint=_HINT)

    waivers: list[Waiver] = []
    seen: set[str] = set()
    for i, entry in enumerate(data):
        if not isinstance(entry, dict):
            raise ImekitError(f"{source}: waiver entry {i + 1} is not a mapping", hint=_HINT)
        entry_id = entry.get("id")
        unknown = sorted(str(k) for k in entry if k not in _REQUIRED + _OPTIONAL)
        if unknown:
            raise _entry_error(source, i, entry_id, unknown[0], "is not a waiver field")
        for name in _REQUIRED:
            if name not in entry or entry[name] is None:
                raise _entry_error(source, i, entry_id, name, "is missing")
        texts: dict[str, str] = {}
        for name in ("id", "rule", "resource", "justification", "approver"):
            value = entry[name]
            if not isinstance(value, str) or not value.strip():
                raise _entry_error(source, i, entry_id, name, "must be a non-empty string")
            texts[name] = value.strip()
        if texts["id"] in seen:
            raise _entry_error(source, i, entry_id, "id", f"duplicates {texts['id']!r}")
        seen.add(texts["id"])
        rule = texts["rule"]
        if is_known_check is not None:
            if not is_known_check(rule):
                raise _entry_error(source, i, entry_id, "rule", f"names no known check: {rule!r}")
        elif not _CHECK_ID.match(rule):
            raise _entry_error(source, i, entry_id, "rule", f"is not a check id: {rule!r}")
        expires = _parse_date(entry["expires"])
        if expires is None:
            got = entry["expires"]
            raise _entry_error(
                source, i, entry_id, "expires", f"must be a date YYYY-MM-DD, got {got!r}"
            )
        stack = entry.get("stack")
        if stack is not None and (not isinstance(stack, str) or not stack.strip()):
            raise _entry_error(source, i, entry_id, "stack", "must be a non-empty string")
        alternative = entry.get("alternative_measure")
        blank = not isinstance(alternative, str) or not alternative.strip()
        if alternative is not None and blank:
            raise _entry_error(
                source, i, entry_id, "alternative_measure", "must be a non-empty string"
            )
        if alternative is None and needs_alternative is not None and needs_alternative(rule):
            raise _entry_error(
                source,
                i,
                entry_id,
                "alternative_measure",
                "is missing: this check's control cites an addressable specification, "
                "so 164.306(d)(3)(ii)(B) requires documenting the alternative measure "
                "adopted",
            )
        waivers.append(
            Waiver(
                id=texts["id"],
                rule=rule,
                resource=texts["resource"],
                justification=texts["justification"],
                approver=texts["approver"],
                expires=expires,
                stack=stack.strip() if isinstance(stack, str) else None,
                alternative_measure=alternative.strip() if isinstance(alternative, str) else None,
            )
        )
    return waivers


def load_waivers(
    path: Path,
    *,
    is_known_check: Callable[[str], bool] | None = None,
    needs_alternative: Callable[[str], bool] | None = None,
) -> list[Waiver]:
    """Read and validate a waiver file; any problem is an ImekitError (exit 2)."""
    from imekit.catalog.yamlfile import describe_error, load_strict

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ImekitError(
            f"cannot read waivers {path}: {exc.strerror}", hint="check the --waivers path"
        ) from exc
    except UnicodeDecodeError:
        raise ImekitError(f"{path}: waivers are not UTF-8 text", hint=_HINT) from None
    try:
        # Strict: PyYAML would keep the last of two `expires:` keys of one entry silently.
        data = load_strict(text)
    except yaml.YAMLError as exc:
        raise ImekitError(f"{path}: invalid YAML: {describe_error(exc)}", hint=_HINT) from None
    return parse_waivers(
        data,
        source=str(path),
        is_known_check=is_known_check,
        needs_alternative=needs_alternative,
    )


def apply_waivers(
    findings: Iterable[Finding],
    waivers: list[Waiver],
    *,
    today: dt.date | None = None,
    stacks: Iterable[str] | None = None,
    source: str | None = None,
) -> WaiverReport:
    """Mark findings covered by a live waiver as WAIVED, in place; report every waiver.

    The first live waiver in file order wins. A finding covered only by an expired waiver
    stays FAIL and gains a note. `stacks` (the stacks gated in this run) explains why a
    stack-scoped waiver matched nothing.
    """
    today = today or dt.date.today()
    uses = {w.id: WaiverUse(w) for w in waivers}
    live = [w for w in waivers if not w.expired(today)]
    dead = [w for w in waivers if w.expired(today)]
    for finding in findings:
        if finding.status is not Status.FAIL:
            continue
        match = next((w for w in live if w.covers(finding)), None)
        if match is not None:
            uses[match.id].matched += 1
            finding.status = Status.WAIVED
            finding.waiver = match.to_json()
            continue
        for w in dead:
            if w.covers(finding):
                uses[w.id].matched += 1
                finding.notes.append(
                    f"waiver {w.id} expired on {w.expires.isoformat()}; the finding counts"
                )
    gated = set(stacks) if stacks is not None else None
    report = WaiverReport(source=source, today=today)
    for w in waivers:
        use = uses[w.id]
        if w.expired(today):
            use.note = f"expired on {w.expires.isoformat()}: no longer applied"
            report.expired.append(use)
            continue
        if use.matched:
            report.applied.append(use)
        else:
            if gated is not None and w.stack is not None and w.stack not in gated:
                use.note = f"stack {w.stack} was not gated in this run"
            else:
                use.note = "matched no finding: remove it if the issue is fixed"
            report.unmatched.append(use)
        if w.days_left(today) <= EXPIRY_WARNING_DAYS:
            soon = WaiverUse(w, use.matched, f"expires in {w.days_left(today)} day(s)")
            report.expiring_soon.append(soon)
    return report
