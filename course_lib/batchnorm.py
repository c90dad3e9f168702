"""Batch normalization and layer normalization (assignment 05).

Batch normalization (Ioffe & Szegedy, 2015) standardizes every feature of a layer over the
mini-batch, then lets the network rescale and shift it with two learned vectors, ``gamma`` and
``beta``::

    mu    = mean of x over the batch            (D,)
    var   = mean of (x - mu)**2 over the batch   (D,)   biased: divide by N, not N - 1
    x_hat = (x - mu) / sqrt(var + eps)           (N, D)
    out   = gamma * x_hat + beta                 (N, D)

Conventions, stated once (and tested):

- Data is row-major: ``x`` is ``(N, D)``, N samples in the batch, D features. Batch norm reduces
  over axis 0 (the batch); layer norm reduces over axis 1 (the features of one sample).
- Divide by the standard deviation ``sqrt(var + eps)``, never by the variance (an erratum of the
  slides: "divide by variance" is wrong), and ``eps`` goes *inside* the square root.
- Running statistics follow the Keras convention: ``new = momentum * old + (1 - momentum) * batch``,
  so ``momentum = 0.9`` keeps 90 % of the old estimate. PyTorch's ``momentum = 0.1`` means the
  opposite weighting. The running variance accumulates the same biased batch variance that
  normalizes the batch (Keras does this; PyTorch accumulates the unbiased one, larger by
  ``N / (N - 1)``; for batches of 60 the difference is under 2 %).
- ``running_mean`` and ``running_var`` are *statistics*, not trainable parameters: no gradient
  flows to them and no optimizer touches them (another erratum: the slides call them "two more
  trainable parameters"). They are passed in and the updated values are returned; nothing is
  mutated.
- Training mode with a batch of one sample raises ``ValueError``: its variance is 0, so
  ``x_hat = 0`` and the output is ``beta`` whatever the input, and the gradient with respect to
  ``x`` is exactly zero. That is defined arithmetic but never what anyone wants (it is almost
  always a batch size of 1 or a last batch of 1 by accident), so we refuse it, as PyTorch does.
  Test mode with one sample is fine. For the same reason ``layernorm_forward`` refuses ``D = 1``.
- Folding a test-mode batch norm into the preceding affine layer must include ``gamma``:
  ``W' = W * s`` and ``b' = (b - running_mean) * s + beta`` with ``s = gamma / sqrt(running_var + eps)``
  scaling the *columns* of ``W`` (one column per output unit). The slides drop ``gamma``.

References
----------
S. Ioffe and C. Szegedy. Batch normalization: accelerating deep network training by reducing
internal covariate shift. ICML 2015.
J. L. Ba, J. R. Kiros and G. E. Hinton. Layer normalization. arXiv:1607.06450, 2016.
D. Ulyanov, A. Vedaldi and V. Lempitsky. Instance normalization: the missing ingredient for fast
stylization. arXiv:1607.08022, 2016.
Y. Wu and K. He. Group normalization. ECCV 2018.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9,
  eps=1e-5) -> (out, cache, new_running_mean, new_running_var)``.
- ``batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)`` (staged graph);
  ``batchnorm_backward_fast(dout, cache) -> (dx, dgamma, dbeta)`` (closed form).
- ``fold_batchnorm(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5) -> (W_folded, b_folded)``.
- ``layernorm_forward(x, gamma, beta, *, eps=1e-5) -> (out, cache)``;
  ``layernorm_backward(dout, cache) -> (dx, dgamma, dbeta)``.
- Provided, not graded: ``groupnorm_forward(x, gamma, beta, *, groups, eps=1e-5) -> (out, cache)``
  for ``x`` of shape (N, C, L); ``groups=C`` is instance norm.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive, check_probability


def _check_norm_inputs(x, gamma, beta, *, eps):
    """Validate ``x`` (N, D), ``gamma`` and ``beta`` (D,), ``eps`` > 0; return them as float64."""
    x = as_float_array(x, "x", ndim=2)
    if x.shape[0] < 1 or x.shape[1] < 1:
        raise ValueError(f"x must have at least one sample and one feature; got shape {x.shape}")
    D = x.shape[1]
    gamma = as_float_array(gamma, "gamma", shape=(D,))
    beta = as_float_array(beta, "beta", shape=(D,))
    eps = check_positive(eps, "eps")
    return x, gamma, beta, eps


def _check_dout(dout, cache):
    """Validate ``dout`` as a finite 2-D array and ``cache`` as the dict a forward pass returned."""
    dout = as_float_array(dout, "dout", ndim=2)
    if not isinstance(cache, dict):
        raise TypeError(f"cache must be the cache returned by the forward pass (a dict); "
                        f"got {type(cache).__name__}")
    return dout


def _check_bn_args(x, gamma, beta, running_mean, running_var, *, train, momentum, eps):
    """Validate the arguments of ``batchnorm_forward``; return them converted to float64."""
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, eps=eps)
    N, D = x.shape
    running_mean = as_float_array(running_mean, "running_mean", shape=(D,))
    running_var = as_float_array(running_var, "running_var", shape=(D,))
    if np.any(running_var < 0):
        raise ValueError("running_var must be non-negative (it is a variance, not a standard deviation)")
    momentum = check_probability(momentum, "momentum", high_inclusive=True)
    if not isinstance(train, (bool, np.bool_)):
        raise TypeError(f"train must be True or False; got {type(train).__name__}")
    if train and N < 2:
        raise ValueError(
            "batch norm in training mode needs a batch of at least 2 samples; got N = 1. The "
            "variance of a single sample is 0, so the output would be beta whatever x is and no "
            "gradient would reach x. Use a larger batch, drop the last batch of 1, or use test "
            "mode (train=False) for single-sample inference.")
    return x, gamma, beta, running_mean, running_var, momentum, eps


def _check_fold_args(W, b, gamma, beta, running_mean, running_var, eps):
    """Validate the arguments of ``fold_batchnorm``; return them converted to float64."""
    W = as_float_array(W, "W", ndim=2)
    D = W.shape[1]
    b = as_float_array(b, "b", shape=(D,))
    gamma = as_float_array(gamma, "gamma", shape=(D,))
    beta = as_float_array(beta, "beta", shape=(D,))
    running_mean = as_float_array(running_mean, "running_mean", shape=(D,))
    running_var = as_float_array(running_var, "running_var", shape=(D,))
    if np.any(running_var < 0):
        raise ValueError("running_var must be non-negative (it is a variance, not a standard deviation)")
    eps = check_positive(eps, "eps")
    return W, b, gamma, beta, running_mean, running_var, eps


def _check_ln_args(x, gamma, beta, eps):
    """Validate the arguments of ``layernorm_forward``; return them converted to float64."""
    x, gamma, beta, eps = _check_norm_inputs(x, gamma, beta, eps=eps)
    if x.shape[1] < 2:
        raise ValueError(
            "layer norm needs at least 2 features per sample; got D = 1. A single feature has "
            "variance 0, so the output would be beta whatever x is.")
    return x, gamma, beta, eps


def batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9,
                      eps=1e-5):
    """Batch normalization forward pass, in training or test mode (Task 5.1).

    Training mode normalizes every feature with the mean and the *biased* variance (divide by N)
    of the batch, then scales by ``gamma`` and shifts by ``beta``; it also returns the updated
    running statistics. Test mode normalizes with the running statistics instead and returns them
    unchanged.

    Parameters
    ----------
    x : ndarray of shape (N, D)
        A mini-batch of N samples of D features (pre- or post-activations of a layer).
    gamma : ndarray of shape (D,)
        Learned scale.
    beta : ndarray of shape (D,)
        Learned shift.
    running_mean : ndarray of shape (D,)
        Running estimate of the mean of each feature (a statistic, not a trainable parameter).
    running_var : ndarray of shape (D,)
        Running estimate of the (biased) variance of each feature; must be >= 0.
    train : bool, default True
        Training mode (batch statistics) or test mode (running statistics).
    momentum : float in [0, 1], default 0.9
        Weight of the *old* running statistic:
        ``new = momentum * old + (1 - momentum) * batch_statistic``.
    eps : float > 0, default 1e-5
        Added to the variance inside the square root: ``x_hat = (x - mu) / sqrt(var + eps)``.

    Returns
    -------
    out : ndarray of shape (N, D)
        ``gamma * x_hat + beta``.
    cache : dict
        Whatever your two backward passes need; its keys are yours to choose, but it must be a
        dict (the backward passes check that). The reference stores ``x_hat``, ``x_mu = x - mu``,
        ``var``, ``inv_std = 1 / sqrt(var + eps)``, a copy of ``gamma``, ``eps`` and ``train``.
    new_running_mean : ndarray of shape (D,)
        Training mode: ``momentum * running_mean + (1 - momentum) * mu``. Test mode: a copy of
        ``running_mean``.
    new_running_var : ndarray of shape (D,)
        Training mode: ``momentum * running_var + (1 - momentum) * var`` (biased ``var``). Test
        mode: a copy of ``running_var``.

    Raises
    ------
    ValueError
        If shapes disagree, values are not finite, ``running_var`` has a negative entry, ``eps``
        is not positive, ``momentum`` is outside [0, 1], or ``train`` is true and ``N = 1``
        (the variance of one sample is 0: the output would be ``beta`` whatever ``x`` is).

    Notes
    -----
    The inputs are never modified.
    """
    x, gamma, beta, running_mean, running_var, momentum, eps = _check_bn_args(
        x, gamma, beta, running_mean, running_var, train=train, momentum=momentum, eps=eps)
    raise NotImplementedError("Task 5.1 batchnorm_forward — see notebooks/05_batchnorm")


def batchnorm_backward(dout, cache):
    """Batch normalization backward pass along the staged computational graph (Task 5.2).

    Walks back through the forward pass written as small stages, one local derivative each::

        mu = mean(x);  x_mu = x - mu;  sq = x_mu**2;  var = mean(sq);
        std = sqrt(var + eps);  inv_std = 1 / std;  x_hat = x_mu * inv_std;
        out = gamma * x_hat + beta

    The mean and the variance depend on every sample, so ``dx`` has three paths: directly
    through ``x_mu``, through ``var`` and through ``mu``.

    Parameters
    ----------
    dout : ndarray of shape (N, D)
        Upstream gradient, d loss / d out.
    cache : dict
        The cache returned by ``batchnorm_forward`` in training mode.

    Returns
    -------
    dx : ndarray of shape (N, D)
        d loss / d x. Each column sums to zero (up to rounding).
    dgamma : ndarray of shape (D,)
        ``sum over the batch of dout * x_hat``.
    dbeta : ndarray of shape (D,)
        ``sum over the batch of dout``.

    Raises
    ------
    ValueError
        If ``dout`` does not have the shape of the forward output, or the cache comes from test
        mode (there BN is a fixed affine map; no batch statistics to differentiate).
    """
    dout = _check_dout(dout, cache)
    raise NotImplementedError("Task 5.2 batchnorm_backward — see notebooks/05_batchnorm")


def batchnorm_backward_fast(dout, cache):
    """Batch normalization backward pass in closed form (Task 5.3).

    Collapsing the staged graph gives, per feature (sums over the batch)::

        dx = gamma * inv_std / N * (N * dout - sum(dout) - x_hat * sum(dout * x_hat))

    It must agree with ``batchnorm_backward`` to rounding. It does fewer passes over the batch;
    on 256 x 512 inputs it is about 1.5x faster (1.4-1.7x measured: notebook 05, section 3).

    Parameters
    ----------
    dout : ndarray of shape (N, D)
        Upstream gradient.
    cache : dict
        The cache returned by ``batchnorm_forward`` in training mode.

    Returns
    -------
    dx : ndarray of shape (N, D)
    dgamma : ndarray of shape (D,)
    dbeta : ndarray of shape (D,)

    Raises
    ------
    ValueError
        As ``batchnorm_backward``.
    """
    dout = _check_dout(dout, cache)
    raise NotImplementedError("Task 5.3 batchnorm_backward_fast — see notebooks/05_batchnorm")


def fold_batchnorm(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5):
    """Fold a test-mode batch norm into the affine layer before it (Task 5.4).

    For an affine layer ``z = x @ W + b`` followed by batch norm in test mode,
    ``gamma * (z - running_mean) / sqrt(running_var + eps) + beta`` is again affine in ``x``.
    With ``s = gamma / sqrt(running_var + eps)`` (one factor per output unit)::

        W_folded = W * s            (scales column j of W by s[j])
        b_folded = (b - running_mean) * s + beta

    so that ``x @ W_folded + b_folded`` equals the affine layer followed by test-mode BN, and
    inference costs one matrix product instead of a product plus a normalization.

    Parameters
    ----------
    W : ndarray of shape (fan_in, D)
        Weights of the affine layer before the batch norm.
    b : ndarray of shape (D,)
        Its bias.
    gamma, beta : ndarray of shape (D,)
        The batch norm's learned scale and shift.
    running_mean, running_var : ndarray of shape (D,)
        Its running statistics (``running_var >= 0``).
    eps : float > 0, default 1e-5
        The same ``eps`` the batch norm uses.

    Returns
    -------
    W_folded : ndarray of shape (fan_in, D)
    b_folded : ndarray of shape (D,)

    Raises
    ------
    ValueError
        If shapes disagree, values are not finite or ``running_var`` has a negative entry.
    """
    W, b, gamma, beta, running_mean, running_var, eps = _check_fold_args(
        W, b, gamma, beta, running_mean, running_var, eps)
    raise NotImplementedError("Task 5.4 fold_batchnorm — see notebooks/05_batchnorm")


def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    """Layer normalization forward pass (Task 5.5).

    Normalizes every *sample* over its D features (axis 1) with its own mean and biased variance,
    then scales and shifts every feature with ``gamma`` and ``beta``. No running statistics: the
    same computation in training and at test time, and it does not depend on the batch size.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    gamma, beta : ndarray of shape (D,)
        Learned per-feature scale and shift.
    eps : float > 0, default 1e-5

    Returns
    -------
    out : ndarray of shape (N, D)
    cache : dict
        Whatever ``layernorm_backward`` needs, as a dict (the reference stores ``x_hat``,
        ``inv_std`` of shape (N, 1) and a copy of ``gamma``).

    Raises
    ------
    ValueError
        If shapes disagree, values are not finite, or ``D = 1`` (the variance of one feature
        is 0: the output would be ``beta`` whatever ``x`` is).
    """
    x, gamma, beta, eps = _check_ln_args(x, gamma, beta, eps)
    raise NotImplementedError("Task 5.5 layernorm_forward — see notebooks/05_batchnorm")


def layernorm_backward(dout, cache):
    """Layer normalization backward pass (Task 5.5).

    The batch-norm closed form transposed: the statistics are per sample, so the sums run over
    the features (axis 1), and ``gamma`` now varies *along* the reduced axis, so it enters the
    sums (``dx_hat = dout * gamma``)::

        dx = inv_std / D * (D * dx_hat - sum_j dx_hat - x_hat * sum_j (dx_hat * x_hat))

    Parameters
    ----------
    dout : ndarray of shape (N, D)
    cache : dict
        The cache returned by ``layernorm_forward``.

    Returns
    -------
    dx : ndarray of shape (N, D)
        Each row sums to zero (up to rounding).
    dgamma : ndarray of shape (D,)
        Summed over the batch.
    dbeta : ndarray of shape (D,)
        Summed over the batch.
    """
    dout = _check_dout(dout, cache)
    raise NotImplementedError("Task 5.5 layernorm_backward — see notebooks/05_batchnorm")


def groupnorm_forward(x, gamma, beta, *, groups, eps=1e-5):
    """Group normalization forward pass (provided, not graded; notebook 05, section 6.1).

    For data with channels, ``x`` of shape ``(N, C, L)`` (C channels of L positions each: the L
    readings of C sensors, or an image's C colour planes with their pixels flattened), the C
    channels are split into ``groups`` consecutive groups of ``C // groups`` channels. Every
    sample is normalized over each of its groups (the ``C // groups * L`` values together, with
    their mean and biased variance), then every channel is scaled and shifted with ``gamma``
    and ``beta`` (Wu & He, 2018). Nothing depends on the other samples of the batch.

    ``groups=1`` is layer norm over all ``C * L`` values of a sample (with one ``gamma`` per
    channel); ``groups=C`` is instance norm (Ulyanov et al., 2016): each channel of each sample
    on its own.

    Parameters
    ----------
    x : ndarray of shape (N, C, L)
    gamma, beta : ndarray of shape (C,)
        Learned per-channel scale and shift.
    groups : int
        Number of groups, ``1 <= groups <= C``, a divisor of C.
    eps : float > 0, default 1e-5

    Returns
    -------
    out : ndarray of shape (N, C, L)
    cache : dict
        ``x_hat`` (N, C, L), ``inv_std`` (N, groups, 1) and a copy of ``gamma`` and ``groups``.

    Raises
    ------
    ValueError
        If ``x`` is not 3-D, shapes disagree, values are not finite, ``groups`` does not divide
        C, or a group holds a single value (``C // groups * L = 1``: its variance is 0 and the
        output would be ``beta`` whatever ``x`` is).
    """
    x = as_float_array(x, "x", ndim=3)
    N, C, L = x.shape
    if N < 1 or C < 1 or L < 1:
        raise ValueError(f"x must have at least one sample, channel and position; got shape {x.shape}")
    gamma = as_float_array(gamma, "gamma", shape=(C,))
    beta = as_float_array(beta, "beta", shape=(C,))
    eps = check_positive(eps, "eps")
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)):
        raise TypeError(f"groups must be an integer; got {type(groups).__name__}")
    if not 1 <= groups <= C or C % groups:
        raise ValueError(f"groups must divide the number of channels C = {C}; got {groups}")
    if C // groups * L < 2:
        raise ValueError(
            f"each group holds a single value (C // groups * L = 1, with C = {C}, L = {L}, "
            f"groups = {groups}): its variance is 0, so the output would be beta whatever x is")
    g = x.reshape(N, int(groups), -1)                    # a group's channels and positions together
    mu = g.mean(axis=2, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean((g - mu) ** 2, axis=2, keepdims=True) + eps)
    x_hat = ((g - mu) * inv_std).reshape(N, C, L)
    out = gamma[:, None] * x_hat + beta[:, None]
    return out, {"x_hat": x_hat, "inv_std": inv_std, "gamma": gamma.copy(), "groups": int(groups)}
