"""The README's main job: recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by
factorized gradient descent from a small random initialization, print the run and its phases,
and save a plot.

    PYTHONPATH=python python3 examples/python/demo.py --plot demo.png
"""
import argparse
import sys

import numpy as np

import factorsense as fs


def phases(result, problem):
    """A first reading of the phases of Stöger & Soltanolkotabi from the history.

    (I)/(II) end when the test error first falls below 1/2 — the iterate has left the saddle at
    0 and has grown along the target's subspaces; (III) local refinement then runs until the
    test error stops improving by more than 1 % over the last 10 % of the run, whose level is the
    plateau. (The diagnostics issue brings the full detector with alignment angles.)
    """
    t, error = result.history["iteration"], result.history["test_error"]
    escaped = t[np.argmax(error < 0.5)] if np.any(error < 0.5) else None
    tail = error[int(0.9 * len(error)):]
    plateau = tail[-1] if tail[0] - tail[-1] < 0.01 * tail[0] else None
    return escaped, plateau


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plot", default="demo.png", help="where to save the plot (default demo.png)")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    args = parser.parse_args()

    problem = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
    print(f"{problem}: recover X⋆ (rank 3) with width k = 10 from α = 1e-3, η = 0.5")
    result = fs.gradient_descent(problem, width=10, init_scale=1e-3, step=0.5, max_iter=3000, seed=1,
                                 record_every=10)

    print(f"{'iteration':>10} {'loss':>12} {'test error':>12}")
    for i in range(0, len(result.history["iteration"]), 30):
        print(f"{result.history['iteration'][i]:>10} {result.history['loss'][i]:>12.3e} "
              f"{result.history['test_error'][i]:>12.3e}")

    escaped, plateau = phases(result, problem)
    final = result.history["test_error"][-1]
    print(f"stopped: {result.stop_reason} after {result.iterations} iterations")
    print(f"phases (I)+(II), alignment and saddle avoidance: until iteration {escaped} (test error < 1/2)")
    if plateau is not None:
        print(f"phase (III), local refinement: plateau at test error {plateau:.2e} (grows with α)")
    else:
        print("phase (III), local refinement: still improving at the end of the run")
    print(f"final test error ‖X − X⋆‖_F/‖X⋆‖_F = {final:.3e}")

    if not args.no_plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ax = fs.plot_history(result)
        if escaped is not None:
            ax.axvline(escaped, color="grey", linestyle=":", label="saddle escaped")
            ax.legend()
        plt.tight_layout()
        plt.savefig(args.plot, dpi=120)
        print(f"plot saved to {args.plot}")
    return 0 if final < 1e-2 else 1


if __name__ == "__main__":
    sys.exit(main())
