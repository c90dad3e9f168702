"""Public fixtures: the reference's outputs (and each known mistake's) on the public scenario
cases, so the public checks judge and name mistakes without shipping the reference.

Written into the student package (``course_lib/checks/fixtures/<A>.json``, see
:data:`autograder.PUBLIC_FIXTURES`), never into ``solutions/``. BLAS kernels differ in the
last bits between CPUs (a length-2 dot product with or without FMA): a value that changed only by
such round-off keeps the digits already committed (:func:`keep_round_off`), so ``course build``
on any machine writes the committed bytes unless a value really changed
(``tests/test_build.py`` builds under two ``OPENBLAS_CORETYPE`` kernels and compares bytes).
Rounding every value to fewer digits would not do it: some value always lies near a rounding
edge, and the tightest "match" tolerance (rtol=1e-12) leaves room for 13 digits at most.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from ..reference import REFERENCE_NAME
from .stubs import BuildError


def generate_fixtures(
    tolerances: dict[str, dict[str, dict[str, float]]] | None = None,
) -> dict[str, dict]:
    """The fixture document of each assignment, keyed by assignment folder; ``tolerances``, when
    given, receives each case's round-off tolerance (:func:`round_off_tolerance`)."""
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
        if tolerances is not None:
            tolerances.setdefault(pc.assignment, {})[pc.id] = round_off_tolerance(
                pc.scenario.rtol, pc.scenario.atol
            )
    return docs


# Equal "up to round-off": far below the tightest tolerance of a "match" scenario (rtol=1e-12),
# far above what BLAS kernels change (2e-15 relative, seen in 01_foundations.json).
ROUND_OFF = {"rel_tol": 1e-13, "abs_tol": 1e-15}
# A case may allow more: what a scenario's own tolerance cannot tell apart. A numerical gradient
# (a difference quotient) turns the last bit of a loss into ~1e-10 absolute, and a relative error
# of ~1e-10 changes by 10% between BLAS kernels (08_babysitting.json under Sandybridge);
# a twentieth of the case's rtol/atol is far below anything that can change a verdict.
SHARE_OF_TOLERANCE = 1 / 20


def round_off_tolerance(rtol: float, atol: float) -> dict[str, float]:
    """What counts as round-off for a case judged with ``rtol``/``atol``: ``ROUND_OFF``, or a
    twentieth of the case's own tolerance where that is larger."""
    return {
        "rel_tol": max(ROUND_OFF["rel_tol"], SHARE_OF_TOLERANCE * rtol),
        "abs_tol": max(ROUND_OFF["abs_tol"], SHARE_OF_TOLERANCE * atol),
    }


def keep_round_off(new, old, tolerance: dict[str, float] = ROUND_OFF):
    """``new`` with each float that equals ``old``'s at the same place up to round-off
    (``tolerance``, keyword arguments of :func:`math.isclose`) written as ``old`` has it, so a
    build on another CPU reproduces the committed bytes."""
    if isinstance(new, float) and type(old) is float:
        return old if math.isclose(new, old, **tolerance) else new
    if isinstance(new, dict) and isinstance(old, dict):
        return {k: keep_round_off(v, old.get(k), tolerance) for k, v in new.items()}
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [keep_round_off(x, y, tolerance) for x, y in zip(new, old, strict=True)]
    return new


def keep_round_off_per_case(new_doc: dict, old_doc, tolerances: dict[str, dict[str, float]]):
    """:func:`keep_round_off` on a fixture document, each case with its own tolerance."""
    if not isinstance(old_doc, dict) or not isinstance(old_doc.get("cases"), dict):
        return new_doc
    cases = {
        case_id: keep_round_off(
            case, old_doc["cases"].get(case_id), tolerances.get(case_id, ROUND_OFF)
        )
        for case_id, case in new_doc["cases"].items()
    }
    return {**new_doc, "cases": cases}  # the rest of a document is names, no floats


def _read_json(path: Path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_fixtures(directory: Path, previous: Path | None = None) -> list[Path]:
    """Write one ``<A>.json`` per assignment into ``directory`` (removing stale ones); a value
    that differs from ``previous/<A>.json``'s only by round-off keeps its previous digits."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    tolerances: dict[str, dict[str, dict[str, float]]] = {}
    docs = generate_fixtures(tolerances)
    for old in directory.glob("*.json"):
        if old.stem not in docs:
            old.unlink()
    for assignment, doc in sorted(docs.items()):
        path = directory / f"{assignment}.json"
        if previous is not None:
            old = _read_json(Path(previous) / path.name)
            doc = keep_round_off_per_case(doc, old, tolerances.get(assignment, {}))
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
