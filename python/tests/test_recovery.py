"""The walking skeleton's promise: the demo problem is recovered, and the generator is as documented."""
import numpy as np

import factorsense as fs


def test_demo_recovers_from_small_init(demo_problem):
    r = fs.gradient_descent(demo_problem, width=10, init_scale=1e-3, step=0.5, max_iter=3000, seed=1,
                            record_every=10)
    assert r.stop_reason == "max_iterations" and r.iterations == 3000 and not r.success
    assert r.history["test_error"][-1] < 1e-2
    assert r.history["test_error"][0] > 0.99
    assert np.linalg.norm(r.X - demo_problem.truth) / np.linalg.norm(demo_problem.truth) < 1e-2


def test_generated_data(demo_problem):
    p = demo_problem
    assert p.shape == (40, 30) and p.measurements == 900
    A, y, X = p.A, p.y, p.truth
    assert A.shape == (900, 1200)
    np.testing.assert_allclose(A @ X.ravel(), y, rtol=0, atol=1e-12)
    assert np.linalg.matrix_rank(X) == 3
    # E‖𝒜X‖² = ‖X‖²_F: the entries have variance 1/m.
    assert abs(A.var() * 900 - 1) < 0.01


def test_spectrum_follows_scale_and_condition_number():
    for spectrum, expected in [("geometric", [2, 2 / np.sqrt(10), 0.2]), ("linear", [2, 1.1, 0.2])]:
        p = fs.SensingProblem.gaussian(n1=12, n2=10, rank=3, measurements=50, scale=2, condition_number=10,
                                       spectrum=spectrum, seed=3)
        s = np.linalg.svd(p.truth, compute_uv=False)
        np.testing.assert_allclose(s[:3], expected, rtol=1e-12)
        assert s[3] < 1e-12


def test_noise_has_the_requested_level():
    p = fs.SensingProblem.gaussian(n1=10, n2=8, rank=2, measurements=3000, noise=0.1, seed=5)
    xi = p.y - p.A @ p.truth.ravel()
    assert abs(xi.std() - 0.1) < 0.01 and abs(xi.mean()) < 0.01
