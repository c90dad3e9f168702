"""The warm notebook sandbox (``autograder/sandbox/host/warm.py``): one sandbox whose first
process imports the heavy modules once and forks a kernel and a client per notebook. It must
give the notebook's own results, and nothing of one run may reach the next: no process, no file,
no way into the process that forks them. A run it cannot do is redone in a one-shot sandbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder import REFERENCE_DIR, REPO
from autograder.execute import execute_notebook
from autograder.sandbox import mode
from autograder.sandbox.host import warm
from autograder.sandbox.host.notebook import DEFAULT_LIMITS, run_notebook

pytestmark = pytest.mark.skipif(
    mode() != "bwrap", reason="the warm sandbox runs only under bubblewrap (apt-get install bubblewrap)"
)


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    """A submission folder: the release course_lib with the reference sources over it."""
    sub = tmp_path_factory.mktemp("student")
    shutil.copytree(REPO / "course_lib", sub / "course_lib",
                    ignore=shutil.ignore_patterns("__pycache__"))
    for f in REFERENCE_DIR.rglob("*.py"):
        rel = f.relative_to(REFERENCE_DIR)
        if "checks" not in rel.parts:
            shutil.copyfile(f, sub / "course_lib" / rel)
    return sub


@pytest.fixture(scope="module")
def box():
    sandbox = warm.WarmSandbox(DEFAULT_LIMITS)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def _run(box, finished, *sources, cell_timeout=20):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    return box.run(nb, finished, cell_timeout=cell_timeout, env={}, cell_chars=100_000)


def _text(run, i):
    return "".join(o.get("text", "") for o in run.notebook.cells[i].outputs)


def _streams(nb):
    """Each code cell's outputs as (type, text), consecutive streams joined (how a kernel
    splits a cell's prints into messages depends on timing)."""
    out = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        items: list = []
        for o in cell.outputs:
            text = o.get("text") or str(o.get("data", {}).get("text/plain", ""))
            if items and o.output_type == "stream" and items[-1][0] == "stream":
                items[-1] = ("stream", items[-1][1] + text)
            else:
                items.append((o.output_type, text))
        out.append(items)
    return out


def test_a_notebook_gives_the_same_outputs_warm_and_in_a_fresh_sandbox(finished, monkeypatch):
    nb = nbformat.read(REPO / "notebooks" / "01_foundations" / "01_foundations.ipynb", 4)
    warm_nb, w = execute_notebook(nb, finished)
    monkeypatch.setenv("COURSE_WARM_SANDBOX", "0")
    cold_nb, c = execute_notebook(nb, finished)
    assert w["status"] == c["status"] == "ok"
    noise = "joblib will operate in serial mode"  # printed by an import the warm one did early
    cold = [[(t, "".join(ln for ln in s.splitlines(True) if noise not in ln and "warnings.warn" not in ln))
             for t, s in cell] for cell in _streams(cold_nb)]
    assert _streams(warm_nb) == cold


def test_the_preloaded_modules_are_in_the_forked_kernel(box, finished):
    run = _run(box, finished, "import sys\nprint(sorted(m for m in ('numpy', 'sklearn') if m in sys.modules))")
    assert run.status == "ok"
    assert _text(run, 0).strip() == "['numpy', 'sklearn']"
    assert "numpy" in box.preloaded


def test_nothing_of_one_run_reaches_the_next(box, finished):
    plant = _run(
        box, finished,
        "import os, subprocess, time\n"
        "open('/tmp/planted', 'w').write('x')\n"
        "try:\n    open('/dev/shm/planted', 'w').write('x')\nexcept OSError:\n    pass\n"
        "open('/sub/planted', 'w').write('x')\n"
        "subprocess.Popen(['sleep', '1000'], start_new_session=True)\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    time.sleep(1000)\n"
        "os.environ['PLANTED'] = '1'\n"
        "print('planted')",
    )
    assert _text(plant, 0).strip() == "planted"
    look = _run(
        box, finished,
        "import os\n"
        "names = [open(f'/proc/{p}/cmdline', 'rb').read().split(b'\\0')[0].decode() for p in os.listdir('/proc') if p.isdigit()]\n"
        "print(sorted(os.path.exists(p) for p in ('/tmp/planted', '/dev/shm/planted', '/sub/planted')))\n"
        "print('sleep' in ' '.join(names), len(names), 'PLANTED' in os.environ)",
    )
    assert look.status == "ok", look.status
    exists, others = _text(look, 0).splitlines()
    assert exists == "[False, False, False]"
    sleeping, count, env = others.split()
    # bubblewrap's init, the warm process, the client and the kernel: nothing left of the last run
    assert (sleeping, int(count), env) == ("False", 4, "False")


def test_each_run_draws_fresh_random_numbers_as_a_fresh_interpreter_does(box, finished):
    cell = "import random, numpy as np\nprint(np.random.rand(), random.random())"
    first, second = (_text(_run(box, finished, cell), 0) for _ in range(2))
    a, b = first.split(), second.split()
    assert a[0] != b[0] and a[1] != b[1], (first, second)


def test_a_swarm_of_processes_is_swept_before_the_next_run(box, finished):
    swarm = _run(
        box, finished,
        "import os, time\n"
        "for _ in range(40):\n"
        "    if os.fork() == 0:\n"
        "        os.setsid()\n"
        "        if os.fork() == 0:\n"
        "            time.sleep(1000)\n"
        "        time.sleep(1000)\n"
        "print('forked')",
    )
    assert _text(swarm, 0).strip() == "forked"
    look = _run(box, finished, "import os\nprint(sum(p.isdigit() for p in os.listdir('/proc')))")
    assert _text(look, 0).strip() == "4"  # bubblewrap's init, the warm process, client, kernel


def test_a_run_cannot_reach_into_the_process_that_forks_them(box, finished):
    run = _run(
        box, finished,
        "import ctypes, os\n"
        "try:\n    open('/proc/2/mem', 'rb').read(1); print('mem readable')\n"
        "except OSError as e:\n    print('mem', type(e).__name__)\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "print('ptrace', libc.ptrace(16, 2, 0, 0))",  # PTRACE_ATTACH to the warm process (PID 2)
    )
    lines = _text(run, 0).splitlines()
    assert lines[0] == "mem PermissionError"
    assert lines[1] == "ptrace -1"


def test_a_run_that_kills_the_warm_process_is_redone_in_a_fresh_sandbox(finished):
    nb = new_notebook(cells=[new_code_cell("import os, signal\nos.kill(2, signal.SIGKILL)"),
                             new_code_cell("print('after')")])
    run = run_notebook(nb, finished, cell_timeout=20, env={})
    # In the one-shot sandbox PID 2 is the client itself: the run ends there, as it always did.
    assert run.notebook is None and "could not be executed" in run.status
    ok = run_notebook(new_notebook(cells=[new_code_cell("print(6 * 7)")]), finished, cell_timeout=20)
    assert ok.status == "ok" and "42" in "".join(o.get("text", "") for o in ok.notebook.cells[0].outputs)


def test_a_notebook_over_its_budget_ends_and_the_next_run_gets_a_new_sandbox(finished):
    from autograder.sandbox import Limits

    limits = Limits(cpu_seconds=60, wall_seconds=3.0, memory_bytes=4 << 30, processes=256,
                    file_bytes=64 << 20, open_files=1024)
    box = warm.WarmSandbox(limits)
    try:
        box.start()
        loop = _run(box, finished, "while True:\n    pass", cell_timeout=30)
        assert loop.notebook is None and "did not finish within 3 s" in loop.status
        assert not box.alive
        again = _run(box, finished, "print('fresh')")
        assert again.status == "ok" and _text(again, 0).strip() == "fresh"
    finally:
        box.stop()


def test_it_is_off_without_bubblewrap_or_when_turned_off(monkeypatch):
    monkeypatch.setenv("COURSE_WARM_SANDBOX", "0")
    assert not warm.enabled()
    monkeypatch.delenv("COURSE_WARM_SANDBOX")
    monkeypatch.setenv("COURSE_SANDBOX", "reduced")
    assert not warm.enabled()


# -- the datasets lent to notebook sandboxes (sandbox/host/datasets.py)


def test_every_dataset_a_notebook_loads_is_lent():
    import ast

    from autograder import SOURCE_NOTEBOOKS
    from autograder.sandbox.host import datasets

    calls = set()
    for path in sorted(SOURCE_NOTEBOOKS.glob("*/*.ipynb")):
        for cell in nbformat.read(path, 4).cells:
            if cell.cell_type != "code":
                continue
            source = "\n".join(ln for ln in cell.source.splitlines() if not ln.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "load_mnist1d":
                    kw = {k.arg: ast.literal_eval(k.value) for k in node.keywords}
                    calls.add((kw.get("n_samples", 5000), kw.get("seed", 42)))
    assert calls and calls <= set(datasets.MNIST1D), calls - set(datasets.MNIST1D)


def test_a_notebook_reads_the_lent_arrays_bit_for_bit_and_cannot_change_them(box, finished):
    import hashlib
    import importlib

    from autograder.reference import load_reference
    from autograder.sandbox.host import datasets

    assert datasets.filled() is not None
    data = importlib.import_module(f"{load_reference().__name__}.data")
    x, y = data._generate_mnist1d(4000, 42)
    expected = hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest()
    run = _run(
        box, finished,
        "import hashlib, os, time\n"
        "from course_lib.data import load_mnist1d\n"
        "t = time.perf_counter(); x, y = load_mnist1d(n_samples=4000)\n"
        "print(hashlib.sha256(x.tobytes() + y.tobytes()).hexdigest(), time.perf_counter() - t < 0.5)\n"
        "for f in os.listdir(os.environ['COURSE_DATA_CACHE']):\n"
        "    try:\n        open(os.path.join(os.environ['COURSE_DATA_CACHE'], f), 'wb')\n        print('written')\n"
        "    except OSError as e:\n        print(type(e).__name__)",
    )
    lines = _text(run, 0).split()
    assert lines[:2] == [expected, "True"]
    assert lines[2:] and set(lines[2:]) <= {"OSError", "PermissionError"}  # read-only
