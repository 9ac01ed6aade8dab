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


def numpy_gd_dense_batched(A, y, Us, Vs, step, iterations, psd=False):
    """All T trials at once, the way a researcher batches them in numpy: X_t = U_t V_tᵀ stacked,
    ρ = X 𝐀ᵀ − y and G = ρ 𝐀 as two GEMMs a step (T × n1·n2 by n1·n2 × m and back). For PSD
    problems Vs is Us and the step is U⁺ = U − η ½(G + Gᵀ) U."""
    T, n1, _ = Us.shape
    n2 = Vs.shape[1]
    for _ in range(iterations):
        rho = (Us @ Vs.transpose(0, 2, 1)).reshape(T, -1) @ A.T - y
        G = (rho @ A).reshape(T, n1, n2)
        if psd:
            Us = Vs = Us - step * 0.5 * (G + G.transpose(0, 2, 1)) @ Us
        else:
            Us, Vs = Us - step * G @ Vs, Vs - step * G.transpose(0, 2, 1) @ Us
    return Us, Vs


def jax_gd_dense_batched(A, y, psd=False):
    """JAX's `jit(vmap(...))` of the single-trial loop (`lax.fori_loop`), float64 on the CPU, as a
    function (Us, Vs, step, iterations) → (Us, Vs); None when jax is not installed (the optional
    `bench` extra of python/pyproject.toml)."""
    try:
        import jax
        jax.config.update("jax_enable_x64", True)
        import jax.numpy as jnp
    except ImportError:
        return None
    A_, y_ = jnp.asarray(A), jnp.asarray(y)

    def run(Us, Vs, step, iterations):
        def one(U, V):
            def body(_, factors):
                U, V = factors
                G = (A_.T @ (A_ @ (U @ V.T).ravel() - y_)).reshape(U.shape[0], V.shape[0])
                if psd:
                    U = U - step * 0.5 * (G + G.T) @ U
                    return U, U
                return U - step * G @ V, V - step * G.T @ U
            return jax.lax.fori_loop(0, iterations, body, (U, V))
        out = jax.jit(jax.vmap(one))(jnp.asarray(Us), jnp.asarray(Vs))
        return tuple(np.asarray(jax.block_until_ready(x)) for x in out)
    return run


def dgemm_rates():
    """G fused multiply-adds a second of numpy's matrix product on the batch's shape (900 × 1200
    by 1200 × 32) and on a large square one (2000³): the machine's attainable rate, measured in
    the same run as the rows."""
    rng = np.random.default_rng(0)
    rates = {}
    for name, (m, n, t) in (("900×1200×32", (900, 1200, 32)), ("2000×2000×2000", (2000, 2000, 2000))):
        A, X = rng.standard_normal((m, n)), rng.standard_normal((n, t))
        repeats = max(3, int(2e9 / (m * n * t)))
        seconds, _ = median_time(5, lambda: [A @ X for _ in range(repeats)])
        rates[name] = m * n * t * repeats / seconds / 1e9
    return rates


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


def batch_row(n1, n2, m, trials, iterations, repeats, dtype="float64", psd=False, k=10, step=0.05, peers=False):
    """T trials (seeds) of one dense problem (PSD: symmetric Gaussian n1 × n1): fs.gradient_descent_batch
    against T numpy runs one after another (numpy in float64 on the same entries). With `peers`,
    also numpy with all trials at once (two GEMMs a step) and JAX's jit(vmap) when installed,
    and FactorSense's G fused multiply-adds a second in its pass over 𝐀 (2·m·n1·n2 a trial-step)."""
    p = (fs.SensingProblem.symmetric_gaussian(n1, 3, m, seed=0) if psd
         else fs.SensingProblem.gaussian(n1, n2, 3, m, seed=0, dtype=dtype))
    n2 = p.shape[1]
    A, y = p.A.astype(np.float64), p.y
    seeds = list(range(trials))
    t_fs, runs = median_time(repeats, lambda: fs.gradient_descent_batch(p, width=k, seed=seeds, step=step,
                                                                         max_iter=iterations, record_every=iterations,
                                                                         diagnostics="none"))
    starts = [fs.gradient_descent(p, width=k, seed=s, max_iter=0, diagnostics="none") for s in seeds]
    loop = (lambda: [(numpy_gd_psd(A, y, r.U, step, iterations),) * 2 for r in starts]) if psd else \
        (lambda: [numpy_gd_dense(A, y, r.U, r.V, step, iterations) for r in starts])
    t_np, finals = median_time(repeats, loop)
    difference = max(np.linalg.norm(r.U @ r.V.T - U @ V.T) / np.linalg.norm(U @ V.T) for r, (U, V) in zip(runs, finals))
    shape = f"PSD {n1}×{n1}" if psd else f"dense {n1}×{n2}"
    row = dict(name=f"batch of {trials} trials, {shape}, m = {m}, k = {k} ({dtype} 𝐀 {p.A.nbytes / 1e6:.0f} MB)",
               unit="ms/trial-step", numpy=1e3 * t_np / iterations / trials, factorsense=1e3 * t_fs / iterations / trials,
               ratio=t_np / t_fs, difference=float(difference))
    if peers:
        Us = np.stack([r.U for r in starts])
        Vs = np.stack([r.V for r in starts])
        per = lambda t: 1e3 * t / iterations / trials
        t_batched, _ = median_time(repeats, lambda: numpy_gd_dense_batched(A, y, Us, Vs, step, iterations, psd=psd))
        row["peers"] = {"numpy loop": row["numpy"], "numpy batched": per(t_batched)}
        jax_run = jax_gd_dense_batched(A, y, psd=psd)
        if jax_run is not None:
            jax_run(Us, Vs, step, iterations)  # compile
            t_jax, _ = median_time(repeats, lambda: jax_run(Us, Vs, step, iterations))
            row["peers"]["JAX vmap"] = per(t_jax)
        row["gfma"] = 2 * m * n1 * n2 * trials * iterations / t_fs / 1e9
    return row


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
    rows.append(batch_row(40, 30, 900, 32, steps // 3, repeats, peers=True))
    rows.append(batch_row(30, 30, 300, 32, steps // 3, repeats, psd=True, k=30, step=0.2, peers=True))
    rows.append(batch_row(40, 30, 900, 32, steps // 3, repeats, dtype="float32"))
    if not args.quick:
        rows.append(batch_row(100, 100, 5000, 8, steps // 30, repeats))
        rows.append(batch_row(100, 100, 5000, 8, steps // 30, repeats, dtype="float32"))
    rows.append(sweep_row(20, (1e-4, 3e-4, 1e-3, 3e-3, 1e-2), 100 if args.quick else 500, 1 if args.quick else 3))
    rows.append(spectral_row(5000 if args.quick else 20000, 250_000 if args.quick else 1_000_000, 5, 1 if args.quick else 3))

    bandwidth = read_bandwidth()
    dgemm = dgemm_rates()
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
    print_peers([row for row in rows if "peers" in row], dgemm)
    print(f"\n{info['cpu']}, {info['cores']} cores; numpy {info['numpy']} on {'; '.join(info['numpy_blas'])}; "
          f"read bandwidth {bandwidth:.1f} GB/s; FactorSense {info['factorsense']} "
          f"(dense kernels: {fs.kernel_instruction_set()})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(machine=info, read_bandwidth_gb_s=bandwidth, dgemm_gfma_s=dgemm,
                           kernel_instruction_set=fs.kernel_instruction_set(), rows=rows), f, indent=2)


def print_peers(rows, dgemm):
    """The batches against the ways a researcher writes them in numpy or JAX: ms per trial-step,
    the ratio to the fastest peer, and FactorSense's G FMA/s beside numpy's dgemm rates."""
    if not rows:
        return
    names = sorted({name for row in rows for name in row["peers"]}, key=["numpy loop", "numpy batched", "JAX vmap"].index)
    print(f"\n| batch | {' | '.join(names)} | FactorSense | fastest peer / FactorSense | FactorSense G FMA/s |")
    print("|---|" + "---|" * (len(names) + 3))
    for row in rows:
        fastest = min(row["peers"].values())
        cells = " | ".join(f"{row['peers'][name]:.4g}" if name in row["peers"] else "—" for name in names)
        print(f"| {row['name']} | {cells} | {row['factorsense']:.4g} | **{fastest / row['factorsense']:.2f}×** | {row['gfma']:.1f} |")
    print("\nnumpy's dgemm on this machine, same run: " + ", ".join(f"{shape} {rate:.1f} G FMA/s" for shape, rate in dgemm.items())
          + ("" if "JAX vmap" in names else "; JAX not installed (pip install '.[bench]' adds it)"))


if __name__ == "__main__":
    main()
