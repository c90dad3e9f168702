"""The student bundle holds the student package, the release notebooks and their install files,
and nothing from solutions/, the hidden suites or the mistake catalogue."""

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
