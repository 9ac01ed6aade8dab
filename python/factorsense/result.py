"""The outcome of a run, copied out of the C result into plain numpy arrays."""
from __future__ import annotations

import warnings
from ctypes import byref, c_char_p, c_int, c_int64, sizeof
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, Iterable, List, Optional, Tuple, TypeVar

import numpy as np

from ._lib import as_doubles, as_int64s, fs_phases, lib
from .errors import InvalidArgumentError, check
from .history import History

if TYPE_CHECKING:
    from ._types import FloatArray, Real

_E = TypeVar("_E")


@dataclass(frozen=True)
class Phases:
    """The phases of a run read off its history (docs/mathematics.md, "Phases"); ``None`` where
    the run does not show a phase (it did not recover, no truth, a diagnostic not recorded, a run
    too short). Event times are those of the recorded iterates: with ``record_every=10`` they are
    known to within 10 iterations (use ``record_every=1`` where phase times matter).

    Attributes
    ----------
    alignment_end : int or None
        End of (I), spectral rule: the first recorded iteration at which the spectral alignment
        sine is at most ``alignment_threshold`` while X is still small (σ₁(X) ≤ 0.1 s⋆_r; without a
        truth 0.1 σ_r(𝒜*(y))).
    saddle_end : int or None
        End of (II): the first recorded iteration with σ_r(X) ≥ ``saddle_fraction``·s⋆_r.
    plateau_start : int or None
        End of (III): the first recorded iteration after ``saddle_end`` whose test error is
        within ``plateau_tolerance`` of the final one, once the test error improved by less than
        ``plateau_tolerance`` over the last ``plateau_window`` of the run.
    plateau_level : float or None
        The final test error when the plateau is resolved.
    alignment_end_time, saddle_end_time, plateau_start_time : float or None
        The "time" of those iterates: η·t for gradient descent, t for the flow.
    recovered : bool
        Whether the final test error (without a truth, the final relative residual) is at most
        ``recovery_threshold``. A run that did not recover names no phase.
    signal_end, signal_end_time : int, float or None
        End of (I), signal rule (with a truth): the first recorded iteration at which
        σ_min(L⋆ᵀU) ≥ 10‖UW⊥‖, and its time.
    still_improving : bool
        (II) ended, but the test error was still improving at the end of the run (no plateau
        yet): run longer to see it.
    spectral_angle_left, spectral_angle_right : float or None
        sin ∠(top-r subspaces of 𝒜*(y), L⋆ / R⋆): where the spectral sine of U ends up in (II),
        and whether ``alignment_threshold`` is reachable. Reported whether or not the run recovered.
    """

    alignment_end: Optional[int] = None
    saddle_end: Optional[int] = None
    plateau_start: Optional[int] = None
    plateau_level: Optional[float] = None
    alignment_end_time: Optional[float] = None
    saddle_end_time: Optional[float] = None
    plateau_start_time: Optional[float] = None
    recovered: bool = False
    signal_end: Optional[int] = None
    signal_end_time: Optional[float] = None
    still_improving: bool = False
    spectral_angle_left: Optional[float] = None
    spectral_angle_right: Optional[float] = None


def _iteration(value: Optional[Real]) -> Optional[int]:
    """An event's iteration in the package's convention: an int, or None where the run did not
    show it (the C library's −1; NaN in a float array)."""
    return None if value is None or np.isnan(value) or value < 0 else int(value)


def _time(value: Optional[Real]) -> Optional[float]:
    """An event's time or value: a float, or None where the run did not show it (C's NaN)."""
    return None if value is None or np.isnan(value) else float(value)


def _events(values: Optional[Iterable[Optional[Real]]], convert: Callable[[Optional[Real]], _E]) -> List[_E]:
    """A list of events, each through ``convert`` (:func:`_iteration` or :func:`_time`)."""
    return [] if values is None else [convert(value) for value in values]


def whole_numbers(values):
    """A column of whole numbers as int64 — unless a row is NaN (the numerical rank of an iterate
    whose singular values are not finite), when it stays float64 with that NaN: a cast would
    turn NaN into −2⁶³, a count no one could tell from a real one."""
    return values.astype(np.int64) if np.all(np.isfinite(values)) else values


class Result:
    """What a run returns, with attribute access like ``scipy.optimize.OptimizeResult``.

    Attributes
    ----------
    U, V : ndarray
        The factors, n1 × k and n2 × k (for a PSD problem V is U).
    X : ndarray
        U Vᵀ, the recovered matrix.
    stop_reason : str
        "converged", "max_iterations", "diverged", "callback", "interrupted" (Ctrl-C) or
        "early_stopped" (``patience``); for :func:`gradient_flow` also "end_time" and
        "step_size_underflow".
    iterations : int
        t, the index of the iterate held; after divergence, the last one whose loss was finite.
    success : bool
        As ``scipy.optimize.OptimizeResult.success``: True when the run ended as it should —
        "converged", "end_time" (a flow that reached its last time), "early_stopped" (the
        validation rule) — and False when a budget ran out first ("max_iterations": the iteration
        limit, or a flow's evaluation budget), it diverged, or it was stopped.
    history : History
        One array per recorded quantity, one entry per recorded iterate: "iteration", "time"
        (η·t), "loss", "test_error", "residual" and the diagnostics the run recorded (a
        ``dict``; ``history["singular_values"]`` is iterations × c; see :class:`History`).
    phases : Phases
        The ends of the phases (I) alignment, (II) saddle avoidance, (III) local refinement and
        the plateau level, read off the history; None where the run does not show one. They are
        recorded iterates, so quantized to ``record_every``: keep ``record_every=1`` where phase
        times matter.
    learning_iterations : list of int or None
        For each i ≤ r, the first recorded iteration with σ_i(X) ≥ ½ s⋆_i, None when that never
        happened (as a phase not shown); for a flow, the index of the row. At the resolution of
        the record (``record_every``). ``np.asarray(r.learning_iterations, float)`` gives an array
        with NaN for the missing ones.
    learning_at_time : list of float or None
        The "time" of those iterates (η·t for gradient descent, the flow's time; None: never).
    learning_times, learning_clock
        Deprecated names (0.4) of ``learning_iterations`` and ``learning_at_time``: the first held
        iterations, not times.
    flow_statistics : dict or None
        For :func:`gradient_flow`: ``accepted_steps``, ``rejected_steps`` and ``evaluations``
        (of the right-hand side) of the integration; None for gradient descent.
    best_iteration : int or None
        With a validation set: the recorded iterate of least validation error (whose factors
        ``U``, ``V`` are with ``restore_best=True``); None without one.
    """

    U: FloatArray
    V: FloatArray
    stop_reason: str
    iterations: int
    history: History
    phases: Phases
    learning_iterations: List[Optional[int]]
    learning_at_time: List[Optional[float]]
    flow_statistics: Optional[Dict[str, int]]
    best_iteration: Optional[int]

    def __init__(self, U: FloatArray, V: FloatArray, stop_reason: str, iterations: int, history: History,
                 phases: Optional[Phases] = None, learning_iterations: Optional[Iterable[Optional[Real]]] = None,
                 learning_at_time: Optional[Iterable[Optional[Real]]] = None,
                 best_iteration: Optional[int] = None) -> None:
        self.best_iteration = best_iteration
        self.U = U
        self.V = V
        self.stop_reason = stop_reason
        self.iterations = iterations
        self.history = history
        self.phases = phases if phases is not None else Phases()
        self.learning_iterations = _events(learning_iterations, _iteration)
        self.learning_at_time = _events(learning_at_time, _time)
        self.flow_statistics = None

    @classmethod
    def _from_handle(cls, handle: Optional[int]) -> Result:
        """Copies everything out of an fs_result handle."""
        n1, n2, k = c_int64(), c_int64(), c_int64()
        check(lib.fs_result_get_shape(handle, byref(n1), byref(n2), byref(k)), handle)
        U, V = np.empty((n1.value, k.value)), np.empty((n2.value, k.value))
        check(lib.fs_result_copy_factors(handle, as_doubles(U), U.size, as_doubles(V), V.size), handle)
        reason, iterations, length, count = c_int(), c_int64(), c_int64(), c_int64()
        check(lib.fs_result_get_stop_reason(handle, byref(reason)), handle)
        check(lib.fs_result_get_iterations(handle, byref(iterations)), handle)
        best = c_int64()
        check(lib.fs_result_get_best_iteration(handle, byref(best)), handle)
        check(lib.fs_result_get_history_length(handle, byref(length)), handle)
        check(lib.fs_result_get_history_column_count(handle, byref(count)), handle)
        scalars, matrices = {}, {}
        for index in range(count.value):
            name, width = c_char_p(), c_int64()
            check(lib.fs_result_get_history_column_name(handle, index, byref(name)), handle)
            check(lib.fs_result_get_history_column_width(handle, name.value, byref(width)), handle)
            column = np.empty((length.value, width.value))
            check(lib.fs_result_copy_history(handle, name.value, as_doubles(column), column.size), handle)
            if name.value == b"singular_values":
                matrices[name.value.decode()] = column
            else:
                scalars[name.value.decode()] = column[:, 0].copy()
        for name in ("iteration", "numerical_rank"):
            if name in scalars:
                scalars[name] = whole_numbers(scalars[name])
        phases, learning_times, learning_clock = cls._phases_from_handle(handle)
        result = cls(U, V, lib.fs_stop_reason_string(reason.value).decode(), iterations.value,
                     History(scalars, matrices), phases, learning_times, learning_clock,
                     None if best.value < 0 else best.value)
        accepted, rejected, evaluations = c_int64(), c_int64(), c_int64()
        if lib.fs_result_get_flow_statistics(handle, byref(accepted), byref(rejected), byref(evaluations)) == 0:
            result.flow_statistics = dict(accepted_steps=accepted.value, rejected_steps=rejected.value,
                                          evaluations=evaluations.value)
        return result

    @staticmethod
    def _phases_from_handle(handle: Optional[int]) -> Tuple[Phases, List[Optional[int]], List[Optional[float]]]:
        found = fs_phases()
        found.struct_size = sizeof(fs_phases)
        check(lib.fs_result_get_phases(handle, byref(found)), handle)
        steps = np.empty(found.learning_time_count, dtype=np.int64)
        clock = np.empty(found.learning_time_count)
        check(lib.fs_result_copy_learning_times(handle, as_int64s(steps), as_doubles(clock), steps.size), handle)

        phases = Phases(_iteration(found.alignment_end), _iteration(found.saddle_end), _iteration(found.plateau_start),
                        _time(found.plateau_level), _time(found.alignment_end_time), _time(found.saddle_end_time),
                        _time(found.plateau_start_time), recovered=bool(found.recovered),
                        signal_end=_iteration(found.signal_end), signal_end_time=_time(found.signal_end_time),
                        still_improving=bool(found.still_improving),
                        spectral_angle_left=_time(found.spectral_angle_left),
                        spectral_angle_right=_time(found.spectral_angle_right))
        return phases, _events(steps, _iteration), _events(clock, _time)

    def iterations_to(self, epsilon: Real, column: str = "test_error") -> Optional[int]:
        """The iterations to reach ε: the first recorded iteration whose ``column`` (a scalar
        history column, default "test_error") is at most ``epsilon``, or ``None`` when no
        recorded iterate reached it. It has the resolution of the record (``record_every``).
        The same definition as the C library's ``fs_result_iterations_to``.

        Raises
        ------
        InvalidArgumentError
            ``epsilon`` not a finite number > 0; ``column`` not recorded, not scalar, or NaN at
            every row (the test error of a problem without a truth: ask for "residual").

        Examples
        --------
        >>> r.iterations_to(1e-6)          # doctest: +SKIP
        473
        """
        if isinstance(epsilon, (bool, np.bool_)) or not isinstance(epsilon, (int, float, np.integer, np.floating)) \
                or not np.isfinite(epsilon) or epsilon <= 0:
            raise InvalidArgumentError(f"epsilon must be a finite number > 0, got {epsilon!r}")
        values = self._scalar_column(column)
        reached = np.flatnonzero(values <= epsilon)
        return int(self.history["iteration"][reached[0]]) if reached.size else None

    def minimum(self, column: str = "test_error") -> Tuple[float, int]:
        """(value, iteration): the smallest value of the scalar history ``column`` (default
        "test_error") over the record, NaN rows skipped, and the first recorded iteration at which
        it was reached — where a trajectory came closest, which need not be its end. The same
        definition as ``fs_result_history_minimum``; refusals as for :meth:`iterations_to`."""
        values = self._scalar_column(column)
        row = int(np.nanargmin(values))
        return float(values[row]), int(self.history["iteration"][row])

    def _scalar_column(self, column: str) -> FloatArray:
        if column not in self.history:
            raise InvalidArgumentError(f"history column {column!r} is not recorded; the recorded columns are "
                                       f"{', '.join(self.history)}")
        values = np.asarray(self.history[column], dtype=float)
        if values.ndim != 1:
            raise InvalidArgumentError(f"history column {column!r} holds {values.shape[1]} values a row; "
                                       f"ask for a scalar column")
        if np.all(np.isnan(values)):
            hint = " (the problem has no truth): ask for \"residual\" instead" if column == "test_error" else ""
            raise InvalidArgumentError(f"history column {column!r} is NaN at every recorded iterate{hint}")
        return values

    @property
    def X(self) -> FloatArray:
        """U Vᵀ."""
        return self.U @ self.V.T

    #: The stop reasons of a run that ended as it should (scipy.optimize's ``success``).
    SUCCESSFUL: ClassVar[Tuple[str, ...]] = ("converged", "end_time", "early_stopped")

    @property
    def success(self) -> bool:
        """True when the run ended as it should: converged, a flow at its end time, or early
        stopping; False for the iteration or evaluation limit ("max_iterations"), divergence, a
        step size underflow, or a stop by callback or interrupt (as scipy.optimize)."""
        return self.stop_reason in self.SUCCESSFUL

    @property
    def learning_times(self) -> List[Optional[int]]:
        """Deprecated: ``learning_iterations`` (these are iterations, not times)."""
        warnings.warn("Result.learning_times holds iterations: use Result.learning_iterations "
                      "(and learning_at_time for their times)", DeprecationWarning, stacklevel=2)
        return self.learning_iterations

    @property
    def learning_clock(self) -> List[Optional[float]]:
        """Deprecated: ``learning_at_time``."""
        warnings.warn("Result.learning_clock is now Result.learning_at_time", DeprecationWarning, stacklevel=2)
        return self.learning_at_time

    def __setstate__(self, state: Dict[str, Any]) -> None:
        # Results pickled by 0.4 held the learning times under their old names.
        state = dict(state)
        for old, new in (("learning_times", "learning_iterations"), ("learning_clock", "learning_at_time")):
            if old in state:
                state.setdefault(new, state.pop(old))
        # ... and 0.5 as float arrays with NaN for a learning time never reached.
        state["learning_iterations"] = _events(state.get("learning_iterations"), _iteration)
        state["learning_at_time"] = _events(state.get("learning_at_time"), _time)
        self.__dict__.update(state)

    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def __repr__(self) -> str:
        last = {name: values[-1] for name, values in self.history.items() if len(values)}
        error = f", test_error={last['test_error']:.3e}" if np.isfinite(last.get("test_error", np.nan)) else ""
        return (f"Result(stop_reason={self.stop_reason!r}, iterations={self.iterations}, "
                f"U={self.U.shape}, V={self.V.shape}, loss={last.get('loss', np.nan):.3e}{error})")
