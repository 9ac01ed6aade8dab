"""Shared helpers: independent numpy implementations of docs/mathematics.md's formulas."""
import numpy as np
import pytest

import factorsense as fs


def dense_operator_matrix(problem):
    """The m × n1·n2 matrix of any problem's operator, built from its own data, not from 𝒜."""
    n1, n2 = problem.shape
    m = problem.measurements
    kind = problem.operator_kind
    if kind == "dense":
        return problem.A
    if kind == "identity":
        return np.eye(n1 * n2)
    if kind == "entries":
        rows, cols, scale = problem.entries
        A = np.zeros((m, n1 * n2))
        A[np.arange(m), rows * n2 + cols] = scale
        return A
    if kind == "rank_one":
        a, b, c = problem.rank_one_vectors
        A = c * np.einsum("ip,iq->ipq", a, b)
        if problem.psd:  # the symmetric operator: A_i = c (a_i b_iᵀ + b_i a_iᵀ)/2
            A = (A + A.transpose(0, 2, 1)) / 2
        return A.reshape(m, n1 * n2)
    raise AssertionError(kind)


def numpy_loss_and_grad(A, y, shape, U, V=None):
    """docs/mathematics.md: asymmetric ½‖𝒜(UVᵀ) − y‖² with G V, Gᵀ U; symmetric ¼‖𝒜(UUᵀ) − y‖² with ½(G + Gᵀ)U."""
    n1, n2 = shape
    if V is None:
        rho = A @ (U @ U.T).ravel() - y
        G = (A.T @ rho).reshape(n1, n2)
        return 0.25 * rho @ rho, 0.5 * (G + G.T) @ U
    rho = A @ (U @ V.T).ravel() - y
    G = (A.T @ rho).reshape(n1, n2)
    return 0.5 * rho @ rho, (G @ V, G.T @ U)


def relative(a, b):
    return np.linalg.norm(np.asarray(a) - np.asarray(b)) / max(np.linalg.norm(np.asarray(b)), 1e-300)


@pytest.fixture(scope="session")
def demo_problem():
    return fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)


@pytest.fixture(autouse=True)
def sigint_raises_keyboard_interrupt():
    """Ctrl-C tests need SIGINT to raise KeyboardInterrupt; a process started in the background
    by a non-interactive shell inherits SIGINT ignored, and Python then installs no handler."""
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, signal.default_int_handler)
        yield
        signal.signal(signal.SIGINT, previous)
    else:
        yield


@pytest.fixture
def library_needing(tmp_path):
    """``library_needing(name)``: a shared library whose dynamic section asks for ``name`` (a
    library made for the purpose, then deleted), compiled with the C compiler; skips without one."""
    import shutil
    import subprocess

    compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to make a library with a missing dependency")

    def make(name):
        source = tmp_path / "empty.c"
        source.write_text("int fs_test_placeholder(void) { return 0; }\n")
        dependency, library = tmp_path / name, tmp_path / "libfactorsense.so"
        subprocess.run([compiler, "-shared", "-fPIC", f"-Wl,-soname,{name}", "-o", dependency, source], check=True)
        subprocess.run([compiler, "-shared", "-fPIC", "-o", library, source, "-Wl,--no-as-needed", dependency],
                       check=True)
        dependency.unlink()
        return library
    return make
