"""Student side of a submission: ``course submit`` zips exactly the allowlist; the grader's
unzip and sanitizer take it back without loss and refuse what is not allowed."""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR
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
    assert names == ["07_penalties.ipynb", "course_lib/__init__.py", "course_lib/penalties.py"]
    dest = tmp_path / "submitted" / "alice" / "07_penalties"
    zipfile.ZipFile(z).extractall(dest)  # what nbgrader's zip_collect does
    rep = sanitize(dest, tmp_path / "clean", "07_penalties", {"07_penalties"})
    assert sorted(rep.kept) == names and not rep.rejected


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
