"""nbval on the solution notebooks: each runs top to bottom with the reference and reproduces its
committed outputs (deterministic rng; timings sanitized; outputs that depend on floating-point
rounding through training are not compared, on any CPU kernel or BLAS thread count)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import REPO
from autograder.build import source_assignments

ASSIGNMENTS = source_assignments()

# The defaults the committed outputs were made under (`make notebooks`): one BLAS thread keeps
# small matrix products fast on a busy machine. A caller's own values win, so that
# `OPENBLAS_NUM_THREADS=2 make test` or `OPENBLAS_CORETYPE=Haswell make test` really runs the
# notebooks that way: outputs that depend on rounding through training are marked
# NBVAL_IGNORE_OUTPUT or sanitized, and the notebooks' asserted findings carry them.
# MPLBACKEND stays unset so the kernel shows figures inline, as in JupyterLab.
NOTEBOOK_DEFAULTS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_notebook_reproduces_its_outputs(assignment):
    nb = REPO / "solutions" / "notebooks" / assignment / f"{assignment}.ipynb"
    env = {**NOTEBOOK_DEFAULTS, **os.environ, "PYTHONPATH": str(REPO / "solutions")}
    env.pop("NBGRADER_EXECUTION", None)
    env.pop("MPLBACKEND", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider",
         "--nbval-sanitize-with", str(Path(__file__).with_name("nbval_sanitize.cfg")),
         "--nbval-cell-timeout", "600", "-q", "-c", os.devnull, "--rootdir", str(nb.parent), str(nb)],
        cwd=nb.parent, env=env, capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]


def test_every_assignment_has_a_notebook():
    from course_lib.tasks import ASSIGNMENTS as KNOWN

    assert set(ASSIGNMENTS) <= set(KNOWN)


def test_framework_tables_match_course_lib_frameworks():
    """A "From course_lib to the frameworks" cell that says it is generated from
    course_lib.frameworks holds markdown() exactly: regenerate the cell when the table changes."""
    import json

    from course_lib.frameworks import COUNTERPARTS, markdown

    checked = 0
    for assignment in ASSIGNMENTS:
        nb = REPO / "solutions" / "notebooks" / assignment / f"{assignment}.ipynb"
        cells = [c for c in json.loads(nb.read_text(encoding="utf-8"))["cells"]
                 if c["metadata"].get("nbgrader", {}).get("grade_id") == "frameworks"]
        if not cells or "generated from `course_lib.frameworks`" not in "".join(cells[0]["source"]):
            continue
        assert assignment in COUNTERPARTS, f"{assignment}: its frameworks cell has no COUNTERPARTS"
        assert markdown(assignment).strip() in "".join(cells[0]["source"]), (
            f"{assignment}: the frameworks cell differs from course_lib.frameworks.markdown()")
        checked += 1
    assert checked, "no notebook has a generated frameworks cell"
