"""Stage 1 of grading: rebuild a submission from an allowlist, with caps, before anything runs.

A submission for assignment ``A`` is the folder ``submitted/<student>/<A>/`` holding ``A``'s
notebook(s) and the student's ``course_lib/``. Allowed: the assignment's ``*.ipynb`` at the top
level, and ``course_lib/**/*.py`` except ``course_lib/checks/`` (the grader always uses its own
copy of the public checks). Everything else is left out and listed. Symlinks, paths that escape
the folder, oversized files and notebooks that are not valid nbformat JSON are rejected with a
clear reason; nothing is ever followed out of the folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

MAX_FILE_BYTES = 1_000_000          # one .py file or notebook
MAX_NOTEBOOK_BYTES = 20_000_000     # notebooks with plots are larger
MAX_TOTAL_BYTES = 40_000_000
MAX_FILES = 200
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")


class SubmissionError(ValueError):
    """The submission cannot be graded at all (reason in the message)."""


@dataclass
class SanitizeReport:
    """What the sanitizer kept and what it left out, and why."""

    kept: list = field(default_factory=list)
    rejected: list = field(default_factory=list)    # (relative path, reason)
    notebook_errors: dict = field(default_factory=dict)

    def summary(self) -> str:
        lines = []
        for rel, why in self.rejected:
            lines.append(f"left out {rel}: {why}")
        for nb, why in self.notebook_errors.items():
            lines.append(f"notebook {nb}: {why}")
        return "\n".join(lines)


def is_allowed(rel: str, assignment: str | None = None, notebooks=None) -> str | None:
    """``None`` if the relative path ``rel`` is on the allowlist, else the reason it is not."""
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or rel.startswith("/") or "\\" in rel:
        return "path escapes the submission folder"
    if any(not _NAME.match(part) for part in p.parts):
        return "unusual file name"
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
    out = []
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
            if full.is_symlink():
                rep.rejected.append((full.relative_to(src).as_posix(), "symbolic link"))
                dirnames.remove(d)
            elif d in ("__pycache__", ".ipynb_checkpoints"):
                dirnames.remove(d)
        dirnames.sort()
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = full.relative_to(src).as_posix()
            if fn == "timestamp.txt" and Path(dirpath) == src:
                shutil.copyfile(full, dest / fn) if not full.is_symlink() else None
                continue
            st = os.lstat(full)
            if stat.S_ISLNK(st.st_mode):
                rep.rejected.append((rel, "symbolic link"))
                continue
            if not stat.S_ISREG(st.st_mode):
                rep.rejected.append((rel, "not a regular file"))
                continue
            why = is_allowed(rel, assignment, notebooks)
            if why:
                if not rel.endswith((".pyc",)):
                    rep.rejected.append((rel, why))
                continue
            cap = MAX_NOTEBOOK_BYTES if rel.endswith(".ipynb") else MAX_FILE_BYTES
            if st.st_size > cap:
                rep.rejected.append((rel, f"{st.st_size} bytes is over the {cap}-byte cap"))
                continue
            if total + st.st_size > MAX_TOTAL_BYTES or len(rep.kept) >= MAX_FILES:
                rep.rejected.append((rel, "the submission is over its total size or file-count cap"))
                continue
            fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
            with os.fdopen(fd, "rb") as fh:
                data = fh.read(cap + 1)
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
            if stat.S_ISLNK(st.st_mode) or not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
                full.unlink()
                removed.append(full.relative_to(folder).as_posix())
        dirnames[:] = [d for d in dirnames if (Path(dirpath) / d).exists()]
    return removed


def safe_unzip(zip_path: Path, dest: Path, max_total: int = MAX_TOTAL_BYTES) -> list[str]:
    """Unzip a submission into ``dest``, refusing any member whose path escapes ``dest``, any
    symlink member and anything over the caps (``SubmissionError`` says which)."""
    import zipfile

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    names = []
    with zipfile.ZipFile(zip_path) as zf:
        infos = zf.infolist()
        if len(infos) > MAX_FILES:
            raise SubmissionError(f"the zip holds {len(infos)} files, over the cap of {MAX_FILES}")
        if sum(i.file_size for i in infos) > max_total:
            raise SubmissionError("the zip is over the total size cap")
        for info in infos:
            name = info.filename
            p = PurePosixPath(name)
            if p.is_absolute() or ".." in p.parts or "\\" in name or name.startswith("/"):
                raise SubmissionError(f"the zip member {name!r} escapes the submission folder")
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise SubmissionError(f"the zip member {name!r} is a symbolic link")
        for info in infos:
            if info.is_dir():
                continue
            target = dest / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as out:
                out.write(src.read(MAX_NOTEBOOK_BYTES + 1))
            names.append(info.filename)
    return names
