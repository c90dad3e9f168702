"""Known mistakes of assignment 01, layers (tasks 1.1 affine, 1.2 activations).

An affine variant wraps the reference (``ref.<name>``) and replaces the one wrong output; an
activation variant is its wrong formula after the reference's checks (``_cached`` for the
backward passes).
"""

from __future__ import annotations

import numpy as np
from course_ref import layers as ref
from course_ref.layers import _cache_array, _check_dout, as_float_array, check_positive

from autograder.mistakes import mistake

# ---- affine (1.1) --------------------------------------------------------------------------


@mistake("layers.affine_forward", "bias forgotten")
def affine_forward__no_bias(x, W, b):
    """The affine layer is out = x @ W + b: add the bias vector b (shape (M,)) to every row."""
    _out, (x, W, b) = ref.affine_forward(x, W, b)
    return x @ W, (x, W, b)


def _affine_backward(dout, cache):
    """The reference's gradients ``(dx, dW, db)``, the checked ``dout`` and the cached ``x``."""
    dx, dW, db = ref.affine_backward(dout, cache)
    x, W, _b = cache
    return (dx, dW, db), _check_dout(dout, (x.shape[0], W.shape[1])), x


@mistake("layers.affine_backward", "db not summed over the batch")
def affine_backward__db_mean(dout, cache):
    """Every example adds its own dout[n] to the bias gradient: db = dout.sum(axis=0), a sum over
    the N rows (not a mean, not a sum over the columns)."""
    (dx, dW, _db), dout, _x = _affine_backward(dout, cache)
    return dx, dW, dout.mean(axis=0)


@mistake("layers.affine_backward", "db summed over the wrong axis")
def affine_backward__db_wrong_axis(dout, cache):
    """db has the shape of b, (M,): sum dout over the batch axis 0, not over axis 1."""
    (dx, dW, _db), dout, _x = _affine_backward(dout, cache)
    return dx, dW, dout.sum(axis=1)


@mistake("layers.affine_backward", "db taken from the first example only")
def affine_backward__db_first_row(dout, cache):
    """The bias is shared by the whole batch: db = dout.sum(axis=0), not dout[0]."""
    (dx, dW, _db), dout, _x = _affine_backward(dout, cache)
    return dx, dW, dout[0].copy()


@mistake("layers.affine_backward", "dW transposed")
def affine_backward__dW_transposed(dout, cache):
    """dW must have W's shape (fan_in, fan_out) = (D, M): dW = x.T @ dout, not dout.T @ x."""
    (dx, _dW, db), dout, x = _affine_backward(dout, cache)
    return dx, dout.T @ x, db


@mistake("layers.affine_backward", "dW averaged over the batch")
def affine_backward__dW_mean(dout, cache):
    """The layer does not average: the 1/N of the mean loss is already inside dout, so dW = x.T @
    dout without another division by N."""
    (dx, dW, db), _dout, x = _affine_backward(dout, cache)
    return dx, dW / x.shape[0], db / x.shape[0]


# ---- activations (1.2) ---------------------------------------------------------------------


def _cached(dout, cache, name):
    """The reference's checks of an activation's backward pass: ``(dout, the cached array)``."""
    cached = _cache_array(cache, name)
    return _check_dout(dout, cached.shape), cached


@mistake("layers.sigmoid_forward", "sigmoid overflows for large negative inputs")
def sigmoid_forward__naive(x):
    """1 / (1 + exp(-x)) overflows (exp(1000) = inf, with a warning) for x << 0. Exponentiate only
    -|x|: use exp(x) / (1 + exp(x)) where x < 0."""
    out = 1.0 / (1.0 + np.exp(-as_float_array(x, "x", finite=False)))
    return out, out


@mistake("layers.sigmoid_backward", "sigmoid derivative without (1 - s)")
def sigmoid_backward__no_one_minus(dout, cache):
    """d sigmoid / dx = s * (1 - s), where s = sigmoid(x) is what the forward cached."""
    dout, s = _cached(dout, cache, "sigmoid")
    return dout * s


@mistake("layers.sigmoid_backward", "derivative evaluated as sigmoid(s) of the cached output")
def sigmoid_backward__sigmoid_of_cache(dout, cache):
    """The cache already holds s = sigmoid(x): the derivative is s * (1 - s), do not apply the
    sigmoid to it again."""
    dout, s = _cached(dout, cache, "sigmoid")
    t = 1.0 / (1.0 + np.exp(-s))
    return dout * t * (1.0 - t)


@mistake("layers.tanh_backward", "tanh derivative 1 - tanh instead of 1 - tanh**2")
def tanh_backward__not_squared(dout, cache):
    """d tanh / dx = 1 - tanh(x)**2: square the cached output."""
    dout, t = _cached(dout, cache, "tanh")
    return dout * (1.0 - t)


@mistake("layers.tanh_forward", "tanh from the exponential formula (overflows)")
def tanh_forward__naive(x):
    """(exp(x) - exp(-x)) / (exp(x) + exp(-x)) overflows to inf / inf = nan for |x| > 710; use
    np.tanh."""
    x = as_float_array(x, "x", finite=False)
    out = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return out, out


@mistake("layers.relu_backward", "ReLU derivative 1 at x = 0")
def relu_backward__one_at_zero(dout, cache):
    """The course takes relu'(0) = 0: pass the gradient only where x > 0 (strictly), not where x >=
    0."""
    dout, x = _cached(dout, cache, "relu")
    return dout * (x >= 0)


@mistake("layers.relu_backward", "ReLU backward multiplies by the input")
def relu_backward__times_input(dout, cache):
    """ReLU's derivative is the 0/1 mask (x > 0), not x itself: dx = dout * (x > 0)."""
    dout, x = _cached(dout, cache, "relu")
    return dout * np.maximum(x, 0)


@mistake("layers.leaky_relu_backward", "leaky ReLU backward with slope 0 for negative inputs")
def leaky_relu_backward__zero_slope(dout, cache):
    """Leaky ReLU's slope for x <= 0 is alpha, not 0 (that is plain ReLU)."""
    x, _alpha = cache
    return _check_dout(dout, x.shape) * (x > 0)


@mistake("layers.leaky_relu_backward", "leaky ReLU derivative 1 at x = 0")
def leaky_relu_backward__one_at_zero(dout, cache):
    """At x = 0 the course takes the left slope: leaky_relu'(0) = alpha."""
    x, alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x >= 0, dout, alpha * dout)


@mistake("layers.leaky_relu_forward", "alpha ignored (fixed slope 0.01)")
def leaky_relu_forward__fixed_alpha(x, alpha=0.01):
    """Use the alpha argument for the negative slope; 0.01 is only its default."""
    out, (x, _slope) = ref.leaky_relu_forward(x, 0.01)
    return out, (x, check_positive(alpha, "alpha", allow_zero=True))


@mistake("layers.elu_forward", "ELU without the - 1")
def elu_forward__no_minus_one(x, alpha=1.0):
    """ELU is alpha * (exp(x) - 1) for x <= 0, so that it is continuous at 0 and tends to -alpha;
    np.expm1 computes exp(x) - 1 accurately."""
    x = as_float_array(x, "x", finite=False)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    out = np.where(x > 0, x, alpha * np.exp(np.minimum(x, 0)))
    return out, (x, out, alpha)


@mistake("layers.elu_forward", "ELU overflows for large positive inputs")
def elu_forward__naive(x, alpha=1.0):
    """np.where evaluates both branches: exp(x) overflows for x > 709 even where the result takes x.
    Exponentiate np.minimum(x, 0) instead."""
    x = as_float_array(x, "x", finite=False)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    out = np.where(x > 0, x, alpha * (np.exp(x) - 1.0))
    return out, (x, out, alpha)


@mistake("layers.elu_backward", "ELU derivative without alpha")
def elu_backward__no_alpha(dout, cache):
    """For x <= 0, d/dx alpha * (exp(x) - 1) = alpha * exp(x) = out + alpha."""
    x, _out, _alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))


@mistake("layers.elu_backward", "ELU derivative taken as the output")
def elu_backward__output(dout, cache):
    """For x <= 0 the derivative is alpha * exp(x) = out + alpha, not out."""
    x, out, _alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x > 0, dout, dout * out)
