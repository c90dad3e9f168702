"""Babysitting a training run: sanity checks, reading the curves, the update-to-weight ratio
(assignment 08).

Before training (Task 8.1):

- the loss at initialization. A softmax classifier whose scores are all about equal predicts
  ``1/K`` for each of ``K`` classes, so its mean cross-entropy is ``-ln(1/K) = ln K`` (2.303 for
  10 classes). An initial loss far above ``ln K`` means over-confident initial scores (weights
  too large); well below it, a bug (labels leaking in, a loss averaged wrongly).
- a gradient check of the whole model: every parameter's gradient from backpropagation against
  central differences of the model's own loss.
- (in the notebook) overfitting a tiny subset: a correct model and training loop reach ~100%
  training accuracy on 20 examples; one that cannot has a bug.

While training:

- :func:`diagnose_history` (Task 8.2) reads the train/validation curves and names what they
  show, with rules stated exactly in its docstring.
- :func:`update_to_weight_ratios` (Task 8.3): the size of one update of a weight matrix relative
  to the weights, ``||dW|| / ||W||``. Karpathy's rule of thumb (CS231n) wants about ``1e-3``:
  much smaller (1e-5) and the layer barely learns (rate too low), much larger (1e-1) and it is
  rewritten at every step (rate too high).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from ._validate import as_float_array, as_label_array, check_int, check_positive
from .gradcheck import relative_error  # noqa: F401  (for Task 8.1)

__all__ = ["expected_initial_loss", "gradient_check_model", "diagnose_history",
           "update_to_weight_ratios", "DIAGNOSES"]

#: What :func:`diagnose_history` can say, in the order of its rules.
DIAGNOSES = ("diverging", "oscillating", "too slow", "plateau", "overfitting", "underfitting",
             "healthy")


def expected_initial_loss(n_classes):
    """Mean softmax cross-entropy of a classifier that gives every class the same score
    (Task 8.1).

    Parameters
    ----------
    n_classes : int >= 2
        Number of classes K.

    Returns
    -------
    loss : float
        ``ln K`` (natural logarithm: the course's cross-entropy uses ``ln``).
    """
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    ### BEGIN SOLUTION
    return math.log(n_classes)
    ### END SOLUTION


def gradient_check_model(model, x, y, *, h=1e-6, seed=0):
    """Check every gradient of a whole model against central differences (Task 8.1).

    For every parameter ``name`` of ``model.params`` and every entry ``i`` of it, the numerical
    gradient is ``(L(p_i + h) - L(p_i - h)) / (2 h)``, where ``L`` is the training-mode loss
    ``model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]``: a generator seeded the
    same at every evaluation gives the same dropout masks, so ``L`` is a fixed function of the
    parameters. Perturb the entry in place and put back its exact old value afterwards.

    Parameters
    ----------
    model : course_lib.model.MLP
        Anything with a dict ``params`` of float64 arrays and ``loss_and_grads(x, y, rng=...)``.
    x : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    h : float > 0, default 1e-6
        Finite-difference step.
    seed : int >= 0, default 0
        Seed of the generator passed to every ``loss_and_grads`` call.

    Returns
    -------
    errors : dict of str to float
        For every key of ``model.params`` (biases, gamma and beta too), the relative error
        ``||a - n|| / (||a|| + ||n||)`` of the analytic gradient ``a`` (from one call of
        ``loss_and_grads`` with the same seed) and the numerical one ``n``, norms over the whole
        array (``course_lib.gradcheck.relative_error``). Below ~1e-7 is right in float64.
    numerical : dict of str to ndarray
        The numerical gradient of every parameter, shape of the parameter.

    Notes
    -----
    ``model.params`` is unchanged on return. Batch norm's running statistics (``model.state``)
    are updated by every training-mode evaluation; they do not enter the training-mode loss.
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_label_array(y, "y", n=x.shape[0])
    h = check_positive(h, "h")
    seed = check_int(seed, "seed", minimum=0)
    for name, p in model.params.items():
        if not isinstance(p, np.ndarray) or p.dtype != np.float64:
            raise TypeError(f"parameter {name!r} must be a float64 array for a gradient check; "
                            f"got {getattr(p, 'dtype', type(p).__name__)}")
    ### BEGIN SOLUTION
    def loss():
        return model.loss_and_grads(x, y, rng=np.random.default_rng(seed))[0]

    _, analytic = model.loss_and_grads(x, y, rng=np.random.default_rng(seed))
    errors, numerical = {}, {}
    for name, p in model.params.items():
        num = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            old = p[idx]
            try:
                p[idx] = old + h
                fp = loss()
                p[idx] = old - h
                fm = loss()
            finally:
                p[idx] = old
            num[idx] = (fp - fm) / (2 * h)
        numerical[name] = num
        errors[name] = relative_error(analytic[name], num)
    return errors, numerical
    ### END SOLUTION


def _history_arrays(history):
    """``(train_loss, val_loss, train_acc, val_acc, diverged)`` from a ``History`` or a dict."""
    diverged = getattr(history, "stop_reason", None) == "diverged"
    h = getattr(history, "history", history)
    if not isinstance(h, dict):
        raise TypeError(f"history must be a train.History or a dict of lists; got {type(history).__name__}")
    keys = ("train_loss", "val_loss", "train_acc", "val_acc")
    missing = [k for k in keys if k not in h]
    if missing:
        raise ValueError(f"history needs the keys {keys}; missing {missing}")
    arrays = [as_float_array(h[k], k, ndim=1, finite=False) for k in keys]
    n = arrays[0].shape[0]
    if any(a.shape[0] != n for a in arrays):
        raise ValueError(f"the curves must have one entry per epoch each; got lengths "
                         f"{[a.shape[0] for a in arrays]}")
    if n < 4 and not diverged:
        raise ValueError(f"a diagnosis needs at least 4 epochs; got {n}")
    return (*arrays, diverged)


def diagnose_history(history, *, low_acc=0.9, max_gap=0.1, osc_share=0.25, flat=0.05,
                     linear=0.6, rise=0.01):
    """Name what a training history shows (Task 8.2).

    With ``tl, vl, ta, va`` the per-epoch train loss, validation loss, train accuracy and
    validation accuracy, ``E`` epochs and ``m = (E - 1) // 2`` (the epoch that splits the
    ``E - 1`` epoch-to-epoch steps into a first half of ``m`` steps and a second half at least as
    long), the FIRST rule that holds gives the answer:

    1. ``"diverging"``: the history is a ``History`` whose ``stop_reason`` is ``"diverged"``, or
       some ``tl`` is not finite, or ``tl[-1] > tl[0]``. (Learning rate far too high.)
    2. ``"oscillating"``: the train loss went up by more than ``rise`` of its value
       (``tl[i+1] > (1 + rise) * tl[i]``) in more than ``osc_share`` of the ``E - 1``
       epoch-to-epoch steps. (Learning rate too high; the tiny ups of a converged run's noise
       do not count.)
    3. ``"too slow"``: the decrease is near-linear rather than fast-then-slow: the second half
       fell by more than ``linear`` times the first half, ``tl[m] - tl[-1] > linear *
       (tl[0] - tl[m])``. (Learning rate too low: still falling at the same pace, far from done.)
    4. ``"plateau"``: the train loss fell by less than ``flat`` of its start,
       ``tl[0] - tl[-1] < flat * tl[0]``, and is not falling steadily (rule 3): stuck (dead units,
       saturated activations, a bug, or a rate so low that nothing moves).
    5. ``"overfitting"``: the final accuracy gap ``ta[-1] - va[-1]`` exceeds ``max_gap`` and is
       larger than the first epoch's gap ``ta[0] - va[0]``. (More regularization, more data,
       or stop earlier.)
    6. ``"underfitting"``: ``ta[-1] < low_acc`` (the gap is within ``max_gap``, else rule 5 or
       the gap did not grow): both accuracies low and close. (More capacity, train longer.)
    7. ``"healthy"``.

    Parameters
    ----------
    history : train.History or dict
        With the lists ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` (one entry per
        epoch, at least 4 unless the run diverged).
    low_acc : float, default 0.9
        Training accuracy below which the model underfits (task dependent).
    max_gap : float, default 0.1
        Train - validation accuracy gap above which the model overfits.
    osc_share : float, default 0.25
    linear : float, default 0.6
    flat : float, default 0.05
    rise : float, default 0.01
        Thresholds of rules 2 to 4.

    Returns
    -------
    diagnosis : str
        One of :data:`DIAGNOSES`.
    """
    tl, vl, ta, va, diverged = _history_arrays(history)
    for name, v in (("low_acc", low_acc), ("max_gap", max_gap), ("osc_share", osc_share),
                    ("flat", flat), ("linear", linear), ("rise", rise)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v) or v < 0:
            raise ValueError(f"{name} must be a finite number >= 0; got {v!r}")
    ### BEGIN SOLUTION
    if diverged or not np.all(np.isfinite(tl)) or tl[-1] > tl[0]:
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
    ### END SOLUTION


def update_to_weight_ratios(params_before, params_after):
    """The relative size of one update of every weight matrix (Task 8.3).

    Parameters
    ----------
    params_before, params_after : dict of str to ndarray
        A model's parameters before and after one optimizer step (``model.snapshot()[0]`` and
        ``model.params``), the same keys and shapes.

    Returns
    -------
    ratios : dict of str to float
        For every WEIGHT matrix ``"W1"``, ``"W2"``, ... (keys starting with ``"W"``; biases, gamma
        and beta are left out: a bias that starts at 0 has no scale to compare with), the
        Frobenius norms ``||after - before|| / ||before||``. About 1e-3 is healthy.

    Raises
    ------
    ValueError
        If the keys or shapes differ, or a weight matrix is all zeros before the step.
    """
    if not isinstance(params_before, dict) or not isinstance(params_after, dict):
        raise TypeError("params_before and params_after must be dicts of arrays")
    if set(params_before) != set(params_after):
        raise ValueError(f"the two parameter dicts must have the same keys; got "
                         f"{sorted(params_before)} and {sorted(params_after)}")
    before = {k: as_float_array(v, f"params_before[{k!r}]") for k, v in params_before.items()}
    after = {k: as_float_array(v, f"params_after[{k!r}]") for k, v in params_after.items()}
    for k in before:
        if before[k].shape != after[k].shape:
            raise ValueError(f"{k!r} has shape {before[k].shape} before and {after[k].shape} after")
        if k.startswith("W") and not np.any(before[k]):
            raise ValueError(f"{k!r} is all zeros before the step: the ratio is undefined")
    ### BEGIN SOLUTION
    return {k: float(np.linalg.norm(after[k] - before[k]) / np.linalg.norm(before[k]))
            for k in before if k.startswith("W")}
    ### END SOLUTION
