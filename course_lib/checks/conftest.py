"""Registers one pytest marker per task so ``pytest -m task_5_2`` runs one task's checks."""


def pytest_configure(config):
    from course_lib.tasks import TASKS

    for t in TASKS:
        config.addinivalue_line("markers", f"{t.marker}: public checks of task {t.id} ({t.title})")
