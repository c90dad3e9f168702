# nbgrader configuration of the course: stock nbgrader commands work from the repository root
# (`nbgrader generate_assignment 05_batchnorm`, `nbgrader autograde 05_batchnorm`, formgrader,
# `nbgrader generate_feedback`, `nbgrader export`), with the trusted pipeline of autograder/execute/
# and autograder/record/: the notebook runs in the sandbox, task cells are scored by the sandboxed
# hidden suites, hidden tests never reach the autograded copy or the feedback.
import os
import sys

_ROOT = os.path.dirname(os.path.abspath(__file__))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from autograder.record.config import configure  # noqa: E402

# nbgrader runs `alembic` (creating or upgrading the gradebook), found on PATH: the tools of the
# interpreter running nbgrader come first, so `.venv/bin/nbgrader ...` works without an
# activated venv (and never fails after `--force` has already deleted the old release).
_BIN = os.path.dirname(sys.executable)
if _BIN not in os.environ.get("PATH", "").split(os.pathsep):
    os.environ["PATH"] = _BIN + os.pathsep + os.environ.get("PATH", "")

c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.root = _ROOT
c.CourseDirectory.course_id = "ffnn"
c.CourseDirectory.source_directory = "solutions/notebooks"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# The gradebook: SQLite by default; any SQLAlchemy URL works, e.g. for several graders
# c.CourseDirectory.db_url = "postgresql://grader@localhost/ffnn"
configure(c)
