"""``course bundle``: the zip students receive — the student package, the release notebooks and
what installs them. Nothing else: no ``solutions/``, no ``autograder/``, no hidden suite, no
mistake catalogue (checked here on every build and by tests/test_bundle.py)."""

from __future__ import annotations

import re
import shutil
import tomllib
import zipfile
from pathlib import Path

from .. import RELEASE_NOTEBOOKS, REPO, STUDENT_LIB
from .stubs import IGNORE

NAME = "ffnn-course-student"
FORBIDDEN = re.compile(
    r"BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)"
    r"|course_ref|autograder[./]|import autograder"
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
    shutil.copytree(STUDENT_LIB, root / "course_lib", ignore=IGNORE)
    shutil.copytree(RELEASE_NOTEBOOKS, root / "notebooks", ignore=IGNORE)
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
