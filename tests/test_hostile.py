"""Hostile submissions against the sandboxed worker: every one gets no undeserved point and a
clear reason. (Notebook-level attacks -- rewriting cells from the kernel, deleted or edited test
cells, malformed notebooks, writing the gradebook or another student's folder, symlinks, module
shadowing, a fork bomb next to other students -- are graded through the real nbgrader in
tests/test_grading_e2e.py.)

Each hostile student is the reference package with ``l2_penalty`` redefined (appended to
``penalties.py``); scenario ``l2_penalty_matches`` (task 7.1) is then judged in the grader.
"""

from __future__ import annotations

import socket

import pytest

from autograder import REFERENCE_DIR, REPO, SUITES_DIR
from sandbox_students import grade_l2, needs_safe_sandbox, needs_unprivileged_sandbox, student

pytestmark = needs_safe_sandbox


@pytest.mark.parametrize("name,code,reason", [
    ("loop", "def l2_penalty(weights, lam):\n    while True:\n        pass\n", "wall-clock limit"),
    ("sleep", "import time\ndef l2_penalty(weights, lam):\n    time.sleep(60)\n", "wall-clock limit"),
    ("memory", "def l2_penalty(weights, lam):\n    hog = []\n    while True:\n"
               "        hog.append(bytearray(50_000_000))\n", "MemoryError|wall-clock limit"),
    pytest.param(
        "fork", "import os\ndef l2_penalty(weights, lam):\n    n = 0\n    while n < 100000:\n"
                "        try:\n            if os.fork() == 0:\n                import time; time.sleep(30)\n"
                "        except OSError as exc:\n            raise RuntimeError(f'fork refused after {n}') from exc\n"
                "        n += 1\n", "fork refused", marks=needs_unprivileged_sandbox),
    ("os_exit", "import os\ndef l2_penalty(weights, lam):\n    os._exit(3)\n", "exit code"),
    ("sys_exit", "import sys\ndef l2_penalty(weights, lam):\n    sys.exit(0)\n", "SystemExit"),
    ("segfault", "import ctypes\ndef l2_penalty(weights, lam):\n    ctypes.string_at(0)\n",
     "segmentation fault"),
    ("flood", "def l2_penalty(weights, lam):\n    while True:\n        print('x' * 100000)\n",
     "output limit"),
    ("nan", "import numpy as np\ndef l2_penalty(weights, lam):\n"
            "    return float('nan'), [np.full(np.shape(w), np.nan) for w in weights]\n", "got nan"),
    ("shape", "import numpy as np\ndef l2_penalty(weights, lam):\n"
              "    v = 0.5 * lam * sum(float((np.asarray(w) ** 2).sum()) for w in weights)\n"
              "    return v, [np.zeros(3) for w in weights]\n", "shape"),
    ("dtype", "import numpy as np\ndef l2_penalty(weights, lam):\n"
              "    v = 0.5 * lam * sum(float((np.asarray(w) ** 2).sum()) for w in weights)\n"
              "    return v, [(lam * np.asarray(w)).astype(np.float32) for w in weights]\n", "float32"),
    ("nonarray", "def l2_penalty(weights, lam):\n    return 'done', object()\n", "TypeError"),
    ("nonarray2", "import numpy as np\ndef l2_penalty(weights, lam):\n"
                  "    return 'done', [w.tolist() for w in map(np.asarray, weights)]\n", "expected"),
    ("syntax", "def l2_penalty(weights, lam:\n    return 0\n", "SyntaxError"),
    ("missing", "del l2_penalty\n", "AttributeError"),
    # Beyond the list: CPU burnt in a child while the call sleeps; SIGTERM ignored;
    # signals to every process the sandbox may signal (only its own, in its PID namespace).
    ("spin_child", "import os, time\ndef l2_penalty(weights, lam):\n    if os.fork() == 0:\n"
                   "        while True:\n            pass\n    time.sleep(60)\n", "wall-clock limit"),
    ("no_sigterm", "import signal\ndef l2_penalty(weights, lam):\n"
                   "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n    while True:\n        pass\n",
     "wall-clock limit"),
    pytest.param("kill_all", "import os, signal\ndef l2_penalty(weights, lam):\n"
                             "    try:\n        os.kill(-1, signal.SIGKILL)\n    except OSError:\n"
                             "        pass\n    raise RuntimeError('still here')\n", "still here",
                 marks=needs_unprivileged_sandbox),
])
def test_hostile_function_gets_no_point_and_a_reason(tmp_path, name, code, reason):
    msg = grade_l2(student(tmp_path, name, code))
    assert msg is not None, f"{name} passed"
    assert any(r in msg for r in reason.split("|")), msg


def test_no_network_even_to_the_hosts_loopback(tmp_path):
    """A listener of this test on the host's loopback is unreachable from the sandbox's own network
    namespace (only loopback is ever contacted: no traffic leaves the machine)."""
    from autograder.sandbox import mode

    if mode() != "bwrap":
        pytest.skip("network isolation needs bubblewrap; the reduced sandbox says so in every report")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        port = listener.getsockname()[1]
        code = ("import socket\ndef l2_penalty(weights, lam):\n"
                f"    socket.create_connection(('127.0.0.1', {port}), timeout=2).close()\n"
                "    raise RuntimeError('reached the host network')\n")
        msg = grade_l2(student(tmp_path, "network", code))
    assert msg is not None and "reached the host network" not in msg, msg
    assert "ConnectionRefusedError" in msg, msg


def test_monkeypatching_numpy_and_checks_does_not_help(tmp_path):
    code = ("import numpy as _np\n_np.allclose = lambda *a, **k: True\n"
            "_np.isclose = lambda a, b, *x, **k: _np.ones(_np.broadcast(a, b).shape, bool)\n"
            "from .checks import framework as _fw\n"
            "_fw.compare_values = lambda *a, **k: None\n"
            "def l2_penalty(weights, lam):\n    return 0.0, [_np.zeros_like(w) for w in weights]\n")
    msg = grade_l2(student(tmp_path, "patch", code))
    assert msg is not None and "got 0.0" in msg, msg


@needs_unprivileged_sandbox
def test_filesystem_is_private(tmp_path):
    """No view of the repo, solutions, hidden suites, gradebook or other students; no writes."""
    secret = tmp_path / "other_student" / "course_lib"
    secret.mkdir(parents=True)
    code = ("import os, glob\ndef l2_penalty(weights, lam):\n    seen = []\n"
            f"    for p in ['{REFERENCE_DIR}/penalties.py', '{SUITES_DIR}', '{REPO / 'solutions'}',"
            f" '{secret}', '/etc/shadow', '{REPO / 'gradebook.db'}']:\n"
            "        if os.path.exists(p):\n            seen.append(p)\n"
            "    try:\n        open('/sub/course_lib/penalties.py', 'a').write('# x')\n"
            "        seen.append('wrote own files')\n    except OSError:\n        pass\n"
            "    raise RuntimeError('SEEN ' + repr(seen))\n")
    msg = grade_l2(student(tmp_path, "snoop", code))
    assert "SEEN []" in msg, msg


def test_shadowing_a_module_does_not_reach_the_grader(tmp_path):
    """A numpy.py or checks/ in the submission is never imported by the grader or the worker."""
    root = student(tmp_path, "shadow")
    (root / "numpy.py").write_text("raise SystemExit('shadowed')\n")
    (root / "course_lib" / "checks").mkdir()
    (root / "course_lib" / "checks" / "framework.py").write_text("raise SystemExit('fake')\n")
    assert grade_l2(root) is None


def test_in_place_mutation_of_inputs_is_caught(tmp_path, ref):
    from autograder.score import get_scenario

    code = ("import numpy as np\n_orig = l2_penalty\ndef l2_penalty(weights, lam):\n"
            "    v, g = _orig(weights, lam)\n    for w in weights:\n        w *= 0\n    return v, g\n")
    root = student(tmp_path, "mutate", code)
    msg = grade_l2(root)
    # Mutation is caught where a scenario checks its inputs; otherwise the outputs still count.
    assert msg is None or "input" in msg.lower() or "differ" in msg




@needs_unprivileged_sandbox
def test_signalling_every_process_reaches_no_other_sandbox(tmp_path):
    """``kill(-1, SIGKILL)`` in one student's sandbox leaves another student's worker serving."""
    from autograder.sandbox import Worker
    from sandbox_students import CASE

    with Worker(student(tmp_path, "ref")) as other:
        other.start()
        msg = grade_l2(student(tmp_path, "killer", "import os, signal\n"
                                                   "def l2_penalty(weights, lam):\n"
                                                   "    os.kill(-1, signal.SIGKILL)\n"
                                                   "    return 0.0, []\n"))
        assert msg is not None
        assert other.run_scenario("l2_penalty_matches", CASE).error is None
        assert other.starts == 1 and not other.faults


@needs_unprivileged_sandbox
@pytest.mark.skipif(__import__("os").geteuid() != 0, reason="sandbox uids are switched by root only")
def test_a_daemon_left_behind_is_gone_when_the_worker_closes(tmp_path):
    """A double-forked ``setsid`` daemon escapes the process group; its leased uid finds it."""
    from autograder.sandbox import Worker
    from autograder.sandbox.host.leases import uid_processes
    from sandbox_students import CASE

    code = ("import os, time\n_orig = l2_penalty\ndef l2_penalty(weights, lam):\n"
            "    if os.fork() == 0:\n        os.setsid()\n        if os.fork() == 0:\n"
            "            time.sleep(300)\n        os._exit(0)\n    return _orig(weights, lam)\n")
    with Worker(student(tmp_path, "daemon", code)) as w:
        assert w.run_scenario("l2_penalty_matches", CASE).error is None
        uid = w.uid
        assert uid_processes(uid)  # the daemon and the worker
    assert uid_processes(uid) == []
