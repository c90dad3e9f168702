"""``course status`` and the readiness lines of the notebooks' setup cells."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder import REPO

SOLUTIONS = REPO / "solutions"


def _status(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    """``course status`` run as a student would, on the ``course_lib`` in ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", "import sys; from course_lib.cli import main; "
                           "sys.exit(main(sys.argv[1:]))", "status", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def _demarked(module: str) -> str:
    """A reference module as a student who finished it would have it (markers removed)."""
    src = (SOLUTIONS / "course_lib" / f"{module}.py").read_text()
    return re.sub(r"^[ \t]*### (BEGIN|END) SOLUTION[ \t]*\n", "", src, flags=re.M)


@pytest.fixture
def student(tmp_path) -> Path:
    shutil.copytree(REPO / "course_lib", tmp_path / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_blank_release_is_not_started(student):
    from course_lib.tasks import TASKS

    out = _status(student)
    assert out.returncode == 0, out.stderr
    assert f"0 passing, 0 failing, {len(TASKS)} not started" in out.stdout
    assert "NOT READY" in out.stdout and "Traceback" not in out.stdout + out.stderr


def test_half_done_package(student):
    (student / "course_lib" / "layers.py").write_text(_demarked("layers"))      # 1.1, 1.2 done
    losses = (student / "course_lib" / "losses.py").read_text()
    stub = 'raise NotImplementedError("Task 1.3 softmax '
    assert stub in losses
    # a wrong softmax: written (it returns), but it fails its checks
    (student / "course_lib" / "losses.py").write_text(losses.replace(stub, "return scores\n    " + stub, 1))
    out = _status(student)
    lines = {m.group(1): m.group(0) for m in re.finditer(r"^  \S (\d\.\d) .*$", out.stdout, re.M)}
    assert "✓" in lines["1.1"] and "passing" in lines["1.1"]
    assert "✓" in lines["1.2"]
    assert "✗" in lines["1.3"] and "failing public checks" in lines["1.3"]
    assert "not started" in lines["1.4"]
    ready = _status(student, "06_dropout")
    assert ready.returncode == 1
    assert "1.3 Softmax and cross-entropy (failing public checks)" in ready.stdout
    assert "1.1" not in ready.stdout.split("finish first:")[1]


def test_syntax_error_is_failing_not_a_crash(student):
    (student / "course_lib" / "layers.py").write_text("def affine_forward(:\n")
    out = _status(student)
    assert out.returncode == 0, out.stderr
    assert re.search(r"✗ 1\.1 .*failing public checks", out.stdout)


def test_unknown_assignment_is_one_clear_line(student):
    out = _status(student, "99_nope")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "unknown assignment '99_nope'" in out.stderr


def test_every_assignment_declares_what_its_experiments_need():
    from course_lib.tasks import ASSIGNMENTS, EXPERIMENTS_NEED, TASKS_BY_ID

    assert set(EXPERIMENTS_NEED) == set(ASSIGNMENTS)
    order = list(ASSIGNMENTS)
    for assignment, needed in EXPERIMENTS_NEED.items():
        for task_id in needed:       # only earlier assignments: later ones are not written yet
            assert order.index(TASKS_BY_ID[task_id].assignment) < order.index(assignment)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", sorted(
    p.name for p in (SOLUTIONS / "notebooks").iterdir() if (p / f"{p.name}.ipynb").exists()))
def test_declared_needs_match_what_the_notebook_calls(assignment, tmp_path):
    """Trace the solution notebook: the earlier tasks it calls are exactly the declared ones."""
    from course_lib.tasks import EXPERIMENTS_NEED, TASKS_BY_ID

    env = dict(os.environ, PYTHONPATH=str(SOLUTIONS), OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    nb = SOLUTIONS / "notebooks" / assignment / f"{assignment}.ipynb"
    out = subprocess.run([sys.executable, str(REPO / "tests" / "notebook_trace.py"), str(nb)],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    called = set(json.loads(out.stdout.strip().splitlines()[-1]))
    earlier = {t for t in called if TASKS_BY_ID[t].assignment != assignment}
    assert earlier == set(EXPERIMENTS_NEED[assignment])


def test_status_lines_keep_title_and_state_apart():
    """The longest task title still leaves two spaces before its state (a fixed column let long
    titles run into "not started")."""
    from course_lib.status import NOT_STARTED, TaskStatus, format_status
    from course_lib.tasks import TASKS

    report = format_status({t.id: TaskStatus(t, NOT_STARTED, 0, 0) for t in TASKS})
    longest = max(TASKS, key=lambda t: len(t.title))
    (line,) = [ln for ln in report.splitlines() if f" {longest.id} " in ln]
    assert f"{longest.title}  " in line and line.rstrip().endswith(NOT_STARTED), line
