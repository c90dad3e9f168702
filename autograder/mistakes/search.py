"""Known mistakes of assignment 08, ``course_ref.search``: sampling and coarse to fine (8.6),
successive halving (8.7).

A variant that is the reference on other arguments (every scale linear, the scores negated, one
configuration kept) wraps the reference (``ref.<name>``); a successive-halving variant is the
reference's loop with one step done wrong (``_halving``).
"""

import numpy as np
from course_ref import search as ref
from course_ref.search import as_float_array, check_rng, check_space

from autograder.mistakes import mistake

# ---- log_uniform, grid_configs, random_configs, coarse_to_fine (8.6) -----------------------


@mistake("search.log_uniform", "uniform in the value, not in its logarithm")
def log_uniform__linear(low, high, size, rng):
    """rng.uniform(low, high) puts 90% of the draws in the top decade. Draw the LOGARITHM uniformly:
    exp(rng.uniform(ln low, ln high, size))."""
    rng = check_rng(rng)
    return rng.uniform(low, high, size)


@mistake("search.log_uniform", "10 ** of a natural-log exponent")
def log_uniform__base_mixup(low, high, size, rng):
    """Undo the logarithm you took: exp(uniform(ln low, ln high)) or 10 ** uniform(log10 low, log10
    high), not 10 ** uniform(ln low, ln high)."""
    rng = check_rng(rng)
    return 10.0 ** rng.uniform(np.log(low), np.log(high), size)


def _all_linear(space):
    """``space`` checked, with every hyperparameter on a linear scale."""
    return {name: (low, high, "linear") for name, (low, high, _) in check_space(space).items()}


@mistake("search.grid_configs", "a linear grid on a log-scale hyperparameter")
def grid_configs__linear_for_log(space, n_per_dim):
    """On a log scale the grid values are np.geomspace(low, high, n): equally spaced logarithms.
    np.linspace(1e-4, 1e-1, 3) never tries anything below 0.05."""
    return ref.grid_configs(_all_linear(space), n_per_dim)


@mistake("search.grid_configs", "the first hyperparameter varies fastest")
def grid_configs__reversed_order(space, n_per_dim):
    """Use itertools.product over the hyperparameters in the order of the space: the LAST one varies
    fastest (like nested loops, the first one outermost)."""
    space = check_space(space)
    grid = ref.grid_configs(dict(reversed(space.items())), n_per_dim)
    return [{k: config[k] for k in space} for config in grid]


@mistake("search.random_configs", "uniform in the value on a log-scale hyperparameter")
def random_configs__linear_for_log(space, n, rng):
    """A 'log' hyperparameter is drawn as exp(rng.uniform(ln low, ln high, size=n))."""
    return ref.random_configs(_all_linear(space), n, rng)


@mistake("search.random_configs", "one draw shared by every hyperparameter")
def random_configs__shared_draw(space, n, rng):
    """Each hyperparameter needs its own draws: with one shared uniform the configurations lie on a
    diagonal of the space and each value of one hyperparameter always comes with the same value of
    the others."""
    space = check_space(space)
    rng = check_rng(rng)
    u = rng.uniform(0.0, 1.0, size=n)
    columns = {}
    for name, (low, high, scale) in space.items():
        if scale == "log":
            columns[name] = np.exp(np.log(low) + (np.log(high) - np.log(low)) * u)
        else:
            columns[name] = low + (high - low) * u
    return [{k: float(columns[k][i]) for k in space} for i in range(n)]


@mistake("search.coarse_to_fine", "zoomed in on the highest scores")
def coarse_to_fine__highest(space, configs, scores, top_k=3):
    """Scores are validation losses or errors: LOWER is better. Keep the top_k configurations with
    the smallest scores (np.argsort(scores)[:top_k])."""
    scores = as_float_array(scores, "scores", shape=(len(configs),))
    return ref.coarse_to_fine(space, configs, -scores, top_k)


@mistake("search.coarse_to_fine", "bounds from the single best configuration")
def coarse_to_fine__best_only(space, configs, scores, top_k=3):
    """The new space must contain the top_k best configurations: a space around the single best one
    has no width and gambles everything on one noisy score."""
    return ref.coarse_to_fine(space, configs, scores, top_k=1)


# ---- successive_halving (8.7) --------------------------------------------------------------


def _halving(configs, evaluate, min_budget, eta, *, keep=None, growth=None, order=None, last=None):
    """The reference's successive halving with one step done wrong: another number of survivors
    ``keep(n, eta)``, another budget factor ``growth``, another ranking ``order(scores)``, or the
    winner picked as soon as ``last(survivors, eta)`` holds."""
    keep = keep or (lambda n, eta: max(1, n // eta))
    order = order or (lambda scores: np.argsort(np.asarray(scores), kind="stable"))
    last = last or (lambda survivors, eta: len(survivors) == 1)
    survivors, budget, rungs = list(range(len(configs))), min_budget, []
    while True:
        scores = [float(evaluate(configs[i], budget)) for i in survivors]
        rungs.append({"indices": list(survivors), "budget": budget, "scores": scores})
        if last(survivors, eta):
            return survivors[int(np.argmin(scores))], rungs
        survivors = [survivors[j] for j in order(scores)[: keep(len(survivors), eta)]]
        budget *= eta if growth is None else growth


@mistake("search.successive_halving", "rounded the survivors up")
def successive_halving__ceil(configs, evaluate, *, min_budget=1, eta=3):
    """Keep max(1, n // eta) configurations: rounding down (at least one), so that a rung never
    costs more than the one before."""
    return _halving(configs, evaluate, min_budget, eta, keep=lambda n, eta: -(-n // eta))


@mistake("search.successive_halving", "the budget is not increased")
def successive_halving__constant_budget(configs, evaluate, *, min_budget=1, eta=3):
    """The survivors of a rung get eta times the budget: that is the whole point, the few promising
    configurations are trained longer."""
    return _halving(configs, evaluate, min_budget, eta, growth=1)


@mistake("search.successive_halving", "kept the worst configurations")
def successive_halving__keeps_worst(configs, evaluate, *, min_budget=1, eta=3):
    """Scores are losses or errors: keep the LOWEST, np.argsort(scores)[:keep]."""
    worst_first = lambda scores: np.argsort(-np.asarray(scores), kind="stable")
    return _halving(configs, evaluate, min_budget, eta, order=worst_first)


@mistake("search.successive_halving", "no final rung: picked before the full budget")
def successive_halving__no_final_rung(configs, evaluate, *, min_budget=1, eta=3):
    """Go on until ONE configuration is left and evaluate it with the largest budget: the ranking at
    small budgets is noisy, and the last rung is the run you will keep."""
    few = lambda survivors, eta: len(survivors) <= eta
    return _halving(configs, evaluate, min_budget, eta, last=few)
