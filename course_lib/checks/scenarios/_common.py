"""Helpers shared by the scenario modules (this module declares no scenario).

A property check (``compare="property"``) says which property fails, where and with what numbers:
:func:`first_bad` finds the place, :func:`shape_of` describes a value of the wrong kind, and
:func:`split_nonfinite` lets a check say *why* a value is NaN or infinite (a constant feature
divided by 0) instead of the judge's generic "a result must be finite".
"""

from __future__ import annotations

import numpy as np


def shape_of(value):
    """The shape of an array (for a message), or the name of the value's type if it has none."""
    return getattr(value, "shape", type(value).__name__)


def first_bad(bad):
    """The first index where the boolean array ``bad`` is True: an int for a vector, a tuple of
    ints otherwise."""
    idx = tuple(int(i) for i in np.argwhere(bad)[0])
    return idx[0] if len(idx) == 1 else idx


def unchanged(arrays, copies) -> bool:
    """Whether every array equals its copy taken before the call (inputs left as they were)."""
    return bool(all(np.array_equal(a, c) for a, c in zip(arrays, copies)))


def split_nonfinite(value):
    """``(finite, bad)``: a float array with its NaN and infinities replaced by 0, and the boolean
    mask of where they were; any other value unchanged, with ``bad = None``.

    A property scenario that returns the pair instead of the raw array must check ``bad`` first in
    its ``verify`` (the judge no longer sees the NaN): it can then name the cause."""
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        return value, None
    bad = ~np.isfinite(value)
    return np.where(bad, 0.0, value), bad
