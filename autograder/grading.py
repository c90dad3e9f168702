"""Compatibility names for callers written before the stages were split (until they move):
the course directory's helpers, the CSV and ``grade`` (which now returns a
:class:`~autograder.jobs.pool.GradeRun` of job reports). New code imports from the stages."""

from . import nbgrader_env
from .export import export_csv
from .jobs.pool import grade
from .record.course import init_course, make_submission_dir, release_notebooks

__all__ = [
    "export_csv",
    "grade",
    "init_course",
    "make_submission_dir",
    "nbgrader_env",
    "release_notebooks",
]
