"""Public fixtures: the reference's outputs (and each known mistake's) on the public scenario
cases, so the public checks judge and name mistakes without shipping the reference."""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..reference import REFERENCE_NAME
from .stubs import BuildError


def generate_fixtures() -> dict[str, dict]:
    """The fixture document of each assignment, keyed by assignment folder."""
    from ..score import framework, mistake_outcomes, reference_outcome

    fw = framework()
    docs: dict[str, dict] = {}
    for pc in fw.public_cases(REFERENCE_NAME):
        if pc.scenario.compare != "match":
            continue
        expected = reference_outcome(pc.scenario.name, pc.case)
        if expected.error is not None and expected.error.type == "NotImplementedError":
            raise BuildError(
                f"the reference of task {pc.scenario.task} is not implemented "
                f"({pc.id}: {expected.error.message})"
            )
        mistakes = []
        for name, hint, outcome in mistake_outcomes(pc.scenario.name, pc.case):
            differs = fw.compare_outcomes(outcome, expected, pc.scenario.rtol, pc.scenario.atol)
            if outcome.error is None and differs:
                mistakes.append(
                    {
                        "name": name,
                        "hint": hint,
                        "outcome": fw.encode_outcome(outcome, inline=True)[0],
                    }
                )
        doc = docs.setdefault(
            pc.assignment,
            {"assignment": pc.assignment, "generated_by": "course build", "cases": {}},
        )
        doc["cases"][pc.id] = {
            "expected": fw.encode_outcome(expected, inline=True)[0],
            "mistakes": mistakes,
        }
    return docs


def write_fixtures(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    docs = generate_fixtures()
    for old in directory.glob("*.json"):
        if old.stem not in docs:
            old.unlink()
    for assignment, doc in sorted(docs.items()):
        path = directory / f"{assignment}.json"
        path.write_text(json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n")
        written.append(path)
    return written


def json_trees_close(a, b) -> bool:
    """JSON trees equal up to float round-off (BLAS differs in the last bits across CPUs)."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_trees_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_trees_close(x, y) for x, y in zip(a, b, strict=True))
    return a == b
