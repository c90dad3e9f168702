"""Scenarios: the one mechanism behind public checks, hidden suites and mistake diagnosis.

A *scenario* is a small function ``f(lib, rng, **params) -> dict`` that exercises the graded
functions of one task through ``lib`` (the student's package, the reference, or the reference with
one known mistake patched in) and returns named outputs. Comparing the outputs of the same scenario
on the same case tells whether a submission is right and, when it is not, which known mistake it
reproduces. Public checks compare against stored reference outputs (``fixtures/``); the grader's
hidden suite runs the same scenarios on other cases, the student's side in a sandbox.

This module has no dependency on the rest of ``course_lib``: the grader runs it inside the
sandbox next to untrusted code and, trusted, in its own process.
"""

from __future__ import annotations

import importlib
import io
import json
import math
import numbers
import pkgutil
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

COMPARE_KINDS = ("match", "gradcheck", "property")


# --------------------------------------------------------------------------------------------
# Declaring scenarios


@dataclass(frozen=True)
class Scenario:
    """A registered scenario (see the module docstring)."""

    name: str
    task: str
    func: Callable
    cases: tuple
    compare: str = "match"
    rtol: float = 1e-7
    atol: float = 1e-10
    verify: Callable | None = None
    module: str = ""

    def case_id(self, case: dict) -> str:
        inner = ",".join(f"{k}={v}" for k, v in case.items())
        return f"{self.name}[{inner}]"


def scenario(task: str, *, cases, compare: str = "match", rtol: float = 1e-7,
             atol: float = 1e-10, verify: Callable | None = None):
    """Declare a scenario of ``task``.

    Parameters
    ----------
    task : str
        Task id such as ``"5.2"``.
    cases : list of dict
        Public cases; each holds ``seed`` plus the scenario's keyword parameters.
    compare : {"match", "gradcheck", "property"}
        How outputs are judged (see CONTRIBUTING.md).
    rtol, atol : float
        Tolerances of "match"; "gradcheck" uses ``rtol`` as the largest relative error allowed.
    verify : callable, optional
        For "property": ``verify(outputs, **case)`` raises ``AssertionError`` with a message.
    """
    if compare not in COMPARE_KINDS:
        raise ValueError(f"compare must be one of {COMPARE_KINDS}; got {compare!r}")
    if compare == "property" and verify is None:
        raise ValueError("a 'property' scenario needs verify=")
    cases = tuple(dict(c) for c in cases)
    for c in cases:
        if "seed" not in c:
            raise ValueError(f"every case needs a 'seed'; got {c}")

    def register(func):
        func.__scenario__ = Scenario(name=func.__name__, task=str(task), func=func, cases=cases,
                                     compare=compare, rtol=rtol, atol=atol, verify=verify,
                                     module=func.__module__)
        return func

    return register


def load_scenarios(package: str = "course_lib") -> dict[str, Scenario]:
    """Import ``<package>.checks.scenarios.*`` and return every scenario by name."""
    pkg = importlib.import_module(f"{package}.checks.scenarios")
    found: dict[str, Scenario] = {}
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for obj in vars(mod).values():
            scn = getattr(obj, "__scenario__", None)
            if scn is not None and getattr(obj, "__module__", None) == mod.__name__:
                if scn.name in found and found[scn.name].func is not obj:
                    raise ValueError(f"two scenarios are called {scn.name!r}")
                found[scn.name] = scn
    return found


# --------------------------------------------------------------------------------------------
# Running scenarios against a package


class LibView:
    """The package a scenario calls: ``lib.batchnorm`` imports ``<package>.batchnorm`` on use.

    ``patches`` maps ``"module.name"`` to a replacement object: the reference with one known
    mistake patched in.
    """

    def __init__(self, package: str, patches: dict[str, Any] | None = None):
        self._package = package
        self._patches: dict[str, dict[str, Any]] = {}
        for target, obj in (patches or {}).items():
            module, _, name = target.rpartition(".")
            self._patches.setdefault(module, {})[name] = obj

    def __getattr__(self, module: str):
        if module.startswith("_"):
            raise AttributeError(module)
        mod = importlib.import_module(f"{self._package}.{module}")
        if module in self._patches:
            return _PatchedModule(mod, self._patches[module])
        return mod

    def __repr__(self):
        return f"LibView({self._package!r})"


class _PatchedModule:
    def __init__(self, module, patches):
        self._module, self._patched = module, patches

    def __getattr__(self, name):
        if name in self._patched:
            return self._patched[name]
        return getattr(self._module, name)


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised while running a scenario, as plain data."""

    type: str
    mro_names: tuple
    message: str
    where: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> "ErrorInfo":
        frames = traceback.extract_tb(exc.__traceback__)
        # The innermost frame in the student's (or reference's) package says where it broke.
        where = ""
        for fr in reversed(frames):
            if "checks" not in Path(fr.filename).parts:
                where = f"{Path(fr.filename).name}:{fr.lineno} in {fr.name}"
                break
        names = tuple(c.__name__ for c in type(exc).__mro__)
        return cls(type=type(exc).__name__, mro_names=names, message=str(exc)[:2000], where=where)

    def describe(self) -> str:
        at = f" (at {self.where})" if self.where else ""
        return f"{self.type}: {self.message}{at}"


@dataclass
class Outcome:
    """What running a scenario produced: outputs, or the error it raised."""

    outputs: dict | None = None
    error: ErrorInfo | None = None


def run_scenario(scn: Scenario, lib, case: dict) -> Outcome:
    """Run ``scn`` on ``lib`` for one case; never raises for errors of the code under test."""
    params = dict(case)
    rng = np.random.default_rng(params.pop("seed"))
    try:
        with np.errstate(all="ignore"):
            out = scn.func(lib, rng, **params)
        if not isinstance(out, dict):
            raise TypeError(f"scenario {scn.name} returned {type(out).__name__}, not a dict")
        return Outcome(outputs=out)
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the code under test may raise anything
        return Outcome(error=ErrorInfo.from_exception(exc))


# --------------------------------------------------------------------------------------------
# Plain-data encoding: for the sandbox pipe (arrays as .npy blobs) and for JSON fixtures

MAX_DEPTH = 8
MAX_ITEMS = 100_000


class WireError(ValueError):
    """A value that cannot be decoded safely."""


def encode_value(value, blobs: list | None, depth: int = 0):
    """Encode ``value`` as JSON-able data. Arrays go to ``blobs`` (npy bytes) or, if ``blobs`` is
    None, inline as lists. Unknown types become an ``unsupported`` marker with the type's name."""
    if depth > MAX_DEPTH:
        return {"t": "unsupported", "type": "nesting too deep"}
    if value is None:
        return {"t": "none"}
    if isinstance(value, (bool, np.bool_)):
        return {"t": "bool", "v": bool(value)}
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return {"t": "int", "v": int(value), "np": isinstance(value, np.integer)}
    if isinstance(value, (float, np.floating)):
        return {"t": "float", "v": _float_to_json(float(value)), "np": isinstance(value, np.floating),
                "dtype": str(np.asarray(value).dtype)}
    if isinstance(value, str):
        return {"t": "str", "v": value[:10_000]}
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "biuf" or value.size > 50_000_000:
            return {"t": "unsupported", "type": f"ndarray of dtype {value.dtype}"}
        if blobs is None:
            flat = [_float_to_json(float(v)) if value.dtype.kind == "f" else v.item()
                    for v in value.ravel()]
            return {"t": "nd", "dtype": value.dtype.str, "shape": list(value.shape), "data": flat}
        buf = io.BytesIO()
        np.save(buf, value, allow_pickle=False)
        blobs.append(buf.getvalue())
        return {"t": "nd", "i": len(blobs) - 1}
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            return {"t": "unsupported", "type": f"{type(value).__name__} of {len(value)} items"}
        return {"t": "list" if isinstance(value, list) else "tuple",
                "v": [encode_value(v, blobs, depth + 1) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"t": "dict", "v": {k: encode_value(v, blobs, depth + 1) for k, v in value.items()}}
    return {"t": "unsupported", "type": type(value).__name__}


def decode_value(obj, blobs: list | None, depth: int = 0):
    """Inverse of :func:`encode_value`; raises :class:`WireError` on anything malformed. Arrays are
    read with ``allow_pickle=False``; nothing is ever unpickled or imported."""
    if depth > MAX_DEPTH + 1 or not isinstance(obj, dict) or not isinstance(obj.get("t"), str):
        raise WireError("malformed value")
    t = obj["t"]
    if t == "none":
        return None
    if t == "bool":
        return bool(obj["v"])
    if t == "int":
        v = obj["v"]
        if not isinstance(v, int):
            raise WireError("malformed int")
        return np.int64(v) if obj.get("np") and abs(v) < 2**63 else v
    if t == "float":
        v = _float_from_json(obj["v"])
        if obj.get("np"):
            dtype = np.dtype(obj.get("dtype", "float64"))
            if dtype.kind != "f":
                raise WireError("malformed float dtype")
            return dtype.type(v)
        return v
    if t == "str":
        if not isinstance(obj["v"], str):
            raise WireError("malformed str")
        return obj["v"]
    if t == "nd":
        if "i" in obj:
            if blobs is None or not isinstance(obj["i"], int) or not 0 <= obj["i"] < len(blobs):
                raise WireError("array blob missing")
            try:
                arr = np.load(io.BytesIO(blobs[obj["i"]]), allow_pickle=False)
            except Exception as exc:  # noqa: BLE001
                raise WireError(f"bad array blob: {exc}") from None
        else:
            dtype = np.dtype(obj["dtype"])
            data = obj["data"]
            if dtype.kind == "f":
                data = [_float_from_json(v) for v in data]
            arr = np.array(data, dtype=dtype).reshape(obj["shape"])
        if not isinstance(arr, np.ndarray) or arr.dtype.kind not in "biuf":
            raise WireError("array of a forbidden dtype")
        return arr
    if t in ("list", "tuple"):
        items = obj["v"]
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise WireError("malformed sequence")
        seq = [decode_value(v, blobs, depth + 1) for v in items]
        return seq if t == "list" else tuple(seq)
    if t == "dict":
        if not isinstance(obj["v"], dict):
            raise WireError("malformed dict")
        return {str(k): decode_value(v, blobs, depth + 1) for k, v in obj["v"].items()}
    if t == "unsupported":
        return Unsupported(str(obj.get("type", "?"))[:200])
    raise WireError(f"unknown value tag {t!r}")


@dataclass(frozen=True)
class Unsupported:
    """Stands for a returned value of a type that cannot travel as plain data."""

    type: str

    def __repr__(self):
        return f"<unsupported {self.type}>"


def _float_to_json(v: float):
    if math.isfinite(v):
        return v
    return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")


def _float_from_json(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if v in ("nan", "inf", "-inf"):
        return float(v)
    raise WireError("malformed float")


def encode_outcome(outcome: Outcome, *, inline: bool = False):
    """Encode an :class:`Outcome` as ``(header, blobs)`` (``blobs`` is None when ``inline``)."""
    blobs = None if inline else []
    header: dict = {"outputs": None, "error": None}
    if outcome.error is not None:
        e = outcome.error
        header["error"] = {"type": e.type, "mro": list(e.mro_names), "message": e.message, "where": e.where}
    if outcome.outputs is not None:
        header["outputs"] = {str(k): encode_value(v, blobs) for k, v in outcome.outputs.items()}
    return header, blobs


def decode_outcome(header, blobs=None) -> Outcome:
    """Inverse of :func:`encode_outcome`; validates everything (raises :class:`WireError`)."""
    if not isinstance(header, dict):
        raise WireError("malformed outcome")
    err = header.get("error")
    error = None
    if err is not None:
        if not isinstance(err, dict) or not isinstance(err.get("type"), str):
            raise WireError("malformed error")
        error = ErrorInfo(type=err["type"][:200], mro_names=tuple(str(m)[:200] for m in err.get("mro", [])[:50]),
                          message=str(err.get("message", ""))[:2000], where=str(err.get("where", ""))[:500])
    outs = header.get("outputs")
    outputs = None
    if outs is not None:
        if not isinstance(outs, dict):
            raise WireError("malformed outputs")
        outputs = {str(k)[:200]: decode_value(v, blobs) for k, v in outs.items()}
    return Outcome(outputs=outputs, error=error)


# --------------------------------------------------------------------------------------------
# Judging outcomes


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


def compare_outcomes(got: Outcome, expected: Outcome, rtol: float, atol: float) -> str | None:
    """``None`` when two outcomes agree: same exception type, or matching outputs."""
    if expected.error is not None:
        if got.error is not None and expected.error.type in got.error.mro_names:
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
        if err > tol:
            idx = tuple(int(i) for i in np.unravel_index(int(np.argmax(np.abs(a64 - n64))), a64.shape))
            return (f"{k}: relative error {err:.2e} > {tol:.0e}; worst at index {idx}: analytic "
                    f"{float(a64[idx])!r}, numerical {float(n64[idx])!r}")
    return None


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """``||a - b|| / max(||a|| + ||b||, tiny)``: robust where single entries are near zero."""
    num = float(np.linalg.norm((a - b).ravel()))
    den = float(np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel()))
    return 0.0 if num == 0.0 else num / max(den, 1e-300)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of a scalar function ``f`` at ``x`` (x is left unchanged)."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = float(f(x.copy()))
        x[i] = old - h
        fm = float(f(x.copy()))
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def evaluate(scn: Scenario, case: dict, got: Outcome, expected: Outcome | None = None,
             mistakes=()) -> Verdict:
    """Judge the student's outcome ``got`` of one case.

    ``expected`` is the reference's outcome (needed for "match"); ``mistakes`` is an iterable of
    ``(name, hint, outcome)`` for the catalogued mistakes, consulted only when ``got`` fails.
    """
    if scn.compare == "match":
        if expected is None:
            raise ValueError(f"scenario {scn.name} needs the reference outcome")
        msg = compare_outcomes(got, expected, scn.rtol, scn.atol)
    elif got.error is not None:
        msg = f"raised {got.error.describe()}"
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


# --------------------------------------------------------------------------------------------
# Public checks (student side): stored reference outputs instead of the reference itself

FIXTURE_DIR = Path(__file__).resolve().parent / "fixtures"


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


def check(task: str, package: str = "course_lib", *, quiet: bool = False) -> bool:
    """Run the public checks of one task and print a short report.

    Used in the notebooks' check cells: ``check("5.2")``. Raises ``AssertionError`` when a check
    fails, so the cell shows as failed; returns True otherwise.
    """
    tasks = importlib.import_module(f"{package}.tasks")
    t = tasks.get_task(task)
    cases = public_cases(package, t.id)
    if not cases:
        raise AssertionError(f"Task {t.id} has no public checks yet")
    cache: dict = {}
    failures = []
    for pc in cases:
        if pc.assignment not in cache:
            cache[pc.assignment] = load_fixtures(pc.assignment)
        verdict = run_public_case(pc, package, cache[pc.assignment])
        if not verdict.passed:
            failures.append((pc, verdict))
    passed = len(cases) - len(failures)
    head = f"Task {t.id} {t.title} ({', '.join(t.names)}): {passed}/{len(cases)} checks passed"
    if not failures:
        if not quiet:
            print(head)
        return True
    lines = [head]
    for pc, verdict in failures:
        lines.append(f"- {pc.id}: {verdict.report()}")
    raise AssertionError("\n".join(lines))
