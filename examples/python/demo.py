"""The README's main job: recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by
factorized gradient descent from a small random initialization, print the run and its phases,
and save a plot.

    PYTHONPATH=python python3 examples/python/demo.py --plot demo.png
"""
import argparse
import sys

import numpy as np

import factorsense as fs


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plot", default="demo.png", help="where to save the plot (default demo.png)")
    parser.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    args = parser.parse_args()

    problem = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
    print(f"{problem}: recover X⋆ (rank 3) with width k = 10 from α = 1e-3, η = 0.5")
    result = fs.gradient_descent(problem, width=10, init_scale=1e-3, step=0.5, max_iter=3000, seed=1)

    h = result.history
    print(f"{'iteration':>10} {'loss':>11} {'test error':>11} {'σ_r(X)':>9} {'sin∠(U,L⋆)':>11} "
          f"{'sin∠(U,𝒜*y)':>12} {'eff. rank':>9} {'imbalance':>10}")
    for i in [0, 5, 10, 15, 20, 25, 30, 40, 60, 100, 300, 1000, 3000]:
        print(f"{h['iteration'][i]:>10} {h['loss'][i]:>11.3e} {h['test_error'][i]:>11.3e} "
              f"{h['singular_values'][i, 2]:>9.3e} {h['alignment_left'][i]:>11.3e} "
              f"{h['spectral_alignment_left'][i]:>12.3e} {h['effective_rank'][i]:>9.3f} {h['imbalance'][i]:>10.2e}")

    ph, final = result.phases, h["test_error"][-1]
    print(f"stopped: {result.stop_reason} after {result.iterations} iterations")
    if not ph.recovered:
        print("not recovered: no phase is named")
    else:
        print(f"phase (I), alignment: ends at iteration {ph.alignment_end} by the spectral rule "
              f"(sin∠(U, top-3 subspace of 𝒜*y) ≤ 0.1 while σ₁(X) ≤ 0.1 s⋆_3), at {ph.signal_end} by the signal "
              f"rule (σ_min(L⋆ᵀU) ≥ 10‖UW⊥‖); the spectral subspace itself lies at sin∠ = "
              f"{ph.spectral_angle_left:.2f} from L⋆, where U's spectral sine rises to in (II)")
        print(f"phase (II), saddle avoidance: ends at iteration {ph.saddle_end} (σ_3(X) ≥ ½ s⋆_3)")
        if ph.plateau_start is not None:
            print(f"phase (III), local refinement: plateau from iteration {ph.plateau_start} "
                  f"at test error {ph.plateau_level:.2e} (grows with α)")
        else:
            print("phase (III), local refinement: from iteration", ph.saddle_end, "on, still improving at the end "
                  "of the run (the test error falls by more than 1 % over its last tenth)")
    theory = fs.predict(problem, init_scale=1e-3, step=0.5)  # the linearization around 0, before any run
    print("incremental learning, σ_i(X) ≥ ½ s⋆_i at iterations", result.learning_iterations,
          "— predicted", [round(t, 1) for t in theory.learning_iterations], "by ln(c_i/α)/ln(1 + ηλ_i), λ_i of 𝒜*(y)")
    print(f"final test error ‖X − X⋆‖_F/‖X⋆‖_F = {final:.3e}")

    if not args.no_plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fs.plot.loss(result)  # on a log time axis: the phases end in the first few dozen of 3000 iterations
        plt.tight_layout()
        plt.savefig(args.plot, dpi=120)
        print(f"plot saved to {args.plot}")
    return 0 if final < 1e-2 else 1


if __name__ == "__main__":
    sys.exit(main())
