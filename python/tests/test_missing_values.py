"""One missing-value convention (issue 23): in Python an event a run did not show — a phase end,
a learning time — is None, an event it showed is an int (iteration) or a float (time); the C
library says the same with −1 (iterations) and NaN (doubles); a sweep frame, a pandas table,
keeps NaN (pandas' missing value) in its numeric columns and in its ``learning_times`` lists."""
import pickle

import numpy as np
import pytest

import factorsense as fs


@pytest.fixture(scope="module")
def problem():
    return fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)


@pytest.fixture(scope="module")
def halfway(problem):
    """σ_1 is learned at iteration 59, σ_2 at 66: stopped at 62, the second is never reached and
    the run has not recovered (no phase named)."""
    return fs.gradient_descent(problem, width=20, init_scale=1e-6, step=0.25, max_iter=62, seed=1)


def test_a_learning_time_never_reached_is_none(halfway):
    assert halfway.learning_iterations == [59, None]
    assert type(halfway.learning_iterations[0]) is int
    assert halfway.learning_at_time == [pytest.approx(0.25 * 59, rel=1e-15), None]
    assert type(halfway.learning_at_time[0]) is float


def test_phases_not_shown_are_none_like_the_learning_times(halfway):
    ph = halfway.phases
    assert not ph.recovered
    for name in ("alignment_end", "signal_end", "saddle_end", "plateau_start", "plateau_level", "alignment_end_time",
                 "signal_end_time", "saddle_end_time", "plateau_start_time"):
        assert getattr(ph, name) is None, name


def test_every_learning_time_found_is_a_number(problem):
    r = fs.gradient_descent(problem, width=20, init_scale=1e-6, step=0.25, max_iter=100, seed=1)
    assert r.learning_iterations == [59, 66]
    assert r.learning_at_time == [0.25 * 59, 0.25 * 66]
    assert r.phases.saddle_end == 66 and type(r.phases.saddle_end) is int


def test_the_flow_reports_none_too(problem):
    flow = fs.gradient_flow(problem, width=20, init_scale=1e-6, times=np.linspace(0, 14, 57), seed=1)
    assert flow.learning_iterations[1] is None and flow.learning_at_time[1] is None
    assert type(flow.learning_iterations[0]) is int and type(flow.learning_at_time[0]) is float


def test_numpy_turns_none_into_nan(halfway):
    """What a user who wants arrays does: float arrays with NaN for the missing ones."""
    values = np.asarray(halfway.learning_iterations, dtype=float)
    assert values[0] == 59 and np.isnan(values[1])


def test_the_deprecated_names_say_the_same(halfway):
    with pytest.warns(DeprecationWarning):
        assert halfway.learning_times == [59, None]
    with pytest.warns(DeprecationWarning):
        assert halfway.learning_clock == halfway.learning_at_time


def test_a_result_pickled_with_nan_arrays_loads_with_none(halfway):
    """Results pickled by 0.5 held float arrays with NaN; they load in this convention."""
    state = dict(vars(halfway))
    state["learning_iterations"] = np.array([59.0, np.nan])
    state["learning_at_time"] = np.array([14.75, np.nan])
    back = fs.Result.__new__(fs.Result)
    back.__setstate__(state)
    assert back.learning_iterations == [59, None] and back.learning_at_time == [14.75, None]
    assert pickle.loads(pickle.dumps(halfway)).learning_iterations == [59, None]


def test_a_sweep_frame_keeps_pandas_nan(problem):
    pd = pytest.importorskip("pandas")
    df = fs.sweep(problem=dict(kind="symmetric_gaussian", n=20, rank=2, measurements=2000, seed=0),
                  grid=dict(max_iter=[62, 100]), width=20, init_scale=1e-6, step=0.25, seed=1)
    short, long = df.iloc[0], df.iloc[1]
    assert short.learning_times[0] == 59 and np.isnan(short.learning_times[1])
    assert list(long.learning_times) == [59, 66]
    for name in ("alignment_end", "signal_end", "saddle_end", "plateau_start", "plateau_level"):
        assert pd.api.types.is_float_dtype(df[name]) and np.isnan(short[name]), name
    assert long.saddle_end == 66


def test_a_whole_number_column_with_a_nan_row_keeps_the_nan():
    """Issue 22: numerical_rank recorded −2⁶³ where σ was NaN (the int64 cast of NaN)."""
    from factorsense.result import whole_numbers

    clean = whole_numbers(np.array([3.0, 2.0, 2.0]))
    assert clean.dtype == np.int64 and list(clean) == [3, 2, 2]
    holed = whole_numbers(np.array([3.0, np.nan, 2.0]))
    assert holed.dtype == np.float64 and np.isnan(holed[1]) and list(holed[[0, 2]]) == [3.0, 2.0]
