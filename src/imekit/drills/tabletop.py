"""Tabletop exercises: walk participants through timed injects and record what they decide.

Interactive on a terminal (the facilitator presents each inject, the room answers), or
from an answers file (YAML) for CI and for transcribing a session run on paper:

    facilitator: Security official
    participants: [Incident commander, Privacy officer, Platform engineer]
    decisions: {INJ-1: "Declared a severity-2 incident at 09:20", ...}
    answers: {Q1.1: "The security official leads; ...", ...}

Verdict: `passed` when every question has an answer and every inject that asks for a
decision has one; `failed` otherwise (the journal lists what is missing); `deviated` when
an interactive exercise ran past its planned duration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from imekit.drills.context import Clock
from imekit.drills.definition import Drill
from imekit.drills.journal import (
    DEVIATED,
    FAILED,
    PASSED,
    SCHEMA_ID,
    control_status,
    iso,
    new_run_id,
    redact,
)
from imekit.drills.versions import tool_versions
from imekit.errors import ImekitError
from imekit.evidence.sanitize import find_secret

Progress = Callable[[str], None]

# Answers become evidence: refuse text that looks like a secret or a personal identifier,
# by the same patterns the evidence record scrubs (imekit.evidence.sanitize).
# 40 base64 characters; a real secret key mixes cases, a git commit id (40 hex) does not.
_SECRET_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])")
_ANSWER_KEYS = {"facilitator", "participants", "decisions", "answers"}


def sensitive_reason(text: str) -> str | None:
    kind = find_secret(text)
    if kind is not None:
        return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"
    for match in _SECRET_KEY.finditer(text):
        token = match.group(0)
        if any(c.islower() for c in token) and any(c.isupper() for c in token):
            return "something shaped like an AWS secret access key"
    return None


def load_answers(path: Path, drill: Drill) -> dict[str, Any]:
    """Read and check an answers file against the exercise's injects and questions."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ImekitError(f"cannot read answers file {path}: {exc}") from exc
    if not isinstance(data, dict):
        raise ImekitError(f"answers file {path}: expected a mapping with "
                          "facilitator, participants, decisions and answers")
    unknown_keys = sorted(set(data) - _ANSWER_KEYS)
    if unknown_keys:
        raise ImekitError(f"answers file {path}: unknown keys {', '.join(unknown_keys)}",
                          hint="allowed: facilitator, participants, decisions, answers")
    tabletop = drill.tabletop or {}
    inject_ids = {i["id"] for i in tabletop["injects"]}
    question_ids = {q["id"] for i in tabletop["injects"] for q in i["questions"]}
    decisions = data.get("decisions") or {}
    answers = data.get("answers") or {}
    participants = data.get("participants") or []
    if not isinstance(decisions, dict) or not isinstance(answers, dict) \
            or not isinstance(participants, list):
        raise ImekitError(f"answers file {path}: decisions and answers must be mappings, "
                          "participants a list")
    problems = [f"unknown inject {k!r}" for k in sorted(map(str, decisions)) if k not in inject_ids]
    problems += [f"unknown question {k!r}" for k in sorted(map(str, answers))
                 if k not in question_ids]
    # Everything in the file ends up in the journal, the names of the roles included.
    texts = [("facilitator", data.get("facilitator"))]
    texts += [(f"participants[{i}]", p) for i, p in enumerate(participants)]
    texts += [*decisions.items(), *answers.items()]
    for key, value in texts:
        if value is not None and not isinstance(value, str):
            problems.append(f"{key}: must be text")
        elif value and (label := sensitive_reason(value)):
            problems.append(f"{key}: looks like it contains {label}; answers become evidence "
                            "and must hold no PHI or secrets")
    if problems:
        raise ImekitError(f"answers file {path}: {'; '.join(problems)}",
                          hint=f"see `imekit drill show {drill.name}` for the ids")
    return {
        "facilitator": data.get("facilitator"),
        "participants": [str(p) for p in participants],
        "decisions": {str(k): v for k, v in decisions.items()},
        "answers": {str(k): v for k, v in answers.items()},
    }


def _prompt(text: str) -> str:
    while True:
        value = click.prompt(text, default="", show_default=False).strip()
        label = sensitive_reason(value)
        if not label:
            return value
        click.echo(f"  That looks like it contains {label}. Answers become evidence: "
                   "rephrase without PHI or secrets.", err=True)


class _Interrupted(Exception):
    """The facilitator stopped the session (Ctrl-C, or the end of input)."""


def _ask(text: str) -> str:
    try:
        return _prompt(text)
    except (KeyboardInterrupt, EOFError, click.exceptions.Abort) as exc:
        click.echo("", err=True)  # end the prompt's line
        raise _Interrupted from exc


def run_tabletop(drill: Drill, *, answers_file: Path | None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Run the exercise (interactive when answers_file is None) and return its journal.

    An interactive session stopped part-way (Ctrl-C, end of input) still returns a journal
    of what was answered, as failed; stopped before the first inject, it records nothing.
    """
    say = progress or (lambda line: None)
    tabletop = drill.tabletop or {}
    interactive = answers_file is None
    given = load_answers(answers_file, drill) if answers_file else None
    run_id, _ = new_run_id()
    started = Clock.now()
    say(f"tabletop {drill.name}: run {run_id} "
        f"({'interactive' if interactive else f'answers from {answers_file}'})")

    if interactive:
        click.echo(f"\n{drill.title}\n\n{tabletop['scenario'].strip()}\n")
        click.echo("Do not enter PHI, real names or secrets: answers become evidence.\n")
        try:
            facilitator = _ask("Facilitator (role)") or None
            roles = _ask(f"Participants' roles, comma-separated "
                         f"[{', '.join(tabletop['roles'])}]")
        except _Interrupted:
            raise ImekitError("the tabletop exercise was stopped before its first inject; "
                              "nothing was recorded") from None
        participants = [r.strip() for r in roles.split(",") if r.strip()] or \
            list(tabletop["roles"])
    else:
        assert given is not None
        facilitator, participants = given["facilitator"], given["participants"]

    injects: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    unanswered: list[str] = []
    stopped_at: str | None = None
    for inject in tabletop["injects"]:
        if stopped_at is not None:
            steps.append({
                "phase": "tabletop", "name": inject["id"], "kind": "inject", "function": None,
                "started_at": None, "ended_at": None, "duration_seconds": None,
                "outcome": "not-applicable",
                "reason": f"not presented: the session was stopped at {stopped_at}",
            })
            unanswered += ([inject["id"]] if "decision" in inject else [])
            unanswered += [q["id"] for q in inject["questions"]]
            continue
        presented = Clock.now()
        elapsed = (presented.monotonic - started.monotonic) / 60
        record = {
            "id": inject["id"], "title": inject["title"], "planned_minute": inject["at_minute"],
            "presented_at": iso(presented.at), "elapsed_minutes": round(elapsed, 3),
            "decision": None, "decided_at": None, "answers": [],
        }
        try:
            _present(inject, record, given, elapsed)
        except _Interrupted:
            stopped_at = inject["id"]
        ended = Clock.now()
        answered = {a["question_id"] for a in record["answers"] if a["answer"]}
        missing = [q["id"] for q in inject["questions"] if q["id"] not in answered]
        for question in inject["questions"][len(record["answers"]):]:
            record["answers"].append({"question_id": question["id"], "question": question["text"],
                                      "answer": None, "answered_at": None})
        if "decision" in inject and not record["decision"]:
            unanswered.append(inject["id"])
            missing.insert(0, f"decision for {inject['id']}")
        unanswered += [m for m in missing if not m.startswith("decision for ")]
        reason = f"unanswered: {', '.join(missing)}" if missing else None
        if stopped_at is not None:
            reason = f"the session was stopped here; {reason or 'everything was answered'}"
        steps.append({
            "phase": "tabletop", "name": inject["id"], "kind": "inject", "function": None,
            "started_at": iso(presented.at), "ended_at": iso(ended.at),
            "duration_seconds": round(ended.monotonic - presented.monotonic, 6),
            "outcome": "fail" if missing or stopped_at else "pass",
            "reason": reason,
        })
        injects.append(record)
        say(f"  [tabletop] {inject['id']}: {'fail' if missing or stopped_at else 'pass'}"
            + (f" - {reason}" if reason else ""))

    ended = Clock.now()
    reasons: list[str] = []
    if stopped_at is not None:
        reasons.append(f"the session was stopped (Ctrl-C or end of input) at {stopped_at}")
    if unanswered:
        reasons.append(f"{len(unanswered)} question(s) or decision(s) left unanswered: "
                       f"{', '.join(unanswered)}")
    minutes = (ended.monotonic - started.monotonic) / 60
    if interactive and minutes > tabletop["duration_minutes"]:
        reasons.append(f"the exercise took {minutes:.0f} min, planned "
                       f"{tabletop['duration_minutes']} min")
    status = FAILED if unanswered or stopped_at else (DEVIATED if reasons else PASSED)
    if interactive and stopped_at is None:
        click.echo("\nDebrief:")
        for item in tabletop["debrief"]:
            click.echo(f"  - {item}")
    not_applicable = {"target_seconds": None, "measured_seconds": None, "met": None,
                      "basis": "not applicable to a tabletop exercise", "from": None, "to": None}
    journal = {
        "schema": SCHEMA_ID,
        "drill": drill.name,
        "title": drill.title,
        "kind": drill.kind,
        "definition": {"path": _display_path(drill), "sha256": drill.sha256},
        "control_ids": list(drill.controls),
        "run_id": run_id,
        "target": "tabletop",
        "account": None,
        "region": None,
        "started_at": iso(started.at),
        "ended_at": iso(ended.at),
        "duration_seconds": round(ended.monotonic - started.monotonic, 6),
        "status": status,
        "control_status": str(control_status(status)),
        "reasons": reasons,
        "options": {"skipped_phases": [], "rto_override_seconds": None,
                    "rpo_override_seconds": None, "configuration_overrides": {}},
        "steps": steps,
        "objectives": {"rto": dict(not_applicable), "rpo": dict(not_applicable)},
        "notes": ([] if interactive else
                  ["answers transcribed from a file: the timestamps record when they were "
                   "loaded, not when the room decided"]),
        "tools": tool_versions(),
        "tabletop": {
            "mode": "interactive" if interactive else "answers-file",
            "answers_file": answers_file.name if answers_file else None,
            "facilitator": facilitator,
            "participants": participants,
            "injects": injects,
            "unanswered": unanswered,
        },
    }
    return redact(journal)


def _present(inject: dict[str, Any], record: dict[str, Any], given: dict[str, Any] | None,
             elapsed: float) -> None:
    """Present one inject and fill `record` with the decision and answers as they come, so a
    session stopped part-way keeps what was already said."""
    interactive = given is None
    if interactive:
        try:
            click.pause(f"\n-- Press any key to present {inject['id']} "
                        f"(planned T+{inject['at_minute']} min, now T+{elapsed:.0f} min) --")
        except (KeyboardInterrupt, EOFError, click.exceptions.Abort) as exc:
            click.echo("", err=True)
            raise _Interrupted from exc
        click.echo(f"\n{inject['id']}: {inject['title']}\n{inject['narrative'].strip()}\n")
    if "decision" in inject:
        if given is None:
            decision = _ask(f"Decision - {inject['decision']}") or None
        else:
            decision = given["decisions"].get(inject["id"]) or None
        record["decision"] = decision
        record["decided_at"] = iso(Clock.now().at) if decision else None
    for question in inject["questions"]:
        if given is None:
            answer = _ask(f"{question['id']} {question['text']}") or None
        else:
            answer = given["answers"].get(question["id"]) or None
        record["answers"].append({"question_id": question["id"], "question": question["text"],
                                  "answer": answer,
                                  "answered_at": iso(Clock.now().at) if answer else None})
        if interactive and question.get("guidance"):
            click.echo(f"  (facilitator guidance: {question['guidance']})")


def _display_path(drill: Drill) -> str:
    from imekit.drills.runner import _display_path as display

    return display(drill)
