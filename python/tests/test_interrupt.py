"""Ctrl-C during long calls: generation, the spectral initialization, a run.

Each test sends a real SIGINT to this process from a timer thread while the main thread is in a
call sized to take far longer than the test (tens of seconds to hours uninterrupted); the call
must come back with the interrupt as its reason. The latency from the signal to the
KeyboardInterrupt is printed (`pytest -s`), never asserted: this machine is shared.
"""
import os
import signal
import threading
import time

import numpy as np
import pytest

import factorsense as fs
from factorsense import progress as progress_module


def interrupt_after(delay):
    """Sends SIGINT to this process `delay` seconds after the library's call has started in its
    worker thread (`factorsense-call`), so that a loaded machine, slow to reach the call, cannot
    make the signal land before it; returns the list that receives the time it was sent."""
    sent = []

    def fire():
        deadline = time.perf_counter() + 120
        while time.perf_counter() < deadline and not any(
                t.name == "factorsense-call" and t.is_alive() for t in threading.enumerate()):
            time.sleep(0.001)
        time.sleep(delay)
        sent.append(time.perf_counter())
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=fire, daemon=True).start()
    return sent


def test_ctrl_c_stops_the_generation_of_a_large_problem():
    # m·n1·n2 = 5·10⁸ Gaussian draws: about 15 s uninterrupted here (4 GB, touched as drawn).
    start = time.perf_counter()
    fs.SensingProblem.gaussian(50, 50, 2, 200, seed=1)  # 5·10⁵ draws, for the estimate below
    per_draw = (time.perf_counter() - start) / 5e5
    sent = interrupt_after(0.3)
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.SensingProblem.gaussian(1000, 1000, 2, 500, seed=1)
    latency = time.perf_counter() - sent[0]
    print(f"generation: Ctrl-C to KeyboardInterrupt {latency:.4f} s (uninterrupted ≈ {5e8 * per_draw:.0f} s)")
    # The C call stopped for the interrupt (FS_ERROR_INTERRUPTED), rather than finishing first.
    assert isinstance(caught.value.__cause__, fs.InterruptedCallError)
    assert "interrupted" in str(caught.value.__cause__)
    # The library is still usable afterwards.
    assert fs.SensingProblem.gaussian(4, 3, 1, 12, seed=1).shape == (4, 3)


def test_ctrl_c_stops_the_spectral_initialization():
    """The interrupt lands while 𝒜*(y) is formed (a pass over a 0.5 GB operator) or, on a slow
    timer, in the run that follows: either way the call stops for it. (The LAPACK SVD itself
    cannot be interrupted; it is checked right before and after.)"""
    p = fs.SensingProblem.gaussian(500, 500, 2, 250, seed=0)
    sent = interrupt_after(0.02)
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(p, width=2, init="spectral", step=0.5, max_iter=10**9, record_every=10**8)
    latency = time.perf_counter() - sent[0]
    result = caught.value.result
    where = "during the spectral initialization" if result is None else f"at iteration {result.iterations}"
    print(f"spectral init: Ctrl-C to KeyboardInterrupt {latency:.4f} s, stopped {where}")
    if result is None:
        assert isinstance(caught.value.__cause__, fs.InterruptedCallError)
        assert "spectral" in str(caught.value.__cause__)
    else:
        assert result.stop_reason == "interrupted" and result.iterations < 10**9


def test_ctrl_c_stops_the_iterative_spectral_initialization():
    """The 20000 × 20000 completion problem of the README (10⁶ entries): its spectral
    initialization runs matrix-free (about 10 s uninterrupted here) and stops for Ctrl-C within an
    iteration of the subspace iteration, before any gradient step."""
    p = fs.SensingProblem.completion(20000, 20000, 5, 10**6, seed=0)
    sent = interrupt_after(0.5)
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(p, width=10, init="spectral", max_iter=10, diagnostics="none")
    latency = time.perf_counter() - sent[0]
    print(f"iterative spectral init: Ctrl-C to KeyboardInterrupt {latency:.4f} s")
    assert caught.value.result is None
    assert isinstance(caught.value.__cause__, fs.InterruptedCallError)
    assert "iterative spectral decomposition" in str(caught.value.__cause__)


def test_more_ctrl_c_while_the_call_stops_still_wait_for_it():
    """Three Ctrl-C during one call: the wait goes on until the call has returned (it may read
    the caller's arrays), and the first KeyboardInterrupt is handed back."""
    all_sent, finished = threading.Event(), []

    def call():  # stands for a C call that takes a while to stop
        all_sent.wait()
        time.sleep(0.05)
        finished.append(True)
        return 0

    def fire():
        for _ in range(3):
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.02)
        all_sent.set()

    threading.Timer(0.05, fire).start()
    outcome = []
    try:
        outcome.append(progress_module.call_interruptibly(call, None, work=progress_module.SMALL_CALL))
        time.sleep(0.1)  # a signal still pending is handled here
    except KeyboardInterrupt:
        pass
    status, interrupt = outcome[0]
    assert finished == [True] and status == 0 and isinstance(interrupt, KeyboardInterrupt)


def test_ctrl_c_during_a_run_leaves_nothing_running(demo_problem):
    sent = interrupt_after(0.2)
    with pytest.raises(KeyboardInterrupt) as caught:
        fs.gradient_descent(demo_problem, width=10, step=0.5, max_iter=10**9, record_every=10**8)
    print(f"run: Ctrl-C to KeyboardInterrupt {time.perf_counter() - sent[0]:.4f} s")
    result = caught.value.result
    assert result.stop_reason == "interrupted" and np.all(np.isfinite(result.U))
    time.sleep(0.1)
    assert not [t for t in threading.enumerate() if t.name == "factorsense-call" and t.is_alive()]


def test_callback_exceptions_still_stop_the_run_as_callback(demo_problem):
    def fail(info):
        if info.iteration == 7:
            raise RuntimeError("stop here")
        return False

    with pytest.raises(RuntimeError, match="stop here") as caught:
        fs.gradient_descent(demo_problem, width=5, max_iter=100, callback=fail)
    assert caught.value.result.stop_reason == "callback" and caught.value.result.iterations == 7


def test_small_calls_and_other_threads_make_no_worker_thread(demo_problem, monkeypatch):
    started = []
    real_thread = threading.Thread

    def counting_thread(*args, **kwargs):
        started.append(kwargs.get("name"))
        return real_thread(*args, **kwargs)

    monkeypatch.setattr(progress_module.threading, "Thread", counting_thread)
    fs.SensingProblem.gaussian(40, 30, 3, 800, seed=2)  # 9.6·10⁵ draws: direct
    assert started == []
    fs.gradient_descent(demo_problem, width=3, max_iter=3)  # a run from the main thread: a worker
    assert started == ["factorsense-call"]
    outcome = []
    worker = real_thread(target=lambda: outcome.append(fs.gradient_descent(demo_problem, width=3, max_iter=3)))
    worker.start()
    worker.join()
    assert started == ["factorsense-call"] and outcome[0].iterations == 3  # from another thread: direct
