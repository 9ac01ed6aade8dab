"""float32 storage of dense operators (docs/performance.md): the stored entries are the float64
entries rounded to nearest, y of a generated problem is measured by the rounded operator, and
every product is computed in float64 from the stored floats — so a float32 problem computes
exactly what the float64 problem of the same (widened) entries computes. Each claim is checked
against numpy, and the float32 kernels against the float64 ones."""
import pickle

import numpy as np
import pytest

import factorsense as fs

# Sizes whose n1·n2 is not a multiple of 16 and whose m is not a multiple of 4, so that the
# kernels' tails (the last n mod 16 terms of a dot product, the rows after the groups of four)
# are exercised, next to the demo's sizes where both divide evenly.
SHAPES = [(7, 5, 2, 23), (40, 30, 3, 900), (9, 9, 2, 61)]


def pair(n1, n2, r, m, **kwargs):
    """The float64 problem and its float32 twin (same seed)."""
    return (fs.SensingProblem.gaussian(n1, n2, r, m, seed=3, **kwargs),
            fs.SensingProblem.gaussian(n1, n2, r, m, seed=3, dtype="float32", **kwargs))


@pytest.mark.parametrize("n1, n2, r, m", SHAPES)
def test_generated_operator_is_the_float64_draw_rounded_and_y_is_measured_by_it(n1, n2, r, m):
    double, single = pair(n1, n2, r, m, noise=0.01)
    assert single.dtype == np.float32 and double.dtype == np.float64
    assert single.A.dtype == np.float32
    assert np.array_equal(single.A, double.A.astype(np.float32))
    noise = double.y - double.A @ double.truth.ravel()   # the same ξ from the same seed
    expected = single.A.astype(np.float64) @ single.truth.ravel() + noise
    assert np.allclose(single.y, expected, rtol=0, atol=1e-12)
    assert np.array_equal(single.truth, double.truth)


@pytest.mark.parametrize("n1, n2, r, m", SHAPES)
def test_apply_adjoint_and_gradient_match_numpy_on_the_widened_entries(n1, n2, r, m):
    _, single = pair(n1, n2, r, m)
    A = single.A.astype(np.float64)
    rng = np.random.default_rng(5)
    X = rng.standard_normal((n1, n2))
    rho = rng.standard_normal(m)
    U, V = rng.standard_normal((n1, 4)), rng.standard_normal((n2, 4))
    assert np.allclose(single.apply(X), A @ X.ravel(), rtol=1e-13, atol=1e-13)
    assert np.allclose(single.adjoint(rho), (A.T @ rho).reshape(n1, n2), rtol=1e-13, atol=1e-13)
    residual = A @ (U @ V.T).ravel() - single.y
    G = (A.T @ residual).reshape(n1, n2)
    loss, (gU, gV) = single.loss_and_grad(U, V)
    assert loss == pytest.approx(0.5 * residual @ residual, rel=1e-13)
    assert np.allclose(gU, G @ V, rtol=1e-12, atol=1e-12)
    assert np.allclose(gV, G.T @ U, rtol=1e-12, atol=1e-12)


def test_a_float32_problem_runs_bit_for_bit_as_the_float64_problem_of_its_entries():
    _, single = pair(40, 30, 3, 900, noise=1e-3)
    widened = fs.SensingProblem.from_dense(single.A.astype(np.float64), single.y, single.shape, truth=single.truth)
    assert widened.dtype == np.float64
    settings = dict(width=5, step=0.2, max_iter=300, seed=1, init_scale=1e-3)
    a, b = fs.gradient_descent(single, **settings), fs.gradient_descent(widened, **settings)
    assert np.array_equal(a.U, b.U) and np.array_equal(a.V, b.V)
    assert np.array_equal(a.history["loss"], b.history["loss"])


def test_float32_recovers_within_ten_percent_of_float64():
    double, single = pair(40, 30, 3, 900, noise=1e-3)
    settings = dict(width=5, step=0.2, max_iter=2000, seed=0, init_scale=1e-3)
    e64 = fs.gradient_descent(double, **settings).history["test_error"][-1]
    e32 = fs.gradient_descent(single, **settings).history["test_error"][-1]
    assert e64 < 0.05 and abs(e32 - e64) <= 0.1 * e64


def test_from_dense_keeps_float32_rounds_on_request_and_refuses_other_dtypes():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((30, 12))
    y = A @ rng.standard_normal(12)
    assert fs.SensingProblem.from_dense(A.astype(np.float32), y, (3, 4)).dtype == np.float32
    rounded = fs.SensingProblem.from_dense(A, y, (3, 4), dtype="float32")
    assert rounded.dtype == np.float32 and np.array_equal(rounded.A, A.astype(np.float32))
    assert fs.SensingProblem.from_dense(A.astype(np.float32), y, (3, 4), dtype=np.float64).dtype == np.float64
    for bad in ("float16", np.int32, 1, True, "double-ish"):
        with pytest.raises(fs.InvalidArgumentError, match="dtype"):
            fs.SensingProblem.from_dense(A, y, (3, 4), dtype=bad)
        with pytest.raises(fs.InvalidArgumentError, match="dtype"):
            fs.SensingProblem.gaussian(3, 4, 1, 30, dtype=bad)


def test_non_finite_or_overflowing_float32_entries_are_refused_and_name_the_entry():
    A = np.ones((5, 6), dtype=np.float32)
    A[2, 3] = np.nan
    with pytest.raises(fs.NotFiniteError, match="row 2, column 3"):
        fs.SensingProblem.from_dense(A, np.zeros(5), (2, 3))
    big = np.ones((5, 6))
    big[1, 0] = 1e39                      # finite in float64, infinite in float32
    with np.errstate(over="ignore"), pytest.raises(fs.NotFiniteError, match="row 1"):
        fs.SensingProblem.from_dense(big, np.zeros(5), (2, 3), dtype="float32")


@pytest.mark.parametrize("make", [
    lambda: fs.SensingProblem.gaussian(6, 5, 2, 40, seed=2, dtype="float32"),
    lambda: fs.SensingProblem.from_dense(np.arange(60, dtype=np.float32).reshape(10, 6) / 7, np.ones(10), (2, 3)),
])
def test_pickles_and_copies_keep_the_dtype_and_the_bits(make):
    p = make()
    q = pickle.loads(pickle.dumps(p))
    assert q.dtype == np.float32 and np.array_equal(q.A, p.A) and np.array_equal(q.y, p.y)


def test_every_trial_of_a_float32_batch_is_its_own_run():
    _, single = pair(20, 15, 2, 400)
    seeds = [0, 1, 2]
    batch = fs.gradient_descent_batch(single, width=4, step=0.2, max_iter=50, seed=seeds)
    for seed, result in zip(seeds, batch):
        alone = fs.gradient_descent(single, width=4, step=0.2, max_iter=50, seed=seed)
        assert np.array_equal(result.U, alone.U) and np.array_equal(result.V, alone.V)



def test_a_big_endian_float32_operator_is_stored_as_float32():
    """Issue 22: dtype '>f4' compared unequal to np.float32 and was stored as float64."""
    rng = np.random.default_rng(5)
    native = rng.standard_normal((40, 12)).astype(np.float32)
    big = native.astype(">f4")
    y = native.astype(float) @ rng.standard_normal(12)
    p = fs.SensingProblem.from_dense(big, y, (4, 3))
    assert p.dtype == np.float32 and np.array_equal(p.A, native)
