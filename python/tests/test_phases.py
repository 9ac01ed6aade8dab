"""Phase detection: the detector against a numpy reading of the same history (docs/mathematics.md,
"Phases"), and the trends the papers predict on fixed seeds."""
import numpy as np
import pytest

import factorsense as fs


def numpy_phases(result, s, alignment=0.1, saddle=0.5, tolerance=0.01, window=0.1):
    """The definitions of docs/mathematics.md, applied to the returned history."""
    h = result.history
    t = h["iteration"]
    sigma = h["singular_values"]
    r = len(s)
    learned = [next((int(t[i]) for i in range(len(t)) if sigma[i, j] >= saddle * s[j]), None)
               for j in range(min(r, sigma.shape[1]))]
    rows = [i for i in range(len(t)) if sigma[i, r - 1] >= saddle * s[r - 1]]
    if not rows:
        return fs.Phases(), learned
    saddle_row = rows[0]
    sine = np.maximum(h["spectral_alignment_left"], h["spectral_alignment_right"])
    above = [i for i in range(saddle_row + 1) if not sine[i] <= alignment]
    first = (above[-1] + 1) if above else 0
    time = h["time"]
    alignment = (int(t[first]), time[first]) if first <= saddle_row else (None, None)
    e = h["test_error"]
    before = max(i for i in range(len(t)) if t[i] <= t[-1] * (1 - window))
    plateau = None, None, None
    if before >= saddle_row and e[-1] >= (1 - tolerance) * e[before]:
        start = next(i for i in range(saddle_row, len(t)) if e[i] <= (1 + tolerance) * e[-1])
        plateau = int(t[start]), float(e[-1]), time[start]
    return fs.Phases(alignment[0], int(t[saddle_row]), plateau[0], plateau[1], alignment[1], time[saddle_row],
                     plateau[2]), learned


def learning_times(result):
    step = result.history["time"][1] / result.history["iteration"][1]
    assert np.array_equal(np.isnan(result.learning_at_time), np.isnan(result.learning_iterations))
    assert np.allclose(result.learning_at_time[~np.isnan(result.learning_at_time)],
                       step * result.learning_iterations[~np.isnan(result.learning_iterations)], rtol=1e-15)
    return [None if np.isnan(x) else int(x) for x in result.learning_iterations]


@pytest.fixture(scope="module")
def psd_problem():
    """Stöger & Soltanolkotabi's setting: PSD sensing, k ≫ r, enough measurements."""
    return fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)


@pytest.fixture(scope="module")
def psd_runs(psd_problem):
    return {alpha: fs.gradient_descent(psd_problem, width=20, init_scale=alpha, step=0.25, max_iter=400, seed=1)
            for alpha in (1e-7, 1e-6, 1e-5, 1e-4)}


def test_detector_matches_a_numpy_reading_of_the_history(psd_runs):
    s = np.ones(2)
    for result in psd_runs.values():
        phases, learned = numpy_phases(result, s)
        assert result.phases == phases
        assert learning_times(result) == learned


@pytest.mark.parametrize("thresholds", [dict(alignment_threshold=0.3, saddle_fraction=0.8),
                                        dict(plateau_tolerance=0.2, plateau_window=0.5),
                                        dict(saddle_fraction=0.05, alignment_threshold=0.01)])
def test_detector_follows_its_thresholds(psd_problem, thresholds):
    result = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=300, seed=2,
                                 **thresholds)
    names = dict(alignment_threshold="alignment", saddle_fraction="saddle", plateau_tolerance="tolerance",
                 plateau_window="window")
    phases, learned = numpy_phases(result, np.ones(2), **{names[k]: v for k, v in thresholds.items()})
    assert result.phases == phases and learning_times(result) == learned


def test_asymmetric_learning_times_follow_the_spectrum():
    p = fs.SensingProblem.gaussian(30, 25, 3, 1500, condition_number=4, seed=3)
    r = fs.gradient_descent(p, width=10, init_scale=1e-4, step=0.3, max_iter=600, seed=4)
    s = np.linalg.svd(p.truth, compute_uv=False)[:3]
    phases, learned = numpy_phases(r, s)
    assert r.phases == phases and learning_times(r) == learned
    times = learning_times(r)
    assert None not in times and times == sorted(times) and times[0] < times[2]  # largest first: the staircase


def test_phases_come_in_order_and_grow_linearly_in_log_one_over_alpha(psd_runs):
    alphas = sorted(psd_runs)
    for alpha in alphas:
        ph = psd_runs[alpha].phases
        assert None not in (ph.alignment_end, ph.saddle_end, ph.plateau_start, ph.plateau_level), (alpha, ph)
        assert ph.alignment_end < ph.saddle_end < ph.plateau_start, (alpha, ph)
    x = np.log(1 / np.array(alphas))
    ends = np.array([psd_runs[a].phases.saddle_end for a in alphas], float)
    slope, intercept = np.polyfit(x, ends, 1)
    assert np.max(np.abs(ends - (slope * x + intercept))) <= 2.0  # linear, to within two iterations
    predicted = 1 / (0.25 * 1.0)  # 1/(η s_r) iterations per unit of ln(1/α)
    assert 0.5 * predicted <= slope <= 2 * predicted, slope


def test_plateau_error_grows_with_alpha(psd_runs):
    levels = [psd_runs[a].phases.plateau_level for a in sorted(psd_runs)]
    assert all(b > 3 * a for a, b in zip(levels, levels[1:])), levels


def test_without_truth_nothing_is_resolved():
    source = fs.SensingProblem.gaussian(11, 8, 2, 120, seed=12)
    problem = fs.SensingProblem.from_dense(source.A, source.y, source.shape)
    r = fs.gradient_descent(problem, width=4, step=0.2, max_iter=200, seed=1)
    assert r.phases == fs.Phases() and r.learning_iterations.size == 0


def test_phases_need_the_singular_values_recorded(psd_problem):
    r = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=200, seed=1,
                            diagnostics=["spectral_alignment_left"])
    assert r.phases == fs.Phases()
    r = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=200, seed=1,
                            diagnostics=["singular_values"])
    assert r.phases.saddle_end is not None and r.phases.alignment_end is None


def test_the_plateau_needs_the_improvement_below_its_tolerance(psd_problem):
    """Stopped while the test error still falls by about 4 % over the last tenth of the run: no
    plateau at the default 1 % tolerance, a plateau at 10 %."""
    strict = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=146, seed=2)
    e, t = strict.history["test_error"], strict.history["iteration"]
    before = max(i for i in range(len(t)) if t[i] <= 146 * 0.9)
    assert 0.01 < 1 - e[-1] / e[before] < 0.1
    assert strict.phases.saddle_end is not None and strict.phases.plateau_start is None
    assert strict.phases == numpy_phases(strict, np.ones(2))[0]
    loose = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=146, seed=2,
                                plateau_tolerance=0.1)
    assert loose.phases.plateau_level == e[-1]
    assert loose.phases == numpy_phases(loose, np.ones(2), tolerance=0.1)[0]
