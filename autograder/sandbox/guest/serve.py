"""Guest side of the sandboxed worker: the process that runs next to student code, inside
bubblewrap (or the reduced sandbox). The host side is
:class:`autograder.sandbox.host.worker.Worker`.

Started by the host as

    python -I -S -B /opt/grader/guest/serve.py --in FD --out FD --path DIR [...] --sub DIR

``-I -S`` ignore the environment and skip ``site`` (so no ``.pth`` file of the grader's venv
runs); ``sys.path`` becomes the interpreter's stdlib, then the ``--path`` entries, then ``--sub``
(the copy of the submission, whose ``course_lib/checks`` is the grader's own copy, read-only).

It serves requests from the grader over its own pipe fds (student output goes to fds 1 and 2,
which are capped files), and answers with plain data only: JSON plus ``.npy`` blobs.
Requests: ``ping``; ``scenario`` (name, case) -> the case's record (``checks/replay.py``: what the
student's functions returned, as plain data; the grader computes the outcome from it); ``exit``.
"""

import os
import signal
import sys


def _parse(argv):
    opts: dict = {"path": []}
    it = iter(argv)
    for a in it:
        if a == "--path":
            opts["path"].append(next(it))
        elif a in ("--in", "--out", "--sub"):
            opts[a[2:]] = next(it)
    return opts


def main(argv=None):
    opts = _parse(sys.argv[1:] if argv is None else argv)
    fd_in, fd_out = int(opts["in"]), int(opts["out"])
    os.set_inheritable(fd_in, False)
    os.set_inheritable(fd_out, False)
    # A capped output file raises EFBIG in the writer instead of killing the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    # The framing module is bound read-only beside this folder (the host imports the same file).
    grader = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sys.path.insert(0, grader)
    import protocol  # noqa: E402

    sys.path.remove(grader)
    sys.path.extend(opts["path"])
    sys.path.append(opts["sub"])
    os.chdir(opts["sub"])
    import numpy  # noqa: F401,E402  (warm: the first call should not pay for it)

    state: dict = {}

    def framework():
        if "fw" not in state:
            from course_lib.checks import framework as fw  # the grader's copy, bound read-only

            state["fw"] = fw
            state["scenarios"] = fw.load_scenarios("course_lib")
        return state["fw"]

    protocol.write_message(fd_out, {"ready": True, "pid": os.getpid()})
    while True:
        try:
            req, blobs = protocol.read_message_blocking(fd_in)
        except protocol.Closed:
            return 0
        op = req.get("op")
        rid = req.get("id")
        if op == "exit":
            return 0
        if op == "ping":
            protocol.write_message(fd_out, {"id": rid, "ok": True})
            continue
        if op == "scenario":
            try:
                fw = framework()
                scn = state["scenarios"].get(req["name"])
                if scn is None:
                    header = {"id": rid, "fatal": f"unknown scenario {req['name']!r}"}
                    protocol.write_message(fd_out, header)
                    continue
                record = fw.record_scenario(scn, dict(req["case"]), "course_lib")
                reply, out_blobs = {"id": rid, "record": {"events": record.events}}, record.blobs
            except BaseException as exc:  # noqa: BLE001 - e.g. the package fails to import
                reply = {
                    "id": rid,
                    "import_error": {"type": type(exc).__name__, "message": str(exc)[:2000]},
                }
                out_blobs = []
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except Exception:  # noqa: BLE001
                    pass
            protocol.write_message(fd_out, reply, out_blobs)
            continue
        protocol.write_message(fd_out, {"id": rid, "fatal": f"unknown op {op!r}"})


if __name__ == "__main__":
    sys.exit(main())
