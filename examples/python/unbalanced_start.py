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


def main():
    n1, n2, k, alpha = 30, 25, 20, 1e-3
    p = fs.SensingProblem.gaussian(n1, n2, 2, 1500, seed=0)
    settings = dict(width=k, init_scale=alpha, seed=1, diagnostics=["imbalance"])
    for ratio in (1.0, 5.0):
        gd = fs.gradient_descent(p, step=0.1, max_iter=600, record_every=10, init_ratio=ratio, **settings)
        flow = fs.gradient_flow(p, times=np.linspace(0, 60, 61), init_ratio=ratio, **settings)
        start, flow_end = gd.history["imbalance"][0], flow.history["imbalance"][-1]
        expected = alpha**2 / k * abs(n1 - ratio**2 * n2) * np.sqrt(k)
        print(f"init_ratio {ratio:g}: imbalance at the start {start:.4e} (its expectation's norm {expected:.1e}),"
              f" ‖UᵀU‖ at the end {np.linalg.norm(gd.U.T @ gd.U):.2f}")
        print(f"  gradient descent (η = 0.1): imbalance at the end {gd.history['imbalance'][-1]:.4e},"
              f" test error {gd.history['test_error'][-1]:.1e}")
        print(f"  gradient flow:              imbalance at the end {flow_end:.4e}"
              f" (conserved: relative change {abs(flow_end / start - 1):.1e}),"
              f" test error {flow.history['test_error'][-1]:.1e}")


if __name__ == "__main__":
    main()
