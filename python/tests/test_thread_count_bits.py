"""Same bits for every OpenBLAS thread count (issue: spectral init, the identity operator and
completion histories used to differ between OPENBLAS_NUM_THREADS=1 and 2): every family × both
initializations × plain GD, ScaledGD and mini-batch, run in subprocesses with 1, 2 and 4
OpenBLAS threads, must give byte-identical factors and histories."""
import os
import subprocess
import sys
from pathlib import Path

import factorsense as fs

SCRIPT = r'''
import hashlib, numpy as np, factorsense as fs
h = hashlib.sha256()
gens = [lambda: fs.SensingProblem.gaussian(30, 25, 3, 900, seed=1),
        lambda: fs.SensingProblem.factorization(120, 100, 3, seed=2),
        lambda: fs.SensingProblem.factorization(420, 300, 3, seed=8),  # row blocks in parallel at width 5
        lambda: fs.SensingProblem.completion(300, 250, 3, 20000, seed=3),
        lambda: fs.SensingProblem.rank_one(40, 30, 2, 800, seed=4),
        lambda: fs.SensingProblem.symmetric_gaussian(30, 2, 600, seed=5),
        lambda: fs.SensingProblem.completion(200, 200, 2, 9000, psd=True, seed=6)]
for make in gens:
    p = make()
    for init in ("random", "spectral"):
        for extra in ({}, dict(preconditioner="scaled"), dict(batch_size=100), dict(balancing=0.5, noise_injection=1e-4)):
            if p.psd and "balancing" in extra:
                continue
            r = fs.gradient_descent(p, width=5, init=init, step=0.2, max_iter=30, seed=7,
                                    diagnostics="all" if p.shape[0] <= 40 else "default", **extra)
            h.update(r.U.tobytes()); h.update(r.V.tobytes())
            for k in r.history:
                h.update(np.asarray(r.history[k]).tobytes())
            h.update(r.history["singular_values"].tobytes())
print(h.hexdigest())
'''


def digest(threads, one_cpu=False):
    """The digest with `threads` OpenBLAS threads; `one_cpu`: pinned to one CPU (taskset), so
    that the library's own chunks run on a single core."""
    package = Path(fs.__file__).resolve().parents[1]
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads),
               PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))
    pin = ["taskset", "-c", "0"] if one_cpu else []
    done = subprocess.run([*pin, sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.strip()


def test_every_family_init_and_variant_gives_the_same_bits_for_1_2_and_4_threads():
    digests = {t: digest(t) for t in (1, 2, 4)}
    assert len(set(digests.values())) == 1, digests


def test_the_same_bits_on_one_core():
    assert digest(2, one_cpu=True) == digest(2)
