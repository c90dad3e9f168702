"""The record stage: stock ``nbgrader autograde`` writes a job's scores into the gradebook.

:mod:`.config` installs, in ``Autograde.autograde_preprocessors``, the execute stage's
:class:`~autograder.execute.SandboxedExecute` (instead of nbgrader's ``Execute``) and
:class:`ApplyScoreReport`, which rewrites every task cell (``grade_id`` ``task_5_2``): its output
becomes the score report's feedback and its score (an ``execute_result`` number, nbgrader's
partial credit) the report's. A deleted task cell is put back (from the gradebook) and scored
the same way; hidden-test regions are stripped from the autograded copy (so feedback never shows
them); stderr streams are demoted to stdout so a warning never zeroes a cell. Then stock
``SaveAutoGrades`` records the scores in the gradebook (any ``db_url``).

Under ``course grade`` the report is *handed* to it (:data:`HANDED`, in the worker): the job
already executed the notebook (``SandboxedExecute`` is off) and scored ``course_lib``; this
stage only copies the executed outputs and applies the report. Only when stock ``nbgrader
autograde`` runs alone does it compute a report itself (the score stage, on the folder nbgrader
is grading). :mod:`.autograde` drives one record; :mod:`.course` makes a course directory.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode

from .. import SUITES_DIR
from ..build.markers import has_hidden, strip_hidden
from ..execute import assignment_dir, merge_outputs
from ..jobs.report import DONE, JobReport

TASK_CELL = re.compile(r"^task_(\d+)_(\d+)$")
EXECUTED = ".grading/executed"

# The reports being recorded in this process, by (student, assignment): what the record stage
# hands to ApplyScoreReport (see autograde.record).
HANDED: dict[tuple[str, str], JobReport] = {}


class ApplyScoreReport(NbGraderPreprocessor):
    """Score task cells from the job's score report (see the module docstring)."""

    suite_dir = Unicode(str(SUITES_DIR), help="Folder of the hidden suites test_<A>.py").tag(
        config=True
    )
    job_reports = Unicode(
        "",
        help="Course directory whose .grading/executed holds the jobs' executed notebooks; set "
        "by `course grade`, which hands each job's report over. Empty: compute the report here "
        "(stock nbgrader autograde).",
    ).tag(config=True)

    _cache: dict = {}

    def _computed(self, assignment: str, path: Path):
        """Stock ``nbgrader autograde`` alone: the score stage on the folder being graded
        (once per submission, not once per notebook)."""
        from ..jobs.job import score
        from ..score import SuiteReport

        key = (assignment, str(path))
        if key not in self._cache:
            suite = Path(self.suite_dir) / f"test_{assignment}.py"
            self._cache.clear()
            self._cache[key] = SuiteReport.from_dict(
                score(path, assignment, suite, label=path.parent.name)
            )
        return self._cache[key]

    def _handed(self, nb, info: dict):
        """``course grade``: the job's report and the outputs of its executed notebook."""
        from ..score import SuiteReport

        root = Path(self.job_reports)
        job = HANDED.get((info["student"], info["assignment"]))
        if job is None or job.status != DONE or job.suite is None:
            raise RuntimeError(f"no finished job report for {info['student']}/{info['assignment']}")
        execution = dict(job.notebooks.get(info["notebook"], {}).get("execution") or {})
        executed = root / EXECUTED / info["student"] / info["assignment"]
        path = executed / f"{info['notebook']}.ipynb"
        if path.is_file():
            merge_outputs(nb, nbformat.read(path, as_version=4))  # its note is the job's
        return SuiteReport.from_dict(job.suite), execution

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        assignment, notebook = info["assignment"], info["notebook"]
        if self.job_reports:
            report, execution = self._handed(nb, info)
        else:
            report = self._computed(assignment, assignment_dir(resources))
            execution = resources.get("course", {}).get("execution", {})
        present = {}
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            gid = meta.get("grade_id", "")
            if cell.cell_type == "code":
                cell.outputs = [self._demote(o) for o in cell.get("outputs", [])]
            if meta.get("grade") and TASK_CELL.match(gid) and cell.cell_type == "code":
                present[gid] = cell
            if has_hidden(cell.source):
                cell.source = strip_hidden(cell.source)
        for gid, (source, points) in self._expected_task_cells(info, notebook, assignment).items():
            if gid not in present:
                cell = new_code_cell(
                    strip_hidden(source),
                    metadata={
                        "nbgrader": {
                            "grade": True,
                            "solution": False,
                            "locked": True,
                            "task": False,
                            "grade_id": gid,
                            "points": points,
                            "schema_version": 3,
                        }
                    },
                )
                nb.cells.append(cell)
                present[gid] = cell
        for gid, cell in present.items():
            m = TASK_CELL.match(gid)
            assert m is not None
            task = f"{m.group(1)}.{m.group(2)}"
            points = float(cell.metadata["nbgrader"]["points"])
            text = report.feedback(task)
            text += (
                "\n(Scored by the grader's sandboxed hidden tests; the output your own kernel "
                "printed for this cell is not used.)"
            )
            score = round(report.fraction(task) * points, 6)
            cell.outputs = [
                new_output("stream", name="stdout", text=text + "\n"),
                new_output(
                    "execute_result",
                    data={"text/plain": repr(score)},
                    execution_count=cell.get("execution_count"),
                ),
            ]
        if execution.get("note") and not self.job_reports:
            # Stock nbgrader autograde alone: the note heads the notebook, once. (Under
            # ``course grade`` it is in the job report: the grade table, the CSV and the top of
            # the feedback show it.)
            nb.cells.insert(0, new_markdown_cell(f"**About this run:** {execution['note']}"))
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
        except Exception as exc:  # noqa: BLE001 - a gradebook without the cells: none put back
            self.log.warning("could not read task cells from the gradebook: %s", exc)
        return out


def pre_convert_hook(assignment=None, student=None, notebooks=None, **_):
    """``Autograde.pre_convert_hook`` (stock ``nbgrader autograde``): unlink symlinks and special
    files in the submitted folders being graded (``course grade`` grades the sanitize stage's
    rebuild instead)."""
    from ..sanitize import remove_links

    root = Path(os.getcwd())
    pattern = root / "submitted" / (student or "*") / (assignment or "*")
    for folder in glob.glob(str(pattern)):
        remove_links(Path(folder))
