"""Pickles of every constructor with every flag (test_pickling.py covers one call of each): psd,
dtype, noise, the drawn target's scale / condition number / spectrum, a target given as a matrix
or as factors, 3-D dense operators, a truth, an entry scale, and both parts of a split of each —
each copy must hold the same bits (operator, y, truth, psd, storage dtype) and solve to the same
bits, whether the problem pickles as its call or as its arrays."""
import pickle

import numpy as np
import pytest
import scipy.sparse

import factorsense as fs
from test_pickling import assert_same

rng = np.random.default_rng(5)
L7 = np.linalg.qr(rng.standard_normal((7, 2)))[0]
R5 = np.linalg.qr(rng.standard_normal((5, 2)))[0]
PSD_TARGET = L7 @ np.diag([2.0, 0.7]) @ L7.T
A7 = rng.standard_normal((45, 49))
A75 = rng.standard_normal((40, 7, 5))
MASKED = np.where(rng.random((7, 7)) < 0.5, np.nan, PSD_TARGET)
SPARSE = scipy.sparse.random(7, 5, density=0.5, random_state=3, format="coo")

CONSTRUCTORS = {
    "gaussian psd float32 noise": lambda: fs.SensingProblem.gaussian(7, 7, 2, 45, psd=True, dtype="float32", noise=0.1,
                                                                      seed=1),
    "gaussian spectrum": lambda: fs.SensingProblem.gaussian(7, 5, 2, 40, scale=3.0, condition_number=4,
                                                            spectrum="linear", seed=2),
    "gaussian target factors": lambda: fs.SensingProblem.gaussian(target=(L7, np.array([2.0, 0.5]), R5),
                                                                  measurements=40, seed=3),
    "gaussian psd target": lambda: fs.SensingProblem.gaussian(target=PSD_TARGET, measurements=45, psd=True, seed=4),
    "symmetric_gaussian": lambda: fs.SensingProblem.symmetric_gaussian(7, 2, 40, condition_number=2, noise=0.05,
                                                                        seed=5),
    "symmetric_gaussian target": lambda: fs.SensingProblem.symmetric_gaussian(target=PSD_TARGET, measurements=40,
                                                                               seed=6),
    "factorization psd": lambda: fs.SensingProblem.factorization(7, 7, 2, psd=True, noise=0.1, seed=7),
    "factorization target": lambda: fs.SensingProblem.factorization(target=L7 @ np.diag([1.0, 0.3]) @ R5.T, seed=8),
    "completion psd": lambda: fs.SensingProblem.completion(7, 7, 2, 30, psd=True, noise=0.02, seed=9),
    "completion wide": lambda: fs.SensingProblem.completion(5, 8, 2, 25, condition_number=3, seed=10),
    "rank_one psd": lambda: fs.SensingProblem.rank_one(7, 7, 2, 40, psd=True, seed=11),
    "rank_one noise": lambda: fs.SensingProblem.rank_one(7, 5, 2, 40, noise=0.1, scale=2.0, seed=12),
    "from_dense psd float32": lambda: fs.SensingProblem.from_dense(A7.astype(np.float32), A7 @ PSD_TARGET.ravel(),
                                                                   (7, 7), truth=PSD_TARGET, psd=True),
    "from_dense 3-D": lambda: fs.SensingProblem.from_dense(A75, np.ones(40), (7, 5), dtype="float32"),
    "from_entries psd": lambda: fs.SensingProblem.from_entries([0, 1, 2, 6, 3], [1, 1, 4, 0, 5],
                                                               [1.0, -2.0, 0.5, 3.0, 2.5], (7, 7), scale=1.5,
                                                               truth=PSD_TARGET, psd=True),
    "from_entries sparse": lambda: fs.SensingProblem.from_entries(SPARSE, scale=0.5),
    "from_dense_masked psd": lambda: fs.SensingProblem.from_dense_masked(MASKED, truth=PSD_TARGET, psd=True),
}


def copies(problem):
    """The problem, its two split parts (when it has ≥ 2 measurements), each with its pickle."""
    parts = [problem]
    if problem.measurements >= 2:
        parts += list(problem.split_holdout(0.4, seed=3))
    return [(p, pickle.loads(pickle.dumps(p))) for p in parts]


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_every_constructor_and_flag_round_trips(name):
    for original, copy in copies(CONSTRUCTORS[name]()):
        assert_same(original, copy)
        assert copy.psd == original.psd and copy.dtype == original.dtype and copy.has_truth == original.has_truth
        if original.operator_kind == "dense":
            assert copy.A.dtype == original.A.dtype
        width = 2
        a = fs.gradient_descent(original, width=width, step=0.05, max_iter=3, seed=1, diagnostics="none")
        b = fs.gradient_descent(copy, width=width, step=0.05, max_iter=3, seed=1, diagnostics="none")
        assert a.U.tobytes() == b.U.tobytes() and a.V.tobytes() == b.V.tobytes()
        assert a.history["loss"].tobytes() == b.history["loss"].tobytes()
