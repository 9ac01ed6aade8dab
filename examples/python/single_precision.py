"""float32 storage of a dense operator: the same recovery with half the memory.

Draws the demo's Gaussian problem twice from one seed — 𝐀 stored in float64, and in float32
(each entry rounded; y measured by the rounded operator) — runs the same gradient descent on
both, and prints each one's memory, time per step and final test error. The arithmetic is
float64 either way (docs/performance.md), so the errors agree to well within f32 accuracy.

    PYTHONPATH=python python3 examples/python/single_precision.py [n1 n2 m]
"""
import sys
import time

import factorsense as fs


def main():
    n1, n2, m = (int(v) for v in sys.argv[1:4]) if len(sys.argv) > 3 else (40, 30, 900)
    errors = {}
    for dtype in ("float64", "float32"):
        p = fs.SensingProblem.gaussian(n1, n2, 3, m, noise=1e-4, seed=0, dtype=dtype)
        start = time.perf_counter()
        r = fs.gradient_descent(p, width=5, init_scale=1e-3, step=0.5, max_iter=1500, seed=1, diagnostics="none")
        per_step = (time.perf_counter() - start) / r.iterations
        errors[dtype] = r.history["test_error"][-1]
        print(f"{dtype}: 𝐀 {p.A.nbytes / 1e6:.1f} MB, {1e3 * per_step:.3f} ms/step, "
              f"final test error {errors[dtype]:.4e}")
    change = abs(errors["float32"] - errors["float64"]) / errors["float64"]
    print(f"relative change of the final test error: {change:.2e}")


if __name__ == "__main__":
    main()
