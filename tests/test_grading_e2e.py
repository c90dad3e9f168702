"""End to end through the real nbgrader and gradebook: reference, stubs, a catalogued mistake,
and hostile submissions of the fixture assignment (tests/fixtures/grading), graded by
``course grade`` with 2 workers; then idempotent and resumed re-runs, feedback and export."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
from pathlib import Path

import nbformat

import pytest

from autograder import REFERENCE_DIR, REPO, nbgrader_env
from autograder.export import export_csv, grade_rows
from autograder.coordinator import grade
from autograder.jobs.report import report_path
from autograder.record.course import init_course, make_submission_dir

pytestmark = pytest.mark.slow

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"
EXTRA = "c.SandboxedExecute.cell_timeout = 8\nc.SandboxedExecute.total_timeout = 40\n"


def _stubs(tmp: Path) -> Path:
    from autograder.build import write_stub_package

    dest = tmp / "stubs" / "course_lib"
    write_stub_package(REFERENCE_DIR, dest)
    return dest


def _release_nb(root: Path):
    return nbformat.read(root / "release" / A / f"{A}.ipynb", as_version=4)


def _write_nb(root: Path, student: str, nb) -> None:
    nbformat.write(nb, root / "submitted" / student / A / f"{A}.ipynb")


def _mistake():
    from autograder.mistakes import load_catalogue

    return next(m for m in load_catalogue() if m.target == "penalties.l2_penalty")


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    root = init_course(tmp / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites",
                       extra_config=EXTRA)
    stubs = _stubs(tmp)
    make_submission_dir(root, "reference", A, REFERENCE_DIR)
    make_submission_dir(root, "stubs", A, stubs)
    from autograder.mistakes import make_mistaken_package

    m = _mistake()
    make_submission_dir(root, "mistake", A, make_mistaken_package(m, tmp / "mistake"))

    # Kernel-level cheating: redefine check(), rewrite the following cells, patch numpy.
    make_submission_dir(root, "rewrites_cells", A, stubs)
    nb = _release_nb(root)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import numpy as np\nnp.allclose = lambda *a, **k: True\n"
        "import course_lib.checks as _c\n_c.check = lambda *a, **k: True\ncheck = _c.check\n"
        "ip = get_ipython()\nip.set_next_input('print(\"all good\")', replace=False)\n"
        "import json, glob\nfor f in glob.glob('*.ipynb'):\n"
        "    d = json.load(open(f))\n"
        "    for c in d['cells']:\n        c['source'] = 'pass'\n"
        "    json.dump(d, open(f, 'w'))\n"))
    _write_nb(root, "rewrites_cells", nb)

    # Deleted test cell, and an edited one (source and points), with blank stubs.
    make_submission_dir(root, "deleted_cell", A, stubs)
    nb = _release_nb(root)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "task_7_1"]
    _write_nb(root, "deleted_cell", nb)
    make_submission_dir(root, "edited_cell", A, stubs)
    nb = _release_nb(root)
    for c in nb.cells:
        if c.metadata.get("nbgrader", {}).get("grade_id") == "task_7_2":
            c.source = "print('passed')"
            c.metadata["nbgrader"]["points"] = 100
    _write_nb(root, "edited_cell", nb)

    # Malformed notebook JSON, correct course_lib: the code is still graded, the reason shown.
    d = make_submission_dir(root, "bad_json", A, REFERENCE_DIR)
    (d / f"{A}.ipynb").write_text('{"cells": [')

    # Notebook that tries to write the gradebook and another student's folder, and the network.
    # "The network" is a listener of this test on the host's loopback: only a shared network
    # namespace could reach it, and no traffic ever leaves the machine.
    listener = socket.create_server(("127.0.0.1", 0))
    make_submission_dir(root, "vandal", A, REFERENCE_DIR)
    nb = _release_nb(root)
    nb.cells.insert(2, nbformat.v4.new_code_cell(
        "import os, socket\nresults = []\n"
        f"for p in [{str(root / 'gradebook.db')!r}, {str(root / 'submitted' / 'reference' / A / 'course_lib' / 'penalties.py')!r}]:\n"
        "    try:\n        open(p, 'w').write('x')\n        results.append('WROTE ' + p)\n"
        "    except OSError as e:\n        results.append(type(e).__name__)\n"
        f"try:\n    socket.create_connection(('127.0.0.1', {listener.getsockname()[1]}), timeout=2)\n"
        "    results.append('NET')\n"
        "except OSError as e:\n    results.append('no network')\nprint(results)\n"
        "import glob\nprint([open(f).read() for f in glob.glob('*.ipynb')])  # hidden tests?\n"))
    nb.cells.insert(3, nbformat.v4.new_code_cell("while True:\n    pass\n"))
    _write_nb(root, "vandal", nb)

    # Symlink to the solutions; a shadowing numpy.py and a fake checks package.
    d = make_submission_dir(root, "symlinker", A, stubs)
    (d / "course_lib" / "penalties.py").unlink()
    (d / "course_lib" / "penalties.py").symlink_to(REFERENCE_DIR / "penalties.py")
    d = make_submission_dir(root, "shadower", A, stubs)
    (d / "numpy.py").write_text("import sys; sys.exit(0)\n")
    (d / "course_lib" / "checks").mkdir()
    (d / "course_lib" / "checks" / "framework.py").write_text("raise SystemExit\n")

    # A fork bomb in course_lib, graded next to everyone else.
    d = make_submission_dir(root, "fork_bomb", A, REFERENCE_DIR)
    p = d / "course_lib" / "penalties.py"
    p.write_text(p.read_text() + "\nimport os as _os\ndef l1_penalty(weights, lam):\n"
                 "    while True:\n        try:\n            _os.fork()\n        except OSError:\n"
                 "            pass\n")
    try:
        run = grade(root, workers=2, progress=False)
    finally:
        listener.close()
    return root, {r.student: r for r in run.reports}


def _scores(root):
    return {r["student"]: r for r in grade_rows(root)}


def test_reference_full_marks_stubs_zero(course):
    root, states = course
    rows = _scores(root)
    assert states["reference"].status == "done", states["reference"].errors
    assert rows["reference"]["tasks"]["task_7_1"] == 3 and rows["reference"]["tasks"]["task_7_2"] == 3
    assert rows["stubs"]["tasks"]["task_7_1"] == 0 and rows["stubs"]["tasks"]["task_7_2"] == 0


def test_mistake_partial_and_named(course):
    root, _ = course
    row = _scores(root)["mistake"]
    assert 0 <= row["tasks"]["task_7_1"] < 3 and row["tasks"]["task_7_2"] == 3
    assert any(_mistake().name in m for m in row["mistakes"]), row


@pytest.mark.parametrize("student", ["rewrites_cells", "deleted_cell", "edited_cell",
                                     "symlinker", "shadower"])
def test_cheating_gets_no_point(course, student):
    root, states = course
    row = _scores(root)[student]
    assert row["tasks"].get("task_7_1", 0) == 0 and row["tasks"].get("task_7_2", 0) == 0, row
    assert row["max"] == _scores(root)["reference"]["max"]


def test_symlink_rejected_with_reason(course):
    _, states = course
    assert any("symbolic link" in r for r in states["symlinker"].rejected)


def test_bad_json_still_grades_code_with_reason(course):
    root, states = course
    row = _scores(root)["bad_json"]
    assert row["tasks"]["task_7_1"] == 3 and row["tasks"]["task_7_2"] == 3
    assert any("not valid JSON" in e for e in states["bad_json"].errors)


def test_vandal_cannot_touch_gradebook_or_others(course):
    root, states = course
    assert "WROTE /" not in (root / "autograded" / "vandal" / A / f"{A}.ipynb").read_text()
    assert (root / "submitted" / "reference" / A / "course_lib" / "penalties.py").read_text() == \
        (REFERENCE_DIR / "penalties.py").read_text()
    row = _scores(root)["vandal"]
    assert row["tasks"]["task_7_1"] == 3   # an endless notebook cell costs no task point
    text = (root / "autograded" / "vandal" / A / f"{A}.ipynb").read_text()
    assert "no network" in text or "did not finish" in text or "stopped early" in text


def test_fork_bomb_scores_only_its_own_good_task(course):
    root, states = course
    row = _scores(root)["fork_bomb"]
    assert row["tasks"]["task_7_1"] == 3 and row["tasks"]["task_7_2"] < 3


def test_hidden_tests_never_in_autograded_copy_or_feedback(course):
    root, _ = course
    for nb in (root / "autograded").glob(f"*/{A}/{A}.ipynb"):
        assert "BEGIN HIDDEN TESTS" not in nb.read_text()
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", A, "--force"],
                   cwd=root, env=nbgrader_env(), check=True, capture_output=True)
    html = (root / "feedback" / "mistake" / A / f"{A}.html").read_text()
    assert "BEGIN HIDDEN TESTS" not in html and "test_l2_matches" in html
    assert "Known mistake" in html


def test_rerun_is_idempotent_and_resumes(course):
    root, _ = course
    before = _scores(root)
    run = grade(root, workers=1, progress=False)
    assert run.graded == 0 and run.skipped == len(before)
    report_path(root, "stubs", A).unlink()  # as if a crash lost this job
    run = grade(root, workers=1, progress=False)
    assert run.graded == 1 and run.stale == 0 and run.skipped == len(before) - 1
    after = _scores(root)
    assert {k: (v["tasks"], v["total"]) for k, v in before.items()} == \
           {k: (v["tasks"], v["total"]) for k, v in after.items()}


def test_export_csv(course):
    root, _ = course
    buf = io.StringIO()
    export_csv(root, buf)
    text = buf.getvalue()
    assert text.splitlines()[0].startswith("student,assignment,task_7_1,task_7_2")
    assert _mistake().name in text
