"""Public checks (what students run before submitting) pass on the reference, fail on the blank
stubs with "not implemented", and name each catalogued mistake that their cases can tell apart."""

import tempfile
from pathlib import Path

import pytest

from autograder.score import InProcessSubmission, framework
from autograder.mistakes import load_catalogue, make_mistaken_package
from autograder.reference import REFERENCE_NAME

fw = framework()
CASES = fw.public_cases(REFERENCE_NAME)
IDS = [c.id for c in CASES]


@pytest.mark.parametrize("pc", CASES, ids=IDS)
def test_reference_passes(pc):
    verdict = fw.run_public_case(pc, REFERENCE_NAME)
    assert verdict.passed, verdict.report()


@pytest.mark.parametrize("pc", CASES, ids=IDS)
def test_blank_stub_fails_as_not_implemented(pc):
    verdict = fw.run_public_case(pc, "course_lib")
    entry = fw.load_fixtures(pc.assignment).get(pc.id)
    if verdict.passed:
        # Only an input check that stubs keep (outside the solution markers) may pass.
        assert entry is not None and entry["expected"]["error"] is not None, f"{pc.id} passes on a stub"
        return
    assert "not implemented" in verdict.message.lower() or "NotImplementedError" in verdict.message


def _fixture_mistakes():
    """(mistake, [public cases whose fixture stores that mistake's distinct outputs])."""
    out = []
    for m in load_catalogue():
        cases = []
        for pc in CASES:
            entry = fw.load_fixtures(pc.assignment).get(pc.id)
            if entry and any(x["name"] == m.name for x in entry["mistakes"]) \
                    and pc.scenario.task == _task_of(m):
                cases.append(pc)
        if cases:
            out.append(pytest.param(m, cases, id=f"{m.target}:{m.slug}"))
    return out


def _task_of(m):
    from course_lib.tasks import task_of

    return task_of(m.module, m.attr).id


@pytest.mark.parametrize("mistake, cases", _fixture_mistakes())
def test_public_checks_name_the_mistake(mistake, cases):
    with tempfile.TemporaryDirectory() as tmp:
        pkg = make_mistaken_package(mistake, Path(tmp))
        with InProcessSubmission(pkg) as sub:
            verdicts = [fw.run_public_case(pc, sub.alias) for pc in cases]
    assert any(v.mistake == mistake.name for v in verdicts), [v.report() for v in verdicts]
    assert not any(v.passed for v in verdicts)
