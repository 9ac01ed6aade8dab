"""The trends the notebooks in examples/notebooks show, asserted on small fixed-seed versions of
the same experiments (the notebooks assert them too, at their own sizes)."""
import numpy as np

import factorsense as fs


def test_plateau_grows_with_alpha_for_k_n_and_vanishes_for_k_r():
    p = fs.SensingProblem.symmetric_gaussian(12, 1, 600, seed=4)
    alphas = [1e-6, 1e-4, 1e-2]
    wide = [fs.gradient_descent(p, width=12, init_scale=a, step=0.25, max_iter=500, seed=1,
                                diagnostics=["singular_values"]).history["test_error"][-1] for a in alphas]
    exact = [fs.gradient_descent(p, width=1, init_scale=a, step=0.25, max_iter=500, seed=1,
                                 diagnostics=["singular_values"]).history["test_error"][-1] for a in alphas]
    assert wide[0] < wide[1] < wide[2], wide
    assert np.polyfit(np.log(alphas), np.log(wide), 1)[0] > 0.5
    assert max(exact) < 1e-10, exact


def test_implicit_balancing_and_low_effective_rank():
    p = fs.SensingProblem.gaussian(20, 16, 2, 800, seed=5)
    r = fs.gradient_descent(p, width=12, init_scale=1e-2, step=0.1, max_iter=1000, seed=1, record_every=10)
    h = r.history
    # The imbalance stays at its initial O(α²) size while the factors grow to O(1)...
    assert h["imbalance"].max() <= 2 * h["imbalance"][0] and np.linalg.norm(r.U) > 1  # ‖U‖²: 10⁻⁴ → O(1)
    # ...and the iterates stay effectively rank r = 2 with k = 12.
    assert h["effective_rank"][0] > 8 and abs(h["effective_rank"][-1] - 2) < 0.1
    # From a tinier start the imbalance left is gradient descent's drift, shrinking with η.
    drift = [fs.gradient_descent(p, width=12, init_scale=1e-5, step=eta, max_iter=int(100 / eta), seed=1,
                                 diagnostics=["imbalance"]).history["imbalance"][-1] for eta in (0.3, 0.03)]
    assert drift[1] < drift[0] / 5, drift


def test_ye_du_plain_gd_factorizes_from_an_unbalanced_random_start():
    rng = np.random.default_rng(0)
    U0, V0 = 0.1 * rng.standard_normal((20, 6)), 1e-3 * rng.standard_normal((15, 6))
    for kappa in (1, 10):
        p = fs.SensingProblem.factorization(20, 15, 3, condition_number=kappa, seed=1)
        r = fs.gradient_descent(p, init=(U0, V0), step=0.3, max_iter=4000, record_every=100, diagnostics="none")
        assert r.history["test_error"][-1] < 1e-6, (kappa, r.history["test_error"][-1])
        scaled = fs.gradient_descent(p, init=(U0, V0), step=0.3, max_iter=300, record_every=100, diagnostics="none",
                                     preconditioner="scaled", scaled_damping=1e-4)
        assert scaled.history["test_error"][-1] < 1e-10


def test_incremental_learning_staircase_is_ordered_and_linear_in_log_one_over_alpha():
    p = fs.SensingProblem.gaussian(20, 16, 3, 1000, condition_number=4, seed=2)
    s = np.linalg.svd(p.truth, compute_uv=False)[:3]
    alphas = [1e-6, 1e-4, 1e-2]
    times = np.array([fs.gradient_descent(p, width=8, init_scale=a, step=0.3, max_iter=800, seed=1,
                                          diagnostics=["singular_values"]).learning_iterations for a in alphas])
    assert np.all(np.isfinite(times)) and np.all(np.diff(times, axis=1) > 0), times  # largest first
    for i in range(3):
        predicted = np.log(1 / np.array(alphas)) / (0.3 * s[i])
        slope = np.polyfit(predicted, times[:, i], 1)[0]
        assert 0.6 < slope < 1.4, (i, slope, times[:, i])
