"""A multilayer perceptron built from the graded layers (provided, not graded).

``MLP([D, H1, ..., C])`` is a classifier with ``len(layer_sizes) - 1`` affine layers. Each hidden
layer ``l = 1 .. L-1`` computes, in this order::

    z = a_prev @ W_l + b_l                   affine_forward
    z = norm(z)            if norm_position == "before"   batchnorm / layernorm (gamma_l, beta_l)
    a = activation(z)                        relu_forward, tanh_forward, ...
    a = norm(a)            if norm_position == "after"
    a = dropout(a)         if dropout > 0 and training     p = probability of DROPPING a unit

and the output layer ``L`` gives the class scores ``a_{L-1} @ W_L + b_L``; the loss is the softmax
cross-entropy averaged over the batch. Every step calls the functions of ``course_lib.layers``,
``course_lib.losses`` (and ``batchnorm``/``dropout``/``init`` when those options are used), so a
student's model runs on the student's own code.

Parameters live in the dict ``model.params``: ``"W1"``, ``"b1"``, ``"gamma1"``, ``"beta1"`` (when
normalized), ``"W2"``, ... Batch-norm running statistics are not parameters: they live in
``model.state`` (``"running_mean1"``, ``"running_var1"``, ...) and are updated by every
training-mode forward pass. With batch norm BEFORE the activation the bias ``b_l`` is redundant
(the batch mean removes it; ``beta_l`` takes its role): it is kept so that every layer has the
same parameters, and its gradient is zero up to rounding.
"""

from __future__ import annotations

import numpy as np

from . import layers as _layers
from . import losses as _losses
from ._validate import as_float_array, check_int, check_positive, check_probability, check_rng

__all__ = ["MLP"]

_NORMS = (None, "batchnorm", "layernorm")
_POSITIONS = ("before", "after")


class MLP:
    """Multilayer perceptron classifier with softmax cross-entropy output.

    Parameters
    ----------
    layer_sizes : sequence of int
        ``[D, H1, ..., C]``: input size, hidden sizes, number of classes (at least 2 entries).
    activation : str, default "relu"
        Hidden activation: "relu", "leaky_relu", "elu", "tanh" or "sigmoid".
    init : str or callable, default "standard_uniform"
        Weight initializer name (see ``course_lib.init.get_initializer``) or a function
        ``f(fan_in, fan_out, rng) -> (fan_in, fan_out) array``. Biases start at 0.
    rng : numpy.random.Generator
        Used for the initial weights, and for dropout when no ``rng`` is passed to a call.
    norm : {None, "batchnorm", "layernorm"}, default None
        Normalization of every hidden layer, with learnable ``gamma_l`` (ones) and ``beta_l``
        (zeros).
    norm_position : {"before", "after"}, default "before"
        Normalize the pre-activation ``z`` ("before", Ioffe & Szegedy) or the activation ("after").
    dropout : float, default 0.0
        Probability of DROPPING each hidden unit at training time (inverted dropout, identity
        at test time). 0 disables dropout.
    momentum : float, default 0.9
        Batch-norm running statistics: ``new = momentum * old + (1 - momentum) * batch``.
    eps : float, default 1e-5
        Added to the variance by batch/layer norm.
    dtype : numpy dtype, default float64
        Dtype of the parameters and computations (float32 is faster; gradient checks need float64).
    init_options : dict, optional
        Extra keyword arguments for the initializer.

    Attributes
    ----------
    params : dict of str to ndarray
        ``W{l}`` (fan_in, fan_out), ``b{l}`` (fan_out,), and ``gamma{l}``, ``beta{l}`` (H_l,).
    state : dict of str to ndarray
        ``running_mean{l}``, ``running_var{l}`` (H_l,) with batch norm; empty otherwise.
    """

    def __init__(self, layer_sizes, *, activation="relu", init="standard_uniform", rng,
                 norm=None, norm_position="before", dropout=0.0, momentum=0.9, eps=1e-5,
                 dtype=np.float64, init_options=None):
        sizes = [check_int(s, "layer size", minimum=1) for s in layer_sizes]
        if len(sizes) < 2:
            raise ValueError(f"layer_sizes needs at least [n_inputs, n_classes]; got {list(layer_sizes)}")
        if norm not in _NORMS:
            raise ValueError(f"norm must be one of {_NORMS}; got {norm!r}")
        if norm_position not in _POSITIONS:
            raise ValueError(f"norm_position must be 'before' or 'after'; got {norm_position!r}")
        _layers.get_activation(activation)  # validates the name
        self.rng = check_rng(rng)
        self.layer_sizes = tuple(sizes)
        self.activation = activation
        self.norm = norm
        self.norm_position = norm_position
        self.dropout = check_probability(dropout, "dropout")
        self.momentum = check_probability(momentum, "momentum")
        self.eps = check_positive(eps, "eps")
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise TypeError(f"dtype must be a floating-point type; got {self.dtype}")
        self.init = init

        if callable(init):
            init_fn = init
        else:
            from . import init as _init
            init_fn = _init.get_initializer(init)
        opts = dict(init_options or {})
        self.params = {}
        self.state = {}
        for l in range(1, len(sizes)):
            fan_in, fan_out = sizes[l - 1], sizes[l]
            W = np.asarray(init_fn(fan_in, fan_out, self.rng, **opts))
            if W.shape != (fan_in, fan_out):
                raise ValueError(f"initializer returned shape {W.shape} for layer {l}; "
                                 f"expected (fan_in, fan_out) = {(fan_in, fan_out)}")
            self.params[f"W{l}"] = np.ascontiguousarray(W, dtype=self.dtype)
            self.params[f"b{l}"] = np.zeros(fan_out, dtype=self.dtype)
            if norm is not None and l < len(sizes) - 1:
                self.params[f"gamma{l}"] = np.ones(fan_out, dtype=self.dtype)
                self.params[f"beta{l}"] = np.zeros(fan_out, dtype=self.dtype)
                if norm == "batchnorm":
                    self.state[f"running_mean{l}"] = np.zeros(fan_out, dtype=self.dtype)
                    self.state[f"running_var{l}"] = np.ones(fan_out, dtype=self.dtype)

    # ------------------------------------------------------------------------------------------
    @property
    def n_layers(self):
        """Number of affine layers (hidden layers + output layer)."""
        return len(self.layer_sizes) - 1

    def weights(self):
        """The weight matrices ``[W1, ..., WL]`` (the arrays themselves, not copies).

        These, and only these, are what a weight penalty acts on (never biases or gamma/beta).
        """
        return [self.params[f"W{l}"] for l in range(1, self.n_layers + 1)]

    def snapshot(self):
        """A deep copy of ``params`` and ``state``, e.g. to keep the best model during training."""
        return ({k: v.copy() for k, v in self.params.items()},
                {k: v.copy() for k, v in self.state.items()})

    def restore(self, snapshot):
        """Copy a ``snapshot()`` back into ``params`` and ``state`` in place."""
        params, state = snapshot
        for k, v in params.items():
            self.params[k][...] = v
        for k, v in state.items():
            self.state[k][...] = v

    def __repr__(self):
        extra = ""
        if self.norm:
            extra += f", norm={self.norm!r}, norm_position={self.norm_position!r}"
        if self.dropout:
            extra += f", dropout={self.dropout:g}"
        if self.dtype != np.float64:
            extra += f", dtype={self.dtype.name}"
        return f"MLP({list(self.layer_sizes)}, activation={self.activation!r}{extra})"

    # ------------------------------------------------------------------------------------------
    def _input(self, x):
        x = as_float_array(x, "x", ndim=2, finite=False)
        if x.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"x must have {self.layer_sizes[0]} features per row; got shape {x.shape}")
        return x if x.dtype == self.dtype else x.astype(self.dtype)

    def _norm_forward(self, l, h, train):
        p = self.params
        if self.norm == "layernorm":
            from . import batchnorm as _bn
            return _bn.layernorm_forward(h, p[f"gamma{l}"], p[f"beta{l}"], eps=self.eps)
        from . import batchnorm as _bn
        rm, rv = f"running_mean{l}", f"running_var{l}"
        out, cache, new_rm, new_rv = _bn.batchnorm_forward(
            h, p[f"gamma{l}"], p[f"beta{l}"], self.state[rm], self.state[rv],
            train=train, momentum=self.momentum, eps=self.eps)
        if train:
            self.state[rm] = np.asarray(new_rm, dtype=self.dtype)
            self.state[rv] = np.asarray(new_rv, dtype=self.dtype)
        return out, cache

    def _norm_backward(self, dh, cache):
        from . import batchnorm as _bn
        if self.norm == "layernorm":
            return _bn.layernorm_backward(dh, cache)
        return _bn.batchnorm_backward_fast(dh, cache)

    def _forward(self, x, train, rng):
        act_fwd, _ = _layers.get_activation(self.activation)
        p = self.params
        a = self._input(x)
        caches = []
        use_dropout = train and self.dropout > 0
        if use_dropout:
            from . import dropout as _dropout
            rng = self.rng if rng is None else check_rng(rng)
        for l in range(1, self.n_layers):
            c = {}
            h, c["affine"] = _layers.affine_forward(a, p[f"W{l}"], p[f"b{l}"])
            if self.norm and self.norm_position == "before":
                h, c["norm"] = self._norm_forward(l, h, train)
            a, c["act"] = act_fwd(h)
            if self.norm and self.norm_position == "after":
                a, c["norm"] = self._norm_forward(l, a, train)
            if use_dropout:
                a, c["dropout"] = _dropout.dropout_forward(a, self.dropout, rng, train=True)
            caches.append(c)
        L = self.n_layers
        scores, c_out = _layers.affine_forward(a, p[f"W{L}"], p[f"b{L}"])
        caches.append({"affine": c_out})
        return scores, caches

    def forward(self, x, *, train=False, rng=None):
        """Class scores (logits) of a batch.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        train : bool, default False
            Training mode: batch statistics for batch norm (and the running statistics in
            ``state`` are updated), dropout active. Test mode: running statistics, no dropout.
        rng : numpy.random.Generator, optional
            Dropout masks in training mode (defaults to the model's own generator).

        Returns
        -------
        scores : ndarray of shape (N, C)
        """
        return self._forward(x, train, rng)[0]

    def predict(self, x):
        """Predicted class labels, ``(N, D) -> (N,)``, in test mode."""
        return self.forward(x, train=False).argmax(axis=1)

    def loss_and_grads(self, x, y, *, rng=None, penalty=None):
        """Training-mode loss and the gradient of every parameter.

        Parameters
        ----------
        x : ndarray of shape (N, D)
        y : ndarray of shape (N,)
            Integer labels in ``[0, C)``.
        rng : numpy.random.Generator, optional
            Dropout masks (defaults to the model's own generator).
        penalty : callable, optional
            ``penalty(weights) -> (value, grads)`` with ``weights = self.weights()``, e.g.
            ``lambda ws: l2_penalty(ws, 1e-3)``; ``value`` is added to the loss and each
            ``grads[i]`` to the gradient of ``W{i+1}``.

        Returns
        -------
        loss : float
            Mean softmax cross-entropy of the batch (plus the penalty).
        grads : dict of str to ndarray
            Same keys and shapes as ``params``.
        """
        _, act_bwd = _layers.get_activation(self.activation)
        scores, caches = self._forward(x, True, rng)
        loss, dout = _losses.softmax_cross_entropy(scores, y)
        grads = {}
        L = self.n_layers
        for l in range(L, 0, -1):
            c = caches[l - 1]
            if l < L:
                if "dropout" in c:
                    from . import dropout as _dropout
                    dout = _dropout.dropout_backward(dout, c["dropout"])
                if self.norm and self.norm_position == "after":
                    dout, grads[f"gamma{l}"], grads[f"beta{l}"] = self._norm_backward(dout, c["norm"])
                dout = act_bwd(dout, c["act"])
                if self.norm and self.norm_position == "before":
                    dout, grads[f"gamma{l}"], grads[f"beta{l}"] = self._norm_backward(dout, c["norm"])
            dout, grads[f"W{l}"], grads[f"b{l}"] = _layers.affine_backward(dout, c["affine"])
        if penalty is not None:
            value, pgrads = penalty(self.weights())
            if len(pgrads) != L:
                raise ValueError(f"penalty returned {len(pgrads)} gradients for {L} weight matrices")
            loss = loss + float(value)
            for l, g in enumerate(pgrads, start=1):
                grads[f"W{l}"] = grads[f"W{l}"] + np.asarray(g, dtype=self.dtype)
        return float(loss), {k: grads[k] for k in self.params}
