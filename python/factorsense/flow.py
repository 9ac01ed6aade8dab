"""The gradient flow and Wind's perturbed population flow from Python."""
from __future__ import annotations

import ctypes
from ctypes import byref
from typing import TYPE_CHECKING, Any, Callable, Optional, Sequence, Union

import numpy as np

from . import _arrays, _scalars
from ._lib import SIZED_PERTURBATION_CALLBACK, as_doubles, fs_flow_settings, lib
from .errors import InvalidArgumentError, SizeMismatchError, check
from .progress import SMALL_CALL, ProgressRelay, call_interruptibly, raise_interrupt
from .result import Result
from .solvers import _RUN_DEFAULTS, _ResultHandle, _attach, _prepare

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._types import FloatArray, Flag, Integer, ProgressCallback, Real
    from .problem import SensingProblem

    #: A perturbation E = f(t, U, V) of the flow; None stops it.
    Perturbation = Callable[[float, FloatArray, FloatArray], Optional[npt.ArrayLike]]

_PERTURBATIONS = {"operator": 0, "none": 1}
_METHODS = {"rk45": 0, "dop853": 1}


def gradient_flow(problem: SensingProblem, width: Optional[Integer] = None, *, times: npt.ArrayLike,
                  rtol: Real = 1e-8, atol: Real = 1e-10, perturbation: Union[str, Perturbation] = "operator",
                  method: str = "rk45", max_evaluations: Integer = 1_000_000, init: Union[str, npt.ArrayLike] = "random",
                  init_scale: Real = 1e-3, init_ratio: Real = 1.0, seed: Integer = 0, U0: Optional[npt.ArrayLike] = None,
                  V0: Optional[npt.ArrayLike] = None, diagnostics: Union[str, Sequence[str]] = "default",
                  callback: Optional[ProgressCallback] = None, progress: Flag = False, **options: Any) -> Result:
    """Integrates the gradient flow of a problem (docs/mathematics.md, "Gradient flow").

    The flow is dU/dt = −(D + E)V, dV/dt = −(D + E)ᵀU with D = UVᵀ − X⋆ (PSD problems:
    dU/dt = −½((D + E) + (D + E)ᵀ)U), integrated by the Dormand–Prince 5(4) pair with error
    control and dense output, from the initial factors that ``init``, ``init_scale``, ``init_ratio``,
    ``seed``, ``U0``/``V0`` give (as for :func:`gradient_descent`).

    Parameters
    ----------
    times : sequence of float
        The times of the history's rows, one-dimensional: t₀ ≥ 0, strictly increasing. Row i is time times[i]
        (its ``"iteration"`` is i, its ``"time"`` times[i]).
    rtol, atol : float
        Tolerances of each step's error estimate: rtol ≥ 100·ε ≈ 2.2e-14 (a relative error
        below double precision's cannot be met), atol > 0 (any positive double, subnormals too:
        the error scale ``atol + rtol·|y|`` needs atol only for entries near 0).
    perturbation : "operator", "none" or callable
        "operator": E = 𝒜*(𝒜(X) − y) − (X − X⋆), so that the flow is −∇f of the problem — the
        flow gradient descent with step η follows at time η·t. "none": E = 0, the population
        flow of ½‖UVᵀ − X⋆‖²_F. A callable ``E = f(t, U, V)`` returns your n1 × n2 perturbation
        (V is U for a PSD problem); returning None stops the flow (stop reason "callback"). The
        last two need a problem with a truth.
    method : {"rk45", "dop853"}
        The Runge–Kutta pair: Dormand–Prince 5(4) (6 evaluations a step, as scipy's RK45) or
        Hairer's DOP853 of order 8 (12 a step, 3 more for a step with rows to interpolate; far
        fewer steps at tight tolerances, as scipy's DOP853).
    max_evaluations : int
        At most this many right-hand-side evaluations (stop reason "max_iterations" beyond); a
        value outside the int64 range is refused (InvalidArgumentError), never wrapped.
    diagnostics, callback, progress, and the other keyword arguments
        As for :func:`gradient_descent` (``callback`` and ``progress`` at every row, and between
        rows at least every 0.1 s of the integration, with the last row's index); the step,
        iteration and stop-rule options do not apply. ``balancing`` λ and ``ridge`` μ are terms
        of the loss, which the "operator" flow follows (dU/dt gains −½λ U(UᵀU − VᵀV) − μU, dV/dt
        gains ½λ V(UᵀU − VᵀV) − μV); the population flows ("none", a callable) have no such
        terms and refuse them. The variants the flow has no counterpart of are refused:
        ``preconditioner``, ``noise_injection``, ``batch_size``, ``step="auto"``, ``patience``,
        ``restore_best``, ``validation``.

    Returns
    -------
    Result
        With the history at ``times``, the factors of the last recorded row, the phases read off
        it (their ``*_time`` fields are flow times), and ``flow_statistics``: the accepted and
        rejected steps and the evaluations. Stop reasons: "end_time", "max_iterations",
        "diverged", "step_size_underflow", "callback", "interrupted"; ``success`` is True for
        "end_time" only (as scipy.optimize: the evaluation budget running out is no success).

    Raises
    ------
    InvalidArgumentError, NotFiniteError
        For times that are empty, negative, not finite, not increasing or complex; rtol < 2.2e-14 or atol ≤ 0; a
        population flow without a truth or with balancing or ridge; a variant of gradient descent
        (above); options gradient_descent refuses.
    SizeMismatchError, NotFiniteError
        When your perturbation returns an array of the wrong shape or with a non-finite entry.
    Exception
        Whatever your perturbation or callback raises, with ``.result`` holding the flow so far.
    KeyboardInterrupt
        On Ctrl-C, with ``.result``: stop reason "interrupted".

    Examples
    --------
    >>> p = fs.SensingProblem.gaussian(20, 20, 2, 400, seed=0)
    >>> r = fs.gradient_flow(p, width=5, init_scale=1e-3, times=np.linspace(0, 8, 81))
    >>> r.stop_reason, r.history["time"][-1]
    ('end_time', 8.0)
    """
    given, times = times, _arrays.doubles(times, "times")
    if np.ndim(given) != 1:  # never flattened: a 2-D grid of times is not one increasing sequence
        raise SizeMismatchError(f"times must be a one-dimensional sequence, got shape {np.shape(given)}")
    unknown = set(options) - set(_RUN_DEFAULTS)
    if unknown:
        raise InvalidArgumentError(f"unknown argument {sorted(unknown)[0]!r} of gradient_flow")
    settings = dict(_RUN_DEFAULTS, **options)
    settings.update(init=init, init_scale=init_scale, init_ratio=init_ratio, seed=seed, U0=U0, V0=V0, diagnostics=diagnostics)
    handle, problem = _prepare(problem, width, holdout=None, **{k: v for k, v in settings.items() if k != "width"})

    flow = fs_flow_settings()
    check(lib.fs_flow_settings_init(byref(flow), ctypes.sizeof(flow)), None)
    flow.times = as_doubles(times) if times.size else None
    flow.time_count = times.size
    flow.rtol, flow.atol = _scalars.real(rtol, "rtol"), _scalars.real(atol, "atol")
    flow.max_evaluations = _scalars.whole(max_evaluations, "max_evaluations")
    if method not in _METHODS:
        raise InvalidArgumentError(f"method must be \"rk45\" or \"dop853\", got {method!r}")
    flow.method = _METHODS[method]
    relay = _PerturbationRelay(perturbation)
    flow.perturbation, flow.sized_callback = relay.code, relay.c_callback

    progress_relay = ProgressRelay(callback, progress, max(times.size - 1, 1))
    check(lib.fs_options_set_progress(handle.handle, progress_relay.c_callback, None), handle.handle)
    result = _ResultHandle()
    with progress_relay:
        status, interrupt = call_interruptibly(
            lambda: lib.fs_gradient_flow(problem.handle, handle.handle, byref(flow), result.handle), result.handle,
            work=SMALL_CALL)
    outcome = Result._from_handle(result.handle) if status == 0 else None
    if interrupt is not None:
        _attach(interrupt, outcome)
        raise_interrupt(interrupt, status, result.handle)
    for raised in (relay.caught, progress_relay.caught):
        if raised is not None:
            _attach(raised, outcome)
            raise raised
    check(status, result.handle)
    return outcome


class _PerturbationRelay:
    """The C perturbation callback for a Python ``perturbation``: calls it with numpy copies of
    U and V (of the sizes the library gives it), checks what it returns, and keeps any exception
    to raise once the flow returned."""

    def __init__(self, perturbation):
        self.caught = None
        if isinstance(perturbation, str):
            if perturbation not in _PERTURBATIONS:
                raise InvalidArgumentError(f"perturbation must be \"operator\", \"none\" or a callable, got {perturbation!r}")
            self.code, self.c_callback = _PERTURBATIONS[perturbation], SIZED_PERTURBATION_CALLBACK()
            return
        if not callable(perturbation):
            raise InvalidArgumentError(f"perturbation must be \"operator\", \"none\" or a callable, got {type(perturbation).__name__}")
        self.function = perturbation
        self.code = 2
        self.c_callback = SIZED_PERTURBATION_CALLBACK(self._call)

    def _call(self, user, t, n1, n2, width, U, V, E):
        if self.caught is not None:
            return 1
        try:
            u = np.ctypeslib.as_array(U, shape=(n1, width)).copy()
            v = np.ctypeslib.as_array(V, shape=(n2, width)).copy()
            value = self.function(t, u, v)
            if value is None:
                return 1
            value = _arrays.doubles(value, f"the array the perturbation returned at t = {t}")
            if value.shape != (n1, n2):
                raise SizeMismatchError(f"the perturbation returned an array of shape {value.shape} at t = {t}; "
                                        f"it must be {(n1, n2)}")
            ctypes.memmove(E, np.ascontiguousarray(value).ctypes.data, value.nbytes)
            return 0
        except BaseException as error:  # noqa: BLE001 — raised again once the C call returned
            self.caught = error
            return 1
