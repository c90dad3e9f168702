"""Hidden suites: pytest files in ``autograder/suites/`` scored in the grader's own process.

A suite test receives the ``submission`` fixture and calls ``submission.check(scenario, **case)``
or ``submission.run(scenario, **case)``. The student's side of a scenario runs through
:meth:`Submission._run_student` — in a sandboxed worker when grading (``autograder.sandbox``),
in-process for development (:class:`InProcessSubmission`). The reference side and every comparison
run here, trusted.

Development use (no sandbox, trusted code only)::

    python -m autograder.harness 05_batchnorm     # reference, blank stubs, each known mistake
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import itertools
import json
import os
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from . import SUITES_DIR
from .reference import REFERENCE_NAME, load_package, load_reference


def points(n: float, *, task: str):
    """Marker of a hidden-suite test: worth ``n`` points of task ``task``."""
    return pytest.mark.points(n, task=task)


class StudentError(AssertionError):
    """The student's code raised; ``submission.run`` turns that into a failed test."""


class GradeFailure(AssertionError):
    """A scenario's outputs are wrong; carries the named mistake when one matched."""

    def __init__(self, message: str, mistake: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.mistake, self.hint = message, mistake, hint


def framework():
    """The trusted copy of the scenario framework (the reference's)."""
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.checks.framework")


_SCENARIOS: dict | None = None


def scenarios() -> dict:
    global _SCENARIOS
    if _SCENARIOS is None:
        _SCENARIOS = framework().load_scenarios(REFERENCE_NAME)
    return _SCENARIOS


def get_scenario(name: str):
    try:
        return scenarios()[name]
    except KeyError:
        raise KeyError(f"no scenario called {name!r}") from None


def _task(task_id: str):
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.tasks").get_task(task_id)


_REF_CACHE: dict = {}


def reference_outcome(name: str, case: dict):
    """The reference's outcome of a scenario case (cached: the reference is deterministic)."""
    key = (name, json.dumps(case, sort_keys=True, default=str))
    if key not in _REF_CACHE:
        fw = framework()
        _REF_CACHE[key] = fw.run_scenario(get_scenario(name), fw.LibView(REFERENCE_NAME), case)
    return _REF_CACHE[key]


def mistake_outcomes(name: str, case: dict):
    """``(name, hint, outcome)`` of each catalogued mistake that could explain a wrong outcome of
    the scenario: first the mistakes of its own task, then those of the other tasks of the same
    module (a backward pass fed by a wrong forward pass fails because of the forward pass)."""
    from .mistakes import load_catalogue, mistakes_for_task

    fw = framework()
    scn = get_scenario(name)
    task = _task(scn.task)
    own = mistakes_for_task(task)
    others = [m for m in load_catalogue() if m.module == task.module and m not in own]
    tasks = importlib.import_module(f"{REFERENCE_NAME}.tasks")
    for m in own + others:
        key = (name, json.dumps(case, sort_keys=True, default=str), m.target, m.obj.__name__)
        if key not in _REF_CACHE:
            _REF_CACHE[key] = fw.run_scenario(scn, fw.LibView(REFERENCE_NAME, {m.target: m.obj}), case)
        if m in own:
            yield m.name, m.hint, _REF_CACHE[key]
        else:
            try:
                where = f"task {tasks.task_of(m.module, m.attr).id}, {m.attr}"
            except KeyError:
                where = m.attr
            yield f"{m.name} ({where})", m.hint, _REF_CACHE[key]


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
        expected = reference_outcome(name, case) if scn.compare == "match" else None
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
            return fw.Outcome(error=fw.ErrorInfo.from_exception(self._error))
        return fw.run_scenario(get_scenario(scenario_name), fw.LibView(self.alias), case)

    def close(self):
        for key in [k for k in sys.modules if k == self.alias or k.startswith(self.alias + ".")]:
            del sys.modules[key]


# --------------------------------------------------------------------------------------------
# Running a suite


@dataclass
class TestResult:
    """One hidden test's result. ``message`` never contains test code."""

    name: str
    task: str
    points: float
    passed: bool
    message: str = ""
    mistake: str | None = None
    hint: str | None = None


@dataclass
class SuiteReport:
    """Scores of one submission on one assignment's hidden suite."""

    assignment: str
    label: str
    results: list = field(default_factory=list)
    error: str | None = None
    notice: str = ""

    def task_scores(self) -> dict[str, tuple[float, float]]:
        """``{task: (earned, possible)}``."""
        out: dict[str, list[float]] = {}
        for r in self.results:
            e = out.setdefault(r.task, [0.0, 0.0])
            e[1] += r.points
            e[0] += r.points if r.passed else 0.0
        return {t: (e[0], e[1]) for t, e in out.items()}

    def fraction(self, task: str) -> float:
        earned, possible = self.task_scores().get(task, (0.0, 0.0))
        return earned / possible if possible else 0.0

    def mistakes(self, task: str | None = None) -> list[str]:
        """Named mistakes found, without repeats, in order of first appearance."""
        seen: list[str] = []
        for r in self.results:
            if r.mistake and (task is None or r.task == task) and r.mistake not in seen:
                seen.append(r.mistake)
        return seen

    def feedback(self, task: str) -> str:
        """Plain-text feedback on one task: score, named mistakes, each failure's explanation."""
        earned, possible = self.task_scores().get(task, (0.0, 0.0))
        lines = [f"Hidden tests of task {task}: {earned:g}/{possible:g} points"]
        if self.notice:
            lines.append(f"Note: {self.notice}")
        if self.error:
            lines.append(f"The submission could not be graded: {self.error}")
        for name in self.mistakes(task):
            hint = next(r.hint for r in self.results if r.mistake == name)
            lines.append(f"Known mistake: {name}. {hint or ''}".rstrip())
        for r in self.results:
            if r.task == task and not r.passed:
                lines.append(f"- {r.name}: {r.message}")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "SuiteReport":
        d = dict(d)
        d["results"] = [TestResult(**r) for r in d.get("results", [])]
        return cls(**d)


def suite_path(assignment: str) -> Path:
    return SUITES_DIR / f"test_{assignment}.py"


def _explain(exc: BaseException) -> tuple[str, str | None, str | None]:
    if isinstance(exc, GradeFailure):
        return exc.message, exc.mistake, exc.hint
    if isinstance(exc, StudentError):
        return str(exc), None, None
    if isinstance(exc, AssertionError):
        return (str(exc).strip() or "a hidden property check failed"), None, None
    return f"the result could not be checked ({type(exc).__name__}: {exc})"[:2000], None, None


class _Collector:
    """pytest plugin: provides the ``submission`` fixture and records points per test."""

    def __init__(self, submission: Submission):
        self._submission = submission
        self.results: list[TestResult] = []
        self.errors: list[str] = []

    @pytest.fixture
    def submission(self):
        return self._submission

    def pytest_configure(self, config):
        config.addinivalue_line("markers", "points(n, task): points of a hidden-suite test")

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        rep = outcome.get_result()
        if rep.when == "call" or (rep.when == "setup" and not rep.passed):
            marker = item.get_closest_marker("points")
            if marker is None:
                self.errors.append(f"{item.name} has no points marker")
                return
            n = marker.args[0] if marker.args else marker.kwargs["n"]
            task = marker.kwargs["task"]
            if rep.passed:
                self.results.append(TestResult(item.name, task, float(n), True))
            elif rep.skipped:
                self.results.append(TestResult(item.name, task, float(n), False, "skipped"))
            else:
                msg, mis, hint = _explain(call.excinfo.value) if call.excinfo else ("failed", None, None)
                self.results.append(TestResult(item.name, task, float(n), False, msg, mis, hint))

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(f"the hidden suite could not be collected: {report.longreprtext[-2000:]}")


def run_suite(assignment: str, submission: Submission, *, suite: Path | None = None) -> SuiteReport:
    """Run the hidden suite of ``assignment`` against ``submission`` and return its report."""
    path = Path(suite) if suite else suite_path(assignment)
    if not path.exists():
        raise FileNotFoundError(f"no hidden suite for {assignment!r} at {path}")
    collector = _Collector(submission)
    args = [str(path), "-q", "-p", "no:cacheprovider", "--assert=plain", "-c", os.devnull,
            "--rootdir", str(path.parent), "-p", "no:randomly", "-W", "ignore"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main(args, plugins=[collector])
    report = SuiteReport(assignment=assignment, label=submission.label, results=collector.results,
                         notice=submission.notice)
    if collector.errors:
        raise RuntimeError("; ".join(collector.errors))
    return report


# --------------------------------------------------------------------------------------------
# Development table: reference, blank stubs and each catalogued mistake, in-process


def dev_table(assignment: str) -> list[tuple[str, SuiteReport]]:
    """Grade the reference, the blank stubs and each catalogued mistake of ``assignment``: the
    example class (:func:`autograder.examples.example_packages`), in-process."""
    from .examples import example_packages

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for ex in example_packages(assignment, Path(tmp)):
            label = {"reference": "reference", "blank_stubs": "blank stubs"}.get(ex.name)
            if label is None and ex.mistake is not None:
                label = f"{ex.task} {ex.mistake.name}"
            with InProcessSubmission(ex.package, label or ex.name) as sub:
                rows.append((label or ex.name, run_suite(assignment, sub)))
    return rows


def format_table(assignment: str, rows) -> str:
    """The development table, in the grade table's format (:func:`autograder.table.format_table`)."""
    from .table import format_table as grade_table

    table = []
    for label, rep in rows:
        scores = rep.task_scores()
        table.append({
            "student": label, "assignment": assignment,
            "tasks": {f"task_{t.replace('.', '_')}": e for t, (e, _) in scores.items()},
            "total": sum(e for e, _ in scores.values()), "max": sum(p for _, p in scores.values()),
            "mistakes": [f"{t} {m}" for t in scores for m in rep.mistakes(t)],
            "errors": [], "reasons": [], "failure": None,
        })
    return f"Hidden suite of {assignment}\n" + grade_table(table, label="submission")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.harness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("assignment", help="e.g. 05_batchnorm")
    parser.add_argument("--verbose", action="store_true", help="print every failure's feedback")
    args = parser.parse_args(argv)
    rows = dev_table(args.assignment)
    print(format_table(args.assignment, rows))
    if args.verbose:
        for label, rep in rows:
            print(f"\n== {label}")
            for task in rep.task_scores():
                print(rep.feedback(task))
    return 0


if __name__ == "__main__":
    # Run the imported module's main, so suites and this command share one GradeFailure class.
    from autograder.harness import main as _main

    sys.exit(_main())
