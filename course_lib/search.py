"""Hyperparameter search with an explicit ``rng`` and a budget (assignment 08).

A *search space* is a dict ``{name: (low, high, scale)}`` with ``0 < low <= high`` for
``scale = "log"`` and ``low <= high`` for ``scale = "linear"``, e.g.
``{"lr": (1e-4, 1e-1, "log"), "dropout": (0.0, 0.6, "linear")}``. A *configuration* is a dict
``{name: value}`` with the same keys, in the same order. Lower scores are better (validation
loss or error) everywhere in this module.

- A rate or a penalty strength matters by its order of magnitude: ``1e-4`` to ``1e-3`` is as big
  a change as ``1e-2`` to ``1e-1``. Sample such a hyperparameter uniformly in ``log(value)``
  (:func:`log_uniform`), not uniformly in the value, which puts 90% of the draws in the top decade.
- Grid search (:func:`grid_configs`) tries ``n`` values of every hyperparameter, ``n ** d``
  configurations in all; random search (:func:`random_configs`) with the same budget tries
  ``n ** d`` different values of EVERY hyperparameter. When only a few hyperparameters matter,
  which is the usual case, random search explores those far better (Bergstra & Bengio, 2012).
- Coarse to fine (:func:`coarse_to_fine`): search a wide space with few short runs, then a space
  narrowed to the best configurations.
- Successive halving (:func:`successive_halving`; Jamieson & Talwalkar, 2016): give many
  configurations a small budget, keep the best ``1 / eta`` of them, multiply their budget by
  ``eta``, repeat. Hyperband (Li et al., 2017) runs successive halving several times with
  different trade-offs between the number of configurations and the smallest budget.

References
----------
Bergstra, J. and Bengio, Y. (2012). Random search for hyper-parameter optimization. JMLR 13, 281-305.
Jamieson, K. and Talwalkar, A. (2016). Non-stochastic best arm identification and hyperparameter
optimization. AISTATS.
Li, L., Jamieson, K., DeSalvo, G., Rostamizadeh, A. and Talwalkar, A. (2017). Hyperband: a novel
bandit-based approach to hyperparameter optimization. JMLR 18, 1-52.
"""

from __future__ import annotations

import itertools
import numbers

import numpy as np

from ._validate import as_float_array, check_int, check_positive, check_rng

__all__ = ["log_uniform", "grid_configs", "random_configs", "coarse_to_fine", "successive_halving",
           "check_space"]

SCALES = ("log", "linear")


def check_space(space):
    """Return ``space`` as a dict ``{name: (low, high, scale)}`` of floats, or raise a clear
    error (provided)."""
    if not isinstance(space, dict) or not space:
        raise TypeError(f"space must be a non-empty dict {{name: (low, high, scale)}}; got {space!r}"[:200])
    out = {}
    for name, spec in space.items():
        if not isinstance(spec, (tuple, list)) or len(spec) != 3:
            raise ValueError(f"space[{name!r}] must be (low, high, scale); got {spec!r}")
        low, high, scale = spec
        if scale not in SCALES:
            raise ValueError(f"space[{name!r}]: scale must be 'log' or 'linear'; got {scale!r}")
        for v in (low, high):
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not np.isfinite(v):
                raise ValueError(f"space[{name!r}]: bounds must be finite numbers; got {spec!r}")
        if not low <= high:
            raise ValueError(f"space[{name!r}]: low must be <= high; got {spec!r}")
        if scale == "log" and low <= 0:
            raise ValueError(f"space[{name!r}]: a log scale needs low > 0; got {spec!r}")
        out[name] = (float(low), float(high), scale)
    return out


def log_uniform(low, high, size, rng):
    """Draw values whose logarithm is uniform on ``[ln low, ln high]`` (Task 8.6).

    Parameters
    ----------
    low, high : float, 0 < low <= high
    size : int or tuple of int
        Shape of the result.
    rng : numpy.random.Generator
        One call ``rng.uniform(ln low, ln high, size)``.

    Returns
    -------
    values : ndarray of shape ``size``
        ``exp(rng.uniform(ln low, ln high, size))``: each decade gets the same share of draws.
    """
    low = check_positive(low, "low")
    high = check_positive(high, "high")
    if low > high:
        raise ValueError(f"low must be <= high; got low={low}, high={high}")
    rng = check_rng(rng)
    raise NotImplementedError("Task 8.6 log_uniform — see notebooks/08_babysitting")


def grid_configs(space, n_per_dim):
    """Every configuration of a grid with ``n_per_dim`` values per hyperparameter (Task 8.6).

    Parameters
    ----------
    space : dict
        ``{name: (low, high, scale)}``.
    n_per_dim : int >= 1
        Values per hyperparameter: ``np.geomspace(low, high, n)`` on a log scale,
        ``np.linspace(low, high, n)`` on a linear one (both end points included; one value is
        ``low``).

    Returns
    -------
    configs : list of dict
        ``n_per_dim ** len(space)`` configurations, in ``itertools.product`` order over the
        hyperparameters in the order of ``space`` (the last one varies fastest). Values are
        Python floats.
    """
    space = check_space(space)
    n_per_dim = check_int(n_per_dim, "n_per_dim", minimum=1)
    raise NotImplementedError("Task 8.6 grid_configs — see notebooks/08_babysitting")


def random_configs(space, n, rng):
    """``n`` configurations drawn independently and uniformly from ``space`` (Task 8.6).

    The draws, in this order: for each hyperparameter in the order of ``space``, one call
    ``rng.uniform(a, b, size=n)`` with ``(a, b) = (ln low, ln high)`` on a log scale (then
    ``exp``) and ``(low, high)`` on a linear one; configuration ``i`` takes the ``i``-th value of
    each.

    Parameters
    ----------
    space : dict
        ``{name: (low, high, scale)}``.
    n : int >= 1
    rng : numpy.random.Generator

    Returns
    -------
    configs : list of n dict
        Values are Python floats.
    """
    space = check_space(space)
    n = check_int(n, "n", minimum=1)
    rng = check_rng(rng)
    raise NotImplementedError("Task 8.6 random_configs — see notebooks/08_babysitting")


def coarse_to_fine(space, configs, scores, top_k=3):
    """A narrower space around the best configurations of a coarse search (Task 8.6).

    Parameters
    ----------
    space : dict
        The coarse space ``{name: (low, high, scale)}``.
    configs : list of dict
        The configurations tried, each with the keys of ``space``.
    scores : array_like, shape (len(configs),)
        Their scores; LOWER is better (validation loss or error).
    top_k : int, 1 <= top_k <= len(configs), default 3
        How many of the best configurations the new space must contain.

    Returns
    -------
    space : dict
        Same names and scales; for each hyperparameter, ``low`` and ``high`` are the smallest and
        largest value among the ``top_k`` configurations with the lowest scores (ties: the
        earlier configuration first, as ``np.argsort(..., kind="stable")``).
    """
    space = check_space(space)
    if not isinstance(configs, (list, tuple)) or not configs:
        raise TypeError("configs must be a non-empty list of dicts")
    for i, c in enumerate(configs):
        if not isinstance(c, dict) or set(c) != set(space):
            raise ValueError(f"configs[{i}] must have the keys {list(space)}; got {c!r}"[:200])
    scores = as_float_array(scores, "scores", shape=(len(configs),))
    top_k = check_int(top_k, "top_k", minimum=1)
    if top_k > len(configs):
        raise ValueError(f"top_k must be <= the number of configurations {len(configs)}; got {top_k}")
    raise NotImplementedError("Task 8.6 coarse_to_fine — see notebooks/08_babysitting")


def successive_halving(configs, evaluate, *, min_budget=1, eta=3):
    """Successive halving (Jamieson & Talwalkar, 2016) over a list of configurations (Task 8.7).

    Rung 0 evaluates every configuration, in list order, with budget ``min_budget``:
    ``evaluate(config, budget) -> score`` (lower is better; e.g. train for ``budget`` epochs from
    scratch and return the validation error). While more than one configuration survives, the
    best ``max(1, n // eta)`` of the ``n`` survivors (ties: the earlier in the rung first, as
    ``np.argsort(..., kind="stable")``) go on, in increasing order of their score, and the next
    rung evaluates them with ``eta`` times the budget. The last rung has one configuration.

    Parameters
    ----------
    configs : list
        The candidates (any objects ``evaluate`` accepts), at least one.
    evaluate : callable
        ``evaluate(config, budget) -> float``.
    min_budget : int >= 1, default 1
        Budget of rung 0.
    eta : int >= 2, default 3
        Keep ``1 / eta`` of the survivors and multiply the budget by ``eta`` at every rung.

    Returns
    -------
    best : int
        Index in ``configs`` of the configuration of the last rung.
    rungs : list of dict
        One per rung, in order: ``"indices"`` (list of int, indices in ``configs`` evaluated, in
        evaluation order), ``"budget"`` (int), ``"scores"`` (list of float, same order).
        The total compute is ``sum(r["budget"] * len(r["indices"]) for r in rungs)``.
    """
    if not isinstance(configs, (list, tuple)) or not configs:
        raise TypeError("configs must be a non-empty list")
    if not callable(evaluate):
        raise TypeError(f"evaluate must be a function evaluate(config, budget); got {evaluate!r}")
    min_budget = check_int(min_budget, "min_budget", minimum=1)
    eta = check_int(eta, "eta", minimum=2)
    raise NotImplementedError("Task 8.7 successive_halving — see notebooks/08_babysitting")
