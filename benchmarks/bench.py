"""`make bench`: FactorSense against a plain numpy implementation of the same algorithm, side by
side in one process, on identical data and identical initial factors.

For every row it prints the median time per gradient step (or per call) of each, the ratio
numpy / FactorSense (above 1: FactorSense is faster) and the relative difference of the results;
then the machine, the BLAS numpy uses (threadpoolctl), the measured read bandwidth and, for the
dense rows whose operator does not fit in the last-level cache, the fraction of that bandwidth
FactorSense's pass over 𝐀 reaches. `--json PATH` writes the same as JSON.

The machine may be shared and noisy: read the ratios, not the seconds. Run it with
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for this one command (`make bench` does):

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=python python3 benchmarks/bench.py [--quick]
"""
import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
import scipy.sparse
import scipy.sparse.linalg

import factorsense as fs

LAST_LEVEL_CACHE = 32 * 2**20  # bytes; the rows below say whether 𝐀 fits


def numpy_gd_dense(A, y, U, V, step, iterations):
    """U⁺ = U − η G V, V⁺ = V − η Gᵀ U with G = mat(𝐀ᵀ(𝐀 vec(UVᵀ) − y))."""
    n1, n2 = U.shape[0], V.shape[0]
    for _ in range(iterations):
        rho = A @ (U @ V.T).ravel() - y
        G = (A.T @ rho).reshape(n1, n2)
        U, V = U - step * G @ V, V - step * G.T @ U
    return U, V


def numpy_gd_psd(A, y, U, step, iterations):
    """The PSD loss ¼‖𝐀 vec(UUᵀ) − y‖²: U⁺ = U − η ½(G + Gᵀ) U with G = mat(𝐀ᵀρ)."""
    n = U.shape[0]
    for _ in range(iterations):
        rho = A @ (U @ U.T).ravel() - y
        G = (A.T @ rho).reshape(n, n)
        U = U - step * 0.5 * (G + G.T) @ U
    return U


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


def numpy_gd_factorization(target, U, V, step, iterations):
    """The identity operator: G = UVᵀ − X⋆."""
    for _ in range(iterations):
        G = U @ V.T - target
        U, V = U - step * G @ V, V - step * G.T @ U
    return U, V


def median_time(repeats, run):
    times, out = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def gradient_descent_row(name, problem, numpy_run, width, step, iterations, repeats):
    rng = np.random.default_rng(0)
    n1, n2 = problem.shape
    U0 = 1e-2 * rng.standard_normal((n1, width))
    V0 = 1e-2 * rng.standard_normal((n2, width))
    t_fs, r = median_time(repeats, lambda: fs.gradient_descent(problem, U0=U0, V0=V0, step=step, max_iter=iterations,
                                                               record_every=iterations, diagnostics="none"))
    t_np, (U, V) = median_time(repeats, lambda: numpy_run(U0, V0, step, iterations))
    difference = np.linalg.norm(r.U @ r.V.T - U @ V.T) / np.linalg.norm(U @ V.T)
    return dict(name=name, unit="ms/step", numpy=1e3 * t_np / iterations, factorsense=1e3 * t_fs / iterations,
                ratio=t_np / t_fs, difference=float(difference))


def dense_row(n1, n2, m, k, iterations, repeats, step=0.5, dtype="float64"):
    """A dense problem; with dtype="float32" FactorSense stores 𝐀 in float32 and numpy runs on the
    float64 𝐀 of the same (rounded) entries, so both compute the same problem in float64."""
    p = fs.SensingProblem.gaussian(n1, n2, 3, m, seed=0, dtype=dtype)
    A, y = p.A.astype(np.float64), p.y
    stored = f"float32 𝐀 {p.A.nbytes / 1e6:.0f} MB against numpy's float64" if dtype == "float32" else f"𝐀 {A.nbytes / 1e6:.0f} MB"
    row = gradient_descent_row(f"dense {n1}×{n2}, m = {m}, k = {k} ({stored})", p,
                               lambda U, V, s, t: numpy_gd_dense(A, y, U, V, s, t), k, step, iterations, repeats)
    row["operator_bytes"] = p.A.nbytes
    return row


def spectral_row(n, m, k, repeats):
    """The spectral start of a completion problem: FactorSense's matrix-free subspace iteration
    against scipy.sparse.linalg.svds (ARPACK) on the sparse 𝒜*(y)."""
    p = fs.SensingProblem.completion(n, n, 5, m, seed=0)
    rows, cols, scale = p.entries
    M = scipy.sparse.csr_matrix((scale * p.y, (rows, cols)), shape=(n, n))
    t_fs, r = median_time(repeats, lambda: fs.gradient_descent(p, width=k, init="spectral", max_iter=0, diagnostics="none"))
    t_np, (P, s, Qt) = median_time(repeats, lambda: scipy.sparse.linalg.svds(M, k=k, tol=1e-10, random_state=0))
    order = np.argsort(s)[::-1]
    reference = (P[:, order] * s[order]) @ Qt[order]
    difference = np.linalg.norm(r.U @ r.V.T - reference) / np.linalg.norm(reference)
    return dict(name=f"spectral start, completion {n}² with {m} entries, k = {k} (scipy svds)", unit="s/call",
                numpy=t_np, factorsense=t_fs, ratio=t_np / t_fs, difference=float(difference))


def batch_row(n1, n2, m, trials, iterations, repeats, dtype="float64"):
    """T trials (seeds) of one dense problem: fs.gradient_descent_batch against T numpy runs one
    after another (numpy in float64 on the same entries)."""
    p = fs.SensingProblem.gaussian(n1, n2, 3, m, seed=0, dtype=dtype)
    A, y = p.A.astype(np.float64), p.y
    seeds = list(range(trials))
    t_fs, runs = median_time(repeats, lambda: fs.gradient_descent_batch(p, width=10, seed=seeds, step=0.05,
                                                                         max_iter=iterations, record_every=iterations,
                                                                         diagnostics="none"))
    starts = [fs.gradient_descent(p, width=10, seed=s, max_iter=0, diagnostics="none") for s in seeds]
    t_np, finals = median_time(repeats, lambda: [numpy_gd_dense(A, y, r.U, r.V, 0.05, iterations) for r in starts])
    difference = max(np.linalg.norm(r.U @ r.V.T - U @ V.T) / np.linalg.norm(U @ V.T) for r, (U, V) in zip(runs, finals))
    return dict(name=f"batch of {trials} trials, dense {n1}×{n2}, m = {m}, k = 10 ({dtype} 𝐀 {p.A.nbytes / 1e6:.0f} MB)",
                unit="ms/trial-step", numpy=1e3 * t_np / iterations / trials, factorsense=1e3 * t_fs / iterations / trials,
                ratio=t_np / t_fs, difference=float(difference))


def sweep_row(problems, scales, iterations, repeats):
    """Trial-level parallelism: `problems` PSD problems (30×30, m = 300, k = 30, one seed each) ×
    the initial scales, by fs.sweep (its default: one task per core, in threads), against a numpy loop over
    the same trials one after another (problem generation not timed for numpy; it is for fs.sweep)."""
    n, m, k, step = 30, 300, 30, 0.2
    made = [fs.SensingProblem.symmetric_gaussian(n, 3, m, seed=s) for s in range(problems)]
    starts = [[fs.gradient_descent(p, width=k, init_scale=a, seed=0, max_iter=0, diagnostics="none").U for a in scales]
              for p in made]
    data = [(p.A, p.y) for p in made]
    settings = dict(width=k, step=step, max_iter=iterations, record_every=iterations, diagnostics="none", seed=0)
    t_fs, table = median_time(repeats, lambda: fs.sweep(problem=dict(kind="symmetric_gaussian", n=n, rank=3, measurements=m,
                                                                      seed=list(range(problems))),
                                                         grid=dict(init_scale=list(scales)), **settings))
    t_np, finals = median_time(repeats, lambda: [[numpy_gd_psd(A, y, U0, step, iterations) for U0 in row]
                                                 for (A, y), row in zip(data, starts)])
    errors = [np.linalg.norm(U @ U.T - p.truth) / np.linalg.norm(p.truth) for p, row in zip(made, finals) for U in row]
    difference = float(np.max(np.abs(np.asarray(table["final_test_error"]) - np.asarray(errors))))
    return dict(name=f"sweep of {problems} PSD problems 30×30 (m = 300, k = 30) × {len(scales)} α, {iterations} steps "
                     f"(fs.sweep, one task per core, generation included)",
                unit="s/sweep", numpy=t_np, factorsense=t_fs, ratio=t_np / t_fs, difference=difference)


def read_bandwidth():
    """GB/s of numpy summing a 1 GiB array (the best of three)."""
    a = np.ones(2**27)
    best = min(median_time(1, a.sum)[0] for _ in range(3))
    return a.nbytes / best / 1e9


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        from threadpoolctl import threadpool_info
        blas = [f"{i.get('internal_api')} {i.get('version')} ({i.get('architecture')}, {i.get('num_threads')} threads)"
                for i in threadpool_info() if i.get("user_api") == "blas"]
    except ImportError:
        blas = ["threadpoolctl not installed"]
    return dict(cpu=model, cores=os.cpu_count(), python=platform.python_version(), numpy=np.__version__,
                numpy_blas=blas, factorsense=fs.__version__)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer steps and repetitions, and no 400 MB operator")
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()
    steps, repeats = (60, 3) if args.quick else (300, 5)

    rows = [dense_row(40, 30, 900, 10, steps, repeats),
            dense_row(40, 30, 900, 10, steps, repeats, dtype="float32"),
            dense_row(30, 30, 300, 30, steps, repeats, step=0.2),
            dense_row(60, 60, 3000, 20, steps // 3, repeats)]
    if not args.quick:
        rows.append(dense_row(100, 100, 5000, 10, steps // 10, repeats))
        rows.append(dense_row(100, 100, 5000, 10, steps // 10, repeats, dtype="float32"))
    p = fs.SensingProblem.completion(2000, 1500, 5, 300_000, seed=0)
    rows_, cols, scale = p.entries
    rows.append(gradient_descent_row("completion 2000×1500, m = 300000, k = 10", p,
                                     lambda U, V, s, t: numpy_gd_entries(rows_, cols, scale, p.y, U, V, s, t),
                                     10, 0.5, steps // 3, repeats))
    p = fs.SensingProblem.factorization(1000, 1000, 5, seed=0)
    target = p.truth
    rows.append(gradient_descent_row("factorization 1000×1000, k = 20", p,
                                     lambda U, V, s, t: numpy_gd_factorization(target, U, V, s, t),
                                     20, 0.5, steps // 3, repeats))
    rows.append(batch_row(40, 30, 900, 32, steps // 3, repeats))
    rows.append(batch_row(40, 30, 900, 32, steps // 3, repeats, dtype="float32"))
    if not args.quick:
        rows.append(batch_row(100, 100, 5000, 8, steps // 30, repeats))
        rows.append(batch_row(100, 100, 5000, 8, steps // 30, repeats, dtype="float32"))
    rows.append(sweep_row(20, (1e-4, 3e-4, 1e-3, 3e-3, 1e-2), 100 if args.quick else 500, 1 if args.quick else 3))
    rows.append(spectral_row(5000 if args.quick else 20000, 250_000 if args.quick else 1_000_000, 5, 1 if args.quick else 3))

    bandwidth = read_bandwidth()
    for row in rows:
        size = row.pop("operator_bytes", None)
        if size is not None and size > LAST_LEVEL_CACHE:
            row["bandwidth_fraction"] = size / (row["factorsense"] / 1e3) / 1e9 / bandwidth

    info = machine()
    print(f"| problem | numpy | FactorSense | numpy / FactorSense | relative difference |")
    print(f"|---|---|---|---|---|")
    for row in rows:
        note = f" ({100 * row['bandwidth_fraction']:.0f} % of read bandwidth)" if "bandwidth_fraction" in row else ""
        print(f"| {row['name']} | {row['numpy']:.4g} {row['unit']} | {row['factorsense']:.4g} {row['unit']}{note} | "
              f"**{row['ratio']:.2f}×** | {row['difference']:.1e} |")
    print(f"\n{info['cpu']}, {info['cores']} cores; numpy {info['numpy']} on {'; '.join(info['numpy_blas'])}; "
          f"read bandwidth {bandwidth:.1f} GB/s; FactorSense {info['factorsense']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(machine=info, read_bandwidth_gb_s=bandwidth, rows=rows), f, indent=2)


if __name__ == "__main__":
    main()
