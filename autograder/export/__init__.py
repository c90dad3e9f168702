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

from ..jobs.report import NOT_GRADED, JobReport, all_reports


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
        "errors": rep.messages() if rep is not None else [],
        "failure": rep.failure if rep is not None else None,
        "status": rep.status if rep is not None else None,
    }


def grade_rows(root: Path, db_url: str | None = None) -> list[dict[str, Any]]:
    """One row per (student, assignment) with a job report or a gradebook submission: points per
    cell (``tasks``), ``total``, ``max``, ``mistakes``, ``reasons``, ``errors`` and ``failure``
    (why there is no current grade, else ``None``; then ``tasks`` is empty and ``total`` None)."""
    from nbgrader.api import Gradebook

    root = Path(root).resolve()
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    reports = {(r.student, r.assignment): r for r in all_reports(root)}
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                tasks = {g.name: g.score for nb in sub.notebooks for g in nb.grades}
                rows[(sub.student.id, assignment.name)] = {
                    "tasks": tasks,
                    "total": sub.score,
                    "max": sub.max_score,
                }
    maxima = {a: row["max"] for (_, a), row in rows.items()}
    for key in reports.keys() - rows.keys():
        rows[key] = {"tasks": {}, "total": None, "max": maxima.get(key[1])}
    out = []
    for (student, assignment), row in rows.items():
        row = {"student": student, "assignment": assignment, **row}
        row.update(_explanations(reports.get((student, assignment))))
        if row["failure"]:
            row["tasks"], row["total"] = {}, None
        out.append(row)
    out.sort(key=lambda r: (r["assignment"], r["student"]))
    return out


def fmt(v: float | None) -> str:
    return "" if v is None else f"{round(float(v), 2):g}"


def cell_order(name: str) -> tuple:
    """Task cells first, in task order (``task_1_10`` after ``task_1_9``), then the others."""
    parts = name.split("_")
    nums = tuple(int(p) for p in parts[1:] if p.isdigit())
    return (0 if name.startswith("task_") else 1, nums, name)


def export_csv(root: Path, out: IO[str], db_url: str | None = None) -> int:
    """Write the CSV (points per cell, total, named mistakes, error) to ``out``; return rows."""
    rows = grade_rows(root, db_url)
    cols = sorted({k for r in rows for k in r["tasks"]}, key=cell_order)
    w = csv.writer(out)
    w.writerow(["student", "assignment", *cols, "total", "max", "named_mistakes", "error"])
    for r in rows:
        w.writerow(
            [
                r["student"],
                r["assignment"],
                *[fmt(r["tasks"].get(c)) for c in cols],
                fmt(r["total"]),
                fmt(r["max"]),
                "; ".join(r["mistakes"]),
                (r["failure"] or "").splitlines()[0] if r["failure"] else "",
            ]
        )
    return len(rows)


def format_table(
    rows: list[dict[str, Any]], width: int = 60, label: str = "student", head_note: str = ""
) -> str:
    """The grade table of ``rows`` (:func:`grade_rows`' shape): one line per row, a column per
    task cell, the total and the first named mistake / error / reason (cut at ``width``)."""
    if not rows:
        return "(no graded submissions)"
    cols = sorted({k for r in rows for k in r["tasks"] if k.startswith("task_")}, key=cell_order)
    sw = max(len(r["student"]) for r in rows) + 2
    head = f"{label:<{sw}}{'assignment':<16}"
    head += "".join(f"{c[5:].replace('_', '.'):>7}" for c in cols)
    head += f"{'total':>11}  {head_note or 'named mistakes / reason'}"
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = "".join(f"{fmt(r['tasks'].get(c)):>7}" for c in cols)
        note = "; ".join(r["mistakes"])
        if r.get("failure"):
            note = r["failure"].splitlines()[0][:width]
        elif r["errors"]:
            note = (note + "; " if note else "") + r["errors"][0].splitlines()[0][:width]
        elif not note and r.get("reasons"):
            note = r["reasons"][0][:width]
        total = f"{fmt(r['total'])}/{fmt(r['max'])}"
        if r.get("failure"):
            total = "not graded" if r.get("status") == NOT_GRADED else "failed"
        lines.append(f"{r['student']:<{sw}}{r['assignment']:<16}{cells}{total:>11}  {note}")
    return "\n".join(lines)
