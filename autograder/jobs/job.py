"""A grading job: sanitize → execute → score, for one (student, assignment).

:func:`run_job` is a function of its :class:`JobSpec` — the submitted folder's bytes and the
grader (release notebooks, hidden suite, reference, limits) — and never touches the gradebook:
its artifacts are the folders ``spec.sanitized`` and ``spec.executed`` and its result
is the :class:`~.report.JobReport`. That is what lets a pool run it anywhere (a local process
pool today; a Dask worker on another machine next). Any exception inside a job becomes that
student's error with its reason; a failure of the sandbox that is not the student's
(``SandboxFault``) makes the job "not graded".
"""

from __future__ import annotations

import shutil
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import nbformat

from ..execute import execute_notebook
from ..sanitize import SubmissionError, printable, sanitize
from .fingerprint import submission_hash
from .report import DONE, ERROR, EXECUTE, NOT_GRADED, SANITIZE, SCORE, JobReport


@dataclass(frozen=True)
class JobSpec:
    """Everything a job reads. ``release`` maps each notebook name of the assignment to its
    release notebook (the stand-in for a missing or unreadable submitted one)."""

    student: str
    assignment: str
    submitted: Path  # the submitted folder (read only)
    sanitized: Path  # this job's artifact folders (replaced)
    executed: Path
    release: dict[str, Path]
    suite: Path  # the assignment's hidden suite
    grader: str  # the grader's fingerprint


NOT_GRADED_ATTEMPTS = 3  # a job that comes back "not graded" is run this many times at most


def run_attempts(spec: JobSpec) -> JobReport:
    """Run the job, again while it comes back "not graded" (a failure of the grader or the
    machine), at most ``NOT_GRADED_ATTEMPTS`` times. Never raises."""
    for _ in range(NOT_GRADED_ATTEMPTS):
        report = run_job(spec)
        if report.status != NOT_GRADED:
            break
    return report


def run_job(spec: JobSpec) -> JobReport:
    """Sanitize, execute and score one submission; never raises."""
    t0 = time.monotonic()
    report = JobReport(spec.student, spec.assignment, "", spec.grader)
    try:
        report.submission = submission_hash(spec.submitted)
        _run(spec, report)
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
        report.status = _fault_status(exc)
        report.errors.append(f"{_describe(exc)}\n{traceback.format_exc(limit=-3)}")
    report.seconds = round(time.monotonic() - t0, 3)
    return report


def _fault_status(exc: BaseException) -> str:
    from ..sandbox import SandboxFault

    return NOT_GRADED if isinstance(exc, SandboxFault) else ERROR


def _describe(exc: BaseException) -> str:
    return printable(f"grader error while grading this submission: {type(exc).__name__}: {exc}")


def _run(spec: JobSpec, report: JobReport) -> None:
    sanitized, executed = Path(spec.sanitized), Path(spec.executed)
    # 1. sanitize
    t = time.monotonic()
    try:
        rep = sanitize(spec.submitted, sanitized, spec.assignment, set(spec.release) or None)
    except SubmissionError as exc:
        report.errors.append(str(exc))
        return
    finally:
        report.stages[SANITIZE] = round(time.monotonic() - t, 3)
    report.rejected = [f"{rel}: {why}" for rel, why in rep.rejected]
    for name, release in spec.release.items():
        target = sanitized / f"{name}.ipynb"
        bad = rep.notebook_errors.get(f"{name}.ipynb")
        substituted = None
        if bad or not target.exists():
            substituted = (
                f"notebook {name}.ipynb {bad or 'missing'}: graded the release notebook "
                "instead (written answers score 0)"
            )
            report.errors.append(substituted)
            shutil.copyfile(release, target)
        report.notebooks[name] = {"substituted": substituted}
    # 2. execute: the executed copy holds the sanitized files and the executed notebooks
    t = time.monotonic()
    if executed.exists():
        shutil.rmtree(executed)
    shutil.copytree(sanitized, executed)
    for name in spec.release:
        nb = nbformat.read(sanitized / f"{name}.ipynb", as_version=4)
        done, execution = execute_notebook(nb, sanitized)
        report.notebooks[name]["execution"] = execution
        if done is not None:
            nbformat.write(done, executed / f"{name}.ipynb")
    report.stages[EXECUTE] = round(time.monotonic() - t, 3)
    # 3. score
    t = time.monotonic()
    report.suite = score(sanitized, spec.assignment, spec.suite, label=spec.student)
    report.stages[SCORE] = round(time.monotonic() - t, 3)
    if report.suite.get("not_graded"):
        report.status = NOT_GRADED
        report.errors.insert(0, str(report.suite["not_graded"]))
    else:
        report.status = DONE


def score(folder: Path, assignment: str, suite: Path, *, label: str) -> dict:
    """The score stage on a sanitized folder: the hidden suite's ``SuiteReport`` as a dict (the
    sandbox slot is the worker process's, ``COURSE_GRADER_SLOT``)."""
    from ..score import run_suite
    from ..score.sandboxed import SandboxedSubmission

    with SandboxedSubmission(folder, label=label) as sub:
        return run_suite(assignment, sub, suite=suite).to_dict()
