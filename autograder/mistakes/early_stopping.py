"""Known mistakes of assignment 02, early stopping: wrong variants of
``course_ref.early_stopping.EarlyStopping``, subclasses of the reference whose overridden method
calls the reference's with the mistake around it (a setting changed for the call, or what the
call stored changed afterwards)."""

import numbers

import numpy as np
from course_ref.early_stopping import EarlyStopping

from autograder.mistakes import mistake


class _Changed:
    """``with _Changed(callback, patience=4):`` the callback's settings changed for one call of
    the reference's ``update``, and restored after it."""

    def __init__(self, callback, **settings):
        self.callback, self.settings = callback, settings

    def __enter__(self):
        self.saved = {name: getattr(self.callback, name) for name in self.settings}
        for name, value in self.settings.items():
            setattr(self.callback, name, value)

    def __exit__(self, *exc):
        for name, value in self.saved.items():
            setattr(self.callback, name, value)


@mistake("early_stopping.EarlyStopping", "restores the last parameters instead of the best")
class EarlyStopping__restores_last(EarlyStopping):
    """Copy the parameters only when the monitored value improves: the point of early stopping is to
    go back to the best epoch, not to keep the last one."""

    def update(self, epoch, value, params):
        stop = super().update(epoch, value, params)
        self.best_params = (
            None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
        )
        return stop


@mistake("early_stopping.EarlyStopping", "best parameters aliased, not copied")
class EarlyStopping__aliased(EarlyStopping):
    """self.best_params = params keeps a reference: the optimizer then updates the 'best' arrays in
    place every epoch. Store {k: v.copy() for k, v in params.items()}."""

    def update(self, epoch, value, params):
        stop = super().update(epoch, value, params)
        if self.wait == 0:  # this epoch improved: keep the arrays themselves
            self.best_params = None if params is None else dict(params)
        return stop


@mistake("early_stopping.EarlyStopping", "restored parameters aliased, not copied")
class EarlyStopping__restore_aliased(EarlyStopping):
    """model.params[k] = self.best_params[k] makes the model and the callback share the arrays, so
    training the model further overwrites the stored best: write copies."""

    def on_train_end(self, model):
        if self.best_params is None:
            return
        for name, value in self.best_params.items():
            model.params[name] = value


@mistake("early_stopping.EarlyStopping", "patience off by one")
class EarlyStopping__patience_off_by_one(EarlyStopping):
    """patience is the number of epochs without improvement that are tolerated: with patience=3 and
    the best at epoch 10, training stops at epoch 13, not 14."""

    def update(self, epoch, value, params):
        with _Changed(self, patience=self.patience + 1):  # stops when wait > patience
            return super().update(epoch, value, params)


@mistake("early_stopping.EarlyStopping", "mode ignored: lower is always better")
class EarlyStopping__mode_ignored(EarlyStopping):
    """An accuracy improves when it goes UP: in mode 'max' compare with >, and start from -inf."""

    def update(self, epoch, value, params):
        if self.best_epoch is None:
            self.best_value = np.inf
        with _Changed(self, mode="min"):
            return super().update(epoch, value, params)


@mistake("early_stopping.EarlyStopping", "min_delta ignored")
class EarlyStopping__min_delta_ignored(EarlyStopping):
    """A change smaller than min_delta is not an improvement: in mode 'min' require value <
    best_value - min_delta."""

    def update(self, epoch, value, params):
        with _Changed(self, min_delta=0.0):
            return super().update(epoch, value, params)


@mistake("early_stopping.EarlyStopping", "NaN counted as an improvement")
class EarlyStopping__nan_improves(EarlyStopping):
    """Write the test for an improvement (value < best_value - min_delta), not its negation: every
    comparison with NaN is False, so 'not worse' is True for a NaN loss, and a diverged epoch
    becomes the best one."""

    best_value: float  # set by the reference's reset()

    def update(self, epoch, value, params):
        real = isinstance(value, numbers.Real) and not isinstance(value, bool)
        if not (real and (np.isnan(value) or np.isnan(self.best_value))):
            return super().update(epoch, value, params)
        # `not (value >= best - min_delta)` holds whenever a NaN is compared: the reference is
        # shown a sure improvement, and the NaN stored as the best value.
        self.best_value = np.inf if self.mode == "min" else -np.inf
        stop = super().update(epoch, -self.best_value, params)
        self.best_value = float(value)
        return stop
