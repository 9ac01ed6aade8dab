"""Same seed, same bits: across runs, processes and thread counts."""
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import factorsense as fs

SCRIPT = """
import hashlib, factorsense as fs
p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=11)
r = fs.gradient_descent(p, width=6, step=0.5, max_iter=60, seed=4)
h = hashlib.sha256()
for a in (p.A, p.y, p.truth, r.U, r.V, r.history["loss"]):
    h.update(a.tobytes())
print(h.hexdigest())
"""


def digest(problem, result):
    h = hashlib.sha256()
    for a in (problem.A, problem.y, problem.truth, result.U, result.V, result.history["loss"]):
        h.update(a.tobytes())
    return h.hexdigest()


def run_in_subprocess(threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), PYTHONPATH=str(Path(fs.__file__).parent.parent))
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_same_seed_same_bits_in_process():
    runs = []
    for _ in range(2):
        p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=11)
        runs.append(digest(p, fs.gradient_descent(p, width=6, step=0.5, max_iter=60, seed=4)))
    assert runs[0] == runs[1]


def test_same_bits_across_processes_and_thread_counts():
    here = run_in_subprocess(threads=1)
    assert here == run_in_subprocess(threads=1)
    assert here == run_in_subprocess(threads=2)
    p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=11)
    assert here == digest(p, fs.gradient_descent(p, width=6, step=0.5, max_iter=60, seed=4))


def test_different_seeds_differ():
    a = fs.SensingProblem.gaussian(n1=10, n2=8, rank=2, measurements=50, seed=1)
    b = fs.SensingProblem.gaussian(n1=10, n2=8, rank=2, measurements=50, seed=2)
    assert not np.array_equal(a.A, b.A) and not np.array_equal(a.truth, b.truth)
    r1 = fs.gradient_descent(a, width=3, max_iter=5, seed=1)
    r2 = fs.gradient_descent(a, width=3, max_iter=5, seed=2)
    assert not np.array_equal(r1.U, r2.U)


def test_large_seeds_round_trip():
    """Any seed in [0, 2**64), as a Python int or a numpy integer, is the same seed."""
    p = fs.SensingProblem.gaussian(n1=6, n2=5, rank=1, measurements=20, seed=2**64 - 1)
    q = fs.SensingProblem.gaussian(n1=6, n2=5, rank=1, measurements=20, seed=np.uint64(2**64 - 1))
    np.testing.assert_array_equal(p.A, q.A)
    r = fs.gradient_descent(p, width=2, max_iter=3, seed=2**63 + 5)
    s = fs.gradient_descent(p, width=2, max_iter=3, seed=np.uint64(2**63 + 5))
    np.testing.assert_array_equal(r.U, s.U)
    assert not np.array_equal(r.U, fs.gradient_descent(p, width=2, max_iter=3, seed=5).U)
