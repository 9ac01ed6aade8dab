"""A fixed FactorSense workload to run under a profiler (docs/performance.md, "Where the time
goes"): gradient descent on one dense Gaussian problem, nothing else timed.

    perf stat -e task-clock,context-switches,cpu-migrations,page-faults \\
        env PYTHONPATH=python python3 benchmarks/profile_dense.py 100 100 5000 --dtype float32 --steps 50
    perf record -g env PYTHONPATH=python python3 benchmarks/profile_dense.py 40 30 900
"""
import argparse
import time

import factorsense as fs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n1", type=int)
    parser.add_argument("n2", type=int)
    parser.add_argument("m", type=int)
    parser.add_argument("--width", type=int, default=10)
    parser.add_argument("--steps", type=int, default=2000)
    parser.add_argument("--dtype", default="float64", choices=("float64", "float32"))
    args = parser.parse_args()
    p = fs.SensingProblem.gaussian(args.n1, args.n2, 3, args.m, seed=0, dtype=args.dtype)
    start = time.perf_counter()
    fs.gradient_descent(p, width=args.width, step=0.5, max_iter=args.steps, record_every=args.steps, diagnostics="none")
    seconds = (time.perf_counter() - start) / args.steps
    entries = args.m * args.n1 * args.n2
    print(f"{args.dtype} {args.n1}×{args.n2}, m = {args.m}: {1e3 * seconds:.4f} ms/step, "
          f"{entries * p.dtype.itemsize / seconds / 1e9:.1f} GB/s of 𝐀, {2 * entries / seconds / 1e9:.1f} G fused multiply-adds/s")


if __name__ == "__main__":
    main()
