"""Issue 22, item 7: arguments a hostile (or careless) caller passes that were taken silently
or refused unclearly — integers beyond int64 wrapped by ctypes, strings taken as booleans,
complex arrays cast to real with only a ComplexWarning, 0-d array seeds, 2-D flow times."""
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import factorsense as fs


@pytest.fixture(scope="module")
def problem():
    return fs.SensingProblem.gaussian(6, 5, 2, 40, seed=0)


@pytest.fixture(autouse=True)
def complex_warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error", np.exceptions.ComplexWarning)
        yield


# ---------------------------------------------------------------- integers beyond int64

HUGE = [2**64 + 50, 2**63, -(2**63) - 1]


@pytest.mark.parametrize("value", HUGE)
def test_max_evaluations_beyond_int64_is_refused_not_wrapped(problem, value):
    with pytest.raises(fs.InvalidArgumentError, match=r"max_evaluations .*64-bit"):
        fs.gradient_flow(problem, 2, times=[0.0, 1.0], max_evaluations=value)


@pytest.mark.parametrize("name", ["max_iter", "record_every", "window", "batch_size", "singular_value_count",
                                  "rank", "width", "patience"])
@pytest.mark.parametrize("value", HUGE)
def test_gradient_descent_integer_options_beyond_int64_name_the_option(problem, name, value):
    extra = dict(holdout=0.2) if name == "patience" else {}
    words = "patience must be an integer ≥ 1" if name == "patience" and value < 0 else rf"{name} .*64-bit"
    with pytest.raises(fs.InvalidArgumentError, match=words):
        fs.gradient_descent(problem, **(dict(width=2, max_iter=2) | extra | {name: value}))


@pytest.mark.parametrize("name", ["max_iter", "record_every", "window", "batch_size", "width"])
def test_gradient_flow_integer_options_beyond_int64_name_the_option(problem, name):
    with pytest.raises(fs.InvalidArgumentError, match=rf"{name} .*64-bit"):
        fs.gradient_flow(problem, **(dict(width=2, times=[0.0, 1.0]) | {name: 2**64 + 50}))


def test_a_batch_refuses_a_trial_integer_beyond_int64(problem):
    with pytest.raises(fs.InvalidArgumentError, match=r"max_iter .*64-bit"):
        fs.gradient_descent_batch(problem, 2, max_iter=[2, 2**64 + 50])


def test_a_sweep_refuses_integers_beyond_int64_before_running(tmp_path):
    spec = dict(kind="gaussian", n1=6, n2=5, rank=2, measurements=40, seed=0)
    with pytest.raises(fs.InvalidArgumentError, match=r"max_iter .*64-bit"):
        fs.sweep(spec, grid=dict(max_iter=[2, 2**64 + 50]), width=2)
    for name in ("n1", "measurements", "seed"):
        with pytest.raises(fs.InvalidArgumentError, match=name):
            fs.sweep(spec | {name: 2**64 + 50}, width=2, max_iter=2)


# ---------------------------------------------------------------- booleans

CONSTRUCTORS = {
    "gaussian": lambda psd: fs.SensingProblem.gaussian(6, 6, 2, 40, psd=psd),
    "symmetric_gaussian": lambda psd: fs.SensingProblem.symmetric_gaussian(6, 2, 40, psd=psd),
    "factorization": lambda psd: fs.SensingProblem.factorization(6, 6, 2, psd=psd),
    "completion": lambda psd: fs.SensingProblem.completion(6, 6, 2, 30, psd=psd),
    "rank_one": lambda psd: fs.SensingProblem.rank_one(6, 6, 2, 40, psd=psd),
    "from_dense": lambda psd: fs.SensingProblem.from_dense(np.eye(36)[:20], np.zeros(20), (6, 6), psd=psd),
    "from_entries": lambda psd: fs.SensingProblem.from_entries([0, 1], [0, 1], [1.0, 2.0], (3, 3), psd=psd),
    "from_dense_masked": lambda psd: fs.SensingProblem.from_dense_masked(np.eye(3), psd=psd),
}


@pytest.mark.parametrize("value", ["False", "true", 1, 0, None, 1.0, [True]])
@pytest.mark.parametrize("constructor", sorted(CONSTRUCTORS))
def test_psd_must_be_a_bool(constructor, value):
    with pytest.raises(fs.InvalidArgumentError, match="psd must be True or False"):
        CONSTRUCTORS[constructor](value)


@pytest.mark.parametrize("constructor", sorted(CONSTRUCTORS))
def test_psd_takes_python_and_numpy_bools(constructor):
    assert CONSTRUCTORS[constructor](np.bool_(True)).psd is True
    assert CONSTRUCTORS[constructor](False).psd is False


@pytest.mark.parametrize("name", ["restore_best", "progress"])
@pytest.mark.parametrize("value", ["False", 1, None])
def test_gradient_descent_booleans_must_be_bools(problem, name, value):
    extra = dict(holdout=0.2) if name == "restore_best" else {}
    with pytest.raises(fs.InvalidArgumentError, match=f"{name} must be True or False"):
        fs.gradient_descent(problem, **(dict(width=2, max_iter=2) | extra | {name: value}))


def test_gradient_flow_progress_must_be_a_bool(problem):
    with pytest.raises(fs.InvalidArgumentError, match="progress must be True or False"):
        fs.gradient_flow(problem, 2, times=[0.0, 1.0], progress="False")


@pytest.mark.parametrize("name", ["progress", "histories"])
def test_sweep_booleans_must_be_bools(name):
    spec = dict(kind="gaussian", n1=6, n2=5, rank=2, measurements=40, seed=0)
    with pytest.raises(fs.InvalidArgumentError, match=f"{name} must be True or False"):
        fs.sweep(spec, width=2, max_iter=2, **{name: "False"})
    with pytest.raises(fs.InvalidArgumentError, match=r"problem\['psd'\] must be True or False"):
        fs.sweep(dict(spec, n2=6, psd="False"), width=2, max_iter=2)


# ---------------------------------------------------------------- complex arrays

def test_complex_times_are_refused_like_from_dense(problem):
    with pytest.raises(fs.InvalidArgumentError, match="times must be real; complex input would lose"):
        fs.gradient_flow(problem, 2, times=np.array([0.0, 1.0 + 1.0j]))


def test_complex_masked_matrix_is_refused_like_from_dense():
    with pytest.raises(fs.InvalidArgumentError, match="M must be real; complex input would lose"):
        fs.SensingProblem.from_dense_masked(np.eye(3) + 1.0j)


def test_a_complex_perturbation_is_refused_like_from_dense(problem):
    with pytest.raises(fs.InvalidArgumentError, match="perturbation .*must be real; complex input would lose"):
        fs.gradient_flow(problem, 2, times=[0.0, 1.0], perturbation=lambda t, U, V: np.zeros((6, 5)) + 1.0j)


def test_complex_flat_factors_are_refused_like_from_dense(problem):
    f = problem.flat_loss_and_grad(2)
    with pytest.raises(fs.InvalidArgumentError, match="x must be real; complex input would lose"):
        f(np.ones(22) + 1.0j)


@pytest.mark.parametrize("name", ["y", "truth", "U0", "V0", "values", "validation"])
def test_every_other_array_input_refuses_complex(problem, name):
    complex_ = lambda a: np.asarray(a) + 1.0j  # noqa: E731
    with pytest.raises(fs.InvalidArgumentError, match="must be real; complex input would lose"):
        if name in ("y", "truth"):
            arguments = dict(A=problem.A, y=problem.y, shape=(6, 5), truth=np.zeros((6, 5)))
            arguments[name] = complex_(arguments[name])
            fs.SensingProblem.from_dense(**arguments)
        elif name in ("U0", "V0"):
            factors = dict(U0=np.ones((6, 2)), V0=np.ones((5, 2)))
            factors[name] = complex_(factors[name])
            fs.gradient_descent(problem, max_iter=2, **factors)
        elif name == "values":
            fs.SensingProblem.from_entries([0, 1], [0, 1], complex_([1.0, 2.0]), (3, 3))
        else:
            fs.gradient_descent(problem, 2, max_iter=2, validation=([0], [0], complex_([1.0])))


# ---------------------------------------------------------------- seeds

@pytest.mark.parametrize("seed", [np.array(3), np.array(3, dtype=np.uint64), np.int32(3), np.uint64(3)])
def test_zero_dimensional_and_numpy_integer_seeds_are_seeds(problem, seed):
    assert (fs.gradient_descent(problem, 2, max_iter=3, seed=seed).U
            == fs.gradient_descent(problem, 2, max_iter=3, seed=3).U).all()
    assert (fs.SensingProblem.gaussian(6, 5, 2, 40, seed=seed).A == fs.SensingProblem.gaussian(6, 5, 2, 40, seed=3).A).all()


@pytest.mark.parametrize("seed", [np.array([3]), np.array(3.5), np.array(True), np.array("3")])
def test_other_arrays_are_not_seeds(problem, seed):
    with pytest.raises(fs.InvalidArgumentError, match="seed must be a whole number"):
        fs.gradient_descent(problem, 2, max_iter=3, seed=seed)


# ---------------------------------------------------------------- flow times

@pytest.mark.parametrize("times", [[[0.0, 1.0], [2.0, 3.0]], np.zeros((0, 2)), 1.0])
def test_flow_times_must_be_one_dimensional(problem, times):
    with pytest.raises(fs.SizeMismatchError, match="times must be a one-dimensional"):
        fs.gradient_flow(problem, 2, times=times)


def test_a_sweep_takes_a_zero_dimensional_seed():
    spec = dict(kind="gaussian", n1=6, n2=5, rank=2, measurements=40)
    frames = [fs.sweep(dict(spec, seed=seed), grid=dict(seed=run_seed), width=2, max_iter=3)
              for seed, run_seed in ((np.array(1), np.array(2)), (1, 2))]
    assert frames[0]["final_loss"].tolist() == frames[1]["final_loss"].tolist()


# ---------------------------------------------------------------- numbers double precision cannot serve

def test_automatic_step_with_a_huge_ridge_takes_steps_instead_of_converging_at_once(problem):
    # ‖H d‖ ≈ μ = 1e308: its square overflowed, the step fell back to 0.1 and 60 halvings from
    # there never reached 1/μ: "converged" at iteration 0 with a loss of 7e302.
    r = fs.gradient_descent(problem, 2, step="auto", ridge=1e308, max_iter=20, diagnostics="none")
    assert r.stop_reason == "max_iterations" and r.iterations == 20
    assert r.history["step"][0] < 1e-307  # η₀ = 1/L̂ ≈ 1/μ, not the fallback 0.1
    assert r.history["loss"][-1] < 1e-40 * r.history["loss"][0]


@pytest.mark.parametrize("rtol", [1e-300, 1e-17, 2e-14])
def test_a_relative_tolerance_below_double_precision_is_refused(problem, rtol):
    with pytest.raises(fs.InvalidArgumentError, match="rtol must be ≥ 100·ε"):
        fs.gradient_flow(problem, 2, times=[0.0, 1.0], rtol=rtol, atol=rtol)
    fs.gradient_flow(problem, 2, times=[0.0, 1.0], rtol=1e-13, atol=1e-300)  # the smallest that can be met runs


def test_any_positive_absolute_tolerance_runs_as_a_tiny_one(problem):
    # The scale atol + rtol·|y| is at least rtol·|y| with rtol ≥ 100ε: a subnormal atol can be
    # met, and takes the steps a tiny normal one takes — no lower bound, no "diverged".
    runs = [fs.gradient_flow(problem, 2, times=[0.0, 1.0, 10.0], rtol=1e-13, atol=atol, diagnostics="none")
            for atol in (1e-300, np.finfo(float).tiny, 5e-324)]
    assert [r.stop_reason for r in runs] == ["end_time"] * 3
    assert all(r.flow_statistics == runs[0].flow_statistics and np.array_equal(r.U, runs[0].U) for r in runs)


def test_lapack_never_prints_on_the_callers_stderr():
    """Issue 22: factors of 1e200 overflow X = UVᵀ; its SVD for the diagnostics handed ±∞ to
    LAPACK, whose DLASCL printed "parameter number 4 had an illegal value" on stderr. The
    factorizations now refuse a non-finite matrix first, and the diagnostics record NaN."""
    import subprocess
    import sys

    script = ("import numpy as np, factorsense as fs\n"
              "p = fs.SensingProblem.gaussian(8, 6, 2, 60, seed=0)\n"
              "r = fs.gradient_descent(p, U0=np.full((8, 3), 1e200), V0=np.full((6, 3), 1e200), max_iter=5)\n"
              "print(r.stop_reason, r.history['numerical_rank'][0], r.history['effective_rank'][0])\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "DLASCL" not in out.stderr and "illegal value" not in out.stderr, out.stderr
    assert out.stdout.split() == ["diverged", "nan", "nan"]


# From the edges2 helper's branch (8f4f972): a truth or 𝒜*(y) that LAPACK cannot take.

def in_a_subprocess(code):
    """(return code, stdout, stderr) of `code` run by a fresh interpreter (a crash or LAPACK's
    own printing must not reach pytest's process)."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    return done.returncode, done.stdout, done.stderr


def test_a_zero_or_overflowing_truth_does_not_crash():
    # A zero truth has rank 0 (the signal/noise split indexed σ[−1]: a trap); a truth of 1e308
    # entries has σ₁ = inf (its rank came out 0 the same way). Both ended the interpreter.
    code, out, err = in_a_subprocess("""
        import numpy as np, factorsense as fs
        A, y = np.ones((20, 36)), np.ones(20)
        r = fs.gradient_descent(fs.SensingProblem.from_dense(A, y, (6, 6), truth=np.zeros((6, 6))), 2, max_iter=3)
        print("zero", np.isnan(r.history["signal"]).all(), np.isnan(r.history["alignment_left"]).all())
        for run in (lambda p: fs.gradient_descent(p, 2, max_iter=3), lambda p: fs.gradient_flow(p, 2, times=[0, 1])):
            try:
                run(fs.SensingProblem.from_dense(A, y, (6, 6), truth=np.full((6, 6), 1e308)))
            except fs.NotFiniteError as error:
                print("refused", error)
    """)
    assert code == 0, err[-2000:]
    lines = out.splitlines()
    assert lines[0] == "zero True True"
    assert len(lines) == 3 and all(line.startswith("refused") and "overflows double precision" in line for line in lines[1:])


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("method", ["dense", "iterative"])
def test_an_overflowing_adjoint_is_refused_before_lapack_prints(psd, method):
    # 𝒜*(y) = inf: dgesdd / dsyevd printed "On entry to DLASCL parameter number 4 had an
    # illegal value" on stderr, then failed with "info 13" (or the PSD run went on to "diverged").
    code, out, err = in_a_subprocess(f"""
        import numpy as np, factorsense as fs
        n = 30
        A = fs.SensingProblem.gaussian(n, n, 2, 400, seed=0).A.copy()
        A[0, :] = 1e300
        p = fs.SensingProblem.from_dense(A, np.full(400, 1e300), (n, n), psd={psd})
        try:
            fs.gradient_descent(p, 2, init="spectral", spectral_method="{method}", max_iter=3)
        except fs.NotFiniteError as error:
            print("refused", error)
    """)
    assert code == 0, err[-2000:]
    assert "DLASCL" not in err and "illegal value" not in err, err
    assert out.startswith("refused") and "overflow" in out, out
