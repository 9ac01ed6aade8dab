"""What recording the diagnostics costs: the same run with diagnostics "none", "default" and
"all" recorded at every step, side by side in one process, as time ratios to "none".

Read the ratios, not the seconds (the machine is shared). The issue's target: recording every
diagnostic every step costs at most 2× a run that records nothing.

    PYTHONPATH=python python3 benchmarks/bench_diagnostics.py
"""
import argparse
import time

import factorsense as fs


def timed(problem, repeats, **options):
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fs.gradient_descent(problem, **options)
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    cases = [
        ("dense 40×30, m=900, k=10", fs.SensingProblem.gaussian(40, 30, 3, 900, seed=0), dict(width=10, step=0.5), 300),
        ("dense 100×80, m=4000, k=10", fs.SensingProblem.gaussian(100, 80, 3, 4000, seed=0), dict(width=10, step=0.5), 50),
        ("PSD 30×30, m=300, k=30", fs.SensingProblem.symmetric_gaussian(30, 3, 300, seed=0), dict(width=30, step=0.25), 300),
        ("completion 2000×1500, m=3e5, k=10", fs.SensingProblem.completion(2000, 1500, 5, 300_000, seed=0),
         dict(width=10, step=0.5), 50),
    ]
    print(f"{'problem':<36} {'none (ms/step)':>15} {'default/none':>13} {'all/none':>9}")
    for name, problem, options, steps in cases:
        common = dict(options, max_iter=steps, seed=1, record_every=1)
        none = timed(problem, args.repeats, diagnostics="none", **common)
        default = timed(problem, args.repeats, diagnostics="default", **common)
        everything = timed(problem, max(1, args.repeats // 3), diagnostics="all", **common) if problem.shape[0] <= 200 \
            else float("nan")
        print(f"{name:<36} {1e3 * none / steps:>15.3f} {default / none:>13.2f} {everything / none:>9.2f}")
    print("(all/none is not run for the completion problem: the perturbation forms n1 × n2 matrices and an SVD)")


if __name__ == "__main__":
    main()
