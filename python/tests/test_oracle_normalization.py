"""Issue 22, items 1 and 2: every built-in operator is normalized, E‖𝒜X‖² = ‖X‖²_F (on symmetric X
for the symmetric ones), and every symmetric operator takes only a symmetric target.

- A Monte-Carlo oracle: ‖𝒜X‖² over many independent operators (one per seed), its mean against
  ‖X‖²_F to within 5 standard errors of the sample — for the Gaussian, symmetric Gaussian, entry
  sampling, rank-one and symmetric (PSD) rank-one operators. The PSD rank-one operator with
  b_i = a_i has mean 2‖X‖²_F + (tr X)², 3.8 × ‖X‖²_F on the X below.
- The spectral start of a PSD rank-one problem against numpy's eigendecomposition of
  M = 𝒜*(y), which is now symmetric and close to X⋆ (not 2X⋆ + tr(X⋆)·I).
- The symmetric rank-one operator measures a_iᵀ sym(X) b_i/√m with b_i drawn after a_i from the
  operator stream (docs/mathematics.md).
- Symmetric targets: symmetric_gaussian(psd=False) draws X⋆ = L diag(s₁, −s₂, s₃, …) Lᵀ; a
  non-symmetric target of yours (matrix or factors) is refused with a message that says why.
"""
import math

import numpy as np
import pytest

import factorsense as fs
from reference_random import GaussianSampler

SEEDS = range(300)


def symmetric_x(n):
    """A fixed symmetric X with a large trace (tr X = 1.5, ‖X‖²_F = 1.25)."""
    Q = np.linalg.qr(np.random.default_rng(3).standard_normal((n, 2)))[0]
    return Q @ np.diag([1.0, 0.5]) @ Q.T


def asymmetric_x(n1, n2):
    return np.random.default_rng(4).standard_normal((n1, n2)) / math.sqrt(n1 * n2)


GENERATORS = {
    "gaussian": lambda n1, n2, m, seed, psd: fs.SensingProblem.gaussian(n1, n2, 1, m, psd=psd, seed=seed),
    "symmetric_gaussian": lambda n1, n2, m, seed, psd: fs.SensingProblem.symmetric_gaussian(n1, 1, m, psd=psd,
                                                                                            seed=seed),
    "completion": lambda n1, n2, m, seed, psd: fs.SensingProblem.completion(n1, n2, 1, m, psd=psd, seed=seed),
    "rank_one": lambda n1, n2, m, seed, psd: fs.SensingProblem.rank_one(n1, n2, 1, m, psd=psd, seed=seed),
}


@pytest.mark.parametrize("kind, psd", [("gaussian", False), ("gaussian", True), ("symmetric_gaussian", True),
                                       ("symmetric_gaussian", False), ("completion", False),
                                       ("rank_one", False), ("rank_one", True)])
def test_every_builtin_operator_is_normalized_in_expectation(kind, psd):
    symmetric = psd or kind == "symmetric_gaussian"
    n1, n2, m = (5, 5, 12) if symmetric else (5, 4, 12)
    X = symmetric_x(n1) if symmetric else asymmetric_x(n1, n2)
    expected = np.sum(X * X)
    values = np.array([np.sum(GENERATORS[kind](n1, n2, m, seed, psd).apply(X) ** 2) for seed in SEEDS])
    mean, error = values.mean(), values.std(ddof=1) / math.sqrt(values.size)
    assert abs(mean - expected) <= 5 * error + 1e-12, (kind, psd, mean, expected, error)
    assert abs(mean - expected) <= 0.15 * expected, (kind, psd, mean, expected)


def test_identity_operator_is_an_isometry():
    X = asymmetric_x(5, 4)
    p = fs.SensingProblem.factorization(5, 4, 1, seed=0)
    assert np.sum(p.apply(X) ** 2) == pytest.approx(np.sum(X * X), rel=1e-14)


def test_symmetric_rank_one_measures_the_symmetric_part_with_independent_b():
    m, n, seed = 30, 5, 6
    p = fs.SensingProblem.rank_one(n, n, 1, m, psd=True, seed=seed)
    a, b, c = p.rank_one_vectors
    sampler = GaussianSampler(seed, "operator")
    np.testing.assert_array_equal(a, sampler.matrix(m, n))
    np.testing.assert_array_equal(b, sampler.matrix(m, n))  # b_i drawn after every a_i, same stream
    assert c == 1 / math.sqrt(m)
    X = np.random.default_rng(0).standard_normal((n, n))
    S = (X + X.T) / 2
    np.testing.assert_allclose(p.apply(X), c * np.einsum("ip,pq,iq->i", a, S, b), rtol=0, atol=1e-12)
    np.testing.assert_allclose(p.apply(X), p.apply(X.T), rtol=0, atol=1e-12)
    rho = np.random.default_rng(1).standard_normal(m)
    G = c * (a.T @ (rho[:, None] * b) + b.T @ (rho[:, None] * a)) / 2
    np.testing.assert_allclose(p.adjoint(rho), G, rtol=0, atol=1e-12)


@pytest.mark.parametrize("method", ["dense", "iterative"])
def test_psd_rank_one_spectral_start_is_that_of_the_adjoint(method):
    n, r, m, k = 8, 2, 4000, 3
    p = fs.SensingProblem.rank_one(n, n, r, m, scale=1.0, condition_number=2.0, psd=True, seed=5)
    M = p.adjoint(p.y)
    np.testing.assert_allclose(M, M.T, rtol=0, atol=1e-14 * np.abs(M).max())
    truth = p.truth
    # 𝒜*(y) → X⋆ (not 2X⋆ + tr(X⋆)·I): the top eigenvalues near s = (1, 0.5), the rest near 0
    assert np.linalg.norm(M - truth) <= 0.25 * np.linalg.norm(truth)
    values, vectors = np.linalg.eigh(M)
    top, W = values[::-1][:k], vectors[:, ::-1][:, :k]
    np.testing.assert_allclose(top[:2], [1.0, 0.5], rtol=0, atol=0.15)
    assert abs(top[2]) <= 0.15
    r_ = fs.gradient_descent(p, max_iter=0, width=k, init="spectral", spectral_method=method)
    U = r_.U
    signs = np.sign(np.sum(U * W, axis=0))
    signs[signs == 0] = 1
    tolerance = 1e-10 if method == "dense" else 1e-6
    np.testing.assert_allclose(U * signs, W * np.sqrt(np.maximum(top, 0)), rtol=0, atol=tolerance)


# ---------------------------------------------------------------- symmetric targets only

def test_symmetric_gaussian_draws_a_symmetric_indefinite_target_when_not_psd():
    n, r = 7, 3
    p = fs.SensingProblem.symmetric_gaussian(n, r, 60, psd=False, scale=2.0, condition_number=4.0, seed=2)
    q = fs.SensingProblem.symmetric_gaussian(n, r, 60, psd=True, scale=2.0, condition_number=4.0, seed=2)
    assert not p.psd
    X = p.truth
    np.testing.assert_allclose(X, X.T, rtol=0, atol=1e-15)
    s = 2.0 * 4.0 ** (-np.arange(r) / (r - 1))
    eigenvalues = np.sort(np.linalg.eigvalsh(X))
    np.testing.assert_allclose(eigenvalues[[0, -2, -1]], [-s[1], s[2], s[0]], rtol=0, atol=1e-12)
    np.testing.assert_allclose(np.linalg.svd(X, compute_uv=False)[:r], s, rtol=1e-12)
    # the same L as the PSD target of the same seed, with the signs (+, −, +) on s
    P = q.truth
    np.testing.assert_allclose(X + 2 * s[1] * _eigenvector(P, s[1]), P, rtol=0, atol=1e-12)
    np.testing.assert_allclose(p.y, p.A @ X.ravel(), rtol=0, atol=1e-12)


def _eigenvector(P, value):
    values, vectors = np.linalg.eigh(P)
    v = vectors[:, np.argmin(np.abs(values - value))]
    return np.outer(v, v)


@pytest.mark.parametrize("psd", [False, True])
def test_symmetric_gaussian_refuses_a_non_symmetric_matrix(psd):
    X = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 0.5])
    with pytest.raises(fs.InvalidArgumentError, match="symmetric"):
        fs.SensingProblem.symmetric_gaussian(target=X, measurements=20, psd=psd, seed=1)


def test_symmetric_gaussian_refuses_non_symmetric_factors():
    rng = np.random.default_rng(5)
    L, R = rng.standard_normal((6, 2)), rng.standard_normal((6, 2))
    with pytest.raises(fs.InvalidArgumentError, match="symmetric"):
        fs.SensingProblem.symmetric_gaussian(target=(L, [1.0, 0.5], R), measurements=20, psd=False, seed=1)


def test_symmetric_rank_one_refuses_a_non_symmetric_matrix():
    X = np.outer([1.0, 2.0, 3.0], [1.0, -1.0, 0.5])
    with pytest.raises(fs.InvalidArgumentError, match="symmetric"):
        fs.SensingProblem.rank_one(target=X, measurements=20, psd=True, seed=1)


def test_symmetric_targets_within_the_tolerance_are_taken():
    """‖X − Xᵀ‖_F ≤ 1e-10 ‖X‖_F counts as symmetric (the rounding of a product formed in floating point)."""
    rng = np.random.default_rng(6)
    L = rng.standard_normal((5, 2))
    X = L @ np.diag([1.0, -0.5]) @ L.T
    X[0, 1] += 1e-12 * np.linalg.norm(X)
    p = fs.SensingProblem.symmetric_gaussian(target=X, measurements=20, psd=False, seed=1)
    np.testing.assert_array_equal(p.truth, X)
    X[0, 1] += 1e-8 * np.linalg.norm(X)
    with pytest.raises(fs.InvalidArgumentError, match="symmetric"):
        fs.SensingProblem.symmetric_gaussian(target=X, measurements=20, psd=False, seed=1)


def test_the_operators_symmetry_is_reported_and_a_symmetric_dense_operator_of_yours_refuses_a_non_symmetric_truth():
    """fs_problem_operator_is_symmetric: the built-in symmetric operators, and from_dense whose every
    row is an exactly symmetric n × n matrix (it sees only sym(X), like symmetric_gaussian)."""
    assert fs.SensingProblem.symmetric_gaussian(5, 2, 20, seed=1).symmetric_operator
    assert fs.SensingProblem.rank_one(5, 5, 2, 20, psd=True, seed=1).symmetric_operator
    assert not fs.SensingProblem.rank_one(5, 5, 2, 20, seed=1).symmetric_operator
    assert not fs.SensingProblem.gaussian(5, 5, 2, 20, seed=1).symmetric_operator
    rng = np.random.default_rng(7)
    G = rng.standard_normal((30, 4, 4))
    A = (G + G.transpose(0, 2, 1)) / 2
    X = np.outer([1.0, 2.0, 3.0, 4.0], [1.0, -1.0, 0.5, 2.0])
    y = A.reshape(30, 16) @ X.ravel()
    assert fs.SensingProblem.from_dense(A, y, (4, 4)).symmetric_operator
    with pytest.raises(fs.InvalidArgumentError, match="symmetric"):
        fs.SensingProblem.from_dense(A, y, (4, 4), truth=X)
    S = (X + X.T) / 2
    assert fs.SensingProblem.from_dense(A, A.reshape(30, 16) @ S.ravel(), (4, 4), truth=S).symmetric_operator
    A[3, 0, 1] += 1e-15  # one asymmetric entry: a general operator, any truth
    assert not fs.SensingProblem.from_dense(A, y, (4, 4), truth=X).symmetric_operator
    assert fs.SensingProblem.from_dense(A.astype(np.float32) * 0 + np.float32(1), y, (4, 4), dtype="float32").symmetric_operator
