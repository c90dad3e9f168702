"""A notebook whose cells print too much: only the flooding cells' outputs are left out (the
guest replaces them by a line saying so, largest first, until the notebook is under its cap),
every other output is kept, and the reason is said once: in the grade table, the CSV's notes
column and at the top of the feedback, never repeated in each task cell."""

from __future__ import annotations

import csv
import html
import importlib.util
import io
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from autograder import REFERENCE_DIR, REPO
from autograder.execute import MAX_OUTPUT_CHARS, MISALIGNED, merge_outputs, output_note
from autograder.jobs.report import JobReport

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"


def _guest():
    path = REPO / "autograder" / "sandbox" / "guest" / "nbexec.py"
    spec = importlib.util.spec_from_file_location("course_guest_nbexec", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _printing(*texts):
    """A notebook of code cells, each with one stdout output."""
    return new_notebook(cells=[
        new_code_cell(f"print({i})", outputs=[new_output("stream", name="stdout", text=t)])
        for i, t in enumerate(texts)])  # fmt: skip


def test_guest_leaves_out_only_the_cell_over_its_cap():
    nb = _printing("a" * 1000, "kept\n", "b" * 100)
    left = _guest().trim_outputs(nb, 500, 10**6, nbformat)
    assert left == [[0, len(json.dumps(_printing("a" * 1000).cells[0].outputs))]]
    assert nb.cells[0].outputs[0].text.startswith("[output left out by the grader: 10")
    assert "500 characters per cell" in nb.cells[0].outputs[0].text
    assert nb.cells[1].outputs[0].text == "kept\n" and nb.cells[2].outputs[0].text == "b" * 100
    nbformat.validate(nb)


def test_guest_leaves_out_the_largest_outputs_until_the_notebook_fits():
    nb = _printing("a" * 3000, "b" * 2000, "c" * 100)
    cap = len(nbformat.writes(nb).encode()) - 2500  # dropping the largest output is enough
    left = _guest().trim_outputs(nb, 10**6, cap, nbformat)
    assert [i for i, _ in left] == [0]
    assert f"{cap} bytes for the whole notebook" in nb.cells[0].outputs[0].text
    assert nb.cells[1].outputs[0].text == "b" * 2000
    assert len(nbformat.writes(nb).encode()) <= cap


def test_note_names_the_cells_left_out_and_merge_keeps_the_rest():
    nb = new_notebook(cells=[new_markdown_cell("# title"), new_code_cell("for i in range(60):\n"
                             "    print('y' * 999_999)"), new_code_cell("print('small')")])
    executed = nbformat.reads(nbformat.writes(nb), as_version=4)
    executed.cells[1].outputs = [new_output("stream", name="stdout", text="[output left out]\n")]
    executed.cells[2].outputs = [new_output("stream", name="stdout", text="small\n")]
    executed.metadata["course_execution"] = {"status": "ok", "left_out": [[1, 60_000_123]]}
    note = output_note(nb, executed)
    assert note.startswith("Output left out of your feedback: cell 2 (for i in range(60):), "
                           "60.0 MB; over the grader's cap (5 MB per cell, 40 MB per notebook)")
    assert merge_outputs(nb, executed) == note
    assert nb.cells[2].outputs[0].text == "small\n"
    assert nb.cells[1].outputs[0].text == "[output left out]\n"

    # The guest's list is untrusted: nonsense in it is ignored; an output the guest should have
    # left out and did not is left out here, and said.
    executed.metadata["course_execution"]["left_out"] = [[99, 1], "x", [1, "a"]]
    executed.cells[1].outputs = [new_output("stream", name="stdout",
                                            text="y" * (MAX_OUTPUT_CHARS + 1))]  # fmt: skip
    nb.cells[1].outputs = []
    assert "cell 2 (for i in range(60):), 5.0 MB" in merge_outputs(nb, executed)
    assert nb.cells[1].outputs == [] and nb.cells[2].outputs[0].text == "small\n"

    executed.cells.pop()
    assert output_note(nb, executed) == MISALIGNED
    assert output_note(nb, None) is None


def test_run_notes_are_among_the_reports_messages():
    rep = JobReport("s", A, "h", "g", status="done", errors=["notebook x.ipynb missing"])
    rep.notebooks = {A: {"execution": {"status": "ok", "note": "Output left out of it."}}}
    assert rep.messages() == ["notebook x.ipynb missing", "Output left out of it."]
    rep.notebooks["other"] = {"execution": {"status": "ok", "note": None}}
    assert rep.messages()[-1] == f"{A}.ipynb: Output left out of it."


def test_a_failure_that_quotes_its_error_is_said_once():
    from autograder.export import submission_notes

    err = "grader worker died: the pool broke; run `course grade` again to resume"
    row = {"failure": f"not graded, rerun: {err}", "errors": [err], "notes": []}
    assert submission_notes(row) == [f"not graded, rerun: {err}"]


@pytest.mark.slow
def test_flooding_cell_is_said_once_in_table_csv_and_feedback(tmp_path, capsys):
    from autograder.cli import main
    from autograder.export import export_csv, grade_rows
    from autograder.record.course import init_course, make_submission_dir

    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites")
    d = make_submission_dir(root, "flood", A, REFERENCE_DIR)
    nb = nbformat.read(d / f"{A}.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get(
        "grade_id") == "experiment")  # fmt: skip
    nb.cells.insert(at, new_code_cell("print('y' * 6_000_000)"))
    nb.cells.insert(at + 1, new_code_cell("print('small output kept')"))
    nbformat.write(nb, d / f"{A}.ipynb")
    capsys.readouterr()
    assert main(["grade", A, "--course-dir", str(root)]) == 0
    out = capsys.readouterr().out
    said = f"Output left out of your feedback: cell {at + 1} (print('y' * 6_000_000)), 6.0 MB"

    row = next(r for r in grade_rows(root) if r["student"] == "flood")
    assert row["total"] == 6 and any(n.startswith(said) for n in row["submission_notes"]), row
    assert "↳ Output left out of your feedback: cell" in out
    buf = io.StringIO()
    export_csv(root, buf)
    exported = next(r for r in csv.DictReader(io.StringIO(buf.getvalue()))
                    if r["student"] == "flood")
    assert said in exported["notes"]

    graded = nbformat.read(root / "autograded" / "flood" / A / f"{A}.ipynb", as_version=4)
    text = {i: "".join(o.get("text", "") for o in c.get("outputs", []))
            for i, c in enumerate(graded.cells) if c.cell_type == "code"}  # fmt: skip
    assert text[at].startswith("[output left out by the grader: 6")
    assert text[at + 1] == "small output kept\n"
    tasks = [i for i, c in enumerate(graded.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("task_")]
    assert tasks and not any("left out" in text[i] for i in tasks)

    assert main(["feedback", A, "--course-dir", str(root)]) == 0
    page = (root / "feedback" / "flood" / A / f"{A}.html").read_text()
    top = page[page.index("About your submission"):page.index("</ul></div>")]
    assert html.escape(said) in top and page.count("Output left out of your feedback") == 1
