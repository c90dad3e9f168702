"""Judging outcomes: does a submission's :class:`~.runner.Outcome` of a scenario case pass, and
if not, why and which known mistake it reproduces (:func:`evaluate` returns a :class:`Verdict`).
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .gradients import relative_error
from .runner import ErrorInfo, Outcome, builtin_exception
from .scenario import Scenario


@dataclass
class Verdict:
    """Result of judging one scenario case."""

    passed: bool
    message: str = ""
    mistake: str | None = None
    hint: str | None = None

    def report(self) -> str:
        if self.passed:
            return "ok"
        text = self.message
        if self.mistake:
            text = f"Known mistake: {self.mistake}. {self.hint or ''}\n  ({self.message})"
        return text


def _kind(v):
    if isinstance(v, np.ndarray):
        return "array"
    if isinstance(v, (bool, np.bool_)):
        return "bool"
    if isinstance(v, numbers.Real):
        return "number"
    return type(v).__name__


def _describe(v) -> str:
    if isinstance(v, np.ndarray):
        return f"an array of shape {v.shape} and dtype {v.dtype}"
    return f"{_kind(v)} {v!r}"[:200]


def compare_values(got, expected, path: str, rtol: float, atol: float) -> str | None:
    """Return ``None`` if ``got`` matches ``expected``, else a message naming where and how."""
    if isinstance(expected, np.ndarray):
        if isinstance(got, (numbers.Real, np.generic)) and expected.ndim == 0:
            got = np.asarray(got)
        if not isinstance(got, np.ndarray):
            return f"{path}: expected {_describe(expected)}, got {_describe(got)}"
        if got.shape != expected.shape:
            return f"{path}: expected shape {expected.shape}, got shape {got.shape}"
        ek, gk = expected.dtype.kind, got.dtype.kind
        if (ek == "f") != (gk == "f") or (ek == "b") != (gk == "b"):
            return f"{path}: expected dtype {expected.dtype}, got dtype {got.dtype}"
        if ek == "f" and got.dtype.itemsize < expected.dtype.itemsize:
            return (f"{path}: expected dtype {expected.dtype}, got {got.dtype} "
                    "(precision is lost; keep float64)")
        if expected.size == 0:
            return None
        g, e = got.astype(np.float64), expected.astype(np.float64)
        close = np.isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
        if close.all():
            return None
        with np.errstate(all="ignore"):
            excess = np.where(close, -np.inf, np.abs(g - e) - (atol + rtol * np.abs(e)))
        excess = np.where(np.isnan(excess), np.inf, excess)
        idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(excess)), e.shape))
        where = idx if e.ndim > 1 else (idx[0] if e.ndim == 1 else ())
        return (f"{path}: {int((~close).sum())} of {e.size} entries differ; at index {where} got "
                f"{float(g[idx])!r}, expected {float(e[idx])!r} (rtol={rtol:g}, atol={atol:g})")
    if isinstance(expected, (bool, np.bool_)):
        if not isinstance(got, (bool, np.bool_)) or bool(got) != bool(expected):
            return f"{path}: expected {bool(expected)!r}, got {_describe(got)}"
        return None
    if isinstance(expected, numbers.Real):
        if isinstance(got, np.ndarray) and got.ndim == 0:
            got = got[()]
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
            return f"{path}: expected a number, got {_describe(got)}"
        g, e = float(got), float(expected)
        if math.isnan(e) and math.isnan(g):
            return None
        if math.isnan(g) or not math.isclose(g, e, rel_tol=rtol, abs_tol=atol):
            return f"{path}: got {float(g)!r}, expected {float(e)!r} (rtol={rtol:g}, atol={atol:g})"
        return None
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return f"{path}: expected a sequence of {len(expected)} items, got {_describe(got)}"
        if len(got) != len(expected):
            return f"{path}: expected {len(expected)} items, got {len(got)}"
        for i, (g, e) in enumerate(zip(got, expected)):
            msg = compare_values(g, e, f"{path}[{i}]", rtol, atol)
            if msg:
                return msg
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict):
            return f"{path}: expected a dict, got {_describe(got)}"
        missing = sorted(set(expected) - set(got))
        if missing:
            return f"{path}: missing keys {missing}"
        for k in expected:
            msg = compare_values(got[k], expected[k], f"{path}[{k!r}]", rtol, atol)
            if msg:
                return msg
        return None
    if got != expected:
        return f"{path}: expected {expected!r}, got {_describe(got)}"
    return None


def raised_as_expected(got: ErrorInfo, expected: ErrorInfo) -> bool:
    """Whether ``got`` counts as the exception ``expected`` names: its builtin class is the
    expected one or a subclass, both looked up by name in this process's ``builtins`` (a class
    of the submission's, or a name outside ``builtins``, never counts)."""
    g, e = builtin_exception(got.builtin), builtin_exception(expected.builtin)
    return g is not None and e is not None and issubclass(g, e)


def compare_outcomes(got: Outcome, expected: Outcome, rtol: float, atol: float) -> str | None:
    """``None`` when two outcomes agree: same exception type, or matching outputs."""
    if expected.error is not None:
        if got.error is not None and raised_as_expected(got.error, expected.error):
            return None
        if got.error is not None:
            return f"expected {expected.error.type}, but it raised {got.error.describe()}"
        return (f"expected {expected.error.type} for this input ({expected.error.message}), "
                "but it returned normally")
    if got.error is not None:
        return f"raised {got.error.describe()}"
    for key, exp in expected.outputs.items():
        if key not in got.outputs:
            return f"output {key!r} is missing"
        msg = compare_values(got.outputs[key], exp, key, rtol, atol)
        if msg:
            return msg
    return None


def gradcheck_message(outputs: dict, tol: float) -> str | None:
    """Judge pairs ``name`` / ``name_num`` (analytic / numerical) by relative error <= ``tol``."""
    pairs = [k for k in outputs if not k.endswith("_num") and f"{k}_num" in outputs]
    if not pairs:
        return "gradcheck scenario returned no name / name_num pairs"
    for k in pairs:
        a, n = outputs[k], outputs[f"{k}_num"]
        if not isinstance(a, np.ndarray) or not isinstance(n, np.ndarray):
            a = np.asarray(a) if isinstance(a, numbers.Real) else a
            n = np.asarray(n)
            if not isinstance(a, np.ndarray):
                return f"{k}: expected an array gradient, got {_describe(a)}"
        if a.shape != n.shape:
            return f"{k}: gradient has shape {a.shape}, expected {n.shape}"
        a64, n64 = a.astype(np.float64), n.astype(np.float64)
        if not np.all(np.isfinite(a64)):
            return f"{k}: gradient contains NaN or infinity"
        err = relative_error(a64, n64)
        if not err <= tol:  # a NaN error fails too
            idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(a64 - n64))), a64.shape))
            return (f"{k}: relative error {err:.2e} > {tol:.0e}; worst at index {idx}: analytic "
                    f"{float(a64[idx])!r}, numerical {float(n64[idx])!r}")
    return None


def _nonfinite(value, path: str, found: dict, depth: int = 0) -> None:
    """Collect ``{path: {"nan", "inf", "-inf"}}`` for the non-finite floats inside ``value``."""
    if depth > 10:
        return
    kinds = set()
    if isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        with np.errstate(all="ignore"):
            v = value.astype(np.complex128) if value.dtype.kind == "c" else value
            parts = [v.real, v.imag] if value.dtype.kind == "c" else [v]
            for a in parts:
                if np.isnan(a).any():
                    kinds.add("nan")
                if np.isposinf(a).any():
                    kinds.add("inf")
                if np.isneginf(a).any():
                    kinds.add("-inf")
    elif isinstance(value, (float, np.floating)) and not math.isfinite(float(value)):
        kinds.add("nan" if math.isnan(float(value)) else ("inf" if value > 0 else "-inf"))
    elif isinstance(value, (list, tuple)):
        for i, v in enumerate(value):
            _nonfinite(v, f"{path}[{i}]", found, depth + 1)
    elif isinstance(value, dict):
        for k, v in value.items():
            _nonfinite(v, f"{path}[{k!r}]", found, depth + 1)
    if kinds:
        found[path] = kinds


def nonfinite_message(outputs: dict, expected: Outcome | None = None) -> str | None:
    """``None`` unless an output holds NaN or an infinity that the reference's outputs
    (``expected``, when given) do not hold under the same name; else a message naming it."""
    got: dict = {}
    for k, v in (outputs or {}).items():
        _nonfinite(v, str(k), got)
    if not got:
        return None
    ref: dict = {}
    if expected is not None and expected.outputs is not None:
        for k, v in expected.outputs.items():
            _nonfinite(v, str(k), ref)
    for path, kinds in got.items():
        extra = kinds - ref.get(path, set())
        if extra:
            return (f"{path} contains {' and '.join(sorted(extra))}: a result must be finite "
                    "(a NaN or an infinity never satisfies a check)")
    return None


def evaluate(scn: Scenario, case: dict, got: Outcome, expected: Outcome | None = None,
             mistakes=()) -> Verdict:
    """Judge the student's outcome ``got`` of one case.

    ``expected`` is the reference's outcome on the same case (needed for "match"; for the other
    kinds it says which non-finite values are expected, see :func:`nonfinite_message`);
    ``mistakes`` is an iterable of ``(name, hint, outcome)`` for the catalogued mistakes,
    consulted only when ``got`` fails.

    Non-finite numbers never satisfy a check by accident: "match" compares NaN and infinities
    exactly (a NaN matches only a NaN of the reference at the same place, ``inf`` only ``inf``),
    and "gradcheck" and "property" outputs fail on any NaN or infinity the reference's outputs
    do not hold under the same name (comparisons with NaN are False, so ``abs(m - x) > bound``
    would otherwise let a NaN through).
    """
    if scn.compare == "match":
        if expected is None:
            raise ValueError(f"scenario {scn.name} needs the reference outcome")
        msg = compare_outcomes(got, expected, scn.rtol, scn.atol)
    elif got.error is not None:
        msg = f"raised {got.error.describe()}"
    elif (msg := nonfinite_message(got.outputs, expected)) is not None:
        pass
    elif scn.compare == "gradcheck":
        msg = gradcheck_message(got.outputs, scn.rtol)
    else:
        try:
            scn.verify(got.outputs, **{k: v for k, v in case.items()})
            msg = None
        except AssertionError as exc:
            msg = str(exc) or "a property of the result does not hold"
        except Exception as exc:  # noqa: BLE001 - a wrong type from the student breaks verify
            msg = f"the result could not be checked ({type(exc).__name__}: {exc})"
    if msg is None:
        return Verdict(True)
    if got.error is not None and got.error.type == "NotImplementedError":
        return Verdict(False, f"not implemented yet: {got.error.message}")
    if got.error is None:
        for name, hint, outcome in mistakes:
            if compare_outcomes(got, outcome, scn.rtol, scn.atol) is None:
                return Verdict(False, msg, mistake=name, hint=hint)
    return Verdict(False, msg)
