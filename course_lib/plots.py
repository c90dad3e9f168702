"""Plots used across the notebooks (provided). Each returns its matplotlib Axes; none calls
``plt.show()`` (Jupyter shows the figure; scripts decide themselves)."""

from __future__ import annotations

import numpy as np

__all__ = ["plot_history", "plot_decision_boundary", "plot_confusion_matrix"]


def _axes(ax, figsize=(5, 3.5)):
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_history(history, keys=("train_loss", "val_loss"), *, ax=None, title=None, logy=False):
    """Plot per-epoch curves from a ``train.History`` (or its ``.history`` dict).

    Parameters
    ----------
    history : History or dict of str to list of float
    keys : sequence of str, default ("train_loss", "val_loss")
        Curves to draw; empty ones (e.g. no validation data) are skipped.
    ax : matplotlib Axes, optional
    title : str, optional
    logy : bool, default False
        Logarithmic y axis.

    Returns
    -------
    matplotlib.axes.Axes
    """
    h = getattr(history, "history", history)
    ax = _axes(ax)
    for key in keys:
        values = h.get(key, [])
        if len(values):
            ax.plot(np.arange(1, len(values) + 1), values, label=key.replace("_", " "))
    ax.set_xlabel("epoch")
    ax.set_ylabel(", ".join(sorted({k.split("_", 1)[-1] for k in keys})))
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_decision_boundary(model, x, y, *, ax=None, resolution=200, padding=0.5, title=None):
    """Colour the plane by predicted class and scatter the 2-D points ``x`` coloured by ``y``.

    Parameters
    ----------
    model : object with ``predict(points)``, or a callable ``points (M, 2) -> labels (M,)``
    x : ndarray of shape (N, 2)
    y : ndarray of shape (N,)
        Labels (any integers, e.g. 0/1 or -1/+1).
    ax : matplotlib Axes, optional
    resolution : int, default 200
        Grid points per axis.
    padding : float, default 0.5
        Margin around the data.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"x must be (N, 2) to draw a decision boundary; got shape {x.shape}")
    predict = model.predict if hasattr(model, "predict") else model
    ax = _axes(ax, figsize=(4.5, 4))
    lo = x.min(axis=0) - padding
    hi = x.max(axis=0) + padding
    g0, g1 = np.meshgrid(np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution))
    grid = np.column_stack([g0.ravel(), g1.ravel()])
    z = np.asarray(predict(grid)).reshape(g0.shape)
    classes = np.unique(np.concatenate([np.unique(y), np.unique(z)]))
    zi = np.searchsorted(classes, z)
    ax.contourf(g0, g1, zi, levels=np.arange(len(classes) + 1) - 0.5, cmap="coolwarm", alpha=0.3)
    ax.scatter(x[:, 0], x[:, 1], c=np.searchsorted(classes, y), cmap="coolwarm",
               vmin=0, vmax=max(len(classes) - 1, 1), s=14, edgecolors="k", linewidths=0.3)
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    if title:
        ax.set_title(title)
    return ax


def plot_confusion_matrix(cm, *, class_names=None, ax=None, normalize=False, title=None):
    """Show a confusion matrix (rows: true class, columns: predicted class) with counts.

    Parameters
    ----------
    cm : ndarray of shape (K, K)
        From ``course_lib.metrics.confusion_matrix``.
    class_names : sequence of str, optional
    ax : matplotlib Axes, optional
    normalize : bool, default False
        Divide each row by its sum (then the diagonal shows the per-class recall).
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"cm must be a square matrix; got shape {cm.shape}")
    k = cm.shape[0]
    shown = cm.astype(np.float64)
    if normalize:
        rows = shown.sum(axis=1, keepdims=True)
        shown = np.divide(shown, rows, out=np.zeros_like(shown), where=rows > 0)
    ax = _axes(ax, figsize=(0.45 * k + 2.5, 0.45 * k + 2))
    im = ax.imshow(shown, cmap="Blues")
    ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    names = [str(i) for i in range(k)] if class_names is None else list(class_names)
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    thresh = shown.max() / 2 if shown.size else 0
    for i in range(k):
        for j in range(k):
            text = f"{shown[i, j]:.2f}" if normalize else str(int(cm[i, j]))
            ax.text(j, i, text, ha="center", va="center", fontsize=8,
                    color="white" if shown[i, j] > thresh else "black")
    if title:
        ax.set_title(title)
    return ax
