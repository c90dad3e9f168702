"""Shared fixtures of the project's own tests."""

import os

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")  # plots in tests never need a screen


def pytest_report_header(config):
    """First line of every run: how student code is sandboxed on this machine."""
    from autograder.sandbox.host.isolation import sandbox_mode_line

    return sandbox_mode_line()


@pytest.fixture(scope="session")
def ref():
    """The reference package (``solutions/course_lib``, imported as ``course_ref``):
    ``ref.batchnorm.batchnorm_forward(...)``; submodules are imported on first use."""
    from autograder.reference import ref as view

    return view


@pytest.fixture
def rng():
    import numpy as np

    return np.random.default_rng(0)


# tests/fixtures holds a tiny assignment (with its own hidden suite) that the grading tests use as
# data; it is not part of this test suite.
collect_ignore_glob = ["fixtures/*"]

# Property tests: no per-example deadline (a busy 2-core CI machine is slow) and a fixed search
# order, so a run is reproducible.
from hypothesis import settings  # noqa: E402

settings.register_profile("course", deadline=None, derandomize=True)
settings.load_profile("course")
