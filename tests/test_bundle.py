"""The student bundle holds the student package, the release notebooks and their install files,
and nothing from solutions/, the hidden suites or the mistake catalogue."""

import json
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

import pytest

from autograder import REPO
from autograder.build.bundle import NAME, BundleError, make_bundle, verify


def test_bundle_contents_and_no_secrets(tmp_path):
    zpath = make_bundle(tmp_path)
    with zipfile.ZipFile(zpath) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n).decode("utf-8", "replace") for n in names}
    tops = {Path(n).parts[1] for n in names}
    assert tops == {"course_lib", "notebooks", "README.md", "pyproject.toml", "environment.yml",
                    "requirements.lock"}
    # The package and notebooks are exactly the generated student files, which tests/test_build.py
    # proves free of solution bodies, markers and hidden tests.
    for n in names:
        rel = Path(*Path(n).parts[1:])
        if rel.parts[0] in ("course_lib", "notebooks"):
            # generated from solutions/, as the committed files are (the release notebooks: up
            # to round-off in their outputs; the package, fixtures included: byte for byte)
            if rel.suffix == ".ipynb":
                from autograder.build.fixtures import json_trees_close

                assert json_trees_close(json.loads((REPO / rel).read_text()),
                                        json.loads(zf_bytes(zpath, n))), f"{rel} differs"
            else:
                assert (REPO / rel).read_bytes() == zf_bytes(zpath, n), f"{rel} differs from the generated file"
    for secret_dir in ("solutions", "autograder", "tests"):
        assert not any(Path(n).parts[1] == secret_dir for n in names)
    student = tomllib.loads(texts[f"{NAME}/pyproject.toml"])
    main = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert student["project"]["dependencies"] == main["project"]["dependencies"]
    assert student["project"]["scripts"]["course"] == "course_lib.cli:main"


def zf_bytes(zpath, name):
    with zipfile.ZipFile(zpath) as zf:
        return zf.read(name)


def test_verify_refuses_a_marker(tmp_path):
    (tmp_path / "course_lib").mkdir()
    (tmp_path / "course_lib" / "x.py").write_text("### BEGIN SOLUTION\n")
    with pytest.raises(BundleError, match="BEGIN SOLUTION"):
        verify(tmp_path)


def test_bundle_is_built_from_solutions_not_the_working_copy(tmp_path, monkeypatch):
    """A working copy with a student's edits (a solved function, an answered notebook) changes
    nothing in the bundle: it is generated from solutions/."""
    import autograder
    import autograder.build.bundle as bundle

    edited = tmp_path / "working"
    shutil.copytree(REPO / "course_lib", edited / "course_lib")
    shutil.copytree(REPO / "notebooks", edited / "notebooks")
    (edited / "course_lib" / "penalties.py").write_text(
        (REPO / "solutions" / "course_lib" / "penalties.py").read_text())
    for mod in (autograder, bundle):
        monkeypatch.setattr(mod, "STUDENT_LIB", edited / "course_lib", raising=False)
        monkeypatch.setattr(mod, "RELEASE_NOTEBOOKS", edited / "notebooks", raising=False)
    root = bundle.stage(tmp_path / "out")
    shipped = (root / "course_lib" / "penalties.py").read_text()
    assert shipped == (REPO / "course_lib" / "penalties.py").read_text()
    assert 'raise NotImplementedError("Task 7.1' in shipped


def test_verify_refuses_a_reference_body(tmp_path):
    from autograder import STUDENT_LIB

    lib = tmp_path / "course_lib"
    shutil.copytree(STUDENT_LIB, lib)
    verify(tmp_path)  # the generated stubs pass
    solved = re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", "",
                    (REPO / "solutions" / "course_lib" / "dropout.py").read_text(), flags=re.M)
    (lib / "dropout.py").write_text(solved)
    with pytest.raises(BundleError, match=r"dropout_forward \(task 6.1\) is not its stub"):
        verify(tmp_path)


def test_verify_refuses_an_uncleared_solution_cell(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": "x = 42", "outputs": [], "execution_count": None,
                     "metadata": {"nbgrader": {"solution": True, "grade_id": "q1"}}}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "a.ipynb").write_text(json.dumps(nb))
    with pytest.raises(BundleError, match=r"cell 0 \(q1\) is a solution cell that is not cleared"):
        verify(tmp_path)
