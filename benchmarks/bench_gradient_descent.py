"""FactorSense against a plain numpy implementation of the same algorithm, side by side.

Runs factorized gradient descent (docs/mathematics.md) on Gaussian sensing and on matrix completion, in one
process, with the same data and the same initial factors, and prints the time ratio numpy /
FactorSense and the agreement of the results. The machine is shared and noisy: read the ratios,
not the seconds. To compare against a current numpy fairly, run it with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset for this one command:

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 benchmarks/bench_gradient_descent.py
"""
import argparse
import time

import numpy as np

import factorsense as fs


def numpy_gd_dense(A, y, U, V, step, iterations):
    """U⁺ = U − η G V, V⁺ = V − η Gᵀ U with G = mat(Aᵀ(A vec(UVᵀ) − y))."""
    n1, n2 = U.shape[0], V.shape[0]
    for _ in range(iterations):
        rho = A @ (U @ V.T).ravel() - y
        G = (A.T @ rho).reshape(n1, n2)
        U, V = U - step * G @ V, V - step * G.T @ U
    return U, V


def numpy_gd_entries(rows, cols, scale, y, U, V, step, iterations):
    """The same for entry sampling: ρ_i = c⟨u_{a_i}, v_{b_i}⟩ − y_i, never forming an n1 × n2 matrix."""
    for _ in range(iterations):
        rho = scale * np.einsum("ij,ij->i", U[rows], V[cols]) - y
        w = (scale * rho)[:, None]
        gU = np.zeros_like(U)
        gV = np.zeros_like(V)
        np.add.at(gU, rows, w * V[cols])
        np.add.at(gV, cols, w * U[rows])
        U, V = U - step * gU, V - step * gV
    return U, V


def best_of(repeats, run):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return min(times), out


def compare(name, problem, numpy_run, width, step, iterations, repeats):
    rng = np.random.default_rng(0)
    n1, n2 = problem.shape
    U0 = 1e-2 * rng.standard_normal((n1, width))
    V0 = 1e-2 * rng.standard_normal((n2, width))
    t_fs, r = best_of(repeats, lambda: fs.gradient_descent(problem, U0=U0, V0=V0, step=step,
                                                           max_iter=iterations, record_every=iterations))
    t_np, (U, V) = best_of(repeats, lambda: numpy_run(U0, V0, step, iterations))
    agreement = np.linalg.norm(r.U @ r.V.T - U @ V.T) / np.linalg.norm(U @ V.T)
    print(f"{name:42s} numpy/factorsense time ratio {t_np / t_fs:6.2f}   relative difference {agreement:.1e}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
    A, y = p.A, p.y
    compare("Gaussian 40x30, m=900, k=10", p, lambda U, V, s, t: numpy_gd_dense(A, y, U, V, s, t),
            10, 0.5, args.iterations, args.repeats)

    p = fs.SensingProblem.gaussian(n1=100, n2=80, rank=5, measurements=4000, seed=0)
    A, y = p.A, p.y
    compare("Gaussian 100x80, m=4000, k=10", p, lambda U, V, s, t: numpy_gd_dense(A, y, U, V, s, t),
            10, 0.5, args.iterations, args.repeats)

    if hasattr(fs.SensingProblem, "completion"):
        p = fs.SensingProblem.completion(n1=2000, n2=1500, rank=5, measurements=300_000, seed=0)
        rows, cols, scale = p.entries
        compare("completion 2000x1500, m=300000, k=10", p,
                lambda U, V, s, t: numpy_gd_entries(rows, cols, scale, p.y, U, V, s, t),
                10, 0.5, args.iterations // 3, args.repeats)


if __name__ == "__main__":
    main()
