"""The course's autograder: build, sandboxed hidden suites, mistake diagnosis, nbgrader glue.

Never shipped to students. Stages follow nbgrader's: sanitize, execute, score, record, feedback.
"""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOLUTIONS = REPO / "solutions"
REFERENCE_DIR = SOLUTIONS / "course_lib"
SOURCE_NOTEBOOKS = SOLUTIONS / "notebooks"
STUDENT_LIB = REPO / "course_lib"
RELEASE_NOTEBOOKS = REPO / "notebooks"
SUITES_DIR = Path(__file__).resolve().parent / "suites"
