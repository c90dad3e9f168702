"""nbgrader integration: stock ``nbgrader autograde`` with trusted, sandboxed grading.

``nbgrader_config.py`` (repo root) installs, in ``Autograde.autograde_preprocessors``:

* :class:`SandboxedExecute` instead of nbgrader's ``Execute``: the notebook runs inside the
  sandbox (nbclient and kernel both), next to a copy of the submission's allowed files only. Its
  outputs are untrusted: they are copied onto the sanitized notebook cell by cell, and only where
  the executed cell still has the sanitized cell's source (a kernel cannot rewrite cells).
* :class:`TrustedScores`: runs the hidden suite (``run_suite`` with a ``SandboxedSubmission``)
  and rewrites every task cell (``grade_id`` ``task_5_2``): its output becomes the trusted report
  and its score (an ``execute_result`` number, nbgrader's partial credit) the trusted one. A
  deleted task cell is put back (from the gradebook) and scored the same way; hidden-test regions
  are stripped from the autograded copy (so feedback never shows them); stderr streams are
  demoted to stdout so a warning never zeroes a cell.

Then stock ``SaveAutoGrades`` records the scores in the gradebook (any ``db_url``).
The hook :func:`pre_convert_hook` unlinks symlinks from submitted folders before nbgrader copies
them (``course grade`` goes further and grades a sanitized rebuild).
"""

from __future__ import annotations

import copy
import glob
import json
import os
import re
from pathlib import Path

from nbformat.v4 import new_code_cell, new_output
from traitlets import Bool, Integer, Unicode

from nbgrader.preprocessors import NbGraderPreprocessor

from . import SUITES_DIR

TASK_CELL = re.compile(r"^task_(\d+)_(\d+)$")
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.S | re.M)
REPORT_NAME = "grading_report.json"


def strip_hidden(source: str) -> str:
    return HIDDEN.sub("", source).rstrip()


def _assignment_dir(resources) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".").resolve()


class SandboxedExecute(NbGraderPreprocessor):
    """Execute the notebook in the sandbox; keep only outputs of unchanged cells."""

    cell_timeout = Integer(20, help="Seconds per cell; the first cell over it stops the run.").tag(config=True)
    total_timeout = Integer(90, help="Seconds for the whole notebook.").tag(config=True)
    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        from .sandbox import Limits, run_notebook

        if not self.enabled:
            return nb, resources
        env = {"NBGRADER_EXECUTION": os.environ.get("NBGRADER_EXECUTION", "autograde")}
        limits = Limits(cpu_seconds=self.total_timeout * 2, wall_seconds=float(self.total_timeout),
                        memory_bytes=4 << 30, processes=256, file_bytes=64 << 20, open_files=1024)
        # Student code never sees hidden tests: they are stripped from the copy that runs.
        to_run = copy.deepcopy(nb)
        for cell in to_run.cells:
            if "HIDDEN TESTS" in cell.source:
                cell.source = strip_hidden(cell.source)
        run = run_notebook(to_run, _assignment_dir(resources), limits=limits,
                           cell_timeout=self.cell_timeout, env=env)
        note = None
        if run.notebook is None:
            note = f"Your notebook could not be run in the grader's sandbox: {run.status}"
        elif run.status != "ok":
            note = f"Running your notebook stopped early: {run.status}"
        merged = 0
        if run.notebook is not None:
            ex = [c for c in run.notebook.cells]
            if len(ex) == len(nb.cells):
                for cell, sent, done in zip(nb.cells, to_run.cells, ex):
                    if cell.cell_type != "code" or done.get("cell_type") != "code":
                        continue
                    if done.get("source") != sent.source:
                        continue
                    outs = done.get("outputs", [])
                    if not isinstance(outs, list) or len(json.dumps(outs)) > 5_000_000:
                        continue
                    cell.outputs = outs
                    cell.execution_count = done.get("execution_count")
                    merged += 1
            else:
                note = "Your notebook changed its own cells while running; its outputs were discarded."
        resources.setdefault("course", {})["execution"] = {
            "status": run.status, "seconds": round(run.seconds, 3), "note": note}
        self.log.info("Sandboxed execution: %s in %.2f s", run.status, run.seconds)
        return nb, resources


class TrustedScores(NbGraderPreprocessor):
    """Score task cells from the sandboxed hidden suite (see the module docstring)."""

    suite_dir = Unicode(str(SUITES_DIR), help="Folder of the hidden suites test_<A>.py").tag(config=True)

    _cache: dict = {}

    def _report(self, assignment: str, path: Path):
        from .harness import run_suite
        from .sandbox.submission import SandboxedSubmission

        key = (assignment, str(path))
        if key not in self._cache:
            suite = Path(self.suite_dir) / f"test_{assignment}.py"
            with SandboxedSubmission(path, label=path.parent.name) as sub:
                report = run_suite(assignment, sub, suite=suite)
            self._cache.clear()
            self._cache[key] = report
        return self._cache[key]

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment, notebook = info["assignment"], info["notebook"]
        path = _assignment_dir(resources)
        report = self._report(assignment, path)
        execution = resources.get("course", {}).get("execution", {})
        present = {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "")
            if cell.cell_type == "code":
                cell.outputs = [self._demote(o) for o in cell.get("outputs", [])]
            if meta.get("grade") and TASK_CELL.match(gid) and cell.cell_type == "code":
                present[gid] = cell
            if "HIDDEN TESTS" in cell.source:
                cell.source = strip_hidden(cell.source)
        for gid, (source, points) in self._expected_task_cells(info, notebook, assignment).items():
            if gid not in present:
                cell = new_code_cell(strip_hidden(source), metadata={"nbgrader": {
                    "grade": True, "solution": False, "locked": True, "task": False,
                    "grade_id": gid, "points": points, "schema_version": 3}})
                nb.cells.append(cell)
                present[gid] = cell
        for gid, cell in present.items():
            m = TASK_CELL.match(gid)
            task = f"{m.group(1)}.{m.group(2)}"
            points = float(cell.metadata["nbgrader"]["points"])
            frac = report.fraction(task)
            text = report.feedback(task)
            if execution.get("note"):
                text += "\n" + execution["note"]
            text += ("\n(Scored by the grader's sandboxed hidden tests; the output your own kernel "
                     "printed for this cell is not used.)")
            score = round(frac * points, 6)
            cell.outputs = [new_output("stream", name="stdout", text=text + "\n"),
                            new_output("execute_result", data={"text/plain": repr(score)},
                                       execution_count=cell.get("execution_count"))]
        out = path / REPORT_NAME
        data = report.to_dict()
        data["execution"] = execution
        out.write_text(json.dumps(data, indent=1, default=str))
        return nb, resources

    @staticmethod
    def _demote(output):
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            output["name"] = "stdout"
        return output

    def _expected_task_cells(self, info, notebook, assignment) -> dict:
        """Task cells the gradebook knows for this notebook: {grade_id: (source, points)}."""
        from nbgrader.api import Gradebook

        out = {}
        try:
            with Gradebook(info["db_url"]) as gb:
                nbrec = gb.find_notebook(notebook, assignment)
                for gc in nbrec.grade_cells:
                    if TASK_CELL.match(gc.name):
                        src = gb.find_source_cell(gc.name, notebook, assignment)
                        out[gc.name] = (src.source, gc.max_score)
        except Exception as exc:  # noqa: BLE001
            self.log.warning("could not read task cells from the gradebook: %s", exc)
        return out


def pre_convert_hook(assignment=None, student=None, notebooks=None, **_):
    """``Autograde.pre_convert_hook``: unlink symlinks in the submitted folders being graded."""
    from nbgrader.coursedir import CourseDirectory  # noqa: F401
    from .sanitize import remove_links

    root = Path(os.getcwd())
    pattern = root / "submitted" / (student or "*") / (assignment or "*")
    for folder in glob.glob(str(pattern)):
        remove_links(Path(folder))
