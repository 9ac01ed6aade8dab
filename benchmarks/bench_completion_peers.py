"""Side-by-side completion benchmark of issue 15: FactorSense against the peers that install here.

Problems (the issue's): 1000×800 rank 5 with 15 % observed; the same with noise σ = 0.1·RMS;
100×80 rank 3 with 40 % observed. M = L Rᵀ with standard Gaussian factors, each entry observed
independently with the given probability (scale 1, as a user's own data would be).

Methods, each where it installs (a missing peer is reported, not faked):
- FactorSense at the true width with ``step="auto"`` (no step given) and ``tol=1e-6``;
- FactorSense overparameterized (k = 20, or 4r on the small problem) with ``step="auto"``,
  ``holdout=0.1``, ``patience`` and ``restore_best=True``;
- fancyimpute SoftImpute (its defaults) and IterativeSVD (rank r);
- pymanopt: the fixed-rank manifold (rank r), conjugate gradient;
- cvxpy: nuclear-norm minimization (equality constrained when noiseless, a least-squares +
  λ‖X‖_* fit when noisy), on the small problem only (SCS on 800 000 variables takes far longer).

Reported: wall time and the test error ‖X̂ − M‖_F/‖M‖_F against the clean M (for the noisy
problem this is the held-out accuracy the issue quotes). Times vary with the machine; the
errors are what to compare. ``--quick`` runs 300×240 / 60×48 analogues.

    PYTHONPATH=python FACTORSENSE_LIBRARY=.build/release/libfactorsense.so python3 benchmarks/bench_completion_peers.py
"""
import argparse
import contextlib
import io
import time

import numpy as np

import factorsense as fs


def problem(n1, n2, r, fraction, noise, seed=0):
    rng = np.random.default_rng(seed)
    M = rng.standard_normal((n1, r)) @ rng.standard_normal((r, n2))
    observed = rng.random((n1, n2)) < fraction
    rows, cols = np.nonzero(observed)
    values = M[rows, cols] + noise * np.sqrt(np.mean(M ** 2)) * rng.standard_normal(rows.size)
    return M, rows, cols, values


def error(X, M):
    return float(np.linalg.norm(X - M) / np.linalg.norm(M))


def factorsense_true_width(M, rows, cols, values, r):
    p = fs.SensingProblem.from_entries(rows, cols, values, M.shape)
    result = fs.gradient_descent(p, r, step="auto", max_iter=5000, tol=1e-6, seed=1, diagnostics="none")
    return result.X


def factorsense_early_stopped(M, rows, cols, values, r):
    p = fs.SensingProblem.from_entries(rows, cols, values, M.shape)
    k = 20 if r == 5 else 4 * r
    result = fs.gradient_descent(p, k, step="auto", max_iter=5000, seed=1, diagnostics="none", record_every=5,
                                 holdout=0.1, patience=40, restore_best=True)
    return result.X


def masked(M, rows, cols, values):
    X = np.full(M.shape, np.nan)
    X[rows, cols] = values
    return X


def _fancyimpute_on_this_scikit_learn():
    """fancyimpute 0.7.0 calls check_array(force_all_finite=...), which newer scikit-learn
    renamed ensure_all_finite; translate the keyword (in each module that imported
    check_array) so the peer runs unchanged otherwise."""
    import importlib

    for name in ("solver", "soft_impute", "iterative_svd"):
        module = importlib.import_module(f"fancyimpute.{name}")
        original = module.check_array
        if getattr(original, "_translated", False):
            continue

        def check_array(X, _original=original, **kwargs):
            try:
                return _original(X, **kwargs)
            except TypeError:
                if "force_all_finite" not in kwargs:
                    raise
                kwargs["ensure_all_finite"] = kwargs.pop("force_all_finite")
                return _original(X, **kwargs)

        check_array._translated = True
        module.check_array = check_array


def soft_impute(M, rows, cols, values, r):
    _fancyimpute_on_this_scikit_learn()
    from fancyimpute import SoftImpute
    with contextlib.redirect_stdout(io.StringIO()):
        return SoftImpute(verbose=False).fit_transform(masked(M, rows, cols, values))


def iterative_svd(M, rows, cols, values, r):
    _fancyimpute_on_this_scikit_learn()
    from fancyimpute import IterativeSVD
    with contextlib.redirect_stdout(io.StringIO()):
        return IterativeSVD(rank=r, verbose=False).fit_transform(masked(M, rows, cols, values))


def manopt_fixed_rank(M, rows, cols, values, r):
    import pymanopt
    import scipy.sparse as sparse
    from pymanopt.manifolds import FixedRankEmbedded
    from pymanopt.optimizers import ConjugateGradient
    n1, n2 = M.shape
    manifold = FixedRankEmbedded(n1, n2, r)

    def residual(u, s, vt):
        return np.einsum("ij,j,ji->i", u[rows], s, vt[:, cols]) - values

    @pymanopt.function.numpy(manifold)
    def cost(u, s, vt):
        rho = residual(u, s, vt)
        return 0.5 * rho @ rho

    @pymanopt.function.numpy(manifold)
    def gradient(u, s, vt):
        G = sparse.csr_matrix((residual(u, s, vt), (rows, cols)), shape=(n1, n2))
        GV = G @ vt.T
        return GV * s, np.einsum("ij,ij->j", u, GV), (G.T @ u).T * s[:, None]

    optimizer = ConjugateGradient(max_iterations=1000, verbosity=0)
    start = manifold.random_point()
    point = optimizer.run(pymanopt.Problem(manifold, cost, euclidean_gradient=gradient), initial_point=start).point
    u, s, vt = point
    return u @ np.diag(s) @ vt


def cvxpy_nuclear(M, rows, cols, values, r, noisy):
    import cvxpy as cp
    X = cp.Variable(M.shape)
    mask = np.zeros(M.shape)
    mask[rows, cols] = 1
    target = np.zeros(M.shape)
    target[rows, cols] = values
    if noisy:
        lam = 0.1 * np.sqrt(np.mean(values ** 2)) * np.sqrt(max(M.shape))
        objective = cp.Minimize(0.5 * cp.sum_squares(cp.multiply(mask, X - target)) + lam * cp.normNuc(X))
        cp.Problem(objective).solve(solver=cp.SCS)
    else:
        cp.Problem(cp.Minimize(cp.normNuc(X)), [cp.multiply(mask, X) == target]).solve(solver=cp.SCS)
    return X.value


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="300×240 and 60×48 analogues")
    args = parser.parse_args()
    big = (300, 240) if args.quick else (1000, 800)
    small = (60, 48) if args.quick else (100, 80)
    cases = [(f"{big[0]}×{big[1]} r5 15%", (*big, 5, 0.15, 0.0)),
             (f"{big[0]}×{big[1]} r5 15% σ=0.1·RMS", (*big, 5, 0.15, 0.1)),
             (f"{small[0]}×{small[1]} r3 40%", (*small, 3, 0.4, 0.0))]
    methods = [("FactorSense, k = r, step=auto", factorsense_true_width, None),
               ("FactorSense, k = 20 (4r), auto, holdout+restore_best", factorsense_early_stopped, None),
               ("fancyimpute SoftImpute (defaults)", soft_impute, "fancyimpute"),
               ("fancyimpute IterativeSVD (rank r)", iterative_svd, "fancyimpute"),
               ("pymanopt fixed-rank CG (rank r)", manopt_fixed_rank, "pymanopt"),
               ("cvxpy nuclear norm (SCS, small only)", None, "cvxpy")]
    print("| method | " + " | ".join(name for name, _ in cases) + " |")
    print("|---|" + "---|" * len(cases))
    for label, run, module in methods:
        if module is not None:
            try:
                __import__(module)
            except ImportError:
                print(f"| {label} | " + " | ".join("not installed" for _ in cases) + " |")
                continue
        cells = []
        for name, (n1, n2, r, fraction, noise) in cases:
            M, rows, cols, values = problem(n1, n2, r, fraction, noise)
            if run is None and n1 > small[0]:
                cells.append("—")
                continue
            start = time.perf_counter()
            try:
                X = run(M, rows, cols, values, r) if run is not None else cvxpy_nuclear(M, rows, cols, values, r, noise > 0)
                cells.append(f"{error(X, M):.2e} ({time.perf_counter() - start:.2f} s)")
            except Exception as failure:  # a peer's failure is reported in the table, not hidden
                cells.append(f"failed: {type(failure).__name__}")
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
