"""Where you stand: the state of every task, and whether each notebook's experiments can run.

Later notebooks run your code from earlier ones: notebook 06 trains networks built from your
affine layers, activations and softmax of notebook 01, so a missing or subtly wrong task of 01
breaks (or silently corrupts) every experiment of 06. ``course status`` shows every task's state
and, per notebook, the earlier tasks its experiments need; each notebook's setup cell calls
:func:`experiments_ready` to say the same in one line.

A task is *not started* while every public check stops at its ``NotImplementedError`` stub,
*failing* while any public check fails, and *passing* when all of them pass. Public checks are
the same ones ``course check`` runs; the grader's hidden checks test more.
"""

from __future__ import annotations

import ast
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .tasks import ASSIGNMENTS, EXPERIMENTS_NEED, TASKS, Task, get_task

NOT_STARTED = "not started"
FAILING = "failing public checks"
PASSING = "passing"
SYMBOLS = {NOT_STARTED: "·", FAILING: "✗", PASSING: "✓"}


@dataclass(frozen=True)
class TaskStatus:
    """The public-check state of one task.

    Attributes
    ----------
    task : Task
    state : str
        ``NOT_STARTED``, ``FAILING`` or ``PASSING``.
    passed, total : int
        Public checks passed, and run.
    first_failure : str
        The first failing check's message (empty when none fails).
    """

    task: Task
    state: str
    passed: int
    total: int
    first_failure: str = ""


def task_status(task_id: str, package: str = "course_lib", _fixtures: dict | None = None) -> TaskStatus:
    """Run the public checks of one task quietly and classify the result."""
    from .checks.public import load_fixtures, public_cases, run_public_case

    task = get_task(task_id)
    cases = public_cases(package, task.id)
    fixtures = _fixtures if _fixtures is not None else load_fixtures(task.assignment)
    verdicts = [run_public_case(pc, package, fixtures) for pc in cases]
    failures = [v for v in verdicts if not v.passed]
    passed = len(verdicts) - len(failures)
    if not failures:
        return TaskStatus(task, PASSING, passed, len(verdicts))
    first = failures[0].report().splitlines()[0]
    state = NOT_STARTED if untouched(task, package) else FAILING
    return TaskStatus(task, state, passed, len(verdicts), first)


def _is_stub_raise(stmt: ast.stmt) -> bool:
    return (isinstance(stmt, ast.Raise) and isinstance(stmt.exc, ast.Call)
            and getattr(stmt.exc.func, "id", None) == "NotImplementedError" and bool(stmt.exc.args)
            and isinstance(stmt.exc.args[0], ast.Constant)
            and str(stmt.exc.args[0].value).startswith("Task "))


def _is_stub_body(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """True if the function still has the generated ``raise NotImplementedError("Task …")`` and
    no ``return`` before it (provided code after the stub's raise may return; a student's
    code before it does)."""
    for stmt in func.body:
        if _is_stub_raise(stmt):
            return True
        if any(isinstance(n, ast.Return) for n in ast.walk(stmt)):
            return False
    return False


def untouched(task: Task, package: str = "course_lib") -> bool:
    """True if every graded function of ``task`` is still its generated stub (for a class: if a
    method still is). Read from the source file, so a half-written task counts as started."""
    spec = importlib.util.find_spec(f"{package}.{task.module}")   # found, not imported
    try:
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    except (SyntaxError, OSError, AttributeError, TypeError):
        return False            # a file that does not parse has been edited: failing, not new
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in task.names:
            found[node.name] = _is_stub_body(node)
        elif isinstance(node, ast.ClassDef) and node.name in task.names:
            found[node.name] = any(_is_stub_body(m) for m in node.body
                                   if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)))
    return bool(found) and all(found.values())


def course_status(package: str = "course_lib") -> dict[str, TaskStatus]:
    """``{task id: TaskStatus}`` for every task of the course, in course order."""
    from .checks.public import load_fixtures

    fixtures: dict[str, dict] = {}
    out = {}
    for t in TASKS:
        if t.assignment not in fixtures:
            fixtures[t.assignment] = load_fixtures(t.assignment)
        out[t.id] = task_status(t.id, package, fixtures[t.assignment])
    return out


def _needed(assignment: str) -> tuple[str, ...]:
    if assignment not in ASSIGNMENTS:
        raise KeyError(f"unknown assignment {assignment!r}; known: {', '.join(ASSIGNMENTS)}")
    return EXPERIMENTS_NEED.get(assignment, ())


def readiness_line(assignment: str, statuses: dict[str, TaskStatus]) -> str:
    """One line: are the earlier tasks that ``assignment``'s experiments run all passing?"""
    needed = _needed(assignment)
    if not needed:
        return f"{assignment}: its experiments use only this notebook's own tasks."
    missing = [statuses[i] for i in needed if statuses[i].state != PASSING]
    if not missing:
        return (f"{assignment}: ready: the earlier tasks its experiments run "
                f"({', '.join(needed)}) pass their public checks.")
    where = sorted({f"notebooks/{s.task.assignment}" for s in missing})
    todo = ", ".join(f"{s.task.id} {s.task.title} ({s.state})" for s in missing)
    return (f"{assignment}: NOT READY: its experiments run your code of earlier tasks; finish "
            f"first: {todo} — see {', '.join(where)} (`course status`), or ask whether your "
            "course releases the reference solution of closed assignments.")


def experiments_ready(assignment: str, package: str = "course_lib") -> bool:
    """For a notebook's setup cell: print one line saying whether the earlier tasks this
    notebook's experiments run pass their public checks; return True when they do."""
    statuses = {i: task_status(i, package) for i in _needed(assignment)}
    print(readiness_line(assignment, statuses))
    return all(s.state == PASSING for s in statuses.values())


def format_status(statuses: dict[str, TaskStatus]) -> str:
    """The ``course status`` report: tasks by assignment, then each notebook's readiness."""
    lines = []
    # the widest title sets the column, so that a long title never runs into its state
    width = max((len(s.task.title) for s in statuses.values()), default=0) + 2
    for assignment, title in ASSIGNMENTS.items():
        lines.append(f"{assignment}  {title}")
        for s in (s for s in statuses.values() if s.task.assignment == assignment):
            detail = s.state if s.state == NOT_STARTED else f"{s.state} ({s.passed}/{s.total})"
            if s.state == FAILING:
                detail += f": {s.first_failure[:90]}"
            lines.append(f"  {SYMBOLS[s.state]} {s.task.id:<4} {s.task.title:<{width}}{detail}")
        lines.append(f"  → {readiness_line(assignment, statuses)}")
    counts = {state: sum(s.state == state for s in statuses.values()) for state in SYMBOLS}
    lines.append(f"{counts[PASSING]} passing, {counts[FAILING]} failing, "
                 f"{counts[NOT_STARTED]} not started, of {len(statuses)} tasks")
    return "\n".join(lines)
