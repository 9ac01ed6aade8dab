"""The phase detector and the learning times against a numpy reading of the record from their
definitions alone (docs/mathematics.md, "Phases"; SPEC "Incremental learning"), on what
test_phases.py leaves out: asymmetric wide and tall runs (the spectral sine is the larger of the
left and the right one), a user ``rank=`` other than the truth's (the spectral subspace takes the
user's rank, "X still small" the truth's s⋆_r), a flow whose rows start at t₀ > 0 (the plateau's
window is the last fraction of [t₀, t_end]), runs started at the truth, the automatic step (the
events' times are Σ of the steps), a record every 3 iterations, and fewer recorded singular
values than the truth's rank.
"""
import dataclasses

import numpy as np
import pytest

import factorsense as fs

DEFAULTS = dict(alignment=0.1, saddle=0.5, tolerance=0.01, window=0.1, recovery=0.1)


def top_subspaces(M, r, psd):
    """The top-r left and right singular subspaces of M (PSD: top-r eigenvectors of sym(M))."""
    if psd:
        w, Q = np.linalg.eigh((M + M.T) / 2)
        P = Q[:, np.argsort(w)[::-1][:r]]
        return P, P, np.sort(w)[::-1][:r]
    P, lam, Qt = np.linalg.svd(M)
    return P[:, :r], Qt[:r].T, lam[:r]


def sine(P, B):
    return np.linalg.norm(P - B @ (B.T @ P), 2)


def expected_phases(result, problem, rank=None, axis="iteration", sine_of=np.maximum, window_from_first=True,
                    small_scale="truth", **thresholds):
    """(Phases, learning iterations, learning times) by the definitions; `sine_of`,
    `window_from_first` and `small_scale` switch to a wrong reading, so a test can show its case
    tells the two apart."""
    o = dict(DEFAULTS, **thresholds)
    h = result.history
    it, time, x = h["iteration"], h["time"], h[axis]
    rows = range(len(it))
    sigma = h["singular_values"]
    c = sigma.shape[1]
    truth = problem.truth if problem.has_truth else None
    s = None if truth is None else np.linalg.svd(truth, compute_uv=False)
    if s is not None:
        s = s[s > max(truth.shape) * np.finfo(float).eps * s[0]]
    r_spectral = rank or (None if s is None else len(s))
    angles, lam = {}, None
    if r_spectral and "spectral_alignment_left" in h:
        P, Q, lam = top_subspaces(problem.adjoint(problem.y), r_spectral, problem.psd)
        if s is not None:
            L, _, Rt = np.linalg.svd(truth)
            left = sine(P, L[:, :len(s)])
            right = left if problem.psd else sine(Q, Rt[:len(s)].T)
            angles = dict(spectral_angle_left=left, spectral_angle_right=right)

    def event(i):
        return (None, None) if i is None else (int(it[i]), float(time[i]))

    def first(candidates):
        return next(iter(candidates), None)

    learned = [] if s is None else [event(first(i for i in rows if sigma[i, j] >= o["saddle"] * s[j]))
                                    for j in range(min(len(s), c))]
    final = h["test_error" if s is not None else "residual"][-1]
    if not final <= o["recovery"]:
        return fs.Phases(recovered=False, **angles), learned
    saddle = None
    if s is not None and len(s) <= c:
        saddle = first(i for i in rows if sigma[i, len(s) - 1] >= o["saddle"] * s[-1])
    rows_of_one = range((len(it) - 1 if saddle is None else saddle) + 1)
    scale = (s[-1] if s is not None else lam[-1] if lam is not None else None) if small_scale == "truth" else \
        (lam[-1] if lam is not None else s[-1] if s is not None else None)
    aligned = None
    if scale is not None and "spectral_alignment_left" in h:
        both = sine_of(h["spectral_alignment_left"], h["spectral_alignment_right"])
        aligned = first(i for i in rows_of_one if both[i] <= o["alignment"] and sigma[i, 0] <= 0.1 * scale)
    signal = None
    if s is not None and "signal" in h:
        signal = first(i for i in rows_of_one if h["signal"][i] >= 10 * h["noise"][i])
    phases = dict(recovered=True, alignment_end=event(aligned)[0], alignment_end_time=event(aligned)[1],
                  signal_end=event(signal)[0], signal_end_time=event(signal)[1], **angles)
    if saddle is None:
        return fs.Phases(**phases), learned
    phases.update(saddle_end=int(it[saddle]), saddle_end_time=float(time[saddle]), still_improving=True)
    e = h["test_error"]
    start = x[0] + (x[-1] - x[0]) * (1 - o["window"]) if window_from_first else x[-1] * (1 - o["window"])
    before = max((i for i in rows if x[i] <= start), default=None)
    if before is not None and before >= saddle and e[-1] >= (1 - o["tolerance"]) * e[before]:
        plateau = first(i for i in range(saddle, len(it)) if e[i] <= (1 + o["tolerance"]) * e[-1])
        phases.update(plateau_start=event(plateau)[0], plateau_start_time=event(plateau)[1],
                      plateau_level=float(e[-1]), still_improving=False)
    return fs.Phases(**phases), learned


def check(result, problem, **reading):
    """The result's phases and learning times are the definitions' (angles to 1e-9)."""
    phases, learned = expected_phases(result, problem, **reading)
    got = result.phases
    for name in ("spectral_angle_left", "spectral_angle_right"):
        a, b = getattr(got, name), getattr(phases, name)
        assert (a is None) == (b is None), name
        if a is not None:
            assert a == pytest.approx(b, rel=1e-9, abs=1e-12), name
    assert got == dataclasses.replace(phases, spectral_angle_left=got.spectral_angle_left,
                                      spectral_angle_right=got.spectral_angle_right)
    assert result.learning_iterations == [i for i, _ in learned]
    assert result.learning_at_time == [t for _, t in learned]
    return phases


@pytest.fixture(scope="module")
def wide():
    return fs.SensingProblem.gaussian(10, 18, 2, 480, condition_number=2, seed=11)


@pytest.fixture(scope="module")
def tall():
    return fs.SensingProblem.gaussian(18, 10, 2, 480, condition_number=2, seed=12)


def gd(problem, **options):
    settings = dict(width=6, init_scale=1e-4, step=0.3, max_iter=150, seed=3) | options
    return fs.gradient_descent(problem, **settings)


def test_asymmetric_runs_on_wide_and_tall_problems(wide, tall):
    """Every phase and learning time of a wide and a tall run; on one of them the right sine is
    the larger at the end of (I), so reading the left one alone moves the end of alignment."""
    differs = False
    for problem in (wide, tall):
        for scale in (1e-4, 1e-2):
            r = gd(problem, init_scale=scale)
            phases = check(r, problem)
            assert phases.recovered and phases.saddle_end is not None
            left_only, _ = expected_phases(r, problem, sine_of=lambda left, right: left)
            differs |= left_only.alignment_end != phases.alignment_end
    assert differs


@pytest.mark.parametrize("rank, scale", [(1, 1e-2), (3, 1e-3)])
def test_a_user_rank_other_than_the_truths(wide, rank, scale):
    """rank= sets the spectral subspace (and its angle to the truth's subspace, of the truth's
    rank); "X still small" stays 0.1 s⋆_r of the truth."""
    r = gd(wide, rank=rank, init_scale=scale)
    check(r, wide, rank=rank)
    if rank == 1:  # σ₁(X) ≤ 0.1 λ₁(𝒜*(y)) is a different rule from σ₁(X) ≤ 0.1 s⋆₂ on this run
        by_spectrum, _ = expected_phases(r, wide, rank=rank, small_scale="spectral")
        assert by_spectrum.alignment_end != r.phases.alignment_end


def test_a_flow_whose_rows_start_late():
    """Rows at t ∈ [20, 35]: the plateau's window is the last tenth of [t₀, t_end] (t ≥ 33.5), not
    of [0, t_end] (t ≥ 31.5); on this record (noisy, so the error levels off) the two differ."""
    p = fs.SensingProblem.gaussian(10, 14, 2, 400, noise=0.01, seed=13)
    r = fs.gradient_flow(p, width=2, init_scale=1e-3, times=np.linspace(20, 35, 61), seed=2,
                         plateau_tolerance=0.02)
    phases = check(r, p, axis="time", tolerance=0.02)
    assert phases.plateau_start is not None and phases.saddle_end_time > 20
    from_zero, _ = expected_phases(r, p, axis="time", tolerance=0.02, window_from_first=False)
    assert from_zero.plateau_start != phases.plateau_start


@pytest.mark.parametrize("noise", [0.0, 0.01])
def test_a_run_started_at_the_truth(wide, noise):
    """Started at U₀ = L√S, V₀ = R√S: every σ_i learned at iteration 0, (II) ends at 0, X is
    never small (no end of alignment by the spectral rule)."""
    p = fs.SensingProblem.gaussian(10, 18, 2, 480, condition_number=2, noise=noise, seed=11) if noise else wide
    L, s, Rt = np.linalg.svd(p.truth)
    U0, V0 = L[:, :2] * np.sqrt(s[:2]), Rt[:2].T * np.sqrt(s[:2])
    r = fs.gradient_descent(p, U0=U0, V0=V0, step=0.3, max_iter=40, rank=2)
    phases = check(r, p)
    assert phases.saddle_end == 0 and phases.alignment_end is None
    assert r.learning_iterations == [0, 0] and r.learning_at_time == [0.0, 0.0]


def test_learning_times_of_an_automatic_step_are_sums_of_its_steps(tall):
    """The automatic step: each event's time is Σ of the steps up to its iteration (the "time"
    column), not η·t."""
    r = gd(tall, step="auto", max_iter=120)
    check(r, tall)
    assert None not in r.learning_at_time
    steps = r.history["step"]
    assert not np.allclose(steps[1:], steps[1])  # the step changes: η·t would be another time
    t = np.array(r.learning_iterations)
    np.testing.assert_allclose(r.learning_at_time, np.cumsum(steps[1:])[t - 1], rtol=1e-12)


def test_learning_times_at_a_coarser_record_and_with_few_singular_values(tall):
    """record_every=3: events at recorded iterations only; singular_value_count=1 and width 1:
    one learning time (σ₁'s), no end of (II) (σ_r is not recorded)."""
    check(gd(tall, record_every=3), tall)
    one = gd(tall, singular_value_count=1)
    phases = check(one, tall)
    assert len(one.learning_iterations) == 1 and one.learning_iterations[0] is not None
    assert phases.saddle_end is None
    narrow = gd(tall, width=1, max_iter=200)
    check(narrow, tall)
    assert len(narrow.learning_iterations) == 1
