"""The real servers the scale-out tests build on: nbgrader's gradebook on a PostgreSQL server the
test starts, and a Dask cluster on loopback that runs a task and survives losing a worker."""

from __future__ import annotations

import pytest

from services import dask_cluster, postgres

pytestmark = pytest.mark.slow


def test_nbgrader_gradebook_on_postgresql(monkeypatch):
    import os
    import sys

    from nbgrader.api import Gradebook

    # nbgrader creates a new gradebook's tables by running `alembic`, found on PATH
    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"])

    with postgres() as url:
        with Gradebook(url) as gb:
            gb.add_assignment("01_foundations")
            gb.add_student("alice", first_name="Alice")
        with Gradebook(url) as gb:              # a second grader's connection sees it
            assert [s.id for s in gb.students] == ["alice"]
            assert gb.find_assignment("01_foundations").name == "01_foundations"


def test_dask_cluster_runs_tasks_and_survives_a_lost_worker():
    from distributed import Client

    with dask_cluster(2) as (address, workers), Client(address) as client:
        assert client.submit(pow, 7, 2).result(timeout=60) == 49
        workers[0].kill()
        workers[0].wait()
        futures = client.map(pow, range(10), [2] * 10, retries=2)   # importable on the workers
        assert client.gather(futures) == [x * x for x in range(10)]
