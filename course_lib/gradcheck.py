"""Numerical gradients and gradient checking (provided, not graded).

A backward pass is right when it agrees with central differences
``df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / (2 h)``, whose error is ``O(h**2)`` plus rounding
``~ eps * |f| / h``. In float64 with ``h = 1e-6`` the two sides agree to about 1e-8 relative
error or better, which is why gradient checks need float64.

Relative error, as used here and by the course's checks: ``||a - n|| / (||a|| + ||n||)`` with the
Euclidean (Frobenius) norm over the whole array (0 when both are zero). Normalizing the whole
array, not entry by entry, keeps entries that are tiny compared with the rest (where rounding
dominates) from failing a correct gradient. When a check fails, the entry with the largest
``|a_i - n_i|`` is reported.
"""

from __future__ import annotations

import numpy as np

__all__ = ["numerical_gradient", "relative_error", "check_gradient"]


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


def check_gradient(f, inputs, analytic, *, tol=1e-7, h=1e-6):
    """Compare analytic gradients with central differences; raise if any disagrees.

    Parameters
    ----------
    f : callable
        ``f(**inputs)`` returns the scalar whose gradient is checked. The arrays of ``inputs`` are
        perturbed in place (and restored), so ``f`` may also read them through a closure.
    inputs : dict of str to ndarray (float64)
        The arguments to differentiate with respect to.
    analytic : dict of str to ndarray
        Analytic gradient for each name to check (a subset of ``inputs``), same shapes.
    tol : float, default 1e-7
        Largest relative error accepted (see ``relative_error``).
    h : float, default 1e-6
        Finite-difference step.

    Returns
    -------
    errors : dict of str to float
        The relative error of each checked argument.

    Raises
    ------
    AssertionError
        Naming the argument, the worst index, the analytic and numerical values there and the
        relative error.
    """
    errors = {}
    for name, grad in analytic.items():
        if name not in inputs:
            raise KeyError(f"analytic gradient {name!r} has no matching input; inputs: {sorted(inputs)}")
        x = inputs[name]
        grad = np.asarray(grad)
        if grad.shape != np.shape(x):
            raise AssertionError(f"gradient of {name!r} has shape {grad.shape}, expected {np.shape(x)}")
        num = numerical_gradient(lambda _x: f(**inputs), x, h=h)
        err = relative_error(grad, num)
        errors[name] = err
        if not err <= tol:
            worst = np.unravel_index(np.argmax(np.abs(grad - num)), num.shape) if num.size else ()
            raise AssertionError(
                f"gradient of {name!r} is wrong: relative error {err:.3e} > tol {tol:.1e}; worst at "
                f"index {tuple(int(i) for i in worst)}: analytic {grad[worst]:.10g} vs numerical "
                f"{num[worst]:.10g}")
    return errors
