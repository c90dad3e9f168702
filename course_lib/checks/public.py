"""Public checks (student side): every public case of every scenario, judged against stored
reference outputs (``fixtures/<assignment>.json``) instead of the reference itself.

In a notebook: ``check("5.2")``; in a terminal: ``course check 5.2``.
"""

from __future__ import annotations

import importlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .judge import Verdict, evaluate
from .runner import LibView, run_scenario
from .scenario import Scenario, load_scenarios
from .wire import decode_outcome


_HERE = Path(__file__).resolve().parent
# `course build` generates the stored reference outputs into the student package
# (course_lib/checks/fixtures/). The source package, solutions/course_lib/, holds no generated
# file: run from there, the fixtures are the student package's beside it.
if _HERE.parents[1].name == "solutions":
    FIXTURE_DIR = _HERE.parents[2] / "course_lib" / "checks" / "fixtures"
else:
    FIXTURE_DIR = _HERE / "fixtures"


def fixture_path(assignment: str, directory: Path | None = None) -> Path:
    return (directory or FIXTURE_DIR) / f"{assignment}.json"


def load_fixtures(assignment: str, directory: Path | None = None) -> dict:
    """``{case_id: {"expected": header, "mistakes": [{"name", "hint", "outcome"}]}}``."""
    path = fixture_path(assignment, directory)
    if not path.exists():
        return {}
    return json.loads(path.read_text())["cases"]


@dataclass
class PublicCase:
    scenario: Scenario
    case: dict
    assignment: str
    id: str = field(init=False)

    def __post_init__(self):
        self.id = self.scenario.case_id(self.case)

    @property
    def marker(self) -> str:
        return "task_" + self.scenario.task.replace(".", "_")


def public_cases(package: str = "course_lib", task: str | None = None) -> list[PublicCase]:
    """Every public case of every scenario (of one task if given), in a stable order."""
    tasks = importlib.import_module(f"{package}.tasks")
    out = []
    for scn in load_scenarios(package).values():
        if task is not None and scn.task != task:
            continue
        assignment = tasks.get_task(scn.task).assignment
        out.extend(PublicCase(scn, c, assignment) for c in scn.cases)
    out.sort(key=lambda pc: (tuple(int(p) for p in pc.scenario.task.split(".")), pc.id))
    return out


def run_public_case(pc: PublicCase, package: str = "course_lib", fixtures: dict | None = None) -> Verdict:
    """Run one public case on ``package`` and judge it against the stored reference outputs."""
    got = run_scenario(pc.scenario, LibView(package), pc.case)
    if got.error is not None and got.error.type == "NotImplementedError":
        return Verdict(False, f"not implemented yet: {got.error.message}")
    expected, mistakes = None, []
    if pc.scenario.compare == "match":
        fixtures = load_fixtures(pc.assignment) if fixtures is None else fixtures
        entry = fixtures.get(pc.id)
        if entry is None:
            return Verdict(False, f"no stored reference output for {pc.id}: the course files are "
                                  "incomplete (instructors: run `course build`)")
        expected = decode_outcome(entry["expected"])
        mistakes = [(m["name"], m["hint"], decode_outcome(m["outcome"])) for m in entry["mistakes"]]
    return evaluate(pc.scenario, pc.case, got, expected, mistakes)


class ChecksFailed(AssertionError):
    """A check cell's failure. IPython shows its message alone, without a traceback: the
    report names the failing checks, the traceback would only show the checking code."""

    def _render_traceback_(self) -> list[str]:
        return str(self).splitlines()


def task_report(task, package: str = "course_lib", fixtures: dict | None = None,
                cases: list[PublicCase] | None = None) -> tuple[bool, str]:
    """``(all passed, report)`` for one task (a ``tasks.Task``): its title, one line per check
    (✓, or ✗ with the named mistake or got/expected) and a one-line total. The same report in
    check cells and in ``course check``."""
    cases = public_cases(package, task.id) if cases is None else cases
    fixtures = load_fixtures(task.assignment) if fixtures is None else fixtures
    lines = [f"Task {task.id} {task.title} ({', '.join(task.names)})"]
    passed = 0
    for pc in cases:
        verdict = run_public_case(pc, package, fixtures)
        passed += verdict.passed
        if verdict.passed:
            lines.append(f"  ✓ {pc.id}")
        else:
            detail = verdict.report().replace("\n", "\n      ")
            lines.append(f"  ✗ {pc.id}\n      {detail}")
    lines.append(f"  {passed}/{len(cases)} checks passed")
    return passed == len(cases), "\n".join(lines)


def check(task: str, package: str = "course_lib", *, quiet: bool = False) -> None:
    """Run the public checks of one task and print the report ``course check`` prints.

    Used in the notebooks' check cells: ``check("5.2")``. Raises :class:`ChecksFailed` (an
    ``AssertionError`` shown without a traceback) when a check fails, so the cell shows as
    failed and "Run All" stops there; returns nothing otherwise (no ``True`` under the cell).
    """
    tasks = importlib.import_module(f"{package}.tasks")
    t = tasks.get_task(task)
    cases = public_cases(package, t.id)
    if not cases:
        raise ChecksFailed(f"Task {t.id} has no public checks yet")
    ok, report = task_report(t, package, cases=cases)
    if not ok:
        raise ChecksFailed(report)
    if not quiet:
        print(report)
