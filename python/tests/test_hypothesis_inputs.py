"""Hypothesis drives the public functions with random shapes, dtypes, NaN/inf and empty arrays:
every call either works or raises a FactorSenseError (or the TypeError/ValueError of a
malformed Python argument) — the process never dies."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import factorsense as fs

ALLOWED = (fs.FactorSenseError, ValueError, TypeError, OverflowError, MemoryError)

values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.floats(-10, 10))
dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.complex128, np.bool_])
arrays = hnp.arrays(dtype=dtypes, shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                    elements=st.just(1) | st.just(0))
float_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6), elements=values)
sizes = st.one_of(st.integers(-3, 8), st.sampled_from([0, 2**31, 2**62, -(2**63)]))


def attempt(call):
    try:
        return call()
    except ALLOWED:
        return None


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(A=st.one_of(arrays, float_arrays), y=st.one_of(arrays, float_arrays), n1=sizes, n2=sizes,
       truth=st.none() | float_arrays)
def test_from_dense(A, y, n1, n2, truth):
    p = attempt(lambda: fs.SensingProblem.from_dense(A, y, shape=(n1, n2), truth=truth))
    if p is not None:
        assert p.shape == (n1, n2) and np.all(np.isfinite(p.y))


@settings(max_examples=60, deadline=None)
@given(n1=sizes, n2=sizes, rank=sizes, m=sizes, scale=values, kappa=values, noise=values,
       kind=st.sampled_from(["gaussian", "completion", "rank_one"]))
def test_generators(n1, n2, rank, m, scale, kappa, noise, kind):
    p = attempt(lambda: getattr(fs.SensingProblem, kind)(n1, n2, rank, m, scale=scale, condition_number=kappa,
                                                        noise=noise))
    if p is not None:
        assert p.shape == (n1, n2) and 1 <= rank <= min(n1, n2)


@settings(max_examples=60, deadline=None)
@given(U0=st.none() | float_arrays, V0=st.none() | float_arrays, width=st.none() | sizes,
       step=values, init_scale=values, max_iter=st.integers(-2, 5), record_every=st.integers(-1, 3),
       init=st.sampled_from(["random", "spectral", "other"]), batch_size=st.integers(-1, 30))
def test_gradient_descent(U0, V0, width, step, init_scale, max_iter, record_every, init, batch_size):
    p = fs.SensingProblem.gaussian(5, 4, 1, 20, seed=0)
    r = attempt(lambda: fs.gradient_descent(p, width, U0=U0, V0=V0, step=step, init_scale=init_scale,
                                            max_iter=max_iter, record_every=record_every, init=init,
                                            batch_size=batch_size))
    if r is not None:
        assert r.stop_reason in ("converged", "max_iterations", "diverged")
        assert r.U.shape[0] == 5 and r.V.shape[0] == 4


@settings(max_examples=40, deadline=None)
@given(X=float_arrays, rho=float_arrays, U=float_arrays, V=st.none() | float_arrays)
def test_low_level_calls(X, rho, U, V):
    for p in (fs.SensingProblem.completion(5, 4, 1, 8, seed=1), fs.SensingProblem.symmetric_gaussian(4, 1, 9)):
        attempt(lambda: p.apply(X))
        attempt(lambda: p.adjoint(rho))
        attempt(lambda: p.loss_and_grad(U, V))
