"""Mini-batch steps with every variant, and the automatic step, replayed in numpy from their
definitions (docs/mathematics.md, "Gradient descent and its variants"; docs/completion.md,
"Ridge" and "Automatic step"), on wide, tall and PSD problems — what test_oracle_steps.py and
test_completion_tools.py leave out: the ridge with mini-batches (not multiplied by m/b: it is
not a sum over measurements), its combinations with balancing, ScaledGD and noise, the
automatic step's η₀ (power iteration on differences of gradients, from the seed's step-estimate
stream) and line search on PSD, preconditioned, balanced and ridged objectives, and
batch_size ≥ m with the automatic step.

With G_B = (m/b)·Σ_{i∈B} ρ_i A_i and D = UᵀU − VᵀV:
    asymmetric  f = ½‖ρ‖² + (λ/8)‖D‖²_F + (μ/2)(‖U‖² + ‖V‖²),
                ∇_U = G_B V + (λ/2) U D + μU,   ∇_V = G_Bᵀ U − (λ/2) V D + μV;
    PSD         f = ¼‖ρ‖² + (μ/2)‖U‖²,  ∇ = ½(G_B + G_Bᵀ) U + μU.
"""
import numpy as np
import pytest

import factorsense as fs
from conftest import dense_operator_matrix, relative
from reference_random import GaussianSampler, MiniBatchSampler
from test_oracle_steps import inverse_gram

def objective(A, y, shape, U, V, ridge=0.0, balancing=0.0, rows=None, weight=1.0):
    """(f, ∇_U f, ∇_V f) of the definition above; V is None for the PSD objective (∇_V None)."""
    if rows is not None:
        A, y = A[rows], y[rows]
    psd = V is None
    W = U if psd else V
    rho = A @ (U @ W.T).ravel() - y
    G = weight * (A.T @ rho).reshape(shape)
    if psd:
        return 0.25 * weight * rho @ rho + ridge / 2 * np.sum(U * U), 0.5 * (G + G.T) @ U + ridge * U, None
    D = U.T @ U - V.T @ V
    f = 0.5 * weight * rho @ rho + balancing / 8 * np.sum(D * D) + ridge / 2 * (np.sum(U * U) + np.sum(V * V))
    return f, G @ V + balancing / 2 * U @ D + ridge * U, G.T @ U - balancing / 2 * V @ D + ridge * V


def direction(U, V, gU, gV, preconditioner=None, scaled_damping=0.0):
    if preconditioner != "scaled":
        return gU, gV
    if V is None:
        return gU @ inverse_gram(U, scaled_damping), None
    return gU @ inverse_gram(V, scaled_damping), gV @ inverse_gram(U, scaled_damping)


PROBLEMS = {
    "gaussian_wide": lambda: fs.SensingProblem.gaussian(5, 8, 2, 30, seed=41),
    "completion_tall": lambda: fs.SensingProblem.completion(9, 5, 2, 30, seed=42),
    "gaussian_psd": lambda: fs.SensingProblem.gaussian(6, 6, 2, 30, psd=True, seed=43),
    "completion_psd": lambda: fs.SensingProblem.completion(7, 7, 2, 30, psd=True, seed=44),
}
VARIANTS = {
    "ridge": dict(ridge=0.4),
    "ridge+balancing": dict(ridge=0.4, balancing=0.6),
    "ridge+scaled": dict(ridge=0.4, preconditioner="scaled", scaled_damping=0.2),
    "ridge+noise": dict(ridge=0.4, noise_injection=0.01),
    "everything": dict(ridge=0.4, balancing=0.6, preconditioner="scaled", scaled_damping=0.2, noise_injection=0.01),
}


def start(p, k=3, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    n1, n2 = p.shape
    U0 = scale * rng.standard_normal((n1, k))
    return U0, (None if p.psd else scale * rng.standard_normal((n2, k)))


def run(p, U0, V0, **options):
    return fs.gradient_descent(p, init=(U0,) if V0 is None else (U0, V0), diagnostics="none", **options)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_mini_batch_steps_with_every_variant(kind, variant):
    """Four steps on batches of 7 of m = 30 (weight 30/7), each variant's direction, then noise
    (Z_U row by row, then Z_V, from the perturbation stream); the recorded loss is the full
    objective's."""
    options = dict(VARIANTS[variant])
    p = PROBLEMS[kind]()
    if p.psd:
        options.pop("balancing", None)  # the balancing regularizer is asymmetric only
    A, y, m, b, seed, eta = dense_operator_matrix(p), p.y, p.measurements, 7, 5, 0.03
    U0, V0 = start(p)
    r = run(p, U0, V0, step=eta, max_iter=4, record_every=2, batch_size=b, seed=seed, **options)
    batches, normals = MiniBatchSampler(m, b, seed), GaussianSampler(seed, "perturbation")
    ridge, balancing, tau = options["ridge"], options.get("balancing", 0.0), options.get("noise_injection", 0.0)
    U, V, losses = U0, V0, []
    for t in range(5):
        if t % 2 == 0:
            losses.append(objective(A, y, p.shape, U, V, ridge, balancing)[0])
        if t == 4:
            break
        _, gU, gV = objective(A, y, p.shape, U, V, ridge, balancing, rows=batches.next(), weight=m / b)
        dU, dV = direction(U, V, gU, gV, options.get("preconditioner"), options.get("scaled_damping", 0.0))
        U, V = U - eta * dU, (None if V is None else V - eta * dV)
        if tau:
            U = U + tau * normals.matrix(*U.shape)
            V = None if V is None else V + tau * normals.matrix(*V.shape)
    assert relative(U0 - r.U, U0 - U) <= 1e-12
    if V is not None:
        assert relative(V0 - r.V, V0 - V) <= 1e-12
    np.testing.assert_allclose(r.history["loss"], losses, rtol=1e-12)
    # The ridge is seen: the same run without it ends elsewhere by more than rounding.
    plain = run(p, U0, V0, step=eta, max_iter=4, batch_size=b, seed=seed, **(options | dict(ridge=0.0)))
    assert relative(plain.U, r.U) > 1e-4


def power_iteration(A, y, shape, U, V, seed, ridge=0.0, balancing=0.0):
    """AutomaticStep's L̂: ten power iterations on (∇f(x + h d) − ∇f(x))/h, ‖d‖ = 1,
    h = 1e-6·max(1, ‖x‖), d from the step-estimate stream (d_U row by row, then d_V; PSD: d_U only)."""
    normals = GaussianSampler(seed, "step_estimate")
    psd = V is None
    dU = normals.matrix(*U.shape)
    dV = None if psd else normals.matrix(*V.shape)

    def gradient(U_, V_):
        _, gU, gV = objective(A, y, shape, U_, V_, ridge, balancing)
        return gU, (np.zeros_like(U) if psd else gV)

    size = np.linalg.norm(U) if psd else np.sqrt(np.sum(U * U) + np.sum(V * V))
    h = 1e-6 * max(1.0, size)
    base = gradient(U, V)
    dV = np.zeros_like(U) if psd else dV
    estimate = np.nan
    for _ in range(10):
        norm = np.sqrt(np.sum(dU * dU) + np.sum(dV * dV))
        dU, dV = dU / norm, dV / norm
        hU, hV = gradient(U + h * dU, None if psd else V + h * dV)
        hU, hV = (hU - base[0]) / h, (hV - base[1]) / h
        estimate = np.sqrt(np.sum(hU * hU) + np.sum(hV * hV))
        dU, dV = hU, hV
    return estimate


AUTO_VARIANTS = {
    "plain": dict(),
    "ridge": dict(ridge=0.3),
    "balancing": dict(balancing=0.5),
    "scaled": dict(preconditioner="scaled", scaled_damping=0.1),
}


@pytest.mark.parametrize("kind, variant", [(kind, variant) for kind in sorted(PROBLEMS) for variant in sorted(AUTO_VARIANTS)
                                           if not (variant == "balancing" and PROBLEMS[kind]().psd)])  # asymmetric only
def test_the_automatic_step_from_its_definition(kind, variant):
    """η₀ = 1/L̂ (the power iteration replayed), then each accepted step the first of η, η/2, …
    with f(x − ηd) ≤ f(x) − 10⁻⁴⟨g, ηd⟩ (PSD: over U alone), the next try 1.1·η; "time" is Σ of
    the steps; the factors are the replay's."""
    options = dict(AUTO_VARIANTS[variant])
    p = PROBLEMS[kind]()
    A, y, seed = dense_operator_matrix(p), p.y, 6
    U, V = start(p, scale=0.8)
    U0, V0 = U, V
    r = run(p, U0, V0, step="auto", max_iter=12, seed=seed, **options)
    ridge, balancing = options.get("ridge", 0.0), options.get("balancing", 0.0)
    steps = r.history["step"]
    assert steps[0] == pytest.approx(1 / power_iteration(A, y, p.shape, U, V, seed, ridge, balancing), rel=1e-7)
    eta, halvings = steps[0], 0
    for t in range(1, 13):
        f, gU, gV = objective(A, y, p.shape, U, V, ridge, balancing)
        dU, dV = direction(U, V, gU, gV, options.get("preconditioner"), options.get("scaled_damping", 0.0))
        while True:
            Un, Vn = U - eta * dU, (None if V is None else V - eta * dV)
            decrease = np.sum(gU * (U - Un)) + (0 if V is None else np.sum(gV * (V - Vn)))
            if objective(A, y, p.shape, Un, Vn, ridge, balancing)[0] <= f - 1e-4 * decrease:
                break
            eta, halvings = eta / 2, halvings + 1
        assert steps[t] == pytest.approx(eta, rel=1e-10), t
        U, V, eta = Un, Vn, 1.1 * eta
    np.testing.assert_allclose(r.history["time"][1:], np.cumsum(steps[1:]), rtol=1e-13)
    assert relative(r.U, U) <= 1e-8
    if V is not None:
        assert relative(r.V, V) <= 1e-8


@pytest.mark.parametrize("kind", ["gaussian_wide", "gaussian_psd"])
def test_the_automatic_step_with_a_batch_of_m_or_more_is_full_gradient_descent(kind):
    """batch_size ≥ m means full gradients, so the automatic step takes it and runs the full
    automatic run bit for bit; batch_size m − 1 is refused."""
    p = PROBLEMS[kind]()
    U0, V0 = start(p)
    full = run(p, U0, V0, step="auto", max_iter=6, seed=2)
    for b in (p.measurements, p.measurements + 3):
        batched = run(p, U0, V0, step="auto", max_iter=6, seed=2, batch_size=b)
        assert batched.U.tobytes() == full.U.tobytes()
        assert batched.history["step"].tobytes() == full.history["step"].tobytes()
    with pytest.raises(fs.InvalidArgumentError, match="batch_size"):
        run(p, U0, V0, step="auto", max_iter=6, seed=2, batch_size=p.measurements - 1)
