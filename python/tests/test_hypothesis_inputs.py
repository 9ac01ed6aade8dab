"""Hypothesis drives the public functions with random shapes, dtypes, NaN/inf and empty arrays:
every call either works or raises one of the specific FactorSenseError subclasses of a bad input
— never the base class, never FS_ERROR_INTERNAL ("a bug"), never another exception — and the
process never dies. What a call returns is checked against numpy."""
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import factorsense as fs
from conftest import dense_operator_matrix, numpy_loss_and_grad, relative

# The exceptions of a bad input. Not the base FactorSenseError (which an unknown status gives),
# not LinearAlgebraError or WrongStateError (no input here should reach LAPACK failing or a
# handle in the wrong state), and no built-in exception leaking from the Python layer.
ALLOWED = (fs.InvalidArgumentError, fs.SizeMismatchError, fs.NotFiniteError, fs.SizeOverflowError,
           fs.OutOfMemoryError)
FS_ERROR_INTERNAL = 10

values = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.floats(-10, 10))
dtypes = st.sampled_from([np.float64, np.float32, np.int64, np.int8, np.complex128, np.bool_])
arrays = hnp.arrays(dtype=dtypes, shape=hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
                    elements=st.just(1) | st.just(0))
float_arrays = hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6), elements=values)
sizes = st.one_of(st.integers(-3, 8), st.sampled_from([0, 2**31, 2**62, -(2**63)]))


def attempt(call, overflowed=None):
    """call(), or None when it raised an allowed error; any other exception fails the test. A
    NotFiniteError for an overflowing loss is noted in `overflowed` when given."""
    try:
        return call()
    except fs.FactorSenseError as error:
        assert error.status != FS_ERROR_INTERNAL, f"FS_ERROR_INTERNAL: {error}"
        assert type(error) in ALLOWED, f"{type(error).__name__} (status {error.status}): {error}"
        if overflowed is not None and isinstance(error, fs.NotFiniteError) and "overflow" in str(error):
            overflowed.append(error)
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


def fits(array, shape):
    """Whether `array` has `shape` (None matches any positive size) and only finite entries."""
    return (array is not None and array.ndim == len(shape) and np.all(np.isfinite(array))
            and all(a == e if e is not None else a >= 1 for a, e in zip(array.shape, shape)))


def moderate(array):
    return array is None or np.all(np.abs(array) < 1e100)


def near(shape):
    """Arrays of `shape` (k = shape[1] from 1 to 3 when it is None), finite or not: inputs that
    often fit, so that the successful calls are checked too."""
    shapes = st.integers(1, 3).map(lambda k: tuple(k if e is None else e for e in shape))
    return hnp.arrays(np.float64, shapes, elements=st.one_of(st.floats(-10, 10), values))


@settings(max_examples=60, deadline=None)
@given(X=float_arrays | near((4, 4)), rho=float_arrays | near((8,)), U=float_arrays | near((4, None)),
       V=st.none() | float_arrays | near((4, None)))
def test_low_level_calls(X, rho, U, V):
    """Each call succeeds exactly when its input fits, and then agrees with numpy (unless its
    entries are so large that the order of a sum decides whether it overflows)."""
    with np.errstate(over="ignore", invalid="ignore"):
        check_low_level_calls(X, rho, U, V)


def check_low_level_calls(X, rho, U, V):
    for p in (fs.SensingProblem.completion(4, 4, 1, 8, seed=1), fs.SensingProblem.symmetric_gaussian(4, 1, 8)):
        (n1, n2), m, A = p.shape, p.measurements, dense_operator_matrix(p)
        applied = attempt(lambda: p.apply(X))
        assert (applied is not None) == fits(X, (n1, n2))
        if applied is not None and moderate(X):
            np.testing.assert_allclose(applied, A @ X.ravel(), rtol=1e-12, atol=1e-12 * np.abs(X).max())
        adjoint = attempt(lambda: p.adjoint(rho))
        assert (adjoint is not None) == fits(rho, (m,))
        if adjoint is not None and moderate(rho):
            np.testing.assert_allclose(adjoint, (A.T @ rho).reshape(n1, n2), rtol=1e-12,
                                       atol=1e-12 * np.abs(rho).max())
        overflowed = []
        outcome = attempt(lambda: p.loss_and_grad(U, V), overflowed)
        k = U.shape[1] if U.ndim == 2 else None
        valid = fits(U, (n1, None)) and (V is None if p.psd else fits(V, (n2, k)))
        # Finite factors whose loss overflows are refused as NotFiniteError (docs/errors.md).
        assert (outcome is not None) == (valid and not overflowed), (U.shape, None if V is None else V.shape)
        if outcome is not None and moderate(U) and moderate(V):
            loss, grad = outcome
            expected_loss, expected_grad = numpy_loss_and_grad(A, p.y, (n1, n2), U, None if p.psd else V)
            np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
            for got, want in zip((grad,) if p.psd else grad, (expected_grad,) if p.psd else expected_grad):
                np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12 * np.nanmax(np.abs(want), initial=1.0))
