"""A sweep over the initial scale α with gradient_descent_batch: 8 trials on one Gaussian problem
(two seeds × four α), run together so that each pass over the operator serves all of them.
Prints the final test error and the end of the saddle phase (II) of each trial: the smaller α,
the longer the escape, about ln(1/α) / (η σ_r) iterations — and checks one trial against its own
gradient_descent run, bit for bit.

    PYTHONPATH=python python3 examples/python/batch.py
"""
import numpy as np

import factorsense as fs


def main():
    p = fs.SensingProblem.gaussian(40, 30, 3, 900, seed=0)
    alphas = [1e-6, 1e-4, 1e-2, 1e-1] * 2
    seeds = [0] * 4 + [1] * 4
    runs = fs.gradient_descent_batch(p, width=10, seed=seeds, init_scale=alphas, step=0.5, max_iter=1500, record_every=5)
    for seed, alpha, r in zip(seeds, alphas, runs):
        print(f"seed {seed}  α = {alpha:.0e}:  end of phase (II) at iteration {r.phases.saddle_end:4d},"
              f"  final test error {r.history['test_error'][-1]:.2e}")
    alone = fs.gradient_descent(p, width=10, seed=seeds[5], init_scale=alphas[5], step=0.5, max_iter=1500, record_every=5)
    same = np.array_equal(alone.U, runs[5].U) and np.array_equal(alone.history["loss"], runs[5].history["loss"])
    print(f"trial 5 equals its own run bit for bit: {same}")


if __name__ == "__main__":
    main()
