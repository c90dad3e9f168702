"""Start an IPython kernel inside the sandbox with an explicit sys.path (run with -I -S -B)."""

import os
import sys

sys.path.extend(p for p in os.environ.get("COURSE_SYS_PATH", "").split(os.pathsep) if p)
os.chdir(sys.path[-1]) if sys.path and os.path.isdir(sys.path[-1]) else None

from ipykernel import kernelapp  # noqa: E402

kernelapp.launch_new_instance()
