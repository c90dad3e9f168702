"""Asserted findings of the notebooks' experiments (provided, not graded).

An experiment ends with a claim about what it measured ("dropout raises test accuracy by more
than 5 points"). ``finding`` states it as ``value op threshold``: in a notebook it raises with
the claim, the value, the threshold and, where given, what to check first (a wrong task from an
earlier notebook is the usual cause on a student's machine). Under the robustness run
(``benchmarks/robustness.py``, which sets ``COURSE_FINDINGS_LOG``) it records the value instead
of raising, so that one run shows every claim's value and margin at every seed.

Examples
--------
>>> finding("the widest network overfits", 0.41, ">", 0.3)
0.41
"""

from __future__ import annotations

import json
import math
import operator
import os
from typing import Callable

__all__ = ["finding", "margin"]

_OPS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}

LOG_ENV = "COURSE_FINDINGS_LOG"


def margin(value: float, op: str, threshold: float) -> float:
    """How far ``value`` is on the right side of ``threshold`` (negative: the claim fails).

    Relative to ``|threshold|`` when that is not zero, so that margins of claims with different
    units can be read side by side; absolute otherwise. NaN for a non-finite value.
    """
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}; got {op!r}")
    value, threshold = float(value), float(threshold)
    if not math.isfinite(value):
        return math.nan
    gap = value - threshold if op in (">", ">=") else threshold - value
    return gap / abs(threshold) if threshold != 0 else gap


def finding(claim: str, value: float, op: str, threshold: float, *, hint: str | None = None) -> float:
    """Assert ``value op threshold`` for an experiment's claim; return ``value``.

    Parameters
    ----------
    claim : str
        The finding in words, e.g. ``"L2 raises test accuracy (points)"``.
    value : float
        What the experiment measured.
    op : {">", ">=", "<", "<="}
        How ``value`` must compare with ``threshold``.
    threshold : float
        The bound the claim needs, with its margin.
    hint : str, optional
        What to check when the claim fails on a student's code: the tasks it depends on, the
        known mistake that produces the symptom, the check to run.

    Raises
    ------
    AssertionError
        When the claim does not hold (a NaN value never holds), unless ``COURSE_FINDINGS_LOG``
        names a file: then the value is appended there as one JSON line and nothing is raised.
    """
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}; got {op!r}")
    value = float(value)
    holds = math.isfinite(value) and _OPS[op](value, float(threshold))
    log = os.environ.get(LOG_ENV)
    if log:
        record = {"claim": claim, "value": value, "op": op, "threshold": float(threshold),
                  "margin": margin(value, op, threshold), "holds": bool(holds)}
        with open(log, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")
        return value
    if not holds:
        message = f"{claim}: measured {value:.4g}, expected {op} {float(threshold):.4g}"
        if hint:
            message += f"\n{hint}"
        raise AssertionError(message)
    return value
