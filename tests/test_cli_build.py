"""``course build`` never overwrites work: a file of course_lib/ (or notebooks/) that differs
from what build last wrote is refused without ``--force``, and ``build --check`` never tells
its author to run the command that would wipe it. Run on a copy of the student package
(``--no-release``: the stubs; the release notebooks go through the same code)."""

from __future__ import annotations

import json
import shutil

import pytest

from autograder import REPO
import autograder.build.command as command


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """A working copy's student package, outside git, where build writes."""
    lib = tmp_path / "course_lib"
    shutil.copytree(REPO / "course_lib", lib, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(command, "STUDENT_LIB", lib)
    monkeypatch.setattr(command, "RELEASE_NOTEBOOKS", tmp_path / "notebooks")
    monkeypatch.setattr(command, "REPO", tmp_path)
    monkeypatch.setattr(command, "MANIFEST", tmp_path / ".course-build.json")
    monkeypatch.setattr(command, "write_fixtures", lambda d: None)  # solutions/ stays as is
    return tmp_path


def _build(capsys, *flags):
    rc = command.run_build(check="--check" in flags, release=False, force="--force" in flags)
    out, err = capsys.readouterr()
    return rc, out, err


def test_build_refuses_to_overwrite_an_edit(workdir, capsys):
    assert _build(capsys)[0] == 0  # a pristine copy: built, manifest written
    manifest = json.loads((workdir / ".course-build.json").read_text())
    assert "penalties.py" in manifest["course_lib"]
    mine = workdir / "course_lib" / "penalties.py"
    work = mine.read_text().replace('raise NotImplementedError("Task 7.1', 'return 1.0, []\n    #', 1)
    mine.write_text(work)
    (workdir / "course_lib" / "scratch.py").write_text("notes = 1\n")
    rc, out, err = _build(capsys)
    assert rc == 1
    assert "refused: 2 file(s)" in err and str(mine) in err and "scratch.py" in err
    assert "--force" in err
    assert mine.read_text() == work and (workdir / "course_lib" / "scratch.py").exists()
    rc, out, err = _build(capsys, "--check")
    assert rc == 1
    assert "edited by hand" in err and "Run `course build` and commit" not in err
    assert "copy your edits elsewhere" in err
    assert _build(capsys, "--force")[0] == 0
    assert mine.read_text() == (REPO / "course_lib" / "penalties.py").read_text()
    assert not (workdir / "course_lib" / "scratch.py").exists()
    assert _build(capsys)[0] == 0  # what --force wrote is build's again


def test_files_build_wrote_are_regenerated(workdir, capsys):
    """A stale file that build wrote (solutions/ changed since) is not an edit."""
    assert _build(capsys)[0] == 0
    stale = workdir / "course_lib" / "dropout.py"
    stale.write_text("# an older stub\n")
    manifest = json.loads((workdir / ".course-build.json").read_text())
    manifest["course_lib"]["dropout.py"] = command._sha(stale)  # as build wrote it then
    (workdir / ".course-build.json").write_text(json.dumps(manifest))
    rc, out, err = _build(capsys, "--check")
    assert rc == 1 and "edited by hand" not in err and "Run `course build` and commit" in err
    assert _build(capsys)[0] == 0
    assert stale.read_text() == (REPO / "course_lib" / "dropout.py").read_text()


def test_without_a_manifest_an_edit_is_what_build_would_not_write(workdir, capsys):
    (workdir / "course_lib" / "init.py").write_text("# mine\n")
    rc, out, err = _build(capsys)
    assert rc == 1 and "init.py" in err and "refused: 1 file(s)" in err
