"""Student side of a submission: ``course submit`` zips exactly the allowlist; the grader's
unzip and sanitizer take it back without loss and refuse what is not allowed."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.sanitize import is_allowed, sanitize


def _submit_module():
    spec = importlib.util.spec_from_file_location("course_submit_under_test",
                                                  REFERENCE_DIR / "submit.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


NB = '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}'


@pytest.fixture
def course(tmp_path):
    (tmp_path / "notebooks" / "07_penalties").mkdir(parents=True)
    (tmp_path / "notebooks" / "07_penalties" / "07_penalties.ipynb").write_text(NB)
    lib = tmp_path / "course_lib"
    (lib / "checks" / "fixtures").mkdir(parents=True)
    (lib / "__init__.py").write_text("")
    (lib / "penalties.py").write_text("x = 1\n")
    (lib / "checks" / "framework.py").write_text("# grader provides this\n")
    (lib / "notes.txt").write_text("not code")
    return tmp_path


def test_zip_holds_exactly_the_allowlist(course, tmp_path):
    sub = _submit_module()
    z = sub.make_submission("07_penalties", out=tmp_path / "s.zip", root=course)
    names = sorted(zipfile.ZipFile(z).namelist())
    assert names == ["07_penalties.ipynb", "course_lib/__init__.py", "course_lib/penalties.py",
                     "timestamp.txt"]
    dest = tmp_path / "submitted" / "alice" / "07_penalties"
    zipfile.ZipFile(z).extractall(dest)  # what nbgrader's zip_collect does
    rep = sanitize(dest, tmp_path / "clean", "07_penalties", {"07_penalties"})
    assert sorted(rep.kept) == names[:-1] and not rep.rejected  # the timestamp is kept aside
    assert (tmp_path / "clean" / "timestamp.txt").is_file()


def test_clear_errors(course, tmp_path):
    sub = _submit_module()
    with pytest.raises(sub.SubmissionError, match="no assignment"):
        sub.make_submission("99_nope", root=course)
    big = course / "course_lib" / "big.py"
    big.write_text("#" * (sub.MAX_FILE_BYTES + 1))
    with pytest.raises(sub.SubmissionError, match="cap"):
        sub.make_submission("07_penalties", out=tmp_path / "s.zip", root=course)


def test_allowlist():
    assert is_allowed("course_lib/layers.py") is None
    assert is_allowed("A.ipynb", notebooks={"A"}) is None
    assert "escapes" in is_allowed("../x.py")
    assert "grader" in is_allowed("course_lib/checks/framework.py")
    assert is_allowed("numpy.py") is not None
    assert is_allowed("course_lib/data.npz") is not None


def test_sanitize_rejects_symlinks_and_bad_notebooks(tmp_path):
    src = tmp_path / "s"
    (src / "course_lib").mkdir(parents=True)
    (src / "course_lib" / "layers.py").symlink_to("/etc/passwd")
    (src / "A.ipynb").write_text("{ not json")
    (src / "course_lib" / "ok.py").write_text("y = 2\n")
    rep = sanitize(src, tmp_path / "d", "A", {"A"})
    assert rep.kept == ["course_lib/ok.py"]
    assert ("course_lib/layers.py", "symbolic link") in rep.rejected
    assert "not valid JSON" in rep.notebook_errors["A.ipynb"]


def test_zip_holds_nbgraders_timestamp(course, tmp_path):
    """``timestamp.txt`` in nbgrader's format: nbgrader reads it back (formgrader's timestamp,
    the late penalty), and the sanitizer keeps it."""
    import datetime

    from nbgrader.coursedir import CourseDirectory

    sub = _submit_module()
    when = datetime.datetime(2026, 3, 1, 23, 59, 30, 250000, tzinfo=datetime.timezone.utc)
    z = sub.make_submission("07_penalties", out=tmp_path / "s.zip", root=course, now=when)
    dest = tmp_path / "submitted" / "alice" / "07_penalties"
    zipfile.ZipFile(z).extractall(dest)
    assert (dest / "timestamp.txt").read_text() == "2026-03-01 23:59:30.250000 UTC"
    assert CourseDirectory().get_existing_timestamp(str(dest)) == when.replace(tzinfo=None)
    sanitize(dest, tmp_path / "clean", "07_penalties", {"07_penalties"})
    assert (tmp_path / "clean" / "timestamp.txt").read_bytes() == (dest / "timestamp.txt").read_bytes()


def _student_folder(tmp_path: Path, lib: Path) -> Path:
    """A student's folder: the release's ``course_lib`` (with its public fixtures), with
    ``lib``'s sources over it (the reference's, for a student who finished every task)."""
    from autograder import STUDENT_LIB

    root = tmp_path / "student"
    shutil.copytree(REPO / "notebooks" / "07_penalties", root / "notebooks" / "07_penalties")
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(STUDENT_LIB, root / "course_lib", ignore=skip)
    shutil.copytree(lib, root / "course_lib", ignore=skip, dirs_exist_ok=True)
    return root


def _course_submit(root: Path, *args: str) -> subprocess.CompletedProcess:
    """``course submit`` as a student runs it, in their folder (their ``course_lib``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(
        [sys.executable, "-c", "import sys; from course_lib.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "submit", "07_penalties", *args],
        cwd=root, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("finished", [False, True], ids=["blank", "reference"])
def test_submit_warns_but_never_refuses_on_failing_checks(tmp_path, finished):
    from autograder import STUDENT_LIB

    root = _student_folder(tmp_path, REFERENCE_DIR if finished else STUDENT_LIB)
    if not finished:  # one task written wrongly, the others left as stubs
        path = root / "course_lib" / "penalties.py"
        stub = 'raise NotImplementedError("Task 7.1 l2_penalty'
        assert stub in path.read_text()
        path.write_text(path.read_text().replace(stub, "return 0.0, []\n    " + stub, 1))
    out = _course_submit(root)
    assert out.returncode == 0, out.stderr
    assert (root / "07_penalties.zip").is_file()
    assert "Traceback" not in out.stderr
    if finished:
        assert "warning" not in out.stderr
    else:
        assert "warning: not every public check of 07_penalties passes" in out.stderr
        assert re.search(r"^  7\.1 .*: failing public checks \(\d+/\d+\): ", out.stderr, re.M)
        assert re.search(r"^  7\.2 .*: not started", out.stderr, re.M)
    quiet = _course_submit(root, "--no-checks", "--out", str(tmp_path / "q.zip"))
    assert quiet.returncode == 0 and "warning" not in quiet.stderr


def test_one_course_submit():
    """The instructor's ``course`` and the student's have the same ``submit`` (one
    implementation, course_lib/cli.py): same options, same function."""
    import argparse

    from autograder.cli import parser as instructor_parser
    from course_lib.cli import add_student_commands

    student = argparse.ArgumentParser()
    add_student_commands(student.add_subparsers(dest="command"))

    def submit_of(p):
        sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
        return sub.choices["submit"]

    def options(p):
        return sorted((tuple(a.option_strings), a.dest) for a in submit_of(p)._actions)

    assert options(instructor_parser()) == options(student)
    args = instructor_parser().parse_args(["submit", "07_penalties", "--no-checks"])
    assert args.func is submit_of(student).get_default("func")
