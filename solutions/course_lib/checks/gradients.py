"""Central differences and relative error: the one implementation, used by the scenarios and
re-exported by ``course_lib.gradcheck`` (whose docstring explains the numbers).

It lives in ``checks`` because the grader binds its own copy of this folder over the student's:
the scenarios then differentiate with the grader's code, whatever the submission's
``gradcheck.py`` holds.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(f, x, h=1e-6, *, dout=None):
    """Central-difference gradient of ``f`` with respect to the array ``x``.

    ``x`` is perturbed IN PLACE one entry at a time, so ``f`` may ignore its argument and read
    ``x`` through a closure (e.g. a model's parameter arrays). Every entry is restored exactly
    before returning, even if ``f`` raises: ``x`` is unchanged on return.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns a scalar, or an array when ``dout`` is given.
    x : ndarray of float64, any shape
        The point at which to differentiate. Must be a float64 array (it is modified in place
        during the call).
    h : float, default 1e-6
        Step.
    dout : ndarray, optional
        Upstream gradient: if given, ``f(x)`` returns an array of the shape of ``dout`` and the
        function differentiated is ``sum(f(x) * dout)`` (a vector-Jacobian product).

    Returns
    -------
    grad : ndarray, shape of ``x``
    """
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise TypeError("x must be a float64 numpy array (perturbed in place; float32 is too coarse "
                        f"for finite differences); got {type(x).__name__} "
                        f"{getattr(x, 'dtype', '')}")

    def value():
        out = f(x)
        if dout is not None:
            return float(np.sum(np.asarray(out) * dout))
        out = np.asarray(out)
        if out.size != 1:
            raise TypeError(f"f must return a scalar; got an array of shape {out.shape} "
                            "(pass dout=... to differentiate sum(f(x) * dout))")
        return float(out)

    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        old = x[idx]
        try:
            x[idx] = old + h
            fp = value()
            x[idx] = old - h
            fm = value()
        finally:
            x[idx] = old
        grad[idx] = (fp - fm) / (2 * h)
        it.iternext()
    return grad


def relative_error(a, b):
    """Relative error ``||a - b|| / (||a|| + ||b||)`` of two arrays of the same shape.

    Norms are Euclidean over all entries. Returns 0.0 when ``a == b`` (including both zero).
    Scalars are accepted.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    num = float(np.linalg.norm((a - b).ravel()))
    if num == 0.0:
        return 0.0
    den = float(np.linalg.norm(a.ravel()) + np.linalg.norm(b.ravel()))
    return num / max(den, 1e-300)
