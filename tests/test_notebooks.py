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
