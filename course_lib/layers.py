"""Layers of a feedforward network: the affine layer and the hidden activations (assignment 01).

Every layer is a pair of pure functions:

- ``<name>_forward(x, ...) -> (out, cache)`` computes the layer's output and a ``cache`` holding
  whatever the backward pass needs;
- ``<name>_backward(dout, cache) -> gradients`` takes the upstream gradient ``dout = dL/dout``
  (same shape as ``out``) and returns the gradients of the loss with respect to the layer's inputs.

Data is row-major: a batch ``x`` has shape ``(N, D)`` (one example per row) and a weight matrix has
shape ``(fan_in, fan_out)``, so the affine layer is ``out = x @ W + b``. No function modifies its
arguments. Floating-point arrays keep their dtype (float64 by default; float32 works too, see
``course_lib.model.MLP(dtype=...)``); other numeric inputs are converted to float64. NaN and
infinity propagate (they are not rejected) so that a diverging training run can be diagnosed by
its caller.

Derivatives at a kink (ReLU and leaky ReLU at exactly 0) take the value of the left piece:
``relu'(0) = 0`` and ``leaky_relu'(0) = alpha``, the convention of most libraries.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive

__all__ = [
    "affine_forward", "affine_backward",
    "sigmoid_forward", "sigmoid_backward",
    "tanh_forward", "tanh_backward",
    "relu_forward", "relu_backward",
    "leaky_relu_forward", "leaky_relu_backward",
    "elu_forward", "elu_backward",
    "ACTIVATIONS", "get_activation",
]


def _check_dout(dout, shape, name="dout"):
    """Provided: ``dout`` as a float array of the given shape (the shape of the layer's output)."""
    dout = as_float_array(dout, name, finite=False)
    if dout.shape != tuple(shape):
        raise ValueError(f"{name} must have the shape of the layer's output {tuple(shape)}; "
                         f"got shape {dout.shape}")
    return dout


def _cache_array(cache, name):
    """Provided: the array stored in an activation's cache, with a clear error if it is not one."""
    if isinstance(cache, tuple):
        cache = cache[0]
    if not isinstance(cache, np.ndarray):
        raise TypeError(f"cache must be the cache returned by {name}_forward; got {type(cache).__name__}")
    return cache


# ----------------------------------------------------------------------------------------------
# Task 1.1: the affine (fully connected) layer
# ----------------------------------------------------------------------------------------------

def affine_forward(x, W, b):
    """Forward pass of an affine (fully connected) layer: ``out = x @ W + b``.

    Parameters
    ----------
    x : ndarray of shape (N, D)
        A batch of ``N`` inputs with ``D = fan_in`` features each.
    W : ndarray of shape (D, M)
        Weights, ``(fan_in, fan_out)``.
    b : ndarray of shape (M,)
        Biases, broadcast over the batch.

    Returns
    -------
    out : ndarray of shape (N, M)
        ``out[n, m] = sum_d x[n, d] * W[d, m] + b[m]``.
    cache : tuple
        ``(x, W, b)``, what ``affine_backward`` needs.

    Raises
    ------
    ValueError
        If the shapes do not fit together.
    """
    x = as_float_array(x, "x", ndim=2, finite=False)
    W = as_float_array(W, "W", ndim=2, finite=False)
    b = as_float_array(b, "b", ndim=1, finite=False)
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"x has {x.shape[1]} features per row but W expects fan_in = {W.shape[0]} "
                         f"(x: {x.shape}, W: {W.shape}; W must be (fan_in, fan_out))")
    if b.shape[0] != W.shape[1]:
        raise ValueError(f"b must have shape ({W.shape[1]},) to match W's fan_out; got {b.shape}")
    raise NotImplementedError("Task 1.1 affine_forward — see notebooks/01_foundations")


def affine_backward(dout, cache):
    """Backward pass of an affine layer.

    With ``out = x @ W + b`` and ``dout = dL/dout``:
    ``dx = dout @ W.T``, ``dW = x.T @ dout``, ``db = sum_n dout[n]``.

    Parameters
    ----------
    dout : ndarray of shape (N, M)
        Upstream gradient.
    cache : tuple
        ``(x, W, b)`` from ``affine_forward``, with ``x`` (N, D), ``W`` (D, M), ``b`` (M,).

    Returns
    -------
    dx : ndarray of shape (N, D)
    dW : ndarray of shape (D, M)
    db : ndarray of shape (M,)
    """
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError("cache must be the (x, W, b) tuple returned by affine_forward")
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    raise NotImplementedError("Task 1.1 affine_backward — see notebooks/01_foundations")


# ----------------------------------------------------------------------------------------------
# Task 1.2: activations
# ----------------------------------------------------------------------------------------------

def sigmoid_forward(x):
    """Logistic sigmoid ``s(x) = 1 / (1 + exp(-x))``, elementwise, without overflow.

    ``exp(-x)`` overflows for ``x < -709`` in float64 (and ``x < -88`` in float32). A stable
    version only ever exponentiates ``-|x|``: for ``x >= 0`` it uses ``1 / (1 + exp(-x))`` and for
    ``x < 0`` the equal form ``exp(x) / (1 + exp(x))``. No warning is emitted for any finite input.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray, shape of ``x``
        Values in ``[0, 1]``.
    cache : ndarray
        ``out`` (the derivative is ``s * (1 - s)``).
    """
    x = as_float_array(x, "x", finite=False)
    raise NotImplementedError("Task 1.2 sigmoid_forward — see notebooks/01_foundations")


def sigmoid_backward(dout, cache):
    """Backward pass of the sigmoid: ``dx = dout * s * (1 - s)``.

    Parameters
    ----------
    dout : ndarray, shape of the forward input
    cache : ndarray
        From ``sigmoid_forward``.

    Returns
    -------
    dx : ndarray, shape of ``dout``
    """
    s = _cache_array(cache, "sigmoid")
    dout = _check_dout(dout, s.shape)
    raise NotImplementedError("Task 1.2 sigmoid_backward — see notebooks/01_foundations")


def tanh_forward(x):
    """Hyperbolic tangent, elementwise.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray, shape of ``x``
        Values in ``[-1, 1]``.
    cache : ndarray
        ``out`` (the derivative is ``1 - tanh(x)**2``).
    """
    x = as_float_array(x, "x", finite=False)
    raise NotImplementedError("Task 1.2 tanh_forward — see notebooks/01_foundations")


def tanh_backward(dout, cache):
    """Backward pass of tanh: ``dx = dout * (1 - out**2)``.

    Parameters
    ----------
    dout : ndarray, shape of the forward input
    cache : ndarray
        From ``tanh_forward``.

    Returns
    -------
    dx : ndarray, shape of ``dout``
    """
    t = _cache_array(cache, "tanh")
    dout = _check_dout(dout, t.shape)
    raise NotImplementedError("Task 1.2 tanh_backward — see notebooks/01_foundations")


def relu_forward(x):
    """Rectified linear unit ``max(0, x)``, elementwise.

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : ndarray
        The input ``x``.
    """
    x = as_float_array(x, "x", finite=False)
    raise NotImplementedError("Task 1.2 relu_forward — see notebooks/01_foundations")


def relu_backward(dout, cache):
    """Backward pass of ReLU: ``dx = dout`` where ``x > 0`` and 0 elsewhere (``relu'(0) = 0``).

    Parameters
    ----------
    dout : ndarray, shape of the forward input
    cache : ndarray
        The input ``x`` saved by ``relu_forward``.

    Returns
    -------
    dx : ndarray, shape of ``dout``
    """
    x = _cache_array(cache, "relu")
    dout = _check_dout(dout, x.shape)
    raise NotImplementedError("Task 1.2 relu_backward — see notebooks/01_foundations")


def leaky_relu_forward(x, alpha=0.01):
    """Leaky ReLU: ``x`` where ``x > 0`` and ``alpha * x`` elsewhere.

    Parameters
    ----------
    x : ndarray of any shape
    alpha : float, default 0.01
        Slope for negative inputs, ``0 <= alpha < 1`` in practice (any non-negative value works).

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        ``(x, alpha)``.
    """
    x = as_float_array(x, "x", finite=False)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    raise NotImplementedError("Task 1.2 leaky_relu_forward — see notebooks/01_foundations")


def leaky_relu_backward(dout, cache):
    """Backward pass of leaky ReLU: slope 1 where ``x > 0`` and ``alpha`` elsewhere (also at 0).

    Parameters
    ----------
    dout : ndarray, shape of the forward input
    cache : tuple
        ``(x, alpha)`` from ``leaky_relu_forward``.

    Returns
    -------
    dx : ndarray, shape of ``dout``
    """
    if not (isinstance(cache, tuple) and len(cache) == 2):
        raise TypeError("cache must be the (x, alpha) tuple returned by leaky_relu_forward")
    x, alpha = cache
    dout = _check_dout(dout, x.shape)
    raise NotImplementedError("Task 1.2 leaky_relu_backward — see notebooks/01_foundations")


def elu_forward(x, alpha=1.0):
    """Exponential linear unit: ``x`` where ``x > 0`` and ``alpha * (exp(x) - 1)`` elsewhere.

    Uses ``np.expm1`` (accurate near 0) on ``min(x, 0)`` only, so large positive inputs never
    overflow.

    Parameters
    ----------
    x : ndarray of any shape
    alpha : float, default 1.0
        Value the output tends to as ``x -> -inf`` is ``-alpha``.

    Returns
    -------
    out : ndarray, shape of ``x``
    cache : tuple
        ``(x, out, alpha)``.
    """
    x = as_float_array(x, "x", finite=False)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    raise NotImplementedError("Task 1.2 elu_forward — see notebooks/01_foundations")


def elu_backward(dout, cache):
    """Backward pass of ELU: slope 1 where ``x > 0`` and ``alpha * exp(x) = out + alpha`` elsewhere.

    Parameters
    ----------
    dout : ndarray, shape of the forward input
    cache : tuple
        ``(x, out, alpha)`` from ``elu_forward``.

    Returns
    -------
    dx : ndarray, shape of ``dout``
    """
    if not (isinstance(cache, tuple) and len(cache) == 3):
        raise TypeError("cache must be the (x, out, alpha) tuple returned by elu_forward")
    x, out, alpha = cache
    dout = _check_dout(dout, x.shape)
    raise NotImplementedError("Task 1.2 elu_backward — see notebooks/01_foundations")


# ----------------------------------------------------------------------------------------------
# Provided: the activations by name (used by course_lib.model.MLP)
# ----------------------------------------------------------------------------------------------

ACTIVATIONS = {
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "relu": (relu_forward, relu_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "elu": (elu_forward, elu_backward),
}


def get_activation(name):
    """Return ``(forward, backward)`` of the activation called ``name`` (e.g. ``"relu"``).

    The functions are looked up in this module when called, so a student's implementation is
    the one used.

    Raises
    ------
    ValueError
        If no activation has that name; the message lists the known names.
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    g = globals()
    return g[f"{name}_forward"], g[f"{name}_backward"]
