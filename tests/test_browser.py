"""What a student sees, in a real browser: headless Chromium opens a release notebook in a
JupyterLab started by the test, runs every cell through JupyterLab's own Run menu, and finds the
check cells' verdicts and a rendered figure; nbgrader's instructor tools are not offered.

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
