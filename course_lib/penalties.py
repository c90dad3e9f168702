"""Weight penalties: L2, L1 and elastic net (assignment 07).

Conventions, stated once (and tested):

- **L2 carries a factor 1/2**: ``l2_penalty(weights, lam) = lam / 2 * sum_k sum(W_k ** 2)``, so
  its gradient is ``lam * W`` and ``lam`` is exactly the "weight decay" coefficient: one SGD step
  with learning rate ``lr`` multiplies every weight by ``1 - lr * lam`` before the data gradient.
  This is the convention of Goodfellow, Bengio and Courville (2016, eq. 7.2, ``alpha/2 w^T w``)
  and of the ridge / early-stopping equivalence (their eq. 7.43, ``alpha ~ 1 / (tau * eps)``).
  The slides write both ``lam * sum(w^2)`` (000, 002) and ``lam / (2m) * ||w||^2`` (004): with
  ``lam * sum(w^2)`` the gradient is ``2 * lam * W``, so the slides' ``lam`` is half of ours.
- **L1**: ``l1_penalty(weights, lam) = lam * sum_k sum(|W_k|)``; its gradient is
  ``lam * sign(W)`` and, where a weight is exactly 0 (``|w|`` has no derivative there), we use
  the subgradient **0** (``np.sign(0) == 0``): the smallest element of ``lam * [-1, 1]``.
- **Elastic net** (scikit-learn's parametrization): with ``l1_ratio`` in [0, 1],
  ``lam * (l1_ratio * sum|W| + (1 - l1_ratio) / 2 * sum(W ** 2))``, so ``l1_ratio = 1`` is
  ``l1_penalty`` and ``l1_ratio = 0`` is ``l2_penalty``.
- **Only weight matrices are penalized**, never biases nor batch-norm's gamma / beta. The
  penalty functions take a list of 2-D weight matrices and reject 1-D arrays; ``add_penalty``
  picks the weights (the ``"W..."`` entries) out of a parameter dict.

All functions return new arrays and never modify their inputs. ``lam`` is the coefficient of the
penalty in the *mean* data loss: ``total = mean_i loss_i + penalty``.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``l2_penalty(weights, lam) -> (value, grads)``, ``l1_penalty(weights, lam) -> (value, grads)``,
  ``elastic_net_penalty(weights, lam, l1_ratio) -> (value, grads)``: ``weights`` is a list of
  weight matrices only; ``grads`` is a list of the same shapes.
- ``add_penalty(loss, grads, params, penalty) -> (total_loss, total_grads)`` (Task 7.4): the
  penalty applied to the ``"W*"`` entries of a parameter dict, into the loss and the gradients.

References
----------
Goodfellow, I., Bengio, Y. and Courville, A. (2016). Deep Learning, chapter 7. MIT Press.
Zou, H. and Hastie, T. (2005). Regularization and variable selection via the elastic net.
J. R. Statist. Soc. B 67, 301-320.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive, check_probability


def _check_weights(weights):
    """Return ``weights`` as a list of float64 2-D arrays, or raise a clear error."""
    if isinstance(weights, np.ndarray) or not isinstance(weights, (list, tuple)):
        raise TypeError("weights must be a list of weight matrices (fan_in, fan_out); "
                        f"got {type(weights).__name__}")
    out = []
    for k, W in enumerate(weights):
        W = as_float_array(W, f"weights[{k}]")
        if W.ndim != 2:
            raise ValueError(f"weights[{k}] must be a 2-D weight matrix (fan_in, fan_out); got "
                             f"shape {W.shape} (biases and batch-norm parameters are not penalized)")
        out.append(W)
    return out


def l2_penalty(weights, lam):
    """L2 penalty (ridge, "weight decay") with the factor 1/2, and its gradient (Task 7.1).

    .. math:: R(W_1, \\dots, W_L) = \\frac{\\lambda}{2} \\sum_k \\sum_{i,j} (W_k)_{ij}^2,
              \\qquad \\frac{\\partial R}{\\partial W_k} = \\lambda W_k .

    Parameters
    ----------
    weights : list of array_like, each of shape (fan_in_k, fan_out_k)
        The weight matrices to penalize (never biases or batch-norm parameters).
    lam : float >= 0
        Penalty strength.

    Returns
    -------
    value : float
        ``lam / 2 * sum of the squares of all weights``.
    grads : list of ndarray
        ``lam * W_k`` for each weight matrix, same shapes and order as ``weights``.

    Raises
    ------
    TypeError
        If ``weights`` is not a list or tuple of arrays.
    ValueError
        If a weight is not 2-D or not finite, or ``lam`` is negative.

    Examples
    --------
    >>> value, grads = l2_penalty([np.array([[3.0, 4.0]])], lam=0.5)
    >>> value, grads[0].tolist()      # 0.5 / 2 * (9 + 16), and 0.5 * W
    (6.25, [[1.5, 2.0]])
    """
    weights = _check_weights(weights)
    lam = check_positive(lam, "lam", allow_zero=True)
    raise NotImplementedError("Task 7.1 l2_penalty — see notebooks/07_penalties")


def l1_penalty(weights, lam):
    """L1 penalty (lasso) and its subgradient (Task 7.2).

    .. math:: R(W_1, \\dots, W_L) = \\lambda \\sum_k \\sum_{i,j} |(W_k)_{ij}|,
              \\qquad \\frac{\\partial R}{\\partial W_k} = \\lambda\\, \\mathrm{sign}(W_k),

    with the subgradient **0** where a weight is exactly 0 (any value in ``[-lam, lam]`` is a
    subgradient there; 0 is the one of smallest norm and the one ``np.sign`` gives).

    Parameters
    ----------
    weights : list of array_like, each of shape (fan_in_k, fan_out_k)
        The weight matrices to penalize (never biases or batch-norm parameters).
    lam : float >= 0
        Penalty strength.

    Returns
    -------
    value : float
        ``lam * sum of the absolute values of all weights``.
    grads : list of ndarray
        ``lam * sign(W_k)`` (0 where ``W_k`` is 0), same shapes and order as ``weights``.

    Raises
    ------
    TypeError
        If ``weights`` is not a list or tuple of arrays.
    ValueError
        If a weight is not 2-D or not finite, or ``lam`` is negative.
    """
    weights = _check_weights(weights)
    lam = check_positive(lam, "lam", allow_zero=True)
    raise NotImplementedError("Task 7.2 l1_penalty — see notebooks/07_penalties")


def elastic_net_penalty(weights, lam, l1_ratio):
    """Elastic-net penalty, a mix of L1 and L2, and its subgradient (Task 7.3).

    .. math:: R = \\lambda \\Big( \\rho \\sum |W| + \\frac{1 - \\rho}{2} \\sum W^2 \\Big),
              \\qquad \\frac{\\partial R}{\\partial W} = \\lambda \\big( \\rho\\,
              \\mathrm{sign}(W) + (1 - \\rho) W \\big),

    where :math:`\\rho` is ``l1_ratio`` (scikit-learn's parametrization): ``l1_ratio = 1`` gives
    :func:`l1_penalty`, ``l1_ratio = 0`` gives :func:`l2_penalty` (with its factor 1/2).

    Parameters
    ----------
    weights : list of array_like, each of shape (fan_in_k, fan_out_k)
        The weight matrices to penalize (never biases or batch-norm parameters).
    lam : float >= 0
        Overall penalty strength.
    l1_ratio : float in [0, 1]
        Share of the L1 part; the L2 part gets ``1 - l1_ratio``.

    Returns
    -------
    value : float
        The penalty.
    grads : list of ndarray
        Its (sub)gradient for each weight matrix (L1 part 0 where a weight is 0).

    Raises
    ------
    TypeError
        If ``weights`` is not a list or tuple of arrays.
    ValueError
        If a weight is not 2-D or not finite, ``lam`` is negative or ``l1_ratio`` is outside
        [0, 1].
    """
    weights = _check_weights(weights)
    lam = check_positive(lam, "lam", allow_zero=True)
    l1_ratio = check_probability(l1_ratio, "l1_ratio", high_inclusive=True)
    raise NotImplementedError("Task 7.3 elastic_net_penalty — see notebooks/07_penalties")


def l1_prox(W, step):
    """Proximal step of the L1 penalty: soft thresholding (provided, not graded).

    Returns ``argmin_V ||V - W||^2 / 2 + step * sum|V|``, i.e.
    ``sign(W) * max(|W| - step, 0)``. Applied after a gradient step of the data loss with
    ``step = lr * lam``, it sets small weights to exactly 0, which a subgradient step does not
    (it makes them oscillate around 0 instead).

    Parameters
    ----------
    W : array_like, any shape
        Weights.
    step : float >= 0
        Threshold, ``lr * lam`` for a gradient step of learning rate ``lr``.

    Returns
    -------
    ndarray, shape of ``W``
        The thresholded weights (a new array).
    """
    W = as_float_array(W, "W")
    step = check_positive(step, "step", allow_zero=True)
    return np.sign(W) * np.maximum(np.abs(W) - step, 0.0)


def _is_weight_name(name) -> bool:
    """True for the weight matrices of ``MLP.params`` (``"W1"``, ``"W2"``, ...), False otherwise."""
    return isinstance(name, str) and name.startswith("W") and name[1:].isdigit()


def add_penalty(loss, grads, params, penalty):
    """Add a weight penalty to a data loss and to its gradients (Task 7.4).

    This is the glue a training loop needs: the penalty sees the weight matrices only
    (``params["W1"]``, ``params["W2"]``, ...), never the biases ``"b*"`` nor batch-norm's
    ``"gamma*"`` / ``"beta*"``; its value goes into the loss and its gradient into the weights'
    gradients, once each.

    Parameters
    ----------
    loss : float
        The data loss (mean over the batch).
    grads : dict of str to ndarray
        Gradients of the data loss, same keys and shapes as ``params``.
    params : dict of str to ndarray
        The parameters (``MLP.params``): ``"W<k>"`` of shape (fan_in_k, fan_out_k), ``"b<k>"`` of
        shape (fan_out_k,), possibly ``"gamma<k>"``, ``"beta<k>"``.
    penalty : callable
        ``penalty(weights) -> (value, weight_grads)`` with ``weights`` the list of weight
        matrices in layer order, e.g. ``lambda ws: l2_penalty(ws, 1e-3)``.

    Returns
    -------
    total_loss : float
        ``loss + value``.
    total_grads : dict of str to ndarray
        A new dict: ``grads[k] + dR/dW_k`` for the weights, copies of ``grads`` for the rest.

    Raises
    ------
    ValueError
        If ``grads`` and ``params`` do not have the same keys, or the penalty returns a gradient
        list of the wrong length.
    """
    if not isinstance(params, dict) or not isinstance(grads, dict):
        raise TypeError("params and grads must be dicts of arrays (like MLP.params)")
    if set(params) != set(grads):
        raise ValueError(f"grads must have the keys of params {sorted(params)}; got {sorted(grads)}")
    if not callable(penalty):
        raise TypeError(f"penalty must be a callable weights -> (value, grads); "
                        f"got {type(penalty).__name__}")
    loss = float(loss)
    names = sorted((k for k in params if _is_weight_name(k)), key=lambda k: int(k[1:]))
    raise NotImplementedError("Task 7.4 add_penalty — see notebooks/07_penalties")
