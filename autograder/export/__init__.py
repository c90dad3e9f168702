"""The export stage: the grade table (``course grade``, ``course demo``) and the CSV
(``course export``).

Scores are the gradebook's (what the record stage wrote from each job's report, plus the
written answers graded in formgrader); named mistakes, reasons, errors and whether a grade is
current come from the job reports only. A (student, assignment) whose last job failed, or was
not graded, shows no score: its error says why (a failed regrade never shows the old score).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import IO, Any

from ..collect import read_notes
from ..jobs.report import JobReport, all_reports
from ..table import cell_order, fmt, format_table

PENDING = "needs manual grading"  # a written answer's cell until someone grades it

__all__ = ["export_csv", "format_table", "grade_rows", "submission_notes"]


def _explanations(rep: JobReport | None) -> dict[str, Any]:
    mistakes: list[str] = []
    reasons: list[str] = []
    results = (rep.suite or {}).get("results", []) if rep is not None else []
    for r in results:
        if r.get("mistake") and f"{r['task']} {r['mistake']}" not in mistakes:
            mistakes.append(f"{r['task']} {r['mistake']}")
    # Failures no catalogued mistake explains: the first one per task says why.
    named = {r["task"] for r in results if r.get("mistake")}
    for r in results:
        if (
            not r.get("passed")
            and r["task"] not in named
            and r.get("message")
            and not r["message"].startswith("not implemented")
            and not any(x.startswith(r["task"] + " ") for x in reasons)
        ):
            reasons.append(f"{r['task']} {r['message'].splitlines()[0]}")
    return {
        "mistakes": mistakes,
        "reasons": reasons,
        "notes": [f"refused {r}" for r in rep.rejected] if rep is not None else [],
        "errors": rep.messages() if rep is not None else [],
        "failure": rep.failure if rep is not None else None,
        "status": rep.status if rep is not None else None,
    }


def grade_rows(root: Path, db_url: str | None = None) -> list[dict[str, Any]]:
    """One row per (student, assignment) with a job report or a gradebook submission: points per
    cell (``tasks``), ``total``, ``max``, ``mistakes``, ``reasons``, ``errors`` and ``failure``
    (why there is no current grade, else ``None``; then ``tasks`` is empty and ``total`` None)."""
    from nbgrader.api import Gradebook

    from ..record.course import db_url as course_db_url

    root = Path(root).resolve()
    db_url = db_url or course_db_url(root)  # the course's configured gradebook
    reports = {(r.student, r.assignment): r for r in all_reports(root)}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                grades = [g for nb in sub.notebooks for g in nb.grades]
                # A written answer nobody graded yet is pending, not 0.
                pending = {
                    g.name: g.max_score
                    for g in grades
                    if g.needs_manual_grade and g.manual_score is None
                }
                # nbgrader scores a written answer left as released 0 by itself: unanswered.
                unanswered = {
                    g.name: g.max_score
                    for g in grades
                    if g.name not in pending
                    and g.manual_score is None
                    and g.auto_score == 0
                    and g.cell.cell_type == "markdown"
                }
                rows[(sub.student.id, assignment.name)] = {
                    "tasks": {g.name: None if g.name in pending else g.score for g in grades},
                    "pending": pending,
                    "unanswered": unanswered,
                    "total": sub.score,
                    "max": sub.max_score,
                }
    maxima = {a: row["max"] for (_, a), row in rows.items()}
    for key in reports.keys() - rows.keys():
        rows[key] = {"tasks": {}, "pending": {}, "unanswered": {}, "total": None,
                     "max": maxima.get(key[1])}  # fmt: skip
    out = []
    for (student, assignment), row in rows.items():
        row = {"student": student, "assignment": assignment, **row}
        row.update(_explanations(reports.get((student, assignment))))
        row["notes"] = read_notes(root, student, assignment) + row["notes"]
        if row["failure"]:
            row["tasks"], row["total"], row["pending"], row["unanswered"] = {}, None, {}, {}
        row["submission_notes"] = submission_notes(row)
        out.append(row)
    out.sort(key=lambda r: (r["assignment"], r["student"]))
    return out


def submission_notes(row: dict[str, Any]) -> list[str]:
    """Every reason about a row's submission, for the table, the CSV and the feedback: why it
    has no grade, what ``course collect`` and the sanitize stage refused or replaced, and the
    grader's errors (a notebook graded from the release, a timeout, ...)."""
    out = [row["failure"].splitlines()[0]] if row.get("failure") else []
    if row.get("pending"):
        cells = ", ".join(f"{c} ({fmt(m)} points)" for c, m in sorted(row["pending"].items()))
        out.append(
            f"needs manual grading: {cells}; not graded yet, so the total counts 0 for "
            f"{'it' if len(row['pending']) == 1 else 'them'} until then"
        )
    if row.get("unanswered"):
        cells = ", ".join(sorted(row["unanswered"]))
        points = fmt(sum(m or 0 for m in row["unanswered"].values()))
        out.append(f"not answered (0, the released text unchanged): {cells} ({points} points)")
    for n in [*row.get("notes", []), *row.get("errors", [])]:
        line = n.splitlines()[0] if n else ""
        if line and not any(line in said for said in out):  # the failure quotes its error
            out.append(line)
    return out


def export_csv(root: Path, out: IO[str], db_url: str | None = None) -> int:
    """Write the CSV (points per cell, total, named mistakes, error, notes) to ``out``; return
    the number of rows. ``error``: why there is no grade; ``notes``: every reason, ``; ``-joined."""
    rows = grade_rows(root, db_url)
    cols = sorted({k for r in rows for k in r["tasks"]}, key=cell_order)
    w = csv.writer(out)
    w.writerow(["student", "assignment", *cols, "total", "max", "named_mistakes", "error", "notes"])
    for r in rows:
        w.writerow(
            [
                r["student"],
                r["assignment"],
                *[PENDING if c in r.get("pending", {}) else fmt(r["tasks"].get(c)) for c in cols],
                fmt(r["total"]),
                fmt(r["max"]),
                "; ".join(r["mistakes"]),
                (r["failure"] or "").splitlines()[0] if r["failure"] else "",
                "; ".join(r["submission_notes"]),
            ]
        )
    return len(rows)


def feedback_notes(root: Path, assignments: list[str], student: str | None = None) -> int:
    """Every reason the grade table gives about a submission (:func:`submission_notes`), atop
    its feedback pages; returns how many pages got notes."""
    from ..feedback import add_notes

    notes = {
        (r["student"], r["assignment"]): r["submission_notes"]
        for r in grade_rows(root)
        if (not assignments or r["assignment"] in assignments)
        and (student is None or r["student"] == student)
    }
    return add_notes(root, notes)
