"""A diverged mini-batch (SGD) run holds the last iterate whose factors and full loss were
finite, and its last history row is that iterate's (issue 8, item 4)."""
import numpy as np
import pytest

import factorsense as fs


def completion_loss(problem, U, V):
    """½‖𝒜(UVᵀ) − y‖² for a completion problem, computed here with numpy."""
    rows, columns, scale = problem.entries
    predicted = scale * np.einsum("ik,ik->i", U[rows], V[columns])
    return 0.5 * np.sum((predicted - problem.y) ** 2)


def check_diverged(problem, r, oracle=None):
    assert r.stop_reason == "diverged"
    assert np.isfinite(r.U).all() and np.isfinite(r.V).all()
    loss = r.history["loss"]
    assert np.isfinite(loss).all(), loss
    assert np.isfinite(r.history["residual"]).all()
    assert r.history["iteration"][-1] == r.iterations          # the last row is the iterate held
    held = problem.loss_and_grad(r.U) if problem.psd else problem.loss_and_grad(r.U, r.V)
    assert held[0] == pytest.approx(loss[-1], rel=1e-12)
    if oracle is not None:
        assert oracle(problem, r.U, r.V) == pytest.approx(loss[-1], rel=1e-9)


def test_the_reported_run_holds_a_finite_iterate():
    p = fs.SensingProblem.completion(20, 15, 2, 150, seed=1)
    r = fs.gradient_descent(p, width=4, step=0.5, batch_size=1, max_iter=3000, record_every=1000, seed=55)
    check_diverged(p, r, completion_loss)
    # It steps back to the newest checkpoint with a finite loss, not all the way to iterate 0.
    assert r.iterations > 0


def test_every_diverged_completion_run_over_many_seeds_is_finite():
    p = fs.SensingProblem.completion(20, 15, 2, 150, seed=1)
    diverged = 0
    for seed in range(120):
        for step in (0.5, 1.0, 3.0):
            r = fs.gradient_descent(p, width=4, step=step, batch_size=1, max_iter=3000, record_every=1000, seed=seed)
            if r.stop_reason == "diverged":
                diverged += 1
                check_diverged(p, r, completion_loss)
    assert diverged >= 200


@pytest.mark.parametrize("make, batch", [
    (lambda: fs.SensingProblem.rank_one(8, 7, 2, 120, seed=3), 2),
    (lambda: fs.SensingProblem.gaussian(6, 5, 2, 60, seed=4), 1),
    (lambda: fs.SensingProblem.completion(12, 12, 2, 100, psd=True, seed=5), 1),
    (lambda: fs.SensingProblem.factorization(9, 8, 2, seed=6), 3),
])
def test_diverged_sgd_runs_of_other_families_are_finite(make, batch):
    p = make()
    diverged = 0
    for seed in range(40):
        r = fs.gradient_descent(p, width=3, step=2.0, batch_size=batch, max_iter=2000, record_every=500, seed=seed)
        if r.stop_reason == "diverged":
            diverged += 1
            check_diverged(p, r)
    assert diverged >= 20


def test_full_batch_divergence_still_steps_back_one_iterate():
    p = fs.SensingProblem.gaussian(10, 8, 2, 80, seed=0)
    r = fs.gradient_descent(p, width=3, step=50.0, max_iter=500, seed=1)
    check_diverged(p, r)
    assert r.history["iteration"].tolist() == list(range(r.iterations + 1))
