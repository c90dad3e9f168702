"""The job report: one JSON per (student, assignment), the only record of what a grading job
found (scores per test, named mistakes, reasons, rejected files, errors), and the key that makes
``course grade`` idempotent.

Written by the coordinator (:mod:`autograder.coordinator`) only, once the worker has run the job
and the record stage (whose outcome is ``recorded``). The gradebook's scores are applied from it;
the table's, the CSV's and the feedback's explanations are read from it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPORTS = ".grading/reports"

DONE, ERROR, NOT_GRADED = "done", "error", "not_graded"
NOT_GRADED_TEXT = "not graded, rerun"

# The stages a job's seconds are broken down by (``JobReport.stages``): sanitize the submission,
# execute its notebooks in the sandbox, run the hidden suite, record in the gradebook.
SANITIZE, EXECUTE, SCORE, RECORD = "sanitize", "execute", "hidden_suite", "record"
STAGES = (SANITIZE, EXECUTE, SCORE, RECORD)


@dataclass
class JobReport:
    """What one grading job (sanitize, execute, score) produced.

    ``status`` is ``"done"`` (scored), ``"error"`` (the submission could not be graded; the
    reason is in ``errors``) or ``"not_graded"`` (the grader or the machine failed, never the
    student: rerun). ``suite`` is the score stage's ``SuiteReport`` as a dict; ``notebooks`` maps
    each notebook name to ``{"execution": {...}, "substituted": reason or None}``. ``stages``
    holds the seconds of each stage that ran (:data:`STAGES`; of the last attempt when a "not
    graded" job was retried).
    """

    student: str
    assignment: str
    submission: str  # sha256 of the submitted folder
    grader: str  # fingerprint of the grader (see .fingerprint)
    status: str = ERROR
    errors: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    notebooks: dict[str, dict] = field(default_factory=dict)
    suite: dict[str, Any] | None = None
    seconds: float = 0.0  # the job's wall-clock seconds, the record stage not included
    recorded: dict[str, Any] | None = None  # the record stage's outcome: {"ok", "error", "note"}
    stages: dict[str, float] = field(default_factory=dict)  # wall-clock seconds per STAGES entry

    @property
    def key(self) -> tuple[str, str]:
        """What makes a grade current: this submission, graded by this grader."""
        return self.submission, self.grader

    @property
    def current(self) -> bool:
        """Scored and in the gradebook: nothing to redo until the submission or grader changes."""
        return self.status == DONE and bool(self.recorded and self.recorded.get("ok"))

    @property
    def failure(self) -> str | None:
        """Why this (student, assignment) has no current grade, or ``None``."""
        if self.status == NOT_GRADED:
            return f"{NOT_GRADED_TEXT}: {self.errors[0] if self.errors else 'the grader failed'}"
        if self.status != DONE:
            return self.errors[0] if self.errors else "error"
        if self.recorded is not None and not self.recorded.get("ok"):
            return str(self.recorded.get("error") or "the gradebook could not be updated")
        return None

    def messages(self) -> list[str]:
        """Every error, the notes of the notebooks' runs (stopped early, outputs left out) and
        the record note: the command's summary, the grade table, the CSV and the feedback."""
        out = list(self.errors)
        for name, nb in sorted(self.notebooks.items()):
            note = (nb.get("execution") or {}).get("note")
            if note:
                out.append(note if len(self.notebooks) == 1 else f"{name}.ipynb: {note}")
        if self.recorded:
            out += [m for m in (self.recorded.get("note"), self.recorded.get("error")) if m]
        return out

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> JobReport:
        return cls(**data)


def report_path(root: Path, student: str, assignment: str) -> Path:
    return Path(root) / REPORTS / assignment / f"{student}.json"


def write_report(root: Path, report: JobReport) -> Path:
    """Write ``report`` under ``root`` atomically (temporary name, then rename)."""
    path = report_path(root, report.student, report.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(report.to_dict(), indent=1, default=str))
    os.replace(tmp, path)
    return path


def read_report(root: Path, student: str, assignment: str) -> JobReport | None:
    """The stored report of (student, assignment), or ``None`` (none, or unreadable)."""
    path = report_path(root, student, assignment)
    try:
        return JobReport.from_dict(json.loads(path.read_text()))
    except (OSError, ValueError, TypeError):
        return None


def all_reports(root: Path) -> list[JobReport]:
    out = []
    for path in sorted((Path(root) / REPORTS).glob("*/*.json")):
        rep = read_report(root, path.stem, path.parent.name)
        if rep is not None:
            out.append(rep)
    return out
