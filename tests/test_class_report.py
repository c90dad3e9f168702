"""``course report``: a class graded with the real hidden suite (in-process, trusted code only),
written to a course directory the way ``course grade`` writes it, then reported: the data, the
CSV/JSON, the self-contained page, and the page in headless Chromium."""

from __future__ import annotations

import csv
import importlib
import json
import re
import shutil

import pytest

from autograder import REFERENCE_DIR
from autograder.build import write_stub_package
from autograder.class_report import main as report_main
from autograder.class_report import summary, write_class_report
from autograder.class_report.evaluation import splice
from autograder.class_report.load import StudentResult, HiddenTest, load_class
from autograder.score import InProcessSubmission, run_suite
from autograder.mistakes import make_mistaken_package, mistakes_for_task
from autograder.reference import load_reference

A = "07_penalties"
HOSTILE_COMMENT = "# </pre><script>alert('x')</script><img src=http://example.invalid/x.png>"


def _tasks():
    return importlib.import_module(f"{load_reference().__name__}.tasks").tasks_of_assignment(A)


def _write_job(root, student, pkg, *, status="done", errors=(), seconds=1.5, job_report=False):
    """What ``course grade`` leaves for one job: the sanitized sources and the legacy state file
    or (``job_report``) the pipeline's job report."""
    dest = root / ".grading" / "sanitized" / student / A / "course_lib"
    shutil.copytree(pkg, dest, ignore=shutil.ignore_patterns("__pycache__", "checks"))
    (root / "submitted" / student / A).mkdir(parents=True)
    state = {"student": student, "assignment": A, "hash": "x", "status": status,
             "errors": list(errors), "rejected": [], "skipped": False, "seconds": seconds}
    if status == "done":
        with InProcessSubmission(pkg, student) as sub:
            report = run_suite(A, sub).to_dict()
        report["execution"] = {"status": "ok", "seconds": seconds / 2, "note": None}
        state["report"] = report
    if job_report:
        execution = state.get("report", {}).pop("execution", {})
        state = {"student": student, "assignment": A, "submission": "x", "grader": "g",
                 "status": status, "errors": list(errors), "rejected": [],
                 "notebooks": {A: {"execution": execution, "substituted": None}},
                 "suite": state.get("report"), "seconds": seconds,
                 "recorded": {"ok": True, "error": None, "note": None} if status == "done" else None}
    path = root / ".grading" / ("reports" if job_report else "state") / A / f"{student}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(state))


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    work = tmp_path_factory.mktemp("packages")
    stubs = work / "stubs" / "course_lib"
    write_stub_package(REFERENCE_DIR, stubs)
    _write_job(root, "reference", REFERENCE_DIR)
    _write_job(root, "blank", stubs)
    chosen = [mistakes_for_task(t)[0] for t in _tasks()[:2]]
    for i, m in enumerate(chosen):      # one in the legacy job state, one in the job report
        _write_job(root, f"mistake_{m.slug}", make_mistaken_package(m, work / m.slug), job_report=i == 1)
    # A wrong answer no catalogued mistake explains, with code that tries to break the page.
    odd = work / "odd" / "course_lib"
    shutil.copytree(stubs, odd)
    penalties = odd / "penalties.py"
    penalties.write_text(splice(penalties.read_text(), "l2_penalty",
                                f"{HOSTILE_COMMENT}\nreturn 42.0, [W * 0.0 for W in weights]"))
    _write_job(root, "odd", odd)
    _write_job(root, "crashed", stubs, status="error", errors=["nbgrader autograde failed (1); see log"])
    _write_job(root, "machine_failed", stubs, status="not_graded", errors=["the sandbox did not start"],
               job_report=True)
    (root / "submitted" / "late" / A).mkdir(parents=True)       # collected, never graded
    # What makes the folder a course for `course report` (its configuration and the release).
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    (root / "release" / A).mkdir(parents=True)
    (root / "release" / A / f"{A}.ipynb").write_text("{}")
    return root, chosen


@pytest.fixture(scope="module")
def report(course):
    root, _ = course
    page = write_class_report(root, A)
    return page, json.loads((page.parent / "report.json").read_text())


def test_loader_reads_every_submission_graded_or_not(course):
    root, chosen = course
    results = {r.student: r for r in load_class(root, A)}
    assert set(results) == {"reference", "blank", "odd", "crashed", "late", "machine_failed",
                            *(f"mistake_{m.slug}" for m in chosen)}
    assert results["reference"].graded and all(e == p for e, p in results["reference"].tasks.values())
    assert not results["crashed"].graded and "autograde failed" in results["crashed"].reasons[0]
    assert not results["late"].graded and "not graded yet" in results["late"].reasons[0]
    assert results["machine_failed"].reasons == ["not graded, rerun: the sandbox did not start"]
    job_report_student = f"mistake_{chosen[1].slug}"
    assert results[job_report_student].graded and results[job_report_student].tests
    assert "notebook execution (sandbox)" in results[job_report_student].stage_seconds
    assert "penalties" in results["odd"].sources and results["reference"].stage_seconds


def test_named_mistakes_are_counted_per_task_with_their_hints(course, report):
    _, chosen = course
    _, data = report
    found = {(m["task"], m["mistake"]): m for m in data["mistakes"]}
    for m in chosen:
        task = next(t.id for t in _tasks() if mistakes_for_task(t) and mistakes_for_task(t)[0] is m)
        entry = found[(task, m.name)]
        assert entry["students"] == [f"mistake_{m.slug}"] and entry["hint"] == m.hint


def test_unexplained_failures_are_grouped_with_an_example(report):
    _, data = report
    groups = [g for g in data["unexplained"] if "odd" in g["students"]]
    assert groups and all(g["example"]["message"] for g in groups)
    assert all(not g["message"].startswith("not implemented") for g in data["unexplained"])


def test_ranking_not_graded_and_timing(report):
    _, data = report
    rates = [next(t for t in data["tasks"] if t["task"] == tid)["failure_rate"]
             for tid in data["ranked_by_failure"]]
    assert rates == sorted(rates, reverse=True) and len(rates) == len(_tasks())
    assert {n["student"] for n in data["not_graded"]} == {"crashed", "late", "machine_failed"}
    assert data["stages"]["whole job"]["jobs"] == 7
    blank_everywhere = [t for t in data["tasks"] if "blank" in t["not_attempted"]]
    assert len(blank_everywhere) == len(_tasks())


def test_similar_submissions_flag_the_reference_copies_and_not_the_stub(report):
    _, data = report
    sim = data["similarity"]
    flagged = {frozenset((p["a"], p["b"])) for p in sim["flagged"]}
    # The mistake students are the reference with one function changed: copies of each other.
    copies = {"reference", *(s for s in map(str, sim["clusters"][0]["students"]) if s.startswith("mistake_"))}
    assert sim["clusters"][0]["students"] == sorted(copies) and len(copies) == 3
    assert not any("blank" in pair for pair in flagged)          # the stub is common ground
    assert not any("odd" in pair for pair in flagged)            # a one-liner of their own
    assert all(p["functions"] and p["functions"][0]["source_a"] for p in sim["flagged"])


def test_csv_and_json_hold_the_same_data(report):
    page, data = report
    with open(page.parent / "mistakes.csv") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["task"], r["mistake"], int(r["students"])) for r in rows] == \
        [(m["task"], m["mistake"], m["count"]) for m in data["mistakes"]]
    with open(page.parent / "scores.csv") as fh:
        scores = {r["student"]: r for r in csv.DictReader(fh)}
    assert float(scores["reference"]["task_7.1"]) == 1.0 and float(scores["blank"]["task_7.1"]) == 0.0
    for name in ("tasks", "unexplained", "not_graded", "pending_manual", "stages", "similarity"):
        assert (page.parent / f"{name}.csv").exists()


def test_the_page_is_self_contained_and_escapes_student_code(report):
    page, _ = report
    text = page.read_text()
    for section in ("scores", "failure-rate", "mistakes", "unexplained", "not-graded", "pending",
                    "timing", "similarity"):
        assert f"id='{section}'" in text
    assert "<script" not in text.lower()
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", text)
    assert len(re.findall(r'<img src="data:image/png;base64,', text)) >= len(_tasks()) + 2


def test_student_code_shown_side_by_side_is_escaped(report):
    from autograder.class_report.render import render_html

    _, data = report
    data = json.loads(json.dumps(data))
    pair = data["similarity"]["flagged"][0]
    pair["functions"][0]["source_a"] = HOSTILE_COMMENT
    text = render_html(data)
    assert "<script" not in text.lower() and "&lt;script&gt;" in text
    assert "<img src=http" not in text


def test_course_report_command(course, tmp_path, capsys):
    root, _ = course
    from autograder.cli import main as course_main

    assert course_main(["report", A, "--course-dir", str(root), "--out", str(tmp_path / "r"),
                        "--similarity-threshold", "0.99", "--min-shared", "1e9"]) == 0
    assert "class report of 07_penalties" in capsys.readouterr().out
    data = json.loads((tmp_path / "r" / "report.json").read_text())
    assert data["similarity"]["threshold"] == 0.99 and data["similarity"]["flagged"] == []
    assert report_main(["--course-dir", str(root)]) == 0       # every graded assignment


def test_report_of_synthetic_results_with_pending_answers():
    results = [StudentResult("s1", A, True, tests=[HiddenTest("t1", "7.1", 1.0, False, "got 0.5 at 3")],
                             tasks={"7.1": (0.0, 1.0)}, pending_manual=["07/q_why"],
                             stage_seconds={"score": 2.0}),
               StudentResult("s2", A, True, tests=[HiddenTest("t1", "7.1", 1.0, False, "got 0.7 at 4")],
                             tasks={"7.1": (0.0, 1.0)}, stage_seconds={"score": 4.0})]
    data = summary.build_report(results, {"7.1": "L2"}, {}, {})
    assert data["pending_manual"] == [{"student": "s1", "cells": ["07/q_why"]}]
    assert [(g["message"], g["count"], g["tests"]) for g in data["unexplained"]] == [("got # at #", 2, 2)]
    assert data["stages"]["score"]["median"] == 3.0
    assert summary.normalize_message("x 'a' and [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]") == "x '…' and [...]"


@pytest.mark.slow
def test_the_page_renders_in_headless_chromium(report):
    from browser import chromium, wait_for
    from selenium.webdriver.common.by import By

    page, data = report
    with chromium() as driver:
        driver.get(page.as_uri())
        wait_for(lambda: driver.execute_script("return document.readyState") == "complete", 60,
                 "the report page to load")
        headings = [h.text for h in driver.find_elements(By.TAG_NAME, "h2")]
        for expected in ("Score distributions", "Tasks ranked by failure rate", "Named mistakes",
                         "Failures no catalogued mistake explains", "Submissions not graded",
                         "Written answers pending", "Grading time per stage", "Similar submissions"):
            assert expected in headings
        images = driver.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth]);")
        assert images and all(done and width > 0 for done, width in images)
        pairs = driver.find_elements(By.CSS_SELECTOR, "#similarity .pair pre")
        assert pairs and len(pairs) % 2 == 0
        assert driver.execute_script("return document.querySelectorAll('script').length;") == 0
        assert data["assignment"] in driver.title


@pytest.mark.slow
def test_report_of_a_class_graded_through_nbgrader(tmp_path, capsys):
    """``course grade`` through the real nbgrader and gradebook, then ``course report``: the
    gradebook's totals and the written answer waiting for a grade are in the report."""
    import nbformat

    from autograder import REPO
    from autograder.cli import main as course_main
    from autograder.record.course import init_course, make_submission_dir

    fixture = REPO / "tests" / "fixtures" / "grading"
    root = init_course(tmp_path / "course", {A: fixture / "source" / A}, suite_dir=fixture / "suites",
                       extra_config="c.SandboxedExecute.cell_timeout = 20\n")
    stubs = tmp_path / "stubs" / "course_lib"
    write_stub_package(REFERENCE_DIR, stubs)
    d = make_submission_dir(root, "answered", A, REFERENCE_DIR)
    nb = nbformat.read(d / f"{A}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == "q_biases":
            cell.source = "A bias only shifts a unit; penalizing it does not limit capacity."
    nbformat.write(nb, d / f"{A}.ipynb")
    make_submission_dir(root, "blank", A, stubs)
    m = next(m for m in mistakes_for_task(_tasks()[0]))
    make_submission_dir(root, "mistaken", A, make_mistaken_package(m, tmp_path / "mistake"))
    assert course_main(["grade", A, "--course-dir", str(root), "--workers", "1"]) == 0
    assert course_main(["report", A, "--course-dir", str(root)]) == 0
    assert str(root / "reports" / A / "index.html") in capsys.readouterr().out
    data = json.loads((root / "reports" / A / "report.json").read_text())
    assert data["graded"] == 3 and data["not_graded"] == []
    totals = {t["student"]: t for t in data["totals"]}
    assert totals["blank"]["total"] == 0 and totals["answered"]["max"] > 0
    assert totals["answered"]["total"] > totals["mistaken"]["total"]
    assert [p["student"] for p in data["pending_manual"]] == ["answered"]
    assert any(c.endswith("q_biases") for c in data["pending_manual"][0]["cells"])
    assert [mm["students"] for mm in data["mistakes"] if mm["mistake"] == m.name] == [["mistaken"]]
