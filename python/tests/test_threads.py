"""Distinct handles from several threads at once (ctypes releases the GIL)."""
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import factorsense as fs


def solve(seed):
    p = fs.SensingProblem.gaussian(n1=20, n2=15, rank=2, measurements=300, seed=seed)
    r = fs.gradient_descent(p, width=4, step=0.5, max_iter=300, seed=seed)
    return r.U, r.V, r.history["loss"]


def test_eight_threads_match_their_serial_runs():
    serial = [solve(seed) for seed in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(solve, range(8)))
    for a, b in zip(serial, parallel):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_threads_share_one_problem():
    p = fs.SensingProblem.gaussian(n1=20, n2=15, rank=2, measurements=300, seed=3)
    expected = fs.gradient_descent(p, width=4, step=0.5, max_iter=200, seed=9).U
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: fs.gradient_descent(p, width=4, step=0.5, max_iter=200, seed=9).U, range(4)))
    for U in results:
        np.testing.assert_array_equal(U, expected)
