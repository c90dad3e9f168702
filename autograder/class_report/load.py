"""Everything the class report reads from a graded course directory, in one place.

:func:`load_class` is the only function that knows where grading results live. A job's
results are in its job report ``.grading/reports/<A>/<student>.json`` (``suite`` is the hidden
suite's ``SuiteReport.to_dict()``, ``notebooks`` the executions) or, from graders before it, in
``.grading/state/<A>/<student>.json`` (the suite under ``report``); :func:`read_job` reads
either into one shape. The written answers waiting for a grade are in the nbgrader gradebook,
and the graded sources are the sanitized copies ``course grade`` rebuilt. When the grader's
records change, this module is the one to change.
"""

from __future__ import annotations

import importlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .. import REFERENCE_DIR, STUDENT_LIB
from ..sanitize import MAX_FILE_BYTES  # the sanitizer's cap on one .py file, read no further
from ..score import TestResult as HiddenTest  # one hidden test's result, as the suite reports it


@dataclass
class StudentResult:
    """What grading said about one submission of one assignment.

    Attributes
    ----------
    graded : bool
        False when the job did not produce trusted scores (``reasons`` says why).
    tasks : dict
        ``{task id: (earned, possible)}`` hidden-suite points.
    total, max_total : float or None
        The gradebook's score of the submission (written answers included), when recorded.
    pending_manual : list of str
        Gradebook cells (written answers) that still need a manual grade.
    stage_seconds : dict
        ``{stage: seconds}`` of the job, as far as the job recorded them.
    sources : dict
        ``{module: source text}`` of the graded ``course_lib`` modules as they were graded.
    """

    student: str
    assignment: str
    graded: bool
    reasons: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    tests: list[HiddenTest] = field(default_factory=list)
    tasks: dict[str, tuple[float, float]] = field(default_factory=dict)
    total: float | None = None
    max_total: float | None = None
    pending_manual: list[str] = field(default_factory=list)
    stage_seconds: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)


def graded_names(assignment: str | None = None) -> dict[str, tuple[str, ...]]:
    """``{module: graded function and class names}`` of one assignment's tasks (all if None)."""
    from ..reference import load_reference

    ref = load_reference()
    tasks = importlib.import_module(f"{ref.__name__}.tasks")
    out: dict[str, tuple[str, ...]] = {}
    for t in tasks.TASKS if assignment is None else tasks.tasks_of_assignment(assignment):
        out[t.module] = out.get(t.module, ()) + tuple(
            n for n in t.names if n not in out.get(t.module, ())
        )
    return out


def task_titles(assignment: str) -> dict[str, str]:
    from ..reference import load_reference

    tasks = importlib.import_module(f"{load_reference().__name__}.tasks")
    return {t.id: t.title for t in tasks.tasks_of_assignment(assignment)}


def library_sources(folder: Path, modules) -> dict[str, str]:
    """``{module: text}`` of ``folder/<module>.py`` for each module that is a regular file of at
    most the sanitizer's ``MAX_FILE_BYTES`` (a symlink or an oversized file is skipped, never
    followed)."""
    out = {}
    for m in modules:
        path = Path(folder) / f"{m}.py"
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            continue
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES:
                out[m] = fh.read().decode("utf-8", errors="replace")
    return out


def reference_sources(modules) -> dict[str, str]:
    return library_sources(REFERENCE_DIR, modules)


def stub_sources(modules) -> dict[str, str]:
    return library_sources(STUDENT_LIB, modules)


def _students(root: Path, assignment: str) -> list[str]:
    names = set()
    sub = root / "submitted"
    if sub.is_dir():
        names |= {d.name for d in sub.iterdir() if (d / assignment).is_dir() and not d.is_symlink()}
    for folder in (JOB_REPORTS, LEGACY_STATES):
        if (root / folder / assignment).is_dir():
            names |= {p.stem for p in (root / folder / assignment).glob("*.json")}
    return sorted(names)


def _pending_manual(root: Path, assignment: str) -> dict[str, list[str]]:
    """``{student: [cell names]}`` of written answers the gradebook says still need a grade."""
    db = root / "gradebook.db"
    if not db.exists():
        return {}
    from nbgrader.api import Gradebook, MissingEntry

    out: dict[str, list[str]] = {}
    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        for sub in a.submissions:
            cells = [
                f"{nb.name}/{g.name}"
                for nb in sub.notebooks
                for g in nb.grades
                if g.needs_manual_grade
            ]
            out[sub.student.id] = cells
    return out


def _gradebook_totals(root: Path, assignment: str) -> dict[str, tuple[float, float]]:
    db = root / "gradebook.db"
    if not db.exists():
        return {}
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{db}") as gb:
        try:
            a = gb.find_assignment(assignment)
        except MissingEntry:
            return {}
        return {s.student.id: (float(s.score), float(s.max_score)) for s in a.submissions}


JOB_REPORTS = ".grading/reports"  # one JSON per job (the pipeline's job report)
LEGACY_STATES = ".grading/state"  # course grade's job state, with the suite under "report"


def read_job(root: Path, assignment: str, student: str) -> dict | None:
    """One job's results in one shape, from the job report or else the legacy job state:
    ``{"status", "errors", "rejected", "suite", "executions", "seconds", "stages", "record_error"}``
    (``status`` is ``"done"``, ``"error"`` or ``"not_graded"``); None if the job never ran.
    A file that cannot be read is a job to run again, said in ``errors``."""
    for folder, legacy in ((JOB_REPORTS, False), (LEGACY_STATES, True)):
        path = root / folder / assignment / f"{student}.json"
        if not path.exists():
            continue
        try:
            d = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            return {
                "status": "error",
                "errors": [f"job record {path.name} unreadable ({exc}): run `course grade` again"],
            }
        if legacy:
            suite = d.get("report") or None
            executions = [suite.get("execution") or {}] if suite else []
            recorded = None
        else:
            suite = d.get("suite")
            executions = [nb.get("execution") or {} for nb in (d.get("notebooks") or {}).values()]
            recorded = d.get("recorded")
        return {
            "status": d.get("status", "error"),
            "errors": list(d.get("errors") or []),
            "rejected": list(d.get("rejected") or []),
            "suite": suite,
            "executions": executions,
            "seconds": d.get("seconds"),
            "stages": d.get("stages") or (suite or {}).get("stages") or {},
            "record_error": (recorded or {}).get("error")
            if recorded and not recorded.get("ok")
            else None,
        }
    return None


def _apply_job(res: StudentResult, job: dict) -> None:
    suite = job["suite"] or {}
    res.notices += [f"rejected {r}" for r in job.get("rejected", [])]
    if job["status"] == "not_graded":
        res.reasons += [f"not graded, rerun: {e}" for e in job["errors"][:1]] or [
            "not graded, rerun"
        ]
    elif job["status"] != "done":
        res.reasons += job["errors"] or [f"job status {job['status']!r}"]
    elif suite.get("error"):
        res.reasons.append(f"hidden suite: {suite['error']}")
    elif job.get("record_error"):
        res.reasons.append(f"scored, but not in the gradebook: {job['record_error']}")
    else:
        res.graded = True
    if res.graded or job["status"] == "done":
        res.notices += job["errors"]
    for execution in job.get("executions", []):
        if execution.get("note"):
            res.notices.append(execution["note"].splitlines()[0])
        if isinstance(execution.get("seconds"), (int, float)):
            res.stage_seconds["notebook execution (sandbox)"] = res.stage_seconds.get(
                "notebook execution (sandbox)", 0.0
            ) + float(execution["seconds"])
    res.tests = [
        HiddenTest(**{k: r[k] for k in HiddenTest.__dataclass_fields__ if r.get(k) is not None})
        for r in suite.get("results", [])
    ]
    for t in res.tests:
        earned, possible = res.tasks.get(t.task, (0.0, 0.0))
        res.tasks[t.task] = (earned + (t.points if t.passed else 0.0), possible + t.points)
    if isinstance(job.get("seconds"), (int, float)):
        res.stage_seconds["whole job"] = float(job["seconds"])
    for stage, secs in job.get("stages", {}).items():
        if isinstance(secs, (int, float)):
            res.stage_seconds[stage] = float(secs)


def load_class(course_dir: Path, assignment: str) -> list[StudentResult]:
    """Every submission of ``assignment`` in the course directory, graded or not, by student."""
    root = Path(course_dir).resolve()
    modules = graded_names(assignment)
    pending = _pending_manual(root, assignment)
    totals = _gradebook_totals(root, assignment)
    out = []
    for student in _students(root, assignment):
        res = StudentResult(student, assignment, graded=False)
        job = read_job(root, assignment, student)
        if job is None:
            res.reasons.append("not graded yet: no job record (run `course grade`)")
        else:
            _apply_job(res, job)
        res.total, res.max_total = totals.get(student, (None, None))
        res.pending_manual = pending.get(student, [])
        for folder in (
            root / ".grading" / "sanitized" / student / assignment / "course_lib",
            root / "autograded" / student / assignment / "course_lib",
        ):
            if folder.is_dir():
                res.sources = library_sources(folder, modules)
                break
        out.append(res)
    return out


def graded_assignments(course_dir: Path) -> list[str]:
    """Assignments with at least one job record in the course directory."""
    root = Path(course_dir)
    return sorted(
        {
            d.name
            for folder in (JOB_REPORTS, LEGACY_STATES)
            if (root / folder).is_dir()
            for d in (root / folder).iterdir()
            if d.is_dir()
        }
    )
