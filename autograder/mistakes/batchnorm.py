"""Known mistakes of assignment 05 (batch norm, folding, layer norm): wrong variants of
``course_ref.batchnorm``.

A variant runs the reference's argument checks, then either wraps the reference (``ref.<name>``)
and changes what the mistake changes in its result, or recomputes only the wrong statistics and
hands them to the reference's output and cache layout (``_normalized``), so that the rest of the
reference (the backward passes read the forward's cache) still runs around it.
"""

from __future__ import annotations

import numpy as np
from course_ref import batchnorm as ref
from course_ref.batchnorm import _check_bn_args, _check_dout, _check_fold_args, _check_ln_args

from autograder.mistakes import mistake, same_mistakes

# ---- batchnorm_forward (5.1) ---------------------------------------------------------------


def _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps):
    """The reference's checked arguments ``(x, gamma, beta, running_mean, running_var, momentum,
    eps)`` and its result ``(out, cache, new_running_mean, new_running_var)`` on them."""
    args = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps
    )
    x, gamma, beta, running_mean, running_var, momentum, eps = args
    result = ref.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps
    )
    return args, result


def _normalized(args, train, x_mu, var, inv_std, new_stats):
    """The reference's output and cache, built from a variant's centred input and statistics;
    ``args`` are the checked arguments, ``new_stats`` the running statistics to return."""
    _x, gamma, beta, _mean, _var, _momentum, eps = args
    x_hat = x_mu * inv_std
    cache = {
        "x_hat": x_hat,
        "x_mu": x_mu,
        "var": var,
        "inv_std": inv_std,
        "gamma": gamma.copy(),
        "eps": eps,
        "train": bool(train),
    }
    return (gamma * x_hat + beta, cache, *new_stats)


def _renormalized(args, result, inv_std):
    """The reference's ``result`` with ``x_hat`` and the output redone with another ``inv_std``."""
    _out, cache, new_mean, new_var = result
    x_hat = cache["x_mu"] * inv_std
    cache = {**cache, "x_hat": x_hat, "inv_std": inv_std}
    return cache["gamma"] * x_hat + args[2], cache, new_mean, new_var


def _updated(args, mu, var):
    """The reference's running update (``momentum`` weighs the old estimate) with a variant's
    batch statistics."""
    _x, _gamma, _beta, running_mean, running_var, momentum, _eps = args
    return (
        momentum * running_mean + (1.0 - momentum) * mu,
        momentum * running_var + (1.0 - momentum) * var,
    )


@mistake("batchnorm.batchnorm_forward", "unbiased variance (divided by N - 1)")
def batchnorm_forward__unbiased_variance(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """Batch norm normalizes with the biased batch variance, mean((x - mu)**2) over the batch:
    divide by N (np.var's default ddof=0), not N - 1."""
    args, result = _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    x, eps = args[0], args[6]
    if not train:
        return result
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=1)
    return _normalized(args, train, x - mu, var, 1.0 / np.sqrt(var + eps), _updated(args, mu, var))


@mistake("batchnorm.batchnorm_forward", "eps outside the square root")
def batchnorm_forward__eps_outside_sqrt(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """Normalize by sqrt(var + eps): eps belongs inside the square root, not added to the standard
    deviation afterwards."""
    args, result = _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    return _renormalized(args, result, 1.0 / (np.sqrt(result[1]["var"]) + args[6]))


@mistake("batchnorm.batchnorm_forward", "divided by the variance instead of the standard deviation")
def batchnorm_forward__divide_by_variance(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """x_hat = (x - mu) / sqrt(var + eps). Dividing by the variance (a slide erratum) does not give
    unit variance."""
    args, result = _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    return _renormalized(args, result, 1.0 / (result[1]["var"] + args[6]))


@mistake("batchnorm.batchnorm_forward", "statistics over the wrong axis (per sample, axis 1)")
def batchnorm_forward__wrong_axis(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """Batch norm averages each feature over the batch: reduce over axis 0 of x (N, D). Averaging
    each sample over its features (axis 1) is layer norm."""
    args, result = _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    x, eps = args[0], args[6]
    if not train:
        return result
    mu = x.mean(axis=1, keepdims=True)
    x_mu = x - mu
    var = np.mean(x_mu**2, axis=1, keepdims=True)
    return _normalized(args, train, x_mu, var, 1.0 / np.sqrt(var + eps), _updated(args, mu, var))


@mistake("batchnorm.batchnorm_forward", "running statistics with the momentum reversed")
def batchnorm_forward__momentum_reversed(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """The convention here is new = momentum * old + (1 - momentum) * batch: momentum is the weight
    of the OLD estimate (PyTorch's momentum means the opposite)."""
    args, (out, cache, new_mean, new_var) = _bn_forward(
        x, gamma, beta, running_mean, running_var, train, momentum, eps
    )
    x, _gamma, _beta, running_mean, running_var, momentum, _eps = args
    if train:
        new_mean = (1.0 - momentum) * running_mean + momentum * x.mean(axis=0)
        new_var = (1.0 - momentum) * running_var + momentum * cache["var"]
    return out, cache, new_mean, new_var


@mistake("batchnorm.batchnorm_forward", "standard deviation stored as the running variance")
def batchnorm_forward__std_as_variance(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """running_var averages the batch VARIANCE mean((x - mu)**2), not its standard deviation; test
    mode takes sqrt(running_var + eps) itself."""
    args, result = _bn_forward(x, gamma, beta, running_mean, running_var, train, momentum, eps)
    out, cache, new_mean, _new_var = result
    if not train:
        return result
    x = args[0]
    return out, cache, *_updated(args, x.mean(axis=0), np.sqrt(cache["var"] + args[6]))


@mistake("batchnorm.batchnorm_forward", "running statistics updated in test mode")
def batchnorm_forward__updates_in_test_mode(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """Test mode must not change the running statistics: return them as they came in. Only training
    batches update them."""
    args, (out, cache, new_mean, new_var) = _bn_forward(
        x, gamma, beta, running_mean, running_var, train, momentum, eps
    )
    x = args[0]
    mu = x.mean(axis=0)
    return out, cache, *_updated(args, mu, np.mean((x - mu) ** 2, axis=0))


@mistake("batchnorm.batchnorm_forward", "batch statistics used at test time")
def batchnorm_forward__batch_stats_at_test(
    x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9, eps=1e-5
):
    """In test mode normalize with running_mean and running_var, not with the statistics of the test
    batch: a prediction must not depend on the other samples of the batch."""
    args, (out, cache, new_mean, new_var) = _bn_forward(
        x, gamma, beta, running_mean, running_var, train, momentum, eps
    )
    if train:
        return out, cache, new_mean, new_var
    x, eps = args[0], args[6]
    x_mu = x - x.mean(axis=0)
    var = np.mean(x_mu**2, axis=0)
    return _normalized(args, train, x_mu, var, 1.0 / np.sqrt(var + eps), (new_mean, new_var))


# ---- batchnorm_backward (5.2) and batchnorm_backward_fast (5.3) ----------------------------
# The staged and the closed-form backward share their catalogue: the same wrong gradient can be
# reached either way. Written in closed form, the right answer is (dx_hat = dout * gamma)
#     dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))      (means over axis 0)
# A variant is its wrong dx beside the reference's dgamma and dbeta.


def _bn_backward(dout, cache):
    """The reference's checks of a training-mode backward: ``(dout, x_hat, inv_std, gamma)``."""
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    return dout, x_hat, inv_std, gamma


def _with_dx(dx, dout, x_hat):
    """``(dx, dgamma, dbeta)``: a variant's ``dx`` with the reference's parameter gradients."""
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.batchnorm_backward", "mean and variance treated as constants")
def batchnorm_backward__mean_var_constant(dout, cache):
    """mu and var are computed from every x_i, so dx has three paths: through x_hat directly,
    through the batch mean and through the batch variance. Only the first is gamma * dout / sqrt(var
    + eps)."""
    dout, x_hat, inv_std, gamma = _bn_backward(dout, cache)
    return _with_dx(dout * gamma * inv_std, dout, x_hat)


@mistake("batchnorm.batchnorm_backward", "variance path missing")
def batchnorm_backward__variance_path_missing(dout, cache):
    """You kept the path through the mean but not the one through the variance: var depends on x too
    (dvar = sum(dx_hat * (x - mu)) * -0.5 * (var + eps)**-1.5)."""
    dout, x_hat, inv_std, gamma = _bn_backward(dout, cache)
    dx_hat = dout * gamma
    return _with_dx(inv_std * (dx_hat - dx_hat.mean(axis=0)), dout, x_hat)


@mistake("batchnorm.batchnorm_backward", "mean path missing")
def batchnorm_backward__mean_path_missing(dout, cache):
    """You kept the path through the variance but not the one through the mean: mu depends on every
    x_i, which is what makes each column of dx sum to zero."""
    dout, x_hat, inv_std, gamma = _bn_backward(dout, cache)
    dx_hat = dout * gamma
    return _with_dx(inv_std * (dx_hat - x_hat * np.mean(dx_hat * x_hat, axis=0)), dout, x_hat)


@mistake("batchnorm.batchnorm_backward", "gamma missing from dx")
def batchnorm_backward__gamma_missing(dout, cache):
    """out = gamma * x_hat + beta, so the gradient reaching x_hat is dout * gamma."""
    dout, x_hat, inv_std, _gamma = _bn_backward(dout, cache)
    dx = inv_std * (dout - dout.mean(axis=0) - x_hat * np.mean(dout * x_hat, axis=0))
    return _with_dx(dx, dout, x_hat)


@mistake("batchnorm.batchnorm_backward", "wrong reduction axis (sums over the features, axis 1)")
def batchnorm_backward__wrong_axis(dout, cache):
    """Batch norm's statistics are per feature, over the batch: every sum of the backward pass runs
    over axis 0 of the (N, D) arrays, and dgamma and dbeta have shape (D,)."""
    dout, x_hat, inv_std, gamma = _bn_backward(dout, cache)
    dx_hat = dout * gamma
    dx = inv_std * (
        dx_hat
        - dx_hat.mean(axis=1, keepdims=True)
        - x_hat * np.mean(dx_hat * x_hat, axis=1, keepdims=True)
    )
    return dx, np.sum(dout * x_hat, axis=1), dout.sum(axis=1)


@mistake("batchnorm.batchnorm_backward", "missing the 1/N of the batch averages")
def batchnorm_backward__no_one_over_n(dout, cache):
    """The mean and the variance are averages over the N samples of the batch: each of their paths
    carries a factor 1/N."""
    dout, x_hat, inv_std, gamma = _bn_backward(dout, cache)
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return _with_dx(dx, dout, x_hat)


# The closed form computes the same gradients as the staged graph, so its known mistakes are the
# same wrong formulas, with the same names and hints.
same_mistakes("batchnorm.batchnorm_backward", "batchnorm.batchnorm_backward_fast")


# ---- fold_batchnorm (5.4) ------------------------------------------------------------------
# A variant is its wrong scale (and where it applies it) after the reference's checks.


@mistake("batchnorm.fold_batchnorm", "folded without gamma")
def fold_batchnorm__without_gamma(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """BN in test mode is gamma * (z - mean) / sqrt(var + eps) + beta: the scale is s = gamma /
    sqrt(var + eps), and it multiplies both W and (b - mean). (One of the slides drops gamma.)"""
    W, b, gamma, beta, mean, var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps
    )
    scale = 1.0 / np.sqrt(var + eps)
    return W * scale, (b - mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "folded without eps")
def fold_batchnorm__without_eps(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """Fold exactly what test-mode BN computes: divide by sqrt(running_var + eps), eps included."""
    W, b, gamma, beta, mean, var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps
    )
    scale = gamma / np.sqrt(var)
    return W * scale, (b - mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "scale applied to the rows of W instead of its columns")
def fold_batchnorm__scale_rows(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """With z = x @ W + b, output unit j is column j of W: scale the columns (W * s, broadcasting
    over rows), not the rows (s[:, None] * W)."""
    W, b, gamma, beta, mean, var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps
    )
    scale = gamma / np.sqrt(var + eps)
    return scale[:, None] * W, (b - mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "divided by the variance instead of the standard deviation")
def fold_batchnorm__divide_by_variance(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """s = gamma / sqrt(running_var + eps): the standard deviation, not the variance."""
    W, b, gamma, beta, mean, var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps
    )
    scale = gamma / (var + eps)
    return W * scale, (b - mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "bias not scaled")
def fold_batchnorm__bias_not_scaled(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """The whole pre-activation z - mean is scaled, bias included: b' = (b - running_mean) * s +
    beta."""
    W_folded, _b_folded = ref.fold_batchnorm(W, b, gamma, beta, running_mean, running_var, eps=eps)
    _W, b, _gamma, beta, mean, _var, _eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps
    )
    return W_folded, b - mean + beta


# ---- layer norm (5.5) ----------------------------------------------------------------------


@mistake("batchnorm.layernorm_forward", "normalized over the batch (that is batch norm)")
def layernorm_forward__batch_axis(x, gamma, beta, *, eps=1e-5):
    """Layer norm normalizes every sample over its own features: reduce over axis 1 with
    keepdims=True, not over axis 0."""
    x, gamma, beta, eps = _check_ln_args(x, gamma, beta, eps)
    x_mu = x - x.mean(axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(x_mu**2, axis=0, keepdims=True) + eps)
    x_hat = x_mu * inv_std
    return gamma * x_hat + beta, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma.copy()}


@mistake("batchnorm.layernorm_backward", "gamma treated as constant along the reduced axis")
def layernorm_backward__gamma_outside(dout, cache):
    """In batch norm gamma is constant along the batch, so it factors out of the sums. In layer norm
    the sums run over the features, where gamma varies: start from dx_hat = dout * gamma and sum
    dx_hat, not dout."""
    _dx, dgamma, dbeta = ref.layernorm_backward(dout, cache)
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    D = dout.shape[1]
    dx = (gamma * inv_std / D) * (
        D * dout
        - dout.sum(axis=1, keepdims=True)
        - x_hat * np.sum(dout * x_hat, axis=1, keepdims=True)
    )
    return dx, dgamma, dbeta


@mistake("batchnorm.layernorm_backward", "dgamma and dbeta not summed over the batch")
def layernorm_backward__dgamma_per_sample(dout, cache):
    """gamma and beta are shared by every sample: their gradients sum over the batch (axis 0) and
    have shape (D,)."""
    dx, _dgamma, _dbeta = ref.layernorm_backward(dout, cache)
    dout = _check_dout(dout, cache)
    return dx, np.sum(dout * cache["x_hat"], axis=1), dout.sum(axis=1)
