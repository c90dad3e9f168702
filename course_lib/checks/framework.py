"""The scenario framework in one namespace, for the grader.

The grader loads the reference's copy of this package under another name and reaches every part
through this module (the score stage's ``framework()``): declaring (:mod:`.scenario`), running
(:mod:`.runner`), recording and replaying a sandboxed run (:mod:`.replay`), the wire format
(:mod:`.wire`), judging (:mod:`.judge`), finite differences
(:mod:`.gradients`) and the public checks (:mod:`.public`). Code inside ``course_lib`` imports
the module it needs directly.
"""

from .gradients import numerical_gradient, relative_error
from .judge import Verdict, compare_outcomes, compare_values, evaluate, gradcheck_message
from .public import PublicCase, check, fixture_path, load_fixtures, public_cases, run_public_case
from .replay import Record, ReplayMismatch, record_scenario, replay_scenario
from .runner import ErrorInfo, LibView, Outcome, run_scenario
from .scenario import COMPARE_KINDS, Scenario, load_scenarios, scenario
from .wire import (
    WireError,
    Unsupported,
    decode_outcome,
    decode_value,
    encode_outcome,
    encode_value,
)

__all__ = [
    "COMPARE_KINDS", "ErrorInfo", "LibView", "Outcome", "PublicCase", "Record", "ReplayMismatch",
    "Scenario", "Unsupported", "record_scenario", "replay_scenario",
    "Verdict", "WireError", "check", "compare_outcomes", "compare_values", "decode_outcome",
    "decode_value", "encode_outcome", "encode_value", "evaluate", "fixture_path",
    "gradcheck_message", "load_fixtures", "load_scenarios", "numerical_gradient", "public_cases",
    "relative_error", "run_public_case", "run_scenario", "scenario",
]
