"""The example class: the reference, the blank stubs and one student per catalogued mistake.

One builder for the two places that grade it: ``course demo`` (through nbgrader, with hostile
students added) and the development table (``python -m autograder.dev_table``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

from . import REFERENCE_DIR
from .mistakes import Mistake


@dataclass(frozen=True)
class Example:
    """One example submission's ``course_lib``: ``name`` is its student id in the demo class;
    ``mistake`` the catalogued mistake patched into the reference, if any."""

    name: str
    package: Path
    mistake: Mistake | None = None
    task: str | None = None  # the id of the mistake's task


def example_packages(assignment: str, tmp: Path, max_mistakes: int | None = None) -> list[Example]:
    """The example class of ``assignment`` (packages written under ``tmp``): the reference, the
    blank stubs, then one student per catalogued mistake — round robin over the tasks (the first
    mistake of each task, then the second, ...), at most ``max_mistakes``. The demo grades
    them through nbgrader; the development table (:mod:`.dev_table`) grades them in-process."""
    from .build import write_stub_package
    from .mistakes import make_mistaken_package, mistakes_for_task
    from .reference import load_reference

    stubs = Path(tmp) / "stubs" / "course_lib"
    if not stubs.exists():
        write_stub_package(REFERENCE_DIR, stubs)
    out = [Example("reference", REFERENCE_DIR), Example("blank_stubs", stubs)]
    tasks_mod = importlib.import_module(f"{load_reference().__name__}.tasks")
    per_task = [
        [(t.id, m) for m in mistakes_for_task(t)] for t in tasks_mod.tasks_of_assignment(assignment)
    ]
    chosen = []
    for k in range(max(map(len, per_task), default=0)):
        chosen += [ms[k] for ms in per_task if k < len(ms)]
    for task, m in chosen if max_mistakes is None else chosen[:max_mistakes]:
        pkg = make_mistaken_package(m, Path(tmp) / f"{m.attr}__{m.slug}")
        out.append(Example(f"mistake_{m.attr}__{m.slug}"[:60], pkg, m, task))
    return out
