"""What a student sees, in a real browser: headless Chromium opens a release notebook in a
JupyterLab started by the test, runs every cell through JupyterLab's own Run menu, and finds the
check cells' verdicts and a rendered figure; nbgrader's instructor tools are not offered. An
instructor's formgrader on a graded class shows the scores, and a feedback page names the mistake.

The kernel imports the reference package (``PYTHONPATH=solutions``), standing in for a student
who has written every task of the notebook. Skipped where Chromium is not installed.
"""

from __future__ import annotations

import shutil

import pytest

from autograder import REPO

from browser import JupyterLab, chromium, require_browser, wait_for

pytestmark = pytest.mark.slow

NOTEBOOK = "01_foundations"


def _click_menu(driver, menu: str, item: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(
        By.XPATH, f"//li[contains(@class,'lm-MenuBar-item')][.//div[text()='{menu}']]").click()
    wait_for(lambda: driver.find_element(
        By.XPATH, f"//li[contains(@class,'lm-Menu-item')][.//div[text()='{item}']]"),
        30, f"the {menu} menu's {item!r} entry").click()


def _cells_state(driver) -> dict:
    """Execution state of every code cell, read from JupyterLab's prompts ``[n]:`` / ``[*]:``."""
    prompts = driver.execute_script(
        "return Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputPrompt'))"
        ".map(e => e.textContent.trim());")
    return {"prompts": prompts, "running": sum("*" in p for p in prompts),
            "unrun": sum(p in ("", "[ ]:") for p in prompts)}


def test_release_notebook_runs_in_jupyterlab(tmp_path):
    require_browser()
    root = tmp_path / "student"
    shutil.copytree(REPO / "notebooks" / NOTEBOOK, root / NOTEBOOK)
    env = {"PYTHONPATH": str(REPO / "solutions"), "OMP_NUM_THREADS": "1",
           "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           # the configuration `make install` gives a student's JupyterLab
           "JUPYTER_CONFIG_PATH": str(REPO / "jupyter" / "student")}
    with JupyterLab(root, env=env) as lab, chromium() as driver:
        from selenium.webdriver.common.by import By

        driver.get(lab.url(f"lab/tree/{NOTEBOOK}/{NOTEBOOK}.ipynb"))
        wait_for(lambda: driver.find_elements(By.CSS_SELECTOR, ".jp-Notebook .jp-CodeCell"),
                 180, "the notebook to open")
        wait_for(lambda: driver.execute_script(
            "const a = window.jupyterapp; const w = a && a.shell.currentWidget;"
            "return !!(w && w.sessionContext && w.sessionContext.session &&"
            " w.sessionContext.session.kernel && w.sessionContext.session.kernel.status"
            " === 'idle');"), 180, "the kernel to start")
        _click_menu(driver, "Run", "Run All Cells")
        state = wait_for(lambda: (lambda s: s if s["running"] == 0 and s["unrun"] == 0 else None)(
            _cells_state(driver)), 900, "every cell to finish", poll=2)
        outputs = driver.execute_script(
            "return Array.from(document.querySelectorAll('.jp-OutputArea-output'))"
            ".map(e => e.innerText);")
        tracebacks = [o for o in outputs if "Traceback" in o or "Error" in o.split("\n")[0]]
        assert not tracebacks, f"a cell raised: {tracebacks[0][:800]}"
        verdicts = [o for o in outputs if "checks passed" in o]
        assert len(verdicts) == 6, f"expected the 6 check cells' verdicts, found {verdicts}"
        assert all("Task 1." in v for v in verdicts)
        figures = driver.execute_script(
            "return Array.from(document.querySelectorAll('.jp-OutputArea-output img'))"
            ".map(i => [i.naturalWidth, i.naturalHeight, i.src.slice(0, 22)]);")
        assert figures, "no figure was rendered"
        assert all(w > 100 and h > 100 and src.startswith("data:image/png") for w, h, src in figures)
        assert len(state["prompts"]) > 10

        # nbgrader's menu offers the student's tools, not the instructor's
        driver.find_element(
            By.XPATH, "//li[contains(@class,'lm-MenuBar-item')][.//div[text()='Nbgrader']]").click()
        items = wait_for(lambda: [e.text for e in driver.find_elements(
            By.CSS_SELECTOR, ".lm-Menu-content .lm-Menu-itemLabel") if e.text], 30, "the menu")
        assert "Assignment List" in items and "Formgrader" not in items, items
        assert "Course List" not in items, items
        status = driver.execute_script(
            "return fetch(arguments[0]).then(r => r.status);", lab.url("formgrader"))
        assert status == 404


def _graded_class(tmp_path):
    """The grading fixture assignment (07_penalties) with the reference and one catalogued
    mistake, graded by ``course grade`` and with feedback from ``course feedback``."""
    import subprocess
    import sys

    from autograder import REFERENCE_DIR
    from autograder.mistakes import load_catalogue, make_mistaken_package
    from autograder.record.course import init_course, make_submission_dir

    fix = REPO / "tests" / "fixtures" / "grading"
    root = init_course(tmp_path / "course", {"07_penalties": fix / "source" / "07_penalties"},
                       suite_dir=fix / "suites")
    mistake = next(m for m in load_catalogue() if m.target == "penalties.l2_penalty")
    make_submission_dir(root, "reference", "07_penalties", REFERENCE_DIR)
    make_submission_dir(root, "mistake", "07_penalties",
                        make_mistaken_package(mistake, tmp_path / "mistake"))
    for cmd in (["grade", "--workers", "2"], ["feedback"]):
        proc = subprocess.run([sys.executable, "-m", "autograder.cli", *cmd, "--course-dir",
                               str(root)], capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return root


def _cut_off_lines(driver) -> tuple[int, list[str]]:
    """How many preformatted blocks (code, outputs, hidden-test messages) hold a line longer
    than 100 characters, and those of them wider than their box (a line cut off or scrolled
    out of sight instead of wrapped)."""
    found = driver.execute_script(
        "return Array.from(document.querySelectorAll('pre')).map(p => [p.innerText,"
        " p.scrollWidth > p.clientWidth + 1]);")
    long = [(text, cut) for text, cut in found
            if max((len(ln) for ln in text.splitlines()), default=0) > 100]
    return len(long), [text[:200] for text, cut in long if cut]


def test_formgrader_and_feedback_show_the_graded_class(tmp_path):
    """The instructor's view: formgrader lists the graded submissions with their scores, and the
    student's feedback page names the mistake and never shows the hidden tests."""
    require_browser()
    root = _graded_class(tmp_path)
    # formgrader is served only in instructor mode; the command line wins over the student-mode
    # configuration `make install` puts in the venv
    lab = JupyterLab(root, cwd=root, args=(
        '--ServerApp.jpserver_extensions={"nbgrader.server_extensions.formgrader": True}',))
    with lab, chromium() as driver:
        from selenium.webdriver.common.by import By

        # formgrader's page calls its API with the login cookie, not the URL's token: log in
        driver.get(f"http://127.0.0.1:{lab.port}/login")
        field = wait_for(lambda: driver.find_element(By.CSS_SELECTOR, "input[type=password]"),
                         60, "the login page")
        field.send_keys(lab.token)
        field.submit()
        wait_for(lambda: "/login" not in driver.current_url, 60, "the login to go through")
        driver.get(f"http://127.0.0.1:{lab.port}/formgrader/gradebook/07_penalties/07_penalties")
        def loaded_rows():
            rows = [r.text for r in driver.find_elements(By.CSS_SELECTOR, "table tbody tr")
                    if r.text.strip()]
            return rows if rows and not any("Loading" in r for r in rows) else None

        try:
            rows = wait_for(loaded_rows, 120, "formgrader's submissions table")
        except BaseException:
            logs = driver.get_log("browser") if hasattr(driver, "get_log") else []
            print("browser console:", logs[-20:], "\nserver log:", lab.log.read_text()[-4000:])
            raise
        # formgrader's per-notebook view is anonymized: "Submission #n", total, code, written
        assert len(rows) == 2, rows
        assert any(r.split()[2:6] == ["6", "/", "7", "6"] for r in rows), rows    # reference
        assert any(r.split()[2:5] == ["3", "/", "7"] for r in rows), rows         # the mistake
        # a submission as formgrader shows it: the mathematics rendered (MathML), no raw LaTeX
        driver.find_element(By.CSS_SELECTOR, "table tbody tr a[href*='submissions/']").click()
        wait_for(lambda: driver.find_elements(By.TAG_NAME, "math"), 120,
                 "the submission's mathematics in formgrader")
        assert "\\frac" not in driver.find_element(By.TAG_NAME, "body").text
        # long lines wrap in a narrow window (none cut off or hidden behind a scroll bar)
        driver.set_window_size(640, 1000)
        long, cut = _cut_off_lines(driver)
        assert long and not cut, (long, cut)
        driver.set_window_size(1400, 1000)
        driver.get(f"http://127.0.0.1:{lab.port}/formgrader/manage_students")
        students = wait_for(loaded_rows, 120, "formgrader's students table")
        assert any("reference" in s.split() and s.endswith("6 / 7") for s in students), students
        assert any("mistake" in s.split() and s.endswith("3 / 7") for s in students), students

        feedback = root / "feedback" / "reference" / "07_penalties" / "07_penalties.html"
        mistaken = root / "feedback" / "mistake" / "07_penalties" / "07_penalties.html"
        assert feedback.is_file() and mistaken.is_file()
        driver.get(mistaken.as_uri())
        body = wait_for(lambda: driver.find_element(By.TAG_NAME, "body").text, 60,
                        "the feedback page")
        assert "factor 2 in the gradient" in body, body[:2000]
        driver.set_window_size(640, 1000)
        long, cut = _cut_off_lines(driver)
        assert long and not cut, (long, cut)
        # offline: the mathematics is MathML the browser renders, no LaTeX waiting for a CDN
        assert driver.find_elements(By.TAG_NAME, "math") and "\\frac" not in body
        assert "BEGIN HIDDEN TESTS" not in driver.page_source
