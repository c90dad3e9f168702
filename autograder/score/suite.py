"""Running a hidden suite (a pytest file of ``autograder/suites/``) against a :class:`Submission`,
in the grader's process: the ``points`` marker, one :class:`TestResult` per test, the
:class:`SuiteReport`.
"""

from __future__ import annotations

import contextlib
import io
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

from .. import SUITES_DIR
from .submission import GradeFailure, StudentError, Submission


def points(n: float, *, task: str):
    """Marker of a hidden-suite test: worth ``n`` points of task ``task``."""
    return pytest.mark.points(n, task=task)


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
    def from_dict(cls, d: dict) -> SuiteReport:
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
                msg, mis, hint = (
                    _explain(call.excinfo.value) if call.excinfo else ("failed", None, None)
                )
                self.results.append(TestResult(item.name, task, float(n), False, msg, mis, hint))

    def pytest_collectreport(self, report):
        if report.failed:
            self.errors.append(
                f"the hidden suite could not be collected: {report.longreprtext[-2000:]}"
            )


def run_suite(assignment: str, submission: Submission, *, suite: Path | None = None) -> SuiteReport:
    """Run the hidden suite of ``assignment`` against ``submission`` and return its report."""
    path = Path(suite) if suite else suite_path(assignment)
    if not path.exists():
        raise FileNotFoundError(f"no hidden suite for {assignment!r} at {path}")
    collector = _Collector(submission)
    args = [
        str(path),
        "-q",
        "-p",
        "no:cacheprovider",
        "--assert=plain",
        "-c",
        os.devnull,
        "--rootdir",
        str(path.parent),
        "-p",
        "no:randomly",
        # These two end each session with gc.collect() passes: a quarter of a second per job in
        # a worker that holds a gradebook's objects, for warnings a hidden suite never raises.
        "-p",
        "no:unraisableexception",
        "-p",
        "no:threadexception",
        "-W",
        "ignore",
    ]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        pytest.main(args, plugins=[collector])
    report = SuiteReport(
        assignment=assignment,
        label=submission.label,
        results=collector.results,
        notice=submission.notice,
    )
    if collector.errors:
        raise RuntimeError("; ".join(collector.errors))
    return report
