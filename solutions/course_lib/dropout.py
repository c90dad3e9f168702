"""Inverted dropout (assignment 06).

TODO(dropout helper): docstrings and graded bodies.

Interfaces fixed for the rest of the package (``course_lib.model`` calls them):

- ``dropout_forward(x, p, rng, train=True) -> (out, cache)``: ``p`` is the probability of
  DROPPING a unit; kept units are scaled by ``1 / (1 - p)`` at training time; identity at test time.
- ``dropout_backward(dout, cache) -> dx``.
"""

from __future__ import annotations

import numpy as np

from ._validate import as_float_array, check_probability, check_rng
