"""Known mistakes of assignment 01, losses (tasks 1.3 softmax/cross-entropy, 1.4 regression, 0-1).

A variant whose gradient is the reference's up to a sign or a factor 2 wraps the reference
(``ref.<name>``); the others compute their wrong part from the reference's checked inputs.
"""

from __future__ import annotations

import numpy as np
from course_ref import losses as ref
from course_ref.losses import _check_labels, _check_pair, as_float_array, as_label_array

from autograder.mistakes import mistake

# ---- softmax (1.3) -------------------------------------------------------------------------


@mistake("losses.softmax", "no max-subtraction (overflows for large scores)")
def softmax__no_shift(scores):
    """exp(1000) = inf and inf / inf = nan. Subtract each row's maximum before exponentiating: the
    result is mathematically the same and never overflows."""
    scores = as_float_array(scores, "scores", ndim=2)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


@mistake("losses.softmax", "normalized over the batch (axis 0) instead of the classes")
def softmax__wrong_axis(scores):
    """Each ROW (one example) must sum to 1: sum over axis=1 with keepdims=True."""
    scores = as_float_array(scores, "scores", ndim=2)
    e = np.exp(scores - scores.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


@mistake("losses.softmax", "global max and sum over the whole array")
def softmax__global(scores):
    """Softmax is per example: take the maximum and the sum of each row (axis=1, keepdims=True), not
    of the whole array."""
    scores = as_float_array(scores, "scores", ndim=2)
    e = np.exp(scores - scores.max())
    return e / e.sum()


# ---- softmax_cross_entropy (1.3) -----------------------------------------------------------


def _cross_entropy_parts(scores, y):
    """The reference's checks, then ``(rows, y, probs, logp_true)``: the softmax of every row and
    the log-probability of each row's true class (log-sum-exp form)."""
    scores = as_float_array(scores, "scores", ndim=2)
    y = _check_labels(y, scores.shape[0], scores.shape[1])
    shifted = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    rows = np.arange(scores.shape[0])
    logp_true = (shifted - np.log(e.sum(axis=1, keepdims=True)))[rows, y]
    return rows, y, e / e.sum(axis=1, keepdims=True), logp_true


def _minus_onehot(probs, rows, y):
    """``probs - onehot(y)``, not divided by N."""
    d = probs.copy()
    d[rows, y] -= 1
    return d


@mistake("losses.softmax_cross_entropy", "cross-entropy summed instead of averaged")
def softmax_cross_entropy__summed(scores, y):
    """The course's losses are means over the batch: divide the summed -log p by N, and the gradient
    too, so the learning rate does not depend on the batch size."""
    rows, y, probs, logp_true = _cross_entropy_parts(scores, y)
    return float(-logp_true.sum()), _minus_onehot(probs, rows, y)


@mistake("losses.softmax_cross_entropy", "dscores not divided by N")
def softmax_cross_entropy__grad_not_averaged(scores, y):
    """The loss is a mean over N examples, so its gradient is (softmax - onehot) / N."""
    rows, y, probs, logp_true = _cross_entropy_parts(scores, y)
    return float(-logp_true.mean()), _minus_onehot(probs, rows, y)


@mistake("losses.softmax_cross_entropy", "gradient without the - onehot(y) term")
def softmax_cross_entropy__no_onehot(scores, y):
    """d(-log p_y)/ds = softmax(s) - onehot(y): subtract 1 at the true class of each row."""
    rows, y, probs, logp_true = _cross_entropy_parts(scores, y)
    return float(-logp_true.mean()), probs / rows.size


@mistake("losses.softmax_cross_entropy", "log of the softmax (log(0) for large scores)")
def softmax_cross_entropy__log_of_softmax(scores, y):
    """log(softmax(s)) underflows to log(0) = -inf when a score is far below the maximum. Use the
    log-sum-exp form: log p_c = s_c - max(s) - log(sum(exp(s - max(s))))."""
    rows, y, probs, _ = _cross_entropy_parts(scores, y)
    return float(-np.log(probs[rows, y]).mean()), ref.softmax_cross_entropy(scores, y)[1]


@mistake("losses.softmax_cross_entropy", "cross-entropy with log base 10")
def softmax_cross_entropy__log10(scores, y):
    """The course's cross-entropy uses the natural logarithm (np.log), as does its gradient softmax
    - onehot."""
    _, _, _, logp_true = _cross_entropy_parts(scores, y)
    return float(-(logp_true / np.log(10)).mean()), ref.softmax_cross_entropy(scores, y)[1]


# ---- regression (1.4) ----------------------------------------------------------------------


def _residual(pred, target):
    """The reference's checks, then ``pred - target``."""
    pred, target = _check_pair(pred, target)
    return pred - target


@mistake("losses.mse_loss", "MSE gradient without the factor 2")
def mse_loss__no_factor_two(pred, target):
    """d/dp (p - t)**2 = 2 (p - t): dpred = 2 * (pred - target) / N."""
    loss, dpred = ref.mse_loss(pred, target)
    return loss, dpred / 2.0


@mistake("losses.mse_loss", "MSE averaged over every entry (N * K) instead of over the batch")
def mse_loss__mean_all(pred, target):
    """The course's MSE is the mean over the N examples of each example's SUM of squared errors over
    its K outputs (this is what gives the lecture's 0.81 and 0.34): divide by N only."""
    diff = _residual(pred, target)
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


@mistake("losses.mse_loss", "MSE summed over the batch")
def mse_loss__summed(pred, target):
    """Average over the batch: divide the summed squared errors (and the gradient) by N."""
    diff = _residual(pred, target)
    return float(np.sum(diff * diff)), 2.0 * diff


@mistake("losses.mse_loss", "MSE gradient with the wrong sign (target - pred)")
def mse_loss__wrong_sign(pred, target):
    """d/dp (p - t)**2 = 2 (p - t): the gradient points from the target to the prediction."""
    loss, dpred = ref.mse_loss(pred, target)
    return loss, -dpred


@mistake("losses.mae_loss", "MAE gradient not divided by N")
def mae_loss__grad_not_averaged(pred, target):
    """The loss is a mean over N examples: dpred = sign(pred - target) / N."""
    return ref.mae_loss(pred, target)[0], np.sign(_residual(pred, target))


@mistake("losses.mae_loss", "MAE averaged over every entry (N * K)")
def mae_loss__mean_all(pred, target):
    """Like MSE, the course's MAE divides the summed absolute errors by N only."""
    diff = _residual(pred, target)
    return float(np.mean(np.abs(diff))), np.sign(diff) / diff.size


# ---- zero_one_error (1.4) ------------------------------------------------------------------


@mistake("losses.zero_one_error", "accuracy returned instead of the error")
def zero_one_error__accuracy(pred_labels, y):
    """The 0-1 error is the fraction of WRONG labels, 1 - accuracy."""
    pred_labels = as_label_array(pred_labels, "pred_labels")
    y = as_label_array(y, "y", n=pred_labels.shape[0])
    return float(np.mean(pred_labels == y))


@mistake("losses.zero_one_error", "count of errors instead of the fraction")
def zero_one_error__count(pred_labels, y):
    """Divide the number of wrong labels by N: the 0-1 error is a fraction in [0, 1]."""
    pred_labels = as_label_array(pred_labels, "pred_labels")
    y = as_label_array(y, "y", n=pred_labels.shape[0])
    return float(np.sum(pred_labels != y))
