"""The course's autograder: build, sandboxed grading jobs, nbgrader glue, feedback and export.

Never shipped to students. The stages, in the order data flows (CONTRIBUTING.md has the map):
``build`` → ``sanitize`` → ``execute`` → ``score`` → ``jobs`` (one report per job) →
``record`` (the nbgrader gradebook) → ``feedback`` / ``export``.
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
REFERENCE_DIR = SOLUTIONS / "course_lib"
SOURCE_NOTEBOOKS = SOLUTIONS / "notebooks"
STUDENT_LIB = REPO / "course_lib"
RELEASE_NOTEBOOKS = REPO / "notebooks"
SUITES_DIR = Path(__file__).resolve().parent / "suites"

try:
    __version__ = version("ffnn-course")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0+unknown"


def nbgrader_env(**extra: object) -> dict[str, str]:
    """Environment for nbgrader subprocesses: the venv's bin first (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update({k: str(v) for k, v in extra.items()})
    return env
