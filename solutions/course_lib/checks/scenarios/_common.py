"""Helpers shared by the scenario modules (this module declares no scenario).

A property check (``compare="property"``) says which property fails, where and with what numbers:
:func:`first_bad` finds the place and :func:`shape_of` describes a value of the wrong kind.
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

