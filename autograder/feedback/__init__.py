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
) -> int:
    """Write ``feedback/<student>/<assignment>/<notebook>.html``; returns nbgrader's exit code
    (non-zero if any assignment failed, its log on stderr)."""
    root = Path(root).resolve()
    autograded = sorted({d.name for d in (root / "autograded").glob("*/*") if d.is_dir()})
    targets: list[str | None] = list(assignments or autograded) or [None]
    rc = 0
    for a in targets:
        cmd = [sys.executable, "-m", "nbgrader", "generate_feedback", "--force"]
        cmd += [a] if a else []
        cmd += ["--student", student] if student else []
        proc = subprocess.run(cmd, cwd=root, env=nbgrader_env(), capture_output=True, text=True)
        if proc.returncode:
            print(proc.stdout[-3000:], proc.stderr[-3000:], file=sys.stderr)
        rc |= proc.returncode
    return rc
