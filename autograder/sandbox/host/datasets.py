"""The generated datasets the notebooks load, made once per machine and lent to every notebook
sandbox read-only.

``course_lib.data.load_mnist1d`` generates MNIST-1D (1 s in the warm sandbox, 4-9 s in a fresh
one: the import of mnist1d alone is 4 s) unless its disk cache holds the arrays. A sandbox's
home is its private /tmp, so each graded notebook of 02, 06, 07 and 08 generated them again.
Here the grader fills a folder of its own with the reference's own loader (the same arrays, bit
for bit: the file is keyed by mnist1d's version) and binds it read-only at :data:`INSIDE`, with
``COURSE_DATA_CACHE`` pointing there: a notebook reads the arrays in milliseconds, and no run can
change what the next one reads. A call the folder does not hold, or a folder that cannot be
made, generates in the sandbox as before.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

INSIDE = "/opt/course-data"
# (n_samples, seed) of the load_mnist1d calls in solutions/notebooks (tests/test_warm_sandbox.py
# checks that every call is here).
MNIST1D = ((5000, 42), (4000, 42))

_READY: dict[Path, Path | None] = {}


def folder() -> Path:
    """Where the grader keeps the lent datasets: ``COURSE_SANDBOX_DATA``, else
    ``$XDG_CACHE_HOME/ffnn-course/sandbox`` (``~/.cache/ffnn-course/sandbox``)."""
    named = os.environ.get("COURSE_SANDBOX_DATA")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "ffnn-course" / "sandbox"


def filled() -> Path | None:
    """The folder with every dataset of :data:`MNIST1D` in it (made on first use, once per
    machine), or ``None`` when it cannot be (mnist1d not installed, no writable place)."""
    where = folder()
    if where not in _READY:
        _READY[where] = _fill(where)
    return _READY[where]


def _fill(where: Path) -> Path | None:
    from ...reference import load_reference

    data = importlib.import_module(f"{load_reference().__name__}.data")
    previous = os.environ.get("COURSE_DATA_CACHE")
    os.environ["COURSE_DATA_CACHE"] = str(where)
    try:
        where.mkdir(parents=True, exist_ok=True)
        for n, seed in MNIST1D:
            path = data._mnist1d_cache_file(n, seed)  # the loader's own file name and format
            if path is None:
                return None
            if data._read_cached(path, n) is None:
                x, y = data._generate_mnist1d(n, seed)
                data._write_cached(path, x, y)
                if data._read_cached(path, n) is None:
                    return None
        os.chmod(where, 0o755)  # the sandbox's uid reads them
        for f in where.iterdir():
            if f.suffix == ".npz" and not f.is_symlink():
                os.chmod(f, 0o644)
        return where
    except Exception:  # noqa: BLE001 - only a speed-up: the sandbox generates instead
        return None
    finally:
        if previous is None:
            os.environ.pop("COURSE_DATA_CACHE", None)
        else:
            os.environ["COURSE_DATA_CACHE"] = previous


def lent() -> tuple[list[tuple[Path, str]], dict[str, str]]:
    """``(read-only binds, environment)`` that lend the datasets to a notebook sandbox (both
    empty when there is nothing to lend, or no bubblewrap to bind them)."""
    from .isolation import mode

    where = filled() if mode() == "bwrap" else None  # the reduced sandbox has no binds
    if where is None:
        return [], {}
    return [(where, INSIDE)], {"COURSE_DATA_CACHE": INSIDE}
