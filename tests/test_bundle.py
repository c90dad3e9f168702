"""The student bundle holds the student package, the release notebooks and their install files,
and nothing from solutions/, the hidden suites or the mistake catalogue."""

import tomllib
import zipfile
from pathlib import Path

import pytest

from autograder import REPO
from autograder.bundle import NAME, BundleError, make_bundle, verify


def _long_lines(paths):
    for p in paths:
        for line in p.read_text().splitlines():
            s = line.strip()
            if len(s) > 30 and not s.startswith(("#", "import ", "from ", '"""')):
                yield s


def test_bundle_contents_and_no_secrets(tmp_path):
    zpath = make_bundle(tmp_path)
    with zipfile.ZipFile(zpath) as zf:
        names = zf.namelist()
        texts = {n: zf.read(n).decode("utf-8", "replace") for n in names}
    tops = {Path(n).parts[1] for n in names}
    assert tops == {"course_lib", "notebooks", "README.md", "pyproject.toml", "environment.yml",
                    "requirements.lock"}
    blob = "\n".join(texts.values())
    secret = list(_long_lines(list((REPO / "autograder" / "suites").glob("*.py"))
                             + list((REPO / "autograder" / "mistakes").glob("*.py"))))
    leaked = [s for s in secret if s in blob and "def " not in s[:4]]
    assert not leaked, leaked[:5]
    student = tomllib.loads(texts[f"{NAME}/pyproject.toml"])
    main = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert student["project"]["dependencies"] == main["project"]["dependencies"]
    assert student["project"]["scripts"]["course"] == "course_lib.cli:main"


def test_verify_refuses_a_marker(tmp_path):
    (tmp_path / "course_lib").mkdir()
    (tmp_path / "course_lib" / "x.py").write_text("### BEGIN SOLUTION\n")
    with pytest.raises(BundleError, match="BEGIN SOLUTION"):
        verify(tmp_path)
