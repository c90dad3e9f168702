"""Scenario modules, one per assignment (``s05_batchnorm.py``); see ``checks.scenario``."""
