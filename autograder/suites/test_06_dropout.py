"""Hidden suite of assignment 06 (dropout). Never shipped.

Independent of how the submission draws its random numbers: the training-mode tests are
properties (binomial bound on the kept fraction, kept units scaled by 1 / (1 - p), one coin per
example and unit, expectation preserved, the backward reusing the forward's mask); test mode and
p = 0 are exact.
"""

import numpy as np
import pytest

from autograder.score import points

# ---- 6.1 dropout_forward -------------------------------------------------------------------


@points(1, task="6.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=101, N=300, D=40, p=0.1),
        dict(seed=102, N=64, D=257, p=0.5),
        dict(seed=103, N=500, D=11, p=0.85),
        dict(seed=104, N=1000, D=1, p=0.35),
    ],
)
def test_kept_fraction_and_scale(submission, case):
    submission.check("dropout_kept_fraction", **case)


@points(1, task="6.1")
@pytest.mark.parametrize(
    "case", [dict(seed=105, N=200, D=9, p=0.5), dict(seed=106, N=150, D=33, p=0.3)]
)
def test_one_coin_per_example_and_unit(submission, case):
    submission.check("dropout_mask_per_unit", **case)


@points(1, task="6.1")
@pytest.mark.parametrize(
    "case", [dict(seed=107, N=20000, D=3, p=0.6), dict(seed=108, N=8000, D=6, p=0.15)]
)
def test_expectation_preserved(submission, case):
    submission.check("dropout_expectation", **case)


@points(1, task="6.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=109, N=1, D=1, p=0.5),
        dict(seed=110, N=17, D=5, p=0.25),
        dict(seed=111, N=6, D=40, p=0.95),
    ],
)
def test_identity_at_test_time(submission, case):
    submission.check("dropout_test_mode", **case)


@points(0.5, task="6.1")
@pytest.mark.parametrize("case", [dict(seed=112, N=9, D=3)])
def test_p_zero_keeps_everything(submission, case):
    submission.check("dropout_p_zero", **case)


@points(0.5, task="6.1")
def test_fresh_mask_each_call_and_kept_in_range(submission):
    """Two calls with one generator give different masks (no re-seeding inside); the kept
    fraction of the union of both stays in the binomial bound."""
    out = submission.run("dropout_kept_fraction", seed=113, N=400, D=25, p=0.4)
    again = submission.run("dropout_kept_fraction", seed=114, N=400, D=25, p=0.4)
    a, b = np.asarray(out["out"]) != 0, np.asarray(again["out"]) != 0
    assert a.shape == b.shape == (400, 25), "out must have the shape (N, D) of x"
    assert not np.array_equal(a, b), (
        "two different generators gave the same mask: draw the mask "
        "from the rng argument, never from a fixed seed"
    )
    frac = np.concatenate([a, b]).mean()
    assert abs(frac - 0.6) < 6 * np.sqrt(0.24 / (2 * a.size)), (
        f"with p = 0.4, {frac:.4f} of the units were kept; expected 1 - p = 0.6"
    )


@points(1, task="6.1")
@pytest.mark.parametrize(
    "case", [dict(seed=115, N=300, D=50, p=0.2), dict(seed=116, N=150, D=20, p=0.7)]
)
def test_keep_rule(submission, case):
    submission.check("dropout_keep_rule", **case)


@points(1, task="6.1")
@pytest.mark.parametrize("case", [dict(seed=117, N=80, D=25, p=0.4)])
def test_mask_not_shared_by_rows(submission, case):
    submission.check("dropout_mask_shared_by_rows", **case)


# ---- 6.2 dropout_backward ------------------------------------------------------------------


@points(2, task="6.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=201, N=50, D=40, p=0.5),
        dict(seed=202, N=1, D=7, p=0.2),
        dict(seed=203, N=128, D=3, p=0.9),
    ],
)
def test_backward_reuses_forward_mask(submission, case):
    submission.check("dropout_backward_mask", **case)


@points(2, task="6.2")
@pytest.mark.parametrize(
    "case", [dict(seed=208, N=100, D=30, p=0.3), dict(seed=209, N=40, D=9, p=0.8)]
)
def test_backward_rule(submission, case):
    submission.check("dropout_backward_rule", **case)


@points(1, task="6.2")
@pytest.mark.parametrize(
    "case", [dict(seed=204, N=8, D=3, p=0.3), dict(seed=205, N=2, D=11, p=0.75)]
)
def test_backward_identity_at_test_time(submission, case):
    submission.check("dropout_backward_test_mode", **case)


@points(1, task="6.2")
@pytest.mark.parametrize("case", [dict(seed=206, N=4, D=6, p=0.5), dict(seed=207, N=5, D=2, p=0.1)])
def test_backward_gradient_check(submission, case):
    submission.check("dropout_gradcheck", **case)
