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


# ------------------------------------------------------------------ the issue's problems, small

def _issue_case(n1, n2, r, fraction, noise, seed=0):
    """The issue's setting: M = L Rᵀ with Gaussian factors, each entry observed with probability
    ``fraction`` (scale 1), noise σ = noise · RMS(M)."""
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n1, r)) @ rng.standard_normal((r, n2))
    rows, cols = np.nonzero(rng.random((n1, n2)) < fraction)
    values = M[rows, cols] + noise * np.sqrt(np.mean(M ** 2)) * rng.standard_normal(rows.size)
    return fs.SensingProblem.from_entries(rows, cols, values, (n1, n2), truth=M)


# ------------------------------------------------------------------ holdout split

MASK64 = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def _splitmix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    return z ^ (z >> 31)


def _numpy_holdout(m, fraction, seed):
    """docs/completion.md, "Holdout split", from its definition alone."""
    count = int(np.floor(fraction * m + 0.5))
    start = _splitmix(seed) ^ ((8 * GAMMA) & MASK64)
    keys = [_splitmix((start + (i + 1) * GAMMA) & MASK64) for i in range(m)]
    held = sorted(sorted(range(m), key=lambda i: (keys[i], i))[:count])
    return np.array(sorted(set(range(m)) - set(held)), dtype=np.int64), np.array(held, dtype=np.int64)


@pytest.mark.parametrize("seed", [0, 7, 2**64 - 1])
def test_holdout_split_matches_its_definition(seed):
    p = _issue_case(30, 20, 2, 0.5, 0.0)
    rows, cols, _ = p.entries
    training, validation = p.split_holdout(0.23, seed)
    train_idx, held_idx = _numpy_holdout(p.measurements, 0.23, seed)
    assert validation.measurements == held_idx.size
    np.testing.assert_array_equal(validation.entries[0], rows[held_idx])
    np.testing.assert_array_equal(validation.entries[1], cols[held_idx])
    np.testing.assert_array_equal(training.entries[0], rows[train_idx])
    assert validation.y.tobytes() == p.y[held_idx].tobytes()
    assert training.y.tobytes() == p.y[train_idx].tobytes()
    np.testing.assert_array_equal(training.truth, p.truth)


def test_holdout_split_of_a_dense_problem():
    p = fs.SensingProblem.gaussian(8, 6, 2, 60, seed=3)
    training, validation = p.split_holdout(0.25, 5)
    train_idx, held_idx = _numpy_holdout(60, 0.25, 5)
    np.testing.assert_array_equal(validation.A, p.A[held_idx])
    np.testing.assert_array_equal(training.A, p.A[train_idx])
    np.testing.assert_array_equal(validation.y, p.y[held_idx])


def test_holdout_refusals():
    p = _issue_case(10, 8, 2, 0.5, 0.0)
    for bad in [0.0, 1.0, -0.1, 1.5]:
        with pytest.raises(fs.InvalidArgumentError, match=r"holdout must lie in \(0, 1\)"):
            p.split_holdout(bad)
    with pytest.raises(fs.NotFiniteError):
        p.split_holdout(np.nan)
    with pytest.raises(fs.InvalidArgumentError, match="at least one"):
        p.split_holdout(1e-6)
    with pytest.raises(fs.InvalidArgumentError, match="holdout"):
        fs.gradient_descent(p, 2, holdout=1.0)


# ------------------------------------------------------------------ validation error, patience, restore_best

def test_validation_error_matches_numpy_every_recorded_row():
    p = _issue_case(30, 24, 2, 0.5, 0.05, seed=1)
    rng = np.random.default_rng(9)
    observed = set(zip(*p.entries[:2]))
    held = [(i, j) for i in range(30) for j in range(24) if (i, j) not in observed]
    pick = rng.choice(len(held), 40, replace=False)
    vr = np.array([held[i][0] for i in pick])
    vc = np.array([held[i][1] for i in pick])
    vv = p.truth[vr, vc] + 0.1 * rng.standard_normal(40)
    k = 4
    U0, V0 = 0.1 * rng.standard_normal((30, k)), 0.1 * rng.standard_normal((24, k))
    r = fs.gradient_descent(p, init=(U0, V0), step=0.05, max_iter=30, record_every=7, diagnostics="none",
                            validation=(vr, vc, vv))
    # Replay the run in numpy and score each recorded iterate.
    rows, cols, _ = p.entries
    U, V = U0.copy(), V0.copy()
    expected = {}
    for t in range(31):
        X = U @ V.T
        expected[t] = np.linalg.norm(X[vr, vc] - vv) / np.linalg.norm(vv)
        rho = X[rows, cols] - p.y
        G = np.zeros((30, 24))
        np.add.at(G, (rows, cols), rho)
        U, V = U - 0.05 * G @ V, V - 0.05 * G.T @ U
    got = r.history["validation_error"]
    np.testing.assert_array_equal(r.history["iteration"], [0, 7, 14, 21, 28, 30])
    np.testing.assert_allclose(got, [expected[t] for t in r.history["iteration"]], rtol=1e-10)
    assert r.best_iteration == int(r.history["iteration"][np.argmin(got)])


def test_patience_and_restore_best_follow_their_definition():
    p = _issue_case(60, 50, 2, 0.3, 0.3, seed=2)
    base = dict(step=0.02, max_iter=4000, seed=3, record_every=5, diagnostics="none", holdout=0.15)
    full = fs.gradient_descent(p, 12, **base)
    ve = full.history["validation_error"]
    # The first recorded row from which `patience` rows pass without a new minimum.
    patience = 20
    best, since, stop_row = np.inf, 0, None
    for row, value in enumerate(ve):
        if value < best:
            best, since = value, 0
        else:
            since += 1
        if since >= patience:
            stop_row = row
            break
    assert stop_row is not None, "the validation error must turn up for this test to mean something"
    early = fs.gradient_descent(p, 12, patience=patience, restore_best=True, **base)
    assert early.stop_reason == "early_stopped"
    assert early.iterations == full.history["iteration"][stop_row]
    np.testing.assert_array_equal(early.history["validation_error"], ve[:stop_row + 1])
    best_row = int(np.argmin(ve[:stop_row + 1]))
    assert early.best_iteration == full.history["iteration"][best_row]
    # The restored factors are the best iterate's: replay to it without early stopping.
    replay = fs.gradient_descent(p, 12, **{**base, "max_iter": early.best_iteration})
    assert early.U.tobytes() == replay.U.tobytes() and early.V.tobytes() == replay.V.tobytes()
    # Without restore_best: the last iterate, the same best_iteration.
    last = fs.gradient_descent(p, 12, patience=patience, **base)
    assert last.best_iteration == early.best_iteration
    np.testing.assert_array_equal(last.U, fs.gradient_descent(p, 12, **{**base, "max_iter": early.iterations}).U)


def test_validation_refusals():
    p = _issue_case(12, 10, 2, 0.5, 0.0)
    rows, cols, _ = p.entries
    with pytest.raises(fs.InvalidArgumentError, match="overlap"):
        fs.gradient_descent(p, 2, validation=(rows[:3], cols[:3], np.ones(3)), max_iter=1)
    with pytest.raises(fs.InvalidArgumentError, match="patience"):
        fs.gradient_descent(p, 2, patience=5, max_iter=1)
    with pytest.raises(fs.InvalidArgumentError, match="restore_best"):
        fs.gradient_descent(p, 2, restore_best=True, max_iter=1)
    for bad in [0, -3, 2.5, True]:
        with pytest.raises(fs.InvalidArgumentError, match="patience"):
            fs.gradient_descent(p, 2, holdout=0.2, patience=bad, max_iter=1)
    with pytest.raises(fs.InvalidArgumentError, match="either"):
        fs.gradient_descent(p, 2, holdout=0.2, validation=p, max_iter=1)
    other = _issue_case(12, 11, 2, 0.5, 0.0)
    with pytest.raises(fs.SizeMismatchError, match="validation"):
        fs.gradient_descent(p, 2, validation=other, max_iter=1)


def test_early_stopping_recovers_the_trajectory_minimum():
    """A smaller analogue of the issue's noisy problem (same sampling fraction and noise, k = 4 r):
    restore_best lands within 10 % of the minimum test error along the trajectory."""
    p = _issue_case(200, 160, 3, 0.15, 0.1, seed=4)
    r = fs.gradient_descent(p, 12, step="auto", max_iter=3000, seed=1, record_every=5, diagnostics="none",
                            holdout=0.1)
    te = r.history["test_error"]
    assert te[-1] > 1.5 * te.min(), "overfitting must show in the trajectory"
    early = fs.gradient_descent(p, 12, step="auto", max_iter=3000, seed=1, record_every=5, diagnostics="none",
                                holdout=0.1, patience=40, restore_best=True)
    error = np.linalg.norm(early.X - p.truth) / np.linalg.norm(p.truth)
    assert error <= 1.1 * te.min()


# ------------------------------------------------------------------ automatic step

def _numpy_objective(p, U, V):
    rows, cols, scale = p.entries
    rho = scale * (U @ V.T)[rows, cols] - p.y
    G = np.zeros(p.shape)
    np.add.at(G, (rows, cols), scale * rho)
    return 0.5 * rho @ rho, G @ V, G.T @ U


def test_armijo_rule_step_by_step():
    """Replays the line search in numpy from the run's own η₀ (its first 'step' row): each
    accepted step is the first of η, η/2, η/4, … that satisfies the Armijo condition, and the
    next try is 1.1·η."""
    p = _issue_case(40, 30, 2, 0.4, 0.0, seed=5)
    rng = np.random.default_rng(2)
    U, V = rng.standard_normal((40, 3)), rng.standard_normal((30, 3))
    r = fs.gradient_descent(p, init=(U, V), step="auto", max_iter=25, diagnostics="none")
    steps = r.history["step"]
    eta = steps[0]
    halvings = 0
    for t in range(1, 26):
        f, gU, gV = _numpy_objective(p, U, V)
        while True:
            Un, Vn = U - eta * gU, V - eta * gV
            if _numpy_objective(p, Un, Vn)[0] <= f - 1e-4 * eta * (np.sum(gU * gU) + np.sum(gV * gV)):
                break
            eta /= 2
            halvings += 1
        assert steps[t] == pytest.approx(eta, rel=1e-12), t
        assert r.history["time"][t] == pytest.approx(np.sum(steps[1:t + 1]), rel=1e-12)
        U, V, eta = Un, Vn, 1.1 * eta
    assert halvings > 0, "the test must exercise backtracking"
    np.testing.assert_allclose(r.U, U, rtol=1e-9, atol=1e-9)
    assert np.all(np.diff(r.history["loss"]) <= 0)


def test_initial_step_is_the_inverse_of_the_hessian_norm():
    """η₀ = 1/L̂ with L̂ close to the spectral norm of the Hessian at the start (numpy, by
    finite differences of the exact gradient and a dense eigen-solve)."""
    p = _issue_case(12, 10, 2, 0.6, 0.0, seed=6)
    rng = np.random.default_rng(3)
    U, V = rng.standard_normal((12, 2)), rng.standard_normal((10, 2))
    x = np.concatenate([U.ravel(), V.ravel()])

    def grad(x):
        _, gU, gV = _numpy_objective(p, x[:24].reshape(12, 2), x[24:].reshape(10, 2))
        return np.concatenate([gU.ravel(), gV.ravel()])

    h = 1e-6
    H = np.array([(grad(x + h * e) - grad(x - h * e)) / (2 * h) for e in np.eye(x.size)])
    L = np.max(np.abs(np.linalg.eigvalsh((H + H.T) / 2)))
    r = fs.gradient_descent(p, init=(U, V), step="auto", max_iter=0, diagnostics="none")
    # Ten power iterations from a random start: from below (‖Hd‖ ≤ ‖H‖ for a unit d, up to the
    # finite difference), within 10 % of the top |eigenvalue|.
    estimate = 1 / r.history["step"][0]
    assert 0.9 * L <= estimate <= (1 + 1e-4) * L


@pytest.mark.parametrize("case", [(200, 160, 5, 0.15, 0.0), (200, 160, 5, 0.15, 0.1), (100, 80, 3, 0.4, 0.0)])
def test_auto_step_converges_on_the_issue_problems(case):
    """Smaller analogues of the issue's three problems (the third at full size): no step given,
    the loss never rises, and the run converges (benchmarks/bench_completion_peers.py runs the
    full sizes)."""
    p = _issue_case(*case, seed=7)
    r = fs.gradient_descent(p, case[2], step="auto", max_iter=3000, tol=1e-6, seed=1, diagnostics="none")
    assert r.stop_reason == "converged"
    assert np.all(np.diff(r.history["loss"]) <= 0)
    f, gU, gV = _numpy_objective(p, r.U, r.V)  # a stationary point, relative to the data's scale
    assert np.sqrt(np.sum(gU ** 2) + np.sum(gV ** 2)) <= 1e-6 * np.linalg.norm(p.y) * np.linalg.norm(
        np.concatenate([r.U.ravel(), r.V.ravel()]))
    if case[4] == 0:
        assert r.history["test_error"][-1] < 1e-10
    else:  # the noise floor a fixed step (half the automatic η₀, stable here) reaches
        reference = fs.gradient_descent(p, case[2], step=r.history["step"][0] / 2, max_iter=20000, tol=1e-9, seed=1,
                                        diagnostics="none")
        assert reference.stop_reason == "converged"
        assert r.history["test_error"][-1] == pytest.approx(reference.history["test_error"][-1], rel=1e-4)


def test_auto_step_refusals():
    p = _issue_case(12, 10, 2, 0.5, 0.0)
    with pytest.raises(fs.InvalidArgumentError, match="batch_size"):
        fs.gradient_descent(p, 2, step="auto", batch_size=5, max_iter=1)
    with pytest.raises(fs.InvalidArgumentError, match="noise_injection"):
        fs.gradient_descent(p, 2, step="auto", noise_injection=1e-3, max_iter=1)
    with pytest.raises(fs.InvalidArgumentError, match="auto"):
        fs.gradient_descent(p, 2, step="fast", max_iter=1)


def test_auto_step_is_deterministic():
    p = _issue_case(50, 40, 2, 0.3, 0.1)
    a = fs.gradient_descent(p, 6, step="auto", max_iter=200, seed=4, diagnostics="none")
    b = fs.gradient_descent(p, 6, step="auto", max_iter=200, seed=4, diagnostics="none")
    assert a.U.tobytes() == b.U.tobytes()
    assert a.history["step"].tobytes() == b.history["step"].tobytes()


def test_low_level_validation_calls():
    """fs_options_set_validation / fs_options_clear_validation / fs_result_get_best_iteration."""
    from ctypes import byref, c_int64
    from factorsense._lib import lib
    from factorsense.solvers import _Options, _ResultHandle

    p = _issue_case(20, 16, 2, 0.5, 0.1)
    training, validation = p.split_holdout(0.2, 1)
    options, result = _Options(), _ResultHandle()
    options.set(dict(width=3, max_iter=20, patience=3, step=0.05))
    assert lib.fs_options_set_validation(options.handle, validation.handle) == 0
    assert lib.fs_gradient_descent(training.handle, options.handle, result.handle) == 0
    best = c_int64()
    assert lib.fs_result_get_best_iteration(result.handle, byref(best)) == 0
    assert best.value >= 0
    assert lib.fs_options_clear_validation(options.handle) == 0
    status = lib.fs_gradient_descent(training.handle, options.handle, result.handle)
    assert status != 0 and b"patience" in lib.fs_last_error(result.handle)
    assert lib.fs_options_set_validation(options.handle, None) != 0


@pytest.mark.parametrize("extra, expected", [(0.4, 10), (0.6, 11)])
def test_holdout_count_rounds_to_nearest(extra, expected):
    p = _issue_case(30, 20, 2, 0.5, 0.0)
    m = p.measurements
    training, validation = p.split_holdout((10 + extra) / m, 3)
    assert validation.measurements == expected
    assert training.measurements == m - expected


def test_best_iteration_ties_go_to_the_earliest_row():
    """Validation entries in a row no training entry touches, with that row of U₀ zero: X stays
    0 there, every validation error is exactly 1, and the best row is the first (a strictly
    smaller error is needed to replace it)."""
    rng = np.random.default_rng(0)
    M = rng.standard_normal((10, 2)) @ rng.standard_normal((2, 8))
    rows, cols = np.nonzero(rng.random((10, 8)) < 0.6)
    keep = rows != 0
    p = fs.SensingProblem.from_entries(rows[keep], cols[keep], M[rows[keep], cols[keep]], (10, 8))
    U0, V0 = 0.1 * rng.standard_normal((10, 3)), 0.1 * rng.standard_normal((8, 3))
    U0[0] = 0
    r = fs.gradient_descent(p, init=(U0, V0), step=0.05, max_iter=40, record_every=10, diagnostics="none",
                            validation=(np.zeros(3, dtype=int), np.arange(3), M[0, :3]), patience=2)
    np.testing.assert_array_equal(r.history["validation_error"], 1.0)
    assert r.best_iteration == 0
    assert r.stop_reason == "early_stopped" and r.iterations == 20


def test_validation_values_that_are_all_zero_are_refused():
    """Issue 22: all-zero validation values gave a NaN validation error at every row, early_stopped
    at an arbitrary row and best_iteration None; the relative error is undefined: refused."""
    p = fs.SensingProblem.gaussian(12, 10, 2, 150, seed=3)
    held = fs.SensingProblem.from_entries([0, 1, 2], [5, 6, 7], [0.0, 0.0, 0.0], p.shape)
    with pytest.raises(fs.InvalidArgumentError, match="validation values are all 0"):
        fs.gradient_descent(p, 2, max_iter=100, validation=held, patience=5)
