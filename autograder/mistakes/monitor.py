"""Known mistakes of assignment 08, ``course_ref.monitor``: the initial loss, the whole-model
gradient check (8.1), the diagnosis of a history (8.2), the update-to-weight ratio (8.3).

The gradient check's variants are the reference's loop with one step done wrong
(``_gradient_check``); the diagnosis' variants replace one of the reference's rules or their order
(``_Rules``); the ratios' variants are their wrong ratio after the reference's checks (``_ratios``).
"""

import math

import numpy as np
from course_ref import monitor as ref
from course_ref.monitor import (
    _history_arrays,
    as_float_array,
    as_label_array,
    check_int,
    check_positive,
    numbers,
    relative_error,
)

from autograder.mistakes import mistake

# ---- expected_initial_loss (8.1) -----------------------------------------------------------


@mistake("monitor.expected_initial_loss", "log10 K instead of ln K")
def expected_initial_loss__log10(n_classes):
    """The cross-entropy uses the natural logarithm: -ln(1/K) = ln K, 2.303 for 10 classes."""
    return math.log10(check_int(n_classes, "n_classes", minimum=2))


@mistake("monitor.expected_initial_loss", "log2 K instead of ln K")
def expected_initial_loss__log2(n_classes):
    """log2 K is the loss in bits; the course's cross-entropy (like PyTorch's and Keras') is in
    nats: ln K."""
    return math.log2(check_int(n_classes, "n_classes", minimum=2))


@mistake("monitor.expected_initial_loss", "the probability 1/K instead of the loss")
def expected_initial_loss__one_over_k(n_classes):
    """Equal scores give every class the probability 1/K; the LOSS is minus its logarithm, -ln(1/K)
    = ln K."""
    return 1.0 / check_int(n_classes, "n_classes", minimum=2)


# ---- gradient_check_model (8.1) ------------------------------------------------------------


def _gradient_check(model, x, y, h, seed, *, fixed_masks=True, span=2, restore=True, only=None):
    """The reference's whole-model gradient check with one step done wrong: the loss drawn with
    the model's own generator (``fixed_masks=False``), divided by ``span * h``, the entry left
    perturbed (``restore=False``), or only the parameters whose name starts with ``only``."""
    x = as_float_array(x, "x", ndim=2)
    y = as_label_array(y, "y", n=x.shape[0])
    h, seed = check_positive(h, "h"), check_int(seed, "seed", minimum=0)

    def loss():
        if not fixed_masks:
            return model.loss_and_grads(x, y)[0]
        return model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]

    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        if only is not None and not name.startswith(only):
            continue
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            p[idx] = old + h
            fp = loss()
            p[idx] = old - h
            fm = loss()
            if restore:
                p[idx] = old
            num[idx] = (fp - fm) / (span * h)
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical


@mistake("monitor.gradient_check_model", "divided by h instead of 2h")
def gradient_check_model__divide_by_h(model, x, y, *, h=1e-6, seed=0):
    """Central differences span two steps: (L(p + h) - L(p - h)) / (2 h). Dividing by h doubles
    every numerical gradient (relative error 1/3 everywhere)."""
    return _gradient_check(model, x, y, h, seed, span=1)


@mistake("monitor.gradient_check_model", "new dropout masks at every evaluation")
def gradient_check_model__masks_not_fixed(model, x, y, *, h=1e-6, seed=0):
    """Pass rng=np.random.default_rng(seed) to EVERY loss_and_grads call: with the model's own
    generator each evaluation draws new dropout masks, and the difference of two losses measures the
    noise, not the slope."""
    return _gradient_check(model, x, y, h, seed, fixed_masks=False)


@mistake("monitor.gradient_check_model", "parameter not restored after its perturbation")
def gradient_check_model__no_restore(model, x, y, *, h=1e-6, seed=0):
    """After evaluating L(p_i - h), put the entry back to its old value: otherwise every entry ends
    h below where it was, the model is changed by the check, and the later entries are
    differentiated at the wrong point."""
    return _gradient_check(model, x, y, h, seed, restore=False)


@mistake("monitor.gradient_check_model", "only the weight matrices checked")
def gradient_check_model__weights_only(model, x, y, *, h=1e-6, seed=0):
    """Check EVERY parameter of model.params: a wrong bias (or gamma/beta) gradient is as common a
    bug as a wrong weight gradient."""
    return _gradient_check(model, x, y, h, seed, only="W")


# ---- diagnose_history (8.2) ----------------------------------------------------------------


class _Rules:
    """The reference's rules over one history, after its checks; ``diagnosis()`` names the first
    that holds, in the reference's order, with the rules a variant replaces."""

    def __init__(
        self, history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05, linear=0.6, rise=0.01
    ):
        self.tl, self.vl, self.ta, self.va, self.diverged = _history_arrays(history)
        thresholds = {"low_acc": low_acc, "max_gap": max_gap, "osc_share": osc_share}
        thresholds.update(flat=flat, linear=linear, rise=rise)
        for name, v in thresholds.items():
            real = isinstance(v, numbers.Real) and not isinstance(v, bool)
            if not real or not np.isfinite(v) or v < 0:
                raise ValueError(f"{name} must be a finite number >= 0; got {v!r}")
        self.low_acc, self.max_gap, self.osc_share = low_acc, max_gap, osc_share
        self.flat, self.linear, self.rise = flat, linear, rise
        self.E, self.m = self.tl.shape[0], (self.tl.shape[0] - 1) // 2

    def diagnosis(self, **replaced):
        """The first rule that holds; ``replaced`` maps a rule's name to a variant's rule."""
        order = ("diverging", "oscillating", "too slow", "plateau", "overfitting", "underfitting")
        for name in order:
            rule = replaced.get(name.replace(" ", "_"), getattr(type(self), name.replace(" ", "_")))
            if rule(self):
                return name
        return "healthy"

    def diverging(self):
        return self.diverged or not np.all(np.isfinite(self.tl)) or self.tl[-1] > self.tl[0]

    def oscillating(self):
        tl = self.tl
        return np.sum(tl[1:] > (1 + self.rise) * tl[:-1]) > self.osc_share * (self.E - 1)

    def too_slow(self):
        tl, m = self.tl, self.m
        return tl[m] - tl[-1] > self.linear * (tl[0] - tl[m])

    def plateau(self):
        return self.tl[0] - self.tl[-1] < self.flat * self.tl[0]

    def overfitting(self, gap=None):
        gap = self.ta - self.va if gap is None else gap
        return gap[-1] > self.max_gap and gap[-1] > gap[0]

    def underfitting(self):
        return self.ta[-1] < self.low_acc


@mistake("monitor.diagnose_history", "a converged run called a plateau")
def diagnose_history__plateau_at_the_end(history, **thresholds):
    """A flat END of the curve is what convergence looks like. A plateau is a loss that never fell
    much: compare the last loss with the FIRST, tl[0] - tl[-1] < flat * tl[0]."""
    plateau = lambda r: r.tl[r.m] - r.tl[-1] < r.flat * r.tl[0]
    return _Rules(history, **thresholds).diagnosis(plateau=plateau)


@mistake("monitor.diagnose_history", "the gap rules before the learning-rate rules")
def diagnose_history__gap_first(history, **thresholds):
    """Rule out the learning rate first (rules 1 to 4): a loss still falling at a steady pace means
    a higher rate or more epochs, not a bigger model; accuracies mean little while the loss diverges
    or bounces."""
    rules = _Rules(history, **thresholds)
    if rules.diverged or not np.all(np.isfinite(rules.tl)):
        return "diverging"
    if rules.overfitting():
        return "overfitting"
    if rules.underfitting():
        return "underfitting"
    return rules.diagnosis()


@mistake("monitor.diagnose_history", "diverging only when the loss is NaN")
def diagnose_history__only_nan_diverges(history, **thresholds):
    """A finite loss that ends above where it started is diverging too (rule 1: tl[-1] > tl[0]); and
    so is a History whose stop_reason is 'diverged'."""
    diverging = lambda r: not np.all(np.isfinite(r.tl))
    return _Rules(history, **thresholds).diagnosis(diverging=diverging)


@mistake("monitor.diagnose_history", "the gap measured on the losses")
def diagnose_history__loss_gap(history, **thresholds):
    """Rules 5 and 6 compare ACCURACIES (ta - va); a validation loss is often above the training
    loss by a constant offset without any overfitting."""
    overfitting = lambda r: r.overfitting(gap=r.vl - r.tl)
    return _Rules(history, **thresholds).diagnosis(overfitting=overfitting)


# ---- update_to_weight_ratios (8.3) ---------------------------------------------------------


def _ratios(params_before, params_after, ratio, keys=lambda k: k.startswith("W")):
    """A variant's ``ratio(before, after)`` of every parameter named by ``keys``, after the
    reference's checks."""
    ref.update_to_weight_ratios(params_before, params_after)
    before = {k: as_float_array(v, f"params_before[{k!r}]") for k, v in params_before.items()}
    after = {k: as_float_array(v, f"params_after[{k!r}]") for k, v in params_after.items()}
    return {k: float(ratio(before[k], after[k])) for k in before if keys(k)}


@mistake("monitor.update_to_weight_ratios", "divided by the new weights")
def update_to_weight_ratios__over_after(params_before, params_after):
    """The ratio compares the update with the weights it was applied to: ||after - before|| /
    ||before||."""
    ratio = lambda b, a: np.linalg.norm(a - b) / np.linalg.norm(a)
    return _ratios(params_before, params_after, ratio)


@mistake("monitor.update_to_weight_ratios", "ratio of squared norms")
def update_to_weight_ratios__squared(params_before, params_after):
    """Use the norms themselves, not their squares: ||dW|| / ||W|| (about 1e-3 is healthy; the
    squared ratio would be about 1e-6)."""
    ratio = lambda b, a: np.sum((a - b) ** 2) / np.sum(b**2)
    return _ratios(params_before, params_after, ratio)


@mistake("monitor.update_to_weight_ratios", "mean of the entrywise ratios")
def update_to_weight_ratios__entrywise(params_before, params_after):
    """Compare whole matrices, ||after - before|| / ||before|| with Frobenius norms: an entrywise
    |dW_ij| / |W_ij| explodes on the weights that happen to be near 0."""
    ratio = lambda b, a: np.mean(np.abs(a - b) / np.abs(b))
    return _ratios(params_before, params_after, ratio)


@mistake("monitor.update_to_weight_ratios", "biases and normalization parameters included")
def update_to_weight_ratios__all_parameters(params_before, params_after):
    """Only the weight matrices (keys starting with 'W') have a scale to compare an update with;
    biases start at 0."""
    ratio = lambda b, a: np.linalg.norm(a - b) / np.linalg.norm(b)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _ratios(params_before, params_after, ratio, keys=lambda k: True)
