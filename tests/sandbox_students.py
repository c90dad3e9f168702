"""Students for the sandbox tests: the reference package with ``l2_penalty`` redefined (appended to
``penalties.py``); scenario ``l2_penalty_matches`` (task 7.1) is then judged in the grader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR
from autograder.score import GradeFailure, StudentError
from autograder.sandbox import Limits
from autograder.score.sandboxed import SandboxedSubmission

CASE = dict(seed=7, lam=0.4)


def _refusal() -> str:
    """Why this machine's sandbox refuses to run student code ("" when it runs it)."""
    from autograder.sandbox import SandboxFault
    from autograder.sandbox.host.isolation import refuse_if_unsafe, sandbox_mode_line

    try:
        refuse_if_unsafe()
    except SandboxFault:
        return sandbox_mode_line()
    return ""


def _unsafe() -> bool:
    """Whether student code runs unsafely here (accepted with COURSE_SANDBOX_ALLOW_UNSAFE=1)."""
    from autograder.sandbox import mode
    from autograder.sandbox.host import reduced
    from autograder.sandbox.host.isolation import interpreter_paths

    paths = interpreter_paths()
    return mode() != "bwrap" and bool(reduced.risks(paths["exe"], paths["site"]))


needs_unprivileged_sandbox = pytest.mark.skipif(
    "__import__('sandbox_students')._unsafe()",
    reason="the sandbox runs student code unsafely here (as root or as the grader, accepted with "
           "COURSE_SANDBOX_ALLOW_UNSAFE=1): process limits and file permissions do not hold")

needs_safe_sandbox = pytest.mark.skipif(
    "bool(__import__('sandbox_students')._refusal())",
    reason="the sandbox refuses to run student code on this machine (no bubblewrap; see the "
           "'sandbox:' line of the test header, or set COURSE_SANDBOX_ALLOW_UNSAFE=1)")


def student(tmp_path: Path, name: str, code: str = "", init: str = "") -> Path:
    """A submission folder whose ``course_lib`` is the reference plus ``code`` (and ``init``)."""
    root = tmp_path / name
    shutil.copytree(REFERENCE_DIR, root / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__", "checks"))
    if code:
        p = root / "course_lib" / "penalties.py"
        p.write_text(p.read_text() + "\n\n" + code)
    if init:
        p = root / "course_lib" / "__init__.py"
        p.write_text(p.read_text() + "\n" + init)
    return root


def grade_l2(root: Path, limits: Limits | None = None):
    """None if the student's l2_penalty passes, else the failure message."""
    with SandboxedSubmission(root, limits=limits or Limits(wall_seconds=3.0,
                                                          memory_bytes=1 << 30)) as sub:
        try:
            sub.check("l2_penalty_matches", **CASE)
            return None
        except (GradeFailure, StudentError) as exc:
            return str(exc)
