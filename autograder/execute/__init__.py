"""The execute stage: run a sanitized submission's notebook inside the sandbox.

Artifact: the executed notebook. Its outputs are untrusted (the student's kernel printed them):
they are only ever copied onto a notebook cell by cell, where the executed cell still has the
cell's own source (a kernel cannot rewrite cells to place outputs), never scored. Hidden-test
regions are stripped from the copy that runs, so student code never sees them.

:func:`execute_notebook` is the stage as a function (what a grading job calls);
:class:`SandboxedExecute` is the same as an nbgrader preprocessor, replacing nbgrader's
``Execute`` when stock ``nbgrader autograde`` runs alone.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Bool, Integer

from ..build.markers import has_hidden, strip_hidden

CELL_TIMEOUT = 20  # seconds per cell; the first cell over it stops the run
TOTAL_TIMEOUT = 90  # seconds for the whole notebook
MAX_OUTPUT_CHARS = 5_000_000  # one cell's outputs, as JSON


def runnable_copy(nb: Any) -> Any:
    """A copy of ``nb`` without hidden-test regions: what the sandbox runs."""
    to_run = copy.deepcopy(nb)
    for cell in to_run.cells:
        if has_hidden(cell.source):
            cell.source = strip_hidden(cell.source)
    return to_run


def execute_notebook(
    nb: Any,
    folder: Path,
    *,
    cell_timeout: int = CELL_TIMEOUT,
    total_timeout: int = TOTAL_TIMEOUT,
) -> tuple[Any, dict]:
    """Run notebook ``nb`` (a NotebookNode) in the sandbox next to ``folder``'s allowed files.

    Returns
    -------
    executed : NotebookNode or None
        The notebook as the sandbox ran it (hidden tests stripped), with its untrusted outputs;
        ``None`` if it could not be run at all.
    execution : dict
        ``{"status": "ok" or why not, "seconds": float, "note": str or None}``; ``note`` is the
        sentence the feedback shows when the run was not clean.
    """
    from ..sandbox import Limits, run_notebook

    env = {"NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}
    limits = Limits(
        cpu_seconds=total_timeout * 2,
        wall_seconds=float(total_timeout),
        memory_bytes=4 << 30,
        processes=256,
        file_bytes=64 << 20,
        open_files=1024,
    )
    run = run_notebook(runnable_copy(nb), folder, limits=limits, cell_timeout=cell_timeout, env=env)
    note = None
    if run.notebook is None:
        note = f"Your notebook could not be run in the grader's sandbox: {run.status}"
    elif run.status != "ok":
        note = f"Running your notebook stopped early: {run.status}"
    return run.notebook, {"status": run.status, "seconds": round(run.seconds, 3), "note": note}


def merge_outputs(nb: Any, executed: Any) -> str | None:
    """Copy ``executed``'s outputs onto ``nb``, only onto code cells whose source (hidden tests
    stripped) the executed cell still has. Returns a note for the feedback if the executed
    notebook's cells no longer line up with ``nb``'s (then nothing is copied)."""
    if executed is None:
        return None
    done_cells = list(executed.cells)
    if len(done_cells) != len(nb.cells):
        return "Your notebook changed its own cells while running; its outputs were discarded."
    for cell, done in zip(nb.cells, done_cells, strict=True):
        if cell.cell_type != "code" or done.get("cell_type") != "code":
            continue
        if str(done.get("source")).rstrip() != strip_hidden(cell.source):
            continue
        outs = done.get("outputs", [])
        if not isinstance(outs, list) or len(json.dumps(outs)) > MAX_OUTPUT_CHARS:
            continue
        cell.outputs = outs
        cell.execution_count = done.get("execution_count")
    return None


def assignment_dir(resources: dict) -> Path:
    """The folder of the notebook nbgrader is converting."""
    return Path(resources.get("metadata", {}).get("path") or ".").resolve()


class SandboxedExecute(NbGraderPreprocessor):
    """nbgrader's ``Execute``, in the sandbox: see the module docstring.

    ``course grade`` turns it off (``enabled = False``): its jobs have executed the notebook
    already and the record stage copies those outputs."""

    cell_timeout = Integer(CELL_TIMEOUT, help="Seconds per cell.").tag(config=True)
    total_timeout = Integer(TOTAL_TIMEOUT, help="Seconds for the whole notebook.").tag(config=True)
    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        if not self.enabled:
            return nb, resources
        executed, execution = execute_notebook(
            nb,
            assignment_dir(resources),
            cell_timeout=self.cell_timeout,
            total_timeout=self.total_timeout,
        )
        execution["note"] = merge_outputs(nb, executed) or execution["note"]
        resources.setdefault("course", {})["execution"] = execution
        self.log.info(
            "Sandboxed execution: %s in %.2f s", execution["status"], execution["seconds"]
        )
        return nb, resources
