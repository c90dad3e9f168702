"""course_lib: the numpy library of the course on training feedforward neural networks.

Graded functions are stubs in the student copy; the notebooks in ``notebooks/`` say which task
fills which. Submodules are imported on use (``from course_lib.batchnorm import ...``) so that a
mistake in one module never breaks the others.

Conventions, stated once: data is row-major (``x`` is ``(N, D)``), a weight matrix is
``(fan_in, fan_out)`` and an affine layer computes ``x @ W + b``; forward functions return
``(out, cache)`` and backward functions take ``(dout, cache)``; randomness comes only from an
explicit ``rng: np.random.Generator``; arrays are float64 unless a docstring says otherwise; no
graded function modifies its inputs.
"""

__version__ = "0.1.0"
