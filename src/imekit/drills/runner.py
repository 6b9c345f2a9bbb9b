"""Run a technical drill: setup, steady state, inject, detect, respond, restore, verification,
rollbacks (always), then objectives and a verdict, all recorded step by step.

Verdict: `failed` when any step failed (including a rollback), the steady state did not hold
before the incident, or verification did not hold after it; `deviated` when everything held
but RTO or RPO missed its target, or a phase was skipped on request; `passed` otherwise.
"""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from imekit.drills import tolerance as tolerances
from imekit.drills import variables
from imekit.drills.context import Clock, DrillContext
from imekit.drills.definition import BUILTIN_VARIABLES, PHASES, SKIPPABLE_PHASES, Drill, Step
from imekit.drills.errors import AwsOnlyCheck, DrillStepError
from imekit.drills.journal import DEVIATED, FAILED, PASSED, SCHEMA_ID, control_status, iso, redact
from imekit.drills.journal import new_run_id as _new_run_id
from imekit.drills.registry import load_registry
from imekit.drills.targets import Target
from imekit.drills.versions import tool_versions
from imekit.errors import ImekitError
from imekit.status import Status

Progress = Callable[[str], None]
_VALUE_LIMIT = 2000
INTERRUPTED = "interrupted by the operator (Ctrl-C)"
NOT_VERIFIED = "not verified by this drill on any target"


@dataclass
class RunOptions:
    skip_phases: tuple[str, ...] = ()
    rto_seconds: float | None = None  # overrides the drill's target
    rpo_seconds: float | None = None
    overrides: Mapping[str, Any] = field(default_factory=dict)  # configuration values
    progress: Progress | None = None


@dataclass
class StepRecord:
    phase: str
    step: Step | None
    name: str
    started: Clock | None = None
    ended: Clock | None = None
    outcome: Status = Status.NOT_APPLICABLE
    reason: str | None = None
    value: Any = None
    has_value: bool = False
    tolerance: Any = None

    @property
    def failed(self) -> bool:
        return self.outcome is Status.FAIL

    def to_json(self) -> dict[str, Any]:
        duration = None
        if self.started and self.ended:
            duration = round(self.ended.monotonic - self.started.monotonic, 6)
        data: dict[str, Any] = {
            "phase": self.phase,
            "name": self.name,
            "kind": self.step.kind if self.step else "action",
            "function": self.step.function if self.step else None,
            "started_at": iso(self.started.at) if self.started else None,
            "ended_at": iso(self.ended.at) if self.ended else None,
            "duration_seconds": duration,
            "outcome": str(self.outcome),
            "reason": self.reason,
        }
        if self.step is not None and self.step.kind == "probe":
            data["tolerance"] = _json_safe(self.tolerance)
            if self.has_value:
                data["value"] = _json_safe(self.value)
        return data


def _json_safe(value: Any) -> Any:
    text = json.dumps(value, default=str)
    if len(text) > _VALUE_LIMIT:
        return text[:_VALUE_LIMIT] + "... (truncated)"
    return json.loads(text)


def _short(value: Any) -> str:
    text = json.dumps(_json_safe(value), default=str)
    return text if len(text) <= 300 else text[:300] + "..."


def validate_options(drill: Drill, options: RunOptions) -> None:
    for phase in options.skip_phases:
        if phase not in SKIPPABLE_PHASES:
            raise ImekitError(f"--skip-step {phase!r}: only these phases can be skipped: "
                              f"{', '.join(SKIPPABLE_PHASES)}")
    unknown = sorted(set(options.overrides) - set(drill.configuration))
    if unknown:
        known = ", ".join(sorted(drill.configuration)) or "none"
        raise ImekitError(f"--set {', '.join(unknown)}: not a configuration value of drill "
                          f"{drill.name}", hint=f"configuration values: {known}")
    for key, value in options.overrides.items():
        expected = _kind_of(drill.configuration[key])
        if expected is not None and _kind_of(value) != expected and not (
                expected == "number" and _kind_of(value) == "integer"):
            raise ImekitError(f"--set {key}={json.dumps(value, default=str)}: expected "
                              f"{expected}, like the drill's value "
                              f"{json.dumps(drill.configuration[key])}")
    for label, value in (("--rto", options.rto_seconds), ("--rpo", options.rpo_seconds)):
        if value is not None and not value > 0:
            raise ImekitError(f"{label} must be a positive number of seconds, not {value}")


def _kind_of(value: Any) -> str | None:
    """The kind of a configuration value an override must keep (None: any, for a null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "text"
    return "list" if isinstance(value, list | tuple) else "mapping"


class _Run:
    def __init__(self, drill: Drill, target: Target, options: RunOptions) -> None:
        self.drill = drill
        self.options = options
        self.registry = load_registry()
        self.run_id, suffix = _new_run_id()
        self.ctx = DrillContext(drill=drill.name, run_id=self.run_id, suffix=suffix, target=target)
        self.records: list[StepRecord] = []
        self.failures: list[str] = []
        self.deviations: list[str] = []
        self.aborted = False
        self.recovered: Clock | None = None
        self.stored_by = {step.store: (phase, step.name) for phase, step in self._all_steps()
                          if step.store}
        self.vars: dict[str, Any] = {
            "run_id": self.run_id, "suffix": suffix, "drill": drill.name,
            "region": target.region, "account": target.account, "target": target.name,
        }
        assert set(self.vars) == set(BUILTIN_VARIABLES)
        for key, value in drill.configuration.items():
            raw = options.overrides.get(key, value)
            try:
                self.vars[key] = variables.substitute(raw, self.vars)
            except variables.MissingVariable as missing:
                raise ImekitError(f"configuration {key}: unknown variable ${{{missing.name}}}",
                                  hint="a value may refer to the built-in variables and to "
                                  "configuration values defined above it") from missing

    def _all_steps(self) -> list[tuple[str, Step]]:
        steps = [(phase, s) for phase in PHASES for s in self.drill.phases[phase]]
        steps += [("steady-state", s) for s in self.drill.steady_state]
        steps += [("verification", s) for s in self.drill.verification]
        return steps

    def say(self, line: str) -> None:
        if self.options.progress:
            self.options.progress(line)

    # -- one step ------------------------------------------------------------------------
    def execute(self, phase: str, step: Step, *, rollback: bool = False) -> StepRecord:
        record = StepRecord(phase=phase, step=step, name=step.name, started=Clock.now())
        self.records.append(record)
        try:
            return self._execute(record, step, rollback=rollback)
        except KeyboardInterrupt:
            record.outcome = Status.FAIL
            record.reason = f"{INTERRUPTED} during this step"
            record.ended = record.ended or Clock.now()
            self._report(record)
            raise

    def _execute(self, record: StepRecord, step: Step, *, rollback: bool) -> StepRecord:
        try:
            arguments = variables.substitute(dict(step.arguments), self.vars)
            expected = variables.substitute(step.tolerance, self.vars)
        except variables.MissingVariable as missing:
            record.ended = Clock.now()
            if rollback:
                record.outcome = Status.NOT_APPLICABLE
                record.reason = f"nothing to roll back: ${{{missing.name}}} was never set"
            else:
                where = self.stored_by.get(missing.name)
                record.outcome = Status.FAIL
                record.reason = (f"${{{missing.name}}} is not set: step {where[1]!r} ({where[0]}) "
                                 "stores it and did not complete" if where else
                                 f"${{{missing.name}}} is not set")
            self._report(record)
            return record
        record.tolerance = expected
        try:
            result = self.registry[step.function].function(self.ctx, **arguments)
        except AwsOnlyCheck as exc:
            record.outcome = Status.UNKNOWN
            record.reason = str(exc)
            self.ctx.note(f"{step.name}: {exc}")
        except DrillStepError as exc:
            record.outcome = Status.FAIL
            record.reason = str(exc)
        except Exception as exc:  # noqa: BLE001 - any failure is the step's outcome, recorded
            record.outcome = Status.FAIL
            record.reason = _describe_exception(exc)
        else:
            if step.store:
                self.vars[step.store] = result
            if step.kind == "probe":
                record.value, record.has_value = result, True
                if tolerances.matches(expected, result):
                    record.outcome = Status.PASS
                else:
                    record.outcome = Status.FAIL
                    record.reason = (f"{step.function} returned {_short(result)}, expected "
                                     f"{tolerances.describe(expected)}")
            else:
                record.outcome = Status.PASS
        record.ended = Clock.now()
        self._report(record)
        return record

    def _report(self, record: StepRecord) -> None:
        duration = (record.ended.monotonic - record.started.monotonic
                    if record.ended and record.started else 0.0)
        line = f"  [{record.phase}] {record.name}: {record.outcome} ({duration:.2f}s)"
        if record.reason and record.outcome is not Status.PASS:
            line += f" - {record.reason}"
        self.say(line)

    def not_run(self, phase: str, steps: tuple[Step, ...], reason: str) -> None:
        for step in steps:
            record = StepRecord(phase=phase, step=step, name=step.name,
                                outcome=Status.NOT_APPLICABLE, reason=reason)
            self.records.append(record)
            self.say(f"  [{phase}] {step.name}: {reason}")

    # -- the whole run -------------------------------------------------------------------
    def run(self) -> dict[str, Any]:
        started = Clock.now()
        self.say(f"drill {self.drill.name}: run {self.run_id} on {self.ctx.target.describe()}")
        try:
            self._method()
        except KeyboardInterrupt:
            self._method_interrupted()
        self._rollbacks()
        with deferred_interrupts():  # the journal is the one record of what was left behind
            ended = Clock.now()
            return self._journal(started, ended)

    def _plan(self) -> list[tuple[str, Step]]:
        """Every step of the method in the order the run records them."""
        plan = [("setup", s) for s in self.drill.phases["setup"]]
        plan += [("steady-state-before", s) for s in self.drill.steady_state]
        plan += [(phase, s) for phase in PHASES[1:] for s in self.drill.phases[phase]]
        if self.drill.recheck_steady_state:
            plan += [("steady-state-after", s) for s in self.drill.steady_state]
        plan += [("verification", s) for s in self.drill.verification]
        return plan

    def _method_interrupted(self) -> None:
        """Ctrl-C during the method: say where, list what never ran; the rollbacks run next."""
        self.aborted = True
        current = self.records[-1] if self.records else None
        where = (f" during {current.phase} step {current.name}"
                 if current is not None and current.reason and INTERRUPTED in current.reason
                 else "")
        self.failures.append(f"{INTERRUPTED}{where}; the rollbacks ran after it")
        self.say(f"  {INTERRUPTED}: running the rollbacks now (Ctrl-C again interrupts the "
                 "rollback in progress, which then counts as failed)")
        plan = self._plan()
        done = [(r.phase, r.name) for r in self.records]
        if done == [(phase, step.name) for phase, step in plan[:len(done)]]:
            for phase, step in plan[len(done):]:
                self.not_run(phase, (step,), f"not run: {INTERRUPTED}")

    def _method(self) -> None:
        setup = self.drill.phases["setup"]
        for index, step in enumerate(setup):
            if self.execute("setup", step).failed:
                self.failures.append(f"setup step {step.name} failed: {self.records[-1].reason}")
                self.aborted = True
                self.not_run("setup", setup[index + 1:], f"not run: setup step {step.name} failed")
                break
        if self.aborted:
            self.not_run("steady-state-before", self.drill.steady_state,
                         "not run: setup failed")
        else:
            failed = [r for r in (self.execute("steady-state-before", s)
                                  for s in self.drill.steady_state) if r.failed]
            if failed:
                self.failures.append(
                    f"steady state not met before the incident "
                    f"({self.drill.steady_state_title}): "
                    + "; ".join(f"{r.name}: {r.reason}" for r in failed))
                self.aborted = True

        for phase in PHASES[1:]:
            steps = self.drill.phases[phase]
            if self.aborted:
                self.not_run(phase, steps, "not run: the run was aborted earlier")
                continue
            if phase in self.options.skip_phases:
                self.not_run(phase, steps, f"skipped on request (--skip-step {phase})")
                self.deviations.append(f"phase {phase} was skipped on request: a run with a "
                                       "skipped phase cannot pass")
            else:
                for index, step in enumerate(steps):
                    if self.execute(phase, step).failed:
                        self.failures.append(f"{phase} step {step.name} failed: "
                                             f"{self.records[-1].reason}")
                        self.aborted = True
                        self.not_run(phase, steps[index + 1:],
                                     f"not run: {phase} step {step.name} failed")
                        break
            if phase == "inject":
                self.ctx.mark_incident()  # no-op when an inject step marked it already

        after = self.drill.steady_state if self.drill.recheck_steady_state else ()
        if self.aborted:
            self.not_run("steady-state-after", after, "not run: the run was aborted earlier")
            self.not_run("verification", self.drill.verification,
                         "not run: the run was aborted earlier")
            return
        checks = [("steady-state-after", s) for s in after]
        checks += [("verification", s) for s in self.drill.verification]
        failed = [r for r in (self.execute(p, s) for p, s in checks) if r.failed]
        for record in failed:
            self.failures.append(f"{record.phase} probe {record.name} failed: {record.reason}")
        if not failed:
            self.recovered = Clock.now()

    def _rollbacks(self) -> None:
        # Each rollback runs even when an earlier one was interrupted: one Ctrl-C costs one
        # rollback step (recorded as failed, with the tag to clean up by), never the others.
        for step in self.drill.rollbacks:
            try:
                record = self.execute("rollback", step, rollback=True)
            except KeyboardInterrupt:
                record = self.records[-1]
                self.say("  the remaining rollbacks still run, so that nothing is left behind")
            if record.failed:
                self.failures.append(
                    f"rollback {step.name} failed: {record.reason} (resources tagged "
                    f"imekit-drill={self.run_id} may remain; delete them by hand)")

    def _objectives(self) -> dict[str, Any]:
        incident = self.ctx.incident
        rto_target = self.options.rto_seconds or self.drill.rto_seconds
        rto_measured = None
        if incident and self.recovered:
            rto_measured = round(max(0.0, self.recovered.monotonic - incident.monotonic), 6)
        rto = {
            "target_seconds": rto_target,
            "measured_seconds": rto_measured,
            "met": None if rto_target is None else (rto_measured is not None
                                                    and rto_measured <= rto_target),
            "basis": "from the incident (the inject taking effect) to the end of a successful "
                     "verification",
            "from": iso(incident.at) if incident else None,
            "to": iso(self.recovered.at) if self.recovered else None,
        }
        rpo_target = self.options.rpo_seconds or self.drill.rpo_seconds
        measured = self.ctx.rpo
        rpo = {
            "target_seconds": rpo_target,
            "measured_seconds": round(measured.seconds, 6) if measured else None,
            "met": None if rpo_target is None else (measured is not None
                                                    and measured.seconds <= rpo_target),
            "basis": measured.basis if measured else "not measured",
            "from": iso(measured.start) if measured else None,
            "to": iso(measured.end) if measured else None,
        }
        if rto["met"] is False and rto_measured is not None:
            self.deviations.append(f"RTO {rto_measured:.6g} s exceeded the target "
                                   f"{rto_target:.6g} s")
        if rpo["met"] is False and measured is not None:
            self.deviations.append(f"RPO {measured.seconds:.6g} s exceeded the target "
                                   f"{rpo_target:.6g} s")
        if rpo_target is not None and measured is None and not self.failures:
            self.failures.append("the drill sets an RPO target but measured no RPO")
        return {"rto": rto, "rpo": rpo}

    def _journal(self, started: Clock, ended: Clock) -> dict[str, Any]:
        objectives = self._objectives()
        if self.failures:
            status = FAILED
        elif self.deviations:
            status = DEVIATED
        else:
            status = PASSED
        notes = list(self.ctx.notes)
        if not self.ctx.is_aws:
            notes.insert(0, "local target: moto's server on 127.0.0.1, no AWS account; what "
                            "only AWS can show is listed below")
            notes += [f"verified only against AWS: {text}" for text in self.drill.aws_only]
        notes += [f"{NOT_VERIFIED}: {text}" for text in self.drill.not_verified]
        journal = {
            "schema": SCHEMA_ID,
            "drill": self.drill.name,
            "title": self.drill.title,
            "kind": self.drill.kind,
            "definition": {"path": _display_path(self.drill), "sha256": self.drill.sha256},
            "control_ids": list(self.drill.controls),
            "run_id": self.run_id,
            "target": self.ctx.target.name,
            "account": self.ctx.target.account or None,
            "region": self.ctx.target.region or None,
            "started_at": iso(started.at),
            "ended_at": iso(ended.at),
            "duration_seconds": round(ended.monotonic - started.monotonic, 6),
            "status": status,
            "control_status": str(control_status(status)),
            "reasons": self.failures + self.deviations,
            "options": {
                "skipped_phases": list(self.options.skip_phases),
                "rto_override_seconds": self.options.rto_seconds,
                "rpo_override_seconds": self.options.rpo_seconds,
                "configuration_overrides": _json_safe(dict(self.options.overrides)),
            },
            "steps": [record.to_json() for record in self.records],
            "objectives": objectives,
            "notes": notes,
            "tools": tool_versions(),
            "tabletop": None,
        }
        secrets = [c.secret_access_key for c in self.ctx._secrets.values()]
        return redact(journal, secrets)


@contextmanager
def deferred_interrupts() -> Iterator[None]:
    """Hold Ctrl-C off while a journal is assembled and written (milliseconds), so that an
    impatient second Ctrl-C cannot lose the record of a run that already cleaned up."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: None)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _display_path(drill: Drill) -> str:
    from imekit.paths import kit_root

    try:
        return str(drill.path.resolve().relative_to(kit_root().resolve()))
    except ValueError:
        return str(drill.path)


def _describe_exception(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, Mapping) and "Error" in response:
        error = response["Error"]
        operation = getattr(exc, "operation_name", "call")
        code = error.get("Code", "")
        message = str(error.get("Message", ""))
        if code.isdigit() or message.lstrip().startswith("<"):
            # A bare HTTP status with an HTML body: moto answers so for what it lacks.
            return f"{operation} failed: HTTP {code} (the endpoint does not support {operation}?)"
        return f"{operation} failed: {code}: {message}".strip()
    return f"{type(exc).__name__}: {exc}"


def run_drill(drill: Drill, target: Target, options: RunOptions | None = None) -> dict[str, Any]:
    """Run a technical drill against an open target and return its journal (not yet written)."""
    if drill.is_tabletop:
        raise ImekitError(f"{drill.name} is a tabletop exercise", hint="run it with --tabletop")
    options = options or RunOptions()
    validate_options(drill, options)
    return _Run(drill, target, options).run()
