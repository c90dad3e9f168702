"""Public checks of the graded tasks.

In a notebook: ``from course_lib.checks import check; check("5.2")``.
In a terminal: ``course check 5.2`` (pytest marker ``task_5_2``).
"""

from .gradients import numerical_gradient
from .public import check
from .scenario import scenario

__all__ = ["check", "numerical_gradient", "scenario"]
