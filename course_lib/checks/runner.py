"""Running a scenario case against a package: :class:`LibView`, :func:`run_scenario` and the
:class:`Outcome` it produces (outputs, or the error raised as plain data, :class:`ErrorInfo`).
"""

from __future__ import annotations

import builtins
import importlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .scenario import Scenario


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


def builtin_exception_name(cls: type) -> str:
    """The name of the nearest class in ``cls``'s MRO that is one of Python's own exceptions
    (``ValueError`` for ``class ShapeError(ValueError)``); '' if there is none."""
    for c in cls.__mro__:
        if c.__module__ == "builtins" and getattr(builtins, c.__name__, None) is c:
            return c.__name__
    return ""


def builtin_exception(name: str) -> type | None:
    """The builtin exception class called ``name``, looked up in the judging process's own
    ``builtins`` (never a class a submission defined); None for any other name."""
    cls = getattr(builtins, name, None) if isinstance(name, str) and name.isidentifier() else None
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


@dataclass(frozen=True)
class ErrorInfo:
    """An exception raised while running a scenario, as plain data.

    ``type`` is the raised class's name (for messages only); ``builtin`` is the name of its
    nearest builtin exception class, which is what the judge compares (see
    :func:`builtin_exception_name`); '' when the error is the grader's own (a timeout, a crash, an
    unreadable reply), which never counts as the exception a case expects.
    """

    type: str
    builtin: str
    message: str
    where: str = ""

    @classmethod
    def from_exception(cls, exc: BaseException) -> "ErrorInfo":
        # An exception replayed from a sandbox's record (.replay) carries what the sandbox said
        # about it; its class (hence ``builtin``) is the grader's choice from that.
        told = getattr(exc, "__course_error__", None)
        if isinstance(told, dict):
            return cls(type=str(told.get("type", ""))[:200], builtin=str(told.get("builtin", "")),
                       message=str(told.get("message", ""))[:2000],
                       where=str(told.get("where", ""))[:500])
        frames = traceback.extract_tb(exc.__traceback__)
        # The innermost frame in the student's (or reference's) package says where it broke.
        where = ""
        for fr in reversed(frames):
            if "checks" not in Path(fr.filename).parts:
                where = f"{Path(fr.filename).name}:{fr.lineno} in {fr.name}"
                break
        return cls(type=type(exc).__name__, builtin=builtin_exception_name(type(exc)),
                   message=str(exc)[:2000], where=where)

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
