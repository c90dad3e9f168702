"""A submission as the hidden suites see it: :class:`Submission` (``run`` / ``check`` a scenario
case, judged here, trusted) and :class:`InProcessSubmission` (trusted code only: tests, dev).
The sandboxed one is :class:`autograder.score.sandboxed.SandboxedSubmission`.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import sys
from pathlib import Path

from ..reference import load_package
from .scenarios import framework, get_scenario, mistake_outcomes, reference_outcome


class StudentError(AssertionError):
    """The student's code raised; ``submission.run`` turns that into a failed test."""


class GradeFailure(AssertionError):
    """A scenario's outputs are wrong; carries the named mistake when one matched."""

    def __init__(self, message: str, mistake: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.mistake, self.hint = message, mistake, hint


class Submission:
    """A submission's ``course_lib`` as the hidden suites see it."""

    label = "submission"
    notice = ""

    def _run_student(self, scenario_name: str, case: dict):
        """Run one scenario case on the student's code and return its ``Outcome``."""
        raise NotImplementedError

    def run(self, name: str, **case) -> dict:
        """The student's outputs of a scenario case; ``StudentError`` if the code raised."""
        get_scenario(name)
        outcome = self._run_student(name, case)
        if outcome.error is not None:
            if outcome.error.type == "NotImplementedError":
                raise StudentError(f"not implemented yet: {outcome.error.message}")
            raise StudentError(f"raised {outcome.error.describe()}")
        return outcome.outputs

    def check(self, name: str, **case) -> None:
        """Judge a scenario case as the scenario declares; ``GradeFailure`` if it is wrong."""
        scn = get_scenario(name)
        got = self._run_student(name, case)
        # The reference's outcome: what "match" compares with, and for every kind which
        # non-finite values are expected (none, as a rule: a NaN satisfies no check).
        expected = reference_outcome(name, case)
        mistakes = mistake_outcomes(name, case)  # consulted only when the student's outcome fails
        verdict = framework().evaluate(scn, case, got, expected, mistakes)
        if not verdict.passed:
            raise GradeFailure(verdict.message, verdict.mistake, verdict.hint)

    def close(self) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


_alias_counter = itertools.count()


class InProcessSubmission(Submission):
    """Runs a ``course_lib`` folder in the grader's process. Trusted code only (tests, dev)."""

    def __init__(self, package_dir: Path, label: str | None = None):
        self.package_dir = Path(package_dir)
        self.label = label or self.package_dir.parent.name
        self.alias = f"course_sub_{os.getpid()}_{next(_alias_counter)}"
        self._error = None
        try:
            load_package(self.alias, self.package_dir)
        except BaseException as exc:  # noqa: BLE001 - a broken package is a result, not a crash
            self._error = exc

    def _run_student(self, scenario_name, case):
        fw = framework()
        if self._error is not None:
            # A package that fails to import never raises the exception a case expects.
            error = dataclasses.replace(fw.ErrorInfo.from_exception(self._error), builtin="")
            return fw.Outcome(error=error)
        scn = get_scenario(scenario_name)
        # Recorded and replayed as in the sandbox (checks/replay.py), so that the development
        # table and the tests judge exactly what grading judges.
        record = fw.record_scenario(scn, case, self.alias)
        return fw.replay_scenario(scn, case, record)

    def close(self):
        for key in [k for k in sys.modules if k == self.alias or k.startswith(self.alias + ".")]:
            del sys.modules[key]
