"""The initializations and the generators against their definitions (docs/mathematics.md, "Gradient descent and its variants",
"Measurements", "Targets").

- small random: U₀ = (α/√k)·N(0,1)^{n1×k}, V₀ = (α/√k)·N(0,1)^{n2×k} — the exact draws of the
  documented generator (reference_random), and, independently of it, the scale α/√k and the
  normal distribution of the entries (moments and a Kolmogorov–Smirnov test over many entries);
- spectral: the top-k SVD 𝒜*(y) = P S Qᵀ gives U₀ = P S^{1/2}, V₀ = Q S^{1/2}; PSD: the top-k
  eigenpairs of (M + Mᵀ)/2, U₀ = W Λ₊^{1/2} — against numpy's SVD and eigh, up to the signs of
  the singular vectors, on targets with distinct singular values (κ ≥ 3);
- the operators' normalizations (Gaussian 1/√m, symmetric Gaussian (G + Gᵀ)/2, completion
  √(n1n2/m), rank-one 1/√m with b_i drawn after a_i also when PSD) and the measurement noise, from the documented draws.
"""
import math

import numpy as np
import pytest
import scipy.stats

import factorsense as fs
from reference_random import GaussianSampler, SeededGenerator, small_random_init


def initial(p, **options):
    """(U₀, V₀) of a run: the factors of a run of zero iterations."""
    r = fs.gradient_descent(p, max_iter=0, **options)
    return r.U, r.V


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("k, alpha, seed", [(1, 1e-3, 0), (4, 0.5, 7), (9, 2.0, 2**64 - 1)])
def test_small_random_init_is_the_documented_draw(psd, k, alpha, seed):
    n2 = 9 if psd else 6
    p = fs.SensingProblem.gaussian(9, n2, 2, 30, psd=psd, seed=1)
    U, V = initial(p, width=k, init_scale=alpha, seed=seed)
    U_ref, V_ref = small_random_init(9, n2, k, alpha, seed, psd=psd)
    np.testing.assert_array_equal(U, U_ref)
    np.testing.assert_array_equal(V, U if psd else V_ref)


@pytest.mark.parametrize("ratio", [0.1, 1.0, 3.0, 1e-6])
def test_an_unbalanced_random_start_is_the_documented_draw(ratio):
    """init_ratio ρ: V₀ = (ρα/√k)·N(0,1) from the same draws, U₀ unchanged; its expected
    imbalance E[U₀ᵀU₀ − V₀ᵀV₀] = (α²/k)(n1 − ρ²n2)·I holds on average over the diagonal."""
    n1, n2, k, alpha = 40, 30, 5, 0.5
    p = fs.SensingProblem.gaussian(n1, n2, 2, 60, seed=1)
    U, V = initial(p, width=k, init_scale=alpha, init_ratio=ratio, seed=11)
    U_ref, V_ref = small_random_init(n1, n2, k, alpha, 11, ratio=ratio)
    np.testing.assert_array_equal(U, U_ref)
    np.testing.assert_array_equal(V, V_ref)
    U1, V1 = initial(p, width=k, init_scale=alpha, seed=11)
    np.testing.assert_array_equal(U, U1)
    np.testing.assert_allclose(V, ratio * V1, rtol=1e-15, atol=0)
    big_u, big_v = initial(fs.SensingProblem.factorization(3000, 2000, 1, seed=0), width=k, init_scale=alpha,
                           init_ratio=ratio, seed=2)
    mean_diagonal = np.trace(big_u.T @ big_u - big_v.T @ big_v) / k
    expected = alpha**2 / k * (3000 - ratio**2 * 2000)
    assert abs(mean_diagonal - expected) < 5 * alpha**2 / k * math.sqrt(2 * (3000 + ratio**4 * 2000) / k)


@pytest.mark.parametrize("setting, message", [
    (dict(init_ratio=0.0), "init_ratio must be > 0"),
    (dict(init_ratio=float("nan")), "init_ratio must be finite"),
    (dict(init_ratio=1e300, init_scale=1e10), "overflows double precision"),
    (dict(init_ratio=2.0, init="spectral"), "starts from the spectral initialization"),
    (dict(init_ratio=2.0, U0=np.ones((9, 2)), V0=np.ones((6, 2))), "starts from the given factors"),
])
def test_an_init_ratio_that_would_be_ignored_or_is_outside_its_domain_is_refused(setting, message):
    p = fs.SensingProblem.gaussian(9, 6, 2, 30, seed=1)
    settings = dict(dict(width=2), **setting)
    with pytest.raises((fs.InvalidArgumentError, fs.NotFiniteError), match=message):
        fs.gradient_descent(p, max_iter=1, **settings)
    with pytest.raises(fs.InvalidArgumentError, match="has no V₀"):
        fs.gradient_descent(fs.SensingProblem.gaussian(9, 9, 2, 30, psd=True, seed=1), width=2, init_ratio=2.0)
    with pytest.raises(fs.InvalidArgumentError, match="has no V₀"):
        fs.gradient_flow(fs.SensingProblem.gaussian(9, 9, 2, 30, psd=True, seed=1), width=2, times=[0, 1], init_ratio=2.0)


def test_small_random_init_scale_and_distribution():
    """Without the reference generator: entries of U₀√k/α are N(0, 1) (U₀ and V₀ alike, independent
    of each other), and changing α with the same seed rescales the factors exactly."""
    n1, n2, k = 300, 200, 16
    p = fs.SensingProblem.factorization(n1, n2, 1, seed=0)
    alpha = 0.01
    U, V = initial(p, width=k, init_scale=alpha, seed=3)
    for entries in (U.ravel(), V.ravel()):
        z = entries * math.sqrt(k) / alpha
        assert abs(z.mean()) < 5 / math.sqrt(z.size)
        assert abs(z.var() - 1) < 5 * math.sqrt(2 / z.size)
        assert abs(np.mean(z**4) - 3) < 5 * math.sqrt(96 / z.size)
        assert scipy.stats.kstest(z, "norm").pvalue > 1e-4
    assert abs(np.corrcoef(U[:200].ravel(), V.ravel())[0, 1]) < 5 / math.sqrt(V.size)
    U2, V2 = initial(p, width=k, init_scale=7 * alpha, seed=3)
    np.testing.assert_allclose(U2, 7 * U, rtol=1e-15, atol=0)
    np.testing.assert_allclose(V2, 7 * V, rtol=1e-15, atol=0)
    # The scale is α/√k: a wider factor with the same α has smaller entries.
    U1, _ = initial(p, width=1, init_scale=alpha, seed=3)
    assert abs(U1.std() / (alpha / 1) - 1) < 0.1 and abs(U.std() / (alpha / 4) - 1) < 0.02


def signs_against(columns, reference):
    """The sign of each column of `columns` against the same column of `reference`."""
    s = np.sign(np.sum(columns * reference, axis=0))
    assert np.all(s != 0)
    return s


# The dense method (LAPACK) agrees with numpy to rounding; the iterative one converges to a
# residual of 1e-10·σ₁, which moves singular vectors by at most about residual/gap.
TOLERANCE = {"dense": 1e-11, "iterative": 1e-9}


@pytest.mark.parametrize("method", ["dense", "iterative"])
@pytest.mark.parametrize("kind", ["gaussian", "completion", "rank_one"])
@pytest.mark.parametrize("k", [2, 3])
def test_spectral_init_asymmetric(kind, k, method):
    p = getattr(fs.SensingProblem, kind)(30, 20, 3, 500, scale=3.0, condition_number=4.0, seed=8)
    M = p.adjoint(p.y)
    P, s, Qt = np.linalg.svd(M)
    assert np.all(np.diff(s[: k + 1]) < -1e-3 * s[0])  # distinct: the top-k singular vectors are defined
    assert s[0] > 1.5  # far from 1, so S, S^{1/2} and S² differ
    U, V = initial(p, width=k, init="spectral", spectral_method=method)
    sign = signs_against(U, P[:, :k])
    root = np.sqrt(s[:k])
    atol = TOLERANCE[method]
    np.testing.assert_allclose(U * sign, P[:, :k] * root, rtol=0, atol=atol)
    np.testing.assert_allclose(V * sign, Qt[:k].T * root, rtol=0, atol=atol)
    # The sign-free statements: U₀ᵀU₀ = V₀ᵀV₀ = S_k and U₀V₀ᵀ = P_k S_k Q_kᵀ.
    np.testing.assert_allclose(U.T @ U, np.diag(s[:k]), rtol=0, atol=atol)
    np.testing.assert_allclose(V.T @ V, np.diag(s[:k]), rtol=0, atol=atol)
    np.testing.assert_allclose(U @ V.T, (P[:, :k] * s[:k]) @ Qt[:k], rtol=0, atol=atol)


@pytest.mark.parametrize("method", ["dense", "iterative"])
@pytest.mark.parametrize("kind", ["symmetric_gaussian", "completion", "rank_one"])
def test_spectral_init_psd(kind, method):
    """Top-k eigenpairs of the symmetric part of 𝒜*(y) (completion's 𝒜*(y) is not symmetric)."""
    n, k = 20, 3
    if kind == "symmetric_gaussian":
        p = fs.SensingProblem.symmetric_gaussian(n, 3, 400, scale=3.0, condition_number=4.0, psd=True, seed=8)
    else:
        p = getattr(fs.SensingProblem, kind)(n, n, 3, 300, scale=3.0, condition_number=4.0, psd=True, seed=8)
    M = p.adjoint(p.y)
    if kind == "completion":
        assert np.linalg.norm(M - M.T) > 0.1 * np.linalg.norm(M)
    values, vectors = np.linalg.eigh((M + M.T) / 2)
    top, W = values[::-1][:k], vectors[:, ::-1][:, :k]
    assert np.all(np.diff(top) < -1e-3 * top[0]) and top[-1] > 0 and top[0] > 1.5
    U, V = initial(p, width=k, init="spectral", spectral_method=method)
    np.testing.assert_array_equal(U, V)
    np.testing.assert_allclose(U * signs_against(U, W), W * np.sqrt(top), rtol=0, atol=TOLERANCE[method])
    np.testing.assert_allclose(U.T @ U, np.diag(top), rtol=0, atol=TOLERANCE[method])


@pytest.mark.parametrize("method", ["dense", "iterative"])
def test_spectral_init_psd_sets_negative_eigenvalues_to_zero(method):
    """With k = n every eigenpair is taken: U₀U₀ᵀ is the positive part of (M + Mᵀ)/2, and the
    columns of negative eigenvalues are zero."""
    n = 12
    p = fs.SensingProblem.completion(n, n, 2, 60, scale=3.0, condition_number=3.0, psd=True, seed=4)
    M = p.adjoint(p.y)
    values, vectors = np.linalg.eigh((M + M.T) / 2)
    assert values[0] < -0.1 and values[-1] > 0.1
    U, _ = initial(p, width=n, init="spectral", spectral_method=method)
    positive = np.maximum(values, 0)
    np.testing.assert_allclose(U @ U.T, (vectors * positive) @ vectors.T, rtol=0, atol=TOLERANCE[method])
    negative = np.sort(values)[::-1] < 0
    np.testing.assert_array_equal(U[:, negative], 0)


# ---------------------------------------------------------------- the generators' normalizations

def test_gaussian_operator_is_the_documented_draw_over_sqrt_m():
    m, n1, n2, seed = 25, 4, 3, 17
    p = fs.SensingProblem.gaussian(n1, n2, 2, m, seed=seed)
    expected = GaussianSampler(seed, "operator").matrix(m, n1 * n2, 1 / math.sqrt(m))
    np.testing.assert_array_equal(p.A, expected)


def test_symmetric_gaussian_operator_averages_g_and_its_transpose():
    m, n, seed = 20, 4, 9
    p = fs.SensingProblem.symmetric_gaussian(n, 1, m, seed=seed)
    G = GaussianSampler(seed, "operator").matrix(m, n * n, 1 / math.sqrt(m)).reshape(m, n, n)
    np.testing.assert_allclose(p.A.reshape(m, n, n), (G + G.transpose(0, 2, 1)) / 2, rtol=0, atol=1e-16)


def test_completion_positions_and_scale():
    n1, n2, m, seed = 9, 7, 25, 4
    p = fs.SensingProblem.completion(n1, n2, 2, m, seed=seed)
    rows, cols, scale = p.entries
    generator, drawn = SeededGenerator(seed, "operator"), set()
    while len(drawn) < m:
        drawn.add(generator.below(n1 * n2))
    cells = np.array(sorted(drawn))
    np.testing.assert_array_equal(rows, cells // n2)
    np.testing.assert_array_equal(cols, cells % n2)
    assert scale == math.sqrt(n1 * n2 / m)
    X = np.arange(n1 * n2, dtype=float).reshape(n1, n2)
    np.testing.assert_array_equal(p.apply(X), scale * X[rows, cols])


@pytest.mark.parametrize("psd", [False, True])
def test_rank_one_vectors_and_scale(psd):
    m, n1, seed = 30, 5, 6
    n2 = n1 if psd else 4
    p = fs.SensingProblem.rank_one(n1, n2, 1, m, psd=psd, seed=seed)
    a, b, c = p.rank_one_vectors
    sampler = GaussianSampler(seed, "operator")
    np.testing.assert_array_equal(a, sampler.matrix(m, n1))
    np.testing.assert_array_equal(b, sampler.matrix(m, n2))  # after every a_i, also when psd (b_i ≠ a_i)
    assert c == 1 / math.sqrt(m)


def test_measurement_noise_is_the_documented_draw():
    sigma, seed = 0.3, 12
    p = fs.SensingProblem.gaussian(6, 5, 2, 40, noise=sigma, seed=seed)
    clean = fs.SensingProblem.gaussian(6, 5, 2, 40, seed=seed)
    xi = GaussianSampler(seed, "noise").normals(40)
    np.testing.assert_allclose(p.y - clean.y, sigma * xi, rtol=0, atol=1e-14)
