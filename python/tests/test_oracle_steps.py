"""One step of every variant of gradient_descent against its formula in numpy (docs/mathematics.md, "Gradient descent and its variants").

Each test starts a run from given factors (``init=(U0, V0)``), lets it take one step (or a few),
and compares the factors it returns with the formula evaluated by numpy on the operator's own
matrix (``dense_operator_matrix``), at ≤ 1e-12. The step is compared as a difference, U₀ − U₁
against η·direction, with factors and steps of the same size, so the check sees the direction
itself and not only U₀. With G = 𝒜*(ρ), ρ = 𝒜(UVᵀ) − y:

- GD:          U⁺ = U − η G V,                V⁺ = V − η Gᵀ U;   PSD: U⁺ = U − η ½(G + Gᵀ) U
- ScaledGD:    U⁺ = U − η G V (VᵀV + λI)⁻¹,   V⁺ = V − η Gᵀ U (UᵀU + λI)⁻¹;
               PSD: U⁺ = U − η ½(G + Gᵀ) U (UᵀU + λI)⁻¹
- balancing:   ∇_U = G V + (λ/2) U D,  ∇_V = Gᵀ U − (λ/2) V D,  D = UᵀU − VᵀV — the gradient of
               f + (λ/8)‖D‖²_F, which a finite difference of the run's own loss confirms
- mini-batch:  G_B = Σ_{i∈B} ρ_i A_i scaled by m/b, B the documented sampler's batch
- noise:       after the step, τ·N(0, 1) added to every entry of U, then of V (perturbation stream)
"""
import numpy as np
import pytest

import factorsense as fs
from conftest import dense_operator_matrix, relative
from reference_random import GaussianSampler, MiniBatchSampler

TOLERANCE = 1e-12
FAMILIES = ["gaussian", "symmetric_gaussian", "completion", "rank_one", "factorization"]


def make(kind, psd, n=8, n2=6, rank=2, m=30, seed=3):
    n2 = n if psd or kind == "symmetric_gaussian" else n2
    if kind == "symmetric_gaussian":
        return fs.SensingProblem.symmetric_gaussian(n, rank, m, psd=psd, seed=seed)
    if kind == "factorization":
        return fs.SensingProblem.factorization(n, n2, rank, psd=psd, seed=seed)
    return getattr(fs.SensingProblem, kind)(n, n2, rank, m, psd=psd, seed=seed)


def start(p, k=3, seed=0, scale_u=0.6, scale_v=0.6):
    rng = np.random.default_rng(seed)
    n1, n2 = p.shape
    U0 = scale_u * rng.standard_normal((n1, k))
    return (U0, None) if p.psd else (U0, scale_v * rng.standard_normal((n2, k)))


def run(p, U0, V0, **options):
    init = (U0,) if V0 is None else (U0, V0)
    return fs.gradient_descent(p, init=init, **options)


def G_of(A, y, shape, U, V, rows=None, weight=1.0):
    """weight · 𝒜_B*(𝒜_B(UVᵀ) − y_B) over the measurements `rows` (all by default)."""
    if rows is not None:
        A, y = A[rows], y[rows]
    rho = A @ (U @ V.T).ravel() - y
    return weight * (A.T @ rho).reshape(shape)


def gd_direction(A, y, shape, U, V, rows=None, weight=1.0):
    """(∇_U f, ∇_V f) of the asymmetric loss, or (∇f, None) of the PSD one when V is None."""
    if V is None:
        G = G_of(A, y, shape, U, U, rows, weight)
        return 0.5 * (G + G.T) @ U, None
    G = G_of(A, y, shape, U, V, rows, weight)
    return G @ V, G.T @ U


def assert_step(result, U0, V0, step, dU, dV):
    """U₀ − U₁ = η·dU (and V likewise) at ≤ 1e-12, relative to the step."""
    assert result.iterations == 1
    assert relative(U0 - result.U, step * dU) <= TOLERANCE
    if dV is None:
        np.testing.assert_array_equal(result.V, result.U)
    else:
        assert relative(V0 - result.V, step * dV) <= TOLERANCE


def inverse_gram(F, damping):
    return np.linalg.inv(F.T @ F + damping * np.eye(F.shape[1]))


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", FAMILIES)
def test_gradient_descent_step(kind, psd):
    p = make(kind, psd)
    A, y = dense_operator_matrix(p), p.y
    U0, V0 = start(p)
    r = run(p, U0, V0, step=0.3, max_iter=1)
    assert_step(r, U0, V0, 0.3, *gd_direction(A, y, p.shape, U0, V0))


@pytest.mark.parametrize("damping", [0.0, 0.3])
@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", ["gaussian", "completion"])
def test_scaled_gd_step(kind, psd, damping):
    """Unbalanced factors (‖U‖ ≠ ‖V‖), so (UᵀU + λI)⁻¹ and (VᵀV + λI)⁻¹ differ and swapping them shows."""
    p = make(kind, psd)
    A, y = dense_operator_matrix(p), p.y
    U0, V0 = start(p, scale_u=0.9, scale_v=0.3)
    gU, gV = gd_direction(A, y, p.shape, U0, V0)
    r = run(p, U0, V0, step=0.05, max_iter=1, preconditioner="scaled", scaled_damping=damping)
    if psd:
        assert_step(r, U0, V0, 0.05, gU @ inverse_gram(U0, damping), None)
    else:
        assert_step(r, U0, V0, 0.05, gU @ inverse_gram(V0, damping), gV @ inverse_gram(U0, damping))
    # The preconditioner matters here: plain GD would be far from it.
    plain = run(p, U0, V0, step=0.05, max_iter=1)
    assert relative(plain.U, r.U) > 1e-3


def balanced_direction(A, y, shape, U, V, lam):
    G = G_of(A, y, shape, U, V)
    D = U.T @ U - V.T @ V
    return G @ V + lam / 2 * U @ D, G.T @ U - lam / 2 * V @ D


def balanced_loss(A, y, U, V, lam):
    rho = A @ (U @ V.T).ravel() - y
    D = U.T @ U - V.T @ V
    return 0.5 * rho @ rho + lam / 8 * np.sum(D * D)


@pytest.mark.parametrize("kind", ["gaussian", "completion", "rank_one"])
def test_balancing_step_and_loss(kind):
    p = make(kind, False)
    A, y = dense_operator_matrix(p), p.y
    U0, V0 = start(p, scale_u=1.0, scale_v=0.3)
    lam = 0.7
    r = run(p, U0, V0, step=0.1, max_iter=1, balancing=lam)
    assert_step(r, U0, V0, 0.1, *balanced_direction(A, y, p.shape, U0, V0, lam))
    expected = balanced_loss(A, y, U0, V0, lam)
    assert abs(r.history["loss"][0] - expected) <= TOLERANCE * expected
    # Balancing and ScaledGD compose: the balanced gradient, preconditioned.
    s = run(p, U0, V0, step=0.1, max_iter=1, balancing=lam, preconditioner="scaled", scaled_damping=0.1)
    dU, dV = balanced_direction(A, y, p.shape, U0, V0, lam)
    assert_step(s, U0, V0, 0.1, dU @ inverse_gram(V0, 0.1), dV @ inverse_gram(U0, 0.1))


def test_balanced_gradient_is_that_of_the_balanced_objective():
    """The run's own loss f + (λ/8)‖UᵀU − VᵀV‖²_F (history row 0) and its own step (η = 1, so
    U₀ − U₁ is the gradient): a central difference along a direction in both U and V."""
    p = make("gaussian", False)
    U0, V0 = start(p, scale_u=1.0, scale_v=0.3)
    lam = 0.7

    def loss(U, V):
        return run(p, U, V, max_iter=0, balancing=lam).history["loss"][0]

    stepped = run(p, U0, V0, step=1.0, max_iter=1, balancing=lam)
    gU, gV = U0 - stepped.U, V0 - stepped.V
    rng = np.random.default_rng(5)
    dU, dV = rng.standard_normal(U0.shape), rng.standard_normal(V0.shape)
    h = 1e-6
    numeric = (loss(U0 + h * dU, V0 + h * dV) - loss(U0 - h * dU, V0 - h * dV)) / (2 * h)
    analytic = np.sum(gU * dU) + np.sum(gV * dV)
    assert abs(numeric - analytic) <= 1e-6 * abs(numeric)
    # The regularizer's share of the derivative is large enough to be seen.
    plain = run(p, U0, V0, step=1.0, max_iter=1)
    plain_derivative = np.sum((U0 - plain.U) * dU) + np.sum((V0 - plain.V) * dV)
    assert abs(analytic - plain_derivative) > 1e-2 * abs(numeric)


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", ["gaussian", "completion", "rank_one"])
def test_mini_batch_steps_use_the_documented_batches(kind, psd):
    """Three steps, each on the next batch of the documented sampler (a running permutation),
    with the gradient scaled by m/b."""
    p = make(kind, psd)
    A, y, m, b, seed, step = dense_operator_matrix(p), p.y, p.measurements, 7, 12, 0.05
    U0, V0 = start(p)
    r = run(p, U0, V0, step=step, max_iter=3, batch_size=b, seed=seed)
    sampler = MiniBatchSampler(m, b, seed)
    U, V = U0, V0
    for _ in range(3):
        batch = sampler.next()
        dU, dV = gd_direction(A, y, p.shape, U, V, rows=batch, weight=m / b)
        U, V = U - step * dU, (None if V is None else V - step * dV)
    assert r.iterations == 3
    assert relative(U0 - r.U, U0 - U) <= TOLERANCE
    if V is not None:
        assert relative(V0 - r.V, V0 - V) <= TOLERANCE
    # Full loss at the recorded iterates, whatever the batches.
    full = run(p, U0, V0, step=step, max_iter=0)
    assert r.history["loss"][0] == full.history["loss"][0]


def test_batch_size_at_least_m_is_full_gradient_descent():
    p = make("gaussian", False)
    U0, V0 = start(p)
    full = run(p, U0, V0, step=0.2, max_iter=2)
    for b in (p.measurements, p.measurements + 5):
        np.testing.assert_array_equal(run(p, U0, V0, step=0.2, max_iter=2, batch_size=b, seed=4).U, full.U)


@pytest.mark.parametrize("psd", [False, True])
def test_noise_injection_adds_the_documented_draws(psd):
    """Two steps: U⁺ = U − η∇_U f + τZ_U, V⁺ = V − η∇_V f + τZ_V, with Z_U (row by row) then Z_V
    the next normals of the perturbation stream of the seed."""
    p = make("gaussian", psd)
    A, y, step, tau, seed = dense_operator_matrix(p), p.y, 0.2, 0.05, 21
    U0, V0 = start(p)
    r = run(p, U0, V0, step=step, max_iter=2, noise_injection=tau, seed=seed)
    normals = GaussianSampler(seed, "perturbation")
    U, V = U0, V0
    for _ in range(2):
        dU, dV = gd_direction(A, y, p.shape, U, V)
        U = U - step * dU + tau * normals.matrix(*U.shape)
        if V is not None:
            V = V - step * dV + tau * normals.matrix(*V.shape)
    assert relative(U0 - r.U, U0 - U) <= TOLERANCE
    if V is None:
        np.testing.assert_array_equal(r.V, r.U)
    else:
        assert relative(V0 - r.V, V0 - V) <= TOLERANCE
    # The noise is of the size that shows: without it the factors differ by about τ.
    plain = run(p, U0, V0, step=step, max_iter=2)
    assert np.linalg.norm(plain.U - r.U) > 0.5 * tau * np.sqrt(U0.size)


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", FAMILIES)
def test_history_rows_follow_their_definitions(kind, psd):
    """Row t of the history: t, η·t, f (½‖ρ‖², PSD ¼‖ρ‖²), ‖X_t − X⋆‖_F/‖X⋆‖_F, ‖ρ‖/‖y‖ —
    for generated targets, kept as factors, and X = UVᵀ (PSD UUᵀ)."""
    p = make(kind, psd)
    A, y, X_star = dense_operator_matrix(p), p.y, p.truth
    U0, V0 = start(p)
    r = run(p, U0, V0, step=0.2, max_iter=1)
    for t, (U, V) in enumerate([(U0, V0), (r.U, r.V)]):
        X = U @ (U if psd else V).T
        rho = A @ X.ravel() - y
        loss = (0.25 if psd else 0.5) * rho @ rho
        h = {name: r.history[name][t] for name in ("iteration", "time", "loss", "test_error", "residual")}
        assert h["iteration"] == t and h["time"] == 0.2 * t
        assert abs(h["loss"] - loss) <= TOLERANCE * loss
        assert abs(h["test_error"] - np.linalg.norm(X - X_star) / np.linalg.norm(X_star)) <= TOLERANCE * h["test_error"]
        assert abs(h["residual"] - np.linalg.norm(rho) / np.linalg.norm(y)) <= TOLERANCE * h["residual"]
