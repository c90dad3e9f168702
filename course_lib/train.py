"""Mini-batch training loop, its history and the callback protocol (provided, not graded).

``train(model, optimizer, x, y, epochs=..., batch_size=..., rng=...)`` runs mini-batch gradient
descent: each epoch shuffles the training set with ``rng.permutation``, and for each batch calls
``model.loss_and_grads`` (training mode) and ``optimizer.step``. After each epoch it measures the
model in TEST mode (no dropout, batch-norm running statistics) on the whole training set and, if
given, the validation set, so train and validation numbers are comparable.

Callback protocol
-----------------
A callback is any object with

- ``on_epoch_end(epoch, logs, model) -> bool``: called after every epoch; ``epoch`` is the 0-based
  index of the epoch just finished, ``logs`` a dict with that epoch's ``train_loss``,
  ``train_acc`` and, when validation data is given, ``val_loss`` and ``val_acc``. Returning
  ``True`` stops training after this epoch.
- optionally ``on_train_end(model)``: called once when training ends (for any reason), e.g. to
  restore the best weights.
"""

from __future__ import annotations

import time

import numpy as np

from . import losses as _losses
from ._validate import as_float_array, as_label_array, check_int, check_rng

__all__ = ["History", "train", "evaluate"]


class History:
    """What happened during ``train``.

    Attributes
    ----------
    history : dict of str to list of float
        Per-epoch ``train_loss``, ``train_acc``, ``val_loss``, ``val_acc`` (the ``val_`` lists stay
        empty without validation data). Losses are the mean softmax cross-entropy in test mode,
        without any penalty term.
    epochs : int
        Number of epochs run.
    stopped_early : bool
        True if a callback stopped training.
    stop_reason : str or None
        Why training ended before ``epochs`` ("callback", or "diverged" when the loss or the
        parameters became NaN/infinite).
    seconds : float
        Wall-clock training time.
    """

    KEYS = ("train_loss", "train_acc", "val_loss", "val_acc")

    def __init__(self):
        self.history = {k: [] for k in self.KEYS}
        self.epochs = 0
        self.stopped_early = False
        self.stop_reason = None
        self.seconds = 0.0

    def __getitem__(self, key):
        return self.history[key]

    def best(self, key="val_loss"):
        """``(epoch, value)`` of the best value of ``key`` (lowest loss, highest accuracy)."""
        values = self.history[key]
        if not values:
            raise ValueError(f"no values recorded for {key!r}")
        i = int(np.argmax(values) if key.endswith("acc") else np.argmin(values))
        return i, values[i]

    def __repr__(self):
        last = {k: round(v[-1], 4) for k, v in self.history.items() if v}
        return f"History(epochs={self.epochs}, last={last}, stop_reason={self.stop_reason!r})"


def evaluate(model, x, y, *, batch_size=2048):
    """Test-mode mean cross-entropy and accuracy of ``model`` on ``(x, y)``.

    Returns
    -------
    loss : float
    acc : float
    """
    n = x.shape[0]
    total_loss = 0.0
    correct = 0
    for start in range(0, n, batch_size):
        xb, yb = x[start:start + batch_size], y[start:start + batch_size]
        scores = model.forward(xb, train=False)
        loss, _ = _losses.softmax_cross_entropy(scores, yb)
        total_loss += loss * len(yb)
        correct += int(np.sum(scores.argmax(axis=1) == yb))
    return total_loss / n, correct / n


def _finite_params(model):
    return all(np.all(np.isfinite(p)) for p in model.params.values())


def train(model, optimizer, x, y, *, epochs, batch_size, rng, x_val=None, y_val=None,
          callbacks=(), penalty=None, verbose=False):
    """Train ``model`` with mini-batch gradient descent.

    Parameters
    ----------
    model : course_lib.model.MLP
        Or anything with ``params``, ``forward(x, train=...)`` and ``loss_and_grads``.
    optimizer : SGD, Momentum or Adam
        Anything with ``step(params, grads)``.
    x : ndarray of shape (N, D)
    y : ndarray of shape (N,)
        Integer labels.
    epochs : int
        Maximum number of passes over the training set.
    batch_size : int
        Mini-batch size. The last batch of an epoch may be smaller; a last batch of a single
        example is merged into the one before it (batch statistics need two).
    rng : numpy.random.Generator
        Shuffles the data every epoch and draws dropout masks.
    x_val, y_val : ndarray, optional
        Validation set, evaluated after every epoch.
    callbacks : sequence
        Objects following the callback protocol (module docstring).
    penalty : callable, optional
        Passed to ``model.loss_and_grads`` (weight penalty on the W's).
    verbose : bool, default False
        Print one line per epoch.

    Returns
    -------
    History
    """
    x = as_float_array(x, "x", ndim=2)
    y = as_label_array(y, "y", n=x.shape[0])
    epochs = check_int(epochs, "epochs", minimum=1)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    rng = check_rng(rng)
    has_val = x_val is not None or y_val is not None
    if has_val:
        if x_val is None or y_val is None:
            raise ValueError("give both x_val and y_val, or neither")
        x_val = as_float_array(x_val, "x_val", ndim=2)
        y_val = as_label_array(y_val, "y_val", n=x_val.shape[0])
    for cb in callbacks:
        if not callable(getattr(cb, "on_epoch_end", None)):
            raise TypeError(f"callback {cb!r} has no on_epoch_end(epoch, logs, model) method")

    hist = History()
    n = x.shape[0]
    bounds = list(range(0, n, batch_size)) + [n]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        # A last batch of one example joins the one before: batch norm needs two to have statistics.
        del bounds[-2]
    t0 = time.perf_counter()
    for epoch in range(epochs):
        order = rng.permutation(n)
        diverged = False
        for start, stop in zip(bounds[:-1], bounds[1:]):
            idx = order[start:stop]
            try:
                loss, grads = model.loss_and_grads(x[idx], y[idx], rng=rng, penalty=penalty)
            except ValueError:
                if _finite_params(model):
                    raise
                diverged = True
                break
            if not np.isfinite(loss):
                diverged = True
                break
            optimizer.step(model.params, grads)
        if diverged or not _finite_params(model):
            hist.stop_reason = "diverged"
            if verbose:
                print(f"epoch {epoch + 1}: the loss or the parameters became NaN/infinite; stopping "
                      "(try a smaller learning rate)")
            break

        logs = {}
        logs["train_loss"], logs["train_acc"] = evaluate(model, x, y)
        if has_val:
            logs["val_loss"], logs["val_acc"] = evaluate(model, x_val, y_val)
        for k, v in logs.items():
            hist.history[k].append(float(v))
        hist.epochs = epoch + 1
        if verbose:
            print(f"epoch {epoch + 1:3d}/{epochs}: " + "  ".join(f"{k} {v:.4f}" for k, v in logs.items()))
        stop = False
        for cb in callbacks:
            if cb.on_epoch_end(epoch, dict(logs), model):
                stop = True
        if stop:
            hist.stopped_early = True
            hist.stop_reason = "callback"
            break
    for cb in callbacks:
        end = getattr(cb, "on_train_end", None)
        if callable(end):
            end(model)
    hist.seconds = time.perf_counter() - t0
    return hist
