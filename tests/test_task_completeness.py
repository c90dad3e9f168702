"""Every graded task has all its parts: reference with markers, stub, public scenarios, a hidden
suite with points, named mistakes, and an autograded check cell in its notebook."""

import json

import pytest

from autograder import REFERENCE_DIR, SOURCE_NOTEBOOKS, SUITES_DIR
from autograder.score import scenarios
from autograder.mistakes import mistakes_for_task
from course_lib.tasks import TASKS


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_task_has_every_part(task):
    source = (REFERENCE_DIR / f"{task.module}.py").read_text()
    assert "### BEGIN SOLUTION" in source, f"{task.module} has no solution markers"
    assert any(s.task == task.id for s in scenarios().values()), f"no public scenario for {task.id}"
    suite = (SUITES_DIR / f"test_{task.assignment}.py").read_text()
    assert f'task="{task.id}"' in suite, f"the hidden suite of {task.assignment} has no test of {task.id}"
    assert mistakes_for_task(task), f"no catalogued mistake for task {task.id}"
    nb = json.loads((SOURCE_NOTEBOOKS / task.assignment / f"{task.assignment}.ipynb").read_text())
    cells = [c for c in nb["cells"]
             if c["metadata"].get("nbgrader", {}).get("grade_id") == "task_" + task.id.replace(".", "_")]
    assert cells, f"no check cell task_{task.id.replace('.', '_')} in the notebook"
    meta = cells[0]["metadata"]["nbgrader"]
    assert meta["grade"] and not meta["solution"] and meta["points"] > 0
    assert f'check("{task.id}")' in "".join(cells[0]["source"])
