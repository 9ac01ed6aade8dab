"""Implicit balancing from an unbalanced start (init_ratio): V₀ drawn at scale β = init_ratio·α
beside U₀ at α, so UᵀU − VᵀV starts at about (α²/k)(n1 − init_ratio²·n2)·I instead of near 0.
The gradient flow conserves UᵀU − VᵀV exactly, gradient descent up to an O(η) drift a step, so
the imbalance stays at its small start while U and V grow to ‖X⋆‖: the factors end balanced
relative to their size, and both starts recover X⋆. Prints, for init_ratio 1 and 5, the
imbalance ‖UᵀU − VᵀV‖_F at the start (beside the norm of its expectation,
(α²/k)|n1 − init_ratio²·n2|·√k, about which it fluctuates) and at the end of gradient descent
and of the flow, the end's ‖UᵀU‖_F for scale, and the final test errors.

    PYTHONPATH=python python3 examples/python/unbalanced_start.py
"""
import numpy as np

import factorsense as fs


def imbalance(U, V):
    return np.linalg.norm(U.T @ U - V.T @ V)


def main():
    p = fs.SensingProblem.gaussian(30, 25, 2, 1500, seed=0)
    settings = dict(width=20, init_scale=1e-3, seed=1, diagnostics=["imbalance"])
    for ratio in (1.0, 5.0):
        gd = fs.gradient_descent(p, step=0.1, max_iter=600, record_every=10, init_ratio=ratio, **settings)
        flow = fs.gradient_flow(p, times=np.linspace(0, 60, 61), init_ratio=ratio, **settings)
        start = gd.history["imbalance"][0]
        expected = 1e-6 / 20 * abs(30 - ratio**2 * 25) * np.sqrt(20)
        print(f"init_ratio {ratio:g}: imbalance at the start {start:.4e} (its expectation's norm {expected:.1e}),"
              f" ‖UᵀU‖ at the end {np.linalg.norm(gd.U.T @ gd.U):.2f}")
        print(f"  gradient descent (η = 0.1): imbalance at the end {gd.history['imbalance'][-1]:.4e},"
              f" test error {gd.history['test_error'][-1]:.1e}")
        print(f"  gradient flow:              imbalance at the end {imbalance(flow.U, flow.V):.4e}"
              f" (conserved: relative change {abs(imbalance(flow.U, flow.V) / start - 1):.1e}),"
              f" test error {flow.history['test_error'][-1]:.1e}")


if __name__ == "__main__":
    main()
