"""``course release-solutions``: the closed assignments' modules, solved, and nothing else."""

import subprocess
import sys
import zipfile

import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.build.closed_solutions import (
    ClosedSolutionsError,
    modules_by_assignment,
    release_closed_solutions,
    verify,
)


def test_each_module_belongs_to_one_assignment():
    mods = modules_by_assignment()
    owned = [m for ms in mods.values() for m in ms]
    assert len(owned) == len(set(owned))
    assert mods["01_foundations"] >= {"layers", "losses"}


def test_release_holds_only_the_closed_modules_solved(tmp_path):
    path = release_closed_solutions(["01", "03_initialization"], tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist()) - {"README.txt"}
        expected = {f"course_lib/{m}.py" for a in ("01_foundations", "03_initialization")
                    for m in modules_by_assignment()[a]}
        assert names == expected
        layers = zf.read("course_lib/layers.py").decode()
    assert "NotImplementedError(\"Task" not in layers and "BEGIN SOLUTION" not in layers
    # the solved module behaves as the reference: same code, markers gone
    ref = (REFERENCE_DIR / "layers.py").read_text()
    assert [line for line in ref.splitlines() if "### " not in line] == \
        [line for line in layers.splitlines() if "### " not in line]


def test_open_assignments_never_ship(tmp_path):
    path = release_closed_solutions(["01_foundations"], tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    for a, mods in modules_by_assignment().items():
        if a != "01_foundations":
            assert not any(f"course_lib/{m}.py" == n for m in mods for n in names), (a, names)
    with pytest.raises(ClosedSolutionsError, match="not a module of"):
        verify({"course_lib/batchnorm.py": "x = 1\n"}, ["01_foundations"])
    with pytest.raises(ClosedSolutionsError, match="HIDDEN"):
        verify({"course_lib/layers.py": "### BEGIN HIDDEN TESTS\n"}, ["01_foundations"])


def test_command_refuses_an_unknown_assignment_with_one_line(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "release-solutions", "99",
                           "--out", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode != 0 and "unknown assignment '99'" in proc.stderr
    assert "Traceback" not in proc.stderr and not list(tmp_path.iterdir())
    ok = subprocess.run([sys.executable, "-m", "autograder.cli", "release-solutions", "02",
                         "--out", str(tmp_path)], capture_output=True, text=True, cwd=REPO)
    assert ok.returncode == 0 and (tmp_path / "solutions_02.zip").is_file(), ok.stderr
