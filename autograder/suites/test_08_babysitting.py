"""Hidden suite of assignment 08 (babysitting a training run, hyperparameter search). Never shipped.

Every scenario trains or checks the scenarios' own small network (never the student's layers of
assignment 01), so a point lost here is lost on 08's own tasks.
"""

import pytest

from autograder.score import points

# ---- 8.1 expected initial loss, whole-model gradient check ---------------------------------


@points(1, task="8.1")
@pytest.mark.parametrize(
    "case", [dict(seed=101, K=2), dict(seed=102, K=10), dict(seed=103, K=1000)]
)
def test_initial_loss(submission, case):
    submission.check("initial_loss_value", **case)


@points(1, task="8.1")
@pytest.mark.parametrize("case", [dict(seed=104, K=4), dict(seed=105, K=26)])
def test_initial_loss_is_the_cross_entropy_of_equal_scores(submission, case):
    submission.check("initial_loss_equals_cross_entropy_of_equal_scores", **case)


@points(2, task="8.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=106, D=4, H=3, C=4, N=7, dropout=0.0),
        dict(seed=107, D=1, H=2, C=2, N=3, dropout=0.0),
        dict(seed=108, D=3, H=6, C=3, N=5, dropout=0.4),
    ],
)
def test_gradient_check_numerical(submission, case):
    submission.check("gradient_check_model_numerical", **case)


@points(1, task="8.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=109, D=2, H=3, C=3, N=4, dropout=0.0),
        dict(seed=110, D=5, H=2, C=2, N=9, dropout=0.0),
    ],
)
def test_gradient_check_catches_a_bug(submission, case):
    submission.check("gradient_check_model_catches_a_bug", **case)


@points(1, task="8.1")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=111, D=2, H=4, C=3, N=5, dropout=0.0),
        dict(seed=112, D=3, H=3, C=2, N=3, dropout=0.6),
    ],
)
def test_gradient_check_leaves_the_parameters(submission, case):
    submission.check("gradient_check_model_leaves_params", **case)


# ---- 8.2 diagnosing a training history -----------------------------------------------------


@points(2, task="8.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=201, kind="diverging", E=6),
        dict(seed=202, kind="oscillating", E=21),
        dict(seed=203, kind="too slow", E=30),
        dict(seed=204, kind="plateau", E=8),
        dict(seed=205, kind="overfitting", E=40),
        dict(seed=206, kind="underfitting", E=25),
        dict(seed=207, kind="healthy", E=12),
        dict(seed=208, kind="healthy", E=4),
    ],
)
def test_diagnose_synthetic(submission, case):
    submission.check("diagnose_synthetic", **case)


@points(1, task="8.2")
def test_diagnose_a_run_that_diverged(submission):
    submission.check("diagnose_diverged_run", seed=209)


@points(2, task="8.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=210, history_name="lr_too_high_sgd", noise=0.002),
        dict(seed=211, history_name="lr_too_high_momentum", noise=0.0),
        dict(seed=212, history_name="lr_too_low", noise=0.002),
        dict(seed=213, history_name="overfitting", noise=0.002),
        dict(seed=214, history_name="underfitting", noise=0.0),
        dict(seed=215, history_name="healthy", noise=0.001),
    ],
)
def test_diagnose_real(submission, case):
    submission.check("diagnose_real", **case)


@points(1, task="8.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=216, kind="underfitting", E=12, low_acc=0.4, max_gap=0.1),
        dict(seed=217, kind="overfitting", E=12, low_acc=0.9, max_gap=0.6),
        dict(seed=218, kind="healthy", E=12, low_acc=0.999, max_gap=0.2),
    ],
)
def test_diagnose_with_thresholds(submission, case):
    submission.check("diagnose_with_thresholds", **case)


# ---- 8.3 update-to-weight ratios -----------------------------------------------------------


@points(2, task="8.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=301, sizes=(7, 5, 2), scale=1e-4),
        dict(seed=302, sizes=(2, 9, 4, 4, 3), scale=0.05),
        dict(seed=303, sizes=(1, 1), scale=2.0),
    ],
)
def test_update_ratios(submission, case):
    submission.check("update_ratios_values", **case)


@points(1, task="8.3")
@pytest.mark.parametrize("case", [dict(seed=304, lr=1e-3), dict(seed=305, lr=1.0)])
def test_update_ratios_after_sgd(submission, case):
    submission.check("update_ratios_after_an_sgd_step", **case)


# ---- 8.4 learning-rate schedules -----------------------------------------------------------


@points(1, task="8.4")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=401, lr0=0.3, drop=0.2, every=7, T=30),
        dict(seed=402, lr0=1e-3, drop=1.0, every=1, T=5),
    ],
)
def test_step_decay(submission, case):
    submission.check("step_decay_values", **case)


@points(1, task="8.4")
@pytest.mark.parametrize(
    "case", [dict(seed=403, lr0=0.5, gamma=0.97, T=60), dict(seed=404, lr0=1.0, gamma=1.0, T=4)]
)
def test_exponential_decay(submission, case):
    submission.check("exponential_decay_values", **case)


@points(1, task="8.4")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=405, lr0=0.02, T=50, lr_min=1e-4, n=60),
        dict(seed=406, lr0=3.0, T=1, lr_min=0.0, n=4),
    ],
)
def test_cosine_annealing(submission, case):
    submission.check("cosine_annealing_values", **case)


@points(1, task="8.4")
@pytest.mark.parametrize(
    "case", [dict(seed=407, lr0=0.1, warmup=10, n=15), dict(seed=408, lr0=2.0, warmup=3, n=3)]
)
def test_linear_warmup(submission, case):
    submission.check("linear_warmup_values", **case)


@points(1, task="8.4")
def test_schedules_keep_the_shape(submission):
    submission.check("schedules_keep_the_shape_of_t", seed=409, lr0=0.7)


# ---- 8.5 the learning-rate range test ------------------------------------------------------


@points(2, task="8.5")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=501, N=50, D=5, C=4, n_steps=20, batch_size=8, lr_min=1e-4, lr_max=0.3),
        dict(seed=502, N=9, D=2, C=3, n_steps=7, batch_size=9, lr_min=0.1, lr_max=0.2),
    ],
)
def test_range_test(submission, case):
    submission.check("lr_range_test_values", **case)


@points(1, task="8.5")
@pytest.mark.parametrize("case", [dict(seed=503, N=60, D=3, C=3, n_steps=100, lr_max=1e4)])
def test_range_test_stops(submission, case):
    submission.check("lr_range_test_stops_at_the_blow_up", **case)


@points(1, task="8.5")
@pytest.mark.parametrize("case", [dict(seed=504, K=60), dict(seed=505, K=15)])
def test_suggest_lr(submission, case):
    submission.check("suggest_lr_values", **case)


# ---- 8.6 sampling: log scale, grid, random, coarse to fine ---------------------------------


@points(1, task="8.6")
@pytest.mark.parametrize(
    "case", [dict(seed=601, low=1e-6, high=1e-2, n=30), dict(seed=602, low=3.0, high=3.0, n=4)]
)
def test_log_uniform(submission, case):
    submission.check("log_uniform_values", **case)


@points(1, task="8.6")
def test_log_uniform_fills_every_decade(submission):
    submission.check("log_uniform_fills_every_decade", seed=603, low=1e-6, high=1.0, n=6000)


@points(1, task="8.6")
@pytest.mark.parametrize("case", [dict(seed=604, n_per_dim=4), dict(seed=605, n_per_dim=2)])
def test_grid(submission, case):
    submission.check("grid_configs_values", **case)


@points(1, task="8.6")
@pytest.mark.parametrize("case", [dict(seed=606, n=27), dict(seed=607, n=3)])
def test_random(submission, case):
    submission.check("random_configs_values", **case)


@points(1, task="8.6")
@pytest.mark.parametrize("case", [dict(seed=608, n=30, top_k=5), dict(seed=609, n=4, top_k=4)])
def test_coarse_to_fine(submission, case):
    submission.check("coarse_to_fine_values", **case)


# ---- 8.7 successive halving ----------------------------------------------------------------


@points(3, task="8.7")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=701, n=81, eta=3, min_budget=1),
        dict(seed=702, n=16, eta=4, min_budget=3),
        dict(seed=703, n=1, eta=2, min_budget=1),
        dict(seed=704, n=7, eta=2, min_budget=1),
        dict(seed=705, n=30, eta=3, min_budget=2),
    ],
)
def test_successive_halving(submission, case):
    submission.check("successive_halving_values", **case)


@points(1, task="8.7")
def test_successive_halving_uses_a_fraction_of_the_compute(submission):
    out = submission.run("successive_halving_values", seed=706, n=27, eta=3, min_budget=1)
    assert int(out["compute"]) == 4 * 27, (
        f"27 configurations with eta = 3 and min_budget = 1 should cost 27 x 1 + 9 x 3 + 3 x 9 + "
        f"1 x 27 = 108 budget units; got {out['compute']}"
    )
    assert list(out["budgets"]) == [1, 3, 9, 27], (
        f"the budgets per rung should be [1, 3, 9, 27]; got {out['budgets']}"
    )
