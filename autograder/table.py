"""The grade table's format: one line per submission, a column per task cell, the total and the
first named mistake, error or reason. Shared by the export stage (``course grade``, ``course
demo``) and the score stage's development table, so it lives below both."""

from __future__ import annotations

from typing import Any

from .jobs.report import NOT_GRADED


def fmt(v: float | None) -> str:
    return "" if v is None else f"{round(float(v), 2):g}"


def cell_order(name: str) -> tuple:
    """Task cells first, in task order (``task_1_10`` after ``task_1_9``), then the others."""
    parts = name.split("_")
    nums = tuple(int(p) for p in parts[1:] if p.isdigit())
    return (0 if name.startswith("task_") else 1, nums, name)


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
