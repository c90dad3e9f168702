"""The import graph of ``autograder`` and ``course_lib`` (and the reference) has no cycle, counting
imports inside functions and the parent packages every import runs, neither between modules nor
between the packages of ``autograder/`` (``jobs.pool -> record`` with ``record -> jobs.report`` is
no module cycle, but it ties the two packages into one); the sandbox never imports the stages
above it. Read from the source with ``ast``: nothing is imported."""

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


def package_graph(g: dict[str, set[str]]) -> dict[str, set[str]]:
    """The imports between the packages and top-level modules of ``autograder/`` (``a.b.c`` counts
    as ``a.b``); imports within one package are left out."""

    def package(module: str) -> str | None:
        parts = module.split(".")
        return ".".join(parts[:2]) if parts[0] == "autograder" and len(parts) > 1 else None

    out: dict[str, set[str]] = {}
    for module, targets in g.items():
        source = package(module)
        if source is None:
            continue
        out.setdefault(source, set()).update(
            t for t in map(package, targets) if t is not None and t != source
        )
    return out


def test_no_import_cycle_between_packages():
    cycle = find_cycle(package_graph(graph()))
    assert cycle is None, "import cycle between packages: " + " -> ".join(cycle or [])


def test_a_package_cycle_without_a_module_cycle_is_found():
    g = {
        "autograder.jobs.pool": {"autograder.record.autograde"},
        "autograder.record.autograde": {"autograder.jobs.report"},
        "autograder.jobs.report": set(),
    }
    assert find_cycle(g) is None
    assert find_cycle(package_graph(g)) == ["autograder.jobs", "autograder.record", "autograder.jobs"]


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
    for stage in ("autograder.jobs.job", "autograder.execute", "autograder.sanitize"):
        bad = sorted(m for m in _reach(g, stage) if m.startswith(later))
        assert not bad, f"{stage} reaches {bad}"


# Each stage, and the module or package that is its engine, with the packages it must never reach
# (directly or through anything it imports): what comes later in the data flow submission ->
# sanitized copy -> executed notebook -> score report -> gradebook -> feedback and export, and the
# commands and tools on top. ``build`` may reach ``score``: the public fixtures are the scenarios'
# outcomes on the reference and on each catalogued mistake. The development table (``dev_table``)
# grades the example class and so reaches ``build``: it is a tool on top, outside ``score``.
_LATER = ("coordinator", "record", "feedback", "export", "cli", "demo", "class_report", "dev_table")
_SCORING = ("score", "mistakes", "suites", "examples")
STAGE_RULES = {
    "sanitize": ("build", "execute", "sandbox", *_SCORING, "jobs", *_LATER),
    "build": ("sanitize", "execute", "sandbox", "jobs", *_LATER),
    "sandbox": ("build", "execute", *_SCORING, "jobs", *_LATER),
    "execute": (*_SCORING, "jobs", *_LATER),
    "mistakes": ("build", "sanitize", "execute", "sandbox", "score", "suites", "jobs", *_LATER),
    "score": ("build", "examples", "jobs", *_LATER),
    "suites": ("build", "examples", "jobs", *_LATER),
    "jobs": _LATER,
    "table": ("coordinator", "record", "feedback", "export", "cli", "demo", "dev_table"),
    "record": ("coordinator", "feedback", "export", "cli", "demo", "class_report", "dev_table"),
    "feedback": ("coordinator", "cli", "demo", "class_report"),  # its notes are the export's rows
    "export": ("coordinator", "cli", "demo", "class_report"),
}


def _reach(g: dict[str, set[str]], start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for m in g.get(todo.pop(), ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return seen


def stage_violations(g: dict[str, set[str]], rules: dict) -> list[str]:
    """``"a.b reaches c.d"`` for every module of a ruled stage that reaches a forbidden one."""

    def within(module: str, package: str) -> bool:
        return module == package or module.startswith(package + ".")

    out = []
    for stage, forbidden in rules.items():
        for module in sorted(m for m in g if within(m, f"autograder.{stage}")):
            bad = sorted(
                m for m in _reach(g, module) if any(within(m, f"autograder.{f}") for f in forbidden)
            )
            out += [f"{module} reaches {b}" for b in bad]
    return out


def test_no_stage_reaches_a_later_one():
    g = graph()
    missing = [s for s in STAGE_RULES if not any(m.startswith(f"autograder.{s}") for m in g)]
    assert not missing, f"rules for stages that no longer exist: {missing}"
    violations = stage_violations(g, STAGE_RULES)
    assert not violations, "a stage imports a later one:\n" + "\n".join(violations)


def test_stage_rules_see_indirect_imports():
    g = {
        "autograder.sandbox.host": {"autograder.sanitize"},
        "autograder.sanitize": {"autograder.score.suite"},
        "autograder.score.suite": set(),
    }
    assert stage_violations(g, {"sandbox": ("score",)}) == [
        "autograder.sandbox.host reaches autograder.score.suite"
    ]
    assert stage_violations(g, {"score.suite": ("sandbox",)}) == []
