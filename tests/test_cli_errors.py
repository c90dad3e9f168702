"""Typos never look like success: every instructor ``course`` command exits non-zero with one
line (no traceback) on a folder that is not a course, a missing ``--course-dir``, an unknown
assignment or an unknown student, and creates nothing (no stray ``gradebook.db``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import REPO
from autograder.cli import main

FIX_NB = REPO / "tests" / "fixtures" / "grading" / "source" / "07_penalties" / "07_penalties.ipynb"
A = "07_penalties"
COURSE_COMMANDS = (["grade"], ["feedback"], ["export"], ["report"])


def _run(argv, capsys):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def course(tmp_path):
    """A course directory as far as the commands' checks read it: the configuration, one
    released assignment, one collected submission (alice's) and one graded one."""
    root = tmp_path / "course"
    (root / "release" / A).mkdir(parents=True)
    (root / "release" / A / f"{A}.ipynb").write_bytes(FIX_NB.read_bytes())
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()\nc.CourseDirectory.root = {str(root)!r}\n"
    )
    (root / "submitted" / "alice" / A).mkdir(parents=True)
    (root / "autograded" / "alice" / A).mkdir(parents=True)
    return root


@pytest.mark.parametrize("command", COURSE_COMMANDS, ids=lambda c: c[0])
def test_not_a_course_folder(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    rc, out, err = _run(command, capsys)
    assert rc != 0
    assert "not a course folder (no nbgrader_config.py)" in _one_line(err)
    assert list(tmp_path.iterdir()) == []  # no stray gradebook.db, nothing else


@pytest.mark.parametrize("command", COURSE_COMMANDS, ids=lambda c: c[0])
def test_missing_course_dir(command, tmp_path, capsys):
    missing = tmp_path / "nope"
    rc, out, err = _run([*command, "--course-dir", str(missing)], capsys)
    assert rc != 0
    assert _one_line(err) == f"course {command[0]}: --course-dir {missing}: no such folder"
    assert not missing.exists()


def test_missing_course_dir_in_a_subprocess(tmp_path):
    """The installed command, as a user runs it: exit status and stderr, nothing else."""
    proc = subprocess.run(
        [sys.executable, "-m", "autograder.cli", "grade", "--course-dir", str(tmp_path / "x")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 2
    assert _one_line(proc.stderr).endswith("no such folder")


@pytest.mark.parametrize("command", (["grade"], ["feedback"], ["report"]), ids=lambda c: c[0])
def test_unknown_assignment(command, course, capsys):
    rc, out, err = _run([*command, "99_nope", "--course-dir", str(course)], capsys)
    assert rc != 0
    assert _one_line(err) == (
        f"course {command[0]}: unknown assignment '99_nope'; this course has: {A}"
    )
    assert "feedback HTML" not in out
    assert not (course / "gradebook.db").exists()


@pytest.mark.parametrize("command", (["grade"], ["feedback"]), ids=lambda c: c[0])
def test_unknown_student(command, course, capsys):
    rc, out, err = _run([*command, A, "--student", "nobody", "--course-dir", str(course)], capsys)
    assert rc != 0
    line = _one_line(err)
    assert "unknown student 'nobody'" in line and "alice" in line
    assert "feedback HTML" not in out


def test_student_without_that_assignment(course, capsys):
    (course / "release" / "01_foundations").mkdir()
    (course / "release" / "01_foundations" / "01_foundations.ipynb").write_bytes(FIX_NB.read_bytes())
    rc, out, err = _run(
        ["grade", "01_foundations", "--student", "alice", "--course-dir", str(course)], capsys
    )
    assert rc != 0
    assert "'alice' has a folder in submitted/ but nothing of 01_foundations" in _one_line(err)


def test_nothing_to_grade_is_not_success(course, capsys):
    (course / "submitted" / "alice" / A).rmdir()
    rc, out, err = _run(["grade", "--course-dir", str(course)], capsys)
    assert rc != 0 and "graded 0" not in out
    assert "no submission in" in _one_line(err)


def test_export_without_a_gradebook(course, capsys):
    rc, out, err = _run(["export", "--course-dir", str(course)], capsys)
    assert rc != 0
    assert "no gradebook" in _one_line(err)
    assert not (course / "gradebook.db").exists()


def test_export_from_an_unreadable_gradebook(course, tmp_path, capsys):
    out_csv = tmp_path / "grades.csv"
    rc, out, err = _run(["export", "--course-dir", str(course), "--db-url",
                         f"sqlite:///{tmp_path / 'missing' / 'x.db'}", "--out", str(out_csv)],
                        capsys)  # fmt: skip
    assert rc != 0
    assert "cannot read the gradebook sqlite:///" in _one_line(err)
    assert not out_csv.exists()


def test_feedback_failure_is_one_line_and_no_success_message(course, capsys):
    """alice's autograded folder exists, the gradebook knows nothing of it: nbgrader fails, and
    the command says so in one line (its log in a file) without announcing feedback HTML."""
    (course / "autograded" / "alice" / A / f"{A}.ipynb").write_bytes(FIX_NB.read_bytes())
    rc, out, err = _run(["feedback", A, "--course-dir", str(course)], capsys)
    assert rc != 0
    line = _one_line(err)
    assert line.startswith(f"course feedback: nbgrader generate_feedback failed for {A}")
    assert "feedback HTML" not in out
    assert (course / ".grading" / "feedback.log").is_file()


def test_stock_nbgrader_without_an_activated_venv(tmp_path):
    """``.venv/bin/nbgrader generate_assignment --force`` from a course using the repository's
    nbgrader_config.py, with a PATH that lacks the venv: nbgrader finds ``alembic`` (the
    configuration puts the interpreter's bin first) and the release is regenerated."""
    course = tmp_path / "course"
    (course / "solutions" / "notebooks").mkdir(parents=True)
    shutil.copytree(FIX_NB.parent, course / "solutions" / "notebooks" / A)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    (course / "notebooks" / A).mkdir(parents=True)
    (course / "notebooks" / A / "old.txt").write_text("the previous release")
    nbgrader = Path(sys.executable).parent / "nbgrader"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([str(nbgrader), "generate_assignment", A, "--force"], cwd=course,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "alembic" not in proc.stderr
    assert (course / "notebooks" / A / f"{A}.ipynb").is_file()
    assert (course / "gradebook.db").is_file()
