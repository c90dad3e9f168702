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
    # The fixtures as committed (their generation is tests/test_build.py's business).
    monkeypatch.setattr(command, "write_fixtures", lambda d, previous: shutil.copytree(
        REPO / "course_lib" / "checks" / "fixtures", d))
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


def test_a_build_writes_the_committed_bytes_and_check_is_clean_after_it(workdir, capsys, monkeypatch):
    """The real fixture generation: a build reproduces the committed student package byte for
    byte (a fixture value that BLAS round-off on this CPU changed keeps its committed digits), and
    ``--check`` right after it finds no drift."""
    from autograder.build.fixtures import write_fixtures

    monkeypatch.setattr(command, "write_fixtures", write_fixtures)
    assert _build(capsys)[0] == 0
    built, committed = workdir / "course_lib", REPO / "course_lib"
    assert command._files(built) == command._files(committed)
    for rel in command._files(built):
        assert (built / rel).read_bytes() == (committed / rel).read_bytes(), f"{rel} differs"
    rc, out, err = _build(capsys, "--check")
    assert rc == 0, err


def _git(root, *args):
    import subprocess

    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t", "PATH": "/usr/bin:/bin"})


def test_the_record_follows_solutions_and_git_and_still_catches_a_hand_edit(workdir, capsys,
                                                                            monkeypatch):
    """The record of what build wrote (``.course-build.json``) never goes stale: a rebuild after
    an edit of solutions/ and a generated file that git brought (a merge of someone else's
    build) are not refused; a file edited by hand still is, named, with ``--force``."""
    source = workdir / "solutions" / "course_lib"
    shutil.copytree(command.REFERENCE_DIR, source, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(command, "REFERENCE_DIR", source)
    _git(workdir, "init", "-q")
    _git(workdir, "add", "-A")
    _git(workdir, "commit", "-qm", "as committed")
    assert _build(capsys)[0] == 0

    penalties = source / "penalties.py"
    penalties.write_text(penalties.read_text() + "\n# a note of the reference's\n")
    rc, out, err = _build(capsys)
    assert rc == 0, err
    assert "a note of the reference's" in (workdir / "course_lib" / "penalties.py").read_text()
    assert _build(capsys)[0] == 0

    # Someone else's build, committed and merged: git rewrites a generated file build did not
    # write in this working copy.
    theirs = workdir / "course_lib" / "dropout.py"
    theirs.write_text(theirs.read_text() + "\n# their build\n")
    _git(workdir, "add", "-A")
    _git(workdir, "commit", "-qm", "their build")
    rc, out, err = _build(capsys)
    assert rc == 0, err
    assert "their build" not in theirs.read_text()

    mine = workdir / "course_lib" / "init.py"
    mine.write_text(mine.read_text() + "\n# mine\n")
    rc, out, err = _build(capsys)
    assert rc == 1 and "refused: 1 file(s)" in err and str(mine) in err and "--force" in err
    assert mine.read_text().endswith("# mine\n")
