"""The scenario framework: plain-data encoding, comparison messages, judging and diagnosis."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from autograder.score import framework

fw = framework()


def roundtrip(value, inline):
    header, blobs = fw.encode_outcome(fw.Outcome(outputs={"v": value}), inline=inline)
    import json

    header = json.loads(json.dumps(header))  # what crosses the pipe or sits in a fixture file
    return fw.decode_outcome(header, blobs).outputs["v"]


@settings(max_examples=60, deadline=None)
@given(arr=hnp.arrays(dtype=st.sampled_from([np.float64, np.float32, np.int64, np.bool_]),
                      shape=hnp.array_shapes(min_dims=0, max_dims=3, max_side=4)),
       inline=st.booleans())
def test_arrays_survive_encoding_exactly(arr, inline):
    back = roundtrip(arr, inline)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)


@pytest.mark.parametrize("value", [None, True, 3, 2.5, float("nan"), "text", np.float64(1.5),
                                   (1, [2.0, "x"]), {"a": np.arange(3)}])
def test_plain_values_survive_encoding(value):
    back = roundtrip(value, inline=False)
    assert fw.compare_values(back, value, "v", 0, 0) is None
    assert type(back) is type(value) or isinstance(value, np.generic)


def test_unknown_types_and_object_arrays_become_markers():
    assert isinstance(roundtrip(object(), False), fw.Unsupported)
    assert isinstance(roundtrip(np.array([object()]), False), fw.Unsupported)


def test_pickled_blob_is_refused():
    import io
    import pickle

    evil = io.BytesIO()
    np.save(evil, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(fw.WireError):
        fw.decode_value({"t": "nd", "i": 0}, [evil.getvalue()])
    with pytest.raises(fw.WireError):
        fw.decode_value({"t": "nd", "i": 0}, [pickle.dumps([1, 2])])


@pytest.mark.parametrize("bad", [[], {"t": 3}, {"t": "nd", "i": 5}, {"t": "int", "v": "1"},
                                 {"t": "float", "v": "1e3"}, {"t": "weird"}])
def test_malformed_wire_values_are_rejected(bad):
    with pytest.raises(fw.WireError):
        fw.decode_value(bad, [])


def test_mismatch_message_names_key_index_values_and_tolerance():
    exp = np.zeros((3, 4))
    got = exp.copy()
    got[2, 1] = 0.5
    msg = fw.compare_values(got, exp, "dx", 1e-7, 1e-10)
    assert "dx" in msg and "(2, 1)" in msg and "0.5" in msg and "rtol=1e-07" in msg and "1 of 12" in msg


@pytest.mark.parametrize("got, needle", [
    (np.zeros((4, 3)), "expected shape (3, 4)"),
    ([[0.0] * 4] * 3, "expected an array"),
    (np.zeros((3, 4), dtype=np.float32), "precision"),
    (np.full((3, 4), np.nan), "entries differ"),
])
def test_wrong_shape_type_dtype_and_nan_are_explained(got, needle):
    assert needle in fw.compare_values(got, np.zeros((3, 4)), "out", 1e-7, 1e-10)


def _scn(compare="match", verify=None):
    def f(lib, rng):
        return {}
    return fw.Scenario(name="s", task="1.1", func=f, cases=({"seed": 0},), compare=compare, verify=verify)


def test_evaluate_names_a_matching_mistake_only_when_wrong():
    expected = fw.Outcome(outputs={"y": np.ones(3)})
    wrong = fw.Outcome(outputs={"y": 2 * np.ones(3)})
    mistakes = [("doubled", "halve it", wrong)]
    assert fw.evaluate(_scn(), {"seed": 0}, expected, expected, mistakes).passed
    v = fw.evaluate(_scn(), {"seed": 0}, wrong, expected, mistakes)
    assert not v.passed and v.mistake == "doubled" and "halve it" in v.report()
    v = fw.evaluate(_scn(), {"seed": 0}, fw.Outcome(outputs={"y": 3 * np.ones(3)}), expected, mistakes)
    assert not v.passed and v.mistake is None and "index" in v.message


def test_expected_exceptions_must_be_raised_with_the_same_type():
    expected = fw.Outcome(error=fw.ErrorInfo("ValueError", "ValueError", "N must be > 1"))
    ok = fw.Outcome(error=fw.ErrorInfo("ShapeError", "ValueError", "other words"))
    quiet = fw.Outcome(outputs={"y": 1.0})
    assert fw.evaluate(_scn(), {"seed": 0}, ok, expected).passed
    v = fw.evaluate(_scn(), {"seed": 0}, quiet, expected)
    assert not v.passed and "ValueError" in v.message
    # Judged by the builtin class only: a class named ValueError that is not builtins' (or a
    # grader-made error, builtin '') never counts.
    for builtin in ("", "TypeError", "NoSuchError", "ValueError.__class__"):
        fake = fw.Outcome(error=fw.ErrorInfo("ValueError", builtin, "N must be > 1"))
        assert not fw.evaluate(_scn(), {"seed": 0}, fake, expected).passed, builtin


def test_not_implemented_is_reported_as_such():
    stub = fw.Outcome(error=fw.ErrorInfo("NotImplementedError", "NotImplementedError", "Task 1.1 x"))
    v = fw.evaluate(_scn(), {"seed": 0}, stub, fw.Outcome(outputs={}))
    assert v.message.startswith("not implemented yet: Task 1.1")


def test_gradcheck_and_property_judging():
    a = np.linspace(1, 2, 6).reshape(2, 3)
    assert fw.gradcheck_message({"dx": a, "dx_num": a * (1 + 1e-9)}, 1e-7) is None
    msg = fw.gradcheck_message({"dx": a, "dx_num": 2 * a}, 1e-7)
    assert "relative error" in msg and "dx" in msg

    def verify(outputs, **case):
        assert outputs["n"] > 0, "n must be positive"

    v = fw.evaluate(_scn("property", verify), {"seed": 0}, fw.Outcome(outputs={"n": -1}))
    assert not v.passed and v.message.splitlines()[0] == "n must be positive"


def test_numerical_gradient_of_a_quadratic_and_inputs_untouched():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    before = x.copy()
    g = fw.numerical_gradient(lambda z: float(np.sum(z ** 2)), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_run_scenario_turns_exceptions_and_exits_into_outcomes():
    def boom(lib, rng):
        raise SystemExit(3)

    scn = fw.Scenario(name="boom", task="1.1", func=boom, cases=({"seed": 0},))
    out = fw.run_scenario(scn, None, {"seed": 0})
    assert out.error.type == "SystemExit"
