"""fs.gradient_flow against closed forms and scipy.integrate.solve_ivp, gradient descent tracking
the flow to first order in η, the perturbations, and every refusal."""
import os
import signal
import threading

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import factorsense as fs


def start(p, k, alpha=1e-3, seed=0):
    r = fs.gradient_descent(p, width=k, init_scale=alpha, seed=seed, max_iter=0)
    return r.U, r.V


def sensing_rhs(p, n1, n2, k):
    A, y = p.A, p.y

    def f(t, z):
        U, V = z[:n1 * k].reshape(n1, k), z[n1 * k:].reshape(n2, k)
        G = (A.T @ (A @ (U @ V.T).ravel() - y)).reshape(n1, n2)
        return -np.concatenate([(G @ V).ravel(), (G.T @ U).ravel()])
    return f


def test_the_scalar_factorization_flow_is_the_logistic_curve():
    """u' = (s − uv)v, v' = (s − uv)u from u = v: x = uv solves x' = 2x(s − x), so
    x(t) = s / (1 + (s/x₀ − 1) e^{−2st})."""
    s, x0 = 2.0, 1e-4
    p = fs.SensingProblem.factorization(target=np.array([[s]]))
    times = np.linspace(0, 6, 61)
    u0 = np.array([[np.sqrt(x0)]])
    r = fs.gradient_flow(p, U0=u0, V0=u0, times=times, rtol=1e-11, atol=1e-14, diagnostics="none")
    assert r.stop_reason == "end_time"
    x = r.U[0, 0] * r.V[0, 0]
    logistic = s / (1 + (s / x0 - 1) * np.exp(-2 * s * times))
    np.testing.assert_allclose(x, logistic[-1], rtol=1e-9)
    # Every row: loss ½(x − s)² along the curve.
    np.testing.assert_allclose(r.history["loss"], 0.5 * (logistic - s) ** 2, rtol=1e-8, atol=1e-13)
    np.testing.assert_array_equal(r.history["time"], times)
    np.testing.assert_array_equal(r.history["iteration"], np.arange(61))


def test_agrees_with_dop853_on_a_sensing_problem():
    """The issue's problem: 20 × 20, rank 2, m = 400, k = 5, α = 1e-3, t ∈ [0, 8]."""
    p = fs.SensingProblem.gaussian(20, 20, 2, 400, seed=0)
    U0, V0 = start(p, 5)
    times = np.linspace(0, 8, 81)
    reference = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), np.concatenate([U0.ravel(), V0.ravel()]),
                          method="DOP853", rtol=1e-11, atol=1e-14, t_eval=times)
    r = fs.gradient_flow(p, U0=U0, V0=V0, times=times, rtol=1e-10, atol=1e-12)
    X = r.U @ r.V.T
    Xref = reference.y[:100, -1].reshape(20, 5) @ reference.y[100:, -1].reshape(20, 5).T
    assert np.linalg.norm(X - Xref) / np.linalg.norm(Xref) < 1e-7
    # Every row's loss against the reference trajectory.
    losses = [0.5 * np.sum((p.A @ (z[:100].reshape(20, 5) @ z[100:].reshape(20, 5).T).ravel() - p.y) ** 2)
              for z in reference.y.T]
    np.testing.assert_allclose(r.history["loss"], losses, rtol=1e-6)


def test_evaluations_match_scipys_dormand_prince():
    """The same pair and controller as scipy's RK45: no more evaluations than it needs (DOP853,
    an order-8 method, needs fewer at tight tolerances: printed, see docs)."""
    p = fs.SensingProblem.gaussian(20, 20, 2, 400, seed=0)
    U0, V0 = start(p, 5)
    z0 = np.concatenate([U0.ravel(), V0.ravel()])
    for tol in (1e-6, 1e-10):
        r = fs.gradient_flow(p, U0=U0, V0=V0, times=[0, 8], rtol=tol, atol=tol * 1e-2, diagnostics="none")
        rk45 = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), z0, method="RK45", rtol=tol, atol=tol * 1e-2)
        dop853 = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), z0, method="DOP853", rtol=tol, atol=tol * 1e-2)
        print(f"rtol {tol:g}: FactorSense {r.flow_statistics['evaluations']}, RK45 {rk45.nfev}, DOP853 {dop853.nfev}")
        # Bounded on both sides: a cheaper controller (fewer, longer steps) would be less accurate.
        assert 0.98 * rk45.nfev <= r.flow_statistics["evaluations"] <= 1.02 * rk45.nfev
        reference = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), z0, method="DOP853", rtol=1e-12, atol=1e-15)
        X = reference.y[:100, -1].reshape(20, 5) @ reference.y[100:, -1].reshape(20, 5).T
        ours, theirs = np.linalg.norm(r.U @ r.V.T - X), np.linalg.norm(rk45.y[:100, -1].reshape(20, 5)
                                                                       @ rk45.y[100:, -1].reshape(20, 5).T - X)
        assert ours <= 2 * theirs + 1e-14 * np.linalg.norm(X)


@pytest.mark.parametrize("tol", [1e-6, 1e-10])
def test_dop853_needs_no_more_evaluations_than_scipys(tol):
    """method="dop853" is Hairer's DOP853 with scipy's controller: on the issue's problem, with rows
    every 0.1 (scipy: t_eval), it needs no more evaluations than scipy's DOP853 and agrees with the
    rtol 1e-11 reference to the tolerance."""
    p = fs.SensingProblem.gaussian(20, 20, 2, 400, seed=0)
    U0, V0 = start(p, 5)
    z0 = np.concatenate([U0.ravel(), V0.ravel()])
    times = np.linspace(0, 8, 81)
    ours = fs.gradient_flow(p, U0=U0, V0=V0, times=times, rtol=tol, atol=tol * 1e-2, method="dop853")
    scipy_run = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), z0, method="DOP853", rtol=tol, atol=tol * 1e-2, t_eval=times)
    reference = solve_ivp(sensing_rhs(p, 20, 20, 5), (0, 8), z0, method="DOP853", rtol=1e-12, atol=1e-15, t_eval=times)
    print(f"rtol {tol:g}: FactorSense DOP853 {ours.flow_statistics['evaluations']}, scipy DOP853 {scipy_run.nfev}")
    assert 0.95 * scipy_run.nfev <= ours.flow_statistics["evaluations"] <= scipy_run.nfev
    for row, z in zip(range(0, 81, 10), reference.y.T[::10]):
        X = z[:100].reshape(20, 5) @ z[100:].reshape(20, 5).T
        loss = 0.5 * np.sum((p.A @ X.ravel() - p.y) ** 2)
        assert abs(ours.history["loss"][row] - loss) <= 100 * tol * loss
    X = reference.y[:100, -1].reshape(20, 5) @ reference.y[100:, -1].reshape(20, 5).T
    assert np.linalg.norm(ours.U @ ours.V.T - X) / np.linalg.norm(X) < 100 * tol


def test_gradient_descent_tracks_the_flow_to_first_order():
    """‖X_GD(n) − X_flow(ηn)‖ at t = ηn = 8 shrinks tenfold with η (first order)."""
    p = fs.SensingProblem.gaussian(20, 20, 2, 400, seed=0)
    U0, V0 = start(p, 5)
    flow = fs.gradient_flow(p, U0=U0, V0=V0, times=[0, 8], rtol=1e-11, atol=1e-14, diagnostics="none")
    X = flow.U @ flow.V.T
    gaps = []
    for eta in (0.1, 0.01, 0.001):
        gd = fs.gradient_descent(p, U0=U0, V0=V0, step=eta, max_iter=int(round(8 / eta)), record_every=10**6,
                                 diagnostics="none")
        gaps.append(np.linalg.norm(gd.U @ gd.V.T - X) / np.linalg.norm(X))
    print("GD against the flow at t = 8:", gaps)
    for coarse, fine in zip(gaps, gaps[1:]):
        assert 5 < coarse / fine < 20


def test_psd_flow_agrees_with_solve_ivp():
    p = fs.SensingProblem.symmetric_gaussian(10, 2, 200, seed=1)
    U0, _ = start(p, 3)
    A, y = p.A, p.y

    def f(t, u):
        U = u.reshape(10, 3)
        G = (A.T @ (A @ (U @ U.T).ravel() - y)).reshape(10, 10)
        return -(0.5 * (G + G.T) @ U).ravel()
    reference = solve_ivp(f, (0, 5), U0.ravel(), method="DOP853", rtol=1e-12, atol=1e-14)
    r = fs.gradient_flow(p, U0=U0, times=[0, 5], rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(r.U.ravel(), reference.y[:, -1], rtol=0, atol=1e-7 * np.abs(reference.y[:, -1]).max())
    np.testing.assert_array_equal(r.U, r.V)


def test_the_operator_perturbation_is_the_population_flow_plus_its_e():
    """perturbation="operator" equals the population flow with E = 𝒜*(𝒜(X) − y) − (X − X⋆)
    computed in numpy and handed in as a callable; E = 0 as a callable is "none", bit for bit."""
    p = fs.SensingProblem.gaussian(8, 6, 2, 120, seed=2)
    A, y, truth = p.A, p.y, p.truth

    def operator_e(t, U, V):
        D = U @ V.T - truth
        return (A.T @ (A @ (U @ V.T).ravel() - y)).reshape(8, 6) - D

    U0, V0 = start(p, 3, alpha=0.1)
    times = np.linspace(0, 3, 7)
    own = fs.gradient_flow(p, U0=U0, V0=V0, times=times, rtol=1e-11, atol=1e-14)
    handed = fs.gradient_flow(p, U0=U0, V0=V0, times=times, rtol=1e-11, atol=1e-14, perturbation=operator_e)
    np.testing.assert_allclose(handed.U @ handed.V.T, own.U @ own.V.T, rtol=0, atol=1e-8)
    none = fs.gradient_flow(p, U0=U0, V0=V0, times=times, perturbation="none")
    zeros = fs.gradient_flow(p, U0=U0, V0=V0, times=times, perturbation=lambda t, U, V: np.zeros((8, 6)))
    np.testing.assert_array_equal(none.U, zeros.U)
    np.testing.assert_array_equal(none.history["loss"], zeros.history["loss"])
    # The population flow at width r converges to X⋆ itself: its test error goes to 0 (at k > r
    # the extra column decays only sublinearly).
    far = fs.gradient_flow(p, width=2, init_scale=0.1, times=[0, 60], perturbation="none")
    assert far.history["test_error"][-1] < 1e-6


def test_a_perturbation_can_stop_fail_or_raise():
    p = fs.SensingProblem.gaussian(8, 6, 2, 120, seed=2)
    stopped = fs.gradient_flow(p, width=2, times=np.linspace(0, 5, 11),
                               perturbation=lambda t, U, V: None if t > 2 else np.zeros((8, 6)))
    assert stopped.stop_reason == "callback" and stopped.history["time"][-1] <= 2
    with pytest.raises(fs.SizeMismatchError, match="shape"):
        fs.gradient_flow(p, width=2, times=[0, 1], perturbation=lambda t, U, V: np.zeros((6, 8)))
    with pytest.raises(fs.NotFiniteError, match="perturbation"):
        fs.gradient_flow(p, width=2, times=[0, 1], perturbation=lambda t, U, V: np.full((8, 6), np.nan))

    class Boom(Exception):
        pass

    def boom(t, U, V):
        if t > 0.5:
            raise Boom("from the perturbation")
        return np.zeros((8, 6))
    with pytest.raises(Boom) as caught:
        fs.gradient_flow(p, width=2, times=np.linspace(0, 2, 9), perturbation=boom)
    assert caught.value.result.stop_reason == "callback"


def test_blow_up_and_budgets_end_with_a_stop_reason():
    """E = −10³·UVᵀ drives the factors to blow up in finite time: the flow ends (diverged or
    step-size underflow) instead of hanging; a small evaluation budget ends it as max_iterations."""
    p = fs.SensingProblem.gaussian(8, 6, 2, 120, seed=2)
    r = fs.gradient_flow(p, width=2, init_scale=1.0, times=[0, 100], perturbation=lambda t, U, V: -1e3 * U @ V.T)
    assert r.stop_reason in ("diverged", "step_size_underflow")
    assert np.isfinite(r.U).all()
    budget = fs.gradient_flow(p, width=2, times=[0, 100], max_evaluations=50)
    assert budget.stop_reason == "max_iterations" and budget.flow_statistics["evaluations"] <= 50


def test_ctrl_c_stops_the_flow():
    p = fs.SensingProblem.gaussian(30, 30, 2, 900, seed=0)
    threading.Timer(0.3, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_flow(p, width=4, times=np.linspace(0, 1e6, 10**5), rtol=1e-12, atol=1e-15)
    assert caught.value.result.stop_reason == "interrupted"


@pytest.mark.parametrize("arguments, error, message", [
    (dict(times=[]), fs.InvalidArgumentError, "empty"),
    (dict(times=[0, 2, 1]), fs.InvalidArgumentError, "increase"),
    (dict(times=[0, 1, 1]), fs.InvalidArgumentError, "increase"),
    (dict(times=[-1, 1]), fs.InvalidArgumentError, "≥ 0"),
    (dict(times=[0, np.nan]), fs.NotFiniteError, "finite"),
    (dict(times=[0, 1], rtol=0), fs.InvalidArgumentError, "rtol"),
    (dict(times=[0, 1], atol=-1), fs.InvalidArgumentError, "atol"),
    (dict(times=[0, 1], rtol=np.inf), fs.NotFiniteError, "rtol"),
    (dict(times=[0, 1], max_evaluations=0), fs.InvalidArgumentError, "max_evaluations"),
    (dict(times=[0, 1], perturbation="sideways"), fs.InvalidArgumentError, "perturbation"),
    (dict(times=[0, 1], method="euler"), fs.InvalidArgumentError, "method"),
    (dict(times=[0, 1], speed=2), fs.InvalidArgumentError, "speed"),
])
def test_refusals(arguments, error, message):
    p = fs.SensingProblem.gaussian(8, 6, 2, 120, seed=2)
    with pytest.raises(error, match=message):
        fs.gradient_flow(p, width=2, **arguments)


def test_the_population_flow_needs_a_truth():
    p = fs.SensingProblem.from_dense(np.eye(6), np.ones(6), (3, 2))
    with pytest.raises(fs.InvalidArgumentError, match="truth"):
        fs.gradient_flow(p, width=1, times=[0, 1], perturbation="none")
    assert fs.gradient_flow(p, width=1, times=[0, 1]).stop_reason == "end_time"  # the problem's own flow needs none


def test_the_progress_callback_sees_the_flow_between_requested_times():
    """Issue 22: with times=[0, T] the callback ran only at the two rows. Now an accepted step
    after 0.1 s since the last report is reported too (with the last row's index; nothing is
    recorded). The perturbation sleeps 2 ms an evaluation, so the integration lasts
    longer than 0.3 s on any machine."""
    import time

    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=4)
    zero = np.zeros(p.shape)

    def slow(t, U, V):
        time.sleep(0.002)
        return zero

    seen = []
    r = fs.gradient_flow(p, width=3, times=[0.0, 40.0], perturbation=slow, rtol=1e-10, atol=1e-12, seed=1,
                         diagnostics="none", callback=lambda info: seen.append((info.iteration, info.loss)))
    assert r.flow_statistics["evaluations"] * 0.002 > 0.3
    rows = [row for row, _ in seen]
    assert rows[-1] == 1 and rows.count(0) >= 3, rows  # row 0, then at least two reports before row 1
    assert seen[1][1] != seen[0][1]  # a report between the rows sees a later state than row 0
    assert list(r.history["time"]) == [0.0, 40.0]  # nothing recorded between the rows


@pytest.mark.parametrize("variant, name", [
    (dict(preconditioner="scaled"), "preconditioner"), (dict(noise_injection=1e-3), "noise_injection"),
    (dict(batch_size=10), "batch_size"), (dict(step="auto"), "step_rule"), (dict(patience=3), "patience"),
    (dict(restore_best=True), "restore_best"), (dict(validation="holdout"), "validation set"),
])
def test_the_flow_refuses_what_it_has_no_counterpart_of(variant, name):
    """Issue 22: these were silently ignored; balancing and ridge, terms of the loss, change it."""
    p = fs.SensingProblem.completion(12, 10, 2, 80, seed=1)
    if variant.get("validation") == "holdout":
        p, held = p.split_holdout(0.2, 1)
        variant = dict(validation=held)
    with pytest.raises(fs.InvalidArgumentError, match=f"the gradient flow has no {name}"):
        fs.gradient_flow(p, width=2, times=[0, 1], **variant)


def test_balancing_and_ridge_change_the_flow():
    p = fs.SensingProblem.gaussian(10, 8, 2, 120, seed=2)
    plain = fs.gradient_flow(p, width=3, times=[0, 2], init_scale=0.3, seed=1, diagnostics="none")
    for variant in (dict(balancing=0.5), dict(ridge=0.1)):
        other = fs.gradient_flow(p, width=3, times=[0, 2], init_scale=0.3, seed=1, diagnostics="none", **variant)
        assert not np.allclose(other.U, plain.U), variant


def test_the_operator_flow_is_minus_the_gradient_of_the_regularized_objective():
    """Its velocity at the start (a tiny time step) against the numpy gradient of
    ½‖𝒜(UVᵀ) − y‖² + (λ/8)‖UᵀU − VᵀV‖²_F + (μ/2)(‖U‖² + ‖V‖²)."""
    p = fs.SensingProblem.gaussian(6, 5, 2, 40, seed=0)
    rng = np.random.default_rng(0)
    U0, V0 = rng.standard_normal((6, 2)), rng.standard_normal((5, 2))
    A, y, h = p.A, p.y, 1e-6
    G = (A.T @ (A @ (U0 @ V0.T).ravel() - y)).reshape(6, 5)
    B = U0.T @ U0 - V0.T @ V0
    for balancing, ridge in ((0.0, 0.0), (0.7, 0.0), (0.0, 0.3), (0.7, 0.3)):
        r = fs.gradient_flow(p, U0=U0, V0=V0, times=[0.0, h], rtol=1e-13, atol=1e-15, balancing=balancing,
                             ridge=ridge, diagnostics="none")
        dU = -(G @ V0 + balancing / 2 * U0 @ B + ridge * U0)
        dV = -(G.T @ U0 - balancing / 2 * V0 @ B + ridge * V0)
        assert np.allclose((r.U - U0) / h, dU, rtol=1e-4, atol=1e-5)
        assert np.allclose((r.V - V0) / h, dV, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name", ["ridge", "balancing"])
@pytest.mark.parametrize("perturbation", ["none", "callable"])
def test_the_population_flow_refuses_ridge_and_balancing(name, perturbation):
    """Issue 22: the population flow of ½‖UVᵀ − X⋆‖²_F has no such terms; they were ignored."""
    p = fs.SensingProblem.gaussian(6, 5, 2, 40, seed=0)
    if perturbation == "callable":
        perturbation = lambda t, U, V: np.zeros((6, 5))  # noqa: E731
    with pytest.raises(fs.InvalidArgumentError, match=rf"{name} 0.5.*the population flow"):
        fs.gradient_flow(p, 2, times=[0.0, 1.0], perturbation=perturbation, **{name: 0.5})
    fs.gradient_flow(p, 2, times=[0.0, 1.0], **{name: 0.5})  # the operator flow follows it
