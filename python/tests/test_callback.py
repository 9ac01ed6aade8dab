"""Callbacks, progress bars, Ctrl-C and divergence."""
import _thread
import time
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


def test_keyboard_interrupt_stops_the_run_with_the_partial_result(demo_problem):
    sent = []

    def interrupt():
        sent.append(time.perf_counter())
        _thread.interrupt_main()

    timer = threading.Timer(0.3, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(demo_problem, width=10, step=0.5, max_iter=10**9, record_every=10**8)
    print(f"Ctrl-C to KeyboardInterrupt: {time.perf_counter() - sent[0]:.4f} s")  # not asserted: a shared machine
    partial = caught.value.result
    # 10⁹ iterations would take hours: the run stopped for the interrupt.
    assert partial.stop_reason == "interrupted" and 0 < partial.iterations < 10**9 and not partial.success
    assert partial.history["iteration"][-1] == partial.iterations
    assert np.all(np.isfinite(partial.U)) and np.isfinite(partial.history["loss"][-1])
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


def test_overflowing_iterates_step_back_to_the_last_finite_one(demo_problem):
    """With the loss-growth rule off, the run goes on until a value overflows; the result then
    holds the last iterate whose factors and loss were finite, recorded once."""
    r = fs.gradient_descent(demo_problem, width=10, step=50, max_iter=1000, seed=1, divergence_factor=1e308)
    assert r.stop_reason == "diverged" and r.iterations < 1000
    assert np.all(np.isfinite(r.U)) and np.all(np.isfinite(r.V))
    iterations = r.history["iteration"]
    np.testing.assert_array_equal(iterations, np.arange(r.iterations + 1))
    assert np.all(np.isfinite(r.history["loss"])) and r.history["loss"][-1] > 1e8 * r.history["loss"][0]
