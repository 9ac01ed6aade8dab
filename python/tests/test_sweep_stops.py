"""A sweep stops when its process does (issue 22, item 7; subprocesses under a timeout):

- the interpreter exits while fs.sweep runs in a daemon thread: it used to hang until every task
  had run (concurrent.futures joins its pool's threads at shutdown, and nothing stopped them);
- with executor="processes", SIGINT sent to the parent alone (not to the terminal's process
  group, which the workers would get too) used to leave the workers computing, and the sweep
  waited for them.
Each task here would run for minutes: a sweep that is not stopped times out.
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import factorsense as fs

LONG_SWEEP = ("fs.sweep(problem=dict(n1=40, n2=30, rank=3, measurements=600, seed=[0, 1, 2, 3]), grid=dict(seed=[0, 1]), "
              "width=8, max_iter=10**8, record_every=10**6, diagnostics='none', workers=2, executor={executor!r})")

IN_A_DAEMON_THREAD = f'''
import threading, time, factorsense as fs
threading.Thread(target=lambda: {LONG_SWEEP.format(executor="threads")}, daemon=True).start()
time.sleep(1.0)
print("exiting", flush=True)
'''

IN_THE_MAIN_THREAD = f'''
import sys, time, factorsense as fs
print("sweeping", flush=True)
try:
    {LONG_SWEEP.format(executor="processes")}
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(3)
'''


def _environment():
    package = Path(fs.__file__).resolve().parents[1]
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))


def test_the_interpreter_exits_while_a_daemon_thread_sweeps():
    start = time.monotonic()
    done = subprocess.run([sys.executable, "-c", IN_A_DAEMON_THREAD], env=_environment(), capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "exiting"
    assert time.monotonic() - start < 30


def test_sigint_to_the_parent_alone_stops_a_sweep_in_processes():
    child = subprocess.Popen([sys.executable, "-c", IN_THE_MAIN_THREAD], env=_environment(), stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert child.stdout.readline().strip() == "sweeping"
        time.sleep(4)  # the workers are spawned, import the package, and compute
        workers = _children(child.pid)
        assert workers, "the sweep started no worker process"
        os.kill(child.pid, signal.SIGINT)  # the parent alone
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
    assert child.returncode == 3 and "interrupted" in out, (child.returncode, out, err[-3000:])
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers), "a worker process still runs"


def _children(pid):
    """The pids of the processes whose parent is `pid`."""
    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(entry))
    return children


def _alive(pid):
    """Whether `pid` runs (a zombie does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
