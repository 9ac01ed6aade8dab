"""Callbacks, progress bars, Ctrl-C and divergence."""
import _thread
import threading

import numpy as np
import pytest

import factorsense as fs


def test_callback_sees_every_recorded_iterate(demo_problem):
    seen = []
    r = fs.gradient_descent(demo_problem, width=5, step=0.5, max_iter=50, record_every=5,
                            callback=lambda info: seen.append(info) and False)
    iterations = [info.iteration for info in seen]
    # Between recorded iterates the library may also call back on its 0.1 s clock (a slow machine).
    assert all(a < b for a, b in zip(iterations, iterations[1:]))
    recorded = [info for info in seen if info.iteration % 5 == 0]
    assert [info.iteration for info in recorded] == list(range(0, 51, 5))
    assert all(info.max_iterations == 50 for info in seen)
    np.testing.assert_array_equal([info.loss for info in recorded], r.history["loss"])
    np.testing.assert_array_equal([info.test_error for info in recorded], r.history["test_error"])
    np.testing.assert_array_equal([info.residual for info in recorded], r.history["residual"])


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


def test_keyboard_interrupt_is_seen_at_the_next_callback(demo_problem):
    """Ctrl-C during a callback: the run stops at the next one (every iterate is recorded, so
    that is iterate t + 1), the user's callback is not called again, and KeyboardInterrupt
    carries the partial result. No clock involved."""
    seen = []

    def callback(info):
        seen.append(info.iteration)
        if info.iteration == 20:
            _thread.interrupt_main()  # as if SIGINT arrived now

    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(demo_problem, width=10, step=0.5, max_iter=1000, record_every=1, callback=callback)
    partial = caught.value.result
    assert seen == list(range(21))
    assert partial.stop_reason == "callback" and partial.iterations == 21
    assert partial.history["iteration"][-1] == 21
    # The library is still usable afterwards.
    assert fs.gradient_descent(demo_problem, width=3, max_iter=5).iterations == 5


def test_keyboard_interrupt_between_recorded_iterates_stops_at_the_next_callback(demo_problem):
    """Ctrl-C from another thread during a long stretch without recorded iterates: the library's
    periodic callback (at least every 0.1 s) sees it — the user's callback runs at most once
    more after the interrupt is delivered — and the run stops with the partial result."""
    calls = []
    delivered = []

    def interrupt():
        _thread.interrupt_main()
        delivered.append(len(calls))

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(demo_problem, width=10, step=0.5, max_iter=10**7, record_every=10**6,
                            callback=lambda info: calls.append(info.iteration) and False)
    timer.join()
    partial = caught.value.result
    assert partial.stop_reason == "callback" and 0 < partial.iterations < 10**7
    assert len(calls) - delivered[0] <= 1
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


def test_overflowing_iterates_step_back_to_the_last_finite_one(demo_problem):
    """With the loss-growth rule off, the run goes on until a value overflows; the result then
    holds the last iterate whose factors and loss were finite, recorded once."""
    r = fs.gradient_descent(demo_problem, width=10, step=50, max_iter=1000, seed=1, divergence_factor=1e308)
    assert r.stop_reason == "diverged" and r.iterations < 1000
    assert np.all(np.isfinite(r.U)) and np.all(np.isfinite(r.V))
    iterations = r.history["iteration"]
    np.testing.assert_array_equal(iterations, np.arange(r.iterations + 1))
    assert np.all(np.isfinite(r.history["loss"])) and r.history["loss"][-1] > 1e8 * r.history["loss"][0]
