"""The grade table's format: one line per submission, a column per task cell, the total and the
first named mistake, error or reason. Shared by the export stage (``course grade``, ``course
demo``) and the development table (:mod:`.dev_table`)."""

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


def _clip(text: str, width: int) -> str:
    """``text`` cut at a word boundary to at most ``width`` characters (``…`` marks the cut)."""
    if len(text) <= width:
        return text
    cut = text[: width - 1]
    if " " in cut[width // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def format_table(
    rows: list[dict[str, Any]], width: int = 60, label: str = "student", head_note: str = ""
) -> str:
    """The grade table of ``rows`` (:func:`grade_rows`' shape): one line per row, a column per
    task cell, the total and the named mistakes (or the first unexplained failure); then, one per
    indented line and wrapped at word boundaries to ``width``, every reason about the
    submission (``notes``: why it has no grade, what was refused or replaced, the grader's
    errors)."""
    import textwrap

    if not rows:
        return "(no graded submissions)"
    # Task cells, then the written answers (graded by hand in formgrader; "pending" until then).
    cols = sorted({k for r in rows for k in r["tasks"]}, key=cell_order)
    names = {c: c[5:].replace("_", ".") if c.startswith("task_") else c for c in cols}
    widths = {c: max(7, len(names[c]) + 1) for c in cols}
    sw = max(len(label), *(len(r["student"]) for r in rows)) + 2
    head = f"{label:<{sw}}{'assignment':<16}"
    head += "".join(f"{names[c]:>{widths[c]}}" for c in cols)
    head += f"{'total':>11}  {head_note or 'named mistakes / reason'}"
    lines = [head, "-" * len(head)]
    for r in rows:
        pending = r.get("pending") or {}
        cells = "".join(
            f"{'pending' if c in pending else fmt(r['tasks'].get(c)):>{widths[c]}}" for c in cols
        )
        note = "; ".join(r["mistakes"])
        if not note and r.get("reasons"):
            note = _clip(r["reasons"][0], width)
        total = f"{fmt(r['total'])}/{fmt(r['max'])}"
        if r.get("failure"):
            total = "not graded" if r.get("status") == NOT_GRADED else "failed"
        line = f"{r['student']:<{sw}}{r['assignment']:<16}{cells}{total:>11}  {note}"
        lines.append(line.rstrip())
        notes = r.get("submission_notes")
        if notes is None:  # rows not made by grade_rows (the development table)
            notes = [e.splitlines()[0] for e in ([r["failure"]] if r.get("failure") else [])
                     + list(r.get("errors", []))]  # fmt: skip
        for n in notes:
            wrapped = textwrap.wrap(n, width, break_long_words=False, break_on_hyphens=False)
            lines += [f"    ↳ {wrapped[0]}"] + [f"      {w}" for w in wrapped[1:]]
    return "\n".join(lines)
