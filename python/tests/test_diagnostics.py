"""Every diagnostic of the history against numpy computed from the factors the run passed to
its callback at each recorded iterate, for every operator kind, both parameterizations, with
and without a truth (docs/mathematics.md, "Diagnostics")."""
import numpy as np
import pytest

import factorsense as fs
from conftest import dense_operator_matrix

ALL = ["singular_values", "effective_rank", "numerical_rank", "imbalance", "alignment_left", "alignment_right",
       "spectral_alignment_left", "spectral_alignment_right", "signal", "noise", "perturbation",
       "perturbation_frobenius"]


def spectral_norm(a):
    return np.linalg.norm(a, 2) if a.size else 0.0


def sine(P, B):
    """‖(I − BBᵀ)P‖₂ for orthonormal P, B."""
    return spectral_norm(P - B @ (B.T @ P))


def truth_svd(X):
    L, s, Rt = np.linalg.svd(X, full_matrices=False)
    r = int(np.sum(s > max(X.shape) * np.finfo(float).eps * s[0]))
    return L[:, :r], s[:r], Rt[:r].T


def spectral_subspaces(problem, r):
    n1, n2 = problem.shape
    M = (dense_operator_matrix(problem).T @ problem.y).reshape(n1, n2)
    if problem.psd:
        w, W = np.linalg.eigh((M + M.T) / 2)
        top = W[:, ::-1][:, :r]
        return top, top
    P, _, Qt = np.linalg.svd(M)
    return P[:, :r], Qt[:r].T


def oracle(problem, U, V, count, rank=None):
    """The diagnostics of one iterate, from numpy alone."""
    n1, n2 = problem.shape
    k = U.shape[1]
    X = U @ V.T
    sigma = np.linalg.svd(X, compute_uv=False)[:min(n1, n2, k)]
    p = sigma / sigma.sum()
    p = p[p > 0]
    out = {"singular_values": sigma[:count], "effective_rank": np.exp(-np.sum(p * np.log(p))),
           "numerical_rank": np.sum(sigma > 1e-3 * sigma[0]),
           "imbalance": np.nan if problem.psd else np.linalg.norm(U.T @ U - V.T @ V)}
    nan = dict.fromkeys(["alignment_left", "alignment_right", "signal", "noise", "perturbation",
                         "perturbation_frobenius"], np.nan)
    if problem.has_truth:
        L, s, R = truth_svd(problem.truth)
        r = len(s)
        q = min(r, k)
        PU = np.linalg.svd(U, full_matrices=False)[0][:, :q]
        PV = np.linalg.svd(V, full_matrices=False)[0][:, :q]
        _, a, Wt = np.linalg.svd(L.T @ U)  # full: Wt is k × k
        D = X - problem.truth
        A = dense_operator_matrix(problem)
        E = (A.T @ (A @ X.ravel() - problem.y)).reshape(n1, n2) - D  # (𝒜*𝒜 − I)D − 𝒜*ξ
        if problem.psd:
            E = (E + E.T) / 2  # the part the symmetric flow uses
        nan = {"alignment_left": sine(PU, L), "alignment_right": sine(PV, R), "signal": a[q - 1],
               "noise": spectral_norm(U @ Wt[q:].T), "perturbation": spectral_norm(E),
               "perturbation_frobenius": np.linalg.norm(E)}
        rank = rank or r
    out.update(nan)
    if rank:
        P, Q = spectral_subspaces(problem, rank)
        q = min(rank, k)
        out["spectral_alignment_left"] = sine(np.linalg.svd(U, full_matrices=False)[0][:, :q], P)
        out["spectral_alignment_right"] = sine(np.linalg.svd(V, full_matrices=False)[0][:, :q], Q)
    else:
        out["spectral_alignment_left"] = out["spectral_alignment_right"] = np.nan
    return out


def run_with_factors(problem, **options):
    """A run recording every diagnostic, and the factors of every recorded iterate."""
    seen = {}

    def keep(info):
        seen[info.iteration] = (info.U, info.V)

    result = fs.gradient_descent(problem, diagnostics="all", callback=keep, **options)
    return result, seen


def close(actual, expected, name):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert np.array_equal(np.isnan(actual), np.isnan(expected)), (name, actual, expected)
    finite = ~np.isnan(expected)
    if not np.any(finite):
        return
    scale = max(1.0, float(np.max(np.abs(expected[finite]))))
    assert np.max(np.abs(actual[finite] - expected[finite])) <= 1e-10 * scale, (name, actual, expected)


def problems():
    kinds = dict(
        gaussian=lambda: fs.SensingProblem.gaussian(12, 9, 2, 150, condition_number=3, seed=1),
        gaussian_psd=lambda: fs.SensingProblem.gaussian(10, 10, 2, 150, condition_number=3, psd=True, seed=2),
        gaussian_noisy=lambda: fs.SensingProblem.gaussian(12, 9, 2, 150, condition_number=3, noise=0.05, seed=12),
        gaussian_psd_noisy=lambda: fs.SensingProblem.gaussian(10, 10, 2, 150, condition_number=3, psd=True,
                                                              noise=0.05, seed=13),
        symmetric_gaussian=lambda: fs.SensingProblem.symmetric_gaussian(10, 2, 120, condition_number=3, seed=3),
        factorization=lambda: fs.SensingProblem.factorization(12, 9, 3, condition_number=4, seed=4),
        factorization_psd=lambda: fs.SensingProblem.factorization(9, 9, 2, psd=True, condition_number=3, seed=5),
        completion=lambda: fs.SensingProblem.completion(14, 11, 2, 90, condition_number=3, seed=6),
        completion_psd=lambda: fs.SensingProblem.completion(12, 12, 2, 80, psd=True, condition_number=3, seed=7),
        rank_one=lambda: fs.SensingProblem.rank_one(10, 8, 2, 120, condition_number=3, seed=8),
        rank_one_psd=lambda: fs.SensingProblem.rank_one(9, 9, 2, 110, psd=True, condition_number=3, seed=9),
    )
    return kinds


@pytest.mark.parametrize("kind", list(problems()))
@pytest.mark.parametrize("width", [1, 5])
def test_every_diagnostic_matches_numpy(kind, width):
    problem = problems()[kind]()
    result, seen = run_with_factors(problem, width=width, init_scale=1e-2, step=0.2, max_iter=60, record_every=20,
                                    seed=11)
    history = result.history
    assert set(ALL) <= set(history) | set(history.matrices)
    assert list(history["iteration"]) == [0, 20, 40, 60]
    c = min(*problem.shape, width)
    assert history["singular_values"].shape == (4, c)
    for row, t in enumerate(history["iteration"]):
        U, V = seen[int(t)]
        expected = oracle(problem, U, V, c)
        for name in ALL:
            close(history[name][row], expected[name], f"{kind} k={width} t={t} {name}")


def test_without_a_truth_the_truth_columns_are_nan_and_the_spectral_ones_need_a_rank():
    source = fs.SensingProblem.gaussian(11, 8, 2, 120, condition_number=3, seed=12)
    problem = fs.SensingProblem.from_dense(source.A, source.y, source.shape)
    assert not problem.has_truth
    result, seen = run_with_factors(problem, width=4, step=0.2, max_iter=20, record_every=10, seed=1)
    for name in ["alignment_left", "alignment_right", "signal", "noise", "perturbation", "perturbation_frobenius",
                 "spectral_alignment_left", "spectral_alignment_right", "test_error"]:
        assert np.all(np.isnan(result.history[name])), name
    ranked, seen = run_with_factors(problem, width=4, step=0.2, max_iter=20, record_every=10, seed=1, rank=2)
    for row, t in enumerate(ranked.history["iteration"]):
        U, V = seen[int(t)]
        expected = oracle(problem, U, V, 4, rank=2)
        for name in ALL:
            close(ranked.history[name][row], expected[name], f"no truth, rank 2, t={t} {name}")
    assert np.all(np.isfinite(ranked.history["spectral_alignment_left"]))


def test_a_user_rank_other_than_the_truths_sets_the_spectral_subspace():
    """rank= names the spectral subspace's dimension even when the problem has a truth of
    another rank: the spectral alignment is against the top-3 subspace of 𝒜*(y) here, the
    truth's columns (alignment, signal, noise) keep the truth's rank 2."""
    for problem in (fs.SensingProblem.gaussian(12, 9, 2, 150, condition_number=3, seed=1),
                    fs.SensingProblem.gaussian(10, 10, 2, 150, condition_number=3, psd=True, seed=2)):
        result, seen = run_with_factors(problem, width=5, init_scale=1e-2, step=0.2, max_iter=40, record_every=20,
                                        seed=11, rank=3)
        for row, t in enumerate(result.history["iteration"]):
            U, V = seen[int(t)]
            expected = oracle(problem, U, V, 5, rank=3)
            for name in ALL:
                close(result.history[name][row], expected[name], f"rank 3 over a rank-2 truth, t={t} {name}")
        truth_ranked = oracle(problem, *seen[40], 5)
        assert abs(truth_ranked["spectral_alignment_left"] - expected["spectral_alignment_left"]) > 1e-6


def test_user_entries_with_a_truth():
    gen = fs.SensingProblem.completion(10, 12, 2, 70, condition_number=3, seed=13)
    rows, cols, scale = gen.entries
    values = gen.y / scale
    problem = fs.SensingProblem.from_entries(rows, cols, values, gen.shape, scale=scale, truth=gen.truth)
    result, seen = run_with_factors(problem, width=3, step=0.2, max_iter=30, record_every=15, seed=2)
    for row, t in enumerate(result.history["iteration"]):
        U, V = seen[int(t)]
        expected = oracle(problem, U, V, 3)
        for name in ALL:
            close(result.history[name][row], expected[name], f"user entries t={t} {name}")


def test_singular_value_count_and_default_set():
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    r = fs.gradient_descent(p, width=6, max_iter=5, singular_value_count=2)
    assert r.history["singular_values"].shape == (6, 2)
    assert "perturbation" not in r.history and "spectral_alignment_left" in r.history
    r = fs.gradient_descent(p, width=6, max_iter=5, diagnostics=["imbalance", "signal"])
    assert set(r.history) == {"iteration", "time", "loss", "test_error", "residual", "imbalance", "signal"}
    r = fs.gradient_descent(p, width=6, max_iter=5, diagnostics="none")
    assert set(r.history) == {"iteration", "time", "loss", "test_error", "residual"}
    assert not r.history.matrices


def test_identity_operator_has_no_perturbation():
    p = fs.SensingProblem.factorization(8, 7, 2, seed=3)
    r = fs.gradient_descent(p, width=3, max_iter=10, diagnostics=["perturbation", "perturbation_frobenius"])
    assert np.max(r.history["perturbation_frobenius"]) <= 1e-14 * np.max(r.history["test_error"]) * np.linalg.norm(p.truth)
    assert np.all(r.history["perturbation"] <= r.history["perturbation_frobenius"])


@pytest.mark.parametrize("bad, error", [
    (dict(diagnostics=["singular_values", "curvature"]), "unknown diagnostic \"curvature\""),
    (dict(diagnostics="everything"), "unknown diagnostic"),
    (dict(diagnostics=42), "diagnostics must be"),
    (dict(singular_value_count=7), "singular_value_count is 7"),
    (dict(singular_value_count=-1), "singular_value_count must be ≥ 0"),
    (dict(rank=13), "rank is 13"),
    (dict(alignment_threshold=0.0), "alignment_threshold must lie in (0, 1)"),
    (dict(saddle_fraction=1.0), "saddle_fraction must lie in (0, 1)"),
    (dict(plateau_tolerance=-0.5), "plateau_tolerance must lie in (0, 1)"),
    (dict(plateau_window=2.0), "plateau_window must lie in (0, 1)"),
])
def test_bad_diagnostic_options_are_refused(bad, error):
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    with pytest.raises(fs.InvalidArgumentError) as caught:
        fs.gradient_descent(p, width=6, max_iter=5, **bad)
    assert error in str(caught.value)
    if "unknown diagnostic" in error:
        assert "spectral_alignment_left" in str(caught.value)  # the message lists the valid names


def test_history_behaves_as_a_dict_of_scalar_columns_and_a_frame():
    pd = pytest.importorskip("pandas")
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    r = fs.gradient_descent(p, width=4, max_iter=10)
    frame = pd.DataFrame(r.history)
    assert "singular_values" not in frame and list(frame["loss"]) == list(r.history["loss"])
    tidy = r.history.to_frame()
    assert np.array_equal(tidy[[f"singular_value_{j}" for j in range(1, 5)]].to_numpy(), r.history["singular_values"])
    import pickle
    back = pickle.loads(pickle.dumps(r.history))
    assert np.array_equal(back["singular_values"], r.history["singular_values"]) and list(back) == list(r.history)


def test_callback_sees_the_factors_of_the_iterate():
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    seen = {}
    r = fs.gradient_descent(p, width=4, max_iter=7, record_every=7, callback=lambda i: seen.update({i.iteration: i}))
    last = seen[7]
    assert np.array_equal(last.U, r.U) and np.array_equal(last.V, r.V)
    psd = fs.SensingProblem.gaussian(8, 8, 2, 100, psd=True, seed=1)
    r = fs.gradient_descent(psd, width=3, max_iter=3, callback=lambda i: seen.update({"psd": i}))
    assert np.array_equal(seen["psd"].U, seen["psd"].V) and np.array_equal(seen["psd"].U, r.U)
