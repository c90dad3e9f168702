"""``course bundle``: the zip students receive — the student package, the release notebooks and
what installs them. Nothing else: no ``solutions/``, no ``autograder/``, no hidden suite, no
mistake catalogue (checked here on every build and by tests/test_bundle.py).

The package and the notebooks are generated from ``solutions/`` into the staging folder, never
copied from the working copy's ``course_lib/`` and ``notebooks/`` (which may hold someone's
edits, a solved function among them). :func:`verify` then checks what ships: no marker, no
hidden test, no grader import, every graded function still its stub, every nbgrader solution
cell of a notebook cleared."""

from __future__ import annotations

import ast
import json
import re
import shutil
import tomllib
import zipfile
from pathlib import Path

from .. import REFERENCE_DIR, REPO
from ..reference import REFERENCE_NAME
from .markers import MARKERS, SOLUTION_BEGIN
from .release import generate_release
from .stubs import _tasks, write_stub_package

NAME = "ffnn-course-student"
# What no shipped file may hold: a marker's words (however many ``#`` before them), the
# reference's package name, the grader.
FORBIDDEN = re.compile(
    "|".join(re.escape(m.lstrip("# ")) for m in MARKERS)
    + rf"|{re.escape(REFERENCE_NAME)}|autograder[./]|import autograder"
)

STUDENT_README = """# Training feedforward neural networks — student files

1. Install (Python 3.11): `python3.11 -m venv .venv && .venv/bin/pip install -r requirements.lock
   && .venv/bin/pip install -e .` — or `conda env create -f environment.yml`.
2. `.venv/bin/jupyter lab`, then open `notebooks/01_foundations/01_foundations.ipynb`.
3. Fill in the stubs in `course_lib/` that the notebook names; run its check cells, or
   `.venv/bin/course check 5.2` for one task (`course check --list` lists them).
4. `.venv/bin/course submit 05_batchnorm` writes the zip to hand in.
"""


class BundleError(Exception):
    """The bundle would hold something students must not receive."""


def student_pyproject() -> str:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = ",\n".join(f'    "{d}"' for d in project["dependencies"])
    return f'''[build-system]
requires = ["setuptools>=68"]
build-backend = "setuptools.build_meta"

[project]
name = "{NAME}"
version = "{project["version"]}"
requires-python = "{project["requires-python"]}"
dependencies = [
{deps},
]

[project.scripts]
course = "course_lib.cli:main"

[tool.setuptools.packages.find]
include = ["course_lib*"]

[tool.setuptools.package-data]
course_lib = ["checks/fixtures/*.json"]
'''


def stage(dest: Path) -> Path:
    """Write the bundle's files into ``dest/ffnn-course-student`` and check them."""
    root = Path(dest) / NAME
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    write_stub_package(REFERENCE_DIR, root / "course_lib")
    generate_release(root / "notebooks")
    shutil.copy2(REPO / "requirements.lock", root / "requirements.lock")
    shutil.copy2(REPO / "environment.yml", root / "environment.yml")
    (root / "pyproject.toml").write_text(student_pyproject())
    (root / "README.md").write_text(STUDENT_README)
    verify(root)
    return root


def verify(root: Path) -> None:
    """Raise :class:`BundleError` if anything secret is in the staged bundle."""
    for path in sorted(Path(root).rglob("*")):
        rel = path.relative_to(root)
        if rel.parts[0] in ("solutions", "autograder", "tests", "benchmarks"):
            raise BundleError(f"{rel} must not be in the student bundle")
        if path.is_file() and path.suffix in (
            ".py",
            ".ipynb",
            ".json",
            ".md",
            ".toml",
            ".yml",
            ".txt",
        ):
            text = path.read_text(errors="replace")
            m = FORBIDDEN.search(text)
            if m:
                raise BundleError(f"{rel} contains {m.group(0)!r}")
            if path.suffix == ".ipynb":
                _verify_notebook(rel, text)
    _verify_stubs(Path(root) / "course_lib")


STUB_TEXTS = ("YOUR CODE HERE", "YOUR ANSWER HERE")


def _verify_notebook(rel: Path, text: str) -> None:
    """Every nbgrader solution cell holds nbgrader's stub, not an answer."""
    for i, cell in enumerate(json.loads(text).get("cells", [])):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        source = "".join(cell.get("source", ""))
        if meta.get("solution") and not any(t in source for t in STUB_TEXTS):
            raise BundleError(f"{rel}: cell {i} ({meta.get('grade_id')}) is a solution cell "
                              "that is not cleared")  # fmt: skip


def _functions(tree: ast.Module, names: tuple[str, ...]):
    """``(qualified name, node)`` of the graded functions ``names`` and of their classes'
    methods, at the module's top level."""
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in names:
            yield node.name, node
        elif isinstance(node, ast.ClassDef) and node.name in names:
            for m in node.body:
                if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{m.name}", m


def _raises_stub(node: ast.AST) -> bool:
    return any(
        isinstance(n, ast.Raise)
        and isinstance(n.exc, ast.Call)
        and getattr(n.exc.func, "id", None) == "NotImplementedError"
        and n.exc.args
        and isinstance(n.exc.args[0], ast.Constant)
        and str(n.exc.args[0].value).startswith("Task ")
        for n in ast.walk(node)
    )


def _verify_stubs(lib: Path) -> None:
    """Every graded function (or method) whose reference holds a solution region is, in the
    bundle, the stub that raises ``NotImplementedError("Task …")``: no reference body ships."""
    for task in _tasks().TASKS:
        ref_path, path = REFERENCE_DIR / f"{task.module}.py", lib / f"{task.module}.py"
        ref_text = ref_path.read_text(encoding="utf-8")
        ref_lines = ref_text.splitlines()
        if not path.is_file():
            raise BundleError(f"course_lib/{task.module}.py (task {task.id}) is missing")
        shipped = dict(_functions(ast.parse(path.read_text(encoding="utf-8")), task.names))
        for qual, node in _functions(ast.parse(ref_text), task.names):
            body = "\n".join(ref_lines[node.lineno - 1 : node.end_lineno])
            if SOLUTION_BEGIN not in body:
                continue
            if qual not in shipped or not _raises_stub(shipped[qual]):
                raise BundleError(
                    f"course_lib/{task.module}.py: {qual} (task {task.id}) is not its stub: "
                    "the bundle would ship a solved function"
                )


def make_bundle(out_dir: Path = REPO / "dist") -> Path:
    """Stage and zip the bundle; return the zip's path. The zip is reproducible (fixed times)."""
    out_dir = Path(out_dir)
    root = stage(out_dir / "staging")
    zpath = out_dir / f"{NAME}.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(
                str(Path(NAME) / path.relative_to(root)), date_time=(2026, 1, 1, 0, 0, 0)
            )
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
    shutil.rmtree(out_dir / "staging")
    return zpath
