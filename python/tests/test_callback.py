"""Callbacks, progress bars, Ctrl-C and divergence."""
import _thread
import threading
import time

import numpy as np
import pytest

import factorsense as fs


def test_callback_sees_every_recorded_iterate(demo_problem):
    seen = []
    r = fs.gradient_descent(demo_problem, width=5, step=0.5, max_iter=50, record_every=5,
                            callback=lambda info: seen.append(info) and False)
    iterations = [info.iteration for info in seen]
    assert iterations[:11] == list(range(0, 51, 5))
    assert seen[0].max_iterations == 50
    np.testing.assert_allclose([info.loss for info in seen[:11]], r.history["loss"], rtol=0, atol=0)


def test_callback_returning_true_stops(demo_problem):
    r = fs.gradient_descent(demo_problem, width=5, step=0.5, max_iter=1000, record_every=10,
                            callback=lambda info: info.iteration >= 30)
    assert r.stop_reason == "callback" and r.iterations == 30 and not r.success
    assert r.history["iteration"][-1] == 30


def test_stop_iteration_stops(demo_problem):
    def stop(info):
        if info.iteration >= 20:
            raise StopIteration
    assert fs.gradient_descent(demo_problem, width=5, max_iter=100, callback=stop).stop_reason == "callback"


def test_exceptions_in_the_callback_are_raised_after_c_returns(demo_problem):
    def fail(info):
        raise ValueError("from the callback")
    with pytest.raises(ValueError, match="from the callback") as caught:
        fs.gradient_descent(demo_problem, width=5, max_iter=100, callback=fail)
    assert caught.value.result.stop_reason == "callback"


def test_keyboard_interrupt_stops_within_0_2_s_with_the_partial_result(demo_problem):
    sent = []

    def interrupt():
        sent.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(demo_problem, width=10, step=0.5, max_iter=10**7, record_every=10**6)
    latency = time.perf_counter() - sent[0]
    partial = caught.value.result
    assert partial.stop_reason == "callback" and 0 < partial.iterations < 10**7
    assert latency < 0.2  # the callback comes at least every 0.1 s
    # The library is still usable afterwards.
    assert fs.gradient_descent(demo_problem, width=3, max_iter=5).iterations == 5


def test_progress_bar(demo_problem, capsys):
    r = fs.gradient_descent(demo_problem, width=5, step=0.5, max_iter=200, record_every=20, progress=True)
    assert r.iterations == 200
    assert "200/200" in capsys.readouterr().err


def test_too_large_a_step_diverges_with_finite_factors(demo_problem):
    r = fs.gradient_descent(demo_problem, width=10, step=50, max_iter=1000, seed=1)
    assert r.stop_reason == "diverged" and not r.success
    assert r.iterations < 1000
    assert np.all(np.isfinite(r.U)) and np.all(np.isfinite(r.V))
    assert r.history["iteration"][-1] == r.iterations
