"""Written answers through the real nbgrader: until someone grades them in formgrader they are
"needs manual grading" (not 0) in the grade table and the CSV, and the feedback says so; once
graded, their score shows and the note is gone."""

from __future__ import annotations

import csv
import io

import nbformat
import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.cli import main

pytestmark = pytest.mark.slow

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"
QUESTION = "q_biases"


def _rows(root):
    from autograder.export import grade_rows

    return {r["student"]: r for r in grade_rows(root)}


def _csv(root):
    from autograder.export import export_csv

    buf = io.StringIO()
    export_csv(root, buf)
    return {r["student"]: r for r in csv.DictReader(io.StringIO(buf.getvalue()))}


def test_pending_until_graded(tmp_path, capsys):
    from nbgrader.api import Gradebook

    from autograder.export import format_table
    from autograder.record.course import init_course, make_submission_dir

    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites",
                       extra_config="c.SandboxedExecute.cell_timeout = 20\n")  # fmt: skip
    d = make_submission_dir(root, "answered", A, REFERENCE_DIR)
    nb = nbformat.read(d / f"{A}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == QUESTION:
            cell.source = "A bias only shifts a unit; penalizing it does not limit capacity."
    nbformat.write(nb, d / f"{A}.ipynb")
    assert main(["grade", A, "--course-dir", str(root)]) == 0
    out = capsys.readouterr().out
    row = _rows(root)["answered"]
    assert QUESTION in row["pending"] and row["tasks"][QUESTION] is None
    assert row["total"] > 0  # the code is graded
    header = out.splitlines()[out.splitlines().index(next(
        line for line in out.splitlines() if line.startswith("student")))]  # fmt: skip
    assert QUESTION in header and "pending" in out
    assert f"↳ needs manual grading: {QUESTION} (" in out
    log = (root / ".grading" / "logs" / A / "answered.log").read_text()
    assert "Attribute 'checksum' for cell task_" not in log  # nbgrader's noise, filtered
    exported = _csv(root)["answered"]
    assert exported[QUESTION] == "needs manual grading"
    assert "needs manual grading" in exported["notes"]
    assert main(["feedback", A, "--course-dir", str(root)]) == 0
    page = (root / "feedback" / "answered" / A / f"{A}.html").read_text()
    assert "About your submission" in page and f"needs manual grading: {QUESTION}" in page

    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:  # what formgrader does
        grade = gb.find_grade(QUESTION, A, A, "answered")
        grade.manual_score = 1.5
        grade.needs_manual_grade = False
        gb.db.commit()
    row = _rows(root)["answered"]
    assert row["pending"] == {} and row["tasks"][QUESTION] == 1.5
    assert "pending" not in format_table([row])
    assert _csv(root)["answered"][QUESTION] == "1.5"
    capsys.readouterr()
    assert main(["feedback", A, "--course-dir", str(root)]) == 0
    page = (root / "feedback" / "answered" / A / f"{A}.html").read_text()
    assert "needs manual grading" not in page
