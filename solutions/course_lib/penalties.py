"""Weight penalties: L2, L1 and elastic net (assignment 07).

TODO(penalties helper): docstrings and graded bodies.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``l2_penalty(weights, lam) -> (value, grads)``, ``l1_penalty(weights, lam) -> (value, grads)``,
  ``elastic_net_penalty(weights, lam, l1_ratio) -> (value, grads)``: ``weights`` is a list of weight
  matrices only (never biases or batch-norm parameters); ``grads`` is a list of the same shapes.
  The constant convention is stated in each docstring.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_positive
