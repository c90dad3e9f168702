"""Real servers for the project's tests, started in temporary folders on loopback ports.

- :func:`postgres`: a throw-away PostgreSQL cluster (Debian's ``postgresql`` package; `.ci/run`
  installs it), yielding an SQLAlchemy URL (``postgresql+psycopg2://…``). Run as the ``postgres`` user when the tests run as
  root (``initdb`` refuses root).
- :func:`dask_cluster`: a ``dask scheduler`` and N ``dask worker`` processes (the ``cluster``
  extra, installed by ``make``), yielding the scheduler address and the worker processes.

Each skips the calling test with the reason where its software is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from browser import free_port


def _wait_port(port: int, timeout: float, what: str, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not listen on port {port} within {timeout:.0f} s")


def postgres_bin() -> Path | None:
    """The folder of PostgreSQL's server programs (initdb, pg_ctl), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@contextlib.contextmanager
def postgres(dbname: str = "ffnn"):
    """A PostgreSQL server in a temporary folder; yields ``postgresql+psycopg2://…/<dbname>``."""
    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql; .ci/run does it)")
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("psycopg2 is not installed (the `cluster` extra; `make` installs it)")
    base = Path(tempfile.mkdtemp(prefix="course-pg-"))
    data, sock = base / "data", base / "sock"
    sock.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:          # initdb refuses root: run the server as `postgres`
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no `postgres` user to run PostgreSQL as")
        os.chown(base, user.pw_uid, user.pw_gid)
        os.chown(sock, user.pw_uid, user.pw_gid)
        prefix = ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
        role = "postgres"
    else:
        role = pwd.getpwuid(os.geteuid()).pw_name
    port = free_port()
    env = dict(os.environ, LC_ALL="C.UTF-8")
    subprocess.run(prefix + [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", role,
                             "--no-sync"], check=True, capture_output=True, env=env)
    server = subprocess.Popen(
        prefix + [str(bindir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(sock),
                  "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"],
        stdout=subprocess.DEVNULL, stderr=open(base / "server.log", "wb"), env=env,
        start_new_session=True)
    try:
        _wait_port(port, 60, "PostgreSQL", server)
        url = f"postgresql+psycopg2://{role}@127.0.0.1:{port}"
        import psycopg2

        for _ in range(50):          # the port opens a moment before connections are accepted
            try:
                conn = psycopg2.connect(host="127.0.0.1", port=port, user=role, dbname="postgres")
                break
            except psycopg2.OperationalError:
                time.sleep(0.2)
        conn.autocommit = True
        conn.cursor().execute(f'CREATE DATABASE "{dbname}"')
        conn.close()
        yield f"{url}/{dbname}"
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(base, ignore_errors=True)


@contextlib.contextmanager
def dask_cluster(n_workers: int = 2, env: dict | None = None):
    """``dask scheduler`` and ``n_workers`` single-threaded ``dask worker`` processes on loopback.
    Yields ``(address, [worker Popen, ...])``; a test may kill a worker to simulate a lost one."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        pytest.skip("dask distributed is not installed (the `cluster` extra; `make` installs it)")
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    log_dir = Path(tempfile.mkdtemp(prefix="course-dask-"))
    env = dict(os.environ, DASK_DISTRIBUTED__WORKER__DAEMON="False", **(env or {}))
    procs: list[subprocess.Popen] = []
    try:
        procs.append(subprocess.Popen(
            dask + ["--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=open(log_dir / "scheduler.log", "wb"), env=env,
            start_new_session=True))
        _wait_port(port, 60, "dask scheduler", procs[0])
        workers = []
        for i in range(n_workers):
            workers.append(subprocess.Popen(
                [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                 "--nworkers", "1", "--no-dashboard", "--name", f"worker-{i}",
                 "--local-directory", str(log_dir / f"worker-{i}")],
                stdout=subprocess.DEVNULL, stderr=open(log_dir / f"worker-{i}.log", "wb"),
                env=env, start_new_session=True))
        procs += workers
        from distributed import Client

        with Client(address, timeout=60) as client:
            client.wait_for_workers(n_workers, timeout=120)
        yield address, workers
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(p.pid, 15)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, 9)
                p.wait()
        shutil.rmtree(log_dir, ignore_errors=True)
