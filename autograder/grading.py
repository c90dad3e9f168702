"""``course grade``: sanitize, execute, score, record — for a whole class, resumably.

One job per (student, assignment). A job

1. hashes the submitted folder; if ``.grading/state/<A>/<student>.json`` says this exact
   submission was graded, it is skipped (re-runs are idempotent and cheap);
2. rebuilds the submission from the allowlist into ``.grading/sanitized/<student>/<A>``
   (:mod:`autograder.sanitize`); a missing or unreadable notebook is replaced by the release
   notebook (so ``course_lib`` is still graded) and the reason recorded;
3. runs stock ``nbgrader autograde A --student S --force`` on the sanitized copy, in its own
   process, with the course's trusted pipeline (sandboxed execution, sandboxed hidden suite,
   scores into the gradebook);
4. writes the job's state file (write to a temporary name, then rename), last.

A crash at any point loses nothing: the next run redoes exactly the jobs without a state file.
Jobs run on ``--workers N`` threads, each driving its own nbgrader process and sandbox slot.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import as_completed
from dataclasses import dataclass
from pathlib import Path

from .sanitize import SubmissionError, check_notebook, sanitize

STATE_DIR = ".grading"
SANITIZED = f"{STATE_DIR}/sanitized"


@dataclass
class Job:
    student: str
    assignment: str


def submission_hash(folder: Path) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            rel = p.relative_to(folder).as_posix()
            h.update(rel.encode() + b"\0")
            if p.is_symlink():
                h.update(b"link:" + os.readlink(p).encode())
            elif p.is_file():
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
    return h.hexdigest()


def nbgrader_env(**extra) -> dict:
    """Environment for nbgrader subprocesses: the venv's bin first (nbgrader runs `alembic`)."""
    env = dict(os.environ)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _atomic_write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(data, indent=1, default=str))
    os.replace(tmp, path)


def state_path(root: Path, job: Job) -> Path:
    return Path(root) / STATE_DIR / "state" / job.assignment / f"{job.student}.json"


def release_notebooks(root: Path, assignment: str) -> dict[str, Path]:
    """The release notebooks of ``assignment`` (student versions), by name."""
    for rel in ("release", "notebooks"):
        d = Path(root) / rel / assignment
        if d.is_dir():
            return {p.stem: p for p in sorted(d.glob("*.ipynb"))}
    return {}


def discover(root: Path, assignments=None, student=None) -> list[Job]:
    sub = Path(root) / "submitted"
    jobs = []
    if not sub.is_dir():
        return jobs
    for sdir in sorted(sub.iterdir()):
        if not sdir.is_dir() or sdir.is_symlink() or (student and sdir.name != student):
            continue
        for adir in sorted(sdir.iterdir()):
            if adir.is_dir() and (not assignments or adir.name in assignments):
                jobs.append(Job(sdir.name, adir.name))
    return jobs


def grade_job(root: Path, job: Job, slot: int = 0, *, force: bool = False, timeout: float = 900) -> dict:
    """Grade one (student, assignment); returns its state dict (also written to disk)."""
    root = Path(root).resolve()
    src = root / "submitted" / job.student / job.assignment
    spath = state_path(root, job)
    digest = submission_hash(src)
    if not force and spath.exists():
        try:
            old = json.loads(spath.read_text())
            if old.get("hash") == digest and old.get("status") == "done":
                old["skipped"] = True
                return old
        except ValueError:
            pass
    t0 = time.monotonic()
    state = {"student": job.student, "assignment": job.assignment, "hash": digest,
             "status": "error", "errors": [], "rejected": [], "skipped": False}
    dest = root / SANITIZED / job.student / job.assignment
    releases = release_notebooks(root, job.assignment)
    try:
        rep = sanitize(src, dest, job.assignment, set(releases) or None)
        state["rejected"] = [f"{rel}: {why}" for rel, why in rep.rejected]
        for nbname, release in releases.items():
            target = dest / f"{nbname}.ipynb"
            bad = rep.notebook_errors.get(f"{nbname}.ipynb")
            if bad or not target.exists():
                why = bad or "missing"
                state["errors"].append(f"notebook {nbname}.ipynb {why}: graded the release "
                                       "notebook instead (written answers score 0)")
                shutil.copyfile(release, target)
    except SubmissionError as exc:
        state["errors"].append(str(exc))
        _atomic_write(spath, state)
        return state
    log = root / STATE_DIR / "logs" / job.assignment / f"{job.student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(3):
        rc, text = _autograde(root, job, slot)
        log.write_text(text)
        if rc == 0 or "database is locked" not in text:
            break
        time.sleep(0.5 + attempt)
    report_path = root / "autograded" / job.student / job.assignment / "grading_report.json"
    if rc == 0 and report_path.exists():
        report = json.loads(report_path.read_text())
        state["report"] = report
        state["status"] = "done"
    else:
        tail = "\n".join(text.strip().splitlines()[-15:])
        state["errors"].append(f"nbgrader autograde failed ({rc}); see {log}\n{tail}")
    state["seconds"] = round(time.monotonic() - t0, 3)
    _atomic_write(spath, state)
    return state


_APIS: dict = {}


def _api(root: Path):
    """An in-process nbgrader API for the course in ``root``, grading the sanitized copies
    (created once per worker process: importing nbgrader costs seconds)."""
    key = str(root)
    if key not in _APIS:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        cfg.CourseDirectory.root = str(root)
        cfg.CourseDirectory.submitted_directory = SANITIZED
        cfg.Autograde.pre_convert_hook = None
        coursedir = CourseDirectory(config=cfg)
        _APIS[key] = NbGraderAPI(coursedir=coursedir, config=cfg)
    return _APIS[key]


def _autograde(root: Path, job: Job, slot: int) -> tuple[int, str]:
    """Stock nbgrader autograde of one sanitized submission; ``(0 or 1, log text)``."""
    os.environ["COURSE_GRADER_SLOT"] = str(slot)
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    cwd = os.getcwd()
    try:
        os.chdir(root)
        result = _api(root).autograde(job.assignment, job.student, force=True, create=True)
    except Exception as exc:  # noqa: BLE001 - one job's failure never stops the batch
        import traceback

        return 1, f"grader error: {exc}\n{traceback.format_exc()}"
    finally:
        os.chdir(cwd)
    text = (result.get("log") or "") + ("\n" + result["error"] if result.get("error") else "")
    return (0 if result.get("success") else 1), text


def _init_worker(slots) -> None:
    os.environ["COURSE_GRADER_SLOT"] = str(slots.get())
    # One BLAS thread per worker process: N workers use N cores, not N x all of them.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning)   # nbgrader's session noise
    import nbgrader.apps  # noqa: F401  (warm: seconds of imports, once per worker)


def _run_job(root, job, force):
    return grade_job(root, job, slot=int(os.environ.get("COURSE_GRADER_SLOT", "1")), force=force)


def grade(root: Path, assignments=None, student=None, workers: int = 1, force: bool = False,
          progress: bool = True) -> list[dict]:
    """Grade every matching submission of the course in ``root``; returns the job states.

    Jobs run in ``workers`` worker processes (one nbgrader instance and sandbox slot each)."""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    root = Path(root).resolve()
    jobs = discover(root, assignments, student)
    results: list[dict] = []
    workers = max(1, min(workers, len(jobs) or 1))
    ctx = mp.get_context("spawn")
    slots = ctx.Queue()
    for i in range(workers):
        slots.put(i + 1)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(jobs), desc="grading", unit="submission", file=sys.stderr)
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                             initargs=(slots,)) as pool:
        futures = {pool.submit(_run_job, root, j, force): j for j in jobs}
        for f in as_completed(futures):
            try:
                results.append(f.result())
            except BrokenProcessPool as exc:
                j = futures[f]
                results.append({"student": j.student, "assignment": j.assignment,
                                "status": "error", "errors": [f"grader worker died: {exc}; "
                                                              "run `course grade` again to resume"]})
            if bar:
                bar.update(1)
    if bar:
        bar.close()
    results.sort(key=lambda s: (s["assignment"], s["student"]))
    return results


# ------------------------------------------------------------------------------------------------
# Export and tables


def gradebook_rows(root: Path, db_url: str | None = None) -> list[dict]:
    """One row per graded (student, assignment): points per task cell, total, named mistakes."""
    from nbgrader.api import Gradebook

    root = Path(root).resolve()
    db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
    rows = []
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                row = {"student": sub.student.id, "assignment": assignment.name}
                tasks = {}
                for nb in sub.notebooks:
                    for g in nb.grades:
                        tasks[g.name] = g.score
                row["tasks"] = tasks
                row["total"] = sub.score
                row["max"] = sub.max_score
                state = state_path(root, Job(sub.student.id, assignment.name))
                mistakes, errors, reasons = [], [], []
                if state.exists():
                    st = json.loads(state.read_text())
                    rep = st.get("report") or {}
                    for r in rep.get("results", []):
                        if r.get("mistake") and f"{r['task']} {r['mistake']}" not in mistakes:
                            mistakes.append(f"{r['task']} {r['mistake']}")
                    # Failures no catalogued mistake explains: the first one per task says why.
                    named = {r["task"] for r in rep.get("results", []) if r.get("mistake")}
                    for r in rep.get("results", []):
                        if (not r.get("passed") and r["task"] not in named and r.get("message")
                                and not r["message"].startswith("not implemented")
                                and not any(x.startswith(r["task"] + " ") for x in reasons)):
                            reasons.append(f"{r['task']} {r['message'].splitlines()[0]}")
                    errors = st.get("errors", [])
                row["mistakes"] = mistakes
                row["reasons"] = reasons
                row["errors"] = errors
                rows.append(row)
    rows.sort(key=lambda r: (r["assignment"], r["student"]))
    return rows


def export_csv(root: Path, out, db_url: str | None = None) -> int:
    import csv

    rows = gradebook_rows(root, db_url)
    cols = sorted({k for r in rows for k in r["tasks"]}, key=_cell_order)
    w = csv.writer(out)
    w.writerow(["student", "assignment", *cols, "total", "max", "named_mistakes"])
    for r in rows:
        w.writerow([r["student"], r["assignment"],
                    *[_fmt(r["tasks"].get(c)) for c in cols], _fmt(r["total"]), _fmt(r["max"]),
                    "; ".join(r["mistakes"])])
    return len(rows)


def _fmt(v):
    return "" if v is None else f"{round(float(v), 2):g}"


def _cell_order(name: str):
    parts = name.split("_")
    nums = tuple(int(p) for p in parts[1:] if p.isdigit())
    return (0 if name.startswith("task_") else 1, nums, name)


def format_table(root: Path, db_url: str | None = None, width: int = 60) -> str:
    rows = gradebook_rows(root, db_url)
    if not rows:
        return "(no graded submissions)"
    cols = sorted({k for r in rows for k in r["tasks"] if k.startswith("task_")}, key=_cell_order)
    sw = max(len(r["student"]) for r in rows) + 2
    head = f"{'student':<{sw}}{'assignment':<16}" + "".join(f"{c[5:].replace('_', '.'):>7}" for c in cols)
    head += f"{'total':>11}  named mistakes / reason"
    lines = [head, "-" * len(head)]
    for r in rows:
        cells = "".join(f"{_fmt(r['tasks'].get(c)):>7}" for c in cols)
        note = "; ".join(r["mistakes"])
        if r["errors"]:
            note = (note + "; " if note else "") + r["errors"][0].splitlines()[0][:width]
        elif not note and r.get("reasons"):
            note = r["reasons"][0][:width]
        lines.append(f"{r['student']:<{sw}}{r['assignment']:<16}{cells}"
                     f"{_fmt(r['total']) + '/' + _fmt(r['max']):>11}  {note}")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------------
# A course directory (demo class, tests)

CONFIG_TEMPLATE = '''# nbgrader configuration of this course directory (written by autograder.grading.init_course)
import sys
sys.path.insert(0, {repo!r})
from autograder.nbgrader_setup import configure
c = get_config()
c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = "ffnn"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
configure(c, suite_dir={suite_dir!r}, assignments={assignments!r})
{extra}
'''


def init_course(root: Path, sources: dict, suite_dir: Path | None = None, extra_config: str = "") -> Path:
    """Create an nbgrader course directory at ``root`` for ``sources`` ({assignment: source
    notebook folder}) and generate the release of each (stock ``nbgrader generate_assignment``)."""
    from . import REPO, SUITES_DIR

    root = Path(root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    (root / "nbgrader_config.py").write_text(CONFIG_TEMPLATE.format(
        repo=str(REPO), root=str(root), suite_dir=str(Path(suite_dir or SUITES_DIR).resolve()),
        assignments=sorted(sources), extra=extra_config))
    for assignment, folder in sources.items():
        dest = root / "source" / assignment
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(folder, dest, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment,
                        "--force", f"--CourseDirectory.root={root}"], cwd=root, check=True, env=nbgrader_env(),
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return root


def make_submission_dir(root: Path, student: str, assignment: str, course_lib: Path | None,
                        notebook_from: Path | None = None, timestamp: str | None = None) -> Path:
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
        shutil.copytree(course_lib, dest / "course_lib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "checks"))
    (dest / "timestamp.txt").write_text(timestamp or "2026-01-01 12:00:00.000000 UTC")
    return dest
