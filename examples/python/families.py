"""Every setting of the theory on the same engine: PSD sensing with a wide factor, plain
factorization, completion of the user's own entries, rank-one projections, the user's own
matrix as the target, the comparison variants, and scipy.optimize driving the low-level loss and
gradient.

    PYTHONPATH=python python3 examples/python/families.py
"""
import numpy as np
import scipy.optimize
import scipy.sparse

import factorsense as fs


def error(result):
    return result.history["test_error"][-1]


def main():
    # Stöger & Soltanolkotabi: PSD sensing, X = UUᵀ, width k = n ≫ r, from α = 1e-3.
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 300, seed=1)
    r = fs.gradient_descent(p, width=20, init_scale=1e-3, step=0.5, max_iter=1500, record_every=50)
    print(f"PSD sensing 20×20 rank 2, k = 20:          test error {error(r):.2e}")

    # Ye & Du: plain asymmetric factorization ½‖UVᵀ − Σ‖²_F from random init, k = r.
    p = fs.SensingProblem.factorization(15, 10, 3, seed=2)
    r = fs.gradient_descent(p, width=3, init_scale=0.1, step=0.3, max_iter=800, record_every=50)
    print(f"factorization 15×10 rank 3, k = 3:         test error {error(r):.2e}")

    # Completion from the user's own observed entries, as a scipy.sparse matrix (scale 1: the
    # measurements are the entries themselves, so the step grows like 1/(fraction observed)).
    rng = np.random.default_rng(0)
    truth = rng.standard_normal((200, 3)) @ rng.standard_normal((3, 150))
    truth /= np.linalg.norm(truth, 2)
    mask = rng.random(truth.shape) < 0.3
    observed = scipy.sparse.coo_matrix((truth[mask], np.nonzero(mask)), shape=truth.shape)
    p = fs.SensingProblem.from_entries(observed, truth=truth)
    r = fs.gradient_descent(p, width=3, init="spectral", step=1.0, max_iter=500, record_every=50)
    print(f"completion 200×150 rank 3, {p.measurements} entries:  test error {error(r):.2e}")

    # Rank-one projections a_iᵀ X b_i.
    p = fs.SensingProblem.rank_one(12, 10, 2, 400, seed=8)
    r = fs.gradient_descent(p, width=4, step=0.2, max_iter=3000, record_every=100)
    print(f"rank-one projections 12×10, m = 400:       test error {error(r):.2e}")

    # Your own matrix as the target: a 30 × 20 table of rank 2 (a sum of two separable
    # patterns), measured by 400 Gaussian measurements (n1, n2 and the checked rank come from
    # it), recovered from α = 1e-3 with k = 5 > r; then factored directly, ½‖UVᵀ − S‖²_F.
    t, u = np.linspace(0, 1, 30), np.linspace(0, 1, 20)
    mine = np.outer(np.sin(np.pi * t), np.cos(np.pi * u)) + 0.5 * np.outer(t, u ** 2)
    mine /= np.linalg.norm(mine, 2)
    p = fs.SensingProblem.gaussian(target=mine, measurements=400, rank=2, seed=20)
    r = fs.gradient_descent(p, width=5, init_scale=1e-3, step=0.5, max_iter=3000, record_every=100)
    print(f"your own 30×20 matrix, m = 400 Gaussian:   test error {error(r):.2e}")
    p = fs.SensingProblem.factorization(mine)
    r = fs.gradient_descent(p, width=2, init_scale=0.1, step=0.5, max_iter=1000, record_every=100)
    print(f"your own 30×20 matrix, factorization(S):   test error {error(r):.2e}")

    # The variants on an ill-conditioned target: plain GD against ScaledGD.
    p = fs.SensingProblem.gaussian(20, 15, 3, 500, condition_number=100, seed=12)
    for preconditioner in ("none", "scaled"):
        r = fs.gradient_descent(p, width=3, step=0.5, max_iter=20000, init="spectral", loss_tol=1e-18,
                                preconditioner=preconditioner)
        print(f"κ = 100, preconditioner {preconditioner!r:9s}       {r.iterations:6d} iterations to loss ≤ 1e-18")

    # Your own optimizer: the loss and gradient fit scipy.optimize.minimize(..., jac=True).
    p = fs.SensingProblem.gaussian(12, 10, 2, 200, seed=15)
    x0 = 0.1 * rng.standard_normal((12 + 10) * 2)
    out = scipy.optimize.minimize(p.flat_loss_and_grad(2), x0, jac=True, method="L-BFGS-B",
                                  options=dict(maxiter=2000, gtol=1e-12, ftol=1e-20))
    U, V = out.x[:24].reshape(12, 2), out.x[24:].reshape(10, 2)
    print(f"L-BFGS-B through loss_and_grad:            test error "
          f"{np.linalg.norm(U @ V.T - p.truth) / np.linalg.norm(p.truth):.2e}")


if __name__ == "__main__":
    main()
