"""The two ways of computing the top pairs of M = 𝒜*(y) (option ``spectral_method``,
docs/mathematics.md, "Initializations"): "dense" (LAPACK on the formed M) and "iterative" (block
subspace iteration on products with M). The oracle tests of test_oracle_init.py run both against
numpy; these cover what is particular to the iterative one: the overparameterized case whose k-th
value lies in the bulk, the spectral-alignment diagnostic, the choice "auto" makes, a cluster it
cannot resolve, the memory it holds, and refusals."""
import resource
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import factorsense as fs


def spectral_start(p, k, method):
    r = fs.gradient_descent(p, width=k, init="spectral", max_iter=0, spectral_method=method, diagnostics="none")
    return r.U, r.V


def test_overparameterized_width_reaches_into_the_bulk():
    """k = 8 for a rank-2 completion target: σ₃ … σ₈ of M are noise-like and close together, the
    case the iteration converges slowest on. U₀V₀ᵀ must still be numpy's rank-8 truncation."""
    p = fs.SensingProblem.completion(120, 90, 2, 6000, seed=5)
    M = p.adjoint(p.y)
    P, s, Qt = np.linalg.svd(M)
    k = 8
    assert s[2] < 0.5 * s[1] and np.min(-np.diff(s[:k + 1])) < 0.05 * s[0]  # a bulk after σ₂
    U, V = spectral_start(p, k, "iterative")
    truncation = (P[:, :k] * s[:k]) @ Qt[:k]
    gap = np.min(-np.diff(s[:k + 1]))
    np.testing.assert_allclose(U @ V.T, truncation, rtol=0, atol=1e-9 * s[0] ** 2 / gap)
    np.testing.assert_allclose(np.sort(np.linalg.svd(U @ V.T, compute_uv=False)[:k])[::-1], s[:k], rtol=1e-9)


def test_auto_is_dense_up_to_2_to_the_20_entries_and_iterative_above():
    small = fs.SensingProblem.completion(40, 30, 2, 600, seed=1)
    np.testing.assert_array_equal(spectral_start(small, 3, "auto")[0], spectral_start(small, 3, "dense")[0])
    assert not np.array_equal(spectral_start(small, 3, "auto")[0], spectral_start(small, 3, "iterative")[0])
    large = fs.SensingProblem.completion(1025, 1024, 2, 20000, seed=1)  # n1·n2 = 2²⁰ + 1024
    np.testing.assert_array_equal(spectral_start(large, 2, "auto")[0], spectral_start(large, 2, "iterative")[0])


def test_iterative_start_is_the_same_bits_every_run():
    p = fs.SensingProblem.rank_one(50, 40, 3, 800, seed=2)
    first = spectral_start(p, 4, "iterative")
    np.testing.assert_array_equal(first[0], spectral_start(p, 4, "iterative")[0])
    np.testing.assert_array_equal(first[1], spectral_start(p, 4, "iterative")[1])


def test_spectral_alignment_diagnostic_with_the_iterative_method():
    """The spectral-alignment columns computed from the iterative subspace equal those from the
    dense SVD (the subspaces agree to 1e-9)."""
    p = fs.SensingProblem.completion(60, 50, 3, 1200, seed=3)
    columns = ["spectral_alignment_left", "spectral_alignment_right"]
    runs = {m: fs.gradient_descent(p, width=5, step=0.3, max_iter=30, diagnostics=columns, spectral_method=m)
            for m in ("dense", "iterative")}
    for c in columns:
        np.testing.assert_allclose(runs["iterative"].history[c], runs["dense"].history[c], rtol=0, atol=1e-8)


def test_a_cluster_it_cannot_resolve_is_an_error_not_a_guess():
    """M = diag(σ) with σ₁ = 2 and σ₂ … σ₆₀ = 1 + 10⁻⁶·(60 − j)/60: for k = 3 the 3rd value
    sits in a cluster of 58 values 10⁻⁶ apart, which 3000 iterations of a 16-column block cannot
    separate to 10⁻¹⁰. The call says so (LinearAlgebraError) instead of returning a subspace it
    has not certified; the dense method answers."""
    n = 60
    sigma = np.concatenate([[2.0], 1 + 1e-6 * (n - np.arange(1, n)) / n])
    p = fs.SensingProblem.factorization(target=np.diag(sigma))
    with pytest.raises(fs.LinearAlgebraError, match="did not converge.*dense"):
        spectral_start(p, 3, "iterative")
    U, V = spectral_start(p, 3, "dense")
    np.testing.assert_allclose(np.linalg.svd(U @ V.T, compute_uv=False)[:3], sigma[:3], rtol=1e-12)


@pytest.mark.parametrize("value", ["fast", "", "Dense", 3, None])
def test_refuses_an_unknown_method(value):
    p = fs.SensingProblem.completion(10, 8, 2, 40, seed=0)
    with pytest.raises(fs.InvalidArgumentError, match="spectral_method"):
        fs.gradient_descent(p, width=2, init="spectral", max_iter=0, spectral_method=value)


def test_20000_squared_completion_spectral_init_stays_small():
    """The README's 20000 × 20000 completion problem with 10⁶ entries and k = 10: the dense method
    would hold M (3.2 GB) and its SVD; the iterative one stays far below 2 GB (peak RSS of a
    fresh interpreter) and returns U₀ᵀU₀ = V₀ᵀV₀ = diag(σ₁ … σ₁₀) with σ descending."""
    script = textwrap.dedent("""
        import resource, numpy as np, factorsense as fs
        p = fs.SensingProblem.completion(20000, 20000, 5, 10**6, seed=0)
        r = fs.gradient_descent(p, width=10, init="spectral", max_iter=0, diagnostics="none")
        gram_u, gram_v = r.U.T @ r.U, r.V.T @ r.V
        s = np.diag(gram_u)
        assert np.all(np.diff(s) <= 0) and s[-1] > 0, s
        np.testing.assert_allclose(gram_u, np.diag(s), rtol=0, atol=1e-9 * s[0])
        np.testing.assert_allclose(gram_v, np.diag(s), rtol=0, atol=1e-9 * s[0])
        print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    peak = int(out.stdout.split()[-1])
    print(f"peak RSS {peak / 2**30:.2f} GiB")
    assert peak < 1 * 2**30
