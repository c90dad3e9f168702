"""Public checks: every public scenario case, one pytest item each, marked with its task.

Run one task: ``course check 5.2``, or ``pytest --pyargs course_lib.checks -m task_5_2``.
"""

import pytest

from course_lib.checks.public import public_cases, run_public_case

CASES = public_cases("course_lib")


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.id, marks=getattr(pytest.mark, c.marker)) for c in CASES])
def test_public_check(case):
    verdict = run_public_case(case, "course_lib")
    if not verdict.passed:
        pytest.fail(f"Task {case.scenario.task}: {verdict.report()}", pytrace=False)
