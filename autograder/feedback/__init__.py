"""The feedback stage, ``course feedback``: stock ``nbgrader generate_feedback`` over the
autograded notebooks (whose task cells the record stage filled from the job reports), then, at
the top of each page, every reason about the submission that the grade table shows (files
``course collect`` or the sanitize stage refused or replaced, a notebook graded from the
release, ...): the student learns why, not only what.
"""

from __future__ import annotations

import html
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


NOTES_MARK = "<!-- course: submission notes -->"


def notes_html(notes: list[str]) -> str:
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return (
        f'{NOTES_MARK}<div class="course-submission-notes" style="border:2px solid #c60;'
        'background:#fff6ec;margin:1em;padding:.5em 1em;font-family:sans-serif">'
        f"<strong>About your submission</strong><ul>{items}</ul></div>"
    )


def add_notes(root: Path, notes: dict[tuple[str, str], list[str]]) -> int:
    """Put each submission's reasons (``{(student, assignment): [reason, ...]}``, what the grade
    table shows: :func:`autograder.export.submission_notes`) at the top of its feedback pages;
    returns how many pages got notes."""
    done = 0
    for (student, assignment), lines in sorted(notes.items()):
        folder = Path(root) / "feedback" / student / assignment
        if not lines or not folder.is_dir():
            continue
        for page in sorted(folder.glob("*.html")):
            text = page.read_text(encoding="utf-8")
            if NOTES_MARK in text:  # notes of an earlier run: replaced
                end = text.index("</ul></div>", text.index(NOTES_MARK)) + len("</ul></div>")
                text = text[: text.index(NOTES_MARK)] + text[end:]
            at = text.find(">", text.find("<body")) + 1 if "<body" in text else 0
            page.write_text(text[:at] + notes_html(lines) + text[at:], encoding="utf-8")
            done += 1
    return done
