"""Release notebooks: stock ``nbgrader generate_assignment`` in a throw-away course directory
(solutions and hidden tests stripped, outputs cleared)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import SOURCE_NOTEBOOKS, nbgrader_env
from .stubs import IGNORE, BuildError


def source_assignments() -> list[str]:
    """Assignment folders of ``solutions/notebooks`` that hold their notebook."""
    if not SOURCE_NOTEBOOKS.exists():
        return []
    return sorted(
        p.name
        for p in SOURCE_NOTEBOOKS.iterdir()
        if p.is_dir() and (p / f"{p.name}.ipynb").exists()
    )


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
            "sys.exit('\\n'.join(bad) if bad else 0)\n"
        )
        env = nbgrader_env(PYTHONPATH="")
        proc = subprocess.run(
            [sys.executable, "-c", script, *assignments],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
        )
        if proc.returncode != 0:
            raise BuildError(
                f"nbgrader generate_assignment failed:\n{proc.stdout[-3000:]}{proc.stderr[-3000:]}"
            )
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
