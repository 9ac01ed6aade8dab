"""The gradient flow against numpy's solve_ivp of its definition (docs/mathematics.md, "Gradient
flow"), on the cases test_flow.py leaves out: a PSD population flow driven by an asymmetric,
state- and time-dependent perturbation E (the flow uses ½((D + E) + (D + E)ᵀ)U), wide and tall
asymmetric population flows (n1 ≠ n2), a flow whose first time is not 0, and flows started at
the truth. Every recorded row (loss, test error, residual, time, iteration) is checked against
the reference trajectory, and so are the final factors and the arguments the perturbation sees.

    asymmetric:  dU/dt = −(D + E)V,  dV/dt = −(D + E)ᵀU,   D = UVᵀ − X⋆
    PSD:         dU/dt = −½((D + E) + (D + E)ᵀ)U,         D = UUᵀ − X⋆
"""
import numpy as np
import pytest
from scipy.integrate import solve_ivp

import factorsense as fs
from conftest import dense_operator_matrix

RTOL = 1e-7  # the library integrates at rtol 1e-11; the reference at 1e-12


def perturbation_of(n1, n2, seed):
    """E(t, U, V) = t·B + C·(UVᵀ), with B, C fixed n1 × n2 and n1 × n1 matrices: asymmetric,
    time- and state-dependent, so a flow that ignores t, the state or E's asymmetry shows."""
    rng = np.random.default_rng(seed)
    B, C = 0.3 * rng.standard_normal((n1, n2)), 0.2 * rng.standard_normal((n1, n1))
    return lambda t, U, V: t * B + C @ (U @ V.T)


def reference(problem, U0, V0, times, E):
    """solve_ivp (DOP853, rtol 1e-12) of the population flow with perturbation E (None: E = 0),
    at `times`; the factors (U, V) at each time (V is U for a PSD problem)."""
    n1, n2 = problem.shape
    k = U0.shape[1]
    X_star = problem.truth
    psd = problem.psd

    def split(z):
        U = z[:n1 * k].reshape(n1, k)
        return (U, U) if psd else (U, z[n1 * k:].reshape(n2, k))

    def rhs(t, z):
        U, V = split(z)
        F = U @ V.T - X_star + (0 if E is None else E(t, U, V))
        if psd:
            return -(0.5 * (F + F.T) @ U).ravel()
        return -np.concatenate([(F @ V).ravel(), (F.T @ U).ravel()])

    z0 = U0.ravel() if psd else np.concatenate([U0.ravel(), V0.ravel()])
    solution = solve_ivp(rhs, (times[0], times[-1]), z0, method="DOP853", rtol=1e-12, atol=1e-14, t_eval=times)
    assert solution.success
    return [split(z) for z in solution.y.T]


def check_rows(problem, result, times, trajectory):
    """Every row of the history against its definition on the reference trajectory."""
    A, y, X_star = dense_operator_matrix(problem), problem.y, problem.truth
    h = result.history
    np.testing.assert_array_equal(h["iteration"], np.arange(len(times)))
    np.testing.assert_array_equal(h["time"], times)
    for row, (U, V) in enumerate(trajectory):
        X = U @ V.T
        rho = A @ X.ravel() - y
        loss = (0.25 if problem.psd else 0.5) * rho @ rho
        assert h["loss"][row] == pytest.approx(loss, rel=RTOL), row
        assert h["test_error"][row] == pytest.approx(np.linalg.norm(X - X_star) / np.linalg.norm(X_star), rel=RTOL), row
        assert h["residual"][row] == pytest.approx(np.linalg.norm(rho) / np.linalg.norm(y), rel=RTOL), row
    U, V = trajectory[-1]
    assert np.linalg.norm(result.U - U) <= RTOL * np.linalg.norm(U)
    assert np.linalg.norm(result.V - V) <= RTOL * np.linalg.norm(V)


def flow(problem, U0, V0, times, perturbation):
    init = dict(U0=U0) if problem.psd else dict(U0=U0, V0=V0)
    return fs.gradient_flow(problem, times=times, rtol=1e-11, atol=1e-13, perturbation=perturbation,
                            diagnostics="none", **init)


def small_start(problem, k, seed, scale=0.3):
    rng = np.random.default_rng(seed)
    n1, n2 = problem.shape
    U0 = scale * rng.standard_normal((n1, k))
    return U0, (U0 if problem.psd else scale * rng.standard_normal((n2, k)))


@pytest.mark.parametrize("make", [
    lambda: fs.SensingProblem.gaussian(7, 7, 2, 60, psd=True, condition_number=2, seed=4),
    lambda: fs.SensingProblem.completion(8, 8, 2, 40, psd=True, seed=5),
], ids=["gaussian_psd", "completion_psd"])
def test_psd_population_flow_with_an_asymmetric_perturbation(make):
    """The PSD flow symmetrizes D + E: with an asymmetric E it differs from −(D + E)U, which the
    test checks it is far from. The perturbation is called with V = U and the flow's own times."""
    p = make()
    n = p.shape[0]
    E = perturbation_of(n, n, seed=1)
    seen = []

    def recorded(t, U, V):
        seen.append((t, U.copy(), V.copy()))
        return E(t, U, V)

    U0, _ = small_start(p, 3, seed=2)
    times = np.linspace(0, 2, 5)
    r = flow(p, U0, None, times, recorded)
    check_rows(p, r, times, reference(p, U0, None, times, E))
    np.testing.assert_array_equal(r.V, r.U)
    assert all(np.array_equal(U, V) for _, U, V in seen)
    assert min(t for t, _, _ in seen) == 0 and max(t for t, _, _ in seen) <= 2
    # Teeth: the unsymmetrized right-hand side −(D + E)U ends elsewhere.
    U_plain = solve_ivp(lambda t, u: -((u.reshape(n, 3) @ u.reshape(n, 3).T - p.truth + E(t, u.reshape(n, 3), u.reshape(n, 3)))
                                        @ u.reshape(n, 3)).ravel(), (0, 2), U0.ravel(), rtol=1e-10, atol=1e-12).y[:, -1]
    assert np.linalg.norm(U_plain.reshape(n, 3) - r.U) > 1e-3 * np.linalg.norm(r.U)


@pytest.mark.parametrize("shape", [(5, 9), (9, 5)], ids=["wide", "tall"])
@pytest.mark.parametrize("perturbation", ["none", "custom"])
def test_asymmetric_population_flow_on_wide_and_tall_problems(shape, perturbation):
    n1, n2 = shape
    p = fs.SensingProblem.gaussian(n1, n2, 2, 50, condition_number=2, seed=6)
    E = perturbation_of(n1, n2, seed=3) if perturbation == "custom" else None
    U0, V0 = small_start(p, 3, seed=4)
    times = np.linspace(0, 2.5, 6)
    seen = []

    def recorded(t, U, V):
        assert U.shape == (n1, 3) and V.shape == (n2, 3)
        seen.append(t)
        return E(t, U, V)

    r = flow(p, U0, V0, times, recorded if E is not None else "none")
    check_rows(p, r, times, reference(p, U0, V0, times, E))
    assert r.stop_reason == "end_time"
    if E is not None:
        assert seen and min(seen) == 0


@pytest.mark.parametrize("psd", [False, True])
def test_a_flow_whose_first_time_is_not_zero(psd):
    """Rows at times 1.5 … 3.5: the flow starts at t₀ = 1.5 from (U₀, V₀) and the perturbation
    sees the absolute time (E depends on t)."""
    p = (fs.SensingProblem.gaussian(6, 6, 2, 40, psd=True, seed=7) if psd
         else fs.SensingProblem.gaussian(6, 8, 2, 50, seed=7))
    n1, n2 = p.shape
    E = perturbation_of(n1, n2, seed=5)
    U0, V0 = small_start(p, 2, seed=6)
    times = np.linspace(1.5, 3.5, 5)
    r = flow(p, U0, V0, times, E)
    check_rows(p, r, times, reference(p, U0, V0, times, E))


@pytest.mark.parametrize("perturbation", ["none", "operator"])
@pytest.mark.parametrize("psd", [False, True])
def test_a_flow_started_at_the_truth_stays_there(psd, perturbation):
    """U₀ = L√S, V₀ = R√S (noise-free measurements): D = 0 and, for the operator's flow, ∇f = 0;
    the factors do not move, every row's test error is at rounding level, and the phases read off
    the record say so: every σ_i learned at row 0, (II) over at row 0."""
    p = (fs.SensingProblem.gaussian(6, 6, 2, 60, psd=True, condition_number=2, seed=8) if psd
         else fs.SensingProblem.gaussian(5, 8, 2, 70, condition_number=2, seed=8))
    L, s, Rt = np.linalg.svd(p.truth)
    U0, V0 = L[:, :2] * np.sqrt(s[:2]), Rt[:2].T * np.sqrt(s[:2])
    if psd:
        V0 = U0
    times = np.linspace(0, 3, 7)
    init = dict(U0=U0) if psd else dict(U0=U0, V0=V0)
    r = fs.gradient_flow(p, times=times, perturbation=perturbation, **init)
    assert np.max(r.history["test_error"]) <= 1e-13
    assert np.linalg.norm(r.U - U0) <= 1e-12 and np.linalg.norm(r.V - V0) <= 1e-12
    assert r.learning_iterations == [0, 0] and r.learning_at_time == [0.0, 0.0]
    assert r.phases.recovered and r.phases.saddle_end == 0 and r.phases.saddle_end_time == 0.0
    assert r.phases.alignment_end is None  # X is never small
    assert r.phases.signal_end == 0  # width r: no noise part, the signal dominates from the start


@pytest.mark.parametrize("make", [
    lambda: fs.SensingProblem.gaussian(7, 7, 2, 60, psd=True, condition_number=2, seed=4),
    lambda: fs.SensingProblem.completion(8, 8, 2, 40, psd=True, seed=5),
], ids=["gaussian_psd", "completion_psd"])
def test_the_psd_perturbation_column_is_the_e_that_drives_the_flow(make):
    """SPEC, "Diagnostics": the perturbation of a PSD run is the symmetric part of
    E = 𝒜*(𝒜X − y) − (X − X⋆), as the flow uses it: with it, the population flow driven by the
    recorded E is the operator's own flow. Here 𝒜* is not symmetric, so sym(E) ≠ E."""
    p = make()
    A, y, X_star = dense_operator_matrix(p), p.y, p.truth
    n = p.shape[0]
    seen = {}
    r = fs.gradient_descent(p, width=3, init_scale=0.3, step=0.1, max_iter=4, seed=1, record_every=2,
                            diagnostics=["perturbation", "perturbation_frobenius"],
                            callback=lambda info: seen.update({info.iteration: info.U}))
    for row, t in enumerate(r.history["iteration"]):
        U = seen[int(t)]
        X = U @ U.T
        E = (A.T @ (A @ X.ravel() - y)).reshape(n, n) - (X - X_star)
        S = (E + E.T) / 2
        assert np.linalg.norm(E - S) > 1e-3 * np.linalg.norm(S)  # the asymmetric part is there to see
        assert r.history["perturbation"][row] == pytest.approx(np.linalg.norm(S, 2), rel=1e-10)
        assert r.history["perturbation_frobenius"][row] == pytest.approx(np.linalg.norm(S), rel=1e-10)
