"""A completion problem too large for a dense spectral initialization: 20000 × 20000, rank 5,
10⁶ observed entries (0.25 %), started from the top-5 singular pairs of 𝒜*(y) computed
matrix-free (spectral_method="auto" → "iterative" above 2²⁰ entries), then refined by gradient
descent. Prints the time and peak memory of the start and the test error before and after.

    PYTHONPATH=python python3 examples/python/large_completion.py [n]
"""
import resource
import sys
import time

import factorsense as fs


def main(n=20000):
    p = fs.SensingProblem.completion(n, n, 5, 50 * n, seed=0)
    start = time.perf_counter()
    r0 = fs.gradient_descent(p, width=5, init="spectral", max_iter=0, diagnostics="none")
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"{n} × {n} completion, {50 * n} entries: spectral start in {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB (𝒜*(y) alone would be {8 * n * n / 2**30:.1f} GiB)")
    print(f"test error of the spectral start:    {r0.history['test_error'][-1]:.3e}")
    r = fs.gradient_descent(p, init=(r0.U, r0.V), step="auto", max_iter=100, record_every=25, diagnostics="none")
    print(f"test error after {r.iterations} gradient steps: {r.history['test_error'][-1]:.3e}")


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
