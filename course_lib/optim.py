"""Gradient-descent optimizers (provided, not graded).

Every optimizer has ``.step(params, grads)``, which updates the arrays of the dict ``params``
IN PLACE (so a model that holds them sees the change) using the same-named entries of ``grads``.
Parameters without a gradient are left alone. Per-parameter state (velocities, moments) is kept
by the optimizer, keyed by the parameter's name; use a new optimizer for a new model.
"""

from __future__ import annotations

import numpy as np

from ._validate import check_positive, check_probability

__all__ = ["SGD", "Momentum", "Adam"]


def _pairs(params, grads):
    for name, g in grads.items():
        if name not in params:
            raise KeyError(f"gradient {name!r} has no parameter; parameters: {sorted(params)}")
        p = params[name]
        if np.shape(g) != p.shape:
            raise ValueError(f"gradient {name!r} has shape {np.shape(g)}, parameter has {p.shape}")
        yield name, p, g


class SGD:
    """Plain stochastic gradient descent: ``p <- p - lr * g``.

    Parameters
    ----------
    lr : float
        Learning rate.
    """

    def __init__(self, lr):
        self.lr = check_positive(lr, "lr")

    def step(self, params, grads):
        """Update ``params`` in place from ``grads`` (dicts of arrays keyed by name)."""
        lr = self.lr
        for _, p, g in _pairs(params, grads):
            p -= lr * g

    def __repr__(self):
        return f"SGD(lr={self.lr:g})"


class Momentum:
    """SGD with (heavy-ball) momentum: ``v <- beta * v + g``, ``p <- p - lr * v``.

    This is PyTorch's form; it equals the form ``v <- beta * v - lr * g``, ``p <- p + v`` of the
    lecture while the learning rate is constant.

    Parameters
    ----------
    lr : float
    beta : float, default 0.9
        Momentum coefficient in ``[0, 1)``.
    """

    def __init__(self, lr, beta=0.9):
        self.lr = check_positive(lr, "lr")
        self.beta = check_probability(beta, "beta")
        self.velocity = {}

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        for name, p, g in _pairs(params, grads):
            v = self.velocity.get(name)
            if v is None:
                v = self.velocity[name] = np.zeros_like(p)
            v *= self.beta
            v += g
            p -= self.lr * v

    def __repr__(self):
        return f"Momentum(lr={self.lr:g}, beta={self.beta:g})"


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction.

    ``m <- beta1 m + (1 - beta1) g``, ``v <- beta2 v + (1 - beta2) g**2``,
    ``p <- p - lr * m_hat / (sqrt(v_hat) + eps)`` with ``m_hat = m / (1 - beta1**t)`` and
    ``v_hat = v / (1 - beta2**t)``, ``t`` the number of steps taken (1 at the first step).

    Parameters
    ----------
    lr : float
    beta1 : float, default 0.9
    beta2 : float, default 0.999
    eps : float, default 1e-8
    """

    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = check_positive(lr, "lr")
        self.beta1 = check_probability(beta1, "beta1")
        self.beta2 = check_probability(beta2, "beta2")
        self.eps = check_positive(eps, "eps")
        self.t = 0
        self.m = {}
        self.v = {}

    def step(self, params, grads):
        """Update ``params`` in place from ``grads``."""
        self.t += 1
        c1 = 1.0 - self.beta1 ** self.t
        c2 = 1.0 - self.beta2 ** self.t
        for name, p, g in _pairs(params, grads):
            if name not in self.m:
                self.m[name] = np.zeros_like(p)
                self.v[name] = np.zeros_like(p)
            m, v = self.m[name], self.v[name]
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p -= (self.lr / c1) * m / (np.sqrt(v / c2) + self.eps)

    def __repr__(self):
        return f"Adam(lr={self.lr:g}, beta1={self.beta1:g}, beta2={self.beta2:g}, eps={self.eps:g})"
