"""`course check TASK` (student side): one task's public checks through pytest markers."""

import os
import subprocess
import sys

from autograder import REPO


def _check(*args, solutions=False):
    env = {**os.environ}
    env.pop("PYTHONPATH", None)
    cwd = REPO  # a student runs it from the course folder, where course_lib/ holds the stubs
    if solutions:
        env["PYTHONPATH"] = str(REPO / "solutions")
        cwd = REPO / "solutions"
    return subprocess.run([sys.executable, "-m", "course_lib.cli", "check", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def test_blank_stub_fails_and_says_not_implemented():
    proc = _check("1.1")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "not implemented yet: Task 1.1" in proc.stdout


def test_reference_passes_one_task_and_runs_only_that_task():
    proc = _check("1.1", "-v", solutions=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "affine" in proc.stdout and "batchnorm" not in proc.stdout


def test_unknown_task_is_a_clear_error():
    proc = _check("9.9")
    assert proc.returncode == 2 and "unknown task or assignment '9.9'" in proc.stderr


def test_list_names_every_task():
    proc = _check("--list")
    assert proc.returncode == 0 and "5.2" in proc.stdout and "batchnorm_backward" in proc.stdout


def test_the_course_command_starts_without_the_graders_imports():
    """`.venv/bin/course check 5.2`, as the README tells a student, is the `course` command of
    autograder.cli: building its parser must not import nbgrader (seconds of imports, before a
    check that takes half a second)."""
    code = ("import sys\nfrom autograder.cli import main\nrc = main(['check', '--list'])\n"
            "heavy = sorted(m for m in ('nbgrader', 'nbformat', 'jsonschema', 'sqlalchemy')"
            " if m in sys.modules)\nassert not heavy, heavy\nsys.exit(rc)\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-500:] + proc.stderr[-1500:]
    assert "5.2" in proc.stdout
