"""Bad input gives a clear exception of the right kind, never a dead process."""
import ctypes
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import factorsense as fs
from factorsense._lib import lib


@pytest.fixture(scope="module")
def dense():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((20, 12))
    return A, A @ rng.standard_normal(12)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(A=np.zeros((20, 11))), fs.SizeMismatchError, "A must have shape"),
    (dict(y=np.zeros(19)), fs.SizeMismatchError, r"y must have shape \(20\), got \(19,\)"),
    (dict(shape=(3, 5)), fs.SizeMismatchError, "A must have shape"),
    (dict(truth=np.zeros((4, 4))), fs.SizeMismatchError, "truth must have shape"),
    (dict(y=np.r_[np.nan, np.zeros(19)]), fs.NotFiniteError, "non-finite"),
    (dict(A=np.full((20, 12), np.inf)), fs.NotFiniteError, "non-finite"),
    (dict(shape=(3,)), fs.InvalidArgumentError, "pair"),
    (dict(A="text"), fs.InvalidArgumentError, "real numbers"),
])
def test_from_dense_refuses(dense, kwargs, error, words):
    A, y = dense
    arguments = dict(A=A, y=y, shape=(3, 4), truth=None) | kwargs
    with pytest.raises(error, match=words) as caught:
        fs.SensingProblem.from_dense(**arguments)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize("kwargs, error, words", [
    (dict(step=-1.0), fs.InvalidArgumentError, "step must be > 0"),
    (dict(step=0.0), fs.InvalidArgumentError, "step must be > 0"),
    (dict(step=float("nan")), fs.NotFiniteError, "step must be finite"),
    (dict(width=0), fs.InvalidArgumentError, "width must be ≥ 1"),
    (dict(width=None), fs.InvalidArgumentError, "width is not set"),
    (dict(max_iter=-1), fs.InvalidArgumentError, "max_iter must be ≥ 0"),
    (dict(record_every=0), fs.InvalidArgumentError, "record_every must be ≥ 1"),
    (dict(init="magic"), fs.InvalidArgumentError, "init must be one of"),
    (dict(preconditioner="nope"), fs.InvalidArgumentError, "preconditioner must be one of"),
    (dict(width=2.5), fs.InvalidArgumentError, "whole number"),
    (dict(seed=-1), fs.InvalidArgumentError, "seed"),
    (dict(seed=1.7), fs.InvalidArgumentError, "seed must be a whole number"),
    (dict(seed=True), fs.InvalidArgumentError, "seed must be a whole number"),
    (dict(seed=2**64), fs.InvalidArgumentError, r"seed must be in \[0, 2\*\*64\)"),
    (dict(step="0.5"), fs.InvalidArgumentError, "step must be a real number"),
    (dict(max_iter=2**70), fs.InvalidArgumentError, "max_iter = 1180591620717411303424 does not fit a 64-bit"),
    (dict(divergence_factor=1.0), fs.InvalidArgumentError, "divergence_factor must be > 1"),
])
def test_gradient_descent_refuses(demo_problem, kwargs, error, words):
    arguments = dict(width=3, max_iter=5) | kwargs
    with pytest.raises(error, match=words):
        fs.gradient_descent(demo_problem, **arguments)


def test_initial_factor_errors(demo_problem):
    U0, V0 = np.zeros((40, 3)), np.zeros((30, 3))
    with pytest.raises(fs.SizeMismatchError, match="U0 must have shape"):
        fs.gradient_descent(demo_problem, U0=np.zeros((39, 3)), V0=V0)
    with pytest.raises(fs.SizeMismatchError, match="V0 must have shape"):
        fs.gradient_descent(demo_problem, U0=U0, V0=np.zeros((30, 4)))
    with pytest.raises(fs.InvalidArgumentError, match="needs V0"):
        fs.gradient_descent(demo_problem, U0=U0)
    with pytest.raises(fs.InvalidArgumentError, match="without U0"):
        fs.gradient_descent(demo_problem, V0=V0)
    with pytest.raises(fs.SizeMismatchError, match="width is 4"):
        fs.gradient_descent(demo_problem, 4, U0=U0, V0=V0)
    with pytest.raises(fs.NotFiniteError):
        fs.gradient_descent(demo_problem, U0=np.full((40, 3), np.nan), V0=V0)


@pytest.mark.parametrize("kwargs, error", [
    (dict(rank=0), fs.InvalidArgumentError),
    (dict(rank=9), fs.InvalidArgumentError),
    (dict(measurements=0), fs.InvalidArgumentError),
    (dict(condition_number=0.5), fs.InvalidArgumentError),
    (dict(noise=-1.0), fs.InvalidArgumentError),
    (dict(scale=float("inf")), fs.NotFiniteError),
    (dict(n1=2**31, n2=2**31, measurements=2**31), (fs.SizeOverflowError, fs.OutOfMemoryError)),
    (dict(n1=2**62, n2=2**62, measurements=2**62), (fs.SizeOverflowError, fs.OutOfMemoryError)),
    (dict(measurements=10**9), fs.OutOfMemoryError),
    (dict(spectrum="cubic"), fs.InvalidArgumentError),
    (dict(seed=1.7), fs.InvalidArgumentError),  # never truncated to seed 1
    (dict(seed="3"), fs.InvalidArgumentError),
    (dict(seed=-1), fs.InvalidArgumentError),
    (dict(rank=2.5), fs.InvalidArgumentError),
    (dict(scale="2"), fs.InvalidArgumentError),
])
def test_generators_refuse(kwargs, error):
    arguments = dict(n1=10, n2=8, rank=2, measurements=50) | kwargs
    with pytest.raises(error) as caught:
        fs.SensingProblem.gaussian(**arguments)
    assert str(caught.value)


def test_handles_low_level():
    """NULL, freed and wrong-kind handles through the raw C calls."""
    n1 = ctypes.c_int64()
    assert lib.fs_problem_get_shape(None, ctypes.byref(n1), None, None) == 2
    assert b"not a live" in lib.fs_last_error(None)
    problem = ctypes.c_void_p()
    assert lib.fs_problem_create(ctypes.byref(problem)) == 0
    lib.fs_problem_free(problem)
    assert lib.fs_problem_get_shape(problem, ctypes.byref(n1), None, None) == 2
    assert lib.fs_last_error(problem)
    lib.fs_problem_free(problem)  # a second free is harmless
    lib.fs_problem_free(None)
    options = ctypes.c_void_p()
    assert lib.fs_options_create(ctypes.byref(options)) == 0
    assert lib.fs_problem_get_shape(options, ctypes.byref(n1), None, None) == 2
    assert lib.fs_options_set_int(options, b"nope", 1) == 3
    assert b"unknown option" in lib.fs_last_error(options)
    value = ctypes.c_double()
    assert lib.fs_options_get_real(options, b"step", ctypes.byref(value)) == 0 and value.value == 0.1
    result = ctypes.c_void_p()
    assert lib.fs_result_create(ctypes.byref(result)) == 0
    reason = ctypes.c_int(-1)
    assert lib.fs_result_get_stop_reason(result, ctypes.byref(reason)) == 0 and reason.value == 0
    assert lib.fs_result_copy_factors(result, None, 0, None, 0) == 8
    for handle, free in ((options, lib.fs_options_free), (result, lib.fs_result_free)):
        free(handle)


def test_problems_are_context_managers():
    with fs.SensingProblem.gaussian(n1=5, n2=4, rank=1, measurements=10) as p:
        assert p.shape == (5, 4)
    with pytest.raises(fs.InvalidHandleError):
        p.shape


def test_complex_input_is_refused_not_truncated():
    with pytest.raises(fs.InvalidArgumentError, match="complex"):
        fs.SensingProblem.from_dense(np.ones((3, 4), dtype=complex), np.ones(3), shape=(2, 2))


def test_a_wrong_library_path_fails_the_import_instead_of_loading_another_copy(tmp_path):
    missing = tmp_path / "nowhere.so"
    env = dict(os.environ, FACTORSENSE_LIBRARY=str(missing), PYTHONPATH=str(Path(fs.__file__).parent.parent))
    out = subprocess.run([sys.executable, "-c", "import factorsense"], env=env, capture_output=True, text=True)
    assert out.returncode != 0
    assert "ImportError" in out.stderr and str(missing) in out.stderr
