"""The nbgrader configuration of the course, shared by ``nbgrader_config.py`` (repo root) and the
course directories that ``course grade`` / ``course demo`` create."""

from __future__ import annotations

from pathlib import Path

from . import SUITES_DIR

COURSE_LIB_MODULES = (
    "__init__", "_validate", "tasks", "layers", "losses", "init", "batchnorm", "dropout",
    "penalties", "preprocessing", "metrics", "model", "optim", "train", "gradcheck", "data",
    "plots", "assessment", "early_stopping", "perceptron", "submit", "cli",
)


def configure(c, *, suite_dir: Path | None = None, assignments=None) -> None:
    """Fill an nbgrader ``Config`` ``c`` with the course's trusted autograde pipeline."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern,
                                        LimitOutput, SaveAutoGrades)

    from .nbgrader_plugin import SandboxedExecute, TrustedScores, pre_convert_hook

    if assignments is None:
        from .reference import load_reference

        ref = load_reference()
        import importlib

        assignments = list(importlib.import_module(f"{ref.__name__}.tasks").ASSIGNMENTS)
    c.Autograde.autograde_preprocessors = [
        SandboxedExecute, TrustedScores, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
        SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
    ]
    # Submitted course_lib files are graded as submitted, never replaced by a source copy.
    c.Autograde.exclude_overwriting = {
        a: [f"course_lib/{m}.py" for m in COURSE_LIB_MODULES] for a in assignments}
    c.Autograde.pre_convert_hook = pre_convert_hook
    c.TrustedScores.suite_dir = str(suite_dir or SUITES_DIR)
    c.CourseDirectory.max_file_size = 20_000          # kB: nothing larger is copied
    c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                                ".*", "*.rejected", "grading_report.json"]
    c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
