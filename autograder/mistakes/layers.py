"""Known mistakes of assignment 01, layers (tasks 1.1 affine, 1.2 activations).

Each variant keeps the reference's input checks and cache layout and changes only the mistake.
"""

from __future__ import annotations

import numpy as np

from autograder.mistakes import mistake
from course_ref.layers import _cache_array, _check_dout, as_float_array, check_positive  # noqa: F401


# ============================================================================ affine (1.1)


@mistake("layers.affine_forward", "bias forgotten")
def affine_forward__no_bias(x, W, b):
    """The affine layer is out = x @ W + b: add the bias vector b (shape (M,)) to every row."""
    x = as_float_array(x, "x", ndim=2, finite=False)
    W = as_float_array(W, "W", ndim=2, finite=False)
    b = as_float_array(b, "b", ndim=1, finite=False)
    return x @ W, (x, W, b)


@mistake("layers.affine_backward", "db not summed over the batch")
def affine_backward__db_mean(dout, cache):
    """Every example adds its own dout[n] to the bias gradient: db = dout.sum(axis=0), a sum over
    the N rows (not a mean, not a sum over the columns)."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    return dout @ W.T, x.T @ dout, dout.mean(axis=0)


@mistake("layers.affine_backward", "db summed over the wrong axis")
def affine_backward__db_wrong_axis(dout, cache):
    """db has the shape of b, (M,): sum dout over the batch axis 0, not over axis 1."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    return dout @ W.T, x.T @ dout, dout.sum(axis=1)


@mistake("layers.affine_backward", "db taken from the first example only")
def affine_backward__db_first_row(dout, cache):
    """The bias is shared by the whole batch: db = dout.sum(axis=0), not dout[0]."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    return dout @ W.T, x.T @ dout, dout[0].copy()


@mistake("layers.affine_backward", "dW transposed")
def affine_backward__dW_transposed(dout, cache):
    """dW must have W's shape (fan_in, fan_out) = (D, M): dW = x.T @ dout, not dout.T @ x."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    return dout @ W.T, dout.T @ x, dout.sum(axis=0)


@mistake("layers.affine_backward", "dW averaged over the batch")
def affine_backward__dW_mean(dout, cache):
    """The layer does not average: the 1/N of the mean loss is already inside dout, so dW = x.T @
    dout without another division by N."""
    x, W, b = cache
    dout = _check_dout(dout, (x.shape[0], W.shape[1]))
    n = x.shape[0]
    return dout @ W.T, x.T @ dout / n, dout.sum(axis=0) / n


# ============================================================================ activations (1.2)


@mistake("layers.sigmoid_forward", "sigmoid overflows for large negative inputs")
def sigmoid_forward__naive(x):
    """1 / (1 + exp(-x)) overflows (exp(1000) = inf, with a warning) for x << 0. Exponentiate only
    -|x|: use exp(x) / (1 + exp(x)) where x < 0."""
    x = as_float_array(x, "x", finite=False)
    out = 1.0 / (1.0 + np.exp(-x))
    return out, out


@mistake("layers.sigmoid_backward", "sigmoid derivative without (1 - s)")
def sigmoid_backward__no_one_minus(dout, cache):
    """d sigmoid / dx = s * (1 - s), where s = sigmoid(x) is what the forward cached."""
    s = _cache_array(cache, "sigmoid")
    dout = _check_dout(dout, s.shape)
    return dout * s


@mistake("layers.sigmoid_backward", "derivative evaluated as sigmoid(s) of the cached output")
def sigmoid_backward__sigmoid_of_cache(dout, cache):
    """The cache already holds s = sigmoid(x): the derivative is s * (1 - s), do not apply the
    sigmoid to it again."""
    s = _cache_array(cache, "sigmoid")
    dout = _check_dout(dout, s.shape)
    t = 1.0 / (1.0 + np.exp(-s))
    return dout * t * (1.0 - t)


@mistake("layers.tanh_backward", "tanh derivative 1 - tanh instead of 1 - tanh**2")
def tanh_backward__not_squared(dout, cache):
    """d tanh / dx = 1 - tanh(x)**2: square the cached output."""
    t = _cache_array(cache, "tanh")
    dout = _check_dout(dout, t.shape)
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
    x = _cache_array(cache, "relu")
    dout = _check_dout(dout, x.shape)
    return dout * (x >= 0)


@mistake("layers.relu_backward", "ReLU backward multiplies by the input")
def relu_backward__times_input(dout, cache):
    """ReLU's derivative is the 0/1 mask (x > 0), not x itself: dx = dout * (x > 0)."""
    x = _cache_array(cache, "relu")
    dout = _check_dout(dout, x.shape)
    return dout * np.maximum(x, 0)


@mistake("layers.leaky_relu_backward", "leaky ReLU backward with slope 0 for negative inputs")
def leaky_relu_backward__zero_slope(dout, cache):
    """Leaky ReLU's slope for x <= 0 is alpha, not 0 (that is plain ReLU)."""
    x, alpha = cache
    dout = _check_dout(dout, x.shape)
    return dout * (x > 0)


@mistake("layers.leaky_relu_backward", "leaky ReLU derivative 1 at x = 0")
def leaky_relu_backward__one_at_zero(dout, cache):
    """At x = 0 the course takes the left slope: leaky_relu'(0) = alpha."""
    x, alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x >= 0, dout, alpha * dout)


@mistake("layers.leaky_relu_forward", "alpha ignored (fixed slope 0.01)")
def leaky_relu_forward__fixed_alpha(x, alpha=0.01):
    """Use the alpha argument for the negative slope; 0.01 is only its default."""
    x = as_float_array(x, "x", finite=False)
    alpha = check_positive(alpha, "alpha", allow_zero=True)
    out = np.where(x > 0, x, 0.01 * x)
    return out, (x, alpha)


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
    x, out, alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x > 0, dout, dout * np.exp(np.minimum(x, 0)))


@mistake("layers.elu_backward", "ELU derivative taken as the output")
def elu_backward__output(dout, cache):
    """For x <= 0 the derivative is alpha * exp(x) = out + alpha, not out."""
    x, out, alpha = cache
    dout = _check_dout(dout, x.shape)
    return np.where(x > 0, dout, dout * out)
