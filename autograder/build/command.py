"""``course build``: regenerate the student package (the stubs and, in its ``checks/fixtures/``,
the public fixtures) and the release notebooks from ``solutions/``; ``course build --check``
regenerates into a temporary directory and fails on any drift from what is committed (the student
package byte for byte: its fixtures are the same bytes on every CPU, see :mod:`.fixtures`).

``course build`` never overwrites someone's work: a file of ``course_lib/`` or ``notebooks/``
that build would change, that differs from what build last wrote there (``.course-build.json``,
the hashes of what it wrote) and that git reports modified or new was edited by hand, and build
refuses, listing them, unless ``--force`` (see :func:`local_edits`). Everything is generated
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
    overwrite or delete although nothing else keeps them: edited by hand.

    A file is safe to replace when the build would write it unchanged, when it is what build
    last wrote there (the record, ``.course-build.json``), or when git has it as committed (a
    checkout, merge or rebase brought someone else's build: the record cannot know that file,
    and git keeps it). Without git, the record alone decides; without either, nothing is safe.
    """
    manifest = _read_manifest() or {}
    changed = _git_changed(list(new))
    edits = []
    for target, fresh in new.items():
        written = manifest.get(target.name, {})
        for rel in sorted(_files(target)):
            cur = target / rel
            fresh_file = fresh / rel
            if fresh_file.exists() and _same(fresh_file, cur):
                continue  # building leaves it as it is
            if written.get(rel.as_posix()) == _sha(cur):
                continue  # build wrote it so
            if changed is not None and cur.resolve() not in changed:
                continue  # as committed: git keeps it
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


def build_student_package(dest: Path) -> Path:
    """Write the student package into ``dest`` (a scratch folder): the stubs of
    ``solutions/course_lib/`` with the public fixtures in ``checks/fixtures/``, their values
    that only round-off changed written as committed. Returns the package folder."""
    write_fixtures(dest / "fixtures", previous=STUDENT_LIB / "checks" / "fixtures")
    write_stub_package(REFERENCE_DIR, dest / "course_lib", fixtures=dest / "fixtures")
    return dest / "course_lib"


def build(*, check: bool = False, release: bool = True, force: bool = False) -> list[str]:
    """Regenerate the student package (stubs and public fixtures) and the release notebooks;
    with ``check``, only report drift. Raises :class:`LocalEdits` (nothing written) if it would
    overwrite files edited by hand, unless ``force``."""
    with tempfile.TemporaryDirectory(prefix="course-check-" if check else "course-build-") as t:
        tmp = Path(t)
        package = build_student_package(tmp)
        if check:
            problems = _tree_diff(package, STUDENT_LIB)
            if release:
                generate_release(tmp / "notebooks")
                problems += _tree_diff(tmp / "notebooks", RELEASE_NOTEBOOKS, json_close=True)
            return problems
        fresh = {STUDENT_LIB: package}
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
            "course build --check: course_lib/ (with its public fixtures) and notebooks/ match "
            "solutions/"
        )
        return 0
    what = f" and {RELEASE_NOTEBOOKS.name}/ ({', '.join(source_assignments())})" if release else ""
    print(f"course build: wrote {STUDENT_LIB.name}/ (with its public fixtures){what}")
    return 0


def _edited_for_check(release: bool) -> list[str]:
    """For ``--check``'s message: the drifted files that were edited by hand."""
    with tempfile.TemporaryDirectory(prefix="course-check-") as tmp_name:
        tmp = Path(tmp_name)
        fresh = {STUDENT_LIB: build_student_package(tmp)}
        if release:
            generate_release(tmp / "notebooks")
            fresh[RELEASE_NOTEBOOKS] = tmp / "notebooks"
        return local_edits(fresh)
