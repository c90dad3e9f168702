"""Scenarios of assignment 02: stratified split (2.1), bias/variance diagnosis (2.2), early
stopping (2.3). See ``course_lib.checks.scenario``."""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

from ..scenario import scenario

# --------------------------------------------------------------------------------------------
# 2.1 stratified_split


def _split_data(rng, class_sizes, D):
    """Labels in random order with the given class sizes; column 0 of x is the row's index."""
    y = rng.permutation(np.repeat(np.arange(len(class_sizes)), class_sizes))
    n = y.size
    x = np.column_stack([np.arange(n, dtype=np.float64), rng.normal(size=(n, D - 1))])
    return x, y


def _split_summary(parts, x, y):
    """Counts per split and class, and whether the split is a labelled partition of the rows."""
    n_classes = int(y.max()) + 1
    counts = np.zeros((3, n_classes), dtype=np.int64)
    rows = []
    labels_kept = True
    for k in range(3):
        xs, ys = np.asarray(parts[2 * k]), np.asarray(parts[2 * k + 1])
        if xs.ndim != 2 or ys.ndim != 1 or xs.shape[0] != ys.shape[0] or xs.shape[1] != x.shape[1]:
            raise AssertionError(f"split {k} has shapes x {xs.shape}, y {ys.shape}; expected "
                                 f"(n, {x.shape[1]}) and (n,)")
        idx = xs[:, 0].astype(np.int64)
        rows.append(idx)
        if idx.size and (idx.min() < 0 or idx.max() >= y.size):
            labels_kept = False
            continue
        labels_kept &= bool(np.array_equal(ys, y[idx]) and np.array_equal(xs, x[idx]))
        counts[k] = np.bincount(ys.astype(np.int64), minlength=n_classes)[:n_classes]
    all_rows = np.concatenate(rows)
    partition = bool(all_rows.size == y.size and np.array_equal(np.sort(all_rows), np.arange(y.size)))
    return counts, partition, labels_kept, rows


def _verify_split(out, seed, class_sizes, fractions, D):
    names = ("train", "val", "test")
    assert out["n_outputs"] == 6, (
        f"stratified_split must return 6 arrays (x_tr, y_tr, x_va, y_va, x_te, y_te); "
        f"got {out['n_outputs']}")
    assert out["partition"], ("every input row must appear in exactly one of train, val and "
                              "test (no row lost, none duplicated)")
    assert out["labels_kept"], "each returned row of x must keep its own label in y"
    f = np.asarray(fractions, dtype=np.float64) / sum(fractions)
    counts = np.asarray(out["counts"])
    for c, n_c in enumerate(class_sizes):
        for k in range(3):
            share = f[k] * n_c
            lo, hi = math.floor(share + 1e-9), math.ceil(share - 1e-9)
            want = f"exactly {lo}" if lo == hi else f"rounded down or up ({lo} or {hi})"
            assert lo <= counts[k, c] <= hi, (
                f"class {c} ({n_c} samples) has {counts[k, c]} samples in {names[k]}; its share "
                f"{f[k]:g} x {n_c} = {share:g} must be {want}. Split every class separately, and "
                "round so that each set gets its share rounded down or up (the largest-remainder "
                "method of the notebook)")
    assert out["y_dtype_int"], "the returned labels must be integers"
    assert out["x_dtype_kept"], "x must keep its dtype (float64 here)"
    assert out["inputs_unchanged"], "stratified_split must not modify x or y"
    assert out["same_seed_same_split"], ("two generators with the same seed must give the same "
                                        "split: take all the randomness from rng")
    assert out["seed_changes_split"], ("generators with different seeds gave the same split: use "
                                      "rng (not np.random or a fixed seed) to choose the samples")
    assert out["train_not_grouped"], ("the training set is sorted by class: shuffle each set "
                                      "after putting the classes together")
    assert out["train_not_in_input_order"], ("the training set keeps the input order: draw the "
                                             "samples at random with rng")


def _split_report(lib, rng, class_sizes, fractions, D):
    x, y = _split_data(rng, class_sizes, D)
    x0, y0 = x.copy(), y.copy()
    seed = int(rng.integers(2**31))
    parts = lib.assessment.stratified_split(x, y, fractions, np.random.default_rng(seed))
    out = {"n_outputs": len(parts) if isinstance(parts, (tuple, list)) else -1}
    if out["n_outputs"] != 6:
        return out
    counts, partition, labels_kept, rows = _split_summary(parts, x, y)
    again = lib.assessment.stratified_split(x, y, fractions, np.random.default_rng(seed))
    other = lib.assessment.stratified_split(x, y, fractions, np.random.default_rng(seed + 1))
    same = all(np.array_equal(a, b) for a, b in zip(parts, again))
    differs = not all(np.array_equal(a, b) for a, b in zip(parts, other))
    y_tr = np.asarray(parts[1])
    out.update(
        counts=counts, partition=partition, labels_kept=labels_kept,
        y_dtype_int=bool(np.asarray(parts[1]).dtype.kind in "iu"),
        x_dtype_kept=bool(np.asarray(parts[0]).dtype == x.dtype),
        inputs_unchanged=bool(np.array_equal(x, x0) and np.array_equal(y, y0)),
        same_seed_same_split=bool(same), seed_changes_split=bool(differs),
        train_not_grouped=bool(np.any(np.diff(y_tr) < 0)),
        train_not_in_input_order=bool(np.any(np.diff(rows[0]) < 0)),
    )
    return out


def _counts_ok(counts, class_sizes, fractions, k):
    """Whether set ``k`` holds each class's share rounded down or up."""
    f = float(fractions[k]) / sum(fractions)
    share = f * np.asarray(class_sizes, dtype=np.float64)
    lo, hi = np.floor(share + 1e-9), np.ceil(share - 1e-9)
    return bool(np.all((counts[k] >= lo) & (counts[k] <= hi)))


@scenario("2.1", cases=[dict(seed=0, class_sizes=(30, 20, 10), fractions=(0.6, 0.2, 0.2), D=3),
                        dict(seed=1, class_sizes=(9, 13, 7, 31), fractions=(0.5, 0.3, 0.2), D=2),
                        dict(seed=2, class_sizes=(3, 7, 11, 5), fractions=(0.6, 0.2, 0.2), D=2),
                        # 0.15 x 30 = 4.5 twice: rounding val and test "to nearest" and giving
                        # the rest to train puts train 1 off its share 21
                        dict(seed=4, class_sizes=(30, 10, 5), fractions=(0.7, 0.15, 0.15), D=2)],
          compare="property", verify=_verify_split)
def stratified_split_properties(lib, rng, class_sizes, fractions, D):
    """The split's properties, with a message naming the first one that fails."""
    return _split_report(lib, rng, class_sizes, fractions, D)


@scenario("2.1", cases=[dict(seed=3, class_sizes=(3, 7, 11, 5), fractions=(0.6, 0.2, 0.2), D=2)],
          compare="match")
def stratified_split_summary(lib, rng, class_sizes, fractions, D):
    """The same properties as yes/no answers: every correct split answers yes to all of them,
    whatever order it draws its random numbers in, and a known mistake has its own pattern."""
    out = _split_report(lib, rng, class_sizes, fractions, D)
    if out["n_outputs"] != 6:
        return {"returns_six_arrays": False}
    return {
        "returns_six_arrays": True,
        "every_row_in_exactly_one_set": out["partition"],
        "rows_keep_their_labels": out["labels_kept"],
        "train_share_of_each_class_rounded_down_or_up":
            _counts_ok(out["counts"], class_sizes, fractions, 0),
        "val_share_of_each_class_rounded_down_or_up":
            _counts_ok(out["counts"], class_sizes, fractions, 1),
        "test_share_of_each_class_rounded_down_or_up":
            _counts_ok(out["counts"], class_sizes, fractions, 2),
        "same_seed_same_split": out["same_seed_same_split"],
        "other_seed_other_split": out["seed_changes_split"],
        "train_not_grouped_by_class": out["train_not_grouped"],
        "train_not_in_input_order": out["train_not_in_input_order"],
        "inputs_unchanged": out["inputs_unchanged"],
    }


# --------------------------------------------------------------------------------------------
# 2.2 diagnose_bias_variance

# The two example tables of the slides (in %), with the slides' verdicts:
# example 1: human 0 -> (1, 15) high variance, (15, 16) high bias, (15, 30) both, (0.5, 1) neither
# example 2: (1, 8, 10) high bias, (7.5, 8, 10) high variance.
SLIDE_TABLES = (
    (0.0, 0.01, 0.15), (0.0, 0.15, 0.16), (0.0, 0.15, 0.30), (0.0, 0.005, 0.01),
    (0.01, 0.08, 0.10), (0.075, 0.08, 0.10),
)


def _field(result, name):
    """Read a field of the diagnosis, whether a dataclass (attribute) or a dict (key)."""
    if isinstance(result, dict):
        return result[name]
    return getattr(result, name)


def _diagnose_rows(lib, rows, **kwargs):
    diag, bias, var, hb, hv = [], [], [], [], []
    for row in rows:
        r = lib.assessment.diagnose_bias_variance(*row, **kwargs)
        diag.append(str(_field(r, "diagnosis")))
        bias.append(float(_field(r, "avoidable_bias")))
        var.append(float(_field(r, "variance")))
        hb.append(bool(_field(r, "high_bias")))
        hv.append(bool(_field(r, "high_variance")))
    return {"diagnosis": diag, "avoidable_bias": np.array(bias), "variance": np.array(var),
            "high_bias": np.array(hb), "high_variance": np.array(hv)}


@scenario("2.2", cases=[dict(seed=0, table=1), dict(seed=0, table=2)], compare="match")
def bias_variance_slide_tables(lib, rng, table):
    """The slides' example tables (example 1: four rows, example 2: two rows)."""
    rows = SLIDE_TABLES[:4] if table == 1 else SLIDE_TABLES[4:]
    return _diagnose_rows(lib, rows)


@scenario("2.2", cases=[dict(seed=3, n=8, threshold=0.01, ratio=0.5)], compare="match")
def bias_variance_random(lib, rng, n, threshold, ratio):
    """Random error triples (mostly human <= train <= val) and the given threshold and ratio."""
    rows = []
    for _ in range(n):
        h, t, v = np.sort(rng.uniform(0, 0.4, size=3))
        if rng.uniform() < 0.2:  # now and then a negative gap
            h, t, v = rng.permutation([h, t, v])
        rows.append(tuple(round(float(e), 3) for e in (h, t, v)))
    return _diagnose_rows(lib, rows, threshold=threshold, ratio=ratio)


# --------------------------------------------------------------------------------------------
# 2.3 EarlyStopping


def _curve(rng, n_epochs, mode, plateau):
    """A noisy U-shaped validation loss (or its mirror, an accuracy), optionally with ties."""
    t = np.arange(n_epochs)
    turn = rng.integers(n_epochs // 4, n_epochs // 2)
    loss = 1.0 / (1 + t) + 0.02 * np.maximum(t - turn, 0) + rng.normal(0, 0.01, n_epochs)
    loss = np.round(loss, 3)
    if plateau:  # repeat some values exactly: ties never count as an improvement
        for i in rng.choice(np.arange(1, n_epochs), size=n_epochs // 5, replace=False):
            loss[i] = loss[i - 1]
    return loss if mode == "min" else np.round(1.0 - loss, 3)


def _drive(es, values, params, rng):
    """Feed ``values`` one epoch at a time, updating ``params`` in place as an optimizer would;
    return the per-epoch answers and a snapshot of the parameters at every epoch."""
    stops, snapshots = [], []
    for epoch, v in enumerate(values):
        params["W1"] += rng.normal(0, 0.1, size=params["W1"].shape)  # in place, like .step()
        params["b1"] -= 0.01
        snapshots.append({k: p.copy() for k, p in params.items()})
        stop = es.update(epoch, float(v), params)
        stops.append(bool(stop))
        if stop:
            break
    return stops, snapshots


@scenario("2.3", cases=[dict(seed=0, mode="min", patience=3, min_delta=0.0, n_epochs=30, plateau=False),
                        dict(seed=1, mode="max", patience=2, min_delta=0.0, n_epochs=30, plateau=True),
                        dict(seed=2, mode="min", patience=4, min_delta=0.005, n_epochs=40, plateau=False),
                        dict(seed=3, mode="min", patience=6, min_delta=0.02, n_epochs=40, plateau=False),
                        dict(seed=6, mode="min", patience=10, min_delta=0.002, n_epochs=30, plateau=False, n_nan=6)],
          compare="match")
def early_stopping_update(lib, rng, mode, patience, min_delta, n_epochs, plateau, n_nan=0):
    """Drive ``update`` with a validation curve; record when it stops and what it kept.
    ``n_nan`` values (after the first two epochs) are NaN, which never count as improvements."""
    values = _curve(rng, n_epochs, mode, plateau)
    if n_nan:
        values[rng.choice(np.arange(2, n_epochs), size=n_nan, replace=False)] = np.nan
    es = lib.early_stopping.EarlyStopping(monitor="val_loss" if mode == "min" else "val_acc",
                                          mode=mode, patience=patience, min_delta=min_delta)
    params = {"W1": rng.normal(size=(3, 2)), "b1": np.zeros(2)}
    stops, _ = _drive(es, values, params, rng)
    best = es.best_params if es.best_params is not None else {}
    out = {"stopped_epoch": es.stopped_epoch, "best_epoch": es.best_epoch,
           "best_value": es.best_value, "stops": np.array(stops),
           "best_W1": _copy(best.get("W1")), "best_b1": _copy(best.get("b1"))}
    # One more in-place step of the optimizer must not reach the stored best parameters (read
    # them again through ``es``: the grader replays a sandboxed run, where only what ``es``
    # answers shows whether it kept a copy or a reference).
    params["W1"] += 10.0
    best = es.best_params if es.best_params is not None else {}
    out["best_W1_after_another_step"] = _copy(best.get("W1"))
    return out


def _copy(a):
    return None if a is None else np.array(a, dtype=np.float64, copy=True)


@scenario("2.3", cases=[dict(seed=4, mode="min", patience=3, n_epochs=25),
                        dict(seed=5, mode="max", patience=1, n_epochs=25)],
          compare="match")
def early_stopping_callback(lib, rng, mode, patience, n_epochs):
    """The callback protocol on a stand-in model: stop, restore a copy of the best parameters."""
    monitor = "val_loss" if mode == "min" else "val_acc"
    values = _curve(rng, n_epochs, mode, plateau=False)
    es = lib.early_stopping.EarlyStopping(monitor=monitor, mode=mode, patience=patience)
    model = SimpleNamespace(params={"W1": rng.normal(size=(2, 3)), "b1": np.zeros(3)})
    last = 0
    for epoch, v in enumerate(values):
        model.params["W1"] += rng.normal(0, 0.1, size=(2, 3))
        model.params["b1"] += 0.01
        last = epoch
        logs = {"train_loss": 0.5, monitor: float(v)}
        if es.on_epoch_end(epoch, logs, model):
            break
    # An in-place change after the last evaluated epoch (a last optimizer step, say) must not
    # reach the stored best parameters either.
    model.params["W1"] *= 1.5
    W_last = model.params["W1"].copy()
    es.on_train_end(model)
    restored_W1 = model.params["W1"].copy()
    restored_b1 = model.params["b1"].copy()
    # Training on after the restore must not reach the stored best parameters.
    model.params["W1"] += 1.0
    model.params["b1"][...] = -5.0
    return {"stopped_at_epoch": last, "best_epoch": es.best_epoch, "best_value": es.best_value,
            "restored_W1": restored_W1, "restored_b1": restored_b1,
            "restored_is_not_last": bool(not np.array_equal(restored_W1, W_last)),
            "best_W1_after_more_training": np.array(es.best_params["W1"]),
            "best_b1_after_more_training": np.array(es.best_params["b1"])}
