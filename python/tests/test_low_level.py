"""Raw C calls the Python classes do not make, checked against what the header promises."""
import ctypes

import numpy as np
import pytest

import factorsense as fs
from factorsense._handle import new_handle
from factorsense._lib import as_doubles, lib


@pytest.fixture
def options():
    handle = new_handle(lib.fs_options_create)
    yield handle
    lib.fs_options_free(handle)


def copy(problem, call, length):
    out = np.empty(length)
    assert call(problem, as_doubles(out), length) == 0, lib.fs_last_error(problem)
    return out


def test_generate_gaussian_draws_the_same_bits_as_the_gaussian_family():
    """fs_problem_generate_gaussian(…, seed) and fs_problem_generate("gaussian", spec) are one generator."""
    n1, n2, r, m = 7, 5, 2, 40
    raw = new_handle(lib.fs_problem_create)
    try:
        assert lib.fs_problem_generate_gaussian(raw, n1, n2, r, m, 2.0, 10.0, 0.05, 2**64 - 3) == 0
        family = fs.SensingProblem.gaussian(n1, n2, r, m, scale=2.0, condition_number=10.0, noise=0.05,
                                            seed=2**64 - 3)
        np.testing.assert_array_equal(copy(raw, lib.fs_problem_copy_operator, m * n1 * n2), family.A.ravel())
        np.testing.assert_array_equal(copy(raw, lib.fs_problem_copy_measurements, m), family.y)
        np.testing.assert_array_equal(copy(raw, lib.fs_problem_copy_truth, n1 * n2), family.truth.ravel())
        assert lib.fs_problem_generate_gaussian(raw, n1, n2, 6, m, 1.0, 1.0, 0.0, 0) == 3
        assert b"rank" in lib.fs_last_error(raw)
    finally:
        lib.fs_problem_free(raw)


def test_options_read_back_what_was_set(options):
    value, text = ctypes.c_int64(), ctypes.c_char_p()
    assert lib.fs_options_get_int(options, b"max_iter", ctypes.byref(value)) == 0 and value.value == 1000
    assert lib.fs_options_set_int(options, b"seed", -1) == 0  # read as unsigned: 2**64 − 1
    assert lib.fs_options_get_int(options, b"seed", ctypes.byref(value)) == 0 and value.value == -1
    assert lib.fs_options_get_text(options, b"init", ctypes.byref(text)) == 0 and text.value == b"random"
    assert lib.fs_options_set_text(options, b"init", b"spectral") == 0
    assert lib.fs_options_get_text(options, b"init", ctypes.byref(text)) == 0 and text.value == b"spectral"
    assert lib.fs_options_get_int(options, b"nope", ctypes.byref(value)) == 3
    assert b"nope" in lib.fs_last_error(options)


def test_cleared_initial_factors_give_back_the_random_initialization(options):
    """After fs_options_clear_initial_factors the run starts from the seeded random U₀, V₀ again."""
    p = fs.SensingProblem.gaussian(6, 5, 1, 30, seed=0)
    random = fs.gradient_descent(p, width=2, max_iter=0, seed=0, init_scale=1e-3)
    U0, V0 = np.ones((6, 2)), np.ones((5, 2))
    assert lib.fs_options_set_int(options, b"max_iter", 0) == 0
    assert lib.fs_options_set_initial_factors(options, 6, 5, 2, as_doubles(U0), U0.size, as_doubles(V0), V0.size) == 0
    result = new_handle(lib.fs_result_create)
    try:
        assert lib.fs_gradient_descent(p.handle, options, result) == 0
        assert fs.Result._from_handle(result).U.tolist() == U0.tolist()
        assert lib.fs_options_clear_initial_factors(options) == 0
        assert lib.fs_gradient_descent(p.handle, options, result) == 3  # no width without factors
        assert b"width" in lib.fs_last_error(result)
        assert lib.fs_options_set_int(options, b"width", 2) == 0
        assert lib.fs_gradient_descent(p.handle, options, result) == 0
        np.testing.assert_array_equal(fs.Result._from_handle(result).U, random.U)
    finally:
        lib.fs_result_free(result)
