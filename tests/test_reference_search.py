"""Tests of the reference search (solutions/course_lib/search.py, tasks 8.6, 8.7)."""

import numpy as np
import pytest
from autograder.reference import ref as REF   # for @given tests (no function-scoped fixture)
from hypothesis import given, settings, strategies as st

SPACE = {"lr": (1e-4, 1e-1, "log"), "dropout": (0.0, 0.5, "linear")}


def test_log_uniform_fills_every_decade_equally(ref):
    v = ref.search.log_uniform(1e-5, 1.0, 50_000, np.random.default_rng(0))
    share = np.histogram(np.log10(v), bins=5, range=(-5, 0))[0] / v.size
    assert np.all(np.abs(share - 0.2) < 6 * np.sqrt(0.16 / v.size))


def test_grid_is_a_product_with_geometric_axes(ref):
    g = ref.search.grid_configs(SPACE, 3)
    assert len(g) == 9 and list(g[0]) == ["lr", "dropout"]
    assert [c["dropout"] for c in g[:3]] == [0.0, 0.25, 0.5]          # the last one varies fastest
    assert np.allclose(sorted({c["lr"] for c in g}), [1e-4, np.sqrt(1e-5), 1e-1])


def test_random_configs_are_reproducible_and_in_range(ref):
    a = ref.search.random_configs(SPACE, 50, np.random.default_rng(3))
    b = ref.search.random_configs(SPACE, 50, np.random.default_rng(3))
    assert a == b
    assert all(1e-4 <= c["lr"] <= 1e-1 and 0 <= c["dropout"] <= 0.5 for c in a)
    assert len({c["lr"] for c in a}) == 50                              # every value is new


def test_coarse_to_fine_keeps_the_best(ref):
    configs = [{"lr": 10.0 ** -e, "dropout": d} for e, d in [(1, 0.1), (2, 0.2), (3, 0.3), (4, 0.4)]]
    new = ref.search.coarse_to_fine(SPACE, configs, [0.5, 0.1, 0.2, 0.9], top_k=2)
    assert new == {"lr": (1e-3, 1e-2, "log"), "dropout": (0.2, 0.3, "linear")}


@pytest.mark.parametrize("space", [{"lr": (0.0, 1.0, "log")}, {"lr": (1.0, 0.1, "linear")},
                                   {"lr": (1e-3, 1.0, "ln")}, {}])
def test_bad_spaces_are_rejected(ref, space):
    with pytest.raises((ValueError, TypeError)):
        ref.search.grid_configs(space, 2)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 100), eta=st.integers(2, 5), min_budget=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_successive_halving_invariants(n, eta, min_budget, seed):
    """Survivors shrink by eta (at least one), budgets grow by eta, the winner is the best of the
    last rung's parents, and no rung costs much more than the first."""
    rng = np.random.default_rng(seed)
    quality = rng.uniform(size=n)
    best, rungs = REF.search.successive_halving(list(range(n)), lambda c, b: quality[c] + 1.0 / b,
                                                min_budget=min_budget, eta=eta)
    assert len(rungs[-1]["indices"]) == 1 and rungs[-1]["indices"] == [best]
    for a, b in zip(rungs, rungs[1:]):
        assert len(b["indices"]) == max(1, len(a["indices"]) // eta)
        assert b["budget"] == eta * a["budget"]
        assert set(b["indices"]) <= set(a["indices"])
        assert len(b["indices"]) * b["budget"] <= len(a["indices"]) * a["budget"] * 1.0 + 1e-9 or len(b["indices"]) == 1
    # with a score that ranks configurations the same at every budget, the best one wins
    assert best == int(np.argmin(quality))
