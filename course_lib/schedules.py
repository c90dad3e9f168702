"""Learning-rate schedules and the learning-rate range test (assignment 08).

A *schedule* gives the learning rate of epoch (or step) ``t = 0, 1, 2, ...`` from a base rate
``lr0``. Every graded schedule takes ``t`` as an int or an array of ints and returns a float or an
array of floats of the same shape (so that a whole schedule can be plotted in one call):

- step decay        ``lr0 * drop ** floor(t / every)``             (PyTorch ``StepLR``)
- exponential decay ``lr0 * gamma ** t``                            (PyTorch ``ExponentialLR``)
- cosine annealing  ``lr_min + (lr0 - lr_min) * (1 + cos(pi t / T)) / 2`` for ``t <= T``, then
  ``lr_min`` (Loshchilov & Hutter's SGDR without restarts; PyTorch ``CosineAnnealingLR``)
- linear warm-up    ``lr0 * (t + 1) / warmup`` for ``t < warmup``, then ``lr0`` (Goyal et al.,
  2017): the first step already moves (``t = 0`` gives ``lr0 / warmup``, never 0).

The *range test* (Smith, 2017, section 3.3) trains for a few hundred mini-batches while the
learning rate grows from tiny to huge, and records the loss: it falls slowly at first, then
quickly, then blows up. A good learning rate sits below the blow-up; :func:`suggest_lr` takes the
rate of the lowest loss divided by 10 (the rule of thumb of the fast.ai library). Smith grew the
rate linearly over a few epochs and read off where accuracy starts rising and where it stops;
growing it geometrically, as here, gives every decade the same number of steps.

:class:`LRScheduler` (provided) is a ``course_lib.train`` callback that sets an optimizer's
learning rate from a schedule at the start of every epoch.

References
----------
Smith, L. N. (2017). Cyclical learning rates for training neural networks. WACV.
Loshchilov, I. and Hutter, F. (2017). SGDR: stochastic gradient descent with warm restarts. ICLR.
Goyal, P. et al. (2017). Accurate, large minibatch SGD: training ImageNet in 1 hour. arXiv:1706.02677.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import (as_float_array, as_label_array, check_int, check_positive, check_probability,
                        check_rng)

__all__ = ["step_decay", "exponential_decay", "cosine_annealing", "linear_warmup",
           "lr_range_test", "suggest_lr", "LRScheduler"]


def _check_t(t):
    """Return ``(t as an int64 array, whether t was a scalar)``; ``t`` must hold integers >= 0."""
    arr = np.asarray(t)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.round(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu" or isinstance(t, bool):
        raise TypeError(f"t must be an integer epoch/step index or an array of them; got {t!r}"[:200])
    if np.any(arr < 0):
        raise ValueError(f"t must be >= 0; got min {int(arr.min())}")
    return arr.astype(np.int64), arr.ndim == 0


def _out(values, scalar):
    values = np.asarray(values, dtype=np.float64)
    return float(values) if scalar else values


def step_decay(t, lr0, *, drop=0.5, every=10):
    """Step decay: the rate is multiplied by ``drop`` every ``every`` epochs (Task 8.4).

    Parameters
    ----------
    t : int or array_like of int, any shape
        Epoch index (0 is the first epoch), ``>= 0``.
    lr0 : float > 0
        Rate of the first ``every`` epochs.
    drop : float in (0, 1], default 0.5
        Factor applied at every drop.
    every : int >= 1, default 10
        Epochs between two drops.

    Returns
    -------
    lr : float, or ndarray of the shape of ``t``
        ``lr0 * drop ** floor(t / every)``: piecewise constant, the first drop at ``t = every``.
    """
    t, scalar = _check_t(t)
    lr0 = check_positive(lr0, "lr0")
    drop = check_probability(drop, "drop", low_inclusive=False, high_inclusive=True)
    every = check_int(every, "every", minimum=1)
    raise NotImplementedError("Task 8.4 step_decay — see notebooks/08_babysitting")


def exponential_decay(t, lr0, *, gamma):
    """Exponential decay: the rate is multiplied by ``gamma`` every epoch (Task 8.4).

    Parameters
    ----------
    t : int or array_like of int
        Epoch index, ``>= 0``.
    lr0 : float > 0
        Rate at ``t = 0``.
    gamma : float in (0, 1]
        Factor per epoch (``gamma = 0.95`` halves the rate in about 13.5 epochs).

    Returns
    -------
    lr : float, or ndarray of the shape of ``t``
        ``lr0 * gamma ** t``.
    """
    t, scalar = _check_t(t)
    lr0 = check_positive(lr0, "lr0")
    gamma = check_probability(gamma, "gamma", low_inclusive=False, high_inclusive=True)
    raise NotImplementedError("Task 8.4 exponential_decay — see notebooks/08_babysitting")


def cosine_annealing(t, lr0, *, T, lr_min=0.0):
    """Cosine annealing from ``lr0`` at ``t = 0`` to ``lr_min`` at ``t = T`` (Task 8.4).

    Parameters
    ----------
    t : int or array_like of int
        Epoch index, ``>= 0``.
    lr0 : float > 0
        Rate at ``t = 0``.
    T : int >= 1
        Length of the half cosine, in epochs.
    lr_min : float in [0, lr0], default 0
        Rate reached at ``t = T`` and kept afterwards (no restart).

    Returns
    -------
    lr : float, or ndarray of the shape of ``t``
        ``lr_min + (lr0 - lr_min) * (1 + cos(pi * min(t, T) / T)) / 2``.
    """
    t, scalar = _check_t(t)
    lr0 = check_positive(lr0, "lr0")
    T = check_int(T, "T", minimum=1)
    lr_min = check_positive(lr_min, "lr_min", allow_zero=True)
    if lr_min > lr0:
        raise ValueError(f"lr_min must be <= lr0 = {lr0}; got {lr_min}")
    raise NotImplementedError("Task 8.4 cosine_annealing — see notebooks/08_babysitting")


def linear_warmup(t, lr0, *, warmup):
    """Linear warm-up to ``lr0`` over the first ``warmup`` steps, then constant (Task 8.4).

    Parameters
    ----------
    t : int or array_like of int
        Step (or epoch) index, ``>= 0``.
    lr0 : float > 0
        Rate after the warm-up.
    warmup : int >= 1
        Number of warm-up steps.

    Returns
    -------
    lr : float, or ndarray of the shape of ``t``
        ``lr0 * (t + 1) / warmup`` for ``t < warmup`` (``lr0 / warmup`` at the first step, ``lr0``
        at step ``warmup - 1``), ``lr0`` afterwards.
    """
    t, scalar = _check_t(t)
    lr0 = check_positive(lr0, "lr0")
    warmup = check_int(warmup, "warmup", minimum=1)
    raise NotImplementedError("Task 8.4 linear_warmup — see notebooks/08_babysitting")


def lr_range_test(model, optimizer, x, y, *, lr_min=1e-5, lr_max=1.0, n_steps=100, batch_size=64,
                  rng, stop_factor=4.0):
    """Smith's learning-rate range test, with a geometric ramp (Task 8.5).

    Takes ``n_steps`` optimizer steps on mini-batches. Step ``k = 0 .. n_steps - 1`` uses the rate
    ``lr_k = lr_min * (lr_max / lr_min) ** (k / (n_steps - 1))`` (so ``lr_0 = lr_min`` and the last
    is ``lr_max``). The batches: ``order = rng.permutation(N)`` at the start and again each time
    the data runs out; batch ``k`` is the next ``batch_size`` indices of ``order`` (the last,
    shorter batch of a pass is skipped: a new permutation starts instead). At every step:

    1. ``loss, grads = model.loss_and_grads(x[idx], y[idx])`` (training mode, the loss *before*
       the update, on this batch);
    2. record ``(lr_k, loss)``;
    3. stop (without updating) if the loss is not finite or exceeds ``stop_factor`` times the
       lowest loss recorded so far;
    4. else set ``optimizer.lr = lr_k`` and call ``optimizer.step(model.params, grads)``.

    The model is trained in place (use a fresh copy of it for real training afterwards).

    Parameters
    ----------
    model : course_lib.model.MLP
        Anything with ``params`` and ``loss_and_grads(x, y)``.
    optimizer : SGD, Momentum or Adam
        Anything with an ``lr`` attribute and ``step(params, grads)``.
    x : ndarray, shape (N, D)
    y : ndarray of int, shape (N,)
    lr_min, lr_max : float, 0 < lr_min < lr_max
        First and last rate of the ramp.
    n_steps : int >= 2
    batch_size : int, 1 <= batch_size <= N
    rng : numpy.random.Generator
        Draws the permutations.
    stop_factor : float > 1, default 4
        Stop when the loss exceeds this multiple of the best loss so far.

    Returns
    -------
    lrs : ndarray, shape (K,)
        The rates of the steps taken, ``K <= n_steps`` (fewer when it stopped early).
    losses : ndarray, shape (K,)
        The loss recorded at each of them (the last may be the one that stopped the test).
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_label_array(y, "y", n=x.shape[0])
    lr_min = check_positive(lr_min, "lr_min")
    lr_max = check_positive(lr_max, "lr_max")
    if not lr_min < lr_max:
        raise ValueError(f"lr_min must be < lr_max; got lr_min={lr_min}, lr_max={lr_max}")
    n_steps = check_int(n_steps, "n_steps", minimum=2)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    if batch_size > x.shape[0]:
        raise ValueError(f"batch_size must be <= N = {x.shape[0]}; got {batch_size}")
    rng = check_rng(rng)
    stop_factor = check_positive(stop_factor, "stop_factor")
    if stop_factor <= 1:
        raise ValueError(f"stop_factor must be > 1; got {stop_factor}")
    if not hasattr(optimizer, "lr") or not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"optimizer needs an lr attribute and a step method; got {optimizer!r}")
    raise NotImplementedError("Task 8.5 lr_range_test — see notebooks/08_babysitting")


def suggest_lr(lrs, losses):
    """A learning rate from a range test: the rate of the lowest finite loss, divided by 10
    (Task 8.5).

    Parameters
    ----------
    lrs : array_like, shape (K,)
        Increasing learning rates (from :func:`lr_range_test`).
    losses : array_like, shape (K,)
        The loss at each; non-finite entries (a blow-up) are ignored.

    Returns
    -------
    lr : float
        ``lrs[argmin(losses)] / 10`` over the finite losses (the first minimum if there are ties).

    Raises
    ------
    ValueError
        If the shapes differ, or no loss is finite.
    """
    lrs = as_float_array(lrs, "lrs", ndim=1)
    losses = as_float_array(losses, "losses", shape=(lrs.shape[0],), finite=False)
    if not np.any(np.isfinite(losses)):
        raise ValueError("no finite loss: the range test diverged at once; lower lr_min")
    raise NotImplementedError("Task 8.5 suggest_lr — see notebooks/08_babysitting")


class LRScheduler:
    """A ``course_lib.train`` callback that sets ``optimizer.lr = schedule(epoch)`` (provided).

    The rate of epoch 0 is set when the callback is made; after epoch ``e`` ends, the rate of
    epoch ``e + 1`` is set. ``rates`` lists the rate each epoch was trained with.

    Parameters
    ----------
    optimizer : SGD, Momentum or Adam
        Anything with an ``lr`` attribute.
    schedule : callable
        ``schedule(t) -> float >= 0`` for ``t = 0, 1, ...``, e.g.
        ``lambda t: cosine_annealing(t, 0.01, T=30)``.
    """

    def __init__(self, optimizer, schedule):
        if not callable(schedule):
            raise TypeError(f"schedule must be a function of the epoch; got {type(schedule).__name__}")
        self.optimizer = optimizer
        self.schedule = schedule
        self.rates = []
        self._set(0)

    def _set(self, t):
        lr = self.schedule(t)
        if not isinstance(lr, numbers.Real) or not np.isfinite(lr) or lr < 0:
            raise ValueError(f"schedule({t}) must be a number >= 0; got {lr!r}")
        self.optimizer.lr = float(lr)
        self.rates.append(float(lr))

    def on_epoch_end(self, epoch, logs, model):
        self._set(epoch + 1)
        return False

    def on_train_end(self, model):
        self.rates = self.rates[:-1] if len(self.rates) > 1 else self.rates
