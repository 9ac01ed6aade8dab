"""Values, not handles, cross process boundaries: every kind of problem pickles by value (a
generated one as the call that made it, regenerated bit for bit; any other as its arrays), copies
are independent of the original, results pickle bit for bit, and a spawn-based process pool runs
a pickled problem to the same bits."""
import copy
import gc
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest
import scipy.sparse

import factorsense as fs

rng = np.random.default_rng(0)
TARGET = rng.standard_normal((7, 2)) @ rng.standard_normal((2, 6))

PROBLEMS = {
    "gaussian": lambda: fs.SensingProblem.gaussian(8, 6, 2, 60, noise=0.01, seed=1),
    "gaussian_psd": lambda: fs.SensingProblem.gaussian(7, 7, 2, 60, psd=True, condition_number=3, seed=2),
    "symmetric_gaussian": lambda: fs.SensingProblem.symmetric_gaussian(7, 2, 50, seed=3),
    "factorization": lambda: fs.SensingProblem.factorization(8, 6, 2, noise=0.1, seed=4),
    "completion": lambda: fs.SensingProblem.completion(8, 6, 2, 30, spectrum="linear", condition_number=2, seed=5),
    "rank_one": lambda: fs.SensingProblem.rank_one(8, 6, 2, 40, seed=6),
    "target": lambda: fs.SensingProblem.gaussian(target=TARGET, measurements=50, seed=7),
    "from_dense": lambda: fs.SensingProblem.from_dense(rng.standard_normal((30, 12)), rng.standard_normal(30), (4, 3),
                                                       truth=rng.standard_normal((4, 3))),
    "from_entries": lambda: fs.SensingProblem.from_entries([0, 1, 2, 3], [1, 0, 2, 1], [1.0, -2.0, 0.5, 3.0], (4, 3),
                                                           scale=2.0),
    "from_sparse": lambda: fs.SensingProblem.from_entries(scipy.sparse.random(9, 7, density=0.4, random_state=1,
                                                                              format="csr")),
    "from_dense_masked": lambda: fs.SensingProblem.from_dense_masked(np.where(rng.random((5, 4)) < 0.5, np.nan, 1.0)),
    "split_of_generated": lambda: fs.SensingProblem.completion(8, 6, 2, 30, seed=5).split_holdout(0.2, seed=3)[0],
    "split_of_entries": lambda: fs.SensingProblem.from_entries([0, 1, 2, 3, 0], [1, 0, 2, 1, 0], [1.0, -2.0, 0.5, 3.0, 1.0],
                                                               (4, 3)).split_holdout(0.4, seed=1)[1],
}


def contents(p):
    """Everything a problem holds, as arrays and values."""
    held = dict(shape=p.shape, measurements=p.measurements, psd=p.psd, kind=p.operator_kind, y=p.y, truth=p.truth)
    if p.operator_kind == "dense":
        held["A"] = p.A
    elif p.operator_kind == "entries":
        held["entries"] = p.entries
    elif p.operator_kind == "rank_one":
        held["rank_one"] = p.rank_one_vectors
    return held


def assert_same(a, b):
    left, right = contents(a), contents(b)
    assert left.keys() == right.keys()
    for key in left:
        x, y = left[key], right[key]
        if isinstance(x, tuple):
            assert len(x) == len(y)
            for u, v in zip(x, y):
                np.testing.assert_array_equal(u, v)
        elif x is None or y is None:
            assert x is None and y is None, key
        else:
            np.testing.assert_array_equal(x, y, err_msg=key)


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
def test_every_problem_round_trips_bit_for_bit_after_the_original_is_gone(kind):
    original = PROBLEMS[kind]()
    reference = contents(original)
    data = pickle.dumps(original)
    run = fs.gradient_descent(original, width=2, max_iter=5, record_every=1)
    del original
    gc.collect()
    copy_ = pickle.loads(data)
    assert_same(copy_, copy_)  # readable: a live handle of its own
    for key, value in contents(copy_).items():
        expected = reference[key]
        if isinstance(value, tuple):
            for u, v in zip(value, expected):
                np.testing.assert_array_equal(u, v)
        elif value is None:
            assert expected is None
        else:
            np.testing.assert_array_equal(value, expected, err_msg=key)
    again = fs.gradient_descent(copy_, width=2, max_iter=5, record_every=1)
    np.testing.assert_array_equal(again.U, run.U)
    np.testing.assert_array_equal(again.history["loss"], run.history["loss"])


def test_a_generated_problem_pickles_as_its_call_not_its_operator():
    p = fs.SensingProblem.gaussian(60, 60, 2, 2000, seed=0)  # A is 58 MB
    assert len(pickle.dumps(p)) < 1000


def test_changing_your_target_array_afterwards_does_not_change_the_pickle():
    target = TARGET.copy()
    p = fs.SensingProblem.gaussian(target=target, measurements=50, seed=7)
    y = p.y
    target[:] = 0
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(p)).y, y)


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy])
def test_copies_are_independent_problems(copier):
    original = PROBLEMS["from_entries"]()
    duplicate = copier(original)
    assert duplicate.handle != original.handle
    original.close()
    with pytest.raises(fs.InvalidHandleError):
        original.y
    np.testing.assert_array_equal(duplicate.y, [1.0, -2.0, 0.5, 3.0])


def test_results_pickle_bit_for_bit():
    p = fs.SensingProblem.gaussian(10, 8, 2, 120, seed=2)
    r = fs.gradient_descent(p, width=4, init_scale=1e-4, step=0.5, max_iter=300, diagnostics="all")
    s = pickle.loads(pickle.dumps(r))
    np.testing.assert_array_equal(s.U, r.U)
    np.testing.assert_array_equal(s.V, r.V)
    assert (s.stop_reason, s.iterations, s.phases, s.best_iteration) == (r.stop_reason, r.iterations, r.phases, r.best_iteration)
    assert list(s.history) == list(r.history) and list(s.history.matrices) == list(r.history.matrices)
    for name in list(r.history) + list(r.history.matrices):
        np.testing.assert_array_equal(s.history[name], r.history[name])
    np.testing.assert_array_equal(s.learning_iterations, r.learning_iterations)


def _solve(problem):
    return fs.gradient_descent(problem, width=3, step=0.5, max_iter=50)


def test_a_spawned_process_solves_a_pickled_problem_to_the_same_bits():
    p = fs.SensingProblem.completion(20, 15, 2, 150, seed=1)
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        remote = pool.submit(_solve, p).result(timeout=120)
    local = _solve(p)
    np.testing.assert_array_equal(remote.U, local.U)
    np.testing.assert_array_equal(remote.history["loss"], local.history["loss"])
