"""The build stage, ``course build``: generate what students receive from ``solutions/``, the
single source of truth.

Products, all committed and none inside ``solutions/``, each from its own module:

1. :mod:`.fixtures` — the public fixtures, ``course_lib/checks/fixtures/<A>.json``: the
   reference's outputs (and each known mistake's) on the public scenario cases;
2. :mod:`.stubs` — ``course_lib/``: the reference package with every solution region replaced by
   ``raise NotImplementedError(...)``, the fixtures in its ``checks/``;
3. :mod:`.release` — ``notebooks/<A>/``: the release notebooks (stock ``nbgrader
   generate_assignment``);
4. :mod:`.bundle` — ``course bundle``: the zip students receive (not committed).

:mod:`.command` is ``course build [--check]``. This package's namespace re-exports the stubs
(which the score stage calls) and the list of source assignments; it must not import the score
stage back (:mod:`.fixtures` does, so it is not imported here).
"""

from .release import source_assignments
from .stubs import BuildError, make_stub, solution_regions, write_stub_package

__all__ = [
    "BuildError",
    "make_stub",
    "solution_regions",
    "source_assignments",
    "write_stub_package",
]
