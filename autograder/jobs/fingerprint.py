"""The two halves of a grade's idempotency key: the submission's bytes and the grader's."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from .. import PUBLIC_FIXTURES, REFERENCE_DIR, __version__

_GRADER_CODE = Path(__file__).resolve().parent.parent  # autograder/: suites, mistakes, limits


def _hash_tree(h: hashlib._Hash, folder: Path, patterns: Iterable[str] | None = None) -> None:
    """Feed the files under ``folder`` (all, or those matching ``patterns``), sorted, into ``h``:
    names as bytes (a name that is not valid UTF-8 is data, not an error), link targets, the
    bytes of regular files; a FIFO or a device is named, never opened. Links are not followed."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            if patterns is not None and not any(p.match(pat) for pat in patterns):
                continue
            h.update(os.fsencode(p.relative_to(folder).as_posix()) + b"\0")
            if p.is_symlink():
                h.update(b"link:" + os.fsencode(os.readlink(p)))
            elif p.is_file():
                with open(p, "rb") as fh:
                    for chunk in iter(lambda: fh.read(1 << 20), b""):
                        h.update(chunk)
            else:
                h.update(b"special file")
            h.update(b"\0")


def submission_hash(folder: Path) -> str:
    """sha256 of a submitted folder (see :func:`_hash_tree`)."""
    h = hashlib.sha256()
    _hash_tree(h, Path(folder))
    return h.hexdigest()


def code_fingerprint() -> str:
    """sha256 of the installed grader's code and reference and its version: what a Dask worker
    must share with the coordinator (a job carries the suites and release notebooks it needs)."""
    h = hashlib.sha256(f"autograder {__version__}\0".encode())
    for label, folder, patterns in (
        ("grader", _GRADER_CODE, ("*.py",)),
        ("reference", REFERENCE_DIR, ("*.py", "*.json")),
        ("public fixtures", PUBLIC_FIXTURES, ("*.json",)),
    ):
        h.update(label.encode() + b"\0")
        if folder.is_dir():
            _hash_tree(h, folder, patterns)
    return h.hexdigest()


def grader_fingerprint(suite_dir: Path, release_dir: Path) -> str:
    """sha256 of everything a grade depends on besides the submission: the grader's code (hidden
    suites, mistake catalogue, sandbox limits, stages), the reference, the hidden suites in use
    and the release notebooks of the course, and the grader's version."""
    h = hashlib.sha256(f"autograder {__version__}\0".encode())
    for label, folder, patterns in (
        ("grader", _GRADER_CODE, ("*.py",)),
        ("reference", REFERENCE_DIR, ("*.py", "*.json")),
        ("public fixtures", PUBLIC_FIXTURES, ("*.json",)),
        ("suites", Path(suite_dir), ("*.py",)),
        ("release", Path(release_dir), ("*.ipynb",)),
    ):
        h.update(label.encode() + b"\0")
        if folder.is_dir():
            _hash_tree(h, folder, patterns)
    return h.hexdigest()
