"""Sandbox uids."""

from __future__ import annotations

import itertools
import os

SANDBOX_UID_BASE = 62000
NOTEBOOK_UID_OFFSET = 20000

_uid_counter = itertools.count()


def slot_uid(slot: int | None = None) -> int:
    """An unprivileged uid for a worker slot (``COURSE_GRADER_SLOT`` or derived from the pid)."""
    if slot is None:
        env = os.environ.get("COURSE_GRADER_SLOT")
        slot = int(env) if env and env.isdigit() else (os.getpid() % 997) * 8 + next(_uid_counter) % 8
    return SANDBOX_UID_BASE + int(slot) % 20000
