"""Each paper's setting converges; each comparison variant does what docs/mathematics.md says."""
import numpy as np
import scipy.optimize

import factorsense as fs


def final_error(result):
    return result.history["test_error"][-1]


def test_psd_sensing_overparameterized_from_small_init():
    """Stöger & Soltanolkotabi: PSD sensing with k ≫ r from α = 1e-3."""
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 300, seed=1)
    r = fs.gradient_descent(p, width=20, init_scale=1e-3, step=0.5, max_iter=1500, seed=2, record_every=50)
    assert p.psd and np.array_equal(r.U, r.V)
    assert final_error(r) < 1e-2


def test_factorization_with_exact_width():
    """Ye & Du: plain GD from random init on ½‖UVᵀ − Σ‖²_F with r = k."""
    p = fs.SensingProblem.factorization(15, 10, 3, seed=2)
    r = fs.gradient_descent(p, width=3, init_scale=0.1, step=0.3, max_iter=800, seed=3, record_every=50)
    assert final_error(r) < 1e-6


def test_asymmetric_overparameterized_sensing():
    """Soltanolkotabi, Stöger & Xie: asymmetric sensing with k > r."""
    p = fs.SensingProblem.gaussian(30, 20, 2, 500, seed=4)
    r = fs.gradient_descent(p, width=8, init_scale=1e-3, step=0.5, max_iter=1500, seed=5, record_every=50)
    assert final_error(r) < 1e-2


def test_completion_200_by_150_from_30_percent():
    p = fs.SensingProblem.completion(200, 150, 3, int(0.3 * 200 * 150), seed=6)
    r = fs.gradient_descent(p, width=3, init_scale=1e-2, step=0.5, max_iter=1500, seed=7, record_every=100)
    assert final_error(r) < 1e-3


def test_rank_one_projections():
    p = fs.SensingProblem.rank_one(12, 10, 2, 400, seed=8)
    r = fs.gradient_descent(p, width=4, step=0.2, max_iter=3000, seed=9, record_every=100)
    assert final_error(r) < 1e-2


def test_spectral_and_small_random_init_reach_the_same_neighbourhood():
    p = fs.SensingProblem.gaussian(20, 15, 2, 400, seed=10)
    random = fs.gradient_descent(p, width=2, step=0.5, max_iter=1000, seed=1, record_every=100)
    spectral = fs.gradient_descent(p, width=2, step=0.5, max_iter=1000, init="spectral", record_every=100)
    assert final_error(random) < 1e-6 and final_error(spectral) < 1e-6
    assert np.linalg.norm(random.X - spectral.X) < 1e-5
    # Spectral starts part of the way there; small random init starts at X₀ ≈ 0 (test error ≈ 1).
    assert spectral.history["test_error"][0] < 0.75 < 0.99 < random.history["test_error"][0]


def test_spectral_init_refuses_too_wide_a_factor():
    p = fs.SensingProblem.gaussian(6, 4, 1, 30, seed=0)
    try:
        fs.gradient_descent(p, width=5, init="spectral", max_iter=1)
    except fs.InvalidArgumentError as error:
        assert "spectral" in str(error)
    else:
        raise AssertionError("width 5 > min(n1, n2) = 4 was accepted")


def imbalance(r):
    return np.linalg.norm(r.U.T @ r.U - r.V.T @ r.V)


def test_balancing_regularizer_drives_the_imbalance_down():
    p = fs.SensingProblem.gaussian(20, 15, 2, 400, seed=11)
    rng = np.random.default_rng(0)
    U0, V0 = 0.5 * rng.standard_normal((20, 4)), 0.05 * rng.standard_normal((15, 4))
    plain = fs.gradient_descent(p, U0=U0, V0=V0, step=0.2, max_iter=400)
    balanced = fs.gradient_descent(p, U0=U0, V0=V0, step=0.2, max_iter=400, balancing=1.0)
    assert imbalance(balanced) < 0.1 * imbalance(plain)


def test_scaled_gd_is_fast_on_an_ill_conditioned_target():
    p = fs.SensingProblem.gaussian(20, 15, 3, 500, condition_number=100, seed=12)
    common = dict(width=3, step=0.5, max_iter=20000, init="spectral", loss_tol=1e-18)
    plain = fs.gradient_descent(p, **common)
    scaled = fs.gradient_descent(p, preconditioner="scaled", **common)
    assert scaled.stop_reason == "converged" and final_error(scaled) < 1e-8
    assert 10 * scaled.iterations < plain.iterations


def test_noise_injection_keeps_a_floor_of_its_size():
    p = fs.SensingProblem.gaussian(20, 15, 2, 400, seed=13)
    plain = fs.gradient_descent(p, width=2, step=0.5, max_iter=1000, init="spectral")
    noisy = fs.gradient_descent(p, width=2, step=0.5, max_iter=1000, init="spectral", noise_injection=1e-6)
    assert final_error(plain) < 1e-10
    assert 100 * final_error(plain) < final_error(noisy) < 1e-4


def test_mini_batch_sgd_recovers_reproducibly():
    p = fs.SensingProblem.gaussian(15, 12, 2, 600, seed=14)
    a = fs.gradient_descent(p, width=3, step=0.1, max_iter=4000, batch_size=100, seed=3, record_every=500)
    b = fs.gradient_descent(p, width=3, step=0.1, max_iter=4000, batch_size=100, seed=3, record_every=500)
    np.testing.assert_array_equal(a.U, b.U)
    assert final_error(a) < 0.05


def test_loss_and_grad_drive_scipy_minimize():
    """The low-level calls fit scipy.optimize.minimize(..., jac=True) directly (README example)."""
    p = fs.SensingProblem.gaussian(12, 10, 2, 200, seed=15)
    k = 2
    rng = np.random.default_rng(1)
    x0 = 0.1 * rng.standard_normal((12 + 10) * k)
    out = scipy.optimize.minimize(p.flat_loss_and_grad(k), x0, jac=True, method="L-BFGS-B",
                                  options=dict(maxiter=2000, gtol=1e-12, ftol=1e-20))
    U, V = out.x[:12 * k].reshape(12, k), out.x[12 * k:].reshape(10, k)
    assert np.linalg.norm(U @ V.T - p.truth) / np.linalg.norm(p.truth) < 1e-5
