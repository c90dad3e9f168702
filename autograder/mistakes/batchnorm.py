"""Known mistakes of assignment 05 (batch norm, folding, layer norm): wrong variants of the reference.

Each variant keeps the reference's input checks and cache layout and changes only the mistake, so
the rest of the reference (the backward passes read the forward's cache) still runs around it.
"""

from __future__ import annotations

import numpy as np

from autograder.mistakes import mistake, same_mistakes
from course_ref.batchnorm import (  # noqa: F401 - the module-level names a variant may use
    _check_bn_args,
    _check_dout,
    _check_fold_args,
    _check_ln_args,
)


# ============================================================================ batchnorm_forward

@mistake("batchnorm.batchnorm_forward", "unbiased variance (divided by N - 1)",
         hint="Batch norm normalizes with the biased batch variance, mean((x - mu)**2) over the "
              "batch: divide by N (np.var's default ddof=0), not N - 1.")
def batchnorm_forward__unbiased_variance(x, gamma, beta, running_mean, running_var, *, train=True,
                                         momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = x.var(axis=0, ddof=1)
        inv_std = 1.0 / np.sqrt(var + eps)
        x_hat = x_mu * inv_std
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * var
    else:
        x_mu = x - running_mean
        var = running_var
        inv_std = 1.0 / np.sqrt(running_var + eps)
        x_hat = x_mu * inv_std
        new_m, new_v = running_mean.copy(), running_var.copy()
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "eps outside the square root",
         hint="Normalize by sqrt(var + eps): eps belongs inside the square root, not added to "
              "the standard deviation afterwards.")
def batchnorm_forward__eps_outside_sqrt(x, gamma, beta, running_mean, running_var, *, train=True,
                                        momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu ** 2, axis=0)
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * var
    else:
        x_mu = x - running_mean
        var = running_var
        new_m, new_v = running_mean.copy(), running_var.copy()
    inv_std = 1.0 / (np.sqrt(var) + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "divided by the variance instead of the standard deviation",
         hint="x_hat = (x - mu) / sqrt(var + eps). Dividing by the variance (a slide erratum) "
              "does not give unit variance.")
def batchnorm_forward__divide_by_variance(x, gamma, beta, running_mean, running_var, *, train=True,
                                          momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu ** 2, axis=0)
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * var
    else:
        x_mu = x - running_mean
        var = running_var
        new_m, new_v = running_mean.copy(), running_var.copy()
    inv_std = 1.0 / (var + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "statistics over the wrong axis (per sample, axis 1)",
         hint="Batch norm averages each feature over the batch: reduce over axis 0 of x (N, D). "
              "Averaging each sample over its features (axis 1) is layer norm.")
def batchnorm_forward__wrong_axis(x, gamma, beta, running_mean, running_var, *, train=True,
                                  momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=1, keepdims=True)
        x_mu = x - mu
        var = np.mean(x_mu ** 2, axis=1, keepdims=True)
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * var
    else:
        x_mu = x - running_mean
        var = running_var
        new_m, new_v = running_mean.copy(), running_var.copy()
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "running statistics with the momentum reversed",
         hint="The convention here is new = momentum * old + (1 - momentum) * batch: momentum is "
              "the weight of the OLD estimate (PyTorch's momentum means the opposite).")
def batchnorm_forward__momentum_reversed(x, gamma, beta, running_mean, running_var, *, train=True,
                                         momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu ** 2, axis=0)
        new_m = (1.0 - momentum) * running_mean + momentum * mu
        new_v = (1.0 - momentum) * running_var + momentum * var
    else:
        x_mu = x - running_mean
        var = running_var
        new_m, new_v = running_mean.copy(), running_var.copy()
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "standard deviation stored as the running variance",
         hint="running_var averages the batch VARIANCE mean((x - mu)**2), not its standard "
              "deviation; test mode takes sqrt(running_var + eps) itself.")
def batchnorm_forward__std_as_variance(x, gamma, beta, running_mean, running_var, *, train=True,
                                       momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    if train:
        mu = x.mean(axis=0)
        x_mu = x - mu
        var = np.mean(x_mu ** 2, axis=0)
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * np.sqrt(var + eps)
    else:
        x_mu = x - running_mean
        var = running_var
        new_m, new_v = running_mean.copy(), running_var.copy()
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "running statistics updated in test mode",
         hint="Test mode must not change the running statistics: return them as they came in. "
              "Only training batches update them.")
def batchnorm_forward__updates_in_test_mode(x, gamma, beta, running_mean, running_var, *, train=True,
                                            momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    mu = x.mean(axis=0)
    batch_var = np.mean((x - mu) ** 2, axis=0)
    new_m = momentum * running_mean + (1.0 - momentum) * mu
    new_v = momentum * running_var + (1.0 - momentum) * batch_var
    if train:
        x_mu, var = x - mu, batch_var
    else:
        x_mu, var = x - running_mean, running_var
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


@mistake("batchnorm.batchnorm_forward", "batch statistics used at test time",
         hint="In test mode normalize with running_mean and running_var, not with the statistics "
              "of the test batch: a prediction must not depend on the other samples of the batch.")
def batchnorm_forward__batch_stats_at_test(x, gamma, beta, running_mean, running_var, *, train=True,
                                           momentum=0.9, eps=1e-5):
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    mu = x.mean(axis=0)
    x_mu = x - mu
    var = np.mean(x_mu ** 2, axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    if train:
        new_m = momentum * running_mean + (1.0 - momentum) * mu
        new_v = momentum * running_var + (1.0 - momentum) * var
    else:
        new_m, new_v = running_mean.copy(), running_var.copy()
    cache = {"x_hat": x_hat, "x_mu": x_mu, "var": var, "inv_std": inv_std, "gamma": gamma.copy(),
             "eps": eps, "train": bool(train)}
    return gamma * x_hat + beta, cache, new_m, new_v


# ============================================================================ batchnorm_backward
# The staged and the closed-form backward share their catalogue: the same wrong gradient can be
# reached either way. Written in closed form, the right answer is (dx_hat = dout * gamma)
#     dx = inv_std * (dx_hat - mean(dx_hat) - x_hat * mean(dx_hat * x_hat))      (means over axis 0)
# Each variant is a top-level function so the demo class can splice it into the reference.

@mistake("batchnorm.batchnorm_backward", "mean and variance treated as constants",
         hint="mu and var are computed from every x_i, so dx has three paths: through x_hat "
                  "directly, through the batch mean and through the batch variance. Only the "
                  "first is gamma * dout / sqrt(var + eps).")
def batchnorm_backward__mean_var_constant(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx = dout * gamma * inv_std
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.batchnorm_backward", "variance path missing",
         hint="You kept the path through the mean but not the one through the variance: var "
                  "depends on x too (dvar = sum(dx_hat * (x - mu)) * -0.5 * (var + eps)**-1.5).")
def batchnorm_backward__variance_path_missing(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.mean(axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.batchnorm_backward", "mean path missing",
         hint="You kept the path through the variance but not the one through the mean: mu "
                  "depends on every x_i, which is what makes each column of dx sum to zero.")
def batchnorm_backward__mean_path_missing(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - x_hat * np.mean(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.batchnorm_backward", "gamma missing from dx",
         hint="out = gamma * x_hat + beta, so the gradient reaching x_hat is dout * gamma.")
def batchnorm_backward__gamma_missing(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std = cache["x_hat"], cache["inv_std"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx = inv_std * (dout - dout.mean(axis=0) - x_hat * np.mean(dout * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.batchnorm_backward", "wrong reduction axis (sums over the features, axis 1)",
         hint="Batch norm's statistics are per feature, over the batch: every sum of the "
                  "backward pass runs over axis 0 of the (N, D) arrays, and dgamma and dbeta "
                  "have shape (D,).")
def batchnorm_backward__wrong_axis(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.mean(axis=1, keepdims=True)
                    - x_hat * np.mean(dx_hat * x_hat, axis=1, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=1), dout.sum(axis=1)


@mistake("batchnorm.batchnorm_backward", "missing the 1/N of the batch averages",
         hint="The mean and the variance are averages over the N samples of the batch: each "
                  "of their paths carries a factor 1/N.")
def batchnorm_backward__no_one_over_n(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    if not cache["train"] or dout.shape != x_hat.shape:
        raise ValueError("dout must match a training-mode forward pass")
    dx_hat = dout * gamma
    dx = inv_std * (dx_hat - dx_hat.sum(axis=0) - x_hat * np.sum(dx_hat * x_hat, axis=0))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


# The closed form computes the same gradients as the staged graph, so its known mistakes are the
# same wrong formulas, with the same names and hints.
same_mistakes("batchnorm.batchnorm_backward", "batchnorm.batchnorm_backward_fast")


# ============================================================================ fold_batchnorm

@mistake("batchnorm.fold_batchnorm", "folded without gamma",
         hint="BN in test mode is gamma * (z - mean) / sqrt(var + eps) + beta: the scale is "
              "s = gamma / sqrt(var + eps), and it multiplies both W and (b - mean). (One of the "
              "slides drops gamma.)")
def fold_batchnorm__without_gamma(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    scale = 1.0 / np.sqrt(running_var + eps)
    return W * scale, (b - running_mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "folded without eps",
         hint="Fold exactly what test-mode BN computes: divide by sqrt(running_var + eps), "
              "eps included.")
def fold_batchnorm__without_eps(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    scale = gamma / np.sqrt(running_var)
    return W * scale, (b - running_mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "scale applied to the rows of W instead of its columns",
         hint="With z = x @ W + b, output unit j is column j of W: scale the columns "
              "(W * s, broadcasting over rows), not the rows (s[:, None] * W).")
def fold_batchnorm__scale_rows(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    scale = gamma / np.sqrt(running_var + eps)
    return scale[:, None] * W, (b - running_mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "divided by the variance instead of the standard deviation",
         hint="s = gamma / sqrt(running_var + eps): the standard deviation, not the variance.")
def fold_batchnorm__divide_by_variance(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    scale = gamma / (running_var + eps)
    return W * scale, (b - running_mean) * scale + beta


@mistake("batchnorm.fold_batchnorm", "bias not scaled",
         hint="The whole pre-activation z - mean is scaled, bias included: "
              "b' = (b - running_mean) * s + beta.")
def fold_batchnorm__bias_not_scaled(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    scale = gamma / np.sqrt(running_var + eps)
    return W * scale, b - running_mean + beta


# ============================================================================ layer norm

@mistake("batchnorm.layernorm_forward", "normalized over the batch (that is batch norm)",
         hint="Layer norm normalizes every sample over its own features: reduce over axis 1 "
              "with keepdims=True, not over axis 0.")
def layernorm_forward__batch_axis(x, gamma, beta, *, eps=1e-5):
    x, gamma, beta, eps = _check_ln_args(x, gamma, beta, eps)
    mu = x.mean(axis=0, keepdims=True)
    x_mu = x - mu
    var = np.mean(x_mu ** 2, axis=0, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = x_mu * inv_std
    return gamma * x_hat + beta, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma.copy()}


@mistake("batchnorm.layernorm_backward", "gamma treated as constant along the reduced axis",
         hint="In batch norm gamma is constant along the batch, so it factors out of the sums. "
              "In layer norm the sums run over the features, where gamma varies: start from "
              "dx_hat = dout * gamma and sum dx_hat, not dout.")
def layernorm_backward__gamma_outside(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    D = dout.shape[1]
    dx = (gamma * inv_std / D) * (D * dout - dout.sum(axis=1, keepdims=True)
                                  - x_hat * np.sum(dout * x_hat, axis=1, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=0), dout.sum(axis=0)


@mistake("batchnorm.layernorm_backward", "dgamma and dbeta not summed over the batch",
         hint="gamma and beta are shared by every sample: their gradients sum over the batch "
              "(axis 0) and have shape (D,).")
def layernorm_backward__dgamma_per_sample(dout, cache):
    dout = _check_dout(dout, cache)
    x_hat, inv_std, gamma = cache["x_hat"], cache["inv_std"], cache["gamma"]
    D = dout.shape[1]
    dx_hat = dout * gamma
    dx = (inv_std / D) * (D * dx_hat - dx_hat.sum(axis=1, keepdims=True)
                          - x_hat * np.sum(dx_hat * x_hat, axis=1, keepdims=True))
    return dx, np.sum(dout * x_hat, axis=1), dout.sum(axis=1)
