"""Guest side of the warm notebook sandbox: one sandboxed interpreter that imports the heavy
modules once (nbclient, ipykernel, numpy, scikit-learn, ...) and then, for each notebook the
grader sends, forks a fresh process that runs it: the fork starts with those modules in memory,
so a notebook costs its cells, not a new interpreter and its imports. The host side is
``sandbox/host/warm.py``.

    python -I -S -B warm.py --in FD --out FD --sub /sub --path DIR ... [--preload MOD ...]

Nothing of a student's runs in this process: it only forks. Each run is two processes, both
forked from here before any thread exists: the kernel (ipykernel, as ``kernel_boot.py`` starts
it, with the same ``sys.path`` and folder) and the client (nbclient, as in ``nbexec.py``). When
the client is done, every other process in the sandbox is killed (a fork that outlived its
notebook must not see the next one) and /tmp and /dev/shm are emptied; the host empties /sub.
This process is not dumpable, so a student's process of the same uid cannot ptrace it or read
its memory, and it keeps no file a run could change.

Requests (one JSON message each, ``protocol`` framing): ``{"op": "run", "id", "timeout",
"cell_chars", "notebook_bytes", "env"}`` runs ``/sub/_submitted.ipynb`` into
``/sub/_executed.ipynb`` and answers ``{"id", "exit": status, "swept": killed, "left": n}``
(``left``: processes the sweep could not end; the host then stops this sandbox); ``{"op":
"exit"}``.
"""

import ctypes
import os
import shutil
import signal
import sys
import time

PR_SET_DUMPABLE = 4
PR_SET_CHILD_SUBREAPER = 36


def _parse(argv):
    opts: dict = {"path": [], "preload": []}
    it = iter(argv)
    for a in it:
        if a in ("--path", "--preload"):
            opts[a[2:]].append(next(it))
        elif a in ("--in", "--out", "--sub"):
            opts[a[2:]] = next(it)
    return opts


def _prctl(option, value):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), f"prctl({option}) failed")


def _preload(names):
    """Import what every run would import; a module that is not installed is skipped."""
    done = []
    for name in names:
        try:
            __import__(name)
            done.append(name)
        except Exception:  # noqa: BLE001 - a missing optional module costs only speed
            pass
    return done


def _others():
    """Every process of this sandbox's PID namespace but its init (1) and this one."""
    me = os.getpid()
    return [int(d) for d in os.listdir("/proc") if d.isdigit() and int(d) not in (1, me)]


def sweep(deadline_s=5.0):
    """Kill every other process of the sandbox and reap the ones that are ours (a fork
    bomb may fork while we kill: repeat until none is left). Returns ``(killed, left)``:
    how many were killed, and how many are still there at the deadline (then the host
    does not use this sandbox again)."""
    killed = set()
    deadline = time.monotonic() + deadline_s
    pids = _others()
    while pids and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
            except OSError:
                pass
        while True:
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.005)
                break
        pids = _others()
    return len(killed), len(pids)


def empty(folder):
    """Remove everything inside ``folder`` (it stays)."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for name in entries:
        path = os.path.join(folder, name)
        try:
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                shutil.rmtree(path, onerror=_force)
            else:
                os.unlink(path)
        except OSError:
            pass


def _force(func, path, _exc):
    """rmtree's error handler: a folder the student made unwritable is made writable again."""
    try:
        os.chmod(os.path.dirname(path), 0o700)
        if os.path.isdir(path) and not os.path.islink(path):
            os.chmod(path, 0o700)
        func(path)
    except OSError:
        pass


def _kernel(connection_file, path, sub, nbexec):
    """In the forked kernel process: what ``kernel_boot.py`` does in a fresh interpreter."""
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, nbexec._Block)]
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # as in a fresh interpreter
    if "numpy" in sys.modules:  # numpy's global generator, seeded once here: fresh entropy, as
        sys.modules["numpy"].random.seed()  # a fresh interpreter has (Python's random reseeds
        # itself after a fork)
    sys.path[:] = path
    os.chdir(sub)
    sys.argv = ["kernel_boot.py", "-f", connection_file]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=["-f", connection_file])


def _run_client(req, opts, pristine_path, nbexec):
    """In the forked run process: start the kernel (a fork of this process, before any thread
    exists here) and execute the notebook with nbclient attached to it."""
    from jupyter_client.connect import write_connection_file

    sub = opts["sub"]
    os.environ.update({str(k): str(v) for k, v in (req.get("env") or {}).items()})
    nbexec.jupyter_dirs(opts["path"], sub)
    connection_file = "/tmp/jupyter/runtime/kernel-warm.json"
    write_connection_file(connection_file, ip="127.0.0.1", key=os.urandom(16).hex().encode())
    kernel_path = pristine_path + opts["path"] + [sub]
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            _kernel(connection_file, kernel_path, sub, nbexec)
            code = 0
        finally:
            os._exit(code)
    from attached import AttachedKernelManager

    km = AttachedKernelManager(pid, connection_file)
    run_opts = {
        "timeout": int(req["timeout"]),
        "sub": sub,
        "cell_chars": int(req["cell_chars"]),
        "notebook_bytes": int(req["notebook_bytes"]),
    }
    try:
        nbexec.execute(f"{sub}/_submitted.ipynb", f"{sub}/_executed.ipynb", run_opts, km=km)
    finally:
        km.kill()


def main(argv=None):
    opts = _parse(sys.argv[1:] if argv is None else argv)
    if os.getpid() > 2:
        # sweep() kills every process it sees: only ever inside the sandbox's PID namespace,
        # where this process is the one bubblewrap started (PID 2).
        print("warm.py runs only as the sandbox's first process", file=sys.stderr)
        return 2
    fd_in, fd_out = int(opts["in"]), int(opts["out"])
    os.set_inheritable(fd_in, False)
    os.set_inheritable(fd_out, False)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    _prctl(PR_SET_DUMPABLE, 0)  # no ptrace, no /proc/PID/mem for the runs of the same uid
    _prctl(PR_SET_CHILD_SUBREAPER, 1)  # what a run leaves behind becomes ours to reap
    pristine_path = list(sys.path)
    here = os.path.dirname(os.path.abspath(__file__))
    grader = os.path.dirname(here)
    sys.path[:0] = [grader, here]
    sys.path.extend(opts["path"])
    import attached  # noqa: F401  (this folder: nbclient's view of a forked kernel)
    import nbexec
    import protocol

    os.chdir("/")
    nbexec.import_client()
    loaded = _preload(["ipykernel.kernelapp", "jupyter_client.connect", *opts["preload"]])
    protocol.write_message(fd_out, {"ready": True, "pid": os.getpid(), "preloaded": loaded})
    while True:
        try:
            req, _ = protocol.read_message_blocking(fd_in)
        except protocol.Closed:
            return 0
        op, rid = req.get("op"), req.get("id")
        if op == "exit":
            return 0
        if op != "run":
            protocol.write_message(fd_out, {"id": rid, "fatal": f"unknown op {op!r}"})
            continue
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                os.close(fd_in)
                os.close(fd_out)
                _prctl(PR_SET_DUMPABLE, 1)  # as a fresh interpreter would be
                os.chdir(opts["sub"])
                _run_client(req, opts, pristine_path, nbexec)
                code = 0
            except BaseException:  # noqa: BLE001 - the status says it; the host reads the file
                import traceback

                traceback.print_exc()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        swept, left = sweep()
        for folder in ("/tmp", "/dev/shm"):
            empty(folder)
        protocol.write_message(
            fd_out,
            {"id": rid, "exit": os.waitstatus_to_exitcode(status), "swept": swept, "left": left},
        )


if __name__ == "__main__":
    sys.exit(main())
