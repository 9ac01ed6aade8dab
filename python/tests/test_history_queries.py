"""r.iterations_to(ε) and r.minimum(): against a numpy reading of the same record, and against
the C library's fs_result_iterations_to / fs_result_history_minimum on the live result."""
from ctypes import byref, c_double, c_int64

import numpy as np
import pytest

import factorsense as fs
from factorsense import _lib


@pytest.fixture(scope="module")
def run():
    p = fs.SensingProblem.gaussian(20, 15, 2, 300, condition_number=3, seed=4)
    return fs.gradient_descent(p, width=5, init_scale=1e-4, step=0.4, max_iter=400, record_every=3, seed=2)


@pytest.mark.parametrize("epsilon", [0.5, 1e-2, 1e-4, 1e-8, 1e-300])
@pytest.mark.parametrize("column", ["test_error", "residual", "loss"])
def test_iterations_to_is_the_first_recorded_iteration_at_or_below_epsilon(run, column, epsilon):
    values, t = run.history[column], run.history["iteration"]
    rows = [i for i in range(len(t)) if values[i] <= epsilon]
    assert run.iterations_to(epsilon, column) == (int(t[rows[0]]) if rows else None)


def test_iterations_to_reads_the_record_at_its_resolution(run):
    e, t = run.history["test_error"], run.history["iteration"]
    i = run.iterations_to(1e-3)
    row = list(t).index(i)
    assert e[row] <= 1e-3 < e[row - 1] and i % 3 == 0
    assert run.iterations_to(float(e[row])) == i  # the boundary itself counts


def test_minimum_is_the_smallest_value_and_its_first_iteration(run):
    for column in ("test_error", "residual", "loss"):
        values = run.history[column]
        value, iteration = run.minimum(column)
        assert value == np.nanmin(values) and iteration == int(run.history["iteration"][np.nanargmin(values)])


def test_the_library_answers_the_same_on_the_live_result(monkeypatch):
    """The C functions on the result handle, before it is copied out, give what the Python
    methods give on the copy."""
    answers = {}
    original = fs.Result._from_handle

    def spy(handle):
        for column, epsilon in [("test_error", 1e-2), ("residual", 1e-3), ("test_error", 1e-300)]:
            found = c_int64(-7)
            assert _lib.lib.fs_result_iterations_to(handle, column.encode(), epsilon, byref(found)) == 0
            answers[(column, epsilon)] = found.value
        value, iteration = c_double(), c_int64()
        assert _lib.lib.fs_result_history_minimum(handle, b"loss", byref(value), byref(iteration)) == 0
        answers["minimum"] = (value.value, iteration.value)
        found = c_int64(-7)
        assert _lib.lib.fs_result_iterations_to(handle, b"test_error", 0.0, byref(found)) != 0 and found.value == -7
        return original(handle)

    monkeypatch.setattr(fs.Result, "_from_handle", classmethod(lambda cls, handle: spy(handle)))
    p = fs.SensingProblem.gaussian(20, 15, 2, 300, seed=5)
    r = fs.gradient_descent(p, width=4, step=0.4, max_iter=200, seed=1)
    for key, found in answers.items():
        if key == "minimum":
            assert found == r.minimum("loss")
        else:
            expected = r.iterations_to(key[1], key[0])
            assert found == (-1 if expected is None else expected), key


@pytest.mark.parametrize("epsilon", [0, -1e-3, float("nan"), float("inf"), True, "0.1", None])
def test_epsilon_must_be_a_finite_positive_number(run, epsilon):
    with pytest.raises(fs.InvalidArgumentError, match="epsilon"):
        run.iterations_to(epsilon)


def test_columns_must_be_recorded_scalar_and_not_nan_throughout(run):
    with pytest.raises(fs.InvalidArgumentError, match="not recorded"):
        run.iterations_to(0.1, "curvature")
    with pytest.raises(fs.InvalidArgumentError, match="values a row"):
        run.minimum("singular_values")
    source = fs.SensingProblem.gaussian(11, 8, 2, 120, seed=12)
    untrue = fs.gradient_descent(fs.SensingProblem.from_dense(source.A, source.y, source.shape), width=3, max_iter=20)
    with pytest.raises(fs.InvalidArgumentError, match="residual"):
        untrue.iterations_to(0.1)
    assert untrue.iterations_to(10.0, "residual") == 0
