"""Hidden suite of assignment 02 (overfitting, model assessment, early stopping). Never shipped.

2.1 (stratified split) is random: it is judged by properties that every correct split has,
whatever order it draws its random numbers in (``stratified_split_summary`` as yes/no answers
that name the mistake, ``stratified_split_properties`` for the message). 2.2 and 2.3 are
deterministic and match the reference exactly.
"""

import numpy as np
import pytest

from autograder.score import points

# ---- 2.1 stratified_split ------------------------------------------------------------------

SPLIT_CASES = [
    dict(seed=1001, class_sizes=(50, 30, 20), fractions=(0.7, 0.15, 0.15), D=4),
    dict(seed=1002, class_sizes=(4, 9, 14, 6, 22), fractions=(0.6, 0.2, 0.2), D=2),
    dict(seed=1003, class_sizes=(100, 7), fractions=(0.8, 0.1, 0.1), D=3),  # imbalanced
    dict(seed=1004, class_sizes=(13, 17, 19), fractions=(1 / 3, 1 / 3, 1 / 3), D=2),
    dict(seed=1005, class_sizes=(25, 25), fractions=(0.75, 0.25, 0.0), D=2),  # no test set
]


@points(0.4, task="2.1")
@pytest.mark.parametrize("case", SPLIT_CASES)
def test_split_properties(submission, case):
    submission.check("stratified_split_summary", **case)


@points(0.2, task="2.1")
@pytest.mark.parametrize("case", SPLIT_CASES[:3])
def test_split_properties_explained(submission, case):
    submission.check("stratified_split_properties", **case)


@points(0.4, task="2.1")
def test_split_sizes_follow_the_fractions(submission):
    out = submission.run(
        "stratified_split_properties",
        seed=1006,
        class_sizes=(40, 60, 100),
        fractions=(0.6, 0.2, 0.2),
        D=2,
    )
    counts = np.asarray(out["counts"])
    assert counts.tolist() == [[24, 36, 60], [8, 12, 20], [8, 12, 20]], (
        f"with 40/60/100 samples per class and 60/20/20 the counts must be exact; got "
        f"{counts.tolist()}"
    )


# ---- 2.2 diagnose_bias_variance ------------------------------------------------------------


@points(0.5, task="2.2")
@pytest.mark.parametrize("table", [1, 2])
def test_slide_tables(submission, table):
    submission.check("bias_variance_slide_tables", seed=0, table=table)


@points(0.25, task="2.2")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=2001, n=20, threshold=0.01, ratio=0.5),
        dict(seed=2002, n=20, threshold=0.0, ratio=0.5),
        dict(seed=2003, n=20, threshold=0.05, ratio=1.0),
        dict(seed=2004, n=20, threshold=0.02, ratio=0.25),
    ],
)
def test_random_triples(submission, case):
    submission.check("bias_variance_random", **case)


# ---- 2.3 EarlyStopping ---------------------------------------------------------------------


@points(0.375, task="2.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=3001, mode="min", patience=5, min_delta=0.0, n_epochs=60, plateau=False),
        dict(seed=3002, mode="max", patience=3, min_delta=0.0, n_epochs=50, plateau=True),
        dict(seed=3003, mode="min", patience=0, min_delta=0.0, n_epochs=30, plateau=True),
        dict(seed=3004, mode="max", patience=4, min_delta=0.01, n_epochs=60, plateau=False),
        dict(seed=3005, mode="min", patience=2, min_delta=0.003, n_epochs=40, plateau=True),
        dict(seed=3006, mode="min", patience=1, min_delta=0.0, n_epochs=40, plateau=True),
        dict(seed=3007, mode="min", patience=6, min_delta=0.0, n_epochs=50, plateau=False, n_nan=3),
        dict(seed=3008, mode="max", patience=6, min_delta=0.0, n_epochs=50, plateau=False, n_nan=3),
    ],
)
def test_update(submission, case):
    submission.check("early_stopping_update", **case)


@points(0.25, task="2.3")
@pytest.mark.parametrize(
    "case",
    [
        dict(seed=3101, mode="min", patience=4, n_epochs=40),
        dict(seed=3102, mode="max", patience=2, n_epochs=40),
        dict(seed=3103, mode="min", patience=0, n_epochs=20),
        dict(seed=3104, mode="max", patience=5, n_epochs=60),
    ],
)
def test_callback_restores_a_copy_of_the_best(submission, case):
    submission.check("early_stopping_callback", **case)
