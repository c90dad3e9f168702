"""Run a solution notebook's code cells (grading-size experiments, check cells skipped) with the
reference package and print, as JSON, the ids of the graded tasks whose functions were called.

    python tests/notebook_trace.py solutions/notebooks/06_dropout/06_dropout.ipynb

Run with ``PYTHONPATH=solutions`` from a folder without a ``course_lib``; used by
tests/test_status.py to check ``course_lib.tasks.EXPERIMENTS_NEED``.
"""

import json
import os
import re
import sys

os.environ["NBGRADER_EXECUTION"] = "autograde"     # the notebooks' small, assert-free size
os.environ["MPLBACKEND"] = "Agg"

import nbformat  # noqa: E402

import course_lib.tasks as tasks  # noqa: E402

GRADED = {(f"course_lib.{t.module}", name): t.id for t in tasks.TASKS for name in t.names}


def main(path: str) -> None:
    nb = nbformat.read(path, as_version=4)
    called: set[str] = set()

    def profile(frame, event, arg):
        if event == "call":
            key = (frame.f_globals.get("__name__", ""), frame.f_code.co_qualname.split(".")[0])
            if key in GRADED:
                called.add(GRADED[key])

    namespace = {"__name__": "__main__"}
    os.chdir(os.path.dirname(os.path.abspath(path)))
    for cell in nb.cells:
        if cell.cell_type != "code" or re.search(r"^\s*check\(", cell.source, re.M):
            continue
        source = "\n".join(line for line in cell.source.splitlines()
                           if not line.lstrip().startswith(("%", "!")))
        sys.setprofile(profile)
        try:
            exec(compile(source, "cell", "exec"), namespace)
        finally:
            sys.setprofile(None)
    print(json.dumps(sorted(called)))


if __name__ == "__main__":
    main(sys.argv[1])
