"""fs.gradient_descent_batch: every trial bit for bit its own gradient_descent run (the shared pass
over a dense operator computes exactly what each run alone computes), trials that stop on their
own, refusals, and Ctrl-C stopping every trial."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import factorsense as fs


def same_run(a, b):
    assert a.stop_reason == b.stop_reason and a.iterations == b.iterations
    np.testing.assert_array_equal(a.U, b.U)
    np.testing.assert_array_equal(a.V, b.V)
    assert list(a.history) == list(b.history)
    for name in b.history:
        np.testing.assert_array_equal(a.history[name], b.history[name])


PROBLEMS = {
    "gaussian": lambda: fs.SensingProblem.gaussian(12, 9, 2, 300, seed=3),
    "symmetric_gaussian": lambda: fs.SensingProblem.symmetric_gaussian(10, 2, 250, seed=3),
    "completion": lambda: fs.SensingProblem.completion(12, 9, 2, 70, seed=3),
    "from_dense": lambda: fs.SensingProblem.from_dense(np.random.default_rng(1).standard_normal((120, 48)) / 11,
                                                       np.random.default_rng(2).standard_normal(120), (8, 6)),
}


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_every_trial_is_its_own_run_bit_for_bit(kind):
    p = PROBLEMS[kind]()
    k = 5 if p.psd else 4
    per_trial = dict(seed=[0, 1, 2, 3], init_scale=[1e-3, 1e-2, 1e-3, 1e-1], step=[0.2, 0.2, 0.1, 0.05],
                     max_iter=[120, 60, 120, 200])
    if not p.psd:
        per_trial["init_ratio"] = [1.0, 2.0, 0.5, 1.0]
    runs = fs.gradient_descent_batch(p, width=k, record_every=10, **per_trial)
    assert len(runs) == 4
    for i, run in enumerate(runs):
        alone = fs.gradient_descent(p, width=k, record_every=10, **{name: values[i] for name, values in per_trial.items()})
        same_run(run, alone)


@pytest.mark.parametrize("kind", ["gaussian", "completion"])
def test_trials_beyond_one_group_are_their_own_runs_bit_for_bit(kind):
    # The trials run in groups of max(cores, 8): more than two groups, the last one partial, and
    # trials of different lengths, so that groups hold trials that stop at different steps.
    p = PROBLEMS[kind]()
    count = 2 * max(os.cpu_count() or 1, 8) + 3
    max_iter = [40 + 7 * (i % 5) for i in range(count)]
    runs = fs.gradient_descent_batch(p, width=3, seed=list(range(count)), max_iter=max_iter, step=0.2)
    assert len(runs) == count
    for i in (0, count // 2, count - 1):
        same_run(runs[i], fs.gradient_descent(p, width=3, seed=i, max_iter=max_iter[i], step=0.2))
    assert [r.iterations for r in runs] == max_iter


def test_widths_and_a_diverging_trial_stop_on_their_own():
    p = PROBLEMS["gaussian"]()
    runs = fs.gradient_descent_batch(p, width=[2, 4, 6], step=[0.2, 80.0, 0.2], max_iter=150, seed=7)
    assert [r.U.shape[1] for r in runs] == [2, 4, 6]
    assert runs[1].stop_reason == "diverged" and runs[1].iterations < 150
    assert runs[0].iterations == runs[2].iterations == 150
    for width, run in zip([2, 6], [runs[0], runs[2]]):
        same_run(run, fs.gradient_descent(p, width=width, step=0.2, max_iter=150, seed=7))


def test_scalars_alone_make_one_trial():
    p = PROBLEMS["gaussian"]()
    (run,) = fs.gradient_descent_batch(p, width=3, max_iter=20)
    same_run(run, fs.gradient_descent(p, width=3, max_iter=20))


@pytest.mark.parametrize("arguments, message", [
    (dict(seed=[0, 1], init_scale=[1e-3, 1e-2, 1e-1]), "different lengths"),
    (dict(seed=[]), "at least one trial"),
    (dict(callback=lambda info: False), "callback"),
    (dict(progress=True), "progress"),
    (dict(holdout=0.1), "holdout"),
    (dict(colour="red"), "colour"),
    (dict(step=[0.1, -1.0]), "step"),
])
def test_refusals_before_any_trial_runs(arguments, message):
    p = PROBLEMS["gaussian"]()
    with pytest.raises(fs.InvalidArgumentError, match=message):
        fs.gradient_descent_batch(p, width=3, max_iter=10, **arguments)


def test_a_trial_refused_by_the_library_reports_every_other_result():
    """A width above min(n1, n2) for a spectral start is refused by the run itself: the error of
    that trial is raised, with every trial's result (None for the refused one) attached."""
    p = PROBLEMS["gaussian"]()
    with pytest.raises(fs.InvalidArgumentError, match="spectral") as caught:
        fs.gradient_descent_batch(p, width=[3, 20], init="spectral", max_iter=10)
    results = caught.value.results
    assert results[1] is None and results[0].iterations == 10
    same_run(results[0], fs.gradient_descent(p, width=3, init="spectral", max_iter=10))


def test_ctrl_c_stops_every_trial():
    p = fs.SensingProblem.gaussian(60, 60, 2, 2000, seed=0)
    threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent_batch(p, width=4, seed=[0, 1, 2], step=0.1, max_iter=10**8, record_every=10**7)
    print(f"batch: Ctrl-C after {time.perf_counter() - start:.2f} s")
    results = caught.value.results
    assert len(results) == 3
    for r in results:
        assert r is not None and r.stop_reason == "interrupted" and 0 < r.iterations < 10**8
