"""The interpreter may exit while daemon threads are inside gradient_descent (default diagnostics)
or gradient_flow: no crash at exit. It used to die with SIGSEGV in OpenBLAS (cblas_dgemm), whose
exit-time teardown freed the buffers the solving threads still used ("BLAS : Bad memory
unallocation!"): 12 of 100 runs of this flow test. With the exit gate around OpenBLAS calls alone
(Sources/CExitGate) 5 of 100 still died, in PyGILState_Ensure: a progress callback into the
finalized interpreter; the package now calls fs_begin_exit at interpreter shutdown, which stops
the solving threads' callbacks.

One driver process imports the package and builds a tiny problem once, then forks RUNS children
per kind of solve, two at a time. Each child starts two daemon threads solving, waits a few
milliseconds and leaves by `sys.exit(0)`: the interpreter's own shutdown, then C's exit. The
driver prints every child's exit status; anything a child printed (OpenBLAS's complaints) fails
the test too."""
import json
import os
import subprocess
import sys
from pathlib import Path

import factorsense as fs

#: Runs of the flow (about 1 in 8 crashed before the gate) and of gradient descent (whose
#: threads spend more time in Python's progress relay, where the interpreter's shutdown ends them).
FLOW_RUNS, DESCENT_RUNS = 200, 50

DRIVER = r'''
import json, os, random, sys, tempfile, threading, time
import numpy as np
import factorsense as fs

kind, runs = sys.argv[1], int(sys.argv[2])
p = fs.SensingProblem.gaussian(40, 30, 3, 600, seed=1)
times = np.linspace(0, 1000, 100)  # few rows: the threads stay in the library, rarely in Python

def solve():
    if kind == "flow":
        fs.gradient_flow(p, 8, times=times, max_evaluations=10**9)
    else:
        fs.gradient_descent(p, 8, max_iter=10**6, record_every=10**5, diagnostics=kind)

def child(output):
    os.dup2(output.fileno(), 1)
    os.dup2(output.fileno(), 2)
    for _ in range(2):
        threading.Thread(target=solve, daemon=True).start()
    time.sleep(0.03 + 0.02 * random.random())
    sys.exit(0)  # the interpreter's shutdown while both threads solve

statuses, live = [], 0
with tempfile.TemporaryFile() as output:
    for i in range(runs):
        if live == 2:
            statuses.append(os.wait()[1])
            live -= 1
        random.seed(i)
        sys.stdout.flush()
        if os.fork() == 0:
            child(output)
        live += 1
    statuses += [os.wait()[1] for _ in range(live)]
    output.seek(0)
    printed = output.read().decode(errors="replace")
print(json.dumps({"statuses": statuses, "printed": printed}))
'''


def _exit_statuses(kind, runs):
    package = Path(fs.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, "-c", DRIVER, kind, str(runs)], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def _describe(statuses):
    return {os.waitstatus_to_exitcode(s): statuses.count(s) for s in set(statuses)}


def test_exit_while_daemon_threads_run_gradient_descent_with_diagnostics_never_crashes():
    outcome = _exit_statuses("default", DESCENT_RUNS)
    assert outcome["statuses"] == [0] * DESCENT_RUNS, _describe(outcome["statuses"])
    assert outcome["printed"] == ""


def test_exit_while_daemon_threads_run_gradient_flow_never_crashes():
    outcome = _exit_statuses("flow", FLOW_RUNS)
    assert outcome["statuses"] == [0] * FLOW_RUNS, _describe(outcome["statuses"])
    assert outcome["printed"] == ""
