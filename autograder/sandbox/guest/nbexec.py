"""Guest side of notebook execution, inside the sandbox: execute one notebook with nbclient
and a kernel that is sandboxed too.

    python -I -S -B nbexec.py IN.ipynb OUT.ipynb --timeout SECONDS --path DIR ... --sub /sub
        [--cell-output CHARS] [--notebook-bytes BYTES]

The kernel is this same interpreter started with ``-I -S -B`` through a private kernel spec in
``/tmp`` (``kernel_boot.py`` sets its ``sys.path``); kernel and client talk over the sandbox's
private loopback. The grader reads OUT back as untrusted data (outputs for feedback only).

Outputs over their caps (one cell's, as JSON characters; the whole notebook's, as bytes written)
are replaced by a line saying so, largest first, so that one flooding cell costs only its own
output, never the rest of the notebook's; ``metadata.course_execution.left_out`` lists them as
``[cell index, characters]`` (the grader still checks the file's size itself).
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


LEFT_OUT = "[output left out by the grader: {chars} characters, over its cap ({why})]\n"


def _size(outputs):
    return len(json.dumps(outputs))


def trim_outputs(nb, cell_chars, notebook_bytes, nbformat):
    """Replace outputs over the caps by a line saying so (see the module docstring); returns
    ``[[cell index, characters], ...]`` of the cells whose output was left out."""
    sizes = {
        i: _size(cell.get("outputs", []))
        for i, cell in enumerate(nb.cells)
        if cell.get("cell_type") == "code" and cell.get("outputs")
    }
    left_out = []

    def drop(i, why):
        text = LEFT_OUT.format(chars=sizes[i], why=why)
        nb.cells[i]["outputs"] = [nbformat.v4.new_output("stream", name="stdout", text=text)]
        left_out.append([i, sizes.pop(i)])

    for i in [i for i, n in sizes.items() if n > cell_chars]:
        drop(i, f"{cell_chars} characters per cell")
    while sizes and len(nbformat.writes(nb).encode("utf-8")) > notebook_bytes:
        drop(max(sizes, key=lambda i: sizes[i]), f"{notebook_bytes} bytes for the whole notebook")
    return sorted(left_out)


def parse_args(argv):
    """``(src, dst, options)`` from the command line (see the module docstring)."""
    src, dst = argv[0], argv[1]
    # defaults only; the host always passes its caps (sandbox/host/notebook.py)
    opts: dict = {
        "paths": [],
        "timeout": 60,
        "sub": "/sub",
        "cell_chars": 5_000_000,
        "notebook_bytes": 40_000_000,
    }
    it = iter(argv[2:])
    for a in it:
        if a == "--path":
            opts["paths"].append(next(it))
        elif a == "--timeout":
            opts["timeout"] = int(next(it))
        elif a == "--sub":
            opts["sub"] = next(it)
        elif a == "--cell-output":
            opts["cell_chars"] = int(next(it))
        elif a == "--notebook-bytes":
            opts["notebook_bytes"] = int(next(it))
    return src, dst, opts


def jupyter_dirs(paths, sub):
    """Point Jupyter and IPython at the sandbox's private /tmp; the kernel's sys.path
    (``COURSE_SYS_PATH``): the given site folders, then the submission."""
    os.environ["COURSE_SYS_PATH"] = os.pathsep.join(list(paths) + [sub])
    os.environ["JUPYTER_PATH"] = "/tmp/jupyter"
    os.environ["JUPYTER_RUNTIME_DIR"] = "/tmp/jupyter/runtime"
    os.environ["JUPYTER_CONFIG_DIR"] = "/tmp/jupyter/config"
    os.environ["IPYTHONDIR"] = "/tmp/ipython"
    os.makedirs("/tmp/jupyter/runtime", exist_ok=True)


def import_client():
    """nbformat and nbclient, without an optional import that costs 1-2 s and is unused."""
    if not any(isinstance(f, _Block) for f in sys.meta_path):
        sys.meta_path.insert(0, _Block(("rfc3987_syntax",)))
    import nbformat
    from nbclient import NotebookClient

    return nbformat, NotebookClient


def execute(src, dst, opts, km=None, kernel_name="course-sandbox"):
    """Execute notebook ``src`` into ``dst`` (outputs over their caps left out); the kernel is
    ``km``'s when given (already running), else one started from the kernel spec."""
    nbformat, NotebookClient = import_client()
    nb = nbformat.read(src, as_version=4)
    client = NotebookClient(
        nb,
        km=km,
        timeout=opts["timeout"],
        kernel_name=kernel_name,
        allow_errors=True,
        interrupt_on_timeout=False,
        startup_timeout=60,
        shutdown_kernel="immediate",
        resources={"metadata": {"path": opts["sub"]}},
    )
    try:
        client.execute()
        status = "ok"
    except Exception as exc:  # noqa: BLE001 - a dead kernel is a result
        status = f"{type(exc).__name__}: {str(exc)[:300]}"
    left_out = trim_outputs(nb, opts["cell_chars"], opts["notebook_bytes"], nbformat)
    nb.metadata["course_execution"] = {"status": status, "left_out": left_out}
    with open(dst, "w") as fh:
        nbformat.write(nb, fh)


def main():
    src, dst, opts = parse_args(sys.argv[1:])
    sys.path.extend(opts["paths"])
    jupyter_dirs(opts["paths"], opts["sub"])
    spec = "/tmp/jupyter/kernels/course-sandbox"
    os.makedirs(spec, exist_ok=True)
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
    execute(src, dst, opts)
    return 0


if __name__ == "__main__":
    sys.exit(main())
