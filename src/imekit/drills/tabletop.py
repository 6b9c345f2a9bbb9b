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

Progress = Callable[[str], None]

# Answers become evidence: refuse text that looks like a secret or a personal identifier.
_SENSITIVE = (
    (re.compile(r"\b\d{3}-\d{2}-\d{4}\b"), "a US Social Security number"),
    (re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b"), "an AWS access key id"),
    (re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])"),
     "something shaped like an AWS secret access key"),
)
_ANSWER_KEYS = {"facilitator", "participants", "decisions", "answers"}


def sensitive_reason(text: str) -> str | None:
    for pattern, label in _SENSITIVE:
        if pattern.search(text):
            return label
    return None


def load_answers(path: Path, drill: Drill) -> dict[str, Any]:
    """Read and check an answers file against the exercise's injects and questions."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
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
    for key, value in [*decisions.items(), *answers.items()]:
        if value is not None and not isinstance(value, str):
            problems.append(f"{key}: the answer must be text")
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


def run_tabletop(drill: Drill, *, answers_file: Path | None,
                 progress: Progress | None = None) -> dict[str, Any]:
    """Run the exercise (interactive when answers_file is None) and return its journal."""
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
        facilitator = _prompt("Facilitator (role)") or None
        roles = _prompt(f"Participants' roles, comma-separated [{', '.join(tabletop['roles'])}]")
        participants = [r.strip() for r in roles.split(",") if r.strip()] or \
            list(tabletop["roles"])
    else:
        assert given is not None
        facilitator, participants = given["facilitator"], given["participants"]

    injects: list[dict[str, Any]] = []
    steps: list[dict[str, Any]] = []
    unanswered: list[str] = []
    for inject in tabletop["injects"]:
        presented = Clock.now()
        elapsed = (presented.monotonic - started.monotonic) / 60
        if interactive:
            click.pause(f"\n-- Press any key to present {inject['id']} "
                        f"(planned T+{inject['at_minute']} min, now T+{elapsed:.0f} min) --")
            click.echo(f"\n{inject['id']}: {inject['title']}\n{inject['narrative'].strip()}\n")
        decision = decided_at = None
        if "decision" in inject:
            if interactive:
                decision = _prompt(f"Decision - {inject['decision']}") or None
            else:
                assert given is not None
                decision = given["decisions"].get(inject["id"]) or None
            decided_at = iso(Clock.now().at) if decision else None
            if not decision:
                unanswered.append(inject["id"])
        answers = []
        for question in inject["questions"]:
            if interactive:
                answer = _prompt(f"{question['id']} {question['text']}") or None
            else:
                assert given is not None
                answer = given["answers"].get(question["id"]) or None
            if not answer:
                unanswered.append(question["id"])
            answers.append({"question_id": question["id"], "question": question["text"],
                            "answer": answer,
                            "answered_at": iso(Clock.now().at) if answer else None})
            if interactive and question.get("guidance"):
                click.echo(f"  (facilitator guidance: {question['guidance']})")
        ended = Clock.now()
        missing = [a["question_id"] for a in answers if not a["answer"]]
        if "decision" in inject and not decision:
            missing.insert(0, f"decision for {inject['id']}")
        steps.append({
            "phase": "tabletop", "name": inject["id"], "kind": "inject", "function": None,
            "started_at": iso(presented.at), "ended_at": iso(ended.at),
            "duration_seconds": round(ended.monotonic - presented.monotonic, 6),
            "outcome": "fail" if missing else "pass",
            "reason": f"unanswered: {', '.join(missing)}" if missing else None,
        })
        injects.append({
            "id": inject["id"], "title": inject["title"], "planned_minute": inject["at_minute"],
            "presented_at": iso(presented.at), "elapsed_minutes": round(elapsed, 3),
            "decision": decision, "decided_at": decided_at, "answers": answers,
        })
        say(f"  [tabletop] {inject['id']}: {'fail' if missing else 'pass'}"
            + (f" - unanswered: {', '.join(missing)}" if missing else ""))

    ended = Clock.now()
    reasons: list[str] = []
    if unanswered:
        reasons.append(f"{len(unanswered)} question(s) or decision(s) left unanswered: "
                       f"{', '.join(unanswered)}")
    minutes = (ended.monotonic - started.monotonic) / 60
    if interactive and minutes > tabletop["duration_minutes"]:
        reasons.append(f"the exercise took {minutes:.0f} min, planned "
                       f"{tabletop['duration_minutes']} min")
    status = FAILED if unanswered else (DEVIATED if reasons else PASSED)
    if interactive:
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


def _display_path(drill: Drill) -> str:
    from imekit.drills.runner import _display_path as display

    return display(drill)
