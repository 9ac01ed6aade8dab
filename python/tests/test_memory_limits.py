"""Memory is counted before it is used (issue 8, item 2).

Each call runs in a subprocess under an address-space limit (RLIMIT_AS = the address space in
use + a headroom), set after its inputs exist. The library must refuse what does not fit with
an OutOfMemoryError (FS_ERROR_OUT_OF_MEMORY) naming the sizes — never abort the interpreter as
a failed allocation would — and must still run what fits.
"""
import os
import subprocess
import sys
import textwrap

import pytest

RUNNER = textwrap.dedent("""
    import os, resource, sys
    import numpy as np
    import factorsense as fs

    setup, call, headroom = sys.argv[1], sys.argv[2], int(sys.argv[3])
    scope = dict(fs=fs, np=np)
    exec(setup, scope)
    with open("/proc/self/statm") as f:
        in_use = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    limit = in_use + headroom * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        exec(call, scope)
    except fs.OutOfMemoryError as error:
        print("REFUSED", error)
    else:
        print("OK")
""")

GIB = 1024


def run_limited(setup, call, headroom_mib):
    """(stdout's first line, the whole run) of `call` after `setup`, under the limit."""
    done = subprocess.run([sys.executable, "-c", RUNNER, setup, call, str(headroom_mib)],
                          capture_output=True, text=True, timeout=600, env=os.environ.copy())
    assert done.returncode == 0, (f"the process died (status {done.returncode}) instead of refusing:\n"
                                  f"{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr[-3000:]
    return lines[-1]


# (name, setup run before the limit, the call, words the refusal names)
REFUSED = [
    ("completion of every cell of 10000²", "", "fs.SensingProblem.completion(10000, 10000, 2, 10**8)",
     ["completion", "hash set", "GB"]),
    ("identity of 20000²", "", "fs.SensingProblem.factorization(20000, 20000, 2)", ["identity", "X⋆", "GB"]),
    ("Gaussian operator of 4 GB", "", "fs.SensingProblem.gaussian(100, 100, 2, 50000)", ["Gaussian operator", "GB"]),
    ("rank-one vectors of 6.4 GB", "", "fs.SensingProblem.rank_one(2000, 2000, 2, 200000)", ["vectors a_i", "GB"]),
    ("tol with a huge window", "p = fs.SensingProblem.gaussian(10, 8, 2, 60, seed=0)",
     "fs.gradient_descent(p, width=2, tol=1e-3, window=2*10**9, max_iter=2*10**9, record_every=10**9)",
     ["loss window", "16.00 GB"]),
    ("a run of an identity problem needs its residual", "p = fs.SensingProblem.factorization(6000, 6000, 2)",
     "fs.gradient_descent(p, width=2, max_iter=2)", ["gradient descent", "the residual (m)"]),
    ("loss_and_grad of an identity problem", "p = fs.SensingProblem.factorization(6000, 6000, 2)\n"
     "U = np.ones((6000, 2)); V = np.ones((6000, 2))", "p.loss_and_grad(U, V)", ["fs_problem_loss_and_gradient", "the residual (m)"]),
    ("the copies of 2·10⁷ entries", "m = 2 * 10**7\nrows = np.arange(m) // 5000; cols = np.arange(m) % 5000\n"
     "values = np.ones(m)", "fs.SensingProblem.from_entries(rows, cols, values, (4000, 5000))",
     ["fs_problem_set_entries", "indices"]),
    ("the copy of a 384 MB dense operator", "A = np.ones((40000, 1200)); y = np.ones(40000)",
     "fs.SensingProblem.from_dense(A, y, (40, 30))", ["dense operator", "GB"]),
]


@pytest.mark.parametrize("name, setup, call, words", REFUSED, ids=[r[0] for r in REFUSED])
def test_what_does_not_fit_is_refused_cleanly(name, setup, call, words):
    line = run_limited(setup, call, 256)
    assert line.startswith("REFUSED"), line
    assert "at its peak" in line and "bytes" in line and "RLIMIT_AS" in line
    for word in words:
        assert word in line, (word, line)


# Calls whose peak lies inside the range of headrooms swept: each must either run or be
# refused, at every limit, and run when the limit is generous.
SWEPT = [
    ("completion, complement sampling", "", "fs.SensingProblem.completion(3000, 3000, 2, 6_000_000, seed=1)"),
    ("completion, direct sampling", "", "fs.SensingProblem.completion(4000, 4000, 2, 4_000_000, seed=1)"),
    ("identity generation and a run", "",
     "p = fs.SensingProblem.factorization(3000, 3000, 2)\nfs.gradient_descent(p, width=3, max_iter=3)"),
    ("Gaussian generation and a run", "",
     "p = fs.SensingProblem.gaussian(40, 40, 2, 20000)\nfs.gradient_descent(p, width=3, max_iter=2)"),
    ("mini-batch run", "p = fs.SensingProblem.completion(4000, 4000, 2, 8_000_000, seed=2)",
     "fs.gradient_descent(p, width=4, batch_size=1000, max_iter=50, record_every=25)"),
    ("rank-one generation", "", "fs.SensingProblem.rank_one(500, 500, 2, 40000, seed=3)"),
]


@pytest.mark.parametrize("name, setup, call", SWEPT, ids=[s[0] for s in SWEPT])
def test_every_limit_either_runs_or_refuses(name, setup, call):
    outcomes = [run_limited(setup, call, headroom) for headroom in (96, 256, 512, 3 * GIB)]
    assert all(line == "OK" or line.startswith("REFUSED") for line in outcomes), outcomes
    assert outcomes[-1] == "OK", outcomes
    assert outcomes[0].startswith("REFUSED"), outcomes


def test_the_out_of_memory_message_of_a_batch_is_short():
    """A refused batch names each kind of buffer once, with how many trials hold it — not a line
    per trial (a 16-trial batch once gave a 10 kB message)."""
    line = run_limited("p = fs.SensingProblem.gaussian(40, 40, 2, 20000, seed=0)",
                       "fs.gradient_descent_batch(p, seed=list(range(16)), width=3, max_iter=2)", 96)
    assert line.startswith("REFUSED"), line
    assert len(line) < 1500, (len(line), line)
    assert "16 ×" in line, line
    assert "at its peak" in line and "RLIMIT_AS" in line
