"""Make a submission zip (provided, not graded): ``course submit 05_batchnorm``.

The zip holds exactly what the grader reads: the assignment's notebook(s) from
``notebooks/<A>/`` at the top level and ``course_lib/**/*.py`` (without ``checks/``, which the
grader provides itself). Unzipped into ``submitted/<student>/<A>/`` (nbgrader's ``zip_collect``
does this), it is a complete submission. Size caps keep it small; a clear error says what is
wrong.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

# The grader refuses what is over these same caps (it reads them from here: one definition).
MAX_FILE_BYTES = 1_000_000  # one .py file
MAX_NOTEBOOK_BYTES = 20_000_000  # notebooks with plots are larger
MAX_TOTAL_BYTES = 40_000_000


class SubmissionError(ValueError):
    """The submission cannot be made (the message says why and what to do)."""


def _root(root=None) -> Path:
    if root is not None:
        return Path(root)
    here = Path.cwd()
    for d in (here, *here.parents):
        if (d / "course_lib").is_dir() and (d / "notebooks").is_dir():
            return d
    raise SubmissionError("run `course submit` from the course folder (the one holding "
                          "course_lib/ and notebooks/)")


def submission_files(assignment: str, root=None) -> list[tuple[Path, str]]:
    """``(path, name in the zip)`` of every file the submission of ``assignment`` holds."""
    root = _root(root)
    nb_dir = root / "notebooks" / assignment
    if not nb_dir.is_dir():
        known = sorted(p.name for p in (root / "notebooks").glob("*") if p.is_dir())
        raise SubmissionError(f"no assignment {assignment!r}; known: {', '.join(known)}")
    files = []
    notebooks = sorted(p for p in nb_dir.glob("*.ipynb") if p.is_file())
    if not notebooks:
        raise SubmissionError(f"no notebook in {nb_dir}")
    for nb in notebooks:
        files.append((nb, nb.name))
    lib = root / "course_lib"
    for path in sorted(lib.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if "/checks/" in rel or "__pycache__" in rel:
            continue
        files.append((path, rel))
    total = 0
    for path, name in files:
        if path.is_symlink():
            raise SubmissionError(f"{name} is a symbolic link; replace it by the file itself")
        size = path.stat().st_size
        cap = MAX_NOTEBOOK_BYTES if name.endswith(".ipynb") else MAX_FILE_BYTES
        if size > cap:
            hint = " (clear large outputs: Edit > Clear Outputs of All Cells)" if name.endswith(".ipynb") else ""
            raise SubmissionError(f"{name} is {size} bytes, over the {cap}-byte cap{hint}")
        total += size
    if total > MAX_TOTAL_BYTES:
        raise SubmissionError(f"the submission is {total} bytes, over the {MAX_TOTAL_BYTES}-byte cap")
    return files


def make_submission(assignment: str, out=None, root=None) -> Path:
    """Zip the submission of ``assignment``; returns the zip's path (default ``<A>.zip``)."""
    files = submission_files(assignment, root)
    out = Path(out) if out else Path.cwd() / f"{assignment}.zip"
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, name in files:
            zf.write(path, name)
    os.replace(tmp, out)
    return out
