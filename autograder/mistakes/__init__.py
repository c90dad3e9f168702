"""The catalogue of known mistakes: wrong variants of the reference, one module per course_lib
module.

A submission whose outputs match a variant is told the mistake's name and its hint, the variant's
docstring. The demo class splices a variant's source (and the catalogue helpers it uses) into a
copy of the reference to make a student who made that mistake.
A variant whose mistake shows in the output wraps the reference (``ref.<name>``, the catalogue
module's ``from course_ref import <module> as ref``); one whose mistake is inside the computation
is its few wrong lines after the reference's argument checks.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import re
import shutil
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import REFERENCE_DIR
from ..reference import load_reference


@dataclass(frozen=True)
class Mistake:
    """One catalogued mistake of ``target`` (``"batchnorm.batchnorm_backward"``)."""

    target: str
    name: str
    hint: str
    obj: Callable

    @property
    def module(self) -> str:
        return self.target.rpartition(".")[0]

    @property
    def attr(self) -> str:
        return self.target.rpartition(".")[2]

    @property
    def slug(self) -> str:
        return self.obj.__name__.partition("__")[2] or re.sub(r"\W+", "_", self.name.lower())


_REGISTRY: dict[str, Mistake] = {}


def mistake(target: str, name: str):
    """Register the decorated function (or class) as a known wrong variant of ``target``, called
    ``name``; its docstring is the hint a student who made the mistake is given."""
    if "." not in target:
        raise ValueError(f"target must be 'module.name'; got {target!r}")

    def register(obj):
        hint = " ".join((inspect.getdoc(obj) or "").split())
        if not hint or obj.__doc__ is None:
            raise ValueError(f"{obj.__name__}: a mistake's docstring is its hint; it has none")
        key = f"{target}:{obj.__name__}"
        _REGISTRY[key] = Mistake(target=target, name=name, hint=hint, obj=obj)
        return obj

    return register


def same_mistakes(source_target: str, target: str) -> None:
    """Register every catalogued mistake of ``source_target`` for ``target`` too, with the same
    name and hint: for two graded functions that must compute the same result two ways."""
    for m in [m for m in _REGISTRY.values() if m.target == source_target]:
        _REGISTRY[f"{target}:{m.obj.__name__}"] = Mistake(
            target=target, name=m.name, hint=m.hint, obj=m.obj
        )


_CATALOGUE: list[Mistake] | None = None


def load_catalogue() -> list[Mistake]:
    """Import every catalogue module and return all mistakes, in a stable order (computed once:
    the grader asks on every failing check)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        load_reference()  # catalogue modules import `course_ref.<module>`
        for info in pkgutil.iter_modules(__path__):
            importlib.import_module(f"{__name__}.{info.name}")
        _CATALOGUE = sorted(_REGISTRY.values(), key=lambda m: (m.target, m.obj.__name__))
    return list(_CATALOGUE)


def mistakes_for_task(task) -> list[Mistake]:
    """The catalogued mistakes of the functions of ``task`` (a ``Task``)."""
    return [m for m in load_catalogue() if m.module == task.module and m.attr in task.names]


def _helpers_needed(m: Mistake, module_source: str) -> list[str]:
    """Sources of the catalogue module's own helpers that the variant uses (transitively) and
    the reference module lacks, in dependency order."""
    catalogue = inspect.getmodule(m.obj)
    assert catalogue is not None, f"{m.obj!r} was defined by no module"
    defined = {
        a or b for a, b in re.findall(r"^(?:def|class)\s+(\w+)|^(\w+)\s*=", module_source, re.M)
    }
    order: list[str] = []

    def names_of(obj):
        # A function's code, or the code of a class's methods (a variant may be a subclass).
        if inspect.isclass(obj):
            stack = [f.__code__ for f in vars(obj).values() if inspect.isfunction(f)]
        else:
            stack = [obj.__code__] if hasattr(obj, "__code__") else []
        out = set()
        while stack:
            c = stack.pop()
            out |= set(c.co_names)
            stack += [k for k in c.co_consts if hasattr(k, "co_names")]
        return out

    def visit(obj):
        for name in sorted(names_of(obj)):
            helper = vars(catalogue).get(name)
            if (
                name in defined
                or name in order
                or helper is None
                or helper is obj
                or getattr(helper, "__module__", None) != catalogue.__name__
                or not (inspect.isfunction(helper) or inspect.isclass(helper))
            ):
                continue
            visit(helper)
            order.append(name)

    visit(m.obj)
    return [_strip_mistake_decorator(inspect.getsource(vars(catalogue)[n])) for n in order]


def splice_source(module_source: str, m: Mistake) -> str:
    """The reference module's source with ``m`` rebound in place of the right ``m.attr``."""
    variant = _strip_mistake_decorator(inspect.getsource(m.obj))
    helpers = "\n\n".join(_helpers_needed(m, module_source))
    # A variant that wraps the reference calls ``ref.<name>``: the module's own functions as they
    # were before the variant is rebound in their place.
    ref = "import types as _types\nref = _types.SimpleNamespace(**globals())\n"
    return (
        module_source.rstrip() + "\n\n\n# --- known mistake spliced in by the demo class: "
        f"{m.name} ---\n{ref}\n{helpers}\n\n{variant}\n{m.attr} = {m.obj.__name__}\n"
    )


def _strip_mistake_decorator(source: str) -> str:
    """Drop the ``@mistake(...)`` decorator (however many lines it spans) from a definition."""
    source = textwrap.dedent(source)
    definition = ast.parse(source).body[0]
    lines = source.splitlines()
    for dec in getattr(definition, "decorator_list", []):
        if isinstance(dec, ast.Call) and getattr(dec.func, "id", None) == "mistake":
            del lines[dec.lineno - 1 : dec.end_lineno]
    return "\n".join(lines)


def make_mistaken_package(m: Mistake, dest: Path, source_dir: Path = REFERENCE_DIR) -> Path:
    """Copy the reference package to ``dest/course_lib`` with mistake ``m`` spliced in."""
    pkg = Path(dest) / "course_lib"
    if pkg.exists():
        shutil.rmtree(pkg)
    shutil.copytree(source_dir, pkg, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    path = pkg / f"{m.module.replace('.', '/')}.py"
    path.write_text(splice_source(path.read_text(), m))
    return pkg
