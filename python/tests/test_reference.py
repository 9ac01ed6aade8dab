"""gradient_descent against a plain numpy implementation of the same update (docs/mathematics.md)."""
import numpy as np
import pytest

import factorsense as fs
from conftest import relative


def numpy_gd(A, y, X_true, U, V, step, iterations):
    n1, n2 = U.shape[0], V.shape[0]
    history = {"loss": [], "test_error": [], "residual": []}
    for t in range(iterations + 1):
        rho = A @ (U @ V.T).ravel() - y
        history["loss"].append(0.5 * rho @ rho)
        history["test_error"].append(np.linalg.norm(U @ V.T - X_true) / np.linalg.norm(X_true))
        history["residual"].append(np.linalg.norm(rho) / np.linalg.norm(y))
        if t == iterations:
            break
        G = (A.T @ rho).reshape(n1, n2)
        U, V = U - step * G @ V, V - step * G.T @ U
    return U, V, {k: np.array(v) for k, v in history.items()}


@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(42)
    n1, n2, m, r = 8, 6, 60, 2
    A = rng.standard_normal((m, n1 * n2)) / np.sqrt(m)
    X = rng.standard_normal((n1, r)) @ rng.standard_normal((r, n2))
    X /= np.linalg.norm(X, 2)  # ‖X⋆‖ = 1: η = 0.5 is in the stable range, so the runs converge
    y = A @ X.ravel()
    U0 = 1e-2 * rng.standard_normal((n1, 4))
    V0 = 1e-2 * rng.standard_normal((n2, 4))
    return A, y, X, U0, V0


def test_matches_numpy_over_200_steps(small):
    A, y, X, U0, V0 = small
    q = fs.SensingProblem.from_dense(A, y, shape=(8, 6), truth=X)
    r = fs.gradient_descent(q, U0=U0, V0=V0, step=0.5, max_iter=200, record_every=1)
    U, V, history = numpy_gd(A, y, X, U0, V0, 0.5, 200)
    assert r.stop_reason == "max_iterations" and r.iterations == 200
    assert relative(r.U, U) <= 1e-10 and relative(r.V, V) <= 1e-10
    np.testing.assert_array_equal(r.history["iteration"], np.arange(201))
    assert np.max(np.abs(r.history["loss"] - history["loss"]) / history["loss"]) <= 1e-10
    np.testing.assert_allclose(r.history["test_error"], history["test_error"], rtol=1e-10)
    np.testing.assert_allclose(r.history["residual"], history["residual"], rtol=1e-10)
    np.testing.assert_allclose(r.history["time"], 0.5 * np.arange(201), rtol=0, atol=1e-12)
    # The run actually learned something: not a trivially flat comparison.
    assert history["test_error"][-1] < 0.5 * history["test_error"][0]


def test_record_every_keeps_multiples_and_the_last(small):
    A, y, X, U0, V0 = small
    q = fs.SensingProblem.from_dense(A, y, shape=(8, 6), truth=X)
    r = fs.gradient_descent(q, U0=U0, V0=V0, step=0.5, max_iter=200, record_every=7)
    expected = list(range(0, 200, 7)) + [200]
    np.testing.assert_array_equal(r.history["iteration"], expected)
    _, _, history = numpy_gd(A, y, X, U0, V0, 0.5, 200)
    np.testing.assert_allclose(r.history["loss"], history["loss"][expected], rtol=1e-10)


def test_operator_given_as_m_by_n1_by_n2(small):
    A, y, X, U0, V0 = small
    p = fs.SensingProblem.from_dense(A.reshape(60, 8, 6), y, shape=(8, 6))
    np.testing.assert_array_equal(p.A, A)
    assert p.truth is None and not p.has_truth
    r = fs.gradient_descent(p, U0=U0, V0=V0, step=0.5, max_iter=3)
    assert np.all(np.isnan(r.history["test_error"]))


def test_inputs_in_any_layout_or_dtype(small):
    A, y, X, U0, V0 = small
    a = fs.gradient_descent(fs.SensingProblem.from_dense(A, y, shape=(8, 6)), U0=U0, V0=V0, step=0.5, max_iter=20)
    b = fs.gradient_descent(fs.SensingProblem.from_dense(np.asfortranarray(A), list(y), shape=(8, 6)),
                            U0=np.asfortranarray(U0), V0=V0.tolist(), step=0.5,
                            max_iter=20)
    np.testing.assert_array_equal(a.U, b.U)
    c = fs.gradient_descent(fs.SensingProblem.from_dense(A, y, shape=(8, 6)), init=(U0, V0), step=0.5, max_iter=20)
    np.testing.assert_array_equal(a.U, c.U)


def test_float32_and_integer_inputs_are_converted(small):
    A, y, X, U0, V0 = small
    p = fs.SensingProblem.from_dense(A.astype(np.float32), y.astype(np.float32), shape=(8, 6))
    np.testing.assert_array_equal(p.A, A.astype(np.float32).astype(np.float64))
    q = fs.SensingProblem.from_dense(np.ones((3, 4), dtype=np.int32), [1, 2, 3], shape=(2, 2))
    assert q.A.dtype == np.float64 and q.y.tolist() == [1.0, 2.0, 3.0]
