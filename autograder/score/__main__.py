"""``python -m autograder.score ASSIGNMENT``: the development table (:mod:`.dev_table`)."""

import sys

from autograder.score.dev_table import main

sys.exit(main())
