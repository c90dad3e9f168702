"""The class report's data: pure functions from the loaded results to one JSON-able dict.

Sections: each task's score distribution and failure rate, the named mistakes per task, the
failures no catalogued mistake explains (grouped by their normalized message), submissions not
graded and why, written answers still pending, grading time per stage, and similar submissions.
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict

from . import similarity
from .load import StudentResult

NOT_IMPLEMENTED = "not implemented"
EXAMPLE_CHARS = 600


def task_order(task: str):
    return tuple(int(p) if p.isdigit() else p for p in task.split("."))


def normalize_message(message: str) -> str:
    """A failure message with its numbers, array contents and quoted values blanked, so that
    the same failure on other inputs groups together: ``got 0.5 at index (2, 3)`` becomes
    ``got # at index (#, #)``."""
    first = (message or "").strip().splitlines()[0] if (message or "").strip() else "(no message)"
    text = re.sub(r"\[[^\[\]]{20,}\]", "[...]", first)
    text = re.sub(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", "#", text)
    text = re.sub(r"'[^']*'|\"[^\"]*\"", "'…'", text)
    return re.sub(r"\s+", " ", text).strip()[:300]


def task_table(results: list[StudentResult], titles: dict[str, str]) -> list[dict]:
    """Per task: each graded student's fraction of the task's points, failure rate, attempts."""
    graded = [r for r in results if r.graded]
    tasks = sorted({t for r in graded for t in r.tasks} | set(titles), key=task_order)
    rows = []
    for t in tasks:
        fractions, failed, blank = {}, [], []
        for r in graded:
            if t not in r.tasks:
                continue
            earned, possible = r.tasks[t]
            fractions[r.student] = earned / possible if possible else 0.0
            if earned < possible:
                failed.append(r.student)
            outcomes = [o for o in r.tests if o.task == t]
            if (
                outcomes
                and all(o.message.startswith(NOT_IMPLEMENTED) for o in outcomes if not o.passed)
                and not any(o.passed for o in outcomes)
            ):
                blank.append(r.student)
        n = len(fractions)
        rows.append(
            {
                "task": t,
                "title": titles.get(t, ""),
                "graded": n,
                "mean_fraction": statistics.fmean(fractions.values()) if n else None,
                "failure_rate": len(failed) / n if n else None,
                "failed": failed,
                "not_attempted": blank,
                "fractions": fractions,
            }
        )
    return rows


def ranked_by_failure(tasks: list[dict]) -> list[dict]:
    rated = [t for t in tasks if t["failure_rate"] is not None]
    return sorted(rated, key=lambda t: (-t["failure_rate"], task_order(t["task"])))


def mistake_table(results: list[StudentResult]) -> list[dict]:
    """Per (task, named mistake): the students whose submission reproduces it, and its hint."""
    found: dict[tuple[str, str], dict] = {}
    for r in results:
        if not r.graded:
            continue
        for o in r.tests:
            if o.mistake:
                entry = found.setdefault(
                    (o.task, o.mistake),
                    {"task": o.task, "mistake": o.mistake, "hint": o.hint or "", "students": []},
                )
                if r.student not in entry["students"]:
                    entry["students"].append(r.student)
    rows = sorted(
        found.values(), key=lambda e: (task_order(e["task"]), -len(e["students"]), e["mistake"])
    )
    for e in rows:
        e["count"] = len(e["students"])
    return rows


def unexplained_failures(results: list[StudentResult]) -> list[dict]:
    """Failed tests that no catalogued mistake explains (and that are not a stub left as it is),
    grouped by task and normalized message, most frequent first, with one example each."""
    groups: dict[tuple[str, str], dict] = {}
    for r in results:
        if not r.graded:
            continue
        for o in r.tests:
            if o.passed or o.mistake or o.message.startswith(NOT_IMPLEMENTED):
                continue
            key = (o.task, normalize_message(o.message))
            g = groups.setdefault(
                key,
                {
                    "task": o.task,
                    "message": key[1],
                    "tests": 0,
                    "students": [],
                    "example": {
                        "student": r.student,
                        "test": o.name,
                        "message": o.message[:EXAMPLE_CHARS],
                    },
                },
            )
            g["tests"] += 1
            if r.student not in g["students"]:
                g["students"].append(r.student)
    rows = list(groups.values())
    for g in rows:
        g["count"] = len(g["students"])
    rows.sort(key=lambda g: (-g["count"], -g["tests"], task_order(g["task"]), g["message"]))
    return rows


def not_graded(results: list[StudentResult]) -> list[dict]:
    return [{"student": r.student, "reasons": r.reasons} for r in results if not r.graded]


def notices(results: list[StudentResult]) -> list[dict]:
    """Graded submissions with something the instructor should know (a notebook replaced by the
    release, rejected files, a notebook that could not run)."""
    return [{"student": r.student, "notices": r.notices} for r in results if r.graded and r.notices]


def pending_manual(results: list[StudentResult]) -> list[dict]:
    return [{"student": r.student, "cells": r.pending_manual} for r in results if r.pending_manual]


def stage_times(results: list[StudentResult]) -> dict[str, dict]:
    """Per stage: how many jobs recorded it, median, max and total seconds."""
    per: dict[str, list[float]] = defaultdict(list)
    for r in results:
        for stage, secs in r.stage_seconds.items():
            per[stage].append(secs)
    return {
        s: {"jobs": len(v), "median": statistics.median(v), "max": max(v), "total": sum(v)}
        for s, v in per.items()
    }


def similar_pairs(
    results: list[StudentResult],
    graded: dict[str, tuple[str, ...]],
    stubs: dict[str, str],
    reference: dict[str, str] | None,
    threshold: float,
    min_shared: float,
) -> dict:
    """Similarity of every pair of submissions with sources; the flagged ones, and the closest
    pairs below the threshold (so the instructor sees how far the rest is)."""
    units = {
        r.student: similarity.extract_units(r.student, r.sources, graded, stubs)
        for r in results
        if r.sources
    }
    units = {s: u for s, u in units.items() if u}
    ref_units = (
        similarity.extract_units("reference", reference, graded, stubs) if reference else None
    )
    pairs = similarity.compare_class(units, ref_units, threshold, min_shared)
    flagged = [p.to_dict() for p in pairs if p.flagged]
    closest = [
        {k: v for k, v in p.to_dict().items() if k != "functions"} for p in pairs if not p.flagged
    ][:10]
    return {
        "threshold": threshold,
        "min_shared": min_shared,
        "students_compared": len(units),
        "pairs_compared": len(pairs),
        "flagged": flagged,
        "clusters": clusters(flagged),
        "closest_unflagged": closest,
    }


def clusters(flagged: list[dict]) -> list[dict]:
    """Groups of students linked by flagged pairs (a copied solution passed around), largest
    first: ``{"students", "pairs", "max_score"}``."""
    parent: dict[str, str] = {}

    def find(s):
        while parent.setdefault(s, s) != s:
            parent[s] = parent[parent[s]]
            s = parent[s]
        return s

    for p in flagged:
        parent[find(p["a"])] = find(p["b"])
    groups: dict[str, dict] = {}
    for p in flagged:
        g = groups.setdefault(find(p["a"]), {"students": set(), "pairs": 0, "max_score": 0.0})
        g["students"] |= {p["a"], p["b"]}
        g["pairs"] += 1
        g["max_score"] = max(g["max_score"], p["score"])
    out = [
        {"students": sorted(g["students"]), "pairs": g["pairs"], "max_score": g["max_score"]}
        for g in groups.values()
    ]
    return sorted(out, key=lambda g: (-len(g["students"]), -g["max_score"], g["students"]))


def build_report(
    results: list[StudentResult],
    titles: dict[str, str],
    graded: dict[str, tuple[str, ...]],
    stubs: dict[str, str],
    reference: dict[str, str] | None = None,
    threshold: float = similarity.DEFAULT_THRESHOLD,
    min_shared: float = similarity.DEFAULT_MIN_SHARED,
) -> dict:
    """The whole report of one assignment as plain data (what ``report.json`` holds)."""
    assignment = results[0].assignment if results else ""
    tasks = task_table(results, titles)
    totals = [
        {
            "student": r.student,
            "total": r.total,
            "max": r.max_total,
            "hidden_suite_points": sum(e for e, _ in r.tasks.values()),
            "hidden_suite_possible": sum(p for _, p in r.tasks.values()),
        }
        for r in results
        if r.graded
    ]
    return {
        "assignment": assignment,
        "submissions": len(results),
        "graded": sum(r.graded for r in results),
        "tasks": tasks,
        "ranked_by_failure": [t["task"] for t in ranked_by_failure(tasks)],
        "totals": totals,
        "mistakes": mistake_table(results),
        "unexplained": unexplained_failures(results),
        "not_graded": not_graded(results),
        "notices": notices(results),
        "pending_manual": pending_manual(results),
        "stages": stage_times(results),
        "similarity": similar_pairs(results, graded, stubs, reference, threshold, min_shared),
    }
