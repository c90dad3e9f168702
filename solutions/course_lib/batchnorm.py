"""Batch normalization and layer normalization (assignment 05).

TODO(batchnorm helper): module docstring (conventions, momentum direction, errata), references.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``batchnorm_forward(x, gamma, beta, running_mean, running_var, *, train=True, momentum=0.9,
  eps=1e-5) -> (out, cache, new_running_mean, new_running_var)``; running statistics are returned,
  never mutated; ``new = momentum * old + (1 - momentum) * batch_statistic``; test mode returns
  the running statistics unchanged.
- ``batchnorm_backward(dout, cache) -> (dx, dgamma, dbeta)`` (staged graph);
  ``batchnorm_backward_fast(dout, cache) -> (dx, dgamma, dbeta)`` (closed form).
- ``fold_batchnorm(W, b, gamma, beta, running_mean, running_var, *, eps=1e-5) -> (W_folded, b_folded)``.
- ``layernorm_forward(x, gamma, beta, *, eps=1e-5) -> (out, cache)``;
  ``layernorm_backward(dout, cache) -> (dx, dgamma, dbeta)``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive, check_probability
