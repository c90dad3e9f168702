"""environment.yml (conda), pyproject.toml (pip) and requirements.lock (make) must list the same
packages and pins: the dependencies and the `dev` extra (the linters `.ci/run` runs)."""

import re
import sys
import tomllib
from pathlib import Path

import yaml  # shipped with the pinned Jupyter stack (PyYAML)

ROOT = Path(__file__).resolve().parent.parent


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(specs):
    out = {}
    for spec in specs:
        m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*==\s*([^\s;]+)\s*", spec)
        assert m, f"not an exact pin: {spec!r}"
        out[_norm(m.group(1))] = m.group(2)
    return out


def _direct(project: dict) -> list[str]:
    return project["dependencies"] + project["optional-dependencies"]["dev"]


def test_conda_environment_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda, pip_specs = [], []
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            pip_specs += [s for s in dep["pip"] if not s.startswith("-e")]
        elif not dep.startswith(("python", "pip")) or dep.startswith("python-"):
            conda.append(dep)
    assert _pins(conda + pip_specs) == _pins(_direct(project))
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert project["requires-python"] == ">=" + python.split("=")[1]


def test_lock_file_agrees_with_pyproject():
    """requirements.lock (what `make` installs) pins every direct dependency at the same version."""
    lock = _pins(line for line in (ROOT / "requirements.lock").read_text().splitlines()
                 if line.strip() and not line.startswith("#"))
    project = _pins(_direct(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]))
    for name, version in project.items():
        assert lock.get(name) == version, f"{name}: pyproject pins {version}, lock has {lock.get(name)}"


def test_running_python_is_supported():
    assert sys.version_info >= (3, 11)


def test_lock_file_pins_the_cluster_extra():
    """The cluster extra is installed by `make` (the lock), at the versions pyproject pins."""
    lock = _pins(line for line in (ROOT / "requirements.lock").read_text().splitlines()
                 if line.strip() and not line.startswith("#"))
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    for name, version in _pins(extra["cluster"]).items():
        assert lock.get(name) == version, f"{name}: pyproject pins {version}, lock has {lock.get(name)}"
