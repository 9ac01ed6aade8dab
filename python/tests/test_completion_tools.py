"""Issue 15: ridge on the factors and masked dense input, against numpy oracles."""
import numpy as np
import pytest

import factorsense as fs


def _completion(seed=0, n1=30, n2=24, rank=3, fraction=0.4, psd=False):
    n2 = n1 if psd else n2
    m = int(fraction * n1 * n2)
    return fs.SensingProblem.completion(n1, n2, rank, m, psd=psd, seed=seed)


def _numpy_ridge_objective(problem, U, V, mu):
    """docs/completion.md, "Ridge": ½‖ρ‖² + (μ/2)(‖U‖² + ‖V‖²), PSD ¼‖ρ‖² + (μ/2)‖U‖²."""
    rows, cols, scale = problem.entries
    y = problem.y
    n1, n2 = problem.shape
    if problem.psd:
        X = U @ U.T
        rho = scale * X[rows, cols] - y
        G = np.zeros((n1, n2))
        np.add.at(G, (rows, cols), scale * rho)
        return 0.25 * rho @ rho + mu / 2 * np.sum(U * U), 0.5 * (G + G.T) @ U + mu * U, None
    X = U @ V.T
    rho = scale * X[rows, cols] - y
    G = np.zeros((n1, n2))
    np.add.at(G, (rows, cols), scale * rho)
    f = 0.5 * rho @ rho + mu / 2 * (np.sum(U * U) + np.sum(V * V))
    return f, G @ V + mu * U, G.T @ U + mu * V


@pytest.mark.parametrize("psd", [False, True])
def test_ridge_one_step_matches_numpy(psd):
    p = _completion(psd=psd)
    n1, n2 = p.shape
    rng = np.random.default_rng(3)
    k, mu, eta = 4, 0.37, 0.05
    U0 = rng.standard_normal((n1, k))
    V0 = None if psd else rng.standard_normal((n2, k))
    init = (U0,) if psd else (U0, V0)
    r = fs.gradient_descent(p, init=init, step=eta, max_iter=1, ridge=mu, diagnostics="none")
    f0, gU, gV = _numpy_ridge_objective(p, U0, V0, mu)
    assert r.history["loss"][0] == pytest.approx(f0, rel=1e-12)
    np.testing.assert_allclose(r.U, U0 - eta * gU, rtol=0, atol=1e-12)
    if not psd:
        np.testing.assert_allclose(r.V, V0 - eta * gV, rtol=0, atol=1e-12)
    f1 = _numpy_ridge_objective(p, r.U, r.V if not psd else None, mu)[0]
    assert r.history["loss"][1] == pytest.approx(f1, rel=1e-12)


def test_ridge_gradient_is_the_derivative_of_the_objective():
    """Central finite differences of the run's recorded objective along a random direction."""
    p = _completion(seed=2)
    n1, n2 = p.shape
    rng = np.random.default_rng(4)
    k, mu, h = 3, 0.8, 1e-6
    U, V = rng.standard_normal((n1, k)), rng.standard_normal((n2, k))
    dU, dV = rng.standard_normal((n1, k)), rng.standard_normal((n2, k))

    def objective(U, V):
        return fs.gradient_descent(p, init=(U, V), max_iter=0, ridge=mu, diagnostics="none").history["loss"][0]

    slope = (objective(U + h * dU, V + h * dV) - objective(U - h * dU, V - h * dV)) / (2 * h)
    # The gradient the run steps along, read off one step of size η: (U − U₁)/η.
    eta = 1e-3
    r = fs.gradient_descent(p, init=(U, V), step=eta, max_iter=1, ridge=mu, diagnostics="none")
    gU, gV = (U - r.U) / eta, (V - r.V) / eta
    assert slope == pytest.approx(np.sum(gU * dU) + np.sum(gV * dV), rel=1e-6)


def test_ridge_domain():
    p = _completion()
    for bad, error in [(-1e-3, fs.InvalidArgumentError), (np.nan, fs.NotFiniteError), (np.inf, fs.NotFiniteError)]:
        with pytest.raises(error, match="ridge"):
            fs.gradient_descent(p, 3, ridge=bad, max_iter=1)


def test_ridge_shrinks_the_factors():
    p = _completion()
    plain = fs.gradient_descent(p, 6, step=0.2, max_iter=300, seed=1, diagnostics="none")
    ridged = fs.gradient_descent(p, 6, step=0.2, max_iter=300, seed=1, ridge=0.5, diagnostics="none")
    assert np.linalg.norm(ridged.X) < np.linalg.norm(plain.X)


# ------------------------------------------------------------------ masked dense input

def _masked_matrix(seed=0, n1=12, n2=9, fraction=0.4):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n1, n2))
    missing = rng.random((n1, n2)) >= fraction
    return M, missing


@pytest.mark.parametrize("psd", [False, True])
def test_from_dense_masked_nan_equals_the_triples(psd):
    M, missing = _masked_matrix(n2=12 if psd else 9)
    with_nan = np.where(missing, np.nan, M)
    p = fs.SensingProblem.from_dense_masked(with_nan, psd=psd)
    rows, cols = np.nonzero(~missing)
    q = fs.SensingProblem.from_entries(rows, cols, M[rows, cols], M.shape, psd=psd)
    for a, b in zip(p.entries, q.entries):
        np.testing.assert_array_equal(a, b)
    assert p.y.tobytes() == q.y.tobytes()
    assert p.psd == q.psd == psd
    rp = fs.gradient_descent(p, 3, step=0.1, max_iter=20, diagnostics="none")
    rq = fs.gradient_descent(q, 3, step=0.1, max_iter=20, diagnostics="none")
    assert rp.U.tobytes() == rq.U.tobytes()


def test_from_dense_masked_masked_array():
    M, missing = _masked_matrix(seed=1)
    M2 = M.copy()
    M2[0, 0] = np.nan          # NaN under no mask is missing too
    missing2 = missing.copy()
    missing2[0, 0] = True
    p = fs.SensingProblem.from_dense_masked(np.ma.masked_array(M2, mask=missing))
    rows, cols = np.nonzero(~missing2)
    q = fs.SensingProblem.from_entries(rows, cols, M[rows, cols], M.shape)
    np.testing.assert_array_equal(p.entries[0], q.entries[0])
    np.testing.assert_array_equal(p.entries[1], q.entries[1])
    assert p.y.tobytes() == q.y.tobytes()
    assert p.entries[2] == 1.0


def test_from_dense_masked_truth():
    M, missing = _masked_matrix(seed=2)
    p = fs.SensingProblem.from_dense_masked(np.where(missing, np.nan, M), truth=M)
    np.testing.assert_array_equal(p.truth, M)


def test_from_dense_masked_refusals():
    with pytest.raises(fs.InvalidArgumentError, match="no observed entry"):
        fs.SensingProblem.from_dense_masked(np.full((3, 4), np.nan))
    with pytest.raises(fs.InvalidArgumentError, match="no observed entry"):
        fs.SensingProblem.from_dense_masked(np.ma.masked_all((3, 4)))
    M = np.ones((3, 4))
    M[1, 2] = np.inf
    with pytest.raises(fs.NotFiniteError, match=r"\(1, 2\)"):
        fs.SensingProblem.from_dense_masked(M)
    with pytest.raises(fs.SizeMismatchError):
        fs.SensingProblem.from_dense_masked(np.ones(5))
