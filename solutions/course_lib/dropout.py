"""Inverted dropout (assignment 06).

Convention, stated once: **``p`` is the probability of DROPPING a unit** (Keras' ``rate``,
PyTorch's ``p``). A unit is kept with probability ``q = 1 - p``, and at training time the kept
units are divided by ``q`` ("inverted" dropout), so that the expected output equals the input:

.. math:: m_{ij} \\sim \\mathrm{Bernoulli}(q), \\qquad
          \\mathrm{out}_{ij} = \\frac{m_{ij}}{q}\\, x_{ij}, \\qquad
          \\mathbb{E}[\\mathrm{out}_{ij}] = x_{ij}.

Every unit of every example gets its own coin: the mask has the shape of ``x``, ``(N, D)``,
not ``(D,)``. At test time dropout is the identity (no mask, no scaling): the division at training
time already put the activations on the test-time scale (Srivastava et al.'s "weight scaling
inference rule", done once during training instead of at every prediction).

Erratum of the slides (001): the slide's code keeps a unit with probability ``1 - keep_prob`` and
divides by ``1 - keep_prob``, while its text says it keeps with probability ``keep_prob``. Read
that way it is dropout with ``p = keep_prob``; here ``p`` is always the DROP probability.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``dropout_forward(x, p, rng, train=True) -> (out, cache)``
- ``dropout_backward(dout, cache) -> dx``
- Provided, not graded: ``max_norm(W, c) -> W_projected``, the max-norm constraint that
  Srivastava et al. pair with dropout (each column of ``W`` projected onto the ball of radius c).

References
----------
Srivastava, N., Hinton, G., Krizhevsky, A., Sutskever, I. and Salakhutdinov, R. (2014). Dropout:
a simple way to prevent neural networks from overfitting. JMLR 15, 1929-1958.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive, check_probability, check_rng


def dropout_forward(x, p, rng, train=True):
    """Inverted dropout, forward pass (Task 6.1).

    Parameters
    ----------
    x : array_like, shape (N, D)
        Activations of a layer: N examples, D units.
    p : float in [0, 1)
        Probability of DROPPING each unit (not of keeping it). ``p = 0`` keeps every unit.
    rng : numpy.random.Generator
        Source of the mask's randomness (used only when ``train`` is true; may be ``None`` then).
    train : bool, default True
        Training mode draws a mask; test mode is the identity.

    Returns
    -------
    out : ndarray, shape (N, D)
        Training: ``x * mask / (1 - p)`` where ``mask[i, j]`` is 1 with probability ``1 - p``,
        independently for every example i and unit j. Test: a copy of ``x``.
    cache : object
        Whatever :func:`dropout_backward` needs; its design is yours. (The reference returns a
        dict: ``"mask"``, the scaled mask ``mask / (1 - p)`` of shape (N, D), ``None`` at test
        time; ``"p"``; ``"train"``.)

    Raises
    ------
    ValueError
        If ``x`` is not 2-D or not finite, or ``p`` is outside [0, 1).
    TypeError
        If ``train`` is true and ``rng`` is not a ``numpy.random.Generator``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> out, cache = dropout_forward(np.ones((2, 4)), 0.5, rng)
    >>> sorted(set(out.ravel().tolist()))   # dropped units are 0, kept ones are scaled by 2
    [0.0, 2.0]
    """
    x = as_float_array(x, "x", ndim=2)
    p = check_probability(p, "p")
    train = bool(train)
    if train:
        rng = check_rng(rng)
    ### BEGIN SOLUTION
    if not train:
        return x.copy(), {"mask": None, "p": p, "train": False}
    q = 1.0 - p
    mask = (rng.random(x.shape) < q) / q      # one coin per example and unit, already scaled
    return x * mask, {"mask": mask, "p": p, "train": True}
    ### END SOLUTION


def dropout_backward(dout, cache):
    """Inverted dropout, backward pass (Task 6.2).

    Parameters
    ----------
    dout : array_like, shape (N, D)
        Upstream gradient, the shape of the forward's output.
    cache : object
        The cache returned by :func:`dropout_forward` for this very forward pass.

    Returns
    -------
    dx : ndarray, shape (N, D)
        Training: ``dout * mask / (1 - p)`` with the forward's mask (a dropped unit passes no
        gradient, a kept one passes it scaled by ``1 / (1 - p)``). Test: a copy of ``dout``.

    Raises
    ------
    ValueError
        If ``dout`` is not 2-D, or (reference) its shape differs from the forward's mask.
    """
    dout = as_float_array(dout, "dout", ndim=2)
    ### BEGIN SOLUTION
    if not isinstance(cache, dict) or "mask" not in cache:
        raise TypeError("cache must be the dict returned by dropout_forward")
    if cache["mask"] is not None and np.shape(cache["mask"]) != dout.shape:
        raise ValueError(f"dout must have the forward's shape {np.shape(cache['mask'])}; "
                         f"got shape {dout.shape}")
    if not cache["train"]:
        return dout.copy()
    return dout * cache["mask"]
    ### END SOLUTION


def max_norm(W, c):
    """Max-norm constraint: project every column of ``W`` onto the L2 ball of radius ``c``
    (provided, not graded; notebook 06, section 4).

    Srivastava et al. (2014, section 5.1) bound the norm of the vector of weights coming INTO each
    hidden unit, ``||w||_2 <= c``, and enforce it after every update by projection: a column
    already inside the ball is left alone, a longer one is scaled down onto its surface. With our
    weights of shape ``(fan_in, fan_out)``, the incoming weights of unit ``j`` are the column
    ``W[:, j]`` (Keras' ``MaxNorm(axis=0)``; PyTorch's ``nn.Linear`` stores the transpose, so
    there they are the rows).

    Parameters
    ----------
    W : array_like, shape (fan_in, fan_out)
        Weight matrix; not modified.
    c : float > 0
        The largest allowed norm of a column (the paper uses values of about 3 to 4).

    Returns
    -------
    ndarray, shape (fan_in, fan_out), the dtype of ``W`` (float64 for non-float input)
        ``W[:, j] * min(1, c / ||W[:, j]||_2)`` for every column ``j``.

    Examples
    --------
    >>> max_norm(np.array([[3.0, 0.3], [4.0, 0.4]]), 1.0)   # column norms 5 and 0.5
    array([[0.6, 0.3],
           [0.8, 0.4]])
    """
    W = as_float_array(W, "W", ndim=2)
    c = check_positive(c, "c")
    norms = np.sqrt(np.sum(np.square(W), axis=0))
    out = W.copy()
    over = norms > c
    out[:, over] = W[:, over] * (c / norms[over]).astype(W.dtype)
    return out
