"""The user's own target X⋆ in every generator: y = 𝒜(X⋆) (+ the documented noise) checked with
numpy against the operator copied out of the problem, the operator identical to that of a drawn
target of the same sizes and seed, the truth round-tripping, and every bad input refused."""
import doctest

import numpy as np
import pytest

import factorsense as fs
import factorsense.problem
from conftest import dense_operator_matrix, relative

KINDS = ["gaussian", "symmetric_gaussian", "factorization", "completion", "rank_one"]
N1, N2, M, SEED = 6, 5, 24, 11


def user_target(psd, square, form, rank=2, seed=0):
    """(target argument, X⋆ as numpy computes it)."""
    rng = np.random.default_rng(seed)
    n1 = N1
    n2 = N1 if (psd or square) else N2
    L = rng.standard_normal((n1, rank))
    s = np.array([2.0, 0.5, 0.25][:rank])
    if psd:
        X = L @ np.diag(s) @ L.T
        return ((L, s) if form == "factors" else X), X
    if square:  # the target of a symmetric operator: symmetric, indefinite, L diag(s) (L D)ᵀ with D = diag(±1)
        R = L * np.array([1.0, -1.0, 1.0][:rank])
        X = L @ np.diag(s) @ R.T
        return ((L, s, R) if form == "factors" else X), X
    R = rng.standard_normal((n2, rank))
    X = L @ np.diag(s) @ R.T
    return ((L, s, R) if form == "factors" else X), X


def with_target(kind, target, psd, noise=0.0, seed=SEED, **extra):
    make = getattr(fs.SensingProblem, kind)
    if kind == "factorization":
        return make(target=target, psd=psd, noise=noise, seed=seed, **extra)
    return make(target=target, measurements=M, psd=psd, noise=noise, seed=seed, **extra)


def drawn(kind, shape, psd, noise=0.0, seed=SEED):
    n1, n2 = shape
    if kind == "symmetric_gaussian":
        return fs.SensingProblem.symmetric_gaussian(n1, 1, M, psd=psd, noise=noise, seed=seed)
    if kind == "factorization":
        return fs.SensingProblem.factorization(n1, n2, 1, psd=psd, noise=noise, seed=seed)
    return getattr(fs.SensingProblem, kind)(n1, n2, 1, M, psd=psd, noise=noise, seed=seed)


@pytest.mark.parametrize("form", ["dense", "factors"])
@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_measurements_operator_and_truth(kind, psd, form):
    target, X = user_target(psd, kind == "symmetric_gaussian", form)
    p = with_target(kind, target, psd)
    assert p.shape == X.shape and p.psd == psd and p.has_truth
    # The truth round-trips: the matrix itself, or the product of the factors.
    if form == "dense":
        np.testing.assert_array_equal(p.truth, X)
    else:
        assert relative(p.truth, X) <= 1e-14
    # y = 𝒜(X⋆), with 𝒜 copied out of the problem (its matrix, entries or vectors).
    A = dense_operator_matrix(p)
    assert relative(p.y, A @ X.ravel()) <= 1e-13
    # The same seed and sizes give the same operator as a drawn target.
    q = drawn(kind, X.shape, psd)
    assert q.operator_kind == p.operator_kind and q.measurements == p.measurements
    np.testing.assert_array_equal(dense_operator_matrix(q), A)
    if kind == "rank_one":
        a, b, _ = p.rank_one_vectors
        assert not np.allclose(a[:, :N2], b[:, :N2])  # b_i drawn apart from a_i, also when psd


@pytest.mark.parametrize("kind", KINDS)
def test_noise_is_the_stream_of_a_drawn_target(kind):
    psd = kind == "symmetric_gaussian"
    target, X = user_target(psd, psd, "dense")
    clean, noisy = with_target(kind, target, psd), with_target(kind, target, psd, noise=0.3)
    xi = noisy.y - clean.y
    expected = drawn(kind, X.shape, psd, noise=0.3).y - drawn(kind, X.shape, psd).y
    np.testing.assert_allclose(xi, expected, rtol=0, atol=1e-12)
    assert np.std(xi) > 0.1 and np.allclose(clean.y, dense_operator_matrix(clean) @ X.ravel(), atol=1e-12)
    other_seed = with_target(kind, target, psd, noise=0.3, seed=SEED + 1).y - with_target(kind, target, psd,
                                                                                            seed=SEED + 1).y
    assert not np.allclose(other_seed, xi)


def test_noise_has_the_stated_level():
    # ξ ~ N(0, σ² I_m): with m = 4000 the sample deviation is within 5 % of σ (its relative
    # standard error is 1/√(2m) ≈ 1.1 %), and its mean within 4 standard errors of 0.
    X = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    clean = fs.SensingProblem.completion(target=np.ones((80, 60)), measurements=4000, seed=3)
    noisy = fs.SensingProblem.completion(target=np.ones((80, 60)), measurements=4000, noise=0.3, seed=3)
    xi = noisy.y - clean.y
    assert abs(np.std(xi) / 0.3 - 1) < 0.05 and abs(np.mean(xi)) < 4 * 0.3 / np.sqrt(4000)
    xi = (fs.SensingProblem.rank_one(target=X, measurements=4000, noise=0.3, seed=3).y
          - fs.SensingProblem.rank_one(target=X, measurements=4000, seed=3).y)
    assert abs(np.std(xi) / 0.3 - 1) < 0.05


def test_factorization_of_your_own_matrix():
    rng = np.random.default_rng(3)
    S = rng.standard_normal((8, 2)) @ rng.standard_normal((2, 7))
    S /= np.linalg.norm(S, 2)
    p = fs.SensingProblem.factorization(S)
    assert p.operator_kind == "identity" and p.measurements == 56
    np.testing.assert_array_equal(p.y, S.ravel())
    np.testing.assert_array_equal(p.truth, S)
    r = fs.gradient_descent(p, width=2, init_scale=0.1, step=0.3, max_iter=4000, loss_tol=1e-24)
    assert np.linalg.norm(r.U @ r.V.T - S) / np.linalg.norm(S) < 1e-8
    # The factors as the first argument, and a matrix given as nested lists.
    L, R = rng.standard_normal((4, 1)), rng.standard_normal((3, 1))
    q = fs.SensingProblem.factorization((L, [2.0], R))
    np.testing.assert_allclose(q.y, (2 * L @ R.T).ravel(), rtol=1e-15)
    np.testing.assert_array_equal(fs.SensingProblem.factorization([[1.0, 2.0], [3.0, 4.0]]).y, [1, 2, 3, 4])


def test_stated_sizes_and_rank_that_agree_are_accepted():
    X = np.outer([1.0, 2.0, 3.0], [1.0, -1.0]) + np.outer([0.0, 1.0, 0.0], [1.0, 1.0])  # rank 2
    p = fs.SensingProblem.gaussian(3, 2, 2, 20, target=X, seed=1)
    assert p.shape == (3, 2)
    L, R = np.eye(4)[:, :2], np.eye(3)[:, :2]
    assert fs.SensingProblem.completion(4, 3, 2, 6, target=(L, [1.0, 2.0], R)).shape == (4, 3)


def test_the_user_target_recovered_by_completion_and_psd_sensing():
    rng = np.random.default_rng(9)
    L, R = np.linalg.qr(rng.standard_normal((40, 2)))[0], np.linalg.qr(rng.standard_normal((30, 2)))[0]
    p = fs.SensingProblem.completion(target=(L, [1.0, 0.6], R), measurements=700, seed=2)
    r = fs.gradient_descent(p, width=2, init="spectral", step=0.5, max_iter=3000, loss_tol=1e-20)
    assert r.history["test_error"][-1] < 1e-6
    U = np.linalg.qr(rng.standard_normal((10, 2)))[0]
    X = U @ np.diag([1.0, 0.5]) @ U.T
    p = fs.SensingProblem.symmetric_gaussian(target=X, measurements=200, seed=3)
    r = fs.gradient_descent(p, width=10, init_scale=1e-3, step=0.5, max_iter=3000)
    assert r.history["test_error"][-1] < 1e-3


@pytest.mark.parametrize("form", ["dense", "factors"])
def test_diagnostics_of_a_user_target_use_its_numerical_rank(form):
    # Weights (1, 0.6, 0): rank 2, so two learning times and the alignment to a 2-D subspace.
    rng = np.random.default_rng(9)
    L, R = np.linalg.qr(rng.standard_normal((40, 3)))[0], np.linalg.qr(rng.standard_normal((30, 3)))[0]
    s = [1.0, 0.6, 0.0]
    target = (L, s, R) if form == "factors" else L @ np.diag(s) @ R.T
    p = fs.SensingProblem.completion(target=target, measurements=700, seed=2)
    r = fs.gradient_descent(p, width=4, init_scale=1e-3, step=0.5, max_iter=3000, record_every=10, diagnostics="all")
    assert len(r.learning_iterations) == 2 and None not in r.learning_iterations
    assert r.history["test_error"][-1] < 1e-2 and r.history["alignment_left"][-1] < 1e-2
    assert r.history["alignment_right"][-1] < 1e-2


def test_a_large_completion_target_as_factors_is_never_formed():
    # 20000 × 20000 as a dense matrix would be 3.2 GB; its factors are 640 kB.
    rng = np.random.default_rng(4)
    n, m = 20000, 5000
    L, R = rng.standard_normal((n, 2)), rng.standard_normal((n, 2))
    p = fs.SensingProblem.completion(target=(L, [1.0, 0.5], R), measurements=m, seed=6)
    rows, columns, c = p.entries
    expected = c * np.einsum("ij,j,ij->i", L[rows], [1.0, 0.5], R[columns])
    assert relative(p.y, expected) <= 1e-14


@pytest.mark.parametrize("call, error, words", [
    (lambda X: fs.SensingProblem.gaussian(5, target=X, measurements=10), fs.SizeMismatchError, ["n1=5", "4 × 3"]),
    (lambda X: fs.SensingProblem.gaussian(n2=4, target=X, measurements=10), fs.SizeMismatchError, ["n2=4", "4 × 3"]),
    (lambda X: fs.SensingProblem.symmetric_gaussian(4, target=X, measurements=10, psd=False), fs.SizeMismatchError,
     ["square", "4 × 3"]),
    (lambda X: fs.SensingProblem.gaussian(rank=2, target=X, measurements=10), fs.InvalidArgumentError,
     ["rank is 2", "numerical rank", "is 1"]),
    (lambda X: fs.SensingProblem.gaussian(rank=0, target=X, measurements=10), fs.InvalidArgumentError, ["rank"]),
    (lambda X: fs.SensingProblem.gaussian(target=X, measurements=10, scale=2.0), fs.InvalidArgumentError,
     ["scale", "drawn target"]),
    (lambda X: fs.SensingProblem.completion(target=X, measurements=10, spectrum="linear", condition_number=3),
     fs.InvalidArgumentError, ["condition_number and spectrum"]),
    (lambda X: fs.SensingProblem.gaussian(target=X, measurements=10, psd=True), fs.InvalidArgumentError,
     ["PSD", "square", "4 × 3"]),
    (lambda X: fs.SensingProblem.gaussian(target=X), TypeError, ["measurements"]),
    (lambda X: fs.SensingProblem.factorization(X, 3), fs.InvalidArgumentError, ["matrix alone"]),
])
def test_sizes_and_arguments_that_do_not_fit(call, error, words):
    X = np.outer([1.0, 2.0, 3.0, 4.0], [1.0, 0.0, -1.0])  # 4 × 3, rank 1
    with pytest.raises(error) as caught:
        call(X)
    for word in words:
        assert word in str(caught.value)


@pytest.mark.parametrize("target, error, words", [
    (np.array([[1.0, np.nan], [0.0, 1.0]]), fs.NotFiniteError, ["non-finite", "nan", "(0, 1)"]),
    (np.array([[1.0, 0.0], [np.inf, 1.0]]), fs.NotFiniteError, ["inf", "(1, 0)"]),
    (np.zeros((0, 3)), fs.InvalidArgumentError, ["empty"]),
    (np.zeros((3, 3)), fs.InvalidArgumentError, ["zero matrix"]),
    (np.ones(4), fs.SizeMismatchError, ["2-D", "(4,)"]),
    (np.ones((2, 2, 2)), fs.SizeMismatchError, ["2-D"]),
    (np.ones((2, 2)) * (1 + 1j), fs.InvalidArgumentError, ["real"]),
    ("abc", fs.InvalidArgumentError, ["real numbers"]),
    ((np.ones((3, 2)), [1.0, -1.0], np.ones((3, 2))), fs.InvalidArgumentError, ["s must be ≥ 0", "-1"]),
    ((np.ones((3, 2)), [1.0, np.nan], np.ones((3, 2))), fs.NotFiniteError, ["s has a non-finite", "index 1"]),
    ((np.full((3, 1), np.inf), [1.0], np.ones((3, 1))), fs.NotFiniteError, ["L has a non-finite", "(0, 0)"]),
    ((np.ones((3, 1)), [1.0], np.full((3, 1), np.nan)), fs.NotFiniteError, ["R has a non-finite"]),
    ((np.ones((3, 2)), [1.0], np.ones((3, 1))), fs.SizeMismatchError, ["L must be n1 × r", "len(s) = 1"]),
    ((np.ones((3, 1)), [1.0], np.ones((3, 2))), fs.SizeMismatchError, ["R must be n2 × r"]),
    ((np.ones((3, 4)), np.ones(4), np.ones((5, 4))), fs.InvalidArgumentError, ["r = len(s) = 4", "min(n1, n2) = 3"]),
    ((np.ones((3, 0)), np.ones(0), np.ones((3, 0))), fs.InvalidArgumentError, ["s is empty"]),
    ((np.ones((3, 1)), [0.0], np.ones((2, 1))), fs.InvalidArgumentError, ["zero matrix"]),
    ((np.ones((3, 1)) * 1j, [1.0], np.ones((2, 1))), fs.InvalidArgumentError, ["L must be real"]),
])
def test_bad_targets(target, error, words):
    with pytest.raises(error) as caught:
        fs.SensingProblem.gaussian(target=target, measurements=10)
    for word in words:
        assert word in str(caught.value)


def test_psd_targets_must_be_symmetric_and_positive_semidefinite():
    rng = np.random.default_rng(5)
    L = rng.standard_normal((6, 2))
    X = L @ np.diag([1.0, 0.3]) @ L.T
    p = fs.SensingProblem.symmetric_gaussian(target=X, measurements=30)
    np.testing.assert_array_equal(p.truth, X)  # kept as given, not symmetrized
    # Asymmetry above the relative 1e-10: refused, with the measured asymmetry.
    bumped = X.copy()
    bumped[0, 1] += 1e-6 * np.linalg.norm(X)
    with pytest.raises(fs.InvalidArgumentError, match="must be symmetric"):
        fs.SensingProblem.symmetric_gaussian(target=bumped, measurements=30)
    bumped[0, 1] = X[0, 1] + 1e-13 * np.linalg.norm(X)
    fs.SensingProblem.symmetric_gaussian(target=bumped, measurements=30)
    # A negative eigenvalue: refused, naming it.
    W = np.linalg.qr(rng.standard_normal((6, 6)))[0]
    indefinite = W @ np.diag([2.0, 1.0, 0.0, 0.0, 0.0, -0.5]) @ W.T
    indefinite = (indefinite + indefinite.T) / 2
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.SensingProblem.symmetric_gaussian(target=indefinite, measurements=30)
    assert "λ_min = -0.5" in str(caught.value) or "λ_min = -0.49999" in str(caught.value)
    assert "not UUᵀ" in str(caught.value) and "psd false" in str(caught.value)
    # ... but it is a fine target for X = UVᵀ.
    assert not fs.SensingProblem.symmetric_gaussian(target=indefinite, measurements=30, psd=False).psd
    # Rounding-level negative eigenvalues (λ_min ≥ −1e-10 · max|λ|) pass; −1e-8 does not.
    for tiny, accepted in ((-1e-12, True), (-1e-8, False)):
        nearly = W @ np.diag([1.0, 0.5, 0.0, 0.0, 0.0, tiny]) @ W.T
        nearly = (nearly + nearly.T) / 2
        if accepted:
            fs.SensingProblem.rank_one(target=nearly, measurements=30, psd=True)
        else:
            with pytest.raises(fs.InvalidArgumentError, match="λ_min"):
                fs.SensingProblem.rank_one(target=nearly, measurements=30, psd=True)


def test_psd_with_three_factors_is_checked_without_forming_the_matrix():
    rng = np.random.default_rng(6)
    L = np.linalg.qr(rng.standard_normal((7, 2)))[0]
    # L diag(s) (L Q)ᵀ with Q = I + 1e-6 E₁₂: asymmetric by a relative 1e-6.
    Q = np.array([[1.0, 1e-6], [0.0, 1.0]])
    with pytest.raises(fs.InvalidArgumentError, match="must be symmetric"):
        fs.SensingProblem.completion(target=(L, [1.0, 1.0], L @ Q), measurements=20, psd=True)
    # L diag(s) (−L)ᵀ: symmetric, negative definite on its range.
    with pytest.raises(fs.InvalidArgumentError, match="λ_min = -2"):
        fs.SensingProblem.completion(target=(L, [2.0, 1.0], -L), measurements=20, psd=True)
    # L diag(s) (L D)ᵀ with D = diag(3, 1) positive: PSD, accepted.
    p = fs.SensingProblem.completion(target=(L, [2.0, 1.0], L @ np.diag([3.0, 1.0])), measurements=20, psd=True)
    assert p.psd and relative(p.truth, L @ np.diag([6.0, 1.0]) @ L.T) <= 1e-14


def test_rank_means_the_numerical_rank():
    rng = np.random.default_rng(8)
    L, R = rng.standard_normal((6, 3)), rng.standard_normal((5, 3))
    # Factors with a zero weight have numerical rank 2, like their product.
    target = (L, [1.0, 0.0, 0.5], R)
    assert np.linalg.matrix_rank(L @ np.diag([1.0, 0.0, 0.5]) @ R.T) == 2
    fs.SensingProblem.gaussian(target=target, measurements=10, rank=2)
    with pytest.raises(fs.InvalidArgumentError, match="rank is 3.*numerical rank.*is 2"):
        fs.SensingProblem.gaussian(target=target, measurements=10, rank=3)
    X = L @ R.T
    fs.SensingProblem.rank_one(target=X, measurements=10, rank=3)
    with pytest.raises(fs.InvalidArgumentError, match="is 3"):
        fs.SensingProblem.rank_one(target=X, measurements=10, rank=4)


def test_a_refused_target_raises_before_any_problem_exists():
    with pytest.raises(fs.NotFiniteError):
        fs.SensingProblem.completion(target=np.full((3, 3), np.nan), measurements=5)
    # The same call with a good target still works afterwards.
    assert fs.SensingProblem.completion(target=np.eye(3), measurements=5).measurements == 5


def test_the_docstring_examples_run():
    result = doctest.testmod(factorsense.problem, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


# ---------------------------------------------------------------- random input, never a crash

from ctypes import byref, sizeof  # noqa: E402

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from factorsense._lib import as_doubles, fs_problem_spec, lib  # noqa: E402

PINNED = {0, 1, 3, 4, 5, 6, 7}  # OK and the refusals these calls may give (never INTERNAL)
values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.floats(-3, 3))
matrices = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=5), elements=values)
kinds = st.sampled_from(["gaussian", "symmetric_gaussian", "identity", "completion", "rank_one", "other"])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.one_of(matrices, st.tuples(matrices, matrices), st.tuples(matrices, matrices, matrices)),
       kind=st.sampled_from(KINDS), psd=st.booleans(), rank=st.none() | st.integers(-1, 6), noise=values)
def test_random_targets_work_or_are_refused(target, kind, psd, rank, noise):
    make = getattr(fs.SensingProblem, kind)
    try:
        if kind == "factorization":
            p = make(target=target, psd=psd, rank=rank, noise=noise)
        else:
            p = make(target=target, measurements=4, psd=psd, rank=rank, noise=noise)
    except (fs.FactorSenseError, ValueError, TypeError, OverflowError):
        return
    X = p.truth
    assert np.all(np.isfinite(X)) and np.any(X != 0) and p.psd == psd
    with np.errstate(over="ignore", invalid="ignore"):
        if noise == 0 and np.all(np.abs(X) < 1e100):
            assert relative(p.y, dense_operator_matrix(p) @ X.ravel()) <= 1e-12
        if rank is not None and np.all(np.abs(X) < 1e100):
            # numpy's matrix_rank rule, unless a singular value is too near its threshold for two
            # SVDs (numpy's of X, the library's of X or of its factors' triangular parts) to agree.
            sigma = np.linalg.svd(X, compute_uv=False)
            threshold = sigma[0] * max(X.shape) * np.finfo(float).eps
            if not np.any((sigma > threshold / 100) & (sigma < threshold * 100)):
                assert np.sum(sigma > threshold) == rank


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=kinds, n1=st.sampled_from([-1, 0, 1, 2, 3, 2**31, 2**62]), n2=st.sampled_from([0, 1, 2, 3, 2**40]),
       r=st.integers(-1, 4), extra=st.lists(st.integers(-2, 2), min_size=3, max_size=3), psd=st.integers(0, 2),
       rank=st.integers(-1, 3), right_null=st.booleans(), data=st.data())
def test_raw_c_calls_never_crash(kind, n1, n2, r, extra, psd, rank, right_null, data):
    """The two C calls with lengths that are sometimes wrong (never longer than the array) and
    arbitrary values: a pinned status, never FS_ERROR_INTERNAL; on success, a finite problem."""
    spec = fs_problem_spec()
    assert lib.fs_problem_spec_init(byref(spec), sizeof(spec)) == 0
    spec.n1, spec.n2, spec.rank, spec.measurements, spec.psd, spec.seed = n1, n2, rank, 3, psd, 1

    def array(correct, delta):
        length = max(0, correct + delta) if 0 <= correct <= 64 else data.draw(st.integers(0, 8))
        return data.draw(hnp.arrays(np.float64, length, elements=values))

    problem = fs.SensingProblem()
    target = array(n1 * n2, extra[0])
    status = lib.fs_problem_generate_for_target(problem.handle, kind.encode(), byref(spec), as_doubles(target),
                                                target.size)
    assert status in PINNED, lib.fs_last_error(problem.handle)
    L, s, R = array(n1 * max(r, 0), extra[0]), array(max(r, 0), extra[1]), array(n2 * max(r, 0), extra[2])
    right = (None, 0) if right_null else (as_doubles(R), R.size)
    status = lib.fs_problem_generate_for_factors(problem.handle, kind.encode(), byref(spec), as_doubles(L), L.size,
                                                 as_doubles(s), s.size, *right)
    assert status in PINNED, lib.fs_last_error(problem.handle)
    if status == 0:
        assert np.all(np.isfinite(problem.y)) and problem.shape == (n1, n2)
