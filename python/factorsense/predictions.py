"""What the theory predicts for a problem before any run (docs/mathematics.md, "Predictions"):
the spectrum of 𝒜*(y), its gap, the angle of its top subspace to the truth, the learning times
of the linearization around 0 and the plateau's slope in α."""
from __future__ import annotations

from ctypes import byref, sizeof
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, List, Optional, TypeVar

import numpy as np

from . import _scalars
from ._lib import as_doubles, fs_predictions, lib
from .errors import InvalidArgumentError, check
from .progress import call_interruptibly, raise_interrupt

if TYPE_CHECKING:
    from ._types import FloatArray, Integer, Real
    from .problem import SensingProblem

_N = TypeVar("_N", int, float)


@dataclass(frozen=True)
class Predictions:
    """The predictions of the linearization of gradient descent around 0 for one problem, start
    scale α and step η (docs/mathematics.md, "Predictions"). M = 𝒜*(y), λ₁ ≥ λ₂ ≥ … its top
    singular values (PSD: eigenvalues of (M + Mᵀ)/2), r the target rank.

    Attributes
    ----------
    rank : int
        r: the ``rank`` asked for, or the truth's.
    spectrum : ndarray
        λ₁ … λ_{r+1} (r values when r = min(n1, n2)).
    gap : float or None
        λ_{r+1}/λ_r; None when r = min(n1, n2) or λ_r ≤ 0.
    plateau_slope : float or None
        2(1 − λ_{r+1}/λ_r): the log–log slope of the plateau's test error against α (measured to
        follow it; 2 only as m → ∞); None with the gap.
    spectral_angle_left, spectral_angle_right : float or None
        sin ∠(top-r left (right) singular subspace of M, L⋆ (R⋆)): how far the subspace phase (I)
        aligns with lies from the truth's — the angle ``Result.phases`` reports; None without a
        truth.
    learning_iterations : list of float or None
        ln(c_i/α)/ln(1 + ηλ_i), i = 1 … r: the predicted iteration at which σ_i(X) reaches
        f·s⋆_i (``Result.learning_iterations`` measures it), c_i = √(2s⋆_i·f/(1 − f)) (PSD:
        √(s⋆_i·f/(1 − f))): linear growth from the start, then the logistic saturation.
        None where s⋆_i is unknown or 0, λ_i ≤ 0, or no step was given (the missing-value
        convention of ``Result.learning_iterations``). Negative when α ≥ c_i.
    learning_times : list of float or None
        ln(c_i/α)/λ_i: the same for the gradient flow (``Result.learning_at_time``); None as above.
    """

    rank: int
    spectrum: FloatArray
    gap: Optional[float]
    plateau_slope: Optional[float]
    spectral_angle_left: Optional[float]
    spectral_angle_right: Optional[float]
    learning_iterations: List[Optional[float]]
    learning_times: List[Optional[float]]


def spectrum(problem: SensingProblem, count: Integer, *, spectral_method: str = "auto", seed: Integer = 0) -> FloatArray:
    """The top ``count`` singular values of 𝒜*(y), largest first (a PSD problem: the largest
    eigenvalues of (M + Mᵀ)/2, which may be negative) — what gradient descent from a small start
    grows by, U_t ≈ (I + η𝒜*(y))ᵗU₀. The dense method's decomposition is kept on the problem,
    so asking again, and the spectral initialization and alignment of later runs, reuse it.

    Raises InvalidArgumentError unless 1 ≤ count ≤ min(n1, n2) or for an unknown method;
    OutOfMemoryError, LinearAlgebraError; KeyboardInterrupt on Ctrl-C.

    Examples
    --------
    >>> p = fs.SensingProblem.gaussian(30, 20, 2, 500, seed=0)   # doctest: +SKIP
    >>> fs.spectrum(p, 3)                                          # doctest: +SKIP
    array([1.07, 0.55, 0.31])
    """
    count = _scalars.whole(count, "count")
    method = _scalars.text(spectral_method, "spectral_method")
    seed = _scalars.seed(seed)
    out = np.empty(max(count, 0))
    _call(problem, lambda: lib.fs_problem_spectrum(problem.handle, method, seed, as_doubles(out), count))
    return out


def predict(problem: SensingProblem, init_scale: Real, step: Optional[Real] = None, *, rank: Optional[Integer] = None,
            fraction: Real = 0.5, spectral_method: str = "auto", seed: Integer = 0) -> Predictions:
    """The theory's predictions for gradient descent on ``problem`` from the small random start
    of scale α = ``init_scale`` with step η = ``step`` (None: the flow's learning times alone),
    for target rank ``rank`` (None: the truth's) and the learning fraction ``fraction`` (the
    ``saddle_fraction`` of the run whose learning times you compare with). See
    :class:`Predictions`.

    Raises
    ------
    InvalidArgumentError
        ``init_scale`` or ``step`` not > 0, ``fraction`` outside (0, 1), ``rank`` outside
        1 … min(n1, n2), or no ``rank`` for a problem without a truth (which this says).
    NotFiniteError
        NaN or infinity in a scalar.

    Examples
    --------
    >>> p = fs.SensingProblem.gaussian(30, 20, 2, 500, seed=0)    # doctest: +SKIP
    >>> fs.predict(p, init_scale=1e-4, step=0.25).learning_iterations   # doctest: +SKIP
    array([ 36.8, 71.9])
    """
    alpha = _scalars.real(init_scale, "init_scale")
    # 0 means "none" (step), "the truth's" (rank) and "½" (fraction) to the C call: refuse it here.
    eta = 0.0 if step is None else _nonzero(_scalars.real(step, "step"), "step", "> 0")
    rank = 0 if rank is None else _nonzero(_scalars.whole(rank, "rank"), "rank", "≥ 1")
    fraction = _nonzero(_scalars.real(fraction, "fraction"), "fraction", "in (0, 1)")
    method = _scalars.text(spectral_method, "spectral_method")
    seed = _scalars.seed(seed)
    found = fs_predictions()
    found.struct_size = sizeof(fs_predictions)
    _call(problem, lambda: lib.fs_problem_predict(problem.handle, alpha, eta, rank, fraction, method, seed,
                                                  byref(found), None, None, 0))
    iterations, times = np.empty(found.rank), np.empty(found.rank)
    _call(problem, lambda: lib.fs_problem_predict(problem.handle, alpha, eta, rank, fraction, method, seed,
                                                  byref(found), as_doubles(iterations), as_doubles(times),
                                                  found.rank))
    values = spectrum(problem, min(found.rank + 1, min(problem.shape)), spectral_method=spectral_method, seed=seed)
    return Predictions(found.rank, values, _known(found.gap), _known(found.plateau_slope),
                       _known(found.spectral_angle_left), _known(found.spectral_angle_right),
                       [_known(t) for t in iterations], [_known(t) for t in times])


def _nonzero(value: _N, name: str, domain: str) -> _N:
    if value == 0:
        raise InvalidArgumentError(f"{name} must be {domain}, got {value!r}")
    return value


def _known(value: float) -> Optional[float]:
    return None if np.isnan(value) else float(value)


def _call(problem: SensingProblem, call: Callable[[], int]) -> None:
    """Runs a prediction call on ``problem``'s handle so that Ctrl-C stops it."""
    status, interrupt = call_interruptibly(call, problem.handle)
    if interrupt is not None:
        raise_interrupt(interrupt, status, problem.handle)
    check(status, problem.handle)

