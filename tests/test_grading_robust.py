"""Issue 11, items 4, 5, 6 and 8: one bad submission never stops the batch; a grade is current or
flagged (failed regrade, rejected notebook structure, error column, not graded); the grader's
fingerprint makes stale grades regrade; Ctrl-C stops cleanly and the rerun resumes."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.export import export_csv, format_table, grade_rows
from autograder import coordinator
from autograder.jobs import job
from autograder.jobs.fingerprint import grader_fingerprint, submission_hash
from autograder.jobs.job import JobSpec, run_job
from autograder.jobs.report import NOT_GRADED, JobReport, read_report, write_report
from autograder.record.course import init_course, make_submission_dir
from autograder.sanitize import MAX_TIMESTAMP_BYTES, sanitize

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"
EXTRA = "c.SandboxedExecute.cell_timeout = 8\nc.SandboxedExecute.total_timeout = 40\n"
NON_UTF8 = os.fsdecode(b"caf\xe9.py")  # a name that is not valid UTF-8


def _hostile_files(d: Path, kind: str) -> None:
    if kind == "non_utf8":
        (d / "course_lib" / NON_UTF8).write_text("x = 1\n")
    elif kind == "fifo_timestamp":
        (d / "timestamp.txt").unlink()
        os.mkfifo(d / "timestamp.txt")
    elif kind == "big_timestamp":
        (d / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC" + " " * 2_000_000)


# ------------------------------------------------------------------------------------------------
# Fast: sanitize, the job function, the fingerprint, the coordinator's retry, the export


@pytest.mark.parametrize("kind", ["non_utf8", "fifo_timestamp", "big_timestamp"])
def test_sanitize_refuses_per_file(tmp_path, kind):
    src = tmp_path / "sub"
    (src / "course_lib").mkdir(parents=True)
    (src / "course_lib" / "ok.py").write_text("y = 2\n")
    (src / "timestamp.txt").write_text("2026-01-01 12:00:00 UTC")
    _hostile_files(src, kind)
    rep = sanitize(src, tmp_path / "clean", A, {A})
    assert rep.kept == ["course_lib/ok.py"]
    reasons = dict(rep.rejected)
    json.dumps(rep.rejected)  # storable as the job report
    if kind == "non_utf8":
        assert reasons == {"course_lib/caf\\xe9.py": "file name is not valid UTF-8"}
    elif kind == "fifo_timestamp":
        assert reasons == {"timestamp.txt": "not a regular file"}
    else:
        assert "over the" in reasons["timestamp.txt"] and str(MAX_TIMESTAMP_BYTES) in reasons[
            "timestamp.txt"
        ]
    assert (tmp_path / "clean" / "timestamp.txt").exists() == (kind == "non_utf8")


def test_submission_hash_takes_any_name_and_special_file(tmp_path):
    d = tmp_path / "s"
    (d / "course_lib").mkdir(parents=True)
    (d / "course_lib" / NON_UTF8).write_text("x")
    os.mkfifo(d / "timestamp.txt")
    assert len(submission_hash(d)) == 64  # neither UnicodeEncodeError nor a read that blocks


def test_caps_are_those_of_course_submit():
    import importlib.util

    import autograder.sanitize as s

    spec = importlib.util.spec_from_file_location("submit_caps", REFERENCE_DIR / "submit.py")
    sub = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sub)
    assert (s.MAX_FILE_BYTES, s.MAX_NOTEBOOK_BYTES, s.MAX_TOTAL_BYTES) == (
        sub.MAX_FILE_BYTES,
        sub.MAX_NOTEBOOK_BYTES,
        sub.MAX_TOTAL_BYTES,
    )


def test_an_exception_inside_a_job_is_that_students_error(tmp_path):
    d = tmp_path / "submitted" / "s" / A
    (d / "course_lib").mkdir(parents=True)
    spec = JobSpec("s", A, d, tmp_path / "san", tmp_path / "exe",
                   release={A: tmp_path / "no-such-release.ipynb"},
                   suite=FIX / "suites" / f"test_{A}.py", grader="g")  # fmt: skip
    report = run_job(spec)
    assert report.status == "error" and report.failure
    assert "FileNotFoundError" in report.errors[-1] and report.submission


def test_fingerprint_changes_with_the_suite_and_the_release(tmp_path):
    suites, release = tmp_path / "suites", tmp_path / "release"
    shutil.copytree(FIX / "suites", suites)
    (release / A).mkdir(parents=True)
    (release / A / f"{A}.ipynb").write_text("{}")
    before = grader_fingerprint(suites, release)
    assert grader_fingerprint(suites, release) == before
    with open(suites / f"test_{A}.py", "a") as fh:
        fh.write("\n# a changed hidden suite\n")
    after_suite = grader_fingerprint(suites, release)
    (release / A / f"{A}.ipynb").write_text('{"changed": 1}')
    assert len({before, after_suite, grader_fingerprint(suites, release)}) == 3


def test_not_graded_is_retried_and_never_recorded(monkeypatch, tmp_path):
    calls = []

    def always_not_graded(spec):
        calls.append(spec.student)
        return JobReport(spec.student, spec.assignment, "h", "g", status=NOT_GRADED,
                         errors=["SandboxFault: the sandbox did not start"])  # fmt: skip

    monkeypatch.setattr(job, "run_job", always_not_graded)
    spec = JobSpec("s", A, tmp_path, tmp_path, tmp_path, {}, tmp_path, "g")
    report = coordinator.grade_and_record(tmp_path, spec)
    assert len(calls) == job.NOT_GRADED_ATTEMPTS
    assert report.status == NOT_GRADED and report.recorded is None
    assert report.failure.startswith("not graded, rerun")


# ------------------------------------------------------------------------------------------------
# End to end: a class with hostile files and a duplicated task cell


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("robust")
    suites = tmp / "suites"
    shutil.copytree(FIX / "suites", suites)
    root = init_course(tmp / "course", {A: FIX / "source" / A}, suite_dir=suites,
                       extra_config=EXTRA)  # fmt: skip
    make_submission_dir(root, "reference", A, REFERENCE_DIR)
    for kind in ("non_utf8", "fifo_timestamp", "big_timestamp"):
        _hostile_files(make_submission_dir(root, kind, A, REFERENCE_DIR), kind)
    d = make_submission_dir(root, "dup_cell", A, REFERENCE_DIR)
    nb = nbformat.read(d / f"{A}.ipynb", as_version=4)
    i = next(k for k, c in enumerate(nb.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id") == "task_7_1")  # fmt: skip
    nb.cells.insert(i + 1, copy.deepcopy(nb.cells[i]))
    nbformat.write(nb, d / f"{A}.ipynb")
    run = coordinator.grade(root, workers=2, progress=False)
    return root, suites, run


pytestmark_slow = pytest.mark.slow


def _rows(root):
    return {r["student"]: r for r in grade_rows(root)}


@pytestmark_slow
def test_bad_files_never_stop_the_batch(course):
    root, _, run = course
    rows = _rows(root)
    assert {r.student for r in run.reports} == set(rows) and len(rows) == 5
    for student in ("reference", "non_utf8", "fifo_timestamp", "big_timestamp"):
        assert rows[student]["failure"] is None, rows[student]
        assert rows[student]["tasks"]["task_7_1"] == 3 and rows[student]["tasks"]["task_7_2"] == 3
    reports = {r.student: r for r in run.reports}
    assert any("not valid UTF-8" in x for x in reports["non_utf8"].rejected)
    assert any("timestamp.txt: not a regular file" in x for x in reports["fifo_timestamp"].rejected)
    assert any("timestamp.txt" in x and "cap" in x for x in reports["big_timestamp"].rejected)
    format_table(list(rows.values()))  # printable: no surrogate reaches the table


@pytestmark_slow
def test_rejected_cell_structure_still_grades_course_lib_with_reason(course):
    root, _, run = course
    row = _rows(root)["dup_cell"]
    assert row["tasks"]["task_7_1"] == 3 and row["tasks"]["task_7_2"] == 3
    assert any("nbgrader rejected the notebook" in e and "multiple times" in e
               for e in row["errors"]), row["errors"]  # fmt: skip


@pytestmark_slow
def test_failed_regrade_shows_failed_not_the_old_score(course):
    root, _, _ = course
    good = read_report(root, "reference", A)
    try:
        failed = JobReport.from_dict(good.to_dict())
        failed.status, failed.errors, failed.recorded = "error", ["the regrade failed: why"], None
        write_report(root, failed)
        row = _rows(root)["reference"]
        assert row["total"] is None and row["tasks"] == {} and row["failure"]
        buf = io.StringIO()
        export_csv(root, buf)
        rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
        assert "error" in rows[0]
        row = next(r for r in rows if r["student"] == "reference")
        assert row["error"] == "the regrade failed: why" and row["total"] == "", row
        assert "failed" in format_table(list(_rows(root).values()))
        failed.status, failed.errors = NOT_GRADED, ["SandboxFault: the sandbox did not start"]
        write_report(root, failed)
        buf = io.StringIO()
        export_csv(root, buf)
        assert "not graded, rerun" in buf.getvalue()
        assert "not graded" in format_table(list(_rows(root).values()))
    finally:
        write_report(root, good)


@pytestmark_slow
def test_a_grader_change_regrades_what_is_stale(course):
    root, suites, _ = course
    assert coordinator.grade(root, student="reference", progress=False).skipped == 1
    with open(suites / f"test_{A}.py", "a") as fh:
        fh.write("\n# the hidden suite changed\n")
    run = coordinator.grade(root, student="reference", progress=False)
    assert (run.graded, run.stale, run.skipped) == (1, 1, 0)
    assert _rows(root)["reference"]["tasks"]["task_7_1"] == 3


@pytestmark_slow
def test_ctrl_c_stops_leaves_in_flight_ungraded_and_resumes(tmp_path):
    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites",
                       extra_config=EXTRA)  # fmt: skip
    for k in range(4):
        make_submission_dir(root, f"s{k}", A, REFERENCE_DIR)
    cmd = [sys.executable, "-m", "autograder.cli", "grade", "--workers", "2", "--course-dir",
           str(root)]  # fmt: skip
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)  # fmt: skip
    sanitized = root / ".grading" / "sanitized"
    deadline = time.monotonic() + 300  # a bound on waiting, not an assertion on speed
    while not sanitized.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends: the whole group
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (out, err)
    assert "interrupted: rerun `course grade` to resume" in err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err
    reports = [read_report(root, f"s{k}", A) for k in range(4)]
    assert all(r is None or r.failure is None for r in reports), reports  # ungraded, not errored
    run = coordinator.grade(root, workers=2, progress=False)
    assert run.graded == sum(r is None for r in reports)
    assert all(r.failure is None for r in run.reports)
    rows = _rows(root)
    assert all(rows[f"s{k}"]["tasks"]["task_7_1"] == 3 for k in range(4))


@pytestmark_slow
def test_stock_nbgrader_autograde_alone_computes_its_own_report(tmp_path):
    """Without `course grade`, the record stage's preprocessor scores the folder nbgrader grades
    (sandboxed execution and hidden suite), and the gradebook gets the same points."""
    from autograder import nbgrader_env

    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites",
                       extra_config=EXTRA)  # fmt: skip
    make_submission_dir(root, "reference", A, REFERENCE_DIR)
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "autograde", A, "--force"],
                          cwd=root, env=nbgrader_env(), capture_output=True, text=True)  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    # nbgrader's per-task-cell checksum warning of a pristine submission is not shown
    assert "Attribute 'checksum' for cell" not in proc.stdout + proc.stderr
    assert "[AutogradeApp | " in proc.stdout + proc.stderr  # the log is there, the noise is not
    assert not (root / ".grading").exists()  # no side channel: nothing but the gradebook
    row = _rows(root)["reference"]
    assert row["tasks"]["task_7_1"] == 3 and row["tasks"]["task_7_2"] == 3
    text = (root / "autograded" / "reference" / A / f"{A}.ipynb").read_text()
    assert re.search(r"Hidden tests of task 7\.1: (\d+)/\1 points", text), "no full-marks feedback"
    assert "BEGIN HIDDEN TESTS" not in text
