"""The tabletop exercise: answers from a file (CI), interactively on a terminal, and the
refusals (no terminal and no answers; unknown ids; answers that look like PHI or secrets)."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from imekit.commands import drill as drill_command
from imekit.drills.definition import load_drill
from imekit.drills.journal import load_journal
from imekit.errors import ImekitError

NAME = "incident-response-tabletop"


def _complete_answers() -> dict[str, Any]:
    tabletop = load_drill(NAME).tabletop
    assert tabletop is not None
    return {
        "facilitator": "Security official",
        "participants": ["Incident commander", "Privacy officer", "Platform engineer"],
        "decisions": {i["id"]: f"Decision recorded for {i['id']}."
                      for i in tabletop["injects"] if "decision" in i},
        "answers": {q["id"]: f"Answer to {q['id']}: the documented procedure applies."
                    for i in tabletop["injects"] for q in i["questions"]},
    }


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_answers_file_passes_and_records_everything(imekit, tmp_path: Path) -> None:
    answers = _complete_answers()
    result = imekit("run", NAME, "--tabletop", "--answers", str(_write(tmp_path, answers)))
    assert result.code == 0, result.err
    journal = result.journal()
    assert journal["status"] == "passed" and journal["kind"] == "tabletop"
    assert journal["target"] == "tabletop"
    table = journal["tabletop"]
    assert table["mode"] == "answers-file" and table["unanswered"] == []
    assert table["participants"] == answers["participants"]
    recorded = {a["question_id"]: a["answer"] for i in table["injects"] for a in i["answers"]}
    assert recorded == answers["answers"]
    assert [i["planned_minute"] for i in table["injects"]] == [0, 15, 35, 55, 75]
    assert all(i["decided_at"] for i in table["injects"])
    assert {s["outcome"] for s in journal["steps"]} == {"pass"}
    assert journal["objectives"]["rto"]["met"] is None


def test_missing_answers_fail_the_exercise(imekit, tmp_path: Path) -> None:
    answers = _complete_answers()
    del answers["answers"]["Q3.2"]
    del answers["decisions"]["INJ-4"]
    result = imekit("run", NAME, "--tabletop", "--answers", str(_write(tmp_path, answers)))
    assert result.code == 1
    journal = result.journal()
    assert journal["status"] == "failed"
    assert journal["tabletop"]["unanswered"] == ["Q3.2", "INJ-4"]
    failed = {s["name"]: s["reason"] for s in journal["steps"] if s["outcome"] == "fail"}
    assert set(failed) == {"INJ-3", "INJ-4"}
    assert "Q3.2" in failed["INJ-3"]


def test_without_a_terminal_or_answers_it_refuses(imekit, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    result = imekit("run", NAME, "--tabletop")
    assert result.code == 2
    assert "standard input is not a terminal" in result.err
    assert not result.journal_dir.exists()


def test_tabletop_needs_the_flag_and_technical_drills_refuse_it(imekit, tmp_path) -> None:
    answers = str(_write(tmp_path, _complete_answers()))
    assert imekit("run", NAME, "--answers", answers).code == 2
    refused = imekit("run", "kms-key-disabled", "--tabletop")
    assert refused.code == 2 and "technical drill" in refused.err
    assert imekit("run", NAME, "--tabletop", "--answers", answers, "--rto", "5").code == 2


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda a: a["answers"].update({"Q9.9": "x"}), "unknown question 'Q9.9'"),
    (lambda a: a["decisions"].update({"INJ-9": "x"}), "unknown inject 'INJ-9'"),
    (lambda a: a["answers"].update({"Q1.1": "examinee SSN 123-45-6789"}),
     "social security number"),
    (lambda a: a["answers"].update({"Q1.1": "examinee 123 45 6789"}),
     "social security number"),
    (lambda a: a["answers"].update({"Q1.1": "examinee SSN 123456789"}),
     "social security number"),
    (lambda a: a["answers"].update({"Q2.1": "we rotated AKIAIOSFODNN7EXAMPLE"}),
     "access key id"),
    (lambda a: a.update({"score": 10}), "unknown keys score"),
])
def test_bad_answers_files_are_refused(imekit, tmp_path, mutate, message) -> None:
    answers = _complete_answers()
    mutate(answers)
    result = imekit("run", NAME, "--tabletop", "--answers", str(_write(tmp_path, answers)))
    assert result.code == 2
    assert message in result.err
    assert not result.journal_dir.exists()


def test_interactive_session_on_a_terminal(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setattr(drill_command, "_stdin_is_terminal", lambda: True)
    tabletop = load_drill(NAME).tabletop
    assert tabletop is not None
    lines = ["Security official", "Incident commander, Privacy officer"]
    for inject in tabletop["injects"]:
        if "decision" in inject:
            lines.append(f"decided {inject['id']}")
        for question in inject["questions"]:
            if question["id"] == "Q1.2":
                lines.append("ask for SSN 123-45-6789")  # refused, asked again
            lines.append(f"answered {question['id']}")
    journal_dir = tmp_path / "journals"
    result = CliRunner().invoke(drill_command.command,
                                ["run", NAME, "--tabletop", "--journal-dir", str(journal_dir)],
                                input="\n".join(lines) + "\n")
    assert result.exit_code == 0, result.output
    assert "rephrase without PHI" in result.output
    assert "Debrief" in result.output
    journal = load_journal(next(journal_dir.glob("*.json")))
    table = journal["tabletop"]
    assert table["mode"] == "interactive"
    assert table["facilitator"] == "Security official"
    assert table["participants"] == ["Incident commander", "Privacy officer"]
    answers = {a["question_id"]: a["answer"] for i in table["injects"] for a in i["answers"]}
    assert answers["Q1.2"] == "answered Q1.2"
    assert "123-45-6789" not in (journal_dir / next(journal_dir.glob("*.json")).name).read_text()


def _interactive(monkeypatch, tmp_path: Path, lines: list[str]) -> Any:
    monkeypatch.setattr(drill_command, "_stdin_is_terminal", lambda: True)
    journal_dir = tmp_path / "journals"
    result = CliRunner().invoke(drill_command.command,
                                ["run", NAME, "--tabletop", "--journal-dir", str(journal_dir)],
                                input="".join(f"{line}\n" for line in lines))
    return result, journal_dir


def test_a_session_stopped_part_way_keeps_what_was_said(monkeypatch, tmp_path: Path) -> None:
    # Input ends in INJ-2 (as Ctrl-C or Ctrl-D would end it): the journal keeps INJ-1.
    lines = ["Security official", "", "Declared sev-2", "Security official leads",
             "Asked for deletion", "Disabled the account"]
    result, journal_dir = _interactive(monkeypatch, tmp_path, lines)
    assert result.exit_code == 1, result.output
    journal = load_journal(next(journal_dir.glob("*.json")))
    assert journal["status"] == "failed"
    assert journal["reasons"][0] == "the session was stopped (Ctrl-C or end of input) at INJ-2"
    table = journal["tabletop"]
    first, second = table["injects"]
    assert first["decision"] == "Declared sev-2"
    assert [a["answer"] for a in first["answers"]] == ["Security official leads",
                                                       "Asked for deletion"]
    assert second["decision"] == "Disabled the account"
    assert [a["answer"] for a in second["answers"]] == [None, None]
    outcomes = {s["name"]: s["outcome"] for s in journal["steps"]}
    assert outcomes == {"INJ-1": "pass", "INJ-2": "fail", "INJ-3": "not-applicable",
                        "INJ-4": "not-applicable", "INJ-5": "not-applicable"}
    assert table["unanswered"][:3] == ["Q2.1", "Q2.2", "INJ-3"]


def test_a_session_stopped_before_the_first_inject_records_nothing(monkeypatch,
                                                                    tmp_path: Path) -> None:
    result, journal_dir = _interactive(monkeypatch, tmp_path, ["Security official"])
    assert result.exit_code != 0
    assert isinstance(result.exception, ImekitError)
    assert "stopped before its first inject" in result.exception.message
    assert not journal_dir.exists()


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda a: a.update({"facilitator": "Dr Jane Roe, SSN 123-45-6789"}),
     "facilitator: looks like it contains a social security number"),
    (lambda a: a["participants"].append("on-call 078-05-1120"),
     "participants[3]: looks like it contains a social security number"),
    (lambda a: a.update({"facilitator": {"name": "Security official"}}),
     "facilitator: must be text"),
    (lambda a: a["participants"].append(["nested"]), "participants[3]: must be text"),
])
def test_roles_in_an_answers_file_are_checked_too(imekit, tmp_path, mutate, message) -> None:
    answers = _complete_answers()
    mutate(answers)
    result = imekit("run", NAME, "--tabletop", "--answers", str(_write(tmp_path, answers)))
    assert result.code == 2
    assert message in result.err
    assert not result.journal_dir.exists()


def test_secret_shapes_are_refused_but_commit_ids_are_not() -> None:
    from imekit.drills.tabletop import sensitive_reason

    assert sensitive_reason("secret wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY leaked")
    assert sensitive_reason("reverted commit 3f2a9c1e5b7d8f0a1c2e3b4d5f6a7b8c9d0e1f2a") is None
