"""Each hidden suite, run in-process on trusted code: the reference scores full marks, the blank
stubs score zero, and every catalogued mistake loses points in its task and is named.

(The sandboxed, end-to-end version through nbgrader is tests/test_grading_e2e.py.)"""

import pytest

from autograder import SUITES_DIR
from autograder.dev_table import dev_table

ASSIGNMENTS = sorted(p.stem.removeprefix("test_") for p in SUITES_DIR.glob("test_*.py"))


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_suite_scores_reference_stubs_and_mistakes(assignment):
    rows = dict(dev_table(assignment))
    reference, stubs = rows.pop("reference"), rows.pop("blank stubs")
    assert reference.results, "the suite has no tests"
    for task, (earned, possible) in reference.task_scores().items():
        assert earned == possible > 0, f"reference loses points on {task}: " + reference.feedback(task)
    for task, (earned, possible) in stubs.task_scores().items():
        assert earned == 0, f"blank stubs earn points on {task}"
    for label, report in rows.items():
        task, _, name = label.partition(" ")
        earned, possible = report.task_scores().get(task, (0, 0))
        assert earned < possible, f"mistake {name!r} scores full marks on task {task}"
        text = " ".join(report.mistakes(task)) + " ".join(r.message for r in report.results)
        assert name in text, f"mistake {name!r} is not named; feedback:\n" + report.feedback(task)
