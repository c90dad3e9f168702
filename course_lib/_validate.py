"""Input checks shared by course_lib functions (provided, not graded).

Each helper raises an error that says what was expected and what was received, in the style of
scikit-learn, e.g. ``ValueError: x must be a 2-D array of shape (N, D); got shape (5,)``.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_float_array(a, name: str, *, ndim: int | tuple[int, ...] | None = None,
                   shape: tuple | None = None, finite: bool = True) -> np.ndarray:
    """Return ``a`` as a float64 array after checking its dimensions, shape and values.

    Parameters
    ----------
    a : array_like
        The value to check. Not modified; a new array is returned only when a conversion is needed.
    name : str
        Name of the argument, used in the error message.
    ndim : int or tuple of int, optional
        Allowed numbers of dimensions.
    shape : tuple, optional
        Expected shape; ``None`` entries match any length.
    finite : bool, default True
        Reject NaN and infinity.

    Raises
    ------
    TypeError
        If ``a`` is not numeric.
    ValueError
        If the dimensions, shape or values are not as expected.
    """
    if isinstance(a, np.ndarray) and a.dtype == object or isinstance(a, (str, bytes, dict, set)):
        raise TypeError(f"{name} must be a numeric array; got {type(a).__name__}")
    try:
        arr = np.asarray(a, dtype=np.float64) if not (isinstance(a, np.ndarray) and a.dtype.kind == "f") else a
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric array; got {type(a).__name__}") from None
    if ndim is not None:
        allowed = (ndim,) if isinstance(ndim, int) else tuple(ndim)
        if arr.ndim not in allowed:
            want = " or ".join(f"{d}-D" for d in allowed)
            raise ValueError(f"{name} must be a {want} array; got shape {arr.shape}")
    if shape is not None:
        if arr.ndim != len(shape) or any(s is not None and s != g for s, g in zip(shape, arr.shape)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}; got shape {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} contains NaN or infinity")
    return arr


def as_label_array(y, name: str = "y", *, n: int | None = None) -> np.ndarray:
    """Return ``y`` as a 1-D integer array of class labels, checking its length against ``n``."""
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array of labels; got shape {arr.shape}")
    if arr.dtype.kind == "f":
        if not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)):
            raise ValueError(f"{name} must hold integer class labels; got non-integer values")
        arr = arr.astype(np.int64)
    elif arr.dtype.kind == "b":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "iu":
        raise TypeError(f"{name} must hold integer class labels; got dtype {arr.dtype}")
    if n is not None and arr.shape[0] != n:
        raise ValueError(f"{name} must have {n} entries to match the data; got {arr.shape[0]}")
    return arr


def check_probability(p, name: str, *, low_inclusive: bool = True, high_inclusive: bool = False) -> float:
    """Return ``p`` as a float after checking it lies in [0, 1) (bounds configurable)."""
    if isinstance(p, bool) or not isinstance(p, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(p).__name__}")
    p = float(p)
    lo_ok = p >= 0 if low_inclusive else p > 0
    hi_ok = p <= 1 if high_inclusive else p < 1
    if not (lo_ok and hi_ok):
        interval = ("[" if low_inclusive else "(") + "0, 1" + ("]" if high_inclusive else ")")
        raise ValueError(f"{name} must be in {interval}; got {p}")
    return p


def check_positive(v, name: str, *, allow_zero: bool = False) -> float:
    """Return ``v`` as a float after checking it is positive (or non-negative)."""
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise TypeError(f"{name} must be a real number; got {type(v).__name__}")
    v = float(v)
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        want = "non-negative" if allow_zero else "positive"
        raise ValueError(f"{name} must be a finite {want} number; got {v}")
    return v


def check_int(v, name: str, *, minimum: int = 0) -> int:
    """Return ``v`` as an int after checking it is an integer >= ``minimum``."""
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise TypeError(f"{name} must be an integer; got {type(v).__name__}")
    if v < minimum:
        raise ValueError(f"{name} must be >= {minimum}; got {v}")
    return int(v)


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """Check that ``rng`` is a ``numpy.random.Generator`` (never a seed or the global state)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator, e.g. np.random.default_rng(0); "
                        f"got {type(rng).__name__}")
    return rng
