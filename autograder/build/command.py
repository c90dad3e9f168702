"""``course build``: regenerate the fixtures, the stubs and the release notebooks from
``solutions/``; ``course build --check`` regenerates into a temporary directory and fails on any
drift from what is committed.

``course build`` never overwrites someone's work: a file of ``course_lib/`` or ``notebooks/``
that differs from what build last wrote there (``.course-build.json``, the hashes of what it
wrote; without it, a file git reports modified or new that differs from what build would write)
was edited by hand, and build refuses, listing them, unless ``--force``. Everything is generated
into a temporary folder first: nothing is replaced before every step that can fail succeeded.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .. import REFERENCE_DIR, RELEASE_NOTEBOOKS, REPO, STUDENT_LIB
from .fixtures import json_trees_close, write_fixtures
from .release import generate_release, source_assignments
from .stubs import BuildError, write_stub_package


def _tree_diff(expected: Path, actual: Path, *, json_close: bool = False) -> list[str]:
    """Paths that differ between two generated trees."""

    def files(root):
        return (
            {
                p.relative_to(root)
                for p in root.rglob("*")
                if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
            }
            if root.exists()
            else set()
        )

    e, a = files(expected), files(actual)
    problems = [f"missing: {actual / p}" for p in sorted(e - a)]
    problems += [f"not generated from solutions/: {actual / p}" for p in sorted(a - e)]
    for p in sorted(e & a):
        if json_close and p.suffix in (".json", ".ipynb"):
            if not json_trees_close(
                json.loads((expected / p).read_text()), json.loads((actual / p).read_text())
            ):
                problems.append(f"differs: {actual / p}")
        elif not filecmp.cmp(expected / p, actual / p, shallow=False):
            problems.append(f"differs: {actual / p}")
    return problems


MANIFEST = REPO / ".course-build.json"  # gitignored: what this working copy's build last wrote


class LocalEdits(BuildError):
    """Files someone edited that a build would overwrite."""

    def __init__(self, edits: list[str]):
        super().__init__(f"{len(edits)} file(s) edited by hand")
        self.edits = edits


def _files(root: Path) -> set[Path]:
    skip = ("__pycache__", ".ipynb_checkpoints")
    if not root.exists():
        return set()
    return {
        p.relative_to(root)
        for p in root.rglob("*")
        if p.is_file() and not any(s in p.parts for s in skip) and p.suffix != ".pyc"
    }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _same(a: Path, b: Path) -> bool:
    if a.suffix in (".json", ".ipynb"):
        try:
            return json_trees_close(json.loads(a.read_text()), json.loads(b.read_text()))
        except ValueError:
            return False
    return filecmp.cmp(a, b, shallow=False)


def _read_manifest() -> dict[str, dict[str, str]] | None:
    try:
        return dict(json.loads(MANIFEST.read_text()))
    except (OSError, ValueError):
        return None


def _git_changed(paths: list[Path]) -> set[Path] | None:
    """Files under ``paths`` that git reports modified or untracked (``None`` without git)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain=v1", "-z", "--untracked-files=all",
             "--", *[str(p) for p in paths]],
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode:
        return None
    return {(REPO / entry[3:]).resolve() for entry in proc.stdout.split("\0") if len(entry) > 3}


def local_edits(new: dict[Path, Path]) -> list[str]:
    """The files of each target tree (``{target: freshly generated tree}``) a build would
    overwrite or delete although build did not write them so: edited by hand."""
    manifest = _read_manifest()
    changed = None if manifest is not None else _git_changed(list(new))
    edits = []
    for target, fresh in new.items():
        written = manifest.get(target.name) if manifest is not None else None
        for rel in sorted(_files(target)):
            cur = target / rel
            if written is not None:
                edited = written.get(rel.as_posix()) != _sha(cur)
            else:
                fresh_file = fresh / rel
                differs = not fresh_file.exists() or not _same(fresh_file, cur)
                edited = differs and (changed is None or cur.resolve() in changed)
            if edited:
                edits.append(str(cur))
    return edits


def _install(fresh: Path, target: Path) -> None:
    """Replace ``target`` by a copy of ``fresh``: the copy is complete before the swap."""
    staged = target.with_name(f".{target.name}.building")
    old = target.with_name(f".{target.name}.old")
    for d in (staged, old):
        if d.exists():
            shutil.rmtree(d)
    shutil.copytree(fresh, staged)
    if target.exists():
        os.rename(target, old)
    os.rename(staged, target)
    if old.exists():
        shutil.rmtree(old)


def _write_manifest(targets: list[Path]) -> None:
    data = _read_manifest() or {}
    for t in targets:
        data[t.name] = {rel.as_posix(): _sha(t / rel) for rel in sorted(_files(t))}
    MANIFEST.write_text(json.dumps(data, indent=1, sort_keys=True))


def build(*, check: bool = False, release: bool = True, force: bool = False) -> list[str]:
    """Regenerate fixtures, stubs and release notebooks; with ``check``, only report drift.
    Raises :class:`LocalEdits` (nothing written but the fixtures) if it would overwrite files
    edited by hand, unless ``force``."""
    fixture_dir = REFERENCE_DIR / "checks" / "fixtures"
    if not check:
        write_fixtures(fixture_dir)
        with tempfile.TemporaryDirectory(prefix="course-build-") as tmp_name:
            tmp = Path(tmp_name)
            write_stub_package(REFERENCE_DIR, tmp / "course_lib")
            fresh = {STUDENT_LIB: tmp / "course_lib"}
            if release:
                assignments = source_assignments()
                generate_release(tmp / "notebooks", assignments)
                fresh.update({RELEASE_NOTEBOOKS / a: tmp / "notebooks" / a for a in assignments})
            edits = local_edits(_by_tree(fresh))
            if edits and not force:
                raise LocalEdits(edits)
            for target, new in fresh.items():
                _install(new, target)
            _write_manifest([STUDENT_LIB, RELEASE_NOTEBOOKS] if release else [STUDENT_LIB])
        return []
    problems: list[str] = []
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp_name:
        tmp = Path(tmp_name)
        write_fixtures(tmp / "fixtures")
        problems += _tree_diff(tmp / "fixtures", fixture_dir, json_close=True)
        # The stubs are made from the committed fixtures so a fixture drift is reported once.
        write_stub_package(REFERENCE_DIR, tmp / "course_lib")
        problems += _tree_diff(tmp / "course_lib", STUDENT_LIB, json_close=True)
        if release:
            generate_release(tmp / "notebooks")
            problems += _tree_diff(tmp / "notebooks", RELEASE_NOTEBOOKS, json_close=True)
    return problems


def _by_tree(fresh: dict[Path, Path]) -> dict[Path, Path]:
    """The per-assignment notebook folders checked as one ``notebooks`` tree (the manifest's
    key), so a file added by hand in one of them counts."""
    out = {STUDENT_LIB: fresh[STUDENT_LIB]}
    nbs = {t: f for t, f in fresh.items() if t.parent == RELEASE_NOTEBOOKS}
    if nbs:
        out[RELEASE_NOTEBOOKS] = next(iter(nbs.values())).parent
    return out


DESCRIPTION = __doc__


def run_build(*, check: bool = False, release: bool = True, force: bool = False) -> int:
    """``course build [--check] [--no-release] [--force]``; returns the exit status."""
    try:
        problems = build(check=check, release=release, force=force)
    except LocalEdits as exc:
        print(
            f"course build: refused: {len(exc.edits)} file(s) differ from what course build "
            "last wrote there (edited by hand?); building would overwrite them:",
            file=sys.stderr,
        )
        for e in exc.edits:
            print(f"  {e}", file=sys.stderr)
        print(
            "Keep a copy of them (the source of truth is solutions/), then `course build "
            "--force` to overwrite.",
            file=sys.stderr,
        )
        return 1
    except BuildError as exc:
        print(f"course build: {exc}", file=sys.stderr)
        return 2
    if check:
        if problems:
            edited = set(_edited_for_check(release))
            print(
                "course build --check: the generated files drifted from solutions/:",
                file=sys.stderr,
            )
            for p in problems:
                mark = (
                    "  (edited by hand: `course build` refuses to overwrite it)"
                    if any(p.endswith(e) for e in edited)
                    else ""
                )
                print(f"  {p}{mark}", file=sys.stderr)
            if edited:
                print(
                    f"{len(edited)} of them were edited by hand: copy your edits elsewhere (or "
                    "move them into solutions/) before `course build --force`, which overwrites "
                    "them; the others are regenerated by `course build`.",
                    file=sys.stderr,
                )
            else:
                print("Run `course build` and commit.", file=sys.stderr)
            return 1
        print(
            "course build --check: course_lib/, notebooks/ and the public fixtures match solutions/"
        )
        return 0
    what = f" and {RELEASE_NOTEBOOKS.name}/ ({', '.join(source_assignments())})" if release else ""
    print(f"course build: wrote {STUDENT_LIB.name}/, fixtures{what}")
    return 0


def _edited_for_check(release: bool) -> list[str]:
    """For ``--check``'s message: the drifted files that were edited by hand."""
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp_name:
        tmp = Path(tmp_name)
        write_stub_package(REFERENCE_DIR, tmp / "course_lib")
        fresh = {STUDENT_LIB: tmp / "course_lib"}
        if release:
            generate_release(tmp / "notebooks")
            fresh[RELEASE_NOTEBOOKS] = tmp / "notebooks"
        return local_edits(fresh)
