"""The interpreter may exit while a daemon thread is inside gradient_descent: no crash at exit
(it used to die with SIGSEGV inside OpenBLAS, called from the dense kernels, in 4 of 8 runs)."""
import os
import subprocess
import sys
from pathlib import Path

import factorsense as fs

SCRIPT = r'''
import threading, time, factorsense as fs
p = fs.SensingProblem.gaussian(60, 60, 3, 2000, seed=1)
threading.Thread(target=lambda: fs.gradient_descent(p, width=10, max_iter=10**8, diagnostics="none"), daemon=True).start()
time.sleep(0.1)
'''


def test_exit_while_a_daemon_thread_solves_never_crashes():
    package = Path(fs.__file__).resolve().parents[1]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))
    statuses = [subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, timeout=120).returncode
                for _ in range(50)]
    assert statuses == [0] * 50, statuses
