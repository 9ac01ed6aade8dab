"""The diagnostics' rank handling against test_diagnostics.py's numpy oracle, on what it leaves
out: a user ``rank=`` below and above the truth's, above the width, on wide, tall and PSD
problems and on entry sampling, every diagnostic at every recorded row; and the bound on rank=,
min(n1, n2), on both sides, for wide and tall shapes."""
import numpy as np
import pytest

import factorsense as fs
from test_diagnostics import ALL, close, oracle, run_with_factors

PROBLEMS = {
    "wide": lambda: fs.SensingProblem.gaussian(7, 11, 2, 120, condition_number=3, seed=21),
    "tall": lambda: fs.SensingProblem.gaussian(11, 7, 2, 120, condition_number=3, seed=22),
    "psd": lambda: fs.SensingProblem.gaussian(8, 8, 2, 110, psd=True, condition_number=3, seed=23),
    "completion_wide": lambda: fs.SensingProblem.completion(9, 13, 2, 80, condition_number=3, seed=24),
}


@pytest.mark.parametrize("kind", sorted(PROBLEMS))
@pytest.mark.parametrize("rank, width", [(1, 4), (3, 2), (4, 5)])
def test_every_diagnostic_with_a_user_rank(kind, rank, width):
    """The spectral columns use the user's rank (capped by the width: min(rank, k) singular
    vectors of U and V against the top-rank subspace of 𝒜*(y)); the truth's columns keep the
    truth's rank 2."""
    problem = PROBLEMS[kind]()
    result, seen = run_with_factors(problem, width=width, init_scale=1e-1, step=0.2, max_iter=20, record_every=10,
                                    seed=5, rank=rank)
    c = min(*problem.shape, width)
    for row, t in enumerate(result.history["iteration"]):
        U, V = seen[int(t)]
        expected = oracle(problem, U, V, c, rank=rank)
        for name in ALL:
            close(result.history[name][row], expected[name], f"{kind} rank={rank} k={width} t={t} {name}")
        truth_ranked = oracle(problem, U, V, c)
        assert abs(truth_ranked["spectral_alignment_left"] - expected["spectral_alignment_left"]) > 1e-8


@pytest.mark.parametrize("shape", [(6, 9), (9, 6)])
def test_rank_is_bounded_by_the_smaller_side(shape):
    """rank = min(n1, n2) is accepted (and recorded against numpy); min(n1, n2) + 1 … max(n1, n2)
    is refused, with the bound in the message."""
    p = fs.SensingProblem.gaussian(*shape, 2, 100, seed=25)
    low = min(shape)
    result, seen = run_with_factors(p, width=3, max_iter=5, record_every=5, seed=1, rank=low)
    U, V = seen[5]
    close(result.history["spectral_alignment_left"][-1], oracle(p, U, V, 3, rank=low)["spectral_alignment_left"],
          "rank = min(n1, n2)")
    for bad in (low + 1, max(shape)):
        with pytest.raises(fs.InvalidArgumentError, match=f"rank is {bad}, above min\\(n1, n2\\) = {low}"):
            fs.gradient_descent(p, width=3, max_iter=5, rank=bad)
