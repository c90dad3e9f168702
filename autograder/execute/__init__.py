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
from ..sandbox.host.notebook import CELL_OUTPUT_CHARS, NOTEBOOK_OUTPUT_BYTES

CELL_TIMEOUT = 20  # seconds per cell; the first cell over it stops the run
TOTAL_TIMEOUT = 90  # seconds for the whole notebook
MAX_OUTPUT_CHARS = CELL_OUTPUT_CHARS  # one cell's outputs, as JSON (the sandbox's cap)


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
        ``{"status": "ok" or why not, "seconds": float, "note": str or None}``; ``note`` says,
        once, why the run was not clean and which outputs are not kept (:func:`output_note`):
        the grade table, the CSV and the top of the feedback show it.
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
    run = run_notebook(
        runnable_copy(nb),
        folder,
        limits=limits,
        cell_timeout=cell_timeout,
        env=env,
        cell_output_chars=MAX_OUTPUT_CHARS,
    )
    notes = []
    if run.notebook is None:
        notes.append(f"Your notebook could not be run in the grader's sandbox: {run.status}.")
    elif run.status != "ok":
        notes.append(f"Running your notebook stopped early: {run.status}.")
    notes.append(output_note(nb, run.notebook) or "")
    note = " ".join(n for n in notes if n) or None
    return run.notebook, {"status": run.status, "seconds": round(run.seconds, 3), "note": note}


MISALIGNED = "Your notebook changed its own cells while running; its outputs were discarded."


def _aligned(nb: Any, executed: Any) -> list[tuple[int, Any, Any]] | None:
    """``(index, cell, executed cell)`` of the code cells whose source (hidden tests stripped)
    the executed cell still has; ``None`` if the cells no longer line up."""
    done_cells = list(executed.cells)
    if len(done_cells) != len(nb.cells):
        return None
    return [
        (i, cell, done)
        for i, (cell, done) in enumerate(zip(nb.cells, done_cells, strict=True))
        if cell.cell_type == "code"
        and done.get("cell_type") == "code"
        and str(done.get("source")).rstrip() == strip_hidden(cell.source)
    ]


def _too_large(outs: Any) -> bool:
    return not isinstance(outs, list) or len(json.dumps(outs)) > MAX_OUTPUT_CHARS


def _left_out(executed: Any, cells: int) -> dict[int, int]:
    """``{cell index: characters}`` the guest says it left out (untrusted: checked)."""
    meta = executed.metadata.get("course_execution", {})
    said = meta.get("left_out") if isinstance(meta, dict) else None
    out: dict[int, int] = {}
    for item in said if isinstance(said, list) else []:
        if (
            isinstance(item, list)
            and len(item) == 2
            and all(type(x) is int for x in item)
            and 0 <= item[0] < cells
        ):
            out[item[0]] = max(0, item[1])
    return out


def _cell_label(nb: Any, i: int) -> str:
    first = next((ln.strip() for ln in strip_hidden(nb.cells[i].source).splitlines() if ln), "")
    first = first if len(first) <= 40 else first[:39] + "…"
    return f"cell {i + 1}" + (f" ({first})" if first else "")


def output_note(nb: Any, executed: Any) -> str | None:
    """The sentence that tells the student which outputs of the executed notebook are not in
    the feedback and why (the cells no longer line up; outputs over the grader's caps), or
    ``None`` when every output is kept."""
    if executed is None:
        return None
    pairs = _aligned(nb, executed)
    if pairs is None:
        return MISALIGNED
    left = _left_out(executed, len(nb.cells))
    for i, _, done in pairs:
        if i not in left and _too_large(done.get("outputs", [])):
            outs = done.get("outputs")
            left[i] = len(json.dumps(outs)) if isinstance(outs, list) else 0
    if not left:
        return None
    cells = [f"{_cell_label(nb, i)}, {n / 1e6:.1f} MB" for i, n in sorted(left.items())]
    shown = "; ".join(cells[:5]) + (f"; … ({len(cells)} cells in all)" if len(cells) > 5 else "")
    return (
        f"Output left out of your feedback: {shown}; over the grader's cap "
        f"({MAX_OUTPUT_CHARS / 1e6:g} MB per cell, {NOTEBOOK_OUTPUT_BYTES / 1e6:g} MB per "
        "notebook). Every other output is kept."
    )


def merge_outputs(nb: Any, executed: Any) -> str | None:
    """Copy ``executed``'s outputs onto ``nb``, only onto code cells whose source (hidden tests
    stripped) the executed cell still has, and only outputs under the grader's cap. Returns
    :func:`output_note` (then nothing is copied if the cells no longer line up)."""
    if executed is None:
        return None
    note = output_note(nb, executed)
    for _, cell, done in _aligned(nb, executed) or []:
        outs = done.get("outputs", [])
        if _too_large(outs):
            continue
        cell.outputs = outs
        cell.execution_count = done.get("execution_count")
    return note


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
        merge_outputs(nb, executed)  # what it leaves out is in execution["note"] already
        resources.setdefault("course", {})["execution"] = execution
        self.log.info(
            "Sandboxed execution: %s in %.2f s", execution["status"], execution["seconds"]
        )
        return nb, resources
