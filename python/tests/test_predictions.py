"""The theory's predictions (docs/mathematics.md, "Predictions"): fs.spectrum and fs.predict
against independent numpy computations of the same formulas, and against what runs measure."""
import numpy as np
import pytest

import factorsense as fs
from conftest import dense_operator_matrix


def numpy_predictions(problem, alpha, eta, rank=None, fraction=0.5):
    """The predictions from numpy alone: the SVD (PSD: eigh of the symmetric part) of 𝒜*(y)
    formed from the operator's own data, the truth's SVD, and the formulas of the docs."""
    n1, n2 = problem.shape
    M = (dense_operator_matrix(problem).T @ problem.y).reshape(n1, n2)
    if problem.psd:
        w, W = np.linalg.eigh((M + M.T) / 2)
        lam, P = w[::-1], W[:, ::-1]
        Q = P
    else:
        P, lam, Qt = np.linalg.svd(M)
        Q = Qt.T
    out = dict(lam=lam)
    if problem.has_truth:
        L, s, Rt = np.linalg.svd(problem.truth)
        r_true = int(np.sum(s > max(n1, n2) * np.finfo(float).eps * s[0]))
        L, s, R = L[:, :r_true], s[:r_true], Rt[:r_true].T
    r = rank or r_true
    gap = lam[r] / lam[r - 1] if r < min(n1, n2) else np.nan
    out.update(rank=r, spectrum=lam[:r + 1], gap=gap, slope=2 * (1 - gap))
    if problem.has_truth:
        def sine(A, B):
            return np.linalg.norm(A - B @ (B.T @ A), 2)
        out["left"] = sine(P[:, :r], L)
        out["right"] = out["left"] if problem.psd else sine(Q[:, :r], R)
        lift = 1.0 if problem.psd else 2.0
        c = np.array([np.sqrt(lift * s[i] * fraction / (1 - fraction)) if i < r_true else np.nan for i in range(r)])
        out["iterations"] = np.log(c / alpha) / np.log1p(eta * lam[:r])
        out["times"] = np.log(c / alpha) / lam[:r]
    return out


PROBLEMS = dict(
    gaussian=lambda: fs.SensingProblem.gaussian(14, 9, 2, 160, condition_number=3, noise=0.01, seed=1),
    gaussian_psd=lambda: fs.SensingProblem.gaussian(10, 10, 2, 150, condition_number=2, psd=True, seed=2),
    symmetric_gaussian=lambda: fs.SensingProblem.symmetric_gaussian(10, 2, 120, condition_number=3, seed=3),
    completion_wide=lambda: fs.SensingProblem.completion(9, 16, 2, 100, condition_number=2, seed=4),
    rank_one_psd=lambda: fs.SensingProblem.rank_one(9, 9, 2, 110, psd=True, condition_number=3, seed=5),
)


@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_predictions_match_numpy(kind):
    problem = PROBLEMS[kind]()
    expected = numpy_predictions(problem, 1e-5, 0.3)
    got = fs.predict(problem, 1e-5, 0.3)
    assert got.rank == expected["rank"] == 2
    np.testing.assert_allclose(got.spectrum, expected["spectrum"], rtol=0, atol=1e-10)
    np.testing.assert_allclose(problem.spectrum(min(problem.shape)), expected["lam"][:min(problem.shape)], atol=1e-10)
    for name, key in [("gap", "gap"), ("plateau_slope", "slope"), ("spectral_angle_left", "left"),
                      ("spectral_angle_right", "right")]:
        assert abs(getattr(got, name) - expected[key]) <= 1e-10, (name, getattr(got, name), expected[key])
    np.testing.assert_allclose(np.asarray(got.learning_iterations, float), expected["iterations"], rtol=1e-10)
    np.testing.assert_allclose(np.asarray(got.learning_times, float), expected["times"], rtol=1e-10)


def test_a_user_rank_a_fraction_and_no_step():
    problem = PROBLEMS["gaussian"]()
    expected = numpy_predictions(problem, 1e-3, 0.1, rank=3, fraction=0.3)
    got = fs.predict(problem, 1e-3, rank=3, fraction=0.3)
    assert got.rank == 3 and got.spectrum.shape == (4,)
    assert abs(got.gap - expected["gap"]) <= 1e-12
    assert got.learning_iterations == [None, None, None]  # no step
    np.testing.assert_allclose(got.learning_times[:2], expected["times"][:2], rtol=1e-10)
    assert got.learning_times[2] is None  # s⋆_3 = 0: nothing to learn


def test_full_rank_has_no_gap_and_the_spectral_angle_is_that_of_the_phases():
    problem = fs.SensingProblem.gaussian(6, 4, 2, 80, seed=6)
    got = fs.predict(problem, 1e-4, 0.2, rank=4)
    assert got.gap is None and got.plateau_slope is None and got.spectrum.shape == (4,)
    run = fs.gradient_descent(problem, width=4, init_scale=1e-4, step=0.2, max_iter=50, seed=0)
    default = fs.predict(problem, 1e-4, 0.2)
    assert run.phases.spectral_angle_left == default.spectral_angle_left
    assert run.phases.spectral_angle_right == default.spectral_angle_right


def test_without_a_truth_the_rank_is_needed_and_truth_quantities_are_missing():
    source = PROBLEMS["gaussian"]()
    problem = fs.SensingProblem.from_dense(source.A, source.y, source.shape)
    with pytest.raises(fs.InvalidArgumentError, match="no ground truth, so pass rank"):
        fs.predict(problem, 1e-3, 0.1)
    got = fs.predict(problem, 1e-3, 0.1, rank=2)
    expected = numpy_predictions(source, 1e-3, 0.1)
    assert abs(got.gap - expected["gap"]) <= 1e-10
    assert got.spectral_angle_left is None and got.spectral_angle_right is None
    assert got.learning_iterations == [None, None] and got.learning_times == [None, None]


@pytest.mark.parametrize("psd", [False, True])
def test_predicted_learning_times_are_within_15_percent_of_the_measured(psd):
    """On a well-separated spectrum (κ = 2, r = 2, m = 1200 ≈ 12 r(n1 + n2)) from α = 1e-6:
    every σ_i is learned within 15 % of the predicted iteration (gradient descent) and time (flow)."""
    problem = fs.SensingProblem.gaussian(24, 24 if psd else 20, 2, 1200, condition_number=2, psd=psd, seed=7)
    predicted = fs.predict(problem, 1e-6, 0.2)
    run = fs.gradient_descent(problem, width=12, init_scale=1e-6, step=0.2, max_iter=400, record_every=1, seed=2,
                              diagnostics=["singular_values"])
    flow = fs.gradient_flow(problem, width=12, init_scale=1e-6, times=np.linspace(0, 80, 1601), seed=2,
                            diagnostics=["singular_values"])
    measured_gd = np.asarray(run.learning_iterations, float)
    measured_flow = np.asarray(flow.learning_at_time, float)
    print("GD", predicted.learning_iterations, measured_gd, "flow", predicted.learning_times, measured_flow)
    np.testing.assert_array_less(np.abs(np.asarray(predicted.learning_iterations) / measured_gd - 1), 0.15)
    np.testing.assert_array_less(np.abs(np.asarray(predicted.learning_times) / measured_flow - 1), 0.15)


def test_the_spectrum_is_kept_on_the_problem_and_runs_give_the_same_bits():
    """The kept decomposition changes no bit: a spectral start and the spectral alignment after
    fs.spectrum are those of a fresh problem."""
    def run(problem):
        return fs.gradient_descent(problem, width=3, init="spectral", step=0.2, max_iter=20, seed=0)

    fresh = run(PROBLEMS["gaussian"]())
    asked = PROBLEMS["gaussian"]()
    values = asked.spectrum(5)
    again = run(asked)
    assert np.array_equal(fresh.U, again.U) and np.array_equal(fresh.V, again.V)
    assert np.array_equal(fresh.history["spectral_alignment_left"], again.history["spectral_alignment_left"],
                          equal_nan=True)
    assert np.array_equal(values, asked.spectrum(5))


@pytest.mark.parametrize("call, error, message", [
    (lambda p: p.spectrum(0), fs.InvalidArgumentError, "count must be ≥ 1"),
    (lambda p: p.spectrum(10), fs.InvalidArgumentError, "min\\(n1, n2\\) = 9"),
    (lambda p: p.spectrum(2, spectral_method="svd"), fs.InvalidArgumentError, "spectral_method must be one of"),
    (lambda p: fs.predict(p, 0), fs.InvalidArgumentError, "init_scale must be > 0"),
    (lambda p: fs.predict(p, -1e-3), fs.InvalidArgumentError, "init_scale must be > 0"),
    (lambda p: fs.predict(p, float("nan")), fs.NotFiniteError, "init_scale must be finite"),
    (lambda p: fs.predict(p, 1e-3, 0), fs.InvalidArgumentError, "step must be > 0"),
    (lambda p: fs.predict(p, 1e-3, -0.1), fs.InvalidArgumentError, "step must be > 0"),
    (lambda p: fs.predict(p, 1e-3, float("inf")), fs.NotFiniteError, "step must be finite"),
    (lambda p: fs.predict(p, 1e-3, rank=0), fs.InvalidArgumentError, "rank must be ≥ 1"),
    (lambda p: fs.predict(p, 1e-3, rank=10), fs.InvalidArgumentError, "rank must be between 1 and"),
    (lambda p: fs.predict(p, 1e-3, fraction=0), fs.InvalidArgumentError, "fraction must be in \\(0, 1\\)"),
    (lambda p: fs.predict(p, 1e-3, fraction=1), fs.InvalidArgumentError, "fraction must be in \\(0, 1\\)"),
    (lambda p: fs.predict(p, "1e-3"), fs.InvalidArgumentError, "init_scale must be a real number"),
    (lambda p: fs.predict(p, 1e-3, rank=2.5), fs.InvalidArgumentError, "rank must be a whole number"),
])
def test_bad_arguments_are_refused_clearly(call, error, message):
    with pytest.raises(error, match=message):
        call(PROBLEMS["gaussian"]())
