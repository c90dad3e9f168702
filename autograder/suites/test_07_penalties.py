"""Hidden suite of assignment 07 (weight penalties). Never shipped.

Constants: L2 = lam / 2 * sum(W**2) (gradient lam * W), L1 = lam * sum|W| (subgradient 0 at 0),
elastic net = lam * (r * sum|W| + (1 - r) / 2 * sum(W**2)); add_penalty touches the W's only.
"""

import pytest

from autograder.score import points

# ---- 7.1 l2_penalty ------------------------------------------------------------------------


@points(1, task="7.1")
@pytest.mark.parametrize(
    "case", [dict(seed=301, lam=0.01), dict(seed=302, lam=3.0), dict(seed=303, lam=0.0)]
)
def test_l2_matches(submission, case):
    submission.check("l2_penalty_matches", **case)


@points(1, task="7.1")
def test_l2_constant_by_hand(submission):
    submission.check("l2_penalty_constant", seed=304)


@points(1, task="7.1")
@pytest.mark.parametrize("case", [dict(seed=305, lam=0.3), dict(seed=306, lam=1.7)])
def test_l2_gradient_check(submission, case):
    submission.check("l2_penalty_gradcheck", **case)


# ---- 7.2 l1_penalty ------------------------------------------------------------------------


@points(1, task="7.2")
@pytest.mark.parametrize(
    "case", [dict(seed=401, lam=0.02), dict(seed=402, lam=2.0), dict(seed=403, lam=0.0)]
)
def test_l1_matches(submission, case):
    submission.check("l1_penalty_matches", **case)


@points(1, task="7.2")
def test_l1_subgradient_zero_at_zero(submission):
    submission.check("l1_subgradient_at_zero", seed=404)


@points(1, task="7.2")
@pytest.mark.parametrize("case", [dict(seed=405, lam=0.25), dict(seed=406, lam=1.1)])
def test_l1_gradient_check(submission, case):
    submission.check("l1_penalty_gradcheck", **case)


# ---- 7.3 elastic_net_penalty ---------------------------------------------------------------


@points(1, task="7.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=501, lam=0.5, l1_ratio=0.1),
        dict(seed=502, lam=0.05, l1_ratio=0.5),
        dict(seed=503, lam=2.0, l1_ratio=0.75),
    ],
)
def test_elastic_net_matches(submission, case):
    submission.check("elastic_net_matches", **case)


@points(1, task="7.3")
def test_elastic_net_endpoints_are_l1_and_l2(submission):
    submission.check("elastic_net_endpoints", seed=504, lam=0.8)


@points(1, task="7.3")
@pytest.mark.parametrize(
    "case", [dict(seed=505, lam=0.4, l1_ratio=0.6), dict(seed=506, lam=1.3, l1_ratio=0.05)]
)
def test_elastic_net_gradient_check(submission, case):
    submission.check("elastic_net_gradcheck", **case)


# ---- 7.4 add_penalty -----------------------------------------------------------------------


@points(2, task="7.4")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=601, lam=0.2, norm=True),
        dict(seed=602, lam=1.0, norm=False),
        dict(seed=603, lam=0.01, norm=True),
    ],
)
def test_add_penalty_matches(submission, case):
    submission.check("add_penalty_matches", **case)


@points(1, task="7.4")
@pytest.mark.parametrize("case", [dict(seed=604)])
def test_add_penalty_is_pure(submission, case):
    submission.check("add_penalty_pure", **case)
