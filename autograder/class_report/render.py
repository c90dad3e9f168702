"""The class report as files: one self-contained HTML page (plots as embedded PNG data URIs,
inline CSS, no script, nothing fetched), ``report.json`` and one CSV per section."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from pathlib import Path

from .summary import task_order

CSS = """
body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1200px;color:#222;line-height:1.4}
h1{margin-bottom:0} h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0} td,th{border:1px solid #ccc;padding:.25em .5em;
vertical-align:top;text-align:left} th{background:#f4f4f4}
.grid{display:flex;flex-wrap:wrap;gap:1em} .grid figure{margin:0}
figcaption{font-size:.9em;color:#555} .muted{color:#777} .num{text-align:right}
pre{margin:0;font-size:.85em;white-space:pre-wrap;max-width:560px;overflow-x:auto}
.pair{margin:1em 0;border:1px solid #e0b0b0;padding:.5em} .pair h3{margin:.2em 0}
nav a{margin-right:1em}
"""

SECTIONS = (
    ("scores", "Score distributions"),
    ("failure-rate", "Tasks ranked by failure rate"),
    ("mistakes", "Named mistakes"),
    ("unexplained", "Failures no catalogued mistake explains"),
    ("not-graded", "Submissions not graded"),
    ("pending", "Written answers pending"),
    ("timing", "Grading time per stage"),
    ("similarity", "Similar submissions"),
)


def _figure_uri(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=80, bbox_inches="tight")
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def histogram(values, title: str, xlabel: str, bins) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(3.6, 2.4))
    ax.hist(values, bins=bins, color="#4c72b0", edgecolor="white")
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_ylabel("students", fontsize=8)
    ax.tick_params(labelsize=7)
    return _figure_uri(fig)


def barh(labels, values, title: str, xlabel: str, color="#c44e52", integer=False) -> str:
    plt = _plt()
    from matplotlib.ticker import MaxNLocator

    fig, ax = plt.subplots(figsize=(6, 0.35 * len(labels) + 0.9))
    y = range(len(labels))
    ax.barh(list(y), values, color=color)
    ax.set_yticks(
        list(y), [lab if len(lab) <= 60 else lab[:57] + "..." for lab in labels], fontsize=8
    )
    ax.invert_yaxis()
    ax.set_title(title, fontsize=9)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    if integer:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _figure_uri(fig)


def _img(uri: str, alt: str, caption: str = "") -> str:
    cap = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
    return f'<figure><img src="{uri}" alt="{html.escape(alt)}">{cap}</figure>'


def _table(head, rows) -> str:
    out = ["<table><tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in head) + "</tr>"]
    for row in rows:
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    return "".join(out) + "</table>"


def _e(v) -> str:
    return html.escape("" if v is None else str(v))


def _pct(v) -> str:
    return "" if v is None else f"{100 * v:.0f}%"


def _names(students, limit=12) -> str:
    shown = ", ".join(students[:limit])
    return _e(shown + (f", … (+{len(students) - limit})" if len(students) > limit else ""))


def render_html(data: dict, course_dir: str = "") -> str:
    a = data["assignment"]
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Class report: "
        f"{_e(a)}</title><style>{CSS}</style></head><body>",
        f"<h1>Class report: {_e(a)}</h1>",
        f"<p class='muted'>{data['graded']} of {data['submissions']} submissions graded"
        f"{' — ' + _e(course_dir) if course_dir else ''}</p>",
        "<nav>" + "".join(f"<a href='#{i}'>{_e(t)}</a>" for i, t in SECTIONS) + "</nav>",
    ]

    parts.append("<section id='scores'><h2>Score distributions</h2><div class='grid'>")
    totals = [t for t in data["totals"] if t["total"] is not None and t["max"]]
    if totals:
        parts.append(
            _img(
                histogram(
                    [t["total"] for t in totals],
                    f"Total ({a})",
                    f"points (of {totals[0]['max']:g})",
                    bins=10,
                ),
                "histogram of the total",
                "total score in the gradebook",
            )
        )
    else:
        suite = [t["hidden_suite_points"] for t in data["totals"]]
        if suite:
            parts.append(
                _img(
                    histogram(suite, "Total, hidden suites", "points", bins=10),
                    "histogram of the total",
                    "hidden-suite points (no gradebook)",
                )
            )
    for t in data["tasks"]:
        if t["fractions"]:
            parts.append(
                _img(
                    histogram(
                        list(t["fractions"].values()),
                        f"{t['task']} {t['title']}",
                        "share of the task's points",
                        bins=[i / 10 for i in range(11)],
                    ),
                    f"histogram of task {t['task']}",
                    f"mean {_pct(t['mean_fraction'])}, {t['graded']} graded",
                )
            )
    parts.append("</div></section>")

    ranked = [
        next(t for t in data["tasks"] if t["task"] == tid) for tid in data["ranked_by_failure"]
    ]
    parts.append("<section id='failure-rate'><h2>Tasks ranked by failure rate</h2>")
    if ranked:
        parts.append(
            _img(
                barh(
                    [f"{t['task']} {t['title']}" for t in ranked],
                    [100 * t["failure_rate"] for t in ranked],
                    "students without full points",
                    "% of graded submissions",
                ),
                "failure rate per task",
            )
        )
        parts.append(
            _table(
                ["task", "title", "failure rate", "failed", "not attempted (stub)", "mean score"],
                [
                    [
                        _e(t["task"]),
                        _e(t["title"]),
                        _pct(t["failure_rate"]),
                        len(t["failed"]),
                        len(t["not_attempted"]),
                        _pct(t["mean_fraction"]),
                    ]
                    for t in ranked
                ],
            )
        )
    else:
        parts.append("<p>No graded submission.</p>")
    parts.append("</section>")

    parts.append("<section id='mistakes'><h2>Named mistakes</h2>")
    by_task: dict[str, list] = {}
    for m in data["mistakes"]:
        by_task.setdefault(m["task"], []).append(m)
    if not by_task:
        parts.append("<p>No catalogued mistake was found in any submission.</p>")
    for task in sorted(by_task, key=task_order):
        ms = by_task[task]
        parts.append(f"<h3>Task {_e(task)}</h3><div class='grid'>")
        parts.append(
            _img(
                barh(
                    [m["mistake"] for m in ms],
                    [m["count"] for m in ms],
                    f"task {task}: students per named mistake",
                    "students",
                    "#dd8452",
                    integer=True,
                ),
                f"named mistakes of task {task}",
            )
        )
        parts.append(
            _table(
                ["mistake", "students", "hint", "who"],
                [[_e(m["mistake"]), m["count"], _e(m["hint"]), _names(m["students"])] for m in ms],
            )
        )
        parts.append("</div>")
    parts.append("</section>")

    parts.append(
        "<section id='unexplained'><h2>Failures no catalogued mistake explains</h2>"
        "<p class='muted'>Grouped by message (numbers and values blanked). A frequent "
        "group is a candidate for the mistake catalogue.</p>"
    )
    if data["unexplained"]:
        parts.append(
            _table(
                ["task", "message", "students", "tests", "example"],
                [
                    [
                        _e(g["task"]),
                        _e(g["message"]),
                        g["count"],
                        g["tests"],
                        f"<b>{_e(g['example']['student'])}</b>, {_e(g['example']['test'])}:"
                        f"<pre>{_e(g['example']['message'])}</pre>",
                    ]
                    for g in data["unexplained"]
                ],
            )
        )
    else:
        parts.append("<p>None: every failure is a named mistake or an unwritten stub.</p>")
    parts.append("</section>")

    parts.append("<section id='not-graded'><h2>Submissions not graded</h2>")
    if data["not_graded"]:
        parts.append(
            _table(
                ["student", "why"],
                [
                    [_e(n["student"]), "<br>".join(f"<pre>{_e(r)}</pre>" for r in n["reasons"])]
                    for n in data["not_graded"]
                ],
            )
        )
    else:
        parts.append("<p>Every submission was graded.</p>")
    if data["notices"]:
        parts.append("<h3>Graded, with a notice</h3>")
        parts.append(
            _table(
                ["student", "notice"],
                [
                    [
                        _e(n["student"]),
                        "<br>".join(_e(x.splitlines()[0][:300]) for x in n["notices"]),
                    ]
                    for n in data["notices"]
                ],
            )
        )
    parts.append("</section>")

    parts.append("<section id='pending'><h2>Written answers pending</h2>")
    if data["pending_manual"]:
        parts.append(
            f"<p>{sum(len(p['cells']) for p in data['pending_manual'])} answers of "
            f"{len(data['pending_manual'])} students need a manual grade (formgrader).</p>"
        )
        parts.append(
            _table(
                ["student", "cells"],
                [[_e(p["student"]), _e(", ".join(p["cells"]))] for p in data["pending_manual"]],
            )
        )
    else:
        parts.append("<p>No written answer waits for a grade.</p>")
    parts.append("</section>")

    parts.append("<section id='timing'><h2>Grading time per stage</h2>")
    if data["stages"]:
        parts.append(
            _table(
                ["stage", "jobs", "median s", "max s", "total s"],
                [
                    [_e(s), v["jobs"], f"{v['median']:.2f}", f"{v['max']:.2f}", f"{v['total']:.1f}"]
                    for s, v in data["stages"].items()
                ],
            )
        )
    else:
        parts.append("<p>The job reports carry no timings.</p>")
    parts.append("</section>")

    sim = data["similarity"]
    parts.append(
        "<section id='similarity'><h2>Similar submissions</h2>"
        f"<p class='muted'>{sim['students_compared']} submissions, {sim['pairs_compared']} pairs "
        f"compared on the graded functions (the stub's code removed, names, constants, "
        f"comments and statement order normalized, idioms the class shares discounted). "
        f"Flagged: score ≥ {sim['threshold']:g} and at least {sim['min_shared']:g} shared "
        f"weighted fingerprints.</p>"
    )
    if not sim["flagged"]:
        parts.append("<p>No pair reaches the threshold.</p>")
    else:
        parts.append(
            f"<p>{len(sim['flagged'])} flagged pair(s) in {len(sim['clusters'])} group(s) of "
            "students linked by them:</p>"
        )
        parts.append(
            _table(
                ["students", "flagged pairs", "best score"],
                [
                    [_names(g["students"], 30), g["pairs"], f"{g['max_score']:.2f}"]
                    for g in sim["clusters"]
                ],
            )
        )
    shown = shown_pairs(sim)
    if len(shown) < len(sim["flagged"]):
        parts.append(
            f"<p class='muted'>Side by side below: the best {PAIRS_PER_GROUP} pairs of each "
            f"group ({len(shown)} of {len(sim['flagged'])}); every flagged pair is in "
            "report.json and similarity.csv.</p>"
        )
    for p in shown:
        parts.append(
            f"<div class='pair'><h3>{_e(p['a'])} ~ {_e(p['b'])}: score {p['score']:.2f}"
            f" <span class='muted'>(shared {p['shared']:.0f})</span></h3>"
        )
        side, rest = p["functions"][:FUNCTIONS_PER_PAIR], p["functions"][FUNCTIONS_PER_PAIR:]
        rows = [
            [
                f"{_e(f['name'])}<br>{f['score']:.2f}",
                f"<pre>{_e(f['source_a'])}</pre>",
                f"<pre>{_e(f['source_b'])}</pre>",
            ]
            for f in side
        ]
        parts.append(_table(["function, score", p["a"], p["b"]], rows))
        if rest:
            parts.append(
                "<p class='muted'>Also compared: "
                + _e(", ".join(f"{f['name']} {f['score']:.2f}" for f in rest))
                + "</p>"
            )
        parts.append("</div>")
    if sim["closest_unflagged"]:
        parts.append("<h3>Closest pairs below the threshold</h3>")
        parts.append(
            _table(
                ["pair", "score", "shared"],
                [
                    [_e(f"{p['a']} ~ {p['b']}"), f"{p['score']:.2f}", f"{p['shared']:.0f}"]
                    for p in sim["closest_unflagged"]
                ],
            )
        )
    parts.append("</section></body></html>")
    return "\n".join(parts)


PAIRS_PER_GROUP = 3
FUNCTIONS_PER_PAIR = 5  # side by side, most shared first; the others by name and score


def shown_pairs(sim: dict) -> list[dict]:
    """The flagged pairs shown side by side: the best ``PAIRS_PER_GROUP`` of each group."""
    group_of = {s: i for i, g in enumerate(sim["clusters"]) for s in g["students"]}
    count: dict[int, int] = {}
    out = []
    for p in sim["flagged"]:
        g = group_of[p["a"]]
        if count.get(g, 0) < PAIRS_PER_GROUP:
            count[g] = count.get(g, 0) + 1
            out.append(p)
    return out


def _write_csv(path: Path, head, rows) -> None:
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)


def write_csvs(data: dict, out: Path) -> list[Path]:
    """One CSV per section of the report."""
    tasks = [t["task"] for t in data["tasks"]]
    students = sorted({s for t in data["tasks"] for s in t["fractions"]})
    totals = {t["student"]: t for t in data["totals"]}
    files = {
        "scores.csv": (
            ["student", *[f"task_{t}" for t in tasks], "total", "max"],
            [
                [
                    s,
                    *[_num(t["fractions"].get(s)) for t in data["tasks"]],
                    _num(totals.get(s, {}).get("total")),
                    _num(totals.get(s, {}).get("max")),
                ]
                for s in students
            ],
        ),
        "tasks.csv": (
            ["task", "title", "graded", "failure_rate", "failed", "not_attempted", "mean_fraction"],
            [
                [
                    t["task"],
                    t["title"],
                    t["graded"],
                    _num(t["failure_rate"]),
                    len(t["failed"]),
                    len(t["not_attempted"]),
                    _num(t["mean_fraction"]),
                ]
                for t in sorted(
                    data["tasks"],
                    key=lambda t: (
                        data["ranked_by_failure"].index(t["task"])
                        if t["task"] in data["ranked_by_failure"]
                        else 1e9
                    ),
                )
            ],
        ),
        "mistakes.csv": (
            ["task", "mistake", "students", "hint", "who"],
            [
                [m["task"], m["mistake"], m["count"], m["hint"], "; ".join(m["students"])]
                for m in data["mistakes"]
            ],
        ),
        "unexplained.csv": (
            [
                "task",
                "message",
                "students",
                "tests",
                "example_student",
                "example_test",
                "example_message",
            ],
            [
                [
                    g["task"],
                    g["message"],
                    g["count"],
                    g["tests"],
                    g["example"]["student"],
                    g["example"]["test"],
                    g["example"]["message"],
                ]
                for g in data["unexplained"]
            ],
        ),
        "not_graded.csv": (
            ["student", "reasons"],
            [[n["student"], " | ".join(n["reasons"])] for n in data["not_graded"]],
        ),
        "pending_manual.csv": (
            ["student", "cells"],
            [[p["student"], "; ".join(p["cells"])] for p in data["pending_manual"]],
        ),
        "stages.csv": (
            ["stage", "jobs", "median_s", "max_s", "total_s"],
            [
                [s, v["jobs"], _num(v["median"]), _num(v["max"]), _num(v["total"])]
                for s, v in data["stages"].items()
            ],
        ),
        "similarity.csv": (
            ["a", "b", "score", "shared", "flagged", "functions"],
            [
                [
                    p["a"],
                    p["b"],
                    p["score"],
                    p["shared"],
                    True,
                    "; ".join(f"{f['name']}={f['score']:.2f}" for f in p["functions"]),
                ]
                for p in data["similarity"]["flagged"]
            ]
            + [
                [p["a"], p["b"], p["score"], p["shared"], False, ""]
                for p in data["similarity"]["closest_unflagged"]
            ],
        ),
    }
    paths = []
    for name, (head, rows) in files.items():
        _write_csv(out / name, head, rows)
        paths.append(out / name)
    return paths


def _num(v):
    return "" if v is None else f"{round(float(v), 4):g}"


def write_report(data: dict, out: Path, course_dir: str = "") -> Path:
    """Write ``index.html``, ``report.json`` and the CSVs into ``out``; returns the page's path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(data, indent=1, default=str))
    write_csvs(data, out)
    page = out / "index.html"
    page.write_text(render_html(data, course_dir))
    return page
