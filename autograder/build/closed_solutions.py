"""The reference solutions of closed assignments, for students: ``course release-solutions``.

Later notebooks run earlier tasks (06's experiments train 01's layers). A student who failed 01
should still do 06 on correct layers, so once 01 is closed the instructor releases its
reference modules. Each ``course_lib`` module belongs to exactly one assignment
(``tasks.TASKS``), so a release is the closed assignments' modules, solved, and nothing else:
unzipped over a student's ``course_lib/`` it replaces only those files. Every release is
verified before it is written: only closed assignments' modules, no hidden tests, no grader code.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .. import REFERENCE_DIR, REPO
from .markers import HIDDEN_BEGIN, SOLUTION_BEGIN, SOLUTION_END
from .stubs import _tasks

_MARKER_LINE = re.compile(
    rf"^[ \t]*({re.escape(SOLUTION_BEGIN)}|{re.escape(SOLUTION_END)})[ \t]*\n", re.M
)


class ClosedSolutionsError(ValueError):
    """An assignment that does not exist, or a release that would ship something it must not."""


def modules_by_assignment() -> dict[str, set[str]]:
    """``{assignment: {module, ...}}`` from the task table; a module in two assignments raises
    (its release would give away an open assignment's tasks)."""
    owner: dict[str, str] = {}
    out: dict[str, set[str]] = {}
    for task in _tasks().TASKS:
        other = owner.setdefault(task.module, task.assignment)
        if other != task.assignment:
            raise ClosedSolutionsError(
                f"module {task.module!r} holds tasks of {other} and {task.assignment}: "
                "releasing one would give away the other"
            )
        out.setdefault(task.assignment, set()).add(task.module)
    return out


def resolve_assignments(names: list[str]) -> list[str]:
    """Full assignment names for ``names`` ("01", "1" or "01_foundations")."""
    known = list(_tasks().ASSIGNMENTS)
    out = []
    for name in names:
        matches = [a for a in known if a == name or a.split("_")[0] == name.zfill(2)]
        if len(matches) != 1:
            raise ClosedSolutionsError(f"unknown assignment {name!r}; known: {', '.join(known)}")
        out.append(matches[0])
    return sorted(set(out))


def solved_source(module: str) -> str:
    """The reference module without its solution markers (what a student's finished file is)."""
    return _MARKER_LINE.sub("", (REFERENCE_DIR / f"{module}.py").read_text(encoding="utf-8"))


def verify(files: dict[str, str], closed: list[str]) -> None:
    """Refuse a release holding an open assignment's module, hidden tests or grader code."""
    allowed = {f"course_lib/{m}.py" for a in closed for m in modules_by_assignment()[a]}
    for name, text in files.items():
        if name not in allowed:
            raise ClosedSolutionsError(f"{name} is not a module of {', '.join(closed)}")
        for secret in (HIDDEN_BEGIN, "autograder", SOLUTION_BEGIN):
            if secret in text:
                raise ClosedSolutionsError(f"{name} contains {secret!r}")


def release_closed_solutions(assignments: list[str], out_dir: Path = REPO / "dist") -> Path:
    """Write ``solutions_<assignments>.zip`` (``course_lib/<module>.py`` of each closed
    assignment, solved) into ``out_dir`` and return its path."""
    closed = resolve_assignments(assignments)
    if not closed:
        raise ClosedSolutionsError("name at least one closed assignment, e.g. 01_foundations")
    mods = modules_by_assignment()
    files = {
        f"course_lib/{m}.py": solved_source(m) for a in closed for m in sorted(mods.get(a, ()))
    }
    verify(files, closed)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    tag = "+".join(a.split("_")[0] for a in closed)
    path = out_dir / f"solutions_{tag}.zip"
    tmp = path.with_suffix(".zip.part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            zf.writestr(name, text)
        zf.writestr(
            "README.txt",
            f"Reference solutions of the closed assignment(s) {', '.join(closed)}.\n"
            "Unzip inside your course folder: it replaces only these files of course_lib/\n"
            "(keep a copy of yours if you want it):\n" + "".join(f"  {n}\n" for n in files),
        )
    tmp.replace(path)  # never a half-written zip under the final name
    return path
