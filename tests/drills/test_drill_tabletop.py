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
     "Social Security number"),
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
