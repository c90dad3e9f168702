"""Known mistakes of assignment 02, early stopping: wrong variants of
``course_ref.early_stopping.EarlyStopping`` (subclasses overriding the wrong method)."""

import numpy as np

from autograder.mistakes import mistake
from course_ref.early_stopping import EarlyStopping, Mapping, check_int, numbers  # noqa: F401


@mistake("early_stopping.EarlyStopping", "restores the last parameters instead of the best")
class EarlyStopping__restores_last(EarlyStopping):
    """Copy the parameters only when the monitored value improves: the point of early stopping is to
    go back to the best epoch, not to keep the last one."""

    def update(self, epoch, value, params):
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.mode == "min":
            improved = value < self.best_value - self.min_delta
        else:
            improved = value > self.best_value + self.min_delta
        self.best_params = (
            None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
        )
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.wait = 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False


@mistake("early_stopping.EarlyStopping", "best parameters aliased, not copied")
class EarlyStopping__aliased(EarlyStopping):
    """self.best_params = params keeps a reference: the optimizer then updates the 'best' arrays in
    place every epoch. Store {k: v.copy() for k, v in params.items()}."""

    def update(self, epoch, value, params):
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.mode == "min":
            improved = value < self.best_value - self.min_delta
        else:
            improved = value > self.best_value + self.min_delta
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.best_params = None if params is None else dict(params)
            self.wait = 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False


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
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.mode == "min":
            improved = value < self.best_value - self.min_delta
        else:
            improved = value > self.best_value + self.min_delta
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.best_params = (
                None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
            )
            self.wait = 0
            return False
        self.wait += 1
        if self.wait > self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False


@mistake("early_stopping.EarlyStopping", "mode ignored: lower is always better")
class EarlyStopping__mode_ignored(EarlyStopping):
    """An accuracy improves when it goes UP: in mode 'max' compare with >, and start from -inf."""

    def update(self, epoch, value, params):
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.best_epoch is None:
            self.best_value = np.inf
        improved = value < self.best_value - self.min_delta
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.best_params = (
                None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
            )
            self.wait = 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False


@mistake("early_stopping.EarlyStopping", "min_delta ignored")
class EarlyStopping__min_delta_ignored(EarlyStopping):
    """A change smaller than min_delta is not an improvement: in mode 'min' require value <
    best_value - min_delta."""

    def update(self, epoch, value, params):
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.mode == "min":
            improved = value < self.best_value
        else:
            improved = value > self.best_value
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.best_params = (
                None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
            )
            self.wait = 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False


@mistake("early_stopping.EarlyStopping", "NaN counted as an improvement")
class EarlyStopping__nan_improves(EarlyStopping):
    """Write the test for an improvement (value < best_value - min_delta), not its negation: every
    comparison with NaN is False, so 'not worse' is True for a NaN loss, and a diverged epoch
    becomes the best one."""

    def update(self, epoch, value, params):
        epoch = check_int(epoch, "epoch", minimum=0)
        value = float(value)
        if self.mode == "min":
            improved = not (value >= self.best_value - self.min_delta)
        else:
            improved = not (value <= self.best_value + self.min_delta)
        if improved:
            self.best_value = value
            self.best_epoch = epoch
            self.best_params = (
                None if params is None else {k: np.array(v, copy=True) for k, v in params.items()}
            )
            self.wait = 0
            return False
        self.wait += 1
        if self.wait >= self.patience:
            if self.stopped_epoch is None:
                self.stopped_epoch = epoch
            return True
        return False
