"""Phase detection: the detector against a numpy reading of the same history (docs/mathematics.md,
"Phases"), and the trends the papers predict on fixed seeds."""
import itertools

import numpy as np
import pytest

import factorsense as fs


def spectral_angles(problem, r):
    """sin ∠(top-r subspaces of 𝒜*(y), the truth's), from numpy's eigh / SVD."""
    G = problem.adjoint(problem.y)
    if problem.psd:
        w, Q = np.linalg.eigh((G + G.T) / 2)
        P = Q[:, np.argsort(w)[::-1][:r]]
        L = np.linalg.eigh(problem.truth)[1][:, ::-1][:, :r]
        angle = np.linalg.norm(P - L @ (L.T @ P), 2)
        return angle, angle
    P, _, Qt = np.linalg.svd(G)
    L, _, Rt = np.linalg.svd(problem.truth)
    left = np.linalg.norm(P[:, :r] - L[:, :r] @ (L[:, :r].T @ P[:, :r]), 2)
    right = np.linalg.norm(Qt[:r].T - Rt[:r].T @ (Rt[:r] @ Qt[:r].T), 2)
    return left, right


def numpy_phases(result, s, alignment=0.1, saddle=0.5, tolerance=0.01, window=0.1, recovery=0.1, problem=None,
                 axis="iteration"):
    """The definitions of docs/mathematics.md, applied to the returned history; with `problem`,
    the spectral angles are checked against numpy and carried over. The plateau's window is the
    last `window` of the run along `axis` ("time" for the flow)."""
    h = result.history
    t, time = h["iteration"], h["time"]
    sigma = h["singular_values"]
    r = len(s)
    learned = [next((int(t[i]) for i in range(len(t)) if sigma[i, j] >= saddle * s[j]), None)
               for j in range(min(r, sigma.shape[1]))]
    angles = {}
    if problem is not None and "spectral_alignment_left" in h:
        expected = spectral_angles(problem, r)
        got = (result.phases.spectral_angle_left, result.phases.spectral_angle_right)
        assert np.allclose(got, expected, rtol=1e-9, atol=1e-12), (got, expected)
        angles = dict(spectral_angle_left=got[0], spectral_angle_right=got[1])
    e = h["test_error"]
    if not e[-1] <= recovery:
        return fs.Phases(recovered=False, **angles), learned

    def event(i):
        return (None, None) if i is None else (int(t[i]), time[i])

    first = lambda rows: next(iter(rows), None)  # noqa: E731
    sine = np.maximum(h["spectral_alignment_left"], h["spectral_alignment_right"]) \
        if "spectral_alignment_left" in h else np.full(len(t), np.nan)
    aligned = event(first(i for i in range(len(t)) if sine[i] <= alignment and sigma[i, 0] <= 0.1 * s[-1]))
    signal = event(first(i for i in range(len(t)) if h["signal"][i] >= 10 * h["noise"][i])) \
        if "signal" in h else (None, None)
    saddle_row = first(i for i in range(len(t)) if sigma[i, r - 1] >= saddle * s[r - 1])
    if saddle_row is None:
        return fs.Phases(alignment_end=aligned[0], alignment_end_time=aligned[1], recovered=True,
                         signal_end=signal[0], signal_end_time=signal[1], **angles), learned
    along = h[axis]
    before = max(i for i in range(len(t)) if along[i] <= along[0] + (along[-1] - along[0]) * (1 - window))
    plateau = None, None, None
    if before >= saddle_row and e[-1] >= (1 - tolerance) * e[before]:
        start = next(i for i in range(saddle_row, len(t)) if e[i] <= (1 + tolerance) * e[-1])
        plateau = int(t[start]), float(e[-1]), time[start]
    return fs.Phases(aligned[0], int(t[saddle_row]), plateau[0], plateau[1], aligned[1], time[saddle_row],
                     plateau[2], recovered=True, signal_end=signal[0], signal_end_time=signal[1],
                     still_improving=plateau[0] is None, **angles), learned


def learning_times(result):
    step = result.history["time"][1] / result.history["iteration"][1]
    for t, time in zip(result.learning_iterations, result.learning_at_time, strict=True):
        assert (t is None and time is None) or (type(t) is int and time == pytest.approx(step * t, rel=1e-15))
    return result.learning_iterations


@pytest.fixture(scope="module")
def psd_problem():
    """Stöger & Soltanolkotabi's setting: PSD sensing, k ≫ r, enough measurements."""
    return fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)


@pytest.fixture(scope="module")
def psd_runs(psd_problem):
    return {alpha: fs.gradient_descent(psd_problem, width=20, init_scale=alpha, step=0.25, max_iter=400, seed=1)
            for alpha in (1e-7, 1e-6, 1e-5, 1e-4)}


def test_detector_matches_a_numpy_reading_of_the_history(psd_problem, psd_runs):
    s = np.ones(2)
    for result in psd_runs.values():
        phases, learned = numpy_phases(result, s, problem=psd_problem)
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
    phases, learned = numpy_phases(result, np.ones(2), problem=psd_problem,
                                   **{names[k]: v for k, v in thresholds.items()})
    assert result.phases == phases and learning_times(result) == learned


def test_asymmetric_learning_times_follow_the_spectrum():
    p = fs.SensingProblem.gaussian(30, 25, 3, 1500, condition_number=4, seed=3)
    r = fs.gradient_descent(p, width=10, init_scale=1e-4, step=0.3, max_iter=600, seed=4)
    s = np.linalg.svd(p.truth, compute_uv=False)[:3]
    phases, learned = numpy_phases(r, s, problem=p)
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


def test_without_truth_the_residual_decides_and_the_spectral_rule_needs_a_rank():
    """No truth: recovery is read off the relative residual; the spectral rule's "X still small"
    is σ₁(X) ≤ 0.1 σ_r(𝒜*(y)) (numpy's SVD), once rank= names r; nothing needs s⋆."""
    source = fs.SensingProblem.gaussian(11, 8, 2, 120, seed=12)
    problem = fs.SensingProblem.from_dense(source.A, source.y, source.shape)
    r = fs.gradient_descent(problem, width=4, step=0.2, max_iter=200, seed=1)
    assert r.history["residual"][-1] <= 0.1
    assert r.phases == fs.Phases(recovered=True) and r.learning_iterations == []
    ranked = fs.gradient_descent(problem, width=4, init_scale=1e-6, step=0.2, max_iter=200, seed=1, rank=2)
    h = ranked.history
    lam = np.linalg.svd(problem.adjoint(problem.y), compute_uv=False)
    sine = np.maximum(h["spectral_alignment_left"], h["spectral_alignment_right"])
    rows = [i for i in range(len(sine)) if sine[i] <= 0.1 and h["singular_values"][i, 0] <= 0.1 * lam[1]]
    assert rows and ranked.phases.alignment_end == int(h["iteration"][rows[0]])
    assert ranked.phases.saddle_end is None and ranked.phases.spectral_angle_left is None
    strict = fs.gradient_descent(problem, width=4, step=0.2, max_iter=200, seed=1, recovery_threshold=1e-12)
    assert strict.phases == fs.Phases(recovered=False)


def test_recovery_is_the_final_test_error_against_its_threshold(psd_problem):
    """Stopped at iteration 54, with a test error of about 0.39: not recovered at the
    default 0.1 (no phase named), recovered at 0.95 (the same record's phases named)."""
    short = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=54, seed=2)
    error = short.history["test_error"][-1]
    assert 0.15 < error < 0.9
    assert short.phases == fs.Phases(recovered=False, spectral_angle_left=short.phases.spectral_angle_left,
                                     spectral_angle_right=short.phases.spectral_angle_right)
    loose = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=54, seed=2,
                                recovery_threshold=0.95)
    assert loose.phases.recovered and loose.phases.alignment_end is not None
    assert loose.phases == numpy_phases(loose, np.ones(2), recovery=0.95, problem=psd_problem)[0]


def test_a_run_that_does_not_recover_names_no_phase():
    """30 × 20, m = 100 < r(n1 + n2): gradient descent ends far from X⋆ (test error ≈ 1.7); it
    names no phase, though σ_r(X) reached ½ s⋆_r, and still reports the spectral angles."""
    p = fs.SensingProblem.gaussian(30, 20, 2, 100, seed=0)
    r = fs.gradient_descent(p, width=2, step=0.2, max_iter=2000, seed=1)
    assert r.history["test_error"][-1] > 1
    assert r.phases.recovered is False
    assert (r.phases.alignment_end, r.phases.signal_end, r.phases.saddle_end, r.phases.plateau_start) == (None,) * 4
    assert np.allclose((r.phases.spectral_angle_left, r.phases.spectral_angle_right), spectral_angles(p, 2), rtol=1e-9)
    assert r.phases == numpy_phases(r, np.linalg.svd(p.truth, compute_uv=False)[:2], problem=p)[0]


@pytest.mark.parametrize("value", [0.0, 1.0, -0.1, float("nan")])
def test_the_recovery_threshold_lies_in_the_open_unit_interval(psd_problem, value):
    with pytest.raises((fs.InvalidArgumentError, fs.NotFiniteError), match="recovery_threshold"):
        fs.gradient_descent(psd_problem, width=2, max_iter=2, recovery_threshold=value)


def test_the_end_of_alignment_does_not_move_with_alpha(psd_runs):
    """Phase (I) is the power method on 𝒜*(y): its end depends on the spectral gap, not on α —
    while the end of (II) moves by ln(10)/ln(1 + ηλ_r) iterations per decade of α."""
    ends = [psd_runs[a].phases.alignment_end for a in sorted(psd_runs)]
    signal = [psd_runs[a].phases.signal_end for a in sorted(psd_runs)]
    assert None not in ends and max(ends) - min(ends) <= 2, ends
    assert None not in signal and max(signal) - min(signal) <= 2, signal
    for a in psd_runs:
        ph = psd_runs[a].phases
        assert ph.recovered and not ph.still_improving
        assert ph.alignment_end < ph.saddle_end and ph.signal_end < ph.saddle_end


def test_the_end_of_phase_one_is_found_across_the_papers_regimes():
    """A grid of 72 runs — PSD and asymmetric, κ = 1 and 4, m from 2r(n1 + n2) to 20r(n1 + n2),
    k = r and k ≫ r, α from 1e-2 to 1e-8: among the runs with α ≤ 1e-4 that recover, the end of
    (I) is found by one rule or the other in at least 85 % (each rule's rate is printed)."""
    n1, n2, r = 20, 15, 2
    found, spectral, signal, counted = 0, 0, 0, 0
    for psd, kappa, factor, k, alpha in itertools.product([True, False], [1, 4], [2, 6, 20], [r, 10],
                                                          [1e-2, 1e-4, 1e-8]):
        if psd:
            p = fs.SensingProblem.gaussian(n1, n1, r, factor * r * 2 * n1, psd=True, condition_number=kappa, seed=3)
        else:
            p = fs.SensingProblem.gaussian(n1, n2, r, factor * r * (n1 + n2), condition_number=kappa, seed=3)
        ph = fs.gradient_descent(p, width=k, init_scale=alpha, step=0.25 if psd else 0.3, max_iter=1500, seed=1).phases
        if ph.saddle_end is not None:
            for end in (ph.alignment_end, ph.signal_end):
                assert end is None or end <= ph.saddle_end
        if alpha <= 1e-4 and ph.recovered:
            counted += 1
            spectral += ph.alignment_end is not None
            signal += ph.signal_end is not None
            found += ph.alignment_end is not None or ph.signal_end is not None
    print(f"end of (I) found in {found}/{counted} (spectral rule {spectral}, signal rule {signal})")
    assert counted >= 40 and found >= 0.85 * counted


def test_the_plateau_needs_the_improvement_below_its_tolerance(psd_problem):
    """Stopped while the test error still falls by about 4 % over the last tenth of the run: no
    plateau at the default 1 % tolerance, a plateau at 10 %."""
    strict = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=146, seed=2)
    e, t = strict.history["test_error"], strict.history["iteration"]
    before = max(i for i in range(len(t)) if t[i] <= 146 * 0.9)
    assert 0.01 < 1 - e[-1] / e[before] < 0.1
    assert strict.phases.saddle_end is not None and strict.phases.plateau_start is None
    assert strict.phases == numpy_phases(strict, np.ones(2), problem=psd_problem)[0] and strict.phases.still_improving
    loose = fs.gradient_descent(psd_problem, width=20, init_scale=1e-5, step=0.25, max_iter=146, seed=2,
                                plateau_tolerance=0.1)
    assert loose.phases.plateau_level == e[-1]
    assert loose.phases == numpy_phases(loose, np.ones(2), tolerance=0.1, problem=psd_problem)[0]


def test_the_flows_plateau_window_is_a_fraction_of_its_time(psd_problem):
    """Rows every 0.25 up to t = 40, then four rows to t = 200: the last tenth of the *time*
    (t ≥ 180) holds one row, the last tenth of the *rows* starts at t ≈ 37. Over the time window
    the test error still fell by more than 1 %: no plateau, still improving — while a window of
    rows would have declared one."""
    times = np.concatenate([np.linspace(0, 40, 161), np.linspace(41, 200, 5)])
    r = fs.gradient_flow(psd_problem, width=20, init_scale=1e-6, times=times, seed=1)
    e, t = r.history["test_error"], r.history["time"]
    by_time = max(i for i in range(len(t)) if t[i] <= 0.9 * t[-1])
    by_rows = max(i for i in range(len(t)) if i <= 0.9 * (len(t) - 1))
    assert e[-1] < 0.99 * e[by_time] and e[-1] >= 0.99 * e[by_rows]
    assert r.phases.recovered and r.phases.saddle_end is not None
    assert r.phases.plateau_start is None and r.phases.still_improving


def test_the_flow_reads_its_plateau_window_in_time_on_uneven_times():
    """The flow's plateau window is the last tenth of its *time* (docs/mathematics.md): on times
    dense up to 20 and sparse from 30 to 200, the last tenth of the rows starts at t = 19.6, where
    the error is still 170× its final value (a window in rows would say "still improving"), while
    the last tenth of the time starts at 180, on the plateau."""
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)
    times = np.concatenate([np.linspace(0, 20, 201), np.linspace(30, 200, 18)])
    flow = fs.gradient_flow(p, width=20, init_scale=1e-4, times=times, seed=1)
    s = np.linalg.svd(p.truth, compute_uv=False)[:2]
    in_time, _ = numpy_phases(flow, s, axis="time", problem=p)
    in_rows, _ = numpy_phases(flow, s, axis="iteration", problem=p)
    assert in_rows.still_improving and in_rows.plateau_start is None  # the test tells the two apart
    assert flow.phases == in_time
    assert flow.phases.plateau_start_time == 30.0 and not flow.phases.still_improving
