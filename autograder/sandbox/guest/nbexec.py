"""Guest side of notebook execution, inside the sandbox: execute one notebook with nbclient
and a kernel that is sandboxed too.

    python -I -S -B nbexec.py IN.ipynb OUT.ipynb --timeout SECONDS --path DIR ... --sub /sub

The kernel is this same interpreter started with ``-I -S -B`` through a private kernel spec in
``/tmp`` (``kernel_boot.py`` sets its ``sys.path``); kernel and client talk over the sandbox's
private loopback. The grader reads OUT back as untrusted data (outputs for feedback only).
"""

import json
import os
import sys


class _Block:
    """Meta-path finder that makes some optional, slow imports unavailable."""

    def __init__(self, names):
        self.names = names

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ImportError(f"{name} is not available in the sandbox")
        return None


def main():
    argv = sys.argv[1:]
    src, dst = argv[0], argv[1]
    paths, timeout, sub = [], 60, "/sub"
    it = iter(argv[2:])
    for a in it:
        if a == "--path":
            paths.append(next(it))
        elif a == "--timeout":
            timeout = int(next(it))
        elif a == "--sub":
            sub = next(it)
    sys.path.extend(paths)
    os.environ["COURSE_SYS_PATH"] = os.pathsep.join(paths + [sub])
    os.environ["JUPYTER_PATH"] = "/tmp/jupyter"
    os.environ["JUPYTER_RUNTIME_DIR"] = "/tmp/jupyter/runtime"
    os.environ["JUPYTER_CONFIG_DIR"] = "/tmp/jupyter/config"
    os.environ["IPYTHONDIR"] = "/tmp/ipython"
    spec = "/tmp/jupyter/kernels/course-sandbox"
    os.makedirs(spec, exist_ok=True)
    os.makedirs("/tmp/jupyter/runtime", exist_ok=True)
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(spec, "kernel.json"), "w") as fh:
        json.dump(
            {
                "argv": [
                    sys.executable,
                    "-I",
                    "-S",
                    "-B",
                    os.path.join(here, "kernel_boot.py"),
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "course sandbox",
                "language": "python",
            },
            fh,
        )

    import time

    t0 = time.time()
    sys.meta_path.insert(0, _Block(("rfc3987_syntax",)))  # 1-2 s of grammar building, unused
    import nbformat
    from nbclient import NotebookClient

    print("imports", time.time() - t0, file=sys.stderr)

    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="course-sandbox",
        allow_errors=True,
        interrupt_on_timeout=False,
        startup_timeout=60,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": sub}},
    )
    try:
        client.execute()
        print("executed", time.time() - t0, file=sys.stderr)
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - a dead kernel is a result
        status = f"{type(exc).__name__}: {str(exc)[:300]}"
    nb.metadata["course_execution"] = {"status": status}
    with open(dst, "w") as fh:
        nbformat.write(nb, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
