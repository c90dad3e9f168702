"""``course build``: generate what students receive from ``solutions/``, the single source of truth.

Three products, all committed:

1. ``solutions/course_lib/checks/fixtures/<A>.json`` — the reference's outputs (and each known
   mistake's) on the public scenario cases, so public checks can judge and name mistakes without
   shipping the reference;
2. ``course_lib/`` — the reference package with every ``### BEGIN SOLUTION`` … ``### END SOLUTION``
   region replaced by ``raise NotImplementedError("Task 5.2 batchnorm_backward — see
   notebooks/05_batchnorm")``;
3. ``notebooks/<A>/`` — the release notebooks, made by stock ``nbgrader generate_assignment`` in a
   throw-away course directory (solutions and hidden tests stripped, outputs cleared).

``course build --check`` regenerates into a temporary directory and fails on any drift.
"""

from __future__ import annotations

import argparse
import ast
import filecmp
import importlib
import json
import math
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import REFERENCE_DIR, RELEASE_NOTEBOOKS, SOURCE_NOTEBOOKS, STUDENT_LIB
from .reference import REFERENCE_NAME, load_reference

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")


class BuildError(Exception):
    """The sources break a rule of the build (markers, task registry, nbgrader)."""


def _tasks():
    load_reference()
    return importlib.import_module(f"{REFERENCE_NAME}.tasks")


# --------------------------------------------------------------------------------------------
# Stubs


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
            if not hasattr(child, "lineno") or not (child.lineno <= line <= (child.end_lineno or 0)):
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
            raise BuildError(f"{filename}:{begin}: {module}.{graded} has solution markers but is "
                             "not registered in solutions/course_lib/tasks.py") from None
        what = f"{cls.name}.{func.name}" if cls is not None else func.name
        indent = re.match(r"\s*", lines[begin - 1]).group(0)
        out.extend(lines[last:begin - 1])
        out.append(f'{indent}raise NotImplementedError("Task {task.id} {what} — see '
                   f'notebooks/{task.assignment}")')
        last = end
    out.extend(lines[last:])
    stub = "\n".join(out) + ("\n" if source.endswith("\n") else "")
    compile(stub, filename, "exec")
    return stub


def write_stub_package(src: Path = REFERENCE_DIR, dest: Path = STUDENT_LIB) -> list[Path]:
    """Write the stub package of ``src`` into ``dest`` (replacing it); return the files written."""
    src, dest = Path(src), Path(dest)
    tmp = dest.with_name(dest.name + ".building")
    if tmp.exists():
        shutil.rmtree(tmp)
    shutil.copytree(src, tmp, ignore=IGNORE)
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


# --------------------------------------------------------------------------------------------
# Public fixtures


def generate_fixtures() -> dict[str, dict]:
    """The fixture document of each assignment, keyed by assignment folder."""
    from .harness import framework, mistake_outcomes, reference_outcome

    fw = framework()
    docs: dict[str, dict] = {}
    for pc in fw.public_cases(REFERENCE_NAME):
        if pc.scenario.compare != "match":
            continue
        expected = reference_outcome(pc.scenario.name, pc.case)
        if expected.error is not None and expected.error.type == "NotImplementedError":
            raise BuildError(f"the reference of task {pc.scenario.task} is not implemented "
                             f"({pc.id}: {expected.error.message})")
        mistakes = []
        for name, hint, outcome in mistake_outcomes(pc.scenario.name, pc.case):
            differs = fw.compare_outcomes(outcome, expected, pc.scenario.rtol, pc.scenario.atol)
            if outcome.error is None and differs:
                mistakes.append({"name": name, "hint": hint,
                                 "outcome": fw.encode_outcome(outcome, inline=True)[0]})
        doc = docs.setdefault(pc.assignment, {"assignment": pc.assignment,
                                              "generated_by": "course build", "cases": {}})
        doc["cases"][pc.id] = {"expected": fw.encode_outcome(expected, inline=True)[0],
                               "mistakes": mistakes}
    return docs


def write_fixtures(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    docs = generate_fixtures()
    for old in directory.glob("*.json"):
        if old.stem not in docs:
            old.unlink()
    for assignment, doc in sorted(docs.items()):
        path = directory / f"{assignment}.json"
        path.write_text(json.dumps(doc, indent=1, sort_keys=True, allow_nan=False) + "\n")
        written.append(path)
    return written


def _close(a, b) -> bool:
    """JSON trees equal up to float round-off (BLAS differs in the last bits across CPUs)."""
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, (int, float)) and isinstance(b, (int, float)):
            return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b))
    return a == b


# --------------------------------------------------------------------------------------------
# Release notebooks


def source_assignments() -> list[str]:
    """Assignment folders of ``solutions/notebooks`` that hold their notebook."""
    if not SOURCE_NOTEBOOKS.exists():
        return []
    return sorted(p.name for p in SOURCE_NOTEBOOKS.iterdir()
                  if p.is_dir() and (p / f"{p.name}.ipynb").exists())


def generate_release(dest: Path, assignments: list[str] | None = None) -> list[Path]:
    """Run stock ``nbgrader generate_assignment`` for each assignment; copy results to ``dest``."""
    assignments = source_assignments() if assignments is None else assignments
    dest.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory(prefix="course-build-") as tmp:
        root = Path(tmp)
        for a in assignments:
            shutil.copytree(SOURCE_NOTEBOOKS / a, root / "source" / a, ignore=IGNORE)
        script = (
            "import sys\n"
            "from traitlets.config import Config\n"
            "from nbgrader.apps import NbGraderAPI\n"
            "c = Config()\n"
            f"c.CourseDirectory.root = {str(root)!r}\n"
            f"c.CourseDirectory.db_url = 'sqlite:///' + {str(root / 'gradebook.db')!r}\n"
            "c.CourseDirectory.ignore = ['.ipynb_checkpoints', '*.pyc', '__pycache__', '*.py']\n"
            "api = NbGraderAPI(config=c)\n"
            "bad = []\n"
            "for a in sys.argv[1:]:\n"
            "    r = api.generate_assignment(a, force=True)\n"
            "    if not r['success']:\n"
            "        bad.append(a + ': ' + r['error'] + r['log'][-3000:])\n"
            "sys.exit('\\n'.join(bad) if bad else 0)\n")
        from .grading import nbgrader_env

        env = nbgrader_env(PYTHONPATH="")
        proc = subprocess.run([sys.executable, "-c", script, *assignments], cwd=root,
                              capture_output=True, text=True, env=env)
        if proc.returncode != 0:
            raise BuildError(f"nbgrader generate_assignment failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}")
        for a in assignments:
            out = dest / a
            if out.exists():
                shutil.rmtree(out)
            shutil.copytree(root / "release" / a, out, ignore=IGNORE)
            for nb in out.rglob("*.ipynb"):
                strip_execution_metadata(nb)
            written.extend(sorted(p for p in out.rglob("*") if p.is_file()))
    return written


def strip_execution_metadata(path: Path) -> None:
    """Drop the per-cell execution timestamps Jupyter records: they change on every run and say
    nothing to a student (nbgrader leaves them in the release)."""
    nb = json.loads(Path(path).read_text())
    changed = False
    for cell in nb.get("cells", []):
        if "execution" in cell.get("metadata", {}):
            del cell["metadata"]["execution"]
            changed = True
    if changed:
        Path(path).write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


# --------------------------------------------------------------------------------------------
# Drift check and the command


def _tree_diff(expected: Path, actual: Path, *, json_close: bool = False) -> list[str]:
    """Paths that differ between two generated trees."""
    def files(root):
        return {p.relative_to(root) for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"} if root.exists() else set()

    e, a = files(expected), files(actual)
    problems = [f"missing: {actual / p}" for p in sorted(e - a)]
    problems += [f"not generated from solutions/: {actual / p}" for p in sorted(a - e)]
    for p in sorted(e & a):
        if json_close and p.suffix in (".json", ".ipynb"):
            if not _close(json.loads((expected / p).read_text()), json.loads((actual / p).read_text())):
                problems.append(f"differs: {actual / p}")
        elif not filecmp.cmp(expected / p, actual / p, shallow=False):
            problems.append(f"differs: {actual / p}")
    return problems


def build(*, check: bool = False, release: bool = True) -> list[str]:
    """Regenerate fixtures, stubs and release notebooks; with ``check``, only report drift."""
    fixture_dir = REFERENCE_DIR / "checks" / "fixtures"
    if not check:
        write_fixtures(fixture_dir)
        write_stub_package(REFERENCE_DIR, STUDENT_LIB)
        if release:
            generate_release(RELEASE_NOTEBOOKS)
        return []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp:
        tmp = Path(tmp)
        write_fixtures(tmp / "fixtures")
        problems += _tree_diff(tmp / "fixtures", fixture_dir, json_close=True)
        # The stubs are made from the committed fixtures so a fixture drift is reported once.
        write_stub_package(REFERENCE_DIR, tmp / "course_lib")
        problems += _tree_diff(tmp / "course_lib", STUDENT_LIB, json_close=True)
        if release:
            generate_release(tmp / "notebooks")
            problems += _tree_diff(tmp / "notebooks", RELEASE_NOTEBOOKS, json_close=True)
    return problems


def main_build(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="course build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="regenerate into a temporary directory and fail if anything committed drifted")
    parser.add_argument("--no-release", action="store_true",
                        help="skip the release notebooks (nbgrader), build only fixtures and stubs")
    args = parser.parse_args(argv)
    try:
        problems = build(check=args.check, release=not args.no_release)
    except BuildError as exc:
        print(f"course build: {exc}", file=sys.stderr)
        return 2
    if args.check:
        if problems:
            print("course build --check: the generated files drifted from solutions/ "
                  "(run `course build` and commit):", file=sys.stderr)
            for p in problems:
                print(f"  {p}", file=sys.stderr)
            return 1
        print("course build --check: course_lib/, notebooks/ and the public fixtures match solutions/")
        return 0
    print(f"course build: wrote {STUDENT_LIB.name}/, fixtures"
          + ("" if args.no_release else f" and {RELEASE_NOTEBOOKS.name}/ ({', '.join(source_assignments())})"))
    return 0


if __name__ == "__main__":
    sys.exit(main_build())
