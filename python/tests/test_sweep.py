"""fs.sweep: rows that are the runs they describe, the same rows on a Dask LocalCluster as locally,
a worker killed mid-sweep, a sweep interrupted and resumed from its Parquet dataset, refusals
before any trial runs."""
import os
import signal
import threading
import time

import numpy as np
import pandas as pd
import pytest

import factorsense as fs

PROBLEM = dict(kind="gaussian", n1=16, n2=12, rank=2, measurements=[150, 220], seed=[0, 1])
GRID = dict(seed=range(2), init_scale=[1e-3, 1e-2])
COMMON = dict(width=3, step=0.5, max_iter=200)
OUTCOME = ["stop_reason", "iterations", "final_loss", "final_test_error", "saddle_end", "learning_times"]


def comparable(frame):
    """The frame without the wall times (everything else is bits)."""
    return frame.drop(columns=["seconds"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def local():
    return fs.sweep(problem=PROBLEM, grid=GRID, workers=2, **COMMON)


@pytest.fixture(scope="module")
def cluster():
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c, \
            distributed.Client(c) as client:
        yield client


def test_rows_are_the_runs_they_describe_in_grid_order(local):
    assert len(local) == 16 and list(local["trial"]) == list(range(16))
    assert local.attrs == {"computed": 16, "reused": 0}
    for row in local.itertuples():
        p = fs.SensingProblem.gaussian(16, 12, 2, row.measurements, seed=row.problem_seed)
        r = fs.gradient_descent(p, width=3, step=0.5, max_iter=200, seed=row.seed, init_scale=row.init_scale)
        assert row.stop_reason == r.stop_reason and row.iterations == r.iterations
        assert row.final_loss == r.history["loss"][-1] and row.final_test_error == r.history["test_error"][-1]
        assert list(row.learning_times) == list(r.learning_iterations)
        assert row.saddle_end == r.phases.saddle_end
    # The grid order: problem points outermost, then the run grid in the order given.
    assert list(local["measurements"][:4]) == [150] * 4 and list(local["seed"][:4]) == [0, 0, 1, 1]


def test_a_dask_cluster_gives_the_same_rows_bit_for_bit(local, cluster):
    remote = fs.sweep(problem=PROBLEM, grid=GRID, client=cluster, **COMMON)
    pd.testing.assert_frame_equal(comparable(remote), comparable(local))


def test_a_process_pool_gives_the_same_rows_as_the_default_threads(local):
    processes = fs.sweep(problem=PROBLEM, grid=GRID, workers=2, executor="processes", **COMMON)
    pd.testing.assert_frame_equal(comparable(processes), comparable(local))


def test_a_worker_killed_mid_sweep_loses_no_row(local, cluster):
    pids = cluster.run(os.getpid)
    killed = []

    def kill_one(done, total):
        if not killed:
            victim = next(iter(pids.values()))
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    heavier = dict(COMMON, max_iter=3000)
    frame = fs.sweep(problem=PROBLEM, grid=GRID, client=cluster, progress=kill_one, **heavier)
    assert killed and len(frame) == 16
    reference = fs.sweep(problem=PROBLEM, grid=GRID, workers=2, **heavier)
    pd.testing.assert_frame_equal(comparable(frame), comparable(reference))


def test_an_interrupted_sweep_resumes_from_its_dataset(local, tmp_path):
    path = tmp_path / "sweep"

    def stop_after_first(done, total):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fs.sweep(problem=PROBLEM, grid=GRID, path=path, workers=1, progress=stop_after_first, **COMMON)
    written = list(path.glob("part-*.parquet"))
    assert 1 <= len(written) < 4
    resumed = fs.sweep(problem=PROBLEM, grid=GRID, path=path, workers=2, **COMMON)
    assert resumed.attrs["reused"] == 4 * len(written) and resumed.attrs["computed"] == 16 - 4 * len(written)
    pd.testing.assert_frame_equal(comparable(resumed), comparable(local))
    again = fs.sweep(problem=PROBLEM, grid=GRID, path=path, **COMMON)
    assert again.attrs == {"computed": 0, "reused": 16}
    pd.testing.assert_frame_equal(comparable(again), comparable(local))
    with pytest.raises(fs.InvalidArgumentError, match="other parameters"):
        fs.sweep(problem=PROBLEM, grid=GRID, path=path, **dict(COMMON, step=0.4))


def test_ctrl_c_stops_the_tasks_running_in_threads(tmp_path):
    """Ctrl-C reaches the main thread only: the sweep stops the runs of its threads through
    fs_interrupt and raises promptly, where the runs alone take minutes; nothing is written."""
    path = tmp_path / "sweep"
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGINT))
    start = time.perf_counter()
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            fs.sweep(problem=dict(n1=30, n2=30, rank=2, measurements=900, seed=[0, 1]), path=path, workers=2,
                     width=3, step=0.01, max_iter=600_000, record_every=10**5)
    finally:
        timer.cancel()
    assert time.perf_counter() - start < 30
    assert not list(path.glob("part-*"))
    assert not [t for t in threading.enumerate() if t.name.startswith("factorsense-sweep")]


def test_a_refused_or_diverged_trial_is_a_row():
    frame = fs.sweep(problem=dict(n1=10, n2=8, rank=2, measurements=100), grid=dict(width=[2, 20], step=[0.3, 60.0]),
                     init="spectral", max_iter=50, workers=1)
    assert list(frame["stop_reason"]) == ["max_iterations", "diverged", "error", "error"]
    assert "spectral" in frame["error"][2] and frame["error"][0] == ""


@pytest.mark.parametrize("problem, grid, common, message", [
    (dict(n1=8, n2=6, rank=2, measurements=50, colour="red"), {}, dict(width=2), "colour"),
    (dict(kind="magic", n1=8), {}, dict(width=2), "kind"),
    (dict(n1=8, n2=6, rank=2, measurements=[]), {}, dict(width=2), "empty"),
    (dict(n1=8, n2=6, rank=2, measurements=0), {}, dict(width=2), "measurements"),
    (dict(n1=8, n2=6, rank=2, measurements=50), dict(speed=[1, 2]), dict(width=2), "speed"),
    (dict(n1=8, n2=6, rank=2, measurements=50), dict(step=[0.1, -1.0]), dict(width=2), "step"),
    (dict(n1=8, n2=6, rank=2, measurements=50), {}, {}, "width"),
    (dict(n1=8, n2=6, rank=2, measurements=50), dict(width=[2]), dict(width=3), "both"),
    (dict(n1=8, n2=6, rank=2, measurements=50), {}, dict(width=2, callback=print), "callback"),
    (dict(n1=8, n2=6, rank=2, measurements=50), {}, dict(width=2, executor="fork"), "executor"),
])
def test_refusals_before_any_trial_runs(problem, grid, common, message, tmp_path):
    path = tmp_path / "never"
    with pytest.raises(fs.InvalidArgumentError, match=message):
        fs.sweep(problem=problem, grid=grid, path=path, **common)
    assert not path.exists() or not list(path.glob("part-*"))
