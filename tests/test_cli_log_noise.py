"""nbgrader's per-task-cell "checksum has changed" warning (every pristine submission has it:
the release's task cells lack the source's hidden tests) is filtered from the record log;
the same warning about any other cell (a locked cell the student edited) stays."""

from autograder.record.autograde import TASK_CHECKSUM_WARNING


def test_only_task_cell_checksum_warnings_are_dropped():
    log = ("[AutogradeApp | INFO] Converting notebook x.ipynb\n"
           "[AutogradeApp | WARNING] Attribute 'checksum' for cell task_7_1 has changed! "
           "(should be: 1a, got: 2b)\n"
           "[AutogradeApp | WARNING] Attribute 'checksum' for cell task_10_12 has changed! "
           "(should be: 3c, got: 4d)\n"
           "[AutogradeApp | WARNING] Attribute 'checksum' for cell intro_text has changed! "
           "(should be: 5e, got: 6f)\n"
           "[AutogradeApp | INFO] Writing x.ipynb\n")
    kept = TASK_CHECKSUM_WARNING.sub("", log).splitlines()
    assert kept == ["[AutogradeApp | INFO] Converting notebook x.ipynb",
                    "[AutogradeApp | WARNING] Attribute 'checksum' for cell intro_text has "
                    "changed! (should be: 5e, got: 6f)",
                    "[AutogradeApp | INFO] Writing x.ipynb"]
