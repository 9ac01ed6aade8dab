"""The dense kernels' instruction sets (issue 24): every trial of a batch is bit for bit its
solo run, and the bits do not depend on the instruction set (AVX-512, AVX2, the baseline —
forced by FACTORSENSE_KERNEL_ISA when the library loads) nor on the number of cores or OpenBLAS
threads. The problems put every tail of the kernel's blocks to work: n1·n2 mod 16 and mod 8,
m mod 8 and mod 4, and trial counts that are not multiples of the trial block (3)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

import factorsense as fs

ORDER = ["avx512", "avx2", "baseline"]
# What this machine runs: the best it offers and every older one.
SUPPORTED = ORDER[ORDER.index(fs.kernel_instruction_set()):]

SCRIPT = r'''
import hashlib, numpy as np, factorsense as fs
h = hashlib.sha256()
problems = [
    fs.SensingProblem.gaussian(40, 30, 3, 900, seed=1),                       # n = 1200, m = 900
    fs.SensingProblem.gaussian(13, 11, 2, 301, seed=2),                       # n = 143 (mod 16 = 15), m mod 8 = 5
    fs.SensingProblem.gaussian(9, 7, 2, 150, seed=3, dtype="float32"),        # n = 63, float32 rows
    fs.SensingProblem.symmetric_gaussian(30, 2, 300, seed=4),                 # the papers' PSD sweep size
    fs.SensingProblem.from_dense(np.random.default_rng(5).standard_normal((203, 5 * 7)) / np.sqrt(203),
                                 np.random.default_rng(6).standard_normal(203), (5, 7)),
]
for p in problems:
    width = 30 if p.psd else 4
    for trials in (1, 2, 3, 4, 5, 7):
        seeds = list(range(trials))
        batch = fs.gradient_descent_batch(p, width=width, seed=seeds, step=0.05, max_iter=25, record_every=5,
                                          diagnostics="none")
        for seed, r in zip(seeds, batch):
            alone = fs.gradient_descent(p, width=width, seed=seed, step=0.05, max_iter=25, record_every=5,
                                        diagnostics="none")
            assert np.array_equal(r.U, alone.U) and np.array_equal(r.V, alone.V), (p, trials, seed)
            assert np.array_equal(r.history["loss"], alone.history["loss"]), (p, trials, seed)
            h.update(r.U.tobytes()); h.update(r.V.tobytes()); h.update(np.asarray(r.history["loss"]).tobytes())
print(fs.kernel_instruction_set(), h.hexdigest())
'''


def run(isa, one_cpu=False, openblas_threads=None):
    """(the instruction set that ran, the digest) of SCRIPT in a fresh process."""
    package = Path(fs.__file__).resolve().parents[1]
    env = dict(os.environ, FACTORSENSE_KERNEL_ISA=isa,
               PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))
    if openblas_threads:
        env["OPENBLAS_NUM_THREADS"] = str(openblas_threads)
    pin = ["taskset", "-c", "0"] if one_cpu else []
    done = subprocess.run([*pin, sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                          timeout=600, cwd=Path(__file__).parent)
    assert done.returncode == 0, done.stderr[-3000:]
    ran, digest = done.stdout.split()
    return ran, digest


def test_the_instruction_set_is_one_of_three():
    assert fs.kernel_instruction_set() in ORDER


def test_every_instruction_set_and_core_count_gives_the_same_bits():
    runs = {isa: run(isa) for isa in SUPPORTED}
    for isa, (ran, _) in runs.items():
        assert ran == isa, f"FACTORSENSE_KERNEL_ISA={isa} ran {ran}"
    runs["one core"] = run(SUPPORTED[0], one_cpu=True)
    runs["4 OpenBLAS threads"] = run(SUPPORTED[0], openblas_threads=4)
    assert len({digest for _, digest in runs.values()}) == 1, runs


def test_an_unknown_or_unsupported_instruction_set_falls_back_to_the_best():
    package = Path(fs.__file__).resolve().parents[1]
    for asked in ("no-such-isa", "AVX512 ", ""):
        env = dict(os.environ, FACTORSENSE_KERNEL_ISA=asked,
                   PYTHONPATH=os.pathsep.join([str(package), os.environ.get("PYTHONPATH", "")]))
        done = subprocess.run([sys.executable, "-c", "import factorsense as fs; print(fs.kernel_instruction_set())"],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.strip() == SUPPORTED[0], (asked, done.stdout)
