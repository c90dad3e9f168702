"""An nbgrader course directory (the demo class, the tests, an instructor's course)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from .. import REPO, SUITES_DIR, nbgrader_env

CONFIG_TEMPLATE = """# nbgrader configuration of this course directory (autograder.record.course)
import sys
sys.path.insert(0, {repo!r})
from autograder.record.config import configure
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "ffnn"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
configure(c, suite_dir={suite_dir!r}, assignments={assignments!r})
{extra}
"""


def release_notebooks(root: Path, assignment: str) -> dict[str, Path]:
    """The release notebooks of ``assignment`` (student versions), by name."""
    for rel in ("release", "notebooks"):
        d = Path(root) / rel / assignment
        if d.is_dir():
            return {p.stem: p for p in sorted(d.glob("*.ipynb"))}
    return {}


def release_dir(root: Path) -> Path:
    """The folder of the course's release notebooks."""
    return Path(root) / ("release" if (Path(root) / "release").is_dir() else "notebooks")


def suite_dir(root: Path) -> Path:
    """The hidden suites the course directory's nbgrader configuration grades with."""
    return Path(_course_config(root).get("ApplyScoreReport", {}).get("suite_dir", str(SUITES_DIR)))


def _course_config(root: Path):
    from traitlets.config.loader import PyFileConfigLoader

    return PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()


def cluster_address(root: Path) -> str | None:
    """The Dask scheduler ``course grade`` sends its jobs to by default: the course's
    ``c.CourseGrade.cluster = "tcp://host:8786"`` in ``nbgrader_config.py``, else ``None``
    (the local pool)."""
    return _course_config(root).get("CourseGrade", {}).get("cluster") or None


def db_url(root: Path) -> str:
    """The course's gradebook: ``c.CourseDirectory.db_url`` (e.g. a PostgreSQL URL), else
    nbgrader's default ``gradebook.db`` in ``root``."""
    url = _course_config(root).get("CourseDirectory", {}).get("db_url")
    return str(url) if url else f"sqlite:///{Path(root).resolve() / 'gradebook.db'}"


def init_course(
    root: Path, sources: dict, suite_dir: Path | None = None, extra_config: str = ""
) -> Path:
    """Create an nbgrader course directory at ``root`` for ``sources`` ({assignment: source
    notebook folder}) and generate the release of each (stock ``nbgrader generate_assignment``)."""
    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(
        CONFIG_TEMPLATE.format(
            repo=str(REPO),
            root=str(root),
            suite_dir=str(Path(suite_dir or SUITES_DIR).resolve()),
            assignments=sorted(sources),
            extra=extra_config,
        )
    )
    for assignment, folder in sources.items():
        dest = root / "source" / assignment
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
             f"--CourseDirectory.root={root}"],
            cwd=root, check=True, env=nbgrader_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
    return root


def make_submission_dir(
    root: Path,
    student: str,
    assignment: str,
    course_lib: Path | None,
    notebook_from: Path | None = None,
    timestamp: str | None = None,
) -> Path:
    """Put a submission in place: ``submitted/<student>/<assignment>/`` with the release
    notebook(s) (or ``notebook_from``) and a copy of ``course_lib``."""
    root = Path(root)
    dest = root / "submitted" / student / assignment
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    if notebook_from is not None:
        shutil.copyfile(notebook_from, dest / Path(notebook_from).name)
    else:
        for name, nb in release_notebooks(root, assignment).items():
            shutil.copyfile(nb, dest / f"{name}.ipynb")
    if course_lib is not None:
        shutil.copytree(
            course_lib,
            dest / "course_lib",
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "checks"),
        )
    (dest / "timestamp.txt").write_text(timestamp or "2026-01-01 12:00:00.000000 UTC")
    return dest
