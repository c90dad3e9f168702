"""The nbgrader configuration of the course, shared by ``nbgrader_config.py`` (repo root) and the
course directories that ``course grade`` / ``course demo`` create."""

from __future__ import annotations

import importlib
from pathlib import Path

from .. import REFERENCE_DIR, SUITES_DIR


def course_lib_modules() -> list[str]:
    """Every module of the package students submit (``course_lib/**/*.py`` but ``checks/``,
    which the grader provides), as paths relative to a submission: derived from the reference,
    whose files the stubs mirror one for one."""
    return sorted(
        p.relative_to(REFERENCE_DIR.parent).as_posix()
        for p in REFERENCE_DIR.rglob("*.py")
        if "checks" not in p.relative_to(REFERENCE_DIR).parts and "__pycache__" not in p.parts
    )


def configure(c, *, suite_dir: Path | None = None, assignments=None) -> None:
    """Fill an nbgrader ``Config`` ``c`` with the course's trusted autograde pipeline."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (
        AssignLatePenalties,
        CheckCellMetadata,
        IgnorePattern,
        LimitOutput,
        SaveAutoGrades,
    )

    from ..execute import SandboxedExecute
    from . import ApplyScoreReport, pre_convert_hook

    if assignments is None:
        from ..reference import load_reference

        ref = load_reference()
        assignments = list(importlib.import_module(f"{ref.__name__}.tasks").ASSIGNMENTS)
    import logging

    from .autograde import drop_task_checksum_warnings

    # nbgrader's warning for every task cell of a pristine submission (see .autograde)
    if drop_task_checksum_warnings not in logging.getLogger("AutogradeApp").filters:
        logging.getLogger("AutogradeApp").addFilter(drop_task_checksum_warnings)
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute,
        ApplyScoreReport,
        IgnorePattern,
        ClearMetadataPreprocessor,
        LimitOutput,
        SaveAutoGrades,
        AssignLatePenalties,
        CheckCellMetadata,
    ]
    # Submitted course_lib files are graded as submitted, never replaced by a source copy.
    modules = course_lib_modules()
    c.Autograde.exclude_overwriting = {a: list(modules) for a in assignments}
    c.Autograde.pre_convert_hook = pre_convert_hook
    c.ApplyScoreReport.suite_dir = str(suite_dir or SUITES_DIR)
    c.CourseDirectory.max_file_size = 20_000  # kB: nothing larger is copied
    c.CourseDirectory.ignore = [
        ".ipynb_checkpoints",
        "*.pyc",
        "__pycache__",
        "feedback",
        ".*",
        "*.rejected",
    ]
    # Feedback and formgrader (both nbconvert's HTMLExporter): mathematics as MathML and long
    # lines wrapped, so the pages read right offline.
    c.HTMLExporter.preprocessors = ["autograder.feedback.offline_html.OfflineHTML"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
