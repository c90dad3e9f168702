"""``course collect SOURCE...``: take submissions in as browsers and LMSs hand them over.

A source is a zip or a folder. A zip is one student's submission; so is a folder that holds a
notebook or ``course_lib/`` at its top, or a single folder (a wrapper). A folder that holds
several zips or folders and no submission of its own is a batch (an LMS download): each of
its entries is one student's source. The student is named by the source's name (``carol.zip``,
``carol (1).zip``; ``--student-regex`` for LMS names such as ``doe_12345_01_foundations.zip``).

Each submission is normalised into ``submitted/<student>/<assignment>/``, what the sanitize
stage and nbgrader read, and every change is a reason that is printed and recorded in
``.grading/collect/<assignment>/<student>.json`` (the grade table, the CSV and the feedback show
them):

- an extra top-level folder (``python -m zipfile -c carol.zip carol_hw1``) is unwrapped, a zip
  inside the source (Moodle) is opened;
- a notebook renamed by a browser or Jupyter (``01_foundations (1).ipynb``,
  ``01_foundations-Copy1.ipynb``) or found below the top (``notebooks/01_foundations/``) is
  taken under its name; of several copies of one notebook the readable one modified last is kept;
- what the sanitize stage would refuse is refused here, for the same reason (its allowlist and
  size caps: one definition); a notebook over its cap is kept with its outputs cleared (the
  grader re-runs every cell), if that brings it under the cap.

Nothing is removed before the new copy is complete: an earlier submission of the same student
and assignment is replaced by a rename at the end.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..sanitize import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_NOTEBOOK_BYTES,
    MAX_TIMESTAMP_BYTES,
    MAX_TOTAL_BYTES,
    check_notebook,
    is_allowed,
    is_safe_name,
    printable,
)

NOTES = ".grading/collect"
# A notebook over its cap is read to clear its outputs only up to this size; a source (a zip
# inside a zip included) is read up to this many bytes in all.
MAX_SALVAGE_BYTES = 200_000_000
MAX_SOURCE_BYTES = 400_000_000
MAX_NESTING = 3
JUNK_DIRS = {"__MACOSX": "macOS metadata", ".ipynb_checkpoints": "Jupyter checkpoints",
             "__pycache__": "compiled cache", ".git": "a git repository"}  # fmt: skip
JUNK_FILES = {".DS_Store": "macOS metadata", "Thumbs.db": "Windows metadata"}
# How browsers and Jupyter rename a file: "A (1).ipynb", "A(2).ipynb", "A-Copy1.ipynb".
RENAMED = re.compile(r"^(?P<name>.+?)(?:\s*\(\d+\)|-Copy\d*)$")
CHECKS_PROVIDED = is_allowed("course_lib/checks/framework.py")  # the grader uses its own
DEFAULT_STUDENT_REGEX = r"^(?P<student>.+?)(?:\s*\(\d+\))?$"


class CollectError(ValueError):
    """A source cannot be collected at all (the message says why and what to do)."""


@dataclass
class Entry:
    """One file of a source: its path inside the source, and how to read it."""

    path: str
    size: int
    mtime: float
    read: Callable[[int], bytes]  # read(cap): at most cap + 1 bytes
    problem: str | None = None  # a symbolic link, a special file, a path that escapes


@dataclass
class Collected:
    """What collecting one source did."""

    source: str
    student: str = ""
    assignment: str = ""
    dest: Path | None = None
    kept: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # every reason: refused, replaced, moved
    info: list[str] = field(default_factory=list)  # printed, not recorded (no timestamp, ...)
    error: str | None = None  # the source was not collected


# ---------------------------------------------------------------------------- reading sources


def _zip_entries(zf: zipfile.ZipFile, label: str) -> list[Entry]:
    out = []
    for info in zf.infolist():
        if info.is_dir():
            continue
        name = info.filename
        mode = info.external_attr >> 16
        problem = None
        p = PurePosixPath(name)
        if name.startswith("/") or "\\" in name or ".." in p.parts or re.match(r"^[A-Za-z]:", name):
            problem = "path escapes the submission folder"
        elif stat.S_ISLNK(mode):
            problem = "symbolic link"
        elif mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode):
            problem = "not a regular file"

        def read(cap: int, info: zipfile.ZipInfo = info) -> bytes:
            with zf.open(info) as fh:
                return fh.read(cap + 1)

        mtime = datetime.datetime(*info.date_time).timestamp()
        out.append(Entry(name, info.file_size, mtime, read, problem))
    return out


def _folder_entries(folder: Path) -> list[Entry]:
    out = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        for d in list(dirnames):
            full = Path(dirpath) / d
            if full.is_symlink():
                dirnames.remove(d)
                rel = full.relative_to(folder).as_posix()
                out.append(Entry(printable(rel), 0, 0.0, _unreadable, "symbolic link"))
        dirnames.sort()
        for fn in sorted(filenames):
            full = Path(dirpath) / fn
            rel = printable(full.relative_to(folder).as_posix())
            st = os.lstat(full)
            problem = None
            if stat.S_ISLNK(st.st_mode):
                problem = "symbolic link"
            elif not stat.S_ISREG(st.st_mode):
                problem = "not a regular file"

            def read(cap: int, full: Path = full) -> bytes:
                fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as fh:
                    return fh.read(cap + 1)

            out.append(Entry(rel, st.st_size, st.st_mtime, read, problem))
    return out


def _unreadable(cap: int) -> bytes:
    raise OSError("not read")


def _open_source(path: Path) -> list[Entry]:
    if path.is_symlink():
        raise CollectError(f"{path} is a symbolic link; collect the file it points to")
    if path.is_dir():
        return _folder_entries(path)
    if not path.is_file():
        raise CollectError(f"{path}: no such file or folder")
    if not zipfile.is_zipfile(path):
        raise CollectError(f"{path} is neither a zip nor a folder")
    if path.stat().st_size > MAX_SOURCE_BYTES:
        raise CollectError(f"{path} is {path.stat().st_size} bytes, over {MAX_SOURCE_BYTES}")
    return _zip_entries(zipfile.ZipFile(path), path.name)


def _is_junk(rel: str) -> str | None:
    parts = PurePosixPath(rel).parts
    for part in parts[:-1]:
        if part in JUNK_DIRS:
            return JUNK_DIRS[part]
    name = parts[-1]
    if name in JUNK_FILES:
        return JUNK_FILES[name]
    if name.startswith("._"):
        return "macOS metadata"
    if name.endswith(".pyc"):
        return "compiled cache"
    return None


# ------------------------------------------------------------------------ shaping a submission


def _strip(entries: list[Entry], prefix: str) -> list[Entry]:
    n = len(prefix)
    return [Entry(e.path[n:], e.size, e.mtime, e.read, e.problem) for e in entries]


def _top(entries: Iterable[Entry]) -> set[str]:
    return {PurePosixPath(e.path).parts[0] for e in entries}


def _has_submission_top(entries: list[Entry]) -> bool:
    return any(
        (len(PurePosixPath(e.path).parts) == 1 and e.path.endswith(".ipynb"))
        or e.path.startswith("course_lib/")
        for e in entries
    )


def _unwrap(entries: list[Entry], res: Collected, depth: int = 0) -> list[Entry]:
    """Open a zip that is the whole source, and strip single top-level folders."""
    while entries and not _has_submission_top(entries):
        tops = _top(entries)
        if len(entries) == 1 and entries[0].path.lower().endswith(".zip") and depth < MAX_NESTING:
            inner = entries[0]
            data = inner.read(MAX_SOURCE_BYTES)
            if len(data) > MAX_SOURCE_BYTES:
                break
            import io

            try:
                zf = zipfile.ZipFile(io.BytesIO(data))
            except zipfile.BadZipFile:
                break
            res.notes.append(f"opened the zip {inner.path} inside the submission")
            entries = _zip_entries(zf, inner.path)
            depth += 1
            continue
        if len(tops) == 1 and any("/" in e.path for e in entries):
            top = tops.pop()
            res.notes.append(f"unwrapped the top-level folder {top}/")
            entries = _strip(entries, top + "/")
            continue
        break
    return entries


def notebook_name(filename: str) -> str:
    """The notebook a file name stands for, undoing browsers' and Jupyter's renaming:
    ``01_foundations (1).ipynb`` and ``01_foundations-Copy1.ipynb`` are ``01_foundations``."""
    stem = PurePosixPath(filename).name[: -len(".ipynb")]
    m = RENAMED.match(stem)
    return m.group("name") if m else stem


def infer_assignment(entries: list[Entry], assignments: dict[str, set[str]]) -> str | None:
    """The one assignment whose notebooks the source holds, or ``None``."""
    names = {notebook_name(e.path) for e in entries if e.path.endswith(".ipynb")}
    hits = [a for a, nbs in assignments.items() if names & nbs]
    return hits[0] if len(hits) == 1 else None


def _readable_notebook(e: Entry) -> bool:
    if e.problem or e.size > MAX_SALVAGE_BYTES:
        return False
    try:
        return check_notebook(e.read(MAX_SALVAGE_BYTES)) is None
    except OSError:
        return False


def _choose_notebooks(
    entries: list[Entry], notebooks: set[str], res: Collected
) -> tuple[dict[str, Entry], set[str]]:
    """``{notebook name: entry}`` of the assignment's notebooks, and the paths they came from."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        if e.path.endswith(".ipynb") and not e.path.startswith("course_lib/"):
            name = notebook_name(e.path)
            if name in notebooks:
                groups.setdefault(name, []).append(e)
    chosen: dict[str, Entry] = {}
    used: set[str] = set()
    for name, group in sorted(groups.items()):
        # Readable first, then the one modified last, then the one already at its place.
        ranked = sorted(
            group,
            key=lambda e: (_readable_notebook(e), e.mtime, e.path == f"{name}.ipynb"),
            reverse=True,
        )
        best = ranked[0]
        chosen[name] = best
        used.update(e.path for e in group)
        if best.path != f"{name}.ipynb":
            how = "renamed" if "/" not in best.path else "moved"
            res.notes.append(f"{best.path}: {how} to {name}.ipynb")
        for other in ranked[1:]:
            if not _readable_notebook(other):
                why = f"not a readable notebook; kept {best.path}"
            elif other.mtime < best.mtime:
                why = f"modified earlier than {best.path}"
            else:  # the same time (an LMS's zip often has one date for every file)
                why = f"modified at the same time as {best.path}, which was kept" + (
                    " under its own name" if best.path == f"{name}.ipynb" else ""
                )
            res.notes.append(f"{other.path}: left out, another copy of {name}.ipynb ({why})")
    return chosen, used


def _clear_outputs(data: bytes) -> bytes | None:
    try:
        nb = json.loads(data.decode("utf-8"))
        for cell in nb.get("cells", []):
            if cell.get("cell_type") == "code":
                cell["outputs"], cell["execution_count"] = [], None
        return json.dumps(nb, indent=1, ensure_ascii=False).encode("utf-8")
    except (UnicodeDecodeError, ValueError, AttributeError, TypeError):
        return None


def _group(notes: list[tuple[str, str]]) -> list[str]:
    """``path: reason`` lines, every path named: the paths of one reason on one line, and the
    files of one folder as ``folder/ (N files)`` (a zipped repository has many)."""
    by_reason: dict[str, list[str]] = {}
    for path, why in notes:
        by_reason.setdefault(why, []).append(path)
    out = []
    for why, paths in by_reason.items():
        folders: dict[str, list[str]] = {}
        for path in paths:
            parts = PurePosixPath(path).parts
            folders.setdefault("/".join(parts[:2]) + "/" if len(parts) > 2 else path, []).append(
                path
            )
        shown = [v[0] if len(v) == 1 else f"{k} ({len(v)} files)"
                 for k, v in folders.items()]  # fmt: skip
        out.append(f"{', '.join(shown)}: {why}")
    return out


def shape(
    entries: list[Entry], assignment: str, notebooks: set[str], res: Collected
) -> dict[str, bytes]:
    """The files of ``submitted/<student>/<assignment>/`` (path → bytes) made from ``entries``;
    every file refused or changed is a note in ``res``."""
    junk: dict[str, list[str]] = {}

    def drop_junk(entries: list[Entry]) -> list[Entry]:
        kept = []
        for e in entries:
            why = _is_junk(e.path)
            if why:
                junk.setdefault(why, []).append(e.path)
            else:
                kept.append(e)
        return kept

    entries = drop_junk(_unwrap(drop_junk(entries), res))
    # What changes nothing the grader reads is printed, not recorded as a reason.
    for kind, paths in junk.items():
        res.info.append(f"left out {len(paths)} file(s) of {kind} ({paths[0]}…)")
    chosen, used = _choose_notebooks(entries, notebooks, res)
    files: dict[str, bytes] = {}
    refused: list[tuple[str, str]] = []
    total = 0
    if "timestamp.txt" in {e.path for e in entries}:
        ts = next(e for e in entries if e.path == "timestamp.txt")
        if ts.problem or ts.size > MAX_TIMESTAMP_BYTES:
            refused.append(("timestamp.txt", ts.problem or f"{ts.size} bytes is over the cap"))
        else:
            files["timestamp.txt"] = ts.read(MAX_TIMESTAMP_BYTES)
    else:
        res.info.append("no timestamp.txt (late penalties cannot apply to this submission)")
    plan = [(f"{name}.ipynb", e) for name, e in sorted(chosen.items())]
    plan += [(e.path, e) for e in entries if e.path not in used and e.path != "timestamp.txt"]
    for rel, e in plan:
        if e.problem:
            refused.append((e.path, e.problem))
            continue
        why = is_allowed(rel, assignment, notebooks)
        if why:
            if rel.endswith(".ipynb") and why.startswith("not a notebook of this assignment"):
                why += f" (expected {', '.join(sorted(f'{n}.ipynb' for n in notebooks))})"
            refused.append((e.path, why))
            continue
        is_nb = rel.endswith(".ipynb")
        cap = MAX_NOTEBOOK_BYTES if is_nb else MAX_FILE_BYTES
        data = e.read(MAX_SALVAGE_BYTES if is_nb else cap)
        if len(data) > cap:
            cleared = _clear_outputs(data) if is_nb and len(data) <= MAX_SALVAGE_BYTES else None
            if cleared is None or len(cleared) > cap:
                refused.append((e.path, f"{e.size} bytes is over the {cap}-byte cap"))
                continue
            res.notes.append(
                f"{e.path}: {e.size} bytes is over the {cap}-byte cap; kept with its outputs "
                f"cleared ({len(cleared)} bytes): the grader re-runs every cell"
            )
            data = cleared
        if total + len(data) > MAX_TOTAL_BYTES or len(files) >= MAX_FILES:
            refused.append((e.path, "the submission is over its total size or file-count cap"))
            continue
        total += len(data)
        files[rel] = data
    res.notes += _group([(path, why) for path, why in refused if why != CHECKS_PROVIDED])
    res.info += _group([(path, why) for path, why in refused if why == CHECKS_PROVIDED])
    for name in sorted(notebooks - set(chosen)):
        res.notes.append(f"no notebook {name}.ipynb in the submission")
    return files


# ------------------------------------------------------------------------------ the command


def student_of(source: Path, regex: str = DEFAULT_STUDENT_REGEX) -> str:
    """The student a source's name stands for (``carol (1).zip`` → ``carol``)."""
    stem = source.name[: -len(".zip")] if source.name.lower().endswith(".zip") else source.name
    m = re.search(regex, stem)
    if not m or not m.groupdict().get("student"):
        raise CollectError(f"{source.name}: --student-regex {regex!r} does not match its name")
    student = m.group("student").strip()
    if not is_safe_name(student):
        raise CollectError(
            f"{source.name}: the student name {student!r} is not a safe folder name (letters, "
            "digits, _ . -): pass --student-regex with a (?P<student>...) group, or --student"
        )
    return student


def expand(sources: Iterable[Path]) -> list[Path]:
    """Each source, or each entry of a batch folder (see the module docstring)."""
    out = []
    for src in sources:
        src = Path(src)
        if src.is_dir() and not src.is_symlink():
            entries = [p for p in sorted(src.iterdir()) if p.name not in JUNK_DIRS
                       and p.name not in JUNK_FILES and not p.name.startswith(".")]  # fmt: skip
            own = any(p.suffix == ".ipynb" for p in entries) or (src / "course_lib").is_dir()
            zips = [p for p in entries if p.suffix.lower() == ".zip"]
            if not own and (len(entries) > 1 or zips):
                out += entries
                continue
        out.append(src)
    return out


def notes_path(root: Path, student: str, assignment: str) -> Path:
    return Path(root) / NOTES / assignment / f"{student}.json"


def read_notes(root: Path, student: str, assignment: str) -> list[str]:
    """The reasons ``course collect`` recorded for this submission (empty if none)."""
    try:
        data = json.loads(notes_path(root, student, assignment).read_text())
    except (OSError, ValueError):
        return []
    return [str(n) for n in data.get("notes", [])]


def collect_one(
    root: Path,
    source: Path,
    assignments: dict[str, set[str]],
    assignment: str | None = None,
    student: str | None = None,
    student_regex: str = DEFAULT_STUDENT_REGEX,
) -> Collected:
    """Collect one student's ``source`` into ``root/submitted/<student>/<assignment>/``."""
    res = Collected(str(source))
    try:
        res.student = student or student_of(source, student_regex)
        entries = _open_source(source)
        probe = _unwrap([e for e in entries if not _is_junk(e.path)], Collected(""))
        res.assignment = assignment or infer_assignment(probe, assignments) or ""
        if not res.assignment:
            raise CollectError(
                f"{source.name}: cannot tell the assignment from its notebooks; pass --assignment"
            )
        files = shape(entries, res.assignment, assignments[res.assignment], res)
        if not any(r.endswith(".ipynb") or r.startswith("course_lib/") for r in files):
            raise CollectError(f"{source.name}: nothing to grade in it ({'; '.join(res.notes)})")
        res.kept = sorted(files)
        res.dest = _install(root, res, files)
    except (CollectError, zipfile.BadZipFile, OSError) as exc:
        res.error = str(exc)
    return res


def _install(root: Path, res: Collected, files: dict[str, bytes]) -> Path:
    """Write the new submission beside the old one, then swap them (nothing is lost if a
    write fails), and record the notes."""
    dest = Path(root) / "submitted" / res.student / res.assignment
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.collecting.{os.getpid()}")
    old = dest.with_name(f".{dest.name}.replaced.{os.getpid()}")
    for d in (tmp, old):
        if d.exists():
            shutil.rmtree(d)
    try:
        for rel, data in files.items():
            target = tmp / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        if dest.exists():
            res.info.append(f"replaced the earlier submission in {dest}")
            os.rename(dest, old)
        os.rename(tmp, dest)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    if old.exists():
        shutil.rmtree(old)
    path = notes_path(root, res.student, res.assignment)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"source": res.source, "notes": res.notes,
              "collected": datetime.datetime.now(datetime.UTC).isoformat()}  # fmt: skip
    path.write_text(json.dumps(record, indent=1))
    return dest


def collect(
    root: Path,
    sources: Iterable[Path],
    assignments: dict[str, set[str]],
    assignment: str | None = None,
    student: str | None = None,
    student_regex: str = DEFAULT_STUDENT_REGEX,
) -> list[Collected]:
    """Collect every source (a batch folder: each of its entries). Two sources of one student
    and assignment: the one modified last wins, the other is reported and not collected."""
    expanded = expand(sources)
    if student and len(expanded) > 1:
        raise CollectError(f"--student names one student, but {len(expanded)} sources were given")
    # Latest last, so the one modified last is installed last and stays.
    expanded.sort(key=lambda p: p.lstat().st_mtime if p.exists() or p.is_symlink() else 0)
    results = [collect_one(root, s, assignments, assignment, student, student_regex)
               for s in expanded]  # fmt: skip
    latest: dict[tuple[str, str], Collected] = {}
    for r in results:
        if r.error is None:
            earlier = latest.get((r.student, r.assignment))
            if earlier is not None:
                earlier.error = (
                    f"superseded by {Path(r.source).name} (the same student and assignment, "
                    "modified later)"
                )
                r.notes.append(f"collected instead of {Path(earlier.source).name} (older)")
                path = notes_path(root, r.student, r.assignment)
                data = json.loads(path.read_text())
                data["notes"] = r.notes
                path.write_text(json.dumps(data, indent=1))
            latest[(r.student, r.assignment)] = r
    return sorted(results, key=lambda r: (r.assignment, r.student, r.source))


def format_results(results: list[Collected]) -> str:
    """What ``course collect`` prints: one line per source, then each reason indented."""
    lines = []
    for r in results:
        if r.error:
            lines.append(f"✗ {r.source}: not collected: {r.error}")
            continue
        nbs = sum(k.endswith(".ipynb") for k in r.kept)
        py = sum(k.startswith("course_lib/") for k in r.kept)
        lines.append(
            f"✓ {r.source} → submitted/{r.student}/{r.assignment}/ ({nbs} notebook(s), "
            f"{py} course_lib file(s))"
        )
        lines += [f"    {n}" for n in r.notes]
        lines += [f"    ({i})" for i in r.info]
    return "\n".join(lines)
