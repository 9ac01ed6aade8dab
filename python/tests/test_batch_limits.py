"""A batch and a sweep under an address-space limit (`ulimit -v`) end with a result or a clean
OutOfMemoryError — never a hang, an abort or a crash (issue 22, item 7).

A batch used to start a thread per trial whose stacks and malloc arenas the memory count left
out: 1001 trials under `ulimit -v 8000000` hung for ever (800 threads, 796 waiting in the shared
pass), and 64 trials under 1.2 GB died or hung in 9 of 25 runs. Now the trials run in groups of
max(cores, 8) on as many threads, whatever their number. Each case runs in a subprocess whose
RLIMIT_AS is set by `preexec_fn`, under a timeout; the subprocess also records the most threads
the process had while the batch ran.
"""
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import factorsense as fs

RUNNER = textwrap.dedent("""
    import sys, threading, time
    import factorsense as fs

    peak = [0]
    def watch():
        while True:
            with open("/proc/self/status") as status:
                threads = next(int(line.split()[1]) for line in status if line.startswith("Threads:"))
            peak[0] = max(peak[0], threads)
            time.sleep(0.005)
    threading.Thread(target=watch, daemon=True).start()
    try:
        exec(sys.argv[1])
    except fs.OutOfMemoryError as error:
        print("REFUSED", str(error)[:200], "THREADS", peak[0])
    else:
        print("OK THREADS", peak[0])
""")

BATCH = ("p = fs.SensingProblem.gaussian(12, 10, 2, 150, seed=1)\n"
         "rs = fs.gradient_descent_batch(p, width=3, seed=list(range({trials})), max_iter=30, diagnostics='none')\n"
         "assert len(rs) == {trials}")
SWEEP = ("df = fs.sweep(problem=dict(n1=12, n2=10, rank=2, measurements=150, seed=[0, 1, 2]), "
         "grid=dict(seed=range({trials})), width=3, max_iter=30, diagnostics='none')\n"
         "assert len(df) == 3 * {trials} and (df['stop_reason'] == 'max_iterations').all()")

#: Threads beyond a batch's own: the interpreter's, the watcher, OpenBLAS's pool, Dispatch's
#: workers, a sweep's pool.
OTHER_THREADS = 16


def run_limited(code, limit_bytes):
    """The last line `code` printed under RLIMIT_AS = `limit_bytes`; fails on a death or a hang."""
    package = Path(fs.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (limit_bytes, limit_bytes))

    done = subprocess.run([sys.executable, "-c", RUNNER, code], env=env, capture_output=True, text=True,
                          timeout=60, preexec_fn=limit)
    assert done.returncode == 0, f"died with status {done.returncode}:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return done.stdout.strip().splitlines()[-1]


def assert_bounded(line, concurrent):
    assert line.startswith("OK") or line.startswith("REFUSED"), line
    assert int(line.split()[-1]) <= concurrent + OTHER_THREADS, line


def concurrent_trials():
    return max(os.cpu_count() or 1, 8)


def test_a_batch_of_1001_trials_under_ulimit_v_8000000_runs_on_bounded_threads():
    line = run_limited(BATCH.format(trials=1001), 8_000_000 * 1024)
    assert line.startswith("OK"), line  # tiny trials: they fit
    assert_bounded(line, concurrent_trials())


def test_a_batch_under_a_tight_limit_runs_or_is_refused_cleanly():
    for _ in range(3):  # 9 of 25 runs of this batch used to die or hang
        line = run_limited(BATCH.format(trials=64), 1_200_000_000)
        assert line.startswith("OK") or "at its peak" in line, line
        assert_bounded(line, concurrent_trials())


def test_a_batch_that_does_not_fit_is_refused_cleanly():
    line = run_limited(BATCH.format(trials=64).replace("max_iter=30", "max_iter=2*10**6"), 1_200_000_000)
    assert line.startswith("REFUSED") and "at its peak" in line, line


@pytest.mark.parametrize("limit_bytes", [1_200_000_000, 4_000_000_000])
def test_a_sweep_under_an_address_space_limit_runs_or_is_refused_cleanly(limit_bytes):
    line = run_limited(SWEEP.format(trials=64), limit_bytes)
    assert line.startswith("OK") or "at its peak" in line, line
    if limit_bytes > 2**31:
        assert line.startswith("OK"), line
    assert_bounded(line, concurrent_trials() * (os.cpu_count() or 1))
