"""The feedback stage, ``course feedback``: stock ``nbgrader generate_feedback`` over the
autograded notebooks (whose task cells the record stage filled from the job reports)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

from .. import nbgrader_env


def generate_feedback(
    root: Path, assignments: Iterable[str] | None = None, student: str | None = None
) -> str | None:
    """Write ``feedback/<student>/<assignment>/<notebook>.html``; returns ``None``, or one line
    saying which assignments nbgrader failed on, its first error and where its log is."""
    root = Path(root).resolve()
    autograded = sorted({d.name for d in (root / "autograded").glob("*/*") if d.is_dir()})
    targets: list[str | None] = list(assignments or autograded) or [None]
    failures = []
    for a in targets:
        cmd = [sys.executable, "-m", "nbgrader", "generate_feedback", "--force"]
        cmd += [a] if a else []
        cmd += ["--student", student] if student else []
        proc = subprocess.run(cmd, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
        if proc.returncode:
            log = root / ".grading" / "feedback.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            log.write_text(proc.stdout + proc.stderr)
            errors = [
                line.split("ERROR]", 1)[1].strip()
                for line in (proc.stdout + proc.stderr).splitlines()
                if "ERROR]" in line
            ]
            first = errors[0] if errors else f"exit status {proc.returncode}"
            failures.append(f"{a or 'every assignment'} ({first})")
    if failures:
        log = root / ".grading" / "feedback.log"
        return f"nbgrader generate_feedback failed for {'; '.join(failures)}; log: {log}"
    return None
