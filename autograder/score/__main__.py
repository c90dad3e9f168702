"""``python -m autograder.score ASSIGNMENT``: the development table (:mod:`.development`)."""

import sys

from autograder.score.development import main

sys.exit(main())
