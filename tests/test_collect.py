"""``course collect``: submissions as browsers and LMSs hand them over (an extra top-level
folder, renamed and duplicate notebooks, oversized files, files not on the allowlist, a zip in
a folder per student) land in ``submitted/<student>/<assignment>/`` with every reason printed
and recorded; graded through the real nbgrader, the reasons reach the grade table, the CSV
and the student's feedback. The zips are built here, as the tools that make them do."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import stat
import time
import zipfile
from pathlib import Path

import pytest

from autograder import REFERENCE_DIR, REPO
from autograder.cli import main

A = "07_penalties"
FIX = REPO / "tests" / "fixtures" / "grading"
NB = (FIX / "source" / A / f"{A}.ipynb").read_bytes()
OLD = (2026, 1, 10, 9, 0, 0)
NEW = (2026, 1, 12, 18, 30, 0)


def _lib_files(prefix: str = "") -> dict[str, bytes]:
    """A student's whole course_lib, as a student zips it (checks/ and caches included)."""
    out = {}
    for p in sorted(REFERENCE_DIR.rglob("*")):
        if p.is_file() and "__pycache__" not in p.parts:
            out[f"{prefix}course_lib/{p.relative_to(REFERENCE_DIR).as_posix()}"] = p.read_bytes()
    out[f"{prefix}course_lib/__pycache__/layers.cpython-311.pyc"] = b"\0compiled"
    return out


def _zip(path: Path, files: dict[str, bytes], when=NEW, links: dict[str, str] | None = None):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=when), data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name, date_time=when)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _big_notebook(nbytes: int) -> bytes:
    """The assignment's notebook with an output of ``nbytes`` (a plot nobody cleared)."""
    nb = json.loads(NB)
    code = next(c for c in nb["cells"] if c["cell_type"] == "code")
    code["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x" * nbytes}]
    return json.dumps(nb).encode()


def _course(root: Path) -> Path:
    (root / "release" / A).mkdir(parents=True)
    (root / "release" / A / f"{A}.ipynb").write_bytes(NB)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    return root


def lms_download(folder: Path, big_notebook_bytes: int) -> Path:
    """A folder as an LMS hands it over: one zip (or folder) per student."""
    folder.mkdir(parents=True)
    # carol: `python -m zipfile -c carol.zip carol_hw1` (an extra top-level folder), with her
    # notes and macOS metadata.
    _zip(folder / "carol.zip", {f"carol_hw1/{A}.ipynb": NB, "carol_hw1/notes.txt": b"my notes",
                                "__MACOSX/carol_hw1/._notes.txt": b"meta",
                                **_lib_files("carol_hw1/")})  # fmt: skip
    # dave: downloaded twice, the browser renamed the later copy; an older copy beside it.
    _zip(folder / "dave (1).zip", {f"{A} (1).ipynb": NB, **_lib_files()})
    with zipfile.ZipFile(folder / "dave (1).zip", "a") as zf:
        zf.writestr(zipfile.ZipInfo(f"{A}.ipynb", date_time=OLD), b'{"cells": [')
    # erin: an oversized notebook (outputs) and an oversized module, a symlink and a path that
    # climbs out of the folder.
    files = {f"{A}.ipynb": _big_notebook(big_notebook_bytes), **_lib_files(),
             "course_lib/huge.py": b"#" * 1_100_000, "../escape.py": b"x = 1\n"}  # fmt: skip
    _zip(folder / "erin.zip", files, links={"course_lib/secret.py": "/etc/passwd"})
    # frank: Moodle's folder per student holding the uploaded zip; the whole course folder
    # zipped (the notebook under notebooks/<A>/, other files beside it).
    moodle = folder / "frank"
    moodle.mkdir()
    _zip(moodle / "upload.zip", {f"notebooks/{A}/{A}.ipynb": NB, "README.md": b"# readme",
                                 "notebooks/01_foundations/01_foundations.ipynb": NB,
                                 **_lib_files()})  # fmt: skip
    # grace: not a zip at all.
    (folder / "grace.zip").write_text("this is not a zip")
    return folder


@pytest.fixture
def collected(tmp_path, capsys):
    root = _course(tmp_path / "course")
    src = lms_download(tmp_path / "download", 30_000)
    import autograder.collect as collect

    cap = collect.MAX_NOTEBOOK_BYTES
    collect.MAX_NOTEBOOK_BYTES = 20_000  # erin's notebook is over it, and under it once cleared
    try:
        rc = main(["collect", str(src), "--course-dir", str(root)])
    finally:
        collect.MAX_NOTEBOOK_BYTES = cap
    out, err = capsys.readouterr()
    return root, rc, out, err


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def _notes(root: Path, student: str) -> str:
    return "\n".join(json.loads((root / ".grading" / "collect" / A / f"{student}.json")
                                .read_text())["notes"])  # fmt: skip


def test_every_source_lands_in_submitted(collected):
    root, rc, out, err = collected
    assert rc == 1  # grace's was not collected
    assert sorted(p.name for p in (root / "submitted").iterdir()) == ["carol", "dave", "erin",
                                                                      "frank"]  # fmt: skip
    lib = sorted(f"course_lib/{p.relative_to(REFERENCE_DIR).as_posix()}"
                 for p in REFERENCE_DIR.rglob("*.py")
                 if "__pycache__" not in p.parts and "checks" not in p.parts)  # fmt: skip
    for student in ("carol", "dave", "frank"):
        assert _files(root / "submitted" / student / A) == sorted([f"{A}.ipynb", *lib]), student
    assert _files(root / "submitted" / "erin" / A) == sorted([f"{A}.ipynb", *lib])
    # what is kept is byte for byte what was submitted (dave: the later copy, renamed)
    assert (root / "submitted" / "dave" / A / f"{A}.ipynb").read_bytes() == NB
    assert "collected 4 submission(s)" in out and "1 source(s) not collected" in out


def test_every_reason_is_printed_and_recorded(collected):
    root, rc, out, err = collected
    carol = _notes(root, "carol")
    assert "unwrapped the top-level folder carol_hw1/" in carol
    assert "notes.txt: not on the allowlist" in carol
    # what changes nothing the grader reads is printed only
    assert "course_lib/checks" not in carol and "macOS metadata" not in carol
    assert re.search(r"course_lib/checks/ \(\d+ files\): course_lib/checks is provided by the grader", out)
    assert "left out 1 file(s) of macOS metadata (__MACOSX/carol_hw1/._notes.txt…)" in out
    dave = _notes(root, "dave")
    assert f"{A} (1).ipynb: renamed to {A}.ipynb" in dave
    assert f"{A}.ipynb: left out, another copy of {A}.ipynb (not a readable notebook" in dave
    erin = _notes(root, "erin")
    assert f"{A}.ipynb: " in erin and "kept with its outputs cleared" in erin
    assert "course_lib/huge.py: 1100000 bytes is over the 1000000-byte cap" in erin
    assert "course_lib/secret.py: symbolic link" in erin
    assert "../escape.py: path escapes the submission folder" in erin
    frank = _notes(root, "frank")
    assert "opened the zip upload.zip inside the submission" in frank
    assert f"notebooks/{A}/{A}.ipynb: moved to {A}.ipynb" in frank
    assert "README.md" in frank and "notebooks/01_foundations/" in frank
    assert "grace.zip is neither a zip nor a folder" in out
    for student in ("carol", "dave", "erin", "frank"):
        for note in _notes(root, student).splitlines():
            assert f"    {note}" in out  # printed as recorded
    assert not (root / "submitted" / "erin" / "escape.py").exists()
    assert not (root.parent / "download" / "escape.py").exists()


def test_cleared_notebook_is_the_students_without_outputs(collected):
    root, *_ = collected
    nb = json.loads((root / "submitted" / "erin" / A / f"{A}.ipynb").read_text())
    assert all(c.get("outputs", []) == [] for c in nb["cells"])
    assert [c["source"] for c in nb["cells"]] == [c["source"] for c in json.loads(NB)["cells"]]


def test_recollecting_replaces_and_the_latest_source_wins(tmp_path, capsys):
    root = _course(tmp_path / "course")
    first = _zip(tmp_path / "carol.zip", {f"{A}.ipynb": NB, "course_lib/penalties.py": b"v = 1\n"})
    assert main(["collect", str(first), "--course-dir", str(root)]) == 0
    later = tmp_path / "later"
    later.mkdir()
    older = _zip(later / "carol.zip", {f"{A}.ipynb": NB, "course_lib/penalties.py": b"v = 2\n"})
    newer = _zip(later / "carol (1).zip", {f"{A}.ipynb": NB, "course_lib/penalties.py": b"v = 3\n"})
    os.utime(older, (time.time() - 3600, time.time() - 3600))
    capsys.readouterr()
    assert main(["collect", str(later), "--course-dir", str(root)]) == 1  # the older is refused
    out = capsys.readouterr().out
    assert (root / "submitted" / "carol" / A / "course_lib" / "penalties.py").read_text() == "v = 3\n"
    assert "carol.zip: not collected: superseded by carol (1).zip" in out
    assert "replaced the earlier submission" in out
    assert not [p for p in (root / "submitted" / "carol").iterdir() if p.name.startswith(".")]
    assert "collected instead of carol.zip (older)" in _notes(root, "carol")
    del newer


def test_student_regex_and_clear_errors(tmp_path, capsys):
    root = _course(tmp_path / "course")
    canvas = _zip(tmp_path / "doejane_LATE_12345_678_07.zip", {f"{A}.ipynb": NB})
    rc = main(["collect", str(canvas), "--course-dir", str(root), "--student-regex",
               r"^(?P<student>[^_]+)_"])  # fmt: skip
    assert rc == 0 and (root / "submitted" / "doejane" / A / f"{A}.ipynb").is_file()
    spaced = _zip(tmp_path / "Jane Doe_1_assignsubmission_file_.zip", {f"{A}.ipynb": NB})
    capsys.readouterr()
    assert main(["collect", str(spaced), "--course-dir", str(root)]) == 1
    assert "is not a safe folder name" in capsys.readouterr().out
    none = _zip(tmp_path / "kim.zip", {"essay.ipynb": NB})
    assert main(["collect", str(none), "--course-dir", str(root)]) == 1
    assert "cannot tell the assignment" in capsys.readouterr().out
    assert main(["collect", str(none), "--assignment", A, "--course-dir", str(root)]) == 1
    out = capsys.readouterr().out
    assert f"essay.ipynb: not a notebook of this assignment (expected {A}.ipynb)" in out
    assert main(["collect", str(none), "--assignment", "99_nope", "--course-dir", str(root)]) == 2
    assert "unknown assignment '99_nope'" in capsys.readouterr().err


@pytest.mark.slow
def test_reasons_reach_table_csv_and_feedback(tmp_path, capsys):
    """Collected, then graded through the real nbgrader: every recorded reason is in the grade
    table, in the CSV's notes column and at the top of the student's feedback page."""
    from autograder.export import export_csv, format_table, grade_rows
    from autograder.record.course import init_course

    root = init_course(tmp_path / "course", {A: FIX / "source" / A}, suite_dir=FIX / "suites",
                       extra_config="c.SandboxedExecute.cell_timeout = 20\n")  # fmt: skip
    src = tmp_path / "download"
    src.mkdir()
    _zip(src / "carol.zip", {f"carol_hw1/{A}.ipynb": NB, "carol_hw1/notes.txt": b"notes",
                             **_lib_files("carol_hw1/")})  # fmt: skip
    _zip(src / "erin.zip", {f"{A}.ipynb": _big_notebook(21_000_000), **_lib_files(),
                            "course_lib/huge.py": b"#" * 1_100_000})  # fmt: skip
    assert main(["collect", str(src), "--course-dir", str(root)]) == 0
    assert main(["grade", "--course-dir", str(root)]) == 0
    capsys.readouterr()
    rows = {r["student"]: r for r in grade_rows(root)}
    table = format_table(list(rows.values()), width=200)
    buf = io.StringIO()
    export_csv(root, buf)
    csv_notes = {r["student"]: r["notes"] for r in csv.DictReader(io.StringIO(buf.getvalue()))}
    assert main(["feedback", A, "--course-dir", str(root)]) == 0
    for student in ("carol", "erin"):
        notes = _notes(root, student).splitlines()
        assert notes and rows[student]["total"] > 0  # the reference's code scored
        page = (root / "feedback" / student / A / f"{A}.html").read_text()
        for note in notes:
            assert f"↳ {note}" in table
            assert note in csv_notes[student]
            assert note.replace("'", "&#x27;") in page or note in page
    assert "kept with its outputs cleared" in _notes(root, "erin")


def test_copies_of_one_time_are_not_said_to_be_older(tmp_path, capsys):
    """An LMS zip often dates every file alike: of two copies of the notebook, the one under its
    own name is kept, and the note does not claim the other was modified earlier."""
    root = _course(tmp_path / "course")
    src = _zip(tmp_path / "erin.zip", {f"{A}.ipynb": NB, f"{A}-Copy1.ipynb": NB, **_lib_files()})
    assert main(["collect", str(src), "--course-dir", str(root)]) == 0
    capsys.readouterr()
    assert (f"{A}-Copy1.ipynb: left out, another copy of {A}.ipynb (modified at the same time "
            f"as {A}.ipynb, which was kept under its own name)") in _notes(root, "erin")
