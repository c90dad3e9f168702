"""Known mistakes of assignment 08, ``course_ref.monitor``: the initial loss, the whole-model
gradient check (8.1), the diagnosis of a history (8.2), the update-to-weight ratio (8.3)."""

import math

import numpy as np

from autograder.mistakes import mistake
from course_ref.monitor import (
    _history_arrays,
    as_float_array,
    as_label_array,
    check_int,  # noqa: F401
    check_positive,
    numbers,
    relative_error,
)


# ---- expected_initial_loss (8.1) -----------------------------------------------------------


@mistake("monitor.expected_initial_loss", "log10 K instead of ln K")
def expected_initial_loss__log10(n_classes):
    """The cross-entropy uses the natural logarithm: -ln(1/K) = ln K, 2.303 for 10 classes."""
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    return math.log10(n_classes)


@mistake("monitor.expected_initial_loss", "log2 K instead of ln K")
def expected_initial_loss__log2(n_classes):
    """log2 K is the loss in bits; the course's cross-entropy (like PyTorch's and Keras') is in
    nats: ln K."""
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    return math.log2(n_classes)


@mistake("monitor.expected_initial_loss", "the probability 1/K instead of the loss")
def expected_initial_loss__one_over_k(n_classes):
    """Equal scores give every class the probability 1/K; the LOSS is minus its logarithm, -ln(1/K)
    = ln K."""
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    return 1.0 / n_classes


# ---- gradient_check_model (8.1) ------------------------------------------------------------


def _check_model_inputs(model, x, y, h, seed):
    x = as_float_array(x, "x", ndim=2)
    y = as_label_array(y, "y", n=x.shape[0])
    return x, y, check_positive(h, "h"), check_int(seed, "seed", minimum=0)


@mistake("monitor.gradient_check_model", "divided by h instead of 2h")
def gradient_check_model__divide_by_h(model, x, y, *, h=1e-6, seed=0):
    """Central differences span two steps: (L(p + h) - L(p - h)) / (2 h). Dividing by h doubles
    every numerical gradient (relative error 1/3 everywhere)."""
    x, y, h, seed = _check_model_inputs(model, x, y, h, seed)
    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            p[idx] = old - h
            fm = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            p[idx] = old
            num[idx] = (fp - fm) / h
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical


@mistake("monitor.gradient_check_model", "new dropout masks at every evaluation")
def gradient_check_model__masks_not_fixed(model, x, y, *, h=1e-6, seed=0):
    """Pass rng=np.random.default_rng(seed) to EVERY loss_and_grads call: with the model's own
    generator each evaluation draws new dropout masks, and the difference of two losses measures the
    noise, not the slope."""
    x, y, h, seed = _check_model_inputs(model, x, y, h, seed)
    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = model.loss_and_grads(x, y)[0]
            p[idx] = old - h
            fm = model.loss_and_grads(x, y)[0]
            p[idx] = old
            num[idx] = (fp - fm) / (2 * h)
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical


@mistake("monitor.gradient_check_model", "parameter not restored after its perturbation")
def gradient_check_model__no_restore(model, x, y, *, h=1e-6, seed=0):
    """After evaluating L(p_i - h), put the entry back to its old value: otherwise every entry ends
    h below where it was, the model is changed by the check, and the later entries are
    differentiated at the wrong point."""
    x, y, h, seed = _check_model_inputs(model, x, y, h, seed)
    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            p[idx] = old - h
            fm = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            num[idx] = (fp - fm) / (2 * h)
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical


@mistake("monitor.gradient_check_model", "only the weight matrices checked")
def gradient_check_model__weights_only(model, x, y, *, h=1e-6, seed=0):
    """Check EVERY parameter of model.params: a wrong bias (or gamma/beta) gradient is as common a
    bug as a wrong weight gradient."""
    x, y, h, seed = _check_model_inputs(model, x, y, h, seed)
    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        if not name.startswith("W"):
            continue
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            p[idx] = old - h
            fm = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]
            p[idx] = old
            num[idx] = (fp - fm) / (2 * h)
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical


# ---- diagnose_history (8.2) ----------------------------------------------------------------


def _check_thresholds(**thresholds):
    for name, v in thresholds.items():
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a finite number >= 0; got {v!r}")


@mistake("monitor.diagnose_history", "a converged run called a plateau")
def diagnose_history__plateau_at_the_end(
    history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05, linear=0.6, rise=0.01
):
    """A flat END of the curve is what convergence looks like. A plateau is a loss that never fell
    much: compare the last loss with the FIRST, tl[0] - tl[-1] < flat * tl[0]."""
    tl, vl, ta, va, diverged = _history_arrays(history)
    _check_thresholds(
        low_acc=low_acc, max_gap=max_gap, osc_share=osc_share, flat=flat, linear=linear, rise=rise
    )
    if diverged or not np.all(np.isfinite(tl)) or tl[-1] > tl[0]:
        return "diverging"
    E, m = tl.shape[0], (tl.shape[0] - 1) // 2
    if np.sum(tl[1:] > (1 + rise) * tl[:-1]) > osc_share * (E - 1):
        return "oscillating"
    if tl[m] - tl[-1] > linear * (tl[0] - tl[m]):
        return "too slow"
    if tl[m] - tl[-1] < flat * tl[0]:
        return "plateau"
    gap = ta - va
    if gap[-1] > max_gap and gap[-1] > gap[0]:
        return "overfitting"
    if ta[-1] < low_acc:
        return "underfitting"
    return "healthy"


@mistake("monitor.diagnose_history", "the gap rules before the learning-rate rules")
def diagnose_history__gap_first(
    history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05, linear=0.6, rise=0.01
):
    """Rule out the learning rate first (rules 1 to 4): a loss still falling at a steady pace means
    a higher rate or more epochs, not a bigger model; accuracies mean little while the loss diverges
    or bounces."""
    tl, vl, ta, va, diverged = _history_arrays(history)
    _check_thresholds(
        low_acc=low_acc, max_gap=max_gap, osc_share=osc_share, flat=flat, linear=linear, rise=rise
    )
    if diverged or not np.all(np.isfinite(tl)):
        return "diverging"
    gap = ta - va
    if gap[-1] > max_gap and gap[-1] > gap[0]:
        return "overfitting"
    if ta[-1] < low_acc:
        return "underfitting"
    if tl[-1] > tl[0]:
        return "diverging"
    E, m = tl.shape[0], (tl.shape[0] - 1) // 2
    if np.sum(tl[1:] > (1 + rise) * tl[:-1]) > osc_share * (E - 1):
        return "oscillating"
    if tl[m] - tl[-1] > linear * (tl[0] - tl[m]):
        return "too slow"
    if tl[0] - tl[-1] < flat * tl[0]:
        return "plateau"
    return "healthy"


@mistake("monitor.diagnose_history", "diverging only when the loss is NaN")
def diagnose_history__only_nan_diverges(
    history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05, linear=0.6, rise=0.01
):
    """A finite loss that ends above where it started is diverging too (rule 1: tl[-1] > tl[0]); and
    so is a History whose stop_reason is 'diverged'."""
    tl, vl, ta, va, diverged = _history_arrays(history)
    _check_thresholds(
        low_acc=low_acc, max_gap=max_gap, osc_share=osc_share, flat=flat, linear=linear, rise=rise
    )
    if not np.all(np.isfinite(tl)):
        return "diverging"
    E, m = tl.shape[0], (tl.shape[0] - 1) // 2
    if np.sum(tl[1:] > (1 + rise) * tl[:-1]) > osc_share * (E - 1):
        return "oscillating"
    if tl[m] - tl[-1] > linear * (tl[0] - tl[m]):
        return "too slow"
    if tl[0] - tl[-1] < flat * tl[0]:
        return "plateau"
    gap = ta - va
    if gap[-1] > max_gap and gap[-1] > gap[0]:
        return "overfitting"
    if ta[-1] < low_acc:
        return "underfitting"
    return "healthy"


@mistake("monitor.diagnose_history", "the gap measured on the losses")
def diagnose_history__loss_gap(
    history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05, linear=0.6, rise=0.01
):
    """Rules 5 and 6 compare ACCURACIES (ta - va); a validation loss is often above the training
    loss by a constant offset without any overfitting."""
    tl, vl, ta, va, diverged = _history_arrays(history)
    _check_thresholds(
        low_acc=low_acc, max_gap=max_gap, osc_share=osc_share, flat=flat, linear=linear, rise=rise
    )
    if diverged or not np.all(np.isfinite(tl)) or tl[-1] > tl[0]:
        return "diverging"
    E, m = tl.shape[0], (tl.shape[0] - 1) // 2
    if np.sum(tl[1:] > (1 + rise) * tl[:-1]) > osc_share * (E - 1):
        return "oscillating"
    if tl[m] - tl[-1] > linear * (tl[0] - tl[m]):
        return "too slow"
    if tl[0] - tl[-1] < flat * tl[0]:
        return "plateau"
    gap = vl - tl
    if gap[-1] > max_gap and gap[-1] > gap[0]:
        return "overfitting"
    if ta[-1] < low_acc:
        return "underfitting"
    return "healthy"


# ---- update_to_weight_ratios (8.3) ---------------------------------------------------------


def _check_pair(params_before, params_after):
    before = {k: as_float_array(v, f"params_before[{k!r}]") for k, v in params_before.items()}
    after = {k: as_float_array(v, f"params_after[{k!r}]") for k, v in params_after.items()}
    return before, after


@mistake("monitor.update_to_weight_ratios", "divided by the new weights")
def update_to_weight_ratios__over_after(params_before, params_after):
    """The ratio compares the update with the weights it was applied to: ||after - before|| /
    ||before||."""
    before, after = _check_pair(params_before, params_after)
    return {
        k: float(np.linalg.norm(after[k] - before[k]) / np.linalg.norm(after[k]))
        for k in before
        if k.startswith("W")
    }


@mistake("monitor.update_to_weight_ratios", "ratio of squared norms")
def update_to_weight_ratios__squared(params_before, params_after):
    """Use the norms themselves, not their squares: ||dW|| / ||W|| (about 1e-3 is healthy; the
    squared ratio would be about 1e-6)."""
    before, after = _check_pair(params_before, params_after)
    return {
        k: float(np.sum((after[k] - before[k]) ** 2) / np.sum(before[k] ** 2))
        for k in before
        if k.startswith("W")
    }


@mistake("monitor.update_to_weight_ratios", "mean of the entrywise ratios")
def update_to_weight_ratios__entrywise(params_before, params_after):
    """Compare whole matrices, ||after - before|| / ||before|| with Frobenius norms: an entrywise
    |dW_ij| / |W_ij| explodes on the weights that happen to be near 0."""
    before, after = _check_pair(params_before, params_after)
    return {
        k: float(np.mean(np.abs(after[k] - before[k]) / np.abs(before[k])))
        for k in before
        if k.startswith("W")
    }


@mistake("monitor.update_to_weight_ratios", "biases and normalization parameters included")
def update_to_weight_ratios__all_parameters(params_before, params_after):
    """Only the weight matrices (keys starting with 'W') have a scale to compare an update with;
    biases start at 0."""
    before, after = _check_pair(params_before, params_after)
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            k: float(np.linalg.norm(after[k] - before[k]) / np.linalg.norm(before[k]))
            for k in before
        }
