"""Record and replay: how the grader judges a scenario with trusted code only.

A scenario computes more than the graded functions' outputs: numerical gradients, summaries,
"inputs unchanged" flags, statistics. Computed next to student code, every one of those could be
forged (a submission's ``course_lib/__init__.py`` may replace any function of the process it runs
in, the framework's included). So the student's side of a case runs in two halves:

1. **In the sandbox**, the scenario runs on a :class:`RecordingLib`: each access to the student's
   package (a module, an attribute, a call, a method of an object it returned) is recorded as an
   *event* holding what came back as plain data — the return value, the state of every mutable
   argument after the call (arrays, lists, dicts, the generator's state, the scenario's own
   objects), the arguments of each callback the student's code called, or the exception raised
   (by its builtin class name only). Objects that are not plain data (an ``EarlyStopping``, a
   cache object) stay in the sandbox and travel as references.
2. **In the grader**, the same trusted scenario function runs again on a :class:`ReplayLib`, which
   answers each access from the record instead of calling student code: every derived number
   (finite differences, summaries, flags) is computed by the grader from the graded functions'
   recorded outputs. A record that does not fit the scenario's own sequence of calls is
   rejected (:class:`ReplayMismatch`).

What a record claims is what the submission's functions returned. Claiming something else than its
code computes gains nothing a function returning those values would not earn.
"""

from __future__ import annotations

import builtins
import types
import warnings
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

import numpy as np

from .runner import (
    ErrorInfo,
    LibView,
    Outcome,
    builtin_exception,
    builtin_exception_name,
    run_scenario,
)
from .scenario import Scenario
from .wire import MAX_DEPTH, Unsupported, WireError, decode_value, encode_value

MAX_EVENTS = 200_000
_CALLBACK_TYPES = (types.FunctionType, types.MethodType, types.BuiltinMethodType, partial)


class ReplayMismatch(Exception):
    """A record that does not fit the calls the trusted scenario makes."""


def _error_of(exc: BaseException, *, counts: bool = True) -> dict:
    info = ErrorInfo.from_exception(exc)
    return {"type": info.type, "builtin": info.builtin if counts else "", "message": info.message,
            "where": info.where}


# --------------------------------------------------------------------------------------------
# Sandbox side: recording


class Recorder:
    """Collects the events of one scenario case run on the student's package."""

    def __init__(self):
        self.events: list[dict] = []
        self.blobs: list = []
        self._objects: list = []          # handle -> object, kept alive for the whole case
        self._handles: dict[int, int] = {}  # id(object) -> handle: one object, one reference

    def add(self, event: dict) -> None:
        if len(self.events) >= MAX_EVENTS:
            raise RuntimeError(f"a scenario case may make at most {MAX_EVENTS} calls")
        self.events.append(event)

    def _ref(self, value) -> dict:
        h = self._handles.get(id(value))
        if h is None:
            self._objects.append(value)
            h = self._handles[id(value)] = len(self._objects) - 1
        return {"t": "ref", "id": h, "type": type(value).__name__[:100]}

    def encode(self, value):
        """``(encoded, view)``: the value as plain data with references, and what the scenario
        in the sandbox gets back (the value itself, references wrapped in :class:`_Recording`)."""
        enc = encode_value(value, self.blobs, ref=self._ref)
        return enc, self._view(value, enc)

    def _view(self, value, enc):
        t = enc.get("t")
        if t == "ref":
            return _Recording(self, value, enc["id"])
        if t in ("list", "tuple") and _has_ref(enc):
            items = [self._view(v, e) for v, e in zip(value, enc["v"])]
            return items if t == "list" else tuple(items)
        if t == "dict" and _has_ref(enc):
            return {k: self._view(value[k], e) for k, e in enc["v"].items()}
        return value

    def state(self, value, depth: int = 0):
        """The state of an argument after a call, for the grader to apply to its own copy."""
        if depth > MAX_DEPTH or isinstance(value, _Recording):
            return {"t": "skip"}
        if isinstance(value, np.ndarray):
            return encode_value(value, self.blobs, ref=self._ref)
        if isinstance(value, np.random.Generator):
            return {"t": "rng", "state": _jsonable_state(value.bit_generator.state)}
        if isinstance(value, (list, tuple)):
            return {"t": "list" if isinstance(value, list) else "tuple",
                    "v": [self.state(v, depth + 1) for v in value]}
        if isinstance(value, dict):
            if not all(isinstance(k, str) for k in value):
                return {"t": "skip"}
            return {"t": "dict", "v": {k: self.state(v, depth + 1) for k, v in value.items()}}
        if _is_plain_object(value):
            return {"t": "obj", "v": {k: self.state(v, depth + 1) for k, v in vars(value).items()
                                      if isinstance(k, str)}}
        if callable(value) or depth == 0:
            return {"t": "skip"}  # a callable, or an immutable argument (a number, a string)
        return {"t": "value", "v": encode_value(value, self.blobs, ref=self._ref)}


def _has_ref(enc) -> bool:
    if not isinstance(enc, dict):
        return False
    if enc.get("t") == "ref":
        return True
    v = enc.get("v")
    if isinstance(v, list):
        return any(_has_ref(e) for e in v)
    if isinstance(v, dict) and enc.get("t") == "dict":
        return any(_has_ref(e) for e in v.values())
    return False


def _jsonable_state(state):
    if isinstance(state, dict):
        return {str(k): _jsonable_state(v) for k, v in state.items()}
    if isinstance(state, (np.integer, int)) and not isinstance(state, bool):
        return int(state)
    if isinstance(state, np.ndarray):
        return {"array": [int(v) for v in state.ravel()], "dtype": state.dtype.str}
    return state


def _is_plain_object(value) -> bool:
    """The scenario's own helper objects (a stand-in model, an optimizer, a history), whose state
    travels with a call: instances of ``SimpleNamespace`` or of classes defined in a
    ``checks.scenarios`` module."""
    if isinstance(value, types.SimpleNamespace):
        return True
    mod = getattr(type(value), "__module__", "") or ""
    return ".checks.scenarios." in mod and hasattr(value, "__dict__")


def _unwrap(value, depth: int = 0):
    """The sandbox-side argument: references back to their objects."""
    if isinstance(value, _Recording):
        return object.__getattribute__(value, "_obj")
    if depth > MAX_DEPTH:
        return value
    if type(value) in (list, tuple) and any(isinstance(v, (_Recording, list, tuple, dict))
                                           for v in value):
        items = [_unwrap(v, depth + 1) for v in value]
        if all(a is b for a, b in zip(items, value)):
            return value
        return items if type(value) is list else tuple(items)
    if type(value) is dict and any(isinstance(v, (_Recording, list, tuple, dict))
                                   for v in value.values()):
        items = {k: _unwrap(v, depth + 1) for k, v in value.items()}
        if all(items[k] is value[k] for k in value):
            return value
        return items
    return value


def _record_call(rec: Recorder, fn, label: str, args, kwargs):
    callbacks: list[dict] = []

    def watch(where, f):
        if not isinstance(f, _CALLBACK_TYPES):
            return f

        def called(*a, **k):
            try:
                callbacks.append({"arg": where, "args": rec.state(list(a)),
                                  "kwargs": rec.state(dict(k))})
            except Exception:  # noqa: BLE001 - an argument that cannot travel: not recorded
                pass
            return f(*a, **k)

        return called

    real_args = [watch(i, _unwrap(a)) for i, a in enumerate(args)]
    real_kwargs = {k: watch(k, _unwrap(v)) for k, v in kwargs.items()}
    event: dict = {"e": "call", "name": label}
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = fn(*real_args, **real_kwargs)
            finally:
                event["warnings"] = [[w.category.__name__, str(w.message)[:500]]
                                     for w in caught[:100]]
        _rewarn(event["warnings"])   # the scenario in the sandbox sees them too
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - the student's code may raise anything
        event["raise"] = _error_of(exc)
        _add_after(rec, event, real_args, real_kwargs, callbacks)
        rec.add(event)
        _rewarn(event["warnings"])
        raise
    enc, view = rec.encode(result)
    event["result"] = enc
    _add_after(rec, event, real_args, real_kwargs, callbacks)
    rec.add(event)
    return view


def _rewarn(recorded) -> None:
    """Emit the warnings a call raised (numpy's overflow warnings, say) where the scenario can
    catch them: a warning class from ``builtins`` by name, else ``UserWarning``."""
    if not isinstance(recorded, list):
        return
    for item in recorded[:100]:
        if not (isinstance(item, list) and len(item) == 2):
            continue
        cls = getattr(builtins, str(item[0]), None)
        if not (isinstance(cls, type) and issubclass(cls, Warning)):
            cls = UserWarning
        warnings.warn(str(item[1]), cls, stacklevel=2)


def _add_after(rec, event, args, kwargs, callbacks):
    event["after"] = [rec.state(a) for a in args]
    event["kwafter"] = {k: rec.state(v) for k, v in kwargs.items()}
    event["callbacks"] = callbacks


class _Recording:
    """A student object (or callable) seen by the scenario in the sandbox; each use is recorded."""

    __slots__ = ("_rec", "_obj", "_label")

    def __init__(self, rec, obj, label):
        object.__setattr__(self, "_rec", rec)
        object.__setattr__(self, "_obj", obj)
        object.__setattr__(self, "_label", label)

    def __getattr__(self, name):
        rec, obj = object.__getattribute__(self, "_rec"), object.__getattribute__(self, "_obj")
        return _record_get(rec, obj, name)

    def __setattr__(self, name, value):
        setattr(object.__getattribute__(self, "_obj"), name, _unwrap(value))

    def __call__(self, *args, **kwargs):
        rec, obj = object.__getattribute__(self, "_rec"), object.__getattribute__(self, "_obj")
        return _record_call(rec, obj, str(object.__getattribute__(self, "_label")), args, kwargs)

    def _op(self, op, *args):
        rec, obj = object.__getattribute__(self, "_rec"), object.__getattribute__(self, "_obj")
        event: dict = {"e": "op", "name": op}
        try:
            if op == "__iter__":
                result: Any = list(iter(obj))
            else:
                result = getattr(type(obj), op)(obj, *[_unwrap(a) for a in args])
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            event["raise"] = _error_of(exc)
            rec.add(event)
            raise
        enc, view = rec.encode(result)
        event["result"] = enc
        rec.add(event)
        return view

    def __len__(self):
        return self._op("__len__")

    def __iter__(self):
        return iter(self._op("__iter__"))

    def __getitem__(self, key):
        return self._op("__getitem__", key)

    def __contains__(self, key):
        return self._op("__contains__", key)

    def __bool__(self):
        return self._op("__bool__")

    def __float__(self):
        return self._op("__float__")

    def __int__(self):
        return self._op("__int__")

    def __index__(self):
        return self._op("__index__")

    def __str__(self):
        return self._op("__str__")

    def __repr__(self):
        return self._op("__repr__")

    def __eq__(self, other):
        return self._op("__eq__", other)

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._op("__array__"), dtype=dtype)

    __hash__ = None


def _record_get(rec: Recorder, obj, name: str):
    event: dict = {"e": "get", "name": name}
    try:
        value = getattr(obj, name)
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        event["raise"] = _error_of(exc)
        rec.add(event)
        raise
    if callable(value) and not isinstance(value, np.ndarray):
        event["callable"] = True
        rec.add(event)
        return _Recording(rec, value, name)
    enc, view = rec.encode(value)
    event["value"] = enc
    rec.add(event)
    return view


class _RecordingModule:
    def __init__(self, rec, module, name):
        self._rec, self._module, self._name = rec, module, name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _record_get(self._rec, self._module, name)


class RecordingLib:
    """``lib`` for a scenario run on the student's package, recording every access."""

    def __init__(self, recorder: Recorder, package: str = "course_lib"):
        self._rec, self._view = recorder, LibView(package)

    def __getattr__(self, module):
        if module.startswith("_"):
            raise AttributeError(module)
        event: dict = {"e": "module", "name": module}
        try:
            mod = getattr(self._view, module)
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - the package failed to import
            # A module that fails to import never counts as the exception a case expects.
            event["raise"] = _error_of(exc, counts=False)
            self._rec.add(event)
            raise
        self._rec.add(event)
        return _RecordingModule(self._rec, mod, module)


# --------------------------------------------------------------------------------------------
# Grader side: replay


class _StudentError(Exception):
    """Stands for an exception of a class outside ``builtins`` (it matches no expected class)."""


def _raise_replayed(err) -> None:
    if not isinstance(err, dict):
        raise ReplayMismatch("malformed exception in the record")
    cls = builtin_exception(str(err.get("builtin", "")))
    if cls is None or not issubclass(cls, Exception) or cls is Exception:
        cls = _StudentError
    message = str(err.get("message", ""))[:2000]
    name = str(err.get("type", ""))
    try:
        # A class of the grader's, named as the submission's and derived from the builtin class
        # the record names (or from none that any case expects): messages read as in the sandbox.
        if name.isidentifier() and name != cls.__name__:
            cls = type(name, (cls,), {"__module__": "submission"})
        exc = cls(message)
    except Exception:  # noqa: BLE001 - e.g. UnicodeDecodeError wants five arguments
        cls, exc = _StudentError, _StudentError(message)
    told = {"type": str(err.get("type", cls.__name__))[:200], "message": message,
            "where": str(err.get("where", ""))[:500],
            "builtin": "" if issubclass(cls, _StudentError) else builtin_exception_name(cls)}
    exc.__course_error__ = told  # type: ignore[attr-defined]
    raise exc


class Replay:
    """The events of one record, consumed in order by the replaying scenario."""

    def __init__(self, events, blobs):
        if not isinstance(events, list) or len(events) > MAX_EVENTS:
            raise WireError("malformed record")
        self.events, self.blobs, self.pos = events, blobs, 0
        self._objects: dict[int, SubmissionObject] = {}

    def next(self, kind: str, name: str, *, raise_now: bool = True) -> dict:
        if self.pos >= len(self.events):
            raise ReplayMismatch(f"the record ends before {kind} {name!r}")
        ev = self.events[self.pos]
        self.pos += 1
        if not isinstance(ev, dict) or ev.get("e") != kind or ev.get("name") != name:
            got = f"{ev.get('e')} {ev.get('name')!r}" if isinstance(ev, dict) else "garbage"
            raise ReplayMismatch(f"the record has {got} where the scenario does {kind} {name!r}")
        if raise_now and "raise" in ev:
            _raise_replayed(ev["raise"])
        return ev

    def decode(self, enc):
        return decode_value(enc, self.blobs, ref=self._ref)

    def _ref(self, marker):
        h = marker.get("id")
        if not isinstance(h, int):
            raise WireError("malformed reference")
        if h not in self._objects:
            self._objects[h] = SubmissionObject(self, str(h), str(marker.get("type", "object"))[:100])
        return self._objects[h]

    def apply(self, target, state, depth: int = 0):
        """Apply a recorded post-call ``state`` to the grader's own argument ``target`` in place;
        returns the value to keep where ``target`` cannot change in place."""
        if not isinstance(state, dict) or depth > MAX_DEPTH + 1:
            raise WireError("malformed state")
        t = state.get("t")
        if t == "skip":
            return target
        if t == "rng":
            if not isinstance(target, np.random.Generator):
                return target
            try:
                target.bit_generator.state = _state_from_json(state.get("state"))
            except (TypeError, ValueError, KeyError) as exc:
                raise WireError(f"bad generator state ({exc})") from None
            return target
        if t == "value":
            return self.decode(state.get("v"))
        if t in ("list", "tuple"):
            items = state.get("v")
            if not isinstance(items, list):
                raise WireError("malformed state")
            if isinstance(target, list) and t == "list":
                old = list(target)
                new = [self.apply(old[i] if i < len(old) else None, s, depth + 1)
                       for i, s in enumerate(items)]
                target[:] = new
                return target
            if isinstance(target, tuple) and len(target) == len(items):
                return tuple(self.apply(v, s, depth + 1) for v, s in zip(target, items))
            return self._fresh(state, depth)
        if t == "dict":
            items = state.get("v")
            if not isinstance(items, dict):
                raise WireError("malformed state")
            if not isinstance(target, dict):
                return self._fresh(state, depth)
            for k in [k for k in target if k not in items]:
                del target[k]
            for k, s in items.items():
                target[k] = self.apply(target.get(k), s, depth + 1)
            return target
        if t == "obj":
            items = state.get("v")
            if not isinstance(items, dict):
                raise WireError("malformed state")
            if not (isinstance(target, types.SimpleNamespace) or _is_plain_object(target)):
                return target
            for k, s in items.items():
                if isinstance(k, str) and not k.startswith("__"):
                    setattr(target, k, self.apply(getattr(target, k, None), s, depth + 1))
            return target
        value = self.decode(state)
        if (isinstance(target, np.ndarray) and isinstance(value, np.ndarray)
                and target.shape == value.shape and target.dtype == value.dtype
                and target.flags.writeable):
            target[...] = value
            return target
        return value

    def _fresh(self, state, depth):
        return _decode_state(self, state, depth)


def _decode_state(replay: Replay, state, depth):
    t = state.get("t")
    if t in ("list", "tuple"):
        items = [_decode_state(replay, s, depth + 1) for s in state["v"]]
        return items if t == "list" else tuple(items)
    if t == "dict":
        return {k: _decode_state(replay, s, depth + 1) for k, s in state["v"].items()}
    if t == "value":
        return replay.decode(state.get("v"))
    if t in ("skip", "rng", "obj"):
        return None
    return replay.decode(state)


def _state_from_json(state):
    if isinstance(state, dict):
        if set(state) == {"array", "dtype"}:
            return np.array(state["array"], dtype=np.dtype(state["dtype"]))
        return {k: _state_from_json(v) for k, v in state.items()}
    return state


def _replay_call(replay: Replay, label: str, args, kwargs):
    ev = replay.next("call", label, raise_now=False)
    after, kwafter = ev.get("after", []), ev.get("kwafter", {})
    if not isinstance(after, list) or not isinstance(kwafter, dict) or len(after) != len(args):
        raise ReplayMismatch(f"the record of {label!r} has other arguments than the scenario's")
    _rewarn(ev.get("warnings"))
    for cb in ev.get("callbacks", []) or []:
        # The student's code called one of the scenario's callables: call the grader's own with
        # the same arguments, so whatever it records grader-side is what the sandbox saw.
        where = cb.get("arg") if isinstance(cb, dict) else None
        f = (args[where] if isinstance(where, int) and 0 <= where < len(args)
             else kwargs.get(where) if isinstance(where, str) else None)
        if f is None or not callable(f):
            raise ReplayMismatch(f"the record of {label!r} calls back something not callable")
        a, k = _decode_state(replay, cb["args"], 0), _decode_state(replay, cb["kwargs"], 0)
        try:
            f(*(a or []), **(k or {}))
        except Exception:  # noqa: BLE001 - the callback's answer went to the student already
            pass
    for arg, state in zip(args, after):
        replay.apply(arg, state)
    for k, state in kwafter.items():
        if k in kwargs:
            replay.apply(kwargs[k], state)
    if "raise" in ev:
        _raise_replayed(ev["raise"])
    return replay.decode(ev.get("result"))


class SubmissionObject:
    """Stands, in the grader, for an object of the submission's (kept in the sandbox): each use
    is answered from the record."""

    __slots__ = ("_replay", "_label", "_type")

    def __init__(self, replay, label: str, type_name: str = "function"):
        object.__setattr__(self, "_replay", replay)
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_type", type_name)

    def __getattr__(self, name):
        return _replay_get(object.__getattribute__(self, "_replay"), name)

    def __setattr__(self, name, value):
        pass  # the object lives in the sandbox; what the scenario set there is in the record

    def __call__(self, *args, **kwargs):
        return _replay_call(object.__getattribute__(self, "_replay"),
                            object.__getattribute__(self, "_label"), args, kwargs)

    def _op(self, op):
        replay = object.__getattribute__(self, "_replay")
        return replay.decode(replay.next("op", op).get("result"))

    def __len__(self):
        return self._op("__len__")

    def __iter__(self):
        return iter(self._op("__iter__"))

    def __getitem__(self, key):
        return self._op("__getitem__")

    def __contains__(self, key):
        return self._op("__contains__")

    def __bool__(self):
        return self._op("__bool__")

    def __float__(self):
        return self._op("__float__")

    def __int__(self):
        return self._op("__int__")

    def __index__(self):
        return self._op("__index__")

    def __str__(self):
        return self._op("__str__")

    def __repr__(self):
        return self._op("__repr__")

    def __eq__(self, other):
        return self._op("__eq__")

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self._op("__array__"), dtype=dtype)

    __hash__ = None


def _replay_get(replay: Replay, name: str):
    ev = replay.next("get", name)
    if ev.get("callable"):
        return SubmissionObject(replay, name)
    return replay.decode(ev.get("value"))


class _ReplayModule:
    def __init__(self, replay, name):
        self._replay, self._name = replay, name

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _replay_get(self._replay, name)


class ReplayLib:
    """``lib`` for the grader's replay of a record: answers from the record, runs nothing."""

    def __init__(self, replay: Replay):
        self._replay = replay

    def __getattr__(self, module):
        if module.startswith("_"):
            raise AttributeError(module)
        self._replay.next("module", module)
        return _ReplayModule(self._replay, module)


# --------------------------------------------------------------------------------------------
# One case, both halves


@dataclass
class Record:
    """What the sandbox sends back for one scenario case: the events and their array blobs."""

    events: list = field(default_factory=list)
    blobs: list = field(default_factory=list)


def _detached(value, depth: int = 0):
    """An output as the judge sees it: an object of the submission's is not plain data (it is
    judged as :class:`~.wire.Unsupported`, and never asked anything the record does not hold)."""
    if isinstance(value, SubmissionObject):
        return Unsupported(object.__getattribute__(value, "_type"))
    if depth > MAX_DEPTH:
        return value
    if type(value) in (list, tuple):
        items = [_detached(v, depth + 1) for v in value]
        return items if type(value) is list else tuple(items)
    if type(value) is dict:
        return {k: _detached(v, depth + 1) for k, v in value.items()}
    return value


def record_scenario(scn: Scenario, case: dict, package: str = "course_lib") -> Record:
    """Run ``scn`` on ``package`` (the student's, in the sandbox) and return its record. The
    scenario's own outcome is not part of it: the grader computes that from the record."""
    rec = Recorder()
    run_scenario(scn, RecordingLib(rec, package), case)
    return Record(events=rec.events, blobs=rec.blobs)


def replay_scenario(scn: Scenario, case: dict, record: Record) -> Outcome:
    """The outcome of ``scn`` on ``case`` computed by this process's (trusted) scenario from
    ``record``. Only an exception the submission's code raised (replayed from the record) can be
    the exception a case expects; one raised by the scenario or the replay itself never is."""
    params = dict(case)
    rng = np.random.default_rng(params.pop("seed"))
    try:
        replay = Replay(record.events, record.blobs)
        with np.errstate(all="ignore"):
            out = scn.func(ReplayLib(replay), rng, **params)
        if not isinstance(out, dict):
            raise TypeError(f"scenario {scn.name} returned {type(out).__name__}, not a dict")
        return Outcome(outputs={str(k): _detached(v) for k, v in out.items()})
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - replayed student exceptions included
        info = ErrorInfo.from_exception(exc)
        if getattr(exc, "__course_error__", None) is None:
            info = replace(info, builtin="")
        return Outcome(error=info)
