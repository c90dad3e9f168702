"""Stubs: the reference package with every solution region replaced by
``raise NotImplementedError("Task 5.2 batchnorm_backward — see notebooks/05_batchnorm")``.

:func:`write_stub_package` is also what the score stage and the demo call to make a "blank
stubs" submission.
"""

from __future__ import annotations

import ast
import importlib
import shutil
from pathlib import Path
from types import ModuleType

from .. import PUBLIC_FIXTURES, REFERENCE_DIR, STUDENT_LIB
from ..reference import REFERENCE_NAME, load_reference
from .markers import SOLUTION_BEGIN as BEGIN
from .markers import SOLUTION_END as END

IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")


class BuildError(Exception):
    """The sources break a rule of the build (markers, task registry, nbgrader)."""


def _tasks() -> ModuleType:
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.tasks")


def solution_regions(source: str, filename: str = "<source>") -> list[tuple[int, int]]:
    """``(begin, end)`` 1-based line numbers of each solution region, checked for pairing."""
    regions, start = [], None
    for no, line in enumerate(source.splitlines(), 1):
        s = line.strip()
        if s == BEGIN:
            if start is not None:
                raise BuildError(f"{filename}:{no}: nested {BEGIN}")
            start = no
        elif s == END:
            if start is None:
                raise BuildError(f"{filename}:{no}: {END} without {BEGIN}")
            regions.append((start, no))
            start = None
        elif BEGIN in s or END in s:
            raise BuildError(f"{filename}:{no}: a solution marker must stand alone on its line")
    if start is not None:
        raise BuildError(f"{filename}:{start}: {BEGIN} is never closed")
    return regions


def _enclosing(tree: ast.AST, line: int):
    """Innermost function containing ``line`` and the class around it, if any."""
    func, cls = None, None

    def visit(node, current_cls):
        nonlocal func, cls
        for child in ast.iter_child_nodes(node):
            if not hasattr(child, "lineno") or not (
                child.lineno <= line <= (getattr(child, "end_lineno", None) or 0)
            ):
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                func, cls = child, current_cls
                visit(child, current_cls)
            elif isinstance(child, ast.ClassDef):
                visit(child, child)
            else:
                visit(child, current_cls)

    visit(tree, None)
    return func, cls


def make_stub(source: str, module: str, filename: str = "<source>") -> str:
    """The student's version of one reference module (see the module docstring)."""
    regions = solution_regions(source, filename)
    if not regions:
        return source
    tree = ast.parse(source, filename)
    tasks = _tasks()
    lines = source.splitlines()
    out, last = [], 0
    for begin, end in regions:
        func, cls = _enclosing(tree, begin)
        if func is None:
            raise BuildError(f"{filename}:{begin}: solution markers outside a function")
        graded = cls.name if cls is not None else func.name
        try:
            task = tasks.task_of(module, graded)
        except KeyError:
            raise BuildError(
                f"{filename}:{begin}: {module}.{graded} has solution markers but is "
                "not registered in solutions/course_lib/tasks.py"
            ) from None
        what = f"{cls.name}.{func.name}" if cls is not None else func.name
        indent = lines[begin - 1][: len(lines[begin - 1]) - len(lines[begin - 1].lstrip())]
        out.extend(lines[last : begin - 1])
        out.append(
            f'{indent}raise NotImplementedError("Task {task.id} {what} — see '
            f'notebooks/{task.assignment}")'
        )
        last = end
    out.extend(lines[last:])
    stub = "\n".join(out) + ("\n" if source.endswith("\n") else "")
    compile(stub, filename, "exec")
    return stub


def write_stub_package(
    src: Path = REFERENCE_DIR, dest: Path = STUDENT_LIB, fixtures: Path | None = PUBLIC_FIXTURES
) -> list[Path]:
    """Write the stub package of ``src`` into ``dest`` (replacing it), with the public fixtures
    of ``fixtures`` (the committed ones by default; none if ``None`` or missing) in its
    ``checks/fixtures/``; return the Python files written."""
    src, dest = Path(src), Path(dest)
    tmp = dest.with_name(dest.name + ".building")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp, ignore=IGNORE)
    if fixtures is not None and Path(fixtures).is_dir():
        shutil.copytree(fixtures, tmp / "checks" / "fixtures", ignore=IGNORE)
    written = []
    for path in sorted(tmp.rglob("*.py")):
        rel = path.relative_to(tmp)
        module = ".".join(rel.with_suffix("").parts)
        stub = make_stub(path.read_text(), module, str(src / rel))
        path.write_text(stub)
        written.append(dest / rel)
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return written
