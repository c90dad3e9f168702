"""Make a submission zip (provided, not graded): ``course submit 05_batchnorm``.

The zip holds exactly what the grader reads: the assignment's notebook(s) from
``notebooks/<A>/`` at the top level, ``course_lib/**/*.py`` (without ``checks/``, which the
grader provides itself) and ``timestamp.txt``, the time of submission in nbgrader's format (so
formgrader shows it and late penalties apply). Unzipped into ``submitted/<student>/<A>/``
(``course collect`` or nbgrader's ``zip_collect`` does this), it is a complete submission. Size
caps keep it small; a clear error says what is wrong. The assignment's public checks run after
the zip is written: failing ones are a warning, never a refusal (a late or partial submission
is still a submission).
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import zipfile
from pathlib import Path

# The grader refuses what is over these same caps (it reads them from here: one definition).
MAX_FILE_BYTES = 1_000_000  # one .py file
MAX_NOTEBOOK_BYTES = 20_000_000  # notebooks with plots are larger
MAX_TOTAL_BYTES = 40_000_000
# nbgrader's timestamp.txt format (``Exchange.timestamp_format``, in UTC), read by formgrader
# and by the late penalty.
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"
CHECK_SECONDS = 300  # the public checks after zipping; a student's endless loop must not hang


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


def timestamp(now: datetime.datetime | None = None) -> str:
    """The submission time as nbgrader writes it in ``timestamp.txt``
    (``2026-01-31 23:59:00.000000 UTC``)."""
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.astimezone(datetime.timezone.utc).strftime(TIMESTAMP_FORMAT)


def make_submission(assignment: str, out=None, root=None, now=None) -> Path:
    """Zip the submission of ``assignment``; returns the zip's path (default ``<A>.zip``).
    ``now``: the submission time written to ``timestamp.txt`` (default: the current time)."""
    files = submission_files(assignment, root)
    out = Path(out) if out else Path.cwd() / f"{assignment}.zip"
    tmp = out.with_name(out.name + ".part")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path, name in files:
            zf.write(path, name)
        zf.writestr("timestamp.txt", timestamp(now))
    os.replace(tmp, out)
    return out


def public_check_warnings(assignment: str, root=None) -> list[str]:
    """Lines that warn about the tasks of ``assignment`` whose public checks do not pass (empty
    when every one passes). The checks run on ``root``'s ``course_lib`` in a subprocess with a
    time limit, so code that crashes, exits or loops at import cannot stop the submission."""
    root = _root(root)
    code = (
        "import sys\n"
        "from course_lib.status import task_status, NOT_STARTED, PASSING\n"
        "from course_lib.tasks import tasks_of_assignment\n"
        "for t in tasks_of_assignment(sys.argv[1]):\n"
        "    s = task_status(t.id)\n"
        "    if s.state != PASSING:\n"
        "        why = '' if s.state == NOT_STARTED else ': ' + s.first_failure[:100]\n"
        "        print(f'{t.id} {t.title}: {s.state} ({s.passed}/{s.total}){why}')\n"
    )
    env = dict(os.environ, PYTHONPATH=str(root))
    try:
        proc = subprocess.run([sys.executable, "-c", code, assignment], cwd=root, env=env,
                              capture_output=True, text=True, timeout=CHECK_SECONDS)
    except subprocess.TimeoutExpired:
        return [f"the public checks did not finish in {CHECK_SECONDS} s (an endless loop?)"]
    if proc.returncode:
        last = (proc.stderr.strip().splitlines() or [f"exit status {proc.returncode}"])[-1]
        return [f"the public checks could not run: {last}"]
    return proc.stdout.splitlines()
