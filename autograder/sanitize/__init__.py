"""The sanitize stage: rebuild a submission from an allowlist, with caps, before anything runs.

A submission for assignment ``A`` is the folder ``submitted/<student>/<A>/`` holding ``A``'s
notebook(s) and the student's ``course_lib/``. Allowed: the assignment's ``*.ipynb`` at the top
level, and ``course_lib/**/*.py`` except ``course_lib/checks/`` (the grader always uses its own
copy of the public checks). Everything else is left out and listed. Symlinks, paths that escape
the folder, oversized files and notebooks that are not valid nbformat JSON are rejected with a
clear reason; nothing is ever followed out of the folder. A name that is not valid UTF-8 or a
special file (a FIFO, a device) is left out with its reason, wherever it is, ``timestamp.txt``
included; nothing is read before its size is checked against its cap.

The caps are those of the student's ``course submit`` (``course_lib/submit.py``): one definition,
read here from the reference copy.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..reference import ref

MAX_FILE_BYTES: int = ref.submit.MAX_FILE_BYTES  # one .py file
MAX_NOTEBOOK_BYTES: int = ref.submit.MAX_NOTEBOOK_BYTES  # notebooks with plots are larger
MAX_TOTAL_BYTES: int = ref.submit.MAX_TOTAL_BYTES
MAX_FILES = 200
MAX_TIMESTAMP_BYTES = 1_000  # nbgrader's timestamp.txt: one date
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class SubmissionError(ValueError):
    """The submission cannot be graded at all (reason in the message)."""


@dataclass
class SanitizeReport:
    """What the sanitizer kept and what it left out, and why."""

    kept: list = field(default_factory=list)
    rejected: list = field(default_factory=list)  # (relative path, reason)
    notebook_errors: dict = field(default_factory=dict)


def printable(name: str) -> str:
    """``name`` as text that can be printed and stored: bytes that are not UTF-8 (which ``os``
    hands over as surrogates) shown as \\x escapes."""
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def is_safe_name(name: str) -> bool:
    """True if ``name`` is a file or folder name the grader takes (letters, digits, ``_ . -``,
    not starting with ``.`` or ``-``): what a student id or a submitted file may be called."""
    return bool(_NAME.match(name))


def is_allowed(rel: str, assignment: str | None = None, notebooks=None) -> str | None:
    """``None`` if the relative path ``rel`` is on the allowlist, else the reason it is not."""
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or rel.startswith("/") or "\\" in rel:
        return "path escapes the submission folder"
    if any(not _NAME.match(part) for part in p.parts):
        return "unusual file name"
    if len(p.parts) > 2 and p.parts[:2] == ("course_lib", "checks"):
        return "course_lib/checks is provided by the grader"
    if len(p.parts) == 1 and p.suffix == ".ipynb":
        if notebooks is not None and p.stem not in notebooks:
            return "not a notebook of this assignment"
        return None
    if p.parts[0] == "course_lib" and p.suffix == ".py":
        if len(p.parts) > 2 and p.parts[1] == "checks":
            return "course_lib/checks is provided by the grader"
        if "__pycache__" in p.parts:
            return "compiled cache"
        return None
    return "not on the allowlist (the assignment's notebooks and course_lib/**/*.py)"


def course_lib_files(root: Path) -> list[str]:
    """Relative paths of the allowed, regular ``course_lib/**/*.py`` files under ``root``
    (never following a symlink)."""
    out: list[str] = []
    base = Path(root) / "course_lib"
    if not base.is_dir() or base.is_symlink():
        return out
    for dirpath, dirnames, filenames in os.walk(base, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not os.path.islink(os.path.join(dirpath, d)))
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = full.relative_to(root).as_posix()
            st = os.lstat(full)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                continue
            if is_allowed(rel) is None and rel.endswith(".py"):
                out.append(rel)
    return out[:MAX_FILES]


def check_notebook(data: bytes) -> str | None:
    """``None`` if ``data`` is a readable nbformat 4 notebook, else why not."""
    try:
        nb = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return f"not valid JSON ({exc})"
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        return "not a notebook (no list of cells)"
    if nb.get("nbformat") != 4:
        return f"unsupported nbformat {nb.get('nbformat')!r}"
    try:
        import nbformat

        nbformat.validate(nbformat.from_dict(nb))
    except Exception as exc:  # noqa: BLE001
        return f"invalid notebook ({str(exc).splitlines()[0][:200]})"
    return None


def sanitize(src: Path, dest: Path, assignment: str, notebooks=None) -> SanitizeReport:
    """Rebuild the submission in ``src`` as ``dest`` from the allowlist.

    ``notebooks``: the assignment's notebook names (without ``.ipynb``), if known. Bad notebooks
    are left out (the gradebook then scores them as missing) and reported; ``SubmissionError`` if
    ``src`` itself is unusable.
    """
    src, dest = Path(src), Path(dest)
    if src.is_symlink() or not src.is_dir():
        raise SubmissionError(f"{src} is not a folder")
    rep = SanitizeReport()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    total = 0
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        for d in list(dirnames):
            full = Path(dirpath) / d
            rel = printable(full.relative_to(src).as_posix())
            if full.is_symlink():
                rep.rejected.append((rel, "symbolic link"))
                dirnames.remove(d)
            elif not is_utf8(d):
                rep.rejected.append((rel, "folder name is not valid UTF-8"))
                dirnames.remove(d)
            elif d in ("__pycache__", ".ipynb_checkpoints"):
                dirnames.remove(d)
        dirnames.sort()
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = full.relative_to(src).as_posix()
            if not is_utf8(rel):
                rep.rejected.append((printable(rel), "file name is not valid UTF-8"))
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                rep.rejected.append((rel, "symbolic link"))
                continue
            if not stat.S_ISREG(st.st_mode):
                rep.rejected.append((rel, "not a regular file"))
                continue
            if rel == "timestamp.txt":
                if st.st_size > MAX_TIMESTAMP_BYTES:
                    rep.rejected.append((rel, _over_cap(st.st_size, MAX_TIMESTAMP_BYTES)))
                else:
                    (dest / rel).write_bytes(_read(full, MAX_TIMESTAMP_BYTES))
                continue
            why = is_allowed(rel, assignment, notebooks)
            if why:
                if not rel.endswith(".pyc"):
                    rep.rejected.append((rel, why))
                continue
            cap = MAX_NOTEBOOK_BYTES if rel.endswith(".ipynb") else MAX_FILE_BYTES
            if st.st_size > cap:
                rep.rejected.append((rel, _over_cap(st.st_size, cap)))
                continue
            if total + st.st_size > MAX_TOTAL_BYTES or len(rep.kept) >= MAX_FILES:
                rep.rejected.append(
                    (rel, "the submission is over its total size or file-count cap")
                )
                continue
            data = _read(full, cap)
            if rel.endswith(".ipynb"):
                why = check_notebook(data)
                if why:
                    rep.notebook_errors[rel] = why
                    continue
            total += len(data)
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            rep.kept.append(rel)
    return rep


def _over_cap(size: int, cap: int) -> str:
    return f"{size} bytes is over the {cap}-byte cap"


def _read(path: Path, cap: int) -> bytes:
    """The bytes of the regular file ``path`` (never following a link), at most ``cap`` + 1."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, "rb") as fh:
        return fh.read(cap + 1)


def remove_links(folder: Path) -> list[str]:
    """For stock ``nbgrader autograde`` (pre-convert hook): unlink every symlink and special file
    in a submitted folder, so nbgrader's copy never follows one out of the folder. Returns what
    was removed. (``course grade`` goes further: it grades the :func:`sanitize`d rebuild.)"""
    removed = []
    folder = Path(folder)
    if folder.is_symlink():
        folder.unlink()
        return [str(folder)]
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode) or not (
                stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)
            ):
                full.unlink()
                removed.append(full.relative_to(folder).as_posix())
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).exists()]
    return removed
