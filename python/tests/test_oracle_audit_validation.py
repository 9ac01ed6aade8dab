"""The holdout split and the validation set on wide and tall matrices (n1 ≠ n2), against
docs/completion.md's definitions (test_completion_tools.py checks a tall completion problem and
a dense one): the split of every operator kind — entries, the identity's entries (row = i // n2,
column = i % n2), dense rows, rank-one vectors — and the validation error of every recorded
row, replayed in numpy; the overlap rule on a wide matrix, where (i, j) ↦ i·n1 + j would make
distinct entries collide."""
import numpy as np
import pytest

import factorsense as fs
from conftest import dense_operator_matrix
from test_completion_tools import _numpy_holdout

SHAPES = [(6, 11), (11, 6)]


@pytest.mark.parametrize("shape", SHAPES, ids=["wide", "tall"])
@pytest.mark.parametrize("kind", ["completion", "factorization", "gaussian", "rank_one"])
def test_the_split_of_every_operator_kind(kind, shape):
    n1, n2 = shape
    if kind == "factorization":
        p = fs.SensingProblem.factorization(n1, n2, 2, noise=0.01, seed=31)
    else:
        p = getattr(fs.SensingProblem, kind)(n1, n2, 2, 40, seed=31)
    m = p.measurements
    A, y = dense_operator_matrix(p), p.y
    training, validation = p.split_holdout(0.3, seed=9)
    train_idx, held_idx = _numpy_holdout(m, 0.3, 9)
    for part, idx in ((training, train_idx), (validation, held_idx)):
        assert part.shape == (n1, n2) and part.measurements == idx.size
        np.testing.assert_array_equal(dense_operator_matrix(part), A[idx])
        np.testing.assert_array_equal(part.y, y[idx])
        np.testing.assert_array_equal(part.truth, p.truth)
        if kind in ("completion", "factorization"):
            rows, cols, _ = part.entries
            flat = np.arange(n1 * n2) if kind == "factorization" else p.entries[0] * n2 + p.entries[1]
            np.testing.assert_array_equal(rows, flat[idx] // n2)
            np.testing.assert_array_equal(cols, flat[idx] % n2)


@pytest.mark.parametrize("shape", SHAPES, ids=["wide", "tall"])
@pytest.mark.parametrize("kind", ["completion", "factorization", "gaussian"])
def test_the_validation_error_of_every_row_on_a_holdout(kind, shape):
    """holdout=0.25: the run trains on the training part and records ‖𝒜_val(X_t) − y_val‖/‖y_val‖,
    replayed from the split's definition and gradient descent's in numpy."""
    n1, n2 = shape
    if kind == "factorization":
        p = fs.SensingProblem.factorization(n1, n2, 2, noise=0.05, seed=32)
    else:
        p = getattr(fs.SensingProblem, kind)(n1, n2, 2, 50, noise=0.05, seed=32)
    A, y = dense_operator_matrix(p), p.y
    train, held = _numpy_holdout(p.measurements, 0.25, 4)
    rng = np.random.default_rng(1)
    U, V = 0.3 * rng.standard_normal((n1, 3)), 0.3 * rng.standard_normal((n2, 3))
    r = fs.gradient_descent(p, init=(U, V), step=0.1, max_iter=9, record_every=3, holdout=0.25, seed=4,
                            diagnostics="none")
    expected = []
    for t in range(10):
        X = U @ V.T
        if t % 3 == 0:
            expected.append(np.linalg.norm(A[held] @ X.ravel() - y[held]) / np.linalg.norm(y[held]))
        G = (A[train].T @ (A[train] @ X.ravel() - y[train])).reshape(n1, n2)
        U, V = U - 0.1 * G @ V, V - 0.1 * G.T @ U
    np.testing.assert_array_equal(r.history["iteration"], [0, 3, 6, 9])
    np.testing.assert_allclose(r.history["validation_error"], expected, rtol=1e-10)


def test_the_overlap_rule_on_a_wide_matrix():
    """On a 4 × 9 matrix only a held-out position that is also a training position is refused:
    the held-out (1, 0) is not the training (0, 4), though i·n1 + j is 4 for both (i·n2 + j is
    not), so it is accepted and scored; (2, 8) is a training position, refused by name."""
    rows, cols = np.array([0, 2, 3, 1]), np.array([4, 8, 1, 7])
    X = np.arange(36.0).reshape(4, 9) / 10
    p = fs.SensingProblem.from_entries(rows, cols, X[rows, cols], (4, 9), truth=X)
    held_rows, held_cols = np.array([1, 0, 2]), np.array([0, 0, 4])  # 1·4 + 0 = 0·4 + 4 and more
    r = fs.gradient_descent(p, width=2, max_iter=2, validation=(held_rows, held_cols, X[held_rows, held_cols]),
                            diagnostics="none", seed=1)
    assert np.isfinite(r.history["validation_error"]).all()
    with pytest.raises(fs.InvalidArgumentError, match=r"overlap.*\(2, 8\)"):
        fs.gradient_descent(p, width=2, max_iter=2, validation=(np.array([1, 2]), np.array([0, 8]), np.ones(2)))
