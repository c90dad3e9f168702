"""Load the reference package ``solutions/course_lib`` under the name ``course_ref``.

The student's package owns the name ``course_lib``; the reference is imported beside it under
another name, which is why modules inside the package import each other relatively.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from . import REFERENCE_DIR

REFERENCE_NAME = "course_ref"


def load_package(name: str, directory: Path) -> ModuleType:
    """Import the package in ``directory`` (holding ``__init__.py``) as ``name``; idempotent."""
    directory = Path(directory).resolve()
    if name in sys.modules:
        mod = sys.modules[name]
        if Path(mod.__file__ or "").resolve().parent == directory:
            return mod
        raise RuntimeError(f"package name {name!r} is already bound to {mod.__file__}")
    spec = importlib.util.spec_from_file_location(
        name, directory / "__init__.py", submodule_search_locations=[str(directory)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"no package at {directory}")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    try:
        spec.loader.exec_module(mod)
    except BaseException:
        del sys.modules[name]
        raise
    return mod


def load_reference() -> ModuleType:
    """The reference package, imported as ``course_ref`` (``course_ref.batchnorm`` etc.)."""
    return load_package(REFERENCE_NAME, REFERENCE_DIR)


class _RefView:
    """``ref.batchnorm`` imports ``course_ref.batchnorm`` on use."""

    def __getattr__(self, module):
        if module.startswith("_"):
            raise AttributeError(module)
        load_reference()
        try:
            return importlib.import_module(f"{REFERENCE_NAME}.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{REFERENCE_NAME}.{module}":
                raise
            raise AttributeError(f"the reference has no module {module!r}") from None


ref = _RefView()
