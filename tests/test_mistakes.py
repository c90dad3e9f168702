"""The mistake catalogue: every graded task has named mistakes, and on the public cases every
variant is told apart from the reference and from every other variant of its task (a variant that
the public cases cannot tell apart can never be named by the public checks)."""

from __future__ import annotations

import itertools

import pytest

from autograder.score import framework
from autograder.mistakes import load_catalogue, make_mistaken_package, mistakes_for_task
from autograder.reference import REFERENCE_NAME, load_reference

fw = framework()
CASES = fw.public_cases(REFERENCE_NAME)
TASKS = load_reference().tasks.TASKS


def _outcomes(task, override=None):
    """The outcome of each public case of ``task`` on the reference, with ``override``
    (``{target: variant}``) in place of the reference's function."""
    lib = fw.LibView(REFERENCE_NAME, override or {})
    return [
        (pc, fw.run_scenario(pc.scenario, lib, pc.case))
        for pc in CASES
        if pc.scenario.task == task.id
    ]


def _differ(a, b) -> bool:
    """Whether two runs of the same public cases disagree on at least one case."""
    return any(
        fw.compare_outcomes(x, y, pc.scenario.rtol, pc.scenario.atol) is not None
        or fw.compare_outcomes(y, x, pc.scenario.rtol, pc.scenario.atol) is not None
        for (pc, x), (_, y) in zip(a, b, strict=True)
    )


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_every_graded_task_has_a_named_mistake(task):
    assert mistakes_for_task(task), f"task {task.id} ({task.title}) has no catalogued mistake"


@pytest.mark.parametrize("task", TASKS, ids=[t.id for t in TASKS])
def test_variants_differ_from_the_reference_and_from_each_other(task):
    reference = _outcomes(task)
    assert reference, f"task {task.id} has no public case"
    runs = {
        f"{m.target}:{m.slug}": _outcomes(task, {m.target: m.obj}) for m in mistakes_for_task(task)
    }
    same_as_reference = [key for key, run in runs.items() if not _differ(run, reference)]
    assert not same_as_reference, (
        f"indistinguishable from the reference on the public cases: {same_as_reference}"
    )
    twins = [
        (a, b)
        for (a, ra), (b, rb) in itertools.combinations(runs.items(), 2)
        if not _differ(ra, rb)
    ]
    assert not twins, f"pairs of variants the public cases cannot tell apart: {twins}"


def test_catalogue_names_are_unique_per_target():
    seen = {}
    for m in load_catalogue():
        assert (m.target, m.name) not in seen, f"{m.target}: two mistakes named {m.name!r}"
        seen[(m.target, m.name)] = m


def _called_by_its_module(m) -> bool:
    """Whether another function of the reference module calls ``m.attr``."""
    import importlib
    import inspect

    module = importlib.import_module(f"{REFERENCE_NAME}.{m.module}")
    return any(
        m.attr in f.__code__.co_names
        for f in vars(module).values()
        if inspect.isfunction(f) and f.__module__ == module.__name__ and f.__name__ != m.attr
    )


@pytest.mark.parametrize("m", load_catalogue(), ids=lambda m: f"{m.target}:{m.slug}")
def test_mistaken_package_imports_and_behaves_as_the_variant(m, tmp_path):
    """The demo's student with this mistake: a reference copy whose ``m.attr`` is the variant,
    with the catalogue helpers it uses, and whose outcomes on the public cases of the variant's
    task are the variant's (a helper left behind, or shadowed by a name of the reference module,
    would show here)."""
    import importlib.util
    import sys

    pkg = make_mistaken_package(m, tmp_path)
    name = f"_mistaken_{abs(hash(m.target + m.obj.__name__))}"
    spec = importlib.util.spec_from_file_location(
        name, pkg / "__init__.py", submodule_search_locations=[str(pkg)]
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
        sub = importlib.import_module(f"{name}.{m.module}")
        assert getattr(sub, m.attr).__name__ == m.obj.__name__
        if _called_by_its_module(m):
            return  # spliced, the variant changes its callers too, as a student's mistake would
        task = load_reference().tasks.task_of(m.module, m.attr)
        registered = _outcomes(task, {m.target: m.obj})
        spliced = [(pc, fw.run_scenario(pc.scenario, fw.LibView(name), pc.case)) for pc, _ in registered]
        assert not _differ(registered, spliced), (
            f"the spliced {m.obj.__name__} behaves unlike the catalogued one on the public cases"
        )
    finally:
        for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
            del sys.modules[key]
