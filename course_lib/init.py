"""Weight initialization (assignment 03).

Every initializer has the signature ``init(fan_in, fan_out, rng, **options)`` and returns a new
``(fan_in, fan_out)`` float64 weight matrix: row-major layers compute ``x @ W + b``, so ``fan_in``
is the number of input units and ``fan_out`` the number of output units. Biases always start at
zero (``np.zeros(fan_out)``), whatever the weight initializer: see :func:`init_params`.

Variances at a glance (``n_in = fan_in``, ``n_out = fan_out``):

===============  ==========================  ==========================================
initializer      distribution                variance
===============  ==========================  ==========================================
standard_uniform U[-1/sqrt(n_in), +...]      1 / (3 n_in)    (the old heuristic)
xavier_normal    N(0, s^2)                   2 / (n_in + n_out)
xavier_uniform   U[-a, a], a=sqrt(6/(n_in+n_out))   2 / (n_in + n_out)
he_normal        N(0, s^2)                   2 / n_in        (ReLU layers)
he_uniform       U[-a, a], a=sqrt(6/n_in)    2 / n_in
lecun_normal     N(0, s^2)                   1 / n_in
===============  ==========================  ==========================================

A uniform distribution on ``[-a, a]`` has variance ``a**2 / 3``, so the bound that gives variance
``v`` is ``a = sqrt(3 v)``: ``sqrt(6 / (n_in + n_out))`` for Xavier, ``sqrt(6 / n_in)`` for He.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validate import check_int, check_positive, check_rng


def _check_layer(fan_in, fan_out, rng, *, need_rng=True):
    """Validate the common arguments of an initializer (provided, not graded)."""
    fan_in = check_int(fan_in, "fan_in", minimum=1)
    fan_out = check_int(fan_out, "fan_out", minimum=1)
    if need_rng or rng is not None:
        rng = check_rng(rng)
    return fan_in, fan_out, rng


# --------------------------------------------------------------------------- Task 3.1


def zeros(fan_in: int, fan_out: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """All-zero weights (Task 3.1). A bad idea for hidden layers: see notebook 03.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator, optional
        Accepted for a uniform signature and not used.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Zeros.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng, need_rng=False)
    raise NotImplementedError("Task 3.1 zeros — see notebooks/03_initialization")


def constant(fan_in: int, fan_out: int, rng: np.random.Generator | None = None, *,
             value: float = 0.1) -> np.ndarray:
    """Every weight equal to ``value`` (Task 3.1).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator, optional
        Accepted for a uniform signature and not used.
    value : float, default 0.1
        The constant (any finite real number).

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Every entry equals ``value``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng, need_rng=False)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"value must be a real number; got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"value must be finite; got {value}")
    raise NotImplementedError("Task 3.1 constant — see notebooks/03_initialization")


def normal(fan_in: int, fan_out: int, rng: np.random.Generator, *, std: float = 0.01) -> np.ndarray:
    """Weights drawn independently from ``N(0, std**2)`` (Task 3.1).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.
    std : float, default 0.01
        Standard deviation (not the variance) of the normal distribution; >= 0.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Mean 0, standard deviation ``std``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    std = check_positive(std, "std", allow_zero=True)
    raise NotImplementedError("Task 3.1 normal — see notebooks/03_initialization")


# --------------------------------------------------------------------------- Task 3.2


def xavier_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010) normalized initialization, normal version (Task 3.2).

    ``W ~ N(0, 2 / (fan_in + fan_out))``: the compromise between keeping the forward variance
    (``fan_in * Var(W) = 1``) and the backward variance (``fan_out * Var(W) = 1``) of a layer
    with a linear regime around 0, such as tanh.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Mean 0, standard deviation ``sqrt(2 / (fan_in + fan_out))``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    raise NotImplementedError("Task 3.2 xavier_normal — see notebooks/03_initialization")


def xavier_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """Glorot & Bengio (2010) normalized initialization, uniform version (Task 3.2).

    ``W ~ U[-a, a]`` with ``a = sqrt(6 / (fan_in + fan_out))``, so that
    ``Var(W) = a**2 / 3 = 2 / (fan_in + fan_out)``, the same variance as :func:`xavier_normal`.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Entries in ``[-a, a]``, variance ``2 / (fan_in + fan_out)``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    raise NotImplementedError("Task 3.2 xavier_uniform — see notebooks/03_initialization")


# --------------------------------------------------------------------------- Task 3.3


def he_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015) initialization for ReLU layers, normal version (Task 3.3).

    ``W ~ N(0, 2 / fan_in)``: a ReLU zeroes half of its inputs, which halves the second moment
    passed forward, and the factor 2 puts it back. Only ``fan_in`` appears (not ``fan_out``).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Mean 0, standard deviation ``sqrt(2 / fan_in)`` (variance ``2 / fan_in``).
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    raise NotImplementedError("Task 3.3 he_normal — see notebooks/03_initialization")


def he_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """He et al. (2015) initialization for ReLU layers, uniform version (Task 3.3).

    ``W ~ U[-a, a]`` with ``a = sqrt(6 / fan_in)``, so that ``Var(W) = a**2 / 3 = 2 / fan_in``.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Entries in ``[-a, a]``, variance ``2 / fan_in``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    raise NotImplementedError("Task 3.3 he_uniform — see notebooks/03_initialization")


def lecun_normal(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """LeCun et al. (1998, "Efficient BackProp") initialization (Task 3.3).

    ``W ~ N(0, 1 / fan_in)``: keeps the forward variance of a layer with a linear regime of slope
    1 around 0 (each pre-activation has unit variance when the inputs have).

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer (>= 1).
    rng : numpy.random.Generator
        The only source of randomness.

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out), float64
        Mean 0, standard deviation ``1 / sqrt(fan_in)``.
    """
    fan_in, fan_out, rng = _check_layer(fan_in, fan_out, rng)
    raise NotImplementedError("Task 3.3 lecun_normal — see notebooks/03_initialization")


# --------------------------------------------------------------------------- Task 3.3: a whole network


def init_params(layer_sizes, rng: np.random.Generator, *, init="he_normal") -> dict:
    """Initial weights and biases of a fully connected network (Task 3.3).

    Layer ``l`` (1-based) maps ``layer_sizes[l-1]`` units to ``layer_sizes[l]`` units. Its weight
    ``W<l>`` comes from the initializer, drawing from the one ``rng`` in turn, so that every layer
    gets fresh random numbers; its bias ``b<l>`` starts at zero.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``(D, H1, ..., C)``: input size, hidden sizes, output size; at least two entries, each >= 1.
    rng : numpy.random.Generator
        The only source of randomness, shared by all layers (never re-seeded per layer).
    init : str or callable, default "he_normal"
        An initializer name known to :func:`get_initializer`, or a callable
        ``f(fan_in, fan_out, rng) -> (fan_in, fan_out) array``.

    Returns
    -------
    params : dict of str to ndarray
        ``"W1"`` of shape (layer_sizes[0], layer_sizes[1]), ``"b1"`` of shape (layer_sizes[1],),
        ..., ``"W<L>"``, ``"b<L>"`` with ``L = len(layer_sizes) - 1``; all float64.
    """
    if isinstance(layer_sizes, (str, bytes)) or not hasattr(layer_sizes, "__len__"):
        raise TypeError("layer_sizes must be a sequence of integers such as (64, 100, 10); "
                        f"got {type(layer_sizes).__name__}")
    if len(layer_sizes) < 2:
        raise ValueError(f"layer_sizes needs at least an input and an output size; got {list(layer_sizes)}")
    sizes = [check_int(n, f"layer_sizes[{i}]", minimum=1) for i, n in enumerate(layer_sizes)]
    rng = check_rng(rng)
    initializer = get_initializer(init)
    raise NotImplementedError("Task 3.3 init_params — see notebooks/03_initialization")


# --------------------------------------------------------------------------- provided


def standard_uniform(fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    """The "standard" heuristic of Glorot & Bengio (2010): ``W ~ U[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.

    Provided (not graded): it is the default of ``course_lib.model.MLP`` so that assignment 01 runs
    before the graded initializers of assignment 03 exist, and the baseline notebook 03 improves on.

    Parameters
    ----------
    fan_in, fan_out : int
        Number of input and output units of the layer.
    rng : numpy.random.Generator

    Returns
    -------
    W : ndarray of shape (fan_in, fan_out)
        Variance ``1 / (3 * fan_in)``.
    """
    fan_in = check_int(fan_in, "fan_in", minimum=1)
    fan_out = check_int(fan_out, "fan_out", minimum=1)
    rng = check_rng(rng)
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=(fan_in, fan_out))


def get_initializer(name):
    """Return the initializer called ``name`` (e.g. ``"he_normal"``), or ``name`` if it is callable.

    Raises
    ------
    ValueError
        If no initializer has that name; the message lists the known names.
    """
    if callable(name):
        return name
    known = {f.__name__: f for f in INITIALIZERS}
    if name not in known:
        raise ValueError(f"unknown initializer {name!r}; expected one of {sorted(known)}")
    return known[name]


INITIALIZERS = (standard_uniform, zeros, constant, normal, xavier_normal, xavier_uniform,
                he_normal, he_uniform, lecun_normal)
