"""The score stage: a sanitized submission's ``course_lib`` in, its hidden suite's
:class:`SuiteReport` out.

* :mod:`.scenarios` — the trusted side: the reference's scenario framework, the reference's and
  the catalogued mistakes' outcomes;
* :mod:`.submission` — a submission as the suites see it (judged here, in the grader's process);
  :mod:`.sandboxed` runs the student's side in a sandboxed worker (:mod:`autograder.sandbox`);
* :mod:`.suite` — running a hidden suite (``autograder/suites/``) and its report.

The development table that grades the example class with it is :mod:`autograder.dev_table`.
"""

from .scenarios import framework, get_scenario, mistake_outcomes, reference_outcome, scenarios
from .submission import GradeFailure, InProcessSubmission, StudentError, Submission
from .suite import SuiteReport, TestResult, points, run_suite, suite_path

__all__ = [
    "GradeFailure",
    "InProcessSubmission",
    "StudentError",
    "Submission",
    "SuiteReport",
    "TestResult",
    "framework",
    "get_scenario",
    "mistake_outcomes",
    "points",
    "reference_outcome",
    "run_suite",
    "scenarios",
    "suite_path",
]
