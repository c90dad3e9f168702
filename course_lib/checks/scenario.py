"""Declaring scenarios: ``@scenario(task, cases=...)`` and finding them (:func:`load_scenarios`).

A *scenario* is a small function ``f(lib, rng, **params) -> dict`` that exercises the graded
functions of one task through ``lib`` (the student's package, the reference, or the reference with
one known mistake patched in) and returns named outputs. Comparing the outputs of the same scenario
on the same case tells whether a submission is right and, when it is not, which known mistake it
reproduces. Public checks compare against stored reference outputs (``fixtures/``, see
:mod:`.public`); the grader's hidden suites run the same scenarios on other cases.

The modules of ``checks`` depend on nothing else in ``course_lib``: the grader binds its own copy
over the student's, inside the sandbox, and loads the reference's copy, trusted, in its process.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable

COMPARE_KINDS = ("match", "gradcheck", "property")


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
