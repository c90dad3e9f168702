"""The trusted side of every scenario: the reference's copy of the scenario framework, the
reference's outcome of a case and the outcomes of the catalogued mistakes (all in the grader's
process, never in a sandbox).
"""

from __future__ import annotations

import importlib
import json

from ..reference import REFERENCE_NAME, load_reference


def framework():
    """The trusted copy of the scenario framework (the reference's)."""
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.checks.framework")


_SCENARIOS: dict | None = None


def scenarios() -> dict:
    global _SCENARIOS
    if _SCENARIOS is None:
        _SCENARIOS = framework().load_scenarios(REFERENCE_NAME)
    return _SCENARIOS


def get_scenario(name: str):
    try:
        return scenarios()[name]
    except KeyError:
        raise KeyError(f"no scenario called {name!r}") from None


def _task(task_id: str):
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.tasks").get_task(task_id)


_REF_CACHE: dict = {}


def reference_outcome(name: str, case: dict):
    """The reference's outcome of a scenario case (cached: the reference is deterministic)."""
    key = (name, json.dumps(case, sort_keys=True, default=str))
    if key not in _REF_CACHE:
        fw = framework()
        _REF_CACHE[key] = fw.run_scenario(get_scenario(name), fw.LibView(REFERENCE_NAME), case)
    return _REF_CACHE[key]


def mistake_outcomes(name: str, case: dict):
    """``(name, hint, outcome)`` of each catalogued mistake that could explain a wrong outcome of
    the scenario: first the mistakes of its own task, then those of the other tasks of the same
    module (a backward pass fed by a wrong forward pass fails because of the forward pass)."""
    from ..mistakes import load_catalogue, mistakes_for_task

    fw = framework()
    scn = get_scenario(name)
    task = _task(scn.task)
    own = mistakes_for_task(task)
    others = [m for m in load_catalogue() if m.module == task.module and m not in own]
    tasks = importlib.import_module(f"{REFERENCE_NAME}.tasks")
    for m in own + others:
        key = (name, json.dumps(case, sort_keys=True, default=str), m.target, m.obj.__name__)
        if key not in _REF_CACHE:
            _REF_CACHE[key] = fw.run_scenario(
                scn, fw.LibView(REFERENCE_NAME, {m.target: m.obj}), case
            )
        if m in own:
            yield m.name, m.hint, _REF_CACHE[key]
        else:
            try:
                where = f"task {tasks.task_of(m.module, m.attr).id}, {m.attr}"
            except KeyError:
                where = m.attr
            yield f"{m.name} ({where})", m.hint, _REF_CACHE[key]
