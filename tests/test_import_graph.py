"""The import graph of ``autograder`` and ``course_lib`` (and the reference) has no cycle, counting
imports inside functions and the parent packages every import runs; the sandbox never imports
the stages above it. Read from the source with ``ast``: nothing is imported."""

from __future__ import annotations

import ast
from pathlib import Path

from autograder import REPO

ROOTS = {"autograder": REPO / "autograder", "course_lib": REPO / "solutions" / "course_lib"}


def _module_name(pkg: str, root: Path, path: Path) -> str:
    parts = [pkg, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    out = {}
    for pkg, root in ROOTS.items():
        for path in sorted(root.rglob("*.py")):
            if "__pycache__" not in path.parts:
                out[_module_name(pkg, root, path)] = path
    return out


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` is or lies in."""
    while name:
        if name in known:
            return name
        name = name.rpartition(".")[0]
    return None


def imports(module: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Modules of ``known`` that ``module`` imports anywhere in its file, with the parent
    packages of each (importing ``a.b.c`` runs ``a/__init__`` and ``a/b/__init__``)."""
    is_pkg = path.name == "__init__.py"
    base = module.split(".") if is_pkg else module.split(".")[:-1]
    targets: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - (node.level - 1)]
                stem = ".".join(anchor + ([node.module] if node.module else []))
            else:
                stem = node.module or ""
            targets += [f"{stem}.{a.name}" for a in node.names] + [stem]
    found = set()
    for t in targets:
        hit = _resolve(t, known)
        while hit:
            found.add(hit)
            hit = _resolve(hit.rpartition(".")[0], known)
    found.discard(module)
    # A package's own parents are not imports of its children (Python runs them first anyway).
    return {m for m in found if not module.startswith(m + ".")}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports(m, p, known) for m, p in known.items()}


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m) :] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_relative_and_in_function_imports_are_seen():
    g = graph()
    assert "autograder.reference" in g["autograder.build.stubs"]
    assert "autograder.score" in g["autograder.build.fixtures"]  # imported inside a function


def test_stages_flow_one_way():
    """A stage imports only stages before it: the sandbox nothing above it, the job no
    gradebook (record, export, feedback)."""
    g = graph()
    later = ("autograder.record", "autograder.export", "autograder.feedback", "autograder.cli")

    def reach(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for m in g.get(todo.pop(), ()):
                if m not in seen:
                    seen.add(m)
                    todo.append(m)
        return seen

    for stage in ("autograder.jobs.job", "autograder.execute", "autograder.sanitize"):
        bad = sorted(m for m in reach(stage) if m.startswith(later))
        assert not bad, f"{stage} reaches {bad}"
