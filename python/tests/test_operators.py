"""Every operator and both parameterizations against independent numpy formulas (docs/mathematics.md)."""
import numpy as np
import pytest
import scipy.sparse as sparse
from hypothesis import given, settings
from hypothesis import strategies as st

import factorsense as fs
from conftest import dense_operator_matrix, numpy_loss_and_grad, relative

KINDS = ["gaussian", "symmetric_gaussian", "factorization", "completion", "rank_one"]


def make(kind, psd, n1=6, n2=5, rank=2, m=24, seed=1):
    square = psd or kind == "symmetric_gaussian"
    n2 = n1 if square else n2
    if kind == "symmetric_gaussian":
        return fs.SensingProblem.symmetric_gaussian(n1, rank, m, psd=psd, seed=seed)
    if kind == "factorization":
        return fs.SensingProblem.factorization(n1, n2, rank, psd=psd, seed=seed)
    return getattr(fs.SensingProblem, kind)(n1, n2, rank, m, psd=psd, seed=seed)


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_operator_adjoint_loss_and_gradient(kind, psd):
    p = make(kind, psd)
    n1, n2 = p.shape
    A = dense_operator_matrix(p)
    rng = np.random.default_rng(7)
    X = rng.standard_normal((n1, n2))
    rho = rng.standard_normal(p.measurements)
    assert relative(p.apply(X), A @ X.ravel()) <= 1e-12
    assert relative(p.adjoint(rho), (A.T @ rho).reshape(n1, n2)) <= 1e-12
    assert abs(p.apply(X) @ rho - np.sum(X * p.adjoint(rho))) <= 1e-12 * abs(p.apply(X) @ rho)
    if p.has_truth:
        np.testing.assert_allclose(p.y, A @ p.truth.ravel(), rtol=0, atol=1e-12 * np.abs(p.y).max())
    U = rng.standard_normal((n1, 3))
    if psd:
        assert p.psd
        loss, grad = p.loss_and_grad(U)
        expected_loss, expected_grad = numpy_loss_and_grad(A, p.y, (n1, n2), U)
        assert abs(loss - expected_loss) <= 1e-12 * expected_loss
        assert relative(grad, expected_grad) <= 1e-12
    else:
        V = rng.standard_normal((n2, 3))
        loss, (gU, gV) = p.loss_and_grad(U, V)
        expected_loss, (eU, eV) = numpy_loss_and_grad(A, p.y, (n1, n2), U, V)
        assert abs(loss - expected_loss) <= 1e-12 * expected_loss
        assert relative(gU, eU) <= 1e-12 and relative(gV, eV) <= 1e-12


@pytest.mark.parametrize("psd", [False, True])
@pytest.mark.parametrize("n1, n2, k", [(7, 30, 2), (400, 300, 5), (513, 257, 4)])
def test_factorization_pass_in_row_blocks(n1, n2, k, psd):
    """The identity operator's pass runs over 8 fixed blocks of rows of X (in parallel from
    n1·n2·k = 2¹⁹ multiply-adds; some blocks empty when n1 < 8): its loss and gradients against
    numpy's ρ = UVᵀ − X⋆, ∇_U = ρV, ∇_V = ρᵀU (PSD: ½(ρ + ρᵀ)U, loss ¼‖ρ‖²)."""
    n2 = n1 if psd else n2
    p = fs.SensingProblem.factorization(n1, n2, 2, psd=psd, seed=4)
    target = p.y.reshape(n1, n2)
    rng = np.random.default_rng(8)
    U = rng.standard_normal((n1, k))
    if psd:
        rho = U @ U.T - target
        loss, grad = p.loss_and_grad(U)
        assert abs(loss - 0.25 * np.sum(rho * rho)) <= 1e-12 * loss
        assert relative(grad, 0.5 * (rho + rho.T) @ U) <= 1e-12
        return
    V = rng.standard_normal((n2, k))
    rho = U @ V.T - target
    loss, (gU, gV) = p.loss_and_grad(U, V)
    assert abs(loss - 0.5 * np.sum(rho * rho)) <= 1e-12 * loss
    assert relative(gU, rho @ V) <= 1e-12 and relative(gV, rho.T @ U) <= 1e-12


def test_user_entries_and_scipy_sparse():
    rows, cols, values = np.array([0, 2, 1, 3]), np.array([1, 0, 2, 2]), np.array([1.0, -2.0, 0.5, 4.0])
    a = fs.SensingProblem.from_entries(rows, cols, values, shape=(4, 3), scale=2.0)
    b = fs.SensingProblem.from_entries(sparse.coo_matrix((values, (rows, cols)), shape=(4, 3)), scale=2.0)
    c = fs.SensingProblem.from_entries(sparse.csr_matrix((values, (rows, cols)), shape=(4, 3)), scale=2.0)
    for p in (a, b, c):
        assert p.operator_kind == "entries" and p.shape == (4, 3) and p.measurements == 4
        r, k, scale = p.entries
        X = np.arange(12.0).reshape(4, 3)
        np.testing.assert_array_equal(p.apply(X), 2.0 * X[r, k])
        observed = dict(zip(zip(rows, cols), values))
        np.testing.assert_array_equal(p.y, [observed[(i, j)] for i, j in zip(r, k)])
        assert scale == 2.0


@pytest.mark.parametrize("rows, cols, error", [
    ([0, 0], [1, 1], "repeat the position"),
    ([4], [0], "outside"),
    ([0], [-1], "outside"),
])
def test_bad_entries(rows, cols, error):
    with pytest.raises(fs.InvalidArgumentError, match=error):
        fs.SensingProblem.from_entries(rows, cols, np.ones(len(rows)), shape=(4, 3))


def test_duplicates_in_a_sparse_matrix_are_refused():
    duplicated = sparse.coo_matrix(([1.0, 2.0], ([0, 0], [1, 1])), shape=(2, 2))
    with pytest.raises(fs.InvalidArgumentError, match="repeat"):
        fs.SensingProblem.from_entries(duplicated)


def test_structure_errors():
    with pytest.raises(fs.InvalidArgumentError, match="square"):
        fs.SensingProblem.gaussian(5, 4, 1, 20, psd=True)
    with pytest.raises(fs.InvalidArgumentError, match="square"):
        fs.SensingProblem.from_dense(np.ones((3, 6)), np.ones(3), shape=(2, 3), psd=True)
    with pytest.raises(fs.InvalidArgumentError, match="between 1 and n1"):
        fs.SensingProblem.completion(4, 3, 1, 13)
    with pytest.raises(fs.WrongStateError, match="no dense matrix"):
        fs.SensingProblem.completion(4, 3, 1, 6).A
    with pytest.raises(fs.InvalidArgumentError, match="one factor"):
        fs.SensingProblem.factorization(3, 3, 1, psd=True).loss_and_grad(np.ones((3, 1)), np.ones((3, 1)))


@settings(max_examples=25, deadline=None)
@given(n1=st.integers(1, 6), n2=st.integers(1, 6), k=st.integers(1, 4), psd=st.booleans(),
       kind=st.sampled_from(["gaussian", "factorization", "rank_one", "completion"]), seed=st.integers(0, 2**32))
def test_gradient_matches_finite_differences(n1, n2, k, psd, kind, seed):
    if psd:
        n2 = n1
    m = max(1, n1 * n2 // 2) if kind == "completion" else 3 * n1 * n2
    p = make(kind, psd, n1=n1, n2=n2, rank=1, m=m, seed=seed % 1000)
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((n1, k))
    V = None if psd else rng.standard_normal((n2, k))
    loss, grad = p.loss_and_grad(U) if psd else p.loss_and_grad(U, V)
    gU = grad if psd else grad[0]
    # A direction in both factors (PSD: the one factor U, which X = UUᵀ uses twice).
    dU = rng.standard_normal((n1, k))
    dV = None if psd else rng.standard_normal((n2, k))
    h = 1e-6
    if psd:
        numeric = (p.loss_and_grad(U + h * dU)[0] - p.loss_and_grad(U - h * dU)[0]) / (2 * h)
        analytic = np.sum(gU * dU)
    else:
        numeric = (p.loss_and_grad(U + h * dU, V + h * dV)[0] - p.loss_and_grad(U - h * dU, V - h * dV)[0]) / (2 * h)
        analytic = np.sum(gU * dU) + np.sum(grad[1] * dV)
    assert abs(numeric - analytic) <= 1e-6 * max(1.0, abs(numeric))
