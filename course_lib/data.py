"""Datasets of the course, all generated in code or shipped inside an installed package (provided).

Nothing is downloaded, ever. Every generator takes an explicit ``rng: np.random.Generator``;
arrays are float64 ``(N, D)`` inputs and int64 ``(N,)`` labels unless stated otherwise.

- ``load_digits()``: the 8x8 handwritten digits shipped with scikit-learn (1797 x 64, 10 classes),
  pixel values scaled from 0..16 to [0, 1].
- ``load_mnist1d(n_samples=5000, seed=42)``: Greydanus's MNIST-1D (40-point signals, 10 classes),
  GENERATED offline with ``mnist1d.data.make_dataset`` (never ``get_dataset``, which downloads).
- ``make_sin_regression(n, noise=0.3, rng)``: Bishop's ``t = sin(2 pi x) + noise`` (PRML 1.1).
- ``make_spirals(n_per_class, n_classes, noise, rng)``: interleaved spirals in 2-D.
- ``make_moons(n, noise, rng)``: two interleaving half circles in 2-D.
- ``make_linearly_separable(n, margin, rng)``: two classes ``{-1, +1}`` split by a line with a
  margin, for the perceptron.
"""

from __future__ import annotations

import functools
import os
import random
import tempfile

import numpy as np

from ._validate import check_int, check_positive, check_rng

__all__ = ["load_digits", "load_mnist1d", "make_sin_regression", "make_spirals", "make_moons",
           "make_linearly_separable"]


@functools.lru_cache(maxsize=1)
def _digits():
    from sklearn.datasets import load_digits as _load
    d = _load()
    x = (d.data / 16.0).astype(np.float64)
    y = d.target.astype(np.int64)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def load_digits():
    """The scikit-learn 8x8 digits, scaled to [0, 1].

    Returns
    -------
    x : ndarray of shape (1797, 64)
        Pixel intensities in [0, 1] (row-major 8x8 images, flattened).
    y : ndarray of shape (1797,)
        Digit labels 0..9 (about 180 of each).
    """
    x, y = _digits()
    return x.copy(), y.copy()


def _mnist1d_cache_file(n_samples, seed):
    """Where the generated arrays are kept between sessions, or None when caching is off.

    ``COURSE_DATA_CACHE`` names the folder (``0`` or an empty value turns the cache off); the
    default is ``$XDG_CACHE_HOME/ffnn-course`` (``~/.cache/ffnn-course``). The name carries
    mnist1d's version, so another version of the generator never reads this one's arrays.
    """
    folder = os.environ.get("COURSE_DATA_CACHE")
    if folder is None:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        folder = os.path.join(base, "ffnn-course")
    if folder in ("", "0"):
        return None
    try:
        from importlib.metadata import version
        generator = version("mnist1d")
    except Exception:  # not installed as a distribution: no safe key, no cache
        return None
    return os.path.join(folder, f"mnist1d-{generator}-n{n_samples}-seed{seed}.npz")


def _read_cached(path, n_samples):
    """The cached arrays, or None if the file is missing, unreadable or not what we wrote."""
    try:
        with np.load(path, allow_pickle=False) as f:
            x, y = f["x"], f["y"]
    except Exception:  # a missing, truncated or foreign file: generate instead
        return None
    if (x.shape != (n_samples, 40) or x.dtype != np.float64 or y.shape != (n_samples,)
            or y.dtype != np.int64 or not np.isfinite(x).all()):
        return None
    return x, y


def _write_cached(path, x, y):
    """Write atomically (a temporary file, then a rename); a read-only place is not an error."""
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, x=x, y=y)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass


@functools.lru_cache(maxsize=8)
def _mnist1d(n_samples, seed):
    path = _mnist1d_cache_file(n_samples, seed)
    cached = _read_cached(path, n_samples) if path else None
    if cached is not None:
        x, y = cached
    else:
        x, y = _generate_mnist1d(n_samples, seed)
        if path:
            _write_cached(path, x, y)
    x.flags.writeable = False
    y.flags.writeable = False
    return x, y


def _generate_mnist1d(n_samples, seed):
    from mnist1d.data import get_dataset_args, make_dataset
    args = get_dataset_args()
    args.num_samples = n_samples
    args.seed = seed
    args.train_split = 1.0 - 1.0 / n_samples  # keep (almost) everything in one array; split below
    # make_dataset seeds numpy's and Python's GLOBAL generators: save and restore them so that
    # loading data never changes anyone else's random numbers.
    np_state, py_state = np.random.get_state(), random.getstate()
    try:
        d = make_dataset(args)
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)
    x = np.concatenate([d["x"], d["x_test"]]).astype(np.float64)
    y = np.concatenate([d["y"], d["y_test"]]).astype(np.int64)
    return x, y


def load_mnist1d(*, n_samples=5000, seed=42):
    """MNIST-1D (Greydanus, 2020), generated in memory with ``mnist1d.data.make_dataset``.

    Each example is one of ten 1-D digit templates, padded, sheared, scaled, translated and
    noised, sampled at 40 points. The defaults give the standard dataset (5000 examples, seed
    42). Generating them takes seconds (4–9 s on a 2-core machine, 20 s and more when it is
    busy), so the arrays are kept in memory for the session and on disk between sessions
    (``~/.cache/ffnn-course``; ``COURSE_DATA_CACHE`` names another folder, ``0`` turns it off):
    a later load reads them back in milliseconds, bit for bit the same. Use
    ``course_lib.assessment.stratified_split`` (or the first 80% / last 20%, the dataset's own
    split) to make training and test sets.

    Parameters
    ----------
    n_samples : int, default 5000
        Number of examples (a multiple of 10 gives exactly ``n_samples / 10`` per class).
    seed : int, default 42
        Seed of the generator.

    Returns
    -------
    x : ndarray of shape (n_samples, 40)
        Standardized signals (zero mean, unit standard deviation over the whole dataset).
    y : ndarray of shape (n_samples,)
        Labels 0..9, in shuffled order.
    """
    n_samples = check_int(n_samples, "n_samples", minimum=10)
    seed = check_int(seed, "seed", minimum=0)
    x, y = _mnist1d(n_samples, seed)
    return x.copy(), y.copy()


def make_sin_regression(n, *, noise=0.3, rng):
    """Bishop's toy regression (PRML, section 1.1): ``t = sin(2 pi x) + N(0, noise**2)``.

    Parameters
    ----------
    n : int
        Number of points.
    noise : float, default 0.3
        Standard deviation of the Gaussian noise on the targets.
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (n, 1)
        Inputs drawn uniformly from [0, 1], sorted increasingly.
    t : ndarray of shape (n, 1)
        Noisy targets.
    """
    n = check_int(n, "n", minimum=1)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = check_rng(rng)
    x = np.sort(rng.uniform(0.0, 1.0, size=n))
    t = np.sin(2 * np.pi * x) + noise * rng.normal(size=n)
    return x[:, None], t[:, None]


def make_spirals(n_per_class, n_classes=3, *, noise=0.2, rng):
    """Interleaved spiral arms in the plane, one per class (not linearly separable).

    Arm ``k`` has radius growing linearly from 0 to 1 and angle ``theta = 4 r + 2 pi k / K`` plus
    Gaussian noise of standard deviation ``noise`` on the angle.

    Parameters
    ----------
    n_per_class : int
    n_classes : int, default 3
    noise : float, default 0.2
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (n_per_class * n_classes, 2)
    y : ndarray of shape (n_per_class * n_classes,)
        Labels ``0 .. n_classes - 1``, grouped by class.
    """
    n_per_class = check_int(n_per_class, "n_per_class", minimum=1)
    n_classes = check_int(n_classes, "n_classes", minimum=2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = check_rng(rng)
    xs, ys = [], []
    r = np.linspace(0.0, 1.0, n_per_class)
    for k in range(n_classes):
        theta = 4.0 * r + 2 * np.pi * k / n_classes + noise * rng.normal(size=n_per_class)
        xs.append(np.column_stack([r * np.sin(theta), r * np.cos(theta)]))
        ys.append(np.full(n_per_class, k, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def make_moons(n, *, noise=0.1, rng):
    """Two interleaving half circles (class 0 on top, class 1 below), as in scikit-learn.

    Parameters
    ----------
    n : int
        Total number of points (class 0 gets ``ceil(n / 2)``).
    noise : float, default 0.1
        Standard deviation of Gaussian noise added to both coordinates.
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Labels 0 and 1, in shuffled order.
    """
    n = check_int(n, "n", minimum=2)
    noise = check_positive(noise, "noise", allow_zero=True)
    rng = check_rng(rng)
    n0 = (n + 1) // 2
    n1 = n - n0
    a0 = np.linspace(0, np.pi, n0)
    a1 = np.linspace(0, np.pi, n1)
    x = np.concatenate([np.column_stack([np.cos(a0), np.sin(a0)]),
                        np.column_stack([1 - np.cos(a1), 0.5 - np.sin(a1)])])
    y = np.concatenate([np.zeros(n0, dtype=np.int64), np.ones(n1, dtype=np.int64)])
    x = x + noise * rng.normal(size=x.shape)
    order = rng.permutation(n)
    return x[order], y[order]


def make_linearly_separable(n, *, margin=0.5, rng):
    """Two classes in the plane separated by a random line with a gap of ``2 * margin``.

    Points are drawn uniformly in ``[-3, 3]^2`` and those closer than ``margin`` to the line are
    redrawn, so a perceptron is guaranteed to converge.

    Parameters
    ----------
    n : int
    margin : float, default 0.5
    rng : numpy.random.Generator

    Returns
    -------
    x : ndarray of shape (n, 2)
    y : ndarray of shape (n,)
        Labels in ``{-1, +1}``, the sign of ``x @ w_true + b_true``.
    """
    n = check_int(n, "n", minimum=2)
    margin = check_positive(margin, "margin", allow_zero=True)
    rng = check_rng(rng)
    angle = rng.uniform(0, 2 * np.pi)
    w = np.array([np.cos(angle), np.sin(angle)])   # unit normal
    b = rng.uniform(-1.0, 1.0)
    x = np.empty((0, 2))
    while x.shape[0] < n:
        cand = rng.uniform(-3, 3, size=(2 * n, 2))
        cand = cand[np.abs(cand @ w + b) >= margin]
        x = np.concatenate([x, cand])
    x = x[:n]
    y = np.where(x @ w + b > 0, 1, -1).astype(np.int64)
    if np.all(y == y[0]):  # make sure both classes are present
        x[0] = -x[0] - 2 * b * w
        y[0] = -y[0]
    return x, y
