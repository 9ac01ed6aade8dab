"""The smaller boundary cases of issue 8 (item 9): text with an embedded NUL, huge echoed
values, DIA matrices' stored zeros, uint64 indices beyond 2⁶³, finite factors whose loss
overflows, the residual at y = 0, the error of a wrong-length y, sparse input to from_dense."""
import ctypes

import numpy as np
import pytest
import scipy.sparse

import factorsense as fs
from factorsense._lib import lib


@pytest.fixture(scope="module")
def problem():
    return fs.SensingProblem.gaussian(6, 5, 2, 40, seed=0)


# ---------------------------------------------------------------- text with a NUL

@pytest.mark.parametrize("kwargs", [dict(init="spectral\0junk"), dict(init="\0"),
                                    dict(preconditioner="scaled\0"), dict(preconditioner="none\0none")])
def test_text_options_with_a_nul_are_refused(problem, kwargs):
    with pytest.raises(fs.InvalidArgumentError, match="NUL character at position"):
        fs.gradient_descent(problem, width=2, max_iter=2, **kwargs)


def test_an_operator_kind_with_a_nul_is_refused():
    with pytest.raises(fs.InvalidArgumentError, match="operator_kind contains a NUL"):
        fs.SensingProblem._generate("gaussian\0junk", 4, 4, 1, 10, dict(scale=None, condition_number=None, spectrum=None), False, 0.0, 0)


def test_option_names_with_a_nul_are_refused():
    options = fs.solvers._Options()
    for kind in ("integers", "reals", "texts"):
        arguments = dict(integers={}, reals={}, texts={})
        arguments[kind] = {"width\0x" if kind == "integers" else "step\0x" if kind == "reals" else "init\0x":
                           "random" if kind == "texts" else 2}
        with pytest.raises(fs.InvalidArgumentError, match="option name contains a NUL"):
            options.set_by_type(**arguments)


def test_c_sees_text_only_up_to_its_nul():
    """What the Python check protects against: the C call reads "spectral\\0junk" as "spectral"."""
    options = ctypes.c_void_p()
    assert lib.fs_options_create(ctypes.byref(options)) == 0
    try:
        assert lib.fs_options_set_text(options, b"init", b"spectral\0junk") == 0
        value = ctypes.c_char_p()
        assert lib.fs_options_get_text(options, b"init", ctypes.byref(value)) == 0
        assert value.value == b"spectral"
    finally:
        lib.fs_options_free(options)


# ---------------------------------------------------------------- huge echoed values

def test_huge_option_names_and_values_are_cut_in_messages(problem):
    huge = "x" * 10_000_000
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.gradient_descent(problem, width=2, max_iter=2, init=huge)
    message = str(caught.value)
    assert len(message) < 400 and "x" * 64 + "\"…" in message and "10000000 characters" in message
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.solvers._Options().set_by_type({}, {}, {huge: "random"})
    assert len(str(caught.value)) < 400
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.gradient_descent(problem, width=2, step=huge)
    assert len(str(caught.value)) < 200
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.SensingProblem.gaussian(6, 5, 2, 40, spectrum=huge)
    assert len(str(caught.value)) < 200


def test_c_cuts_a_huge_echoed_name():
    options = ctypes.c_void_p()
    assert lib.fs_options_create(ctypes.byref(options)) == 0
    try:
        huge = b"y" * 1_000_000
        assert lib.fs_options_set_int(options, huge, 1) == 3
        message = lib.fs_last_error(options).decode()
        assert len(message) < 400 and '"' + "y" * 64 + '"…' in message
    finally:
        lib.fs_options_free(options)


# ---------------------------------------------------------------- sparse formats

def diagonal_observations():
    """A 5 × 4 matrix observed on its main diagonal and the one below, some values zero."""
    n1, n2 = 5, 4
    rows, cols = [], []
    for offset in (0, -1):
        for j in range(n2):
            i = j - offset
            if 0 <= i < n1:
                rows.append(i), cols.append(j)
    rows, cols = np.array(rows), np.array(cols)
    values = np.arange(rows.size, dtype=float)
    values[[0, 3, 5]] = 0.0  # explicitly stored zero observations
    return scipy.sparse.coo_matrix((values, (rows, cols)), shape=(n1, n2)), rows, cols, values


@pytest.mark.parametrize("format", ["coo", "csr", "csc", "lil", "dok", "bsr", "dia"])
def test_every_sparse_format_gives_the_same_problem(format):
    coo, rows, cols, values = diagonal_observations()
    matrix = coo.asformat(format)
    p = fs.SensingProblem.from_entries(matrix)
    reference = fs.SensingProblem.from_entries(rows, cols, values, (5, 4))
    assert p.measurements == rows.size == 8
    got = sorted(zip(*p.entries[:2], p.y))
    expected = sorted(zip(*reference.entries[:2], reference.y))
    assert got == expected


def test_a_dia_matrix_keeps_its_stored_zeros_even_on_a_zero_diagonal():
    data = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 2.0]])
    matrix = scipy.sparse.dia_matrix((data, [0, 1]), shape=(3, 3))
    p = fs.SensingProblem.from_entries(matrix)
    rows, cols, _ = p.entries
    assert sorted(zip(rows.tolist(), cols.tolist())) == [(0, 0), (0, 1), (1, 1), (1, 2), (2, 2)]


# ---------------------------------------------------------------- indices beyond int64

def test_a_uint64_index_of_2_63_is_reported_as_it_is():
    rows = np.array([0, 2**63], dtype=np.uint64)
    with pytest.raises(fs.InvalidArgumentError, match=r"rows\[1\] = 9223372036854775808 is outside \[0, 3\)"):
        fs.SensingProblem.from_entries(rows, [0, 1], [1.0, 2.0], (3, 3))
    cols = np.array([1, 2**64 - 1], dtype=np.uint64)
    with pytest.raises(fs.InvalidArgumentError, match=r"columns\[1\] = 18446744073709551615"):
        fs.SensingProblem.from_entries([0, 1], cols, [1.0, 2.0], (3, 3))
    with pytest.raises(fs.InvalidArgumentError, match=r"rows\[0\] = -1 is outside"):
        fs.SensingProblem.from_entries([-1, 1], [0, 1], [1.0, 2.0], (3, 3))
    with pytest.raises(fs.InvalidArgumentError, match=r"rows\[1\] = 1e\+19 is outside"):
        fs.SensingProblem.from_entries(np.array([0.0, 1e19]), [0, 1], [1.0, 2.0], (3, 3))


# ---------------------------------------------------------------- overflowing loss

def test_finite_but_huge_factors_are_a_not_finite_error_and_leave_outputs_untouched(problem):
    U, V = np.full((6, 2), 1e200), np.full((5, 2), 1e200)
    with pytest.raises(fs.NotFiniteError, match="overflows at these factors"):
        problem.loss_and_grad(U, V)
    grad_U, grad_V, loss = np.full((6, 2), 7.0), np.full((5, 2), 7.0), ctypes.c_double(7.0)
    status = lib.fs_problem_loss_and_gradient(
        problem.handle, 2, U.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), U.size,
        V.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), V.size, ctypes.byref(loss),
        grad_U.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), grad_U.size,
        grad_V.ctypes.data_as(ctypes.POINTER(ctypes.c_double)), grad_V.size)
    assert status == 5  # FS_ERROR_NOT_FINITE
    assert loss.value == 7.0 and (grad_U == 7.0).all() and (grad_V == 7.0).all()
    # Large factors whose loss still fits are fine.
    loss_value, _ = problem.loss_and_grad(np.full((6, 2), 1e50), np.full((5, 2), 1e50))
    assert np.isfinite(loss_value)


# ---------------------------------------------------------------- residual at y = 0

def test_the_residual_is_nan_when_y_is_zero():
    p = fs.SensingProblem.from_entries([0, 1, 2], [0, 1, 2], [0.0, 0.0, 0.0], (3, 3))
    r = fs.gradient_descent(p, width=1, max_iter=3)
    assert np.isnan(r.history["residual"]).all()
    assert np.isfinite(r.history["loss"]).all()


# ---------------------------------------------------------------- from_dense

def test_a_wrong_length_y_is_a_y_error():
    A = np.ones((10, 6))
    with pytest.raises(fs.SizeMismatchError, match=r"^y must have shape \(10\), got \(9,\)"):
        fs.SensingProblem.from_dense(A, np.ones(9), (2, 3))
    with pytest.raises(fs.SizeMismatchError, match=r"^y must have shape"):
        fs.SensingProblem.from_dense(np.ones((10, 2, 3)), np.ones(11), (2, 3))


@pytest.mark.parametrize("format", ["csr", "coo", "csc"])
def test_a_sparse_operator_is_accepted_as_dense(format):
    rng = np.random.default_rng(1)
    A = rng.standard_normal((12, 6))
    A[A < 0.3] = 0.0
    y = rng.standard_normal(12)
    sparse = scipy.sparse.csr_matrix(A).asformat(format)
    p = fs.SensingProblem.from_dense(sparse, y, (2, 3))
    assert np.array_equal(p.A, A) and np.array_equal(p.y, y)


def test_balancing_on_a_psd_problem_is_refused():
    """X = UUᵀ is balanced by construction: balancing > 0 was silently ignored before 0.7."""
    p = fs.SensingProblem.symmetric_gaussian(8, 2, 80, seed=1)
    with pytest.raises(fs.InvalidArgumentError, match="balancing"):
        fs.gradient_descent(p, width=3, balancing=0.5, max_iter=5)
    fs.gradient_descent(p, width=3, balancing=0.0, max_iter=5)
    q = fs.SensingProblem.gaussian(8, 6, 2, 80, seed=1)
    fs.gradient_descent(q, width=3, balancing=0.5, max_iter=5)
