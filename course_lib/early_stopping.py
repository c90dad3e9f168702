"""Early stopping (assignment 02, task 2.3).

Graded: :class:`EarlyStopping`, a callback for :func:`course_lib.train.train`. It watches one
metric of the per-epoch logs (``"val_loss"`` by default), remembers the epoch where that metric
was best together with a *copy* of the parameters at that epoch, asks training to stop after
``patience`` epochs without improvement, and puts the best parameters back into the model when
training ends.

The callback protocol of ``train()``: ``cb.on_epoch_end(epoch, logs, model) -> bool`` after every
epoch (``True`` stops training) and, optionally, ``cb.on_train_end(model)`` once at the end.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping

import numpy as np

from ._validate import check_int, check_positive

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Stop training when a monitored metric stops improving; restore the best parameters.

    Parameters
    ----------
    monitor : str, default "val_loss"
        Key of the per-epoch ``logs`` dict to watch (``"val_loss"``, ``"val_acc"``, ...).
    mode : {"min", "max"}, default "min"
        Direction of improvement: ``"min"`` for a loss or an error, ``"max"`` for an accuracy.
    patience : int, default 5
        Number of consecutive epochs without improvement after which training stops. With
        ``patience=5`` and the best value at epoch 10, training stops at the end of epoch 15
        (unless epochs 11..15 improve). ``patience=0`` stops at the first epoch that does not
        improve.
    min_delta : float, default 0.0
        Smallest change that counts as an improvement: in mode ``"min"`` a value improves when
        ``value < best_value - min_delta`` (in mode ``"max"``, ``value > best_value + min_delta``).
        Equal values never improve. Must be non-negative.

    Attributes
    ----------
    best_value : float
        Best monitored value so far (``+inf`` in mode ``"min"``, ``-inf`` in mode ``"max"`` before
        the first epoch).
    best_epoch : int or None
        Epoch of ``best_value`` (``None`` before the first epoch).
    best_params : dict of str to ndarray, or None
        A copy, made at ``best_epoch``, of the parameters: later changes to the model (the
        optimizer updates arrays in place) do not reach it.
    stopped_epoch : int or None
        The epoch at which :meth:`update` first returned ``True`` (``None`` if it never did).
    wait : int
        Number of consecutive epochs without improvement so far.

    Examples
    --------
    >>> es = EarlyStopping(patience=2)
    >>> params = {"W1": np.zeros((2, 2))}
    >>> [es.update(epoch, v, params) for epoch, v in enumerate([3.0, 2.0, 2.5, 2.1, 1.0])]
    [False, False, False, True, False]
    >>> es.best_epoch, es.stopped_epoch
    (4, 3)
    """

    def __init__(self, monitor="val_loss", mode="min", patience=5, min_delta=0.0):
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(f"monitor must be the name of a logged metric, e.g. 'val_loss'; "
                            f"got {monitor!r}")
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' (loss, error) or 'max' (accuracy); got {mode!r}")
        self.monitor = monitor
        self.mode = mode
        self.patience = check_int(patience, "patience", minimum=0)
        self.min_delta = check_positive(min_delta, "min_delta", allow_zero=True)
        self.reset()

    def reset(self):
        """Forget everything seen so far, to reuse the callback for another run."""
        self.best_value = np.inf if self.mode == "min" else -np.inf
        self.best_epoch = None
        self.best_params = None
        self.stopped_epoch = None
        self.wait = 0

    def __repr__(self):
        return (f"EarlyStopping(monitor={self.monitor!r}, mode={self.mode!r}, "
                f"patience={self.patience}, min_delta={self.min_delta})")

    def update(self, epoch, value, params):
        """Record one epoch's monitored value and say whether to stop.

        Parameters
        ----------
        epoch : int
            Index of the epoch that just ended (non-negative).
        value : float
            The monitored metric at that epoch. ``NaN`` never counts as an improvement.
        params : dict of str to ndarray, or None
            The model's parameters at that epoch. On an improvement a copy is stored in
            ``best_params``; ``params`` itself is neither kept nor modified.

        Returns
        -------
        bool
            ``True`` when ``patience`` consecutive epochs have not improved on the best value.
        """
        epoch = check_int(epoch, "epoch", minimum=0)
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"the monitored value ({self.monitor}) must be a real number; "
                            f"got {type(value).__name__}")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError(f"params must be a dict of name -> array (model.params); "
                            f"got {type(params).__name__}")
        value = float(value)
        raise NotImplementedError("Task 2.3 EarlyStopping.update — see notebooks/02_overfitting")

    def on_epoch_end(self, epoch, logs, model):
        """Callback hook of ``train()``: read ``logs[monitor]`` and call :meth:`update`.

        Parameters
        ----------
        epoch : int
        logs : dict of str to float
            This epoch's metrics (``train_loss``, ``val_loss``, ``val_acc``, ...).
        model : object with a ``params`` dict
            The model being trained.

        Returns
        -------
        bool
            ``True`` to stop training.

        Raises
        ------
        KeyError
            If ``logs`` has no ``monitor`` entry (for instance ``val_loss`` without validation
            data).
        """
        if self.monitor not in logs:
            raise KeyError(f"EarlyStopping monitors {self.monitor!r} but the logs only have "
                           f"{sorted(logs)}; pass validation data to train() or change monitor")
        raise NotImplementedError("Task 2.3 EarlyStopping.on_epoch_end — see notebooks/02_overfitting")

    def on_train_end(self, model):
        """Callback hook of ``train()``: put a copy of the best parameters into ``model.params``.

        The values are copied into the model's own arrays (in place, like ``MLP.restore``; a
        parameter the model lacks gets a new copy), so that further training of the model cannot
        change ``best_params``. Does nothing if no epoch was recorded.
        """
        if self.best_params is None:
            return
        raise NotImplementedError("Task 2.3 EarlyStopping.on_train_end — see notebooks/02_overfitting")
