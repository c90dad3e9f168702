"""Known mistakes of assignment 08, ``course_ref.schedules``: the schedules (8.4) and the
learning-rate range test (8.5).

A schedule variant is its wrong formula after the checks of ``t`` and ``lr0`` (``_schedule``); a
range-test variant is the reference's loop with one step done wrong (``_range_test``).
"""

import numpy as np
from course_ref.schedules import (
    _check_t,
    _out,
    as_float_array,
    as_label_array,
    check_positive,
    check_rng,
)

from autograder.mistakes import mistake

# ---- step_decay, exponential_decay, cosine_annealing, linear_warmup (8.4) ------------------


def _schedule(t, lr0, rate):
    """``rate(t, lr0)`` on the checked ``t`` and ``lr0``, shaped as the reference's output (a
    float for a scalar ``t``)."""
    t, scalar = _check_t(t)
    return _out(rate(t, check_positive(lr0, "lr0")), scalar)


@mistake("schedules.step_decay", "no floor: a smooth decay instead of steps")
def step_decay__no_floor(t, lr0, *, drop=0.5, every=10):
    """Step decay is piecewise constant: drop ** floor(t / every) (integer division t // every), so
    the rate changes only every `every` epochs."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * drop ** (t / every))


@mistake("schedules.step_decay", "first drop one epoch early")
def step_decay__off_by_one(t, lr0, *, drop=0.5, every=10):
    """Epochs are counted from 0: epochs 0 .. every - 1 use lr0, the first drop is at t = every,
    which is floor(t / every), not floor((t + 1) / every)."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * drop ** ((t + 1) // every))


@mistake("schedules.exponential_decay", "exp(-gamma t) instead of gamma ** t")
def exponential_decay__exp(t, lr0, *, gamma):
    """gamma is the factor per epoch (PyTorch's ExponentialLR): lr0 * gamma ** t. lr0 * exp(-k t) is
    the same family with k = -ln(gamma), not with k = gamma."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * np.exp(-gamma * t))


@mistake("schedules.exponential_decay", "decayed already at t = 0")
def exponential_decay__off_by_one(t, lr0, *, gamma):
    """The first epoch (t = 0) uses lr0 itself: lr0 * gamma ** t, not gamma ** (t + 1)."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * gamma ** (t + 1))


@mistake("schedules.cosine_annealing", "a quarter cosine, cos(pi t / 2T)")
def cosine_annealing__quarter_cosine(t, lr0, *, T, lr_min=0.0):
    """Cosine annealing follows half a period of a RAISED cosine: (1 + cos(pi t / T)) / 2 goes from
    1 at t = 0 to 0 at t = T with zero slope at both ends."""
    quarter = lambda t, lr0: lr_min + (lr0 - lr_min) * np.cos(np.pi * np.minimum(t, T) / (2 * T))
    return _schedule(t, lr0, quarter)


@mistake("schedules.cosine_annealing", "the cosine goes up again after T")
def cosine_annealing__no_clamp(t, lr0, *, T, lr_min=0.0):
    """After t = T the rate stays at lr_min (no restart): use min(t, T) in the cosine."""
    unclamped = lambda t, lr0: lr_min + (lr0 - lr_min) * 0.5 * (1.0 + np.cos(np.pi * t / T))
    return _schedule(t, lr0, unclamped)


@mistake("schedules.cosine_annealing", "lr_min ignored")
def cosine_annealing__no_lr_min(t, lr0, *, T, lr_min=0.0):
    """The cosine runs between lr0 and lr_min: lr_min + (lr0 - lr_min) * (1 + cos) / 2."""
    no_min = lambda t, lr0: lr0 * 0.5 * (1.0 + np.cos(np.pi * np.minimum(t, T) / T))
    return _schedule(t, lr0, no_min)


@mistake("schedules.linear_warmup", "warm-up starts at a rate of 0")
def linear_warmup__starts_at_zero(t, lr0, *, warmup):
    """A first step with rate 0 is wasted: step t uses lr0 * (t + 1) / warmup, which is lr0 / warmup
    at t = 0 and lr0 at t = warmup - 1."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * np.minimum(t, warmup) / warmup)


@mistake("schedules.linear_warmup", "warm-up one step too long")
def linear_warmup__one_too_long(t, lr0, *, warmup):
    """The rate reaches lr0 at step warmup - 1: lr0 * (t + 1) / warmup, not (t + 1) / (warmup +
    1)."""
    return _schedule(t, lr0, lambda t, lr0: lr0 * np.minimum(t + 1, warmup + 1) / (warmup + 1))


# ---- lr_range_test, suggest_lr (8.5) -------------------------------------------------------


def _range_test(
    model, optimizer, x, y, *, lr_min=1e-5, lr_max=1.0, n_steps=100, batch_size=64, rng,
    stop_factor=4.0, ramp=None, set_rate=True, stop_on_rise=True,
):  # fmt: skip
    """The reference's range test with one step done wrong: another ``ramp(k, lr_min, lr_max,
    n_steps)`` than the geometric one, the rate never given to the optimizer (``set_rate=False``),
    or no stop when the loss rises past ``stop_factor`` times the best (``stop_on_rise=False``)."""
    x = as_float_array(x, "x", ndim=2)
    y, rng = as_label_array(y, "y", n=x.shape[0]), check_rng(rng)
    n = x.shape[0]
    lrs, losses = [], []
    order, pos = rng.permutation(n), 0
    best = np.inf
    for k in range(n_steps):
        if pos + batch_size > n:
            order, pos = rng.permutation(n), 0
        idx = order[pos : pos + batch_size]
        pos += batch_size
        if ramp is None:
            lr = lr_min * (lr_max / lr_min) ** (k / (n_steps - 1))
        else:
            lr = ramp(k, lr_min, lr_max, n_steps)
        loss, grads = model.loss_and_grads(x[idx], y[idx])
        lrs.append(lr)
        losses.append(float(loss))
        if not np.isfinite(loss) or (stop_on_rise and loss > stop_factor * best):
            break
        best = min(best, float(loss))
        if set_rate:
            optimizer.lr = lr
        optimizer.step(model.params, grads)
    return np.array(lrs), np.array(losses)


@mistake("schedules.lr_range_test", "a linear ramp instead of a geometric one")
def lr_range_test__linear_ramp(model, optimizer, x, y, **settings):
    """The rate grows by the same FACTOR every step, lr_min * (lr_max / lr_min) ** (k / (n_steps -
    1)): a linear ramp spends almost all its steps in the top decade and skips the small rates."""
    linear = lambda k, lr_min, lr_max, n_steps: lr_min + (lr_max - lr_min) * k / (n_steps - 1)
    return _range_test(model, optimizer, x, y, ramp=linear, **settings)


@mistake("schedules.lr_range_test", "the optimizer never gets the new rate")
def lr_range_test__rate_not_set(model, optimizer, x, y, **settings):
    """Recording lr_k is not enough: set optimizer.lr = lr_k before optimizer.step, or the whole
    test trains at the optimizer's initial rate."""
    return _range_test(model, optimizer, x, y, set_rate=False, **settings)


@mistake("schedules.lr_range_test", "no stop at the blow-up")
def lr_range_test__no_early_stop(model, optimizer, x, y, **settings):
    """Stop as soon as the loss exceeds stop_factor times the best loss so far (or is not finite):
    past the blow-up the test only wastes steps and the weights are ruined."""
    return _range_test(model, optimizer, x, y, stop_on_rise=False, **settings)


def _curve(lrs, losses):
    """The reference's checks of a range test's ``(lrs, losses)``."""
    lrs = as_float_array(lrs, "lrs", ndim=1)
    return lrs, as_float_array(losses, "losses", shape=(lrs.shape[0],), finite=False)


@mistake("schedules.suggest_lr", "the rate of the minimum itself, not a tenth of it")
def suggest_lr__not_divided(lrs, losses):
    """At the minimum of the range test the loss is about to blow up; train at a rate about 10 times
    smaller: lrs[argmin(losses)] / 10."""
    lrs, losses = _curve(lrs, losses)
    return float(lrs[int(np.argmin(np.where(np.isfinite(losses), losses, np.inf)))])


@mistake("schedules.suggest_lr", "NaN losses not ignored")
def suggest_lr__nan_not_ignored(lrs, losses):
    """np.argmin returns the index of the first NaN when there is one: replace the non-finite losses
    by +inf before taking the minimum."""
    lrs, losses = _curve(lrs, losses)
    return float(lrs[int(np.argmin(losses))] / 10.0)
