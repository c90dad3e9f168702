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

from .checks.gradients import numerical_gradient, relative_error

__all__ = ["numerical_gradient", "relative_error", "check_gradient"]


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
