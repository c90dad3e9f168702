"""Record one finished job in the gradebook: stock ``nbgrader autograde A --student S`` of the
job's executed copy, in this process, with the job's report handed to :class:`ApplyScoreReport`
(through ``HANDED``).

If nbgrader rejects the notebook's cell structure (a duplicated or altered task cell: "Inconsistent
checksums", ...), the release notebook is recorded in its place, so the ``course_lib`` code the
job scored still counts, and the reason is returned; if recording fails anyway, the returned
outcome says so and the coordinator marks the student failed (never the old score).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from ..jobs.report import JobReport
from . import EXECUTED, HANDED

LOGS = ".grading/logs"
_APIS: dict = {}


def _api(root: Path):
    """An in-process nbgrader API for the course in ``root``, recording the executed copies
    (created once per worker process: importing nbgrader costs seconds)."""
    key = str(root)
    if key not in _APIS:
        from nbgrader.apps import NbGraderAPI
        from nbgrader.coursedir import CourseDirectory
        from traitlets.config.loader import PyFileConfigLoader

        cfg = PyFileConfigLoader("nbgrader_config.py", path=str(root)).load_config()
        cfg.CourseDirectory.root = str(root)
        cfg.CourseDirectory.submitted_directory = EXECUTED
        cfg.Autograde.pre_convert_hook = None
        cfg.SandboxedExecute.enabled = False  # the job ran the notebook
        cfg.ApplyScoreReport.job_reports = str(root)
        coursedir = CourseDirectory(config=cfg)
        _APIS[key] = NbGraderAPI(coursedir=coursedir, config=cfg)
    return _APIS[key]


def _autograde(root: Path, student: str, assignment: str) -> tuple[bool, str]:
    """Stock nbgrader autograde of one executed copy: ``(success, log text)``."""
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    cwd = os.getcwd()
    try:
        os.chdir(root)
        result = _api(root).autograde(assignment, student, force=True, create=True)
    except Exception as exc:  # noqa: BLE001 - one record's failure never stops the batch
        return False, f"grader error: {exc}\n{traceback.format_exc()}"
    finally:
        os.chdir(cwd)
    text = (result.get("log") or "") + ("\n" + result["error"] if result.get("error") else "")
    return bool(result.get("success")), TASK_CHECKSUM_WARNING.sub("", text)


# A release task cell never has its source's checksum (the hidden tests are stripped), and
# ApplyScoreReport rewrites every task cell from the trusted report anyway: nbgrader's warning
# about it, once per task cell of every pristine submission, would bury the real signal.
TASK_CHECKSUM_WARNING = re.compile(
    r"^[^\n]*Attribute 'checksum' for cell task_\d+_\d+ has changed![^\n]*\n?", re.M
)


def drop_task_checksum_warnings(record) -> bool:
    """A :mod:`logging` filter: stock ``nbgrader autograde`` (formgrader's button, the command
    line) leaves out the same warning (``record.config.configure`` installs it)."""
    return not TASK_CHECKSUM_WARNING.match(record.getMessage())


def _reason(text: str) -> str:
    """What nbgrader's log says about why it failed: the cell-structure warnings and the errors,
    else the last line that names an error."""
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    said = [
        ln.removeprefix("[WARNING] ").removeprefix("[ERROR] ")
        for ln in lines
        if "exists multiple times" in ln or "'checksum'" in ln or ln.startswith("[ERROR]")
    ]
    if said:
        return "; ".join(dict.fromkeys(said[:3]))[:300]
    for ln in reversed(lines):
        if any(w in ln for w in ("checksum", "Exception", "Error", "error")):
            return ln[:300]
    return lines[-1][:300] if lines else "no log"


def _run(root: Path, job: JobReport, log: Path) -> tuple[bool, str]:
    HANDED[(job.student, job.assignment)] = job
    try:
        for attempt in range(3):
            ok, text = _autograde(root, job.student, job.assignment)
            log.write_text(text)
            if ok or "database is locked" not in text:
                break
            time.sleep(0.5 + attempt)
    finally:
        del HANDED[(job.student, job.assignment)]
    return ok, text


def record(root: Path, job: JobReport, release: dict[str, Path]) -> dict[str, Any]:
    """Apply the done ``job``'s report to the gradebook of the course in ``root``.

    Returns ``{"ok": bool, "error": str or None, "note": str or None}`` (``note``: the release
    notebook was recorded instead of the submitted one, and why)."""
    root = Path(root).resolve()
    log = root / LOGS / job.assignment / f"{job.student}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    ok, text = _run(root, job, log)
    if ok:
        return {"ok": True, "error": None, "note": None}
    why = _reason(text)
    log.with_suffix(".rejected.log").write_text(text)
    executed = root / EXECUTED / job.student / job.assignment
    for name, path in release.items():
        shutil.copyfile(path, executed / f"{name}.ipynb")
    ok, text = _run(root, job, log)
    if ok:
        note = (
            f"nbgrader rejected the notebook ({why}): recorded the release notebook instead "
            "(course_lib graded, written answers score 0)"
        )
        return {"ok": True, "error": None, "note": note}
    return {
        "ok": False,
        "error": f"nbgrader autograde failed ({_reason(text)}); see {log}",
        "note": None,
    }
