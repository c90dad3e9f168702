"""``course check TASK`` prints for a person: one line per check, the named mistake or
got/expected under a failure, a one-line total; ``--verbose`` is pytest's own output."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import PUBLIC_FIXTURES, REPO

WRONG_BN_BACKWARD = '''

def batchnorm_backward(dout, cache):   # a student's: the batch mean and variance as constants
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    return dout * gamma * inv_std, (dout * x_hat).sum(axis=0), dout.sum(axis=0)
'''


def _check(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-m", "course_lib.cli", "check", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def wrong_bn(tmp_path) -> Path:
    """A student who wrote batch norm's forward right and its backward with the classic mistake."""
    shutil.copytree(REPO / "course_lib", tmp_path / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    ref = (REPO / "solutions" / "course_lib" / "batchnorm.py").read_text()
    done = re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", "", ref, flags=re.M)
    (tmp_path / "course_lib" / "batchnorm.py").write_text(done + WRONG_BN_BACKWARD)
    return tmp_path


def test_wrong_bn_backward_names_the_mistake(wrong_bn):
    proc = _check(wrong_bn, "5.2")
    assert proc.returncode == 1
    out = proc.stdout
    assert out.startswith("Task 5.2 ")
    assert "Known mistake: mean and variance treated as constants" in out
    assert re.search(r"^  ✗ batchnorm_backward_matches\[", out, re.M)
    assert re.search(r"^  \d+/\d+ checks passed$", out, re.M)
    for noise in ("Traceback", "test_public_check", "FFF", "short test summary", "passed in"):
        assert noise not in out + proc.stderr


def test_one_line_per_check_and_a_total(wrong_bn):
    from course_lib.checks.framework import public_cases

    n = len(public_cases("course_lib", "5.1"))
    proc = _check(wrong_bn, "5.1")
    assert proc.returncode == 0, proc.stdout
    lines = proc.stdout.splitlines()
    assert sum(line.startswith("  ✓ ") for line in lines) == n
    assert lines[-1] == f"  {n}/{n} checks passed"


def test_verbose_is_pytests_output(wrong_bn):
    proc = _check(wrong_bn, "5.1", "--verbose")
    assert proc.returncode == 0
    assert "test_public_check" in proc.stdout and "PASSED" in proc.stdout


def _run_cell(cwd: Path, source: str) -> list[dict]:
    """Execute one code cell in a real kernel in ``cwd`` (whose course_lib it imports)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    old = os.environ.pop("PYTHONPATH", None)
    try:
        NotebookClient(nb, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(cwd)}}).execute()
    except CellExecutionError:
        pass
    finally:
        if old is not None:
            os.environ["PYTHONPATH"] = old
    return nb.cells[0].outputs


def test_check_cell_shows_the_course_check_report_without_traceback(wrong_bn):
    """A failing check cell shows the same report as `course check`, no traceback; the cell
    fails (so Run All stops there)."""
    outputs = _run_cell(wrong_bn, 'from course_lib.checks import check\ncheck("5.2")')
    errors = [o for o in outputs if o["output_type"] == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "ChecksFailed"
    shown = "\n".join(errors[0]["traceback"])
    assert "✗" in shown and "checks passed" in shown
    assert "Traceback" not in shown and "File " not in shown and ".py" not in shown, shown


def test_passing_check_cell_prints_the_report_and_no_value(tmp_path):
    shutil.copytree(REPO / "solutions" / "course_lib", tmp_path / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(PUBLIC_FIXTURES, tmp_path / "course_lib" / "checks" / "fixtures")  # as a student has
    outputs = _run_cell(tmp_path, 'from course_lib.checks import check\ncheck("1.1")')
    assert [o["output_type"] for o in outputs] == ["stream"], outputs  # no `True` under it
    assert "✓" in outputs[0]["text"] and "checks passed" in outputs[0]["text"]
