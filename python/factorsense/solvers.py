"""Factorized gradient descent from Python."""
from __future__ import annotations

import ctypes
import inspect
from typing import TYPE_CHECKING, Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _arrays, _scalars
from ._handle import Handle, new_handle
from ._lib import as_doubles, lib
from .errors import InvalidArgumentError, SizeMismatchError, check
from .options import OPTIONS
from .progress import SMALL_CALL, ProgressRelay, call_interruptibly, raise_interrupt
from .result import Result

if TYPE_CHECKING:
    import numpy.typing as npt

    from ._types import Flag, Integer, ProgressCallback, Real, Validation
    from .problem import SensingProblem


class _Options(Handle):
    """An fs_options handle set from keyword arguments."""

    def __init__(self) -> None:
        super().__init__(new_handle(lib.fs_options_create), lib.fs_options_free)

    def set(self, values: Mapping[str, Any]) -> None:
        """Sets each option of ``values`` (name → value) with the call its type takes, from the
        library's option table (factorsense.options)."""
        unknown = [name for name in values if name not in OPTIONS]
        if unknown:
            raise InvalidArgumentError(f"unknown option {_scalars.shown(unknown[0])}; the options are {', '.join(OPTIONS)}")
        kinds = dict(integer={}, real={}, text={})
        for name, value in values.items():
            kinds[OPTIONS[name].type][name] = value
        self.set_by_type(kinds["integer"], kinds["real"], kinds["text"])

    def set_by_type(self, integers: Mapping[str, Any], reals: Mapping[str, Any], texts: Mapping[str, Any]) -> None:
        """Sets options with the call named by the dict each is in — the C calls as they are, for
        any name (the library refuses what it does not know)."""
        for name, value in integers.items():
            check(lib.fs_options_set_int(self.handle, _scalars.text(name, "an option name"), _scalars.whole(value, name)),
                  self.handle)
        for name, value in reals.items():
            check(lib.fs_options_set_real(self.handle, _scalars.text(name, "an option name"), _scalars.real(value, name)),
                  self.handle)
        for name, value in texts.items():
            check(lib.fs_options_set_text(self.handle, _scalars.text(name, "an option name"), _scalars.text(value, name)),
                  self.handle)

    def set_initial_factors(self, U0: npt.ArrayLike, V0: Optional[npt.ArrayLike], shape: Tuple[int, int], psd: bool) -> int:
        n1, n2 = shape
        U0 = _arrays.finite(_arrays.doubles(U0, "U0", (n1, None)), "U0")
        k = U0.shape[1]
        if psd:
            if V0 is not None:
                raise InvalidArgumentError("a PSD problem starts from U0 alone (X = UUᵀ); do not pass V0")
            check(lib.fs_options_set_initial_factors(self.handle, n1, n2, k, as_doubles(U0), U0.size, None, 0),
                  self.handle)
            return k
        if V0 is None:
            raise InvalidArgumentError("an asymmetric problem needs V0 as well as U0")
        V0 = _arrays.finite(_arrays.doubles(V0, "V0", (n2, k)), "V0")
        check(lib.fs_options_set_initial_factors(self.handle, n1, n2, k, as_doubles(U0), U0.size, as_doubles(V0),
                                                 V0.size), self.handle)
        return k


class _ResultHandle(Handle):
    def __init__(self) -> None:
        super().__init__(new_handle(lib.fs_result_create), lib.fs_result_free)


def gradient_descent(problem: SensingProblem, width: Optional[Integer] = None, *,
                     init: Union[str, npt.ArrayLike] = "random", init_scale: Real = 1e-3, init_ratio: Real = 1.0,
                     step: Union[Real, str] = 0.1, max_iter: Integer = 1000, seed: Integer = 0,
                     record_every: Integer = 1, tol: Real = 0.0, loss_tol: Real = 0.0, window: Integer = 100,
                     divergence_factor: Real = 1e8, balancing: Real = 0.0, noise_injection: Real = 0.0,
                     preconditioner: str = "none", scaled_damping: Real = 0.0, batch_size: Integer = 0,
                     U0: Optional[npt.ArrayLike] = None, V0: Optional[npt.ArrayLike] = None,
                     callback: Optional[ProgressCallback] = None, progress: Flag = False,
                     diagnostics: Union[str, Sequence[str]] = "default", singular_value_count: Integer = 0,
                     rank: Integer = 0, alignment_threshold: Real = 0.1, saddle_fraction: Real = 0.5,
                     plateau_tolerance: Real = 0.01, plateau_window: Real = 0.1, recovery_threshold: Real = 0.1,
                     ridge: Real = 0.0, validation: Union[SensingProblem, Validation, None] = None,
                     holdout: Optional[Real] = None, holdout_seed: Optional[Integer] = None,
                     patience: Optional[Integer] = None, restore_best: Flag = False,
                     spectral_method: str = "auto") -> Result:
    """Factorized gradient descent on a :class:`SensingProblem` (docs/mathematics.md, "Gradient descent and its variants").

    Asymmetric problems minimize f(U, V) = ½‖𝒜(UVᵀ) − y‖² by the simultaneous updates
    U⁺ = U − η 𝒜*(ρ)V, V⁺ = V − η 𝒜*(ρ)ᵀU with ρ = 𝒜(UVᵀ) − y; PSD problems minimize
    f(U) = ¼‖𝒜(UUᵀ) − y‖² by U⁺ = U − η ½(G + Gᵀ)U.

    Parameters
    ----------
    problem : SensingProblem
    width : int, optional
        k, the columns of U and V (k > rank is the overparameterized case). Required unless
        initial factors are given, which fix it.
    init : {"random", "spectral"} or tuple
        "random": U₀ = (α/√k)·N(0,1)^{n1×k}, V₀ = (β/√k)·N(0,1)^{n2×k}, α = ``init_scale``,
        β = ``init_ratio``·α (1: alike; otherwise an unbalanced start, asymmetric problems
        only), from ``seed``.
        "spectral": the top-k SVD (PSD: eigenpairs) of 𝒜*(y), U₀ = P S^{1/2}, V₀ = Q S^{1/2}.
        A tuple ``(U0, V0)`` (``(U0,)`` or an array for PSD) gives the factors directly, as do
        ``U0=`` and ``V0=``.
    step : float or "auto"
        η > 0. Near the solution GD is stable for η ≲ 1/‖X⋆‖; too large a step ends the run
        with stop reason "diverged". "auto" needs no tuning (docs/completion.md, "Automatic
        step"): η₀ = 1/L̂ from power iterations on the Hessian at the start, then Armijo
        backtracking (halve η until the loss decreases enough, grow it by 1.1 after each
        accepted step), so the loss never rises; the history gets a ``"step"`` column and
        ``"time"`` is the sum of the steps. Not with ``batch_size`` or ``noise_injection``.
    max_iter, record_every, seed : int
        Iteration limit; record the history every this many iterations (the first and last
        iterates always); the seed of the random initialization, mini-batches and injected noise.
        Every integer argument takes Python and numpy integers, whole floats and 0-d arrays of
        them, within int64 (a seed within [0, 2⁶⁴)); others are refused by name, never wrapped.
    tol, loss_tol, window, divergence_factor : float, float, int, float
        Stop as converged when ``|f_t − f_{t−window}| ≤ tol·f_{t−window}`` or f_t ≤ loss_tol (0
        turns a rule off); as diverged when f_t > divergence_factor·f_0.
    balancing, noise_injection, preconditioner, scaled_damping, batch_size
        The comparison variants: +(λ/8)‖UᵀU − VᵀV‖²_F; τ·N(0, 1) added to every entry after each
        step; "scaled" for ScaledGD, U⁺ = U − η∇_U f (VᵀV + λI)⁻¹ with λ = ``scaled_damping``;
        mini-batch SGD over ``batch_size`` measurements per step (0: all).
    callback : callable, optional
        ``callback(info)`` at every recorded iterate (and at least every 0.1 s) with
        ``info.iteration``, ``.loss``, ``.test_error``, ``.residual`` and the factors ``info.U``,
        ``info.V`` (copies); return True (or raise StopIteration) to stop the run with stop
        reason "callback".
    progress : bool
        Draw a tqdm progress bar (notebook-aware) with the loss and test error. This and
        ``restore_best`` take a bool (or numpy bool) only; ``"False"`` is refused, not true.
    diagnostics : "default", "all", "none" or list of str
        The diagnostics recorded in the history beside iteration, time, loss, test error and
        residual (docs/mathematics.md, "Diagnostics"): ``singular_values`` (iterations × c),
        ``effective_rank``, ``numerical_rank``, ``imbalance``, ``alignment_left``,
        ``alignment_right``, ``spectral_alignment_left``, ``spectral_alignment_right``,
        ``signal``, ``noise``, ``perturbation``, ``perturbation_frobenius``. "default" is every
        one but the perturbation (and without the spectral alignment when n1·n2 > 2²⁰).
    singular_value_count : int
        c, the singular values of X recorded a row (0: all min(n1, n2, k), at most 50).
    rank : int
        r of the spectral alignment (0: the truth's rank; without a truth those columns are NaN).
    alignment_threshold, saddle_fraction, plateau_tolerance, plateau_window, recovery_threshold : float
        The thresholds of phase detection, each in (0, 1) (see :class:`Phases`): phases are
        named only when the final test error (without a truth, the relative residual) is at most
        ``recovery_threshold`` (0.1).
    ridge : float
        μ ≥ 0 of the ridge on the factors, +(μ/2)(‖U‖²_F + ‖V‖²_F) (PSD: +(μ/2)‖U‖²_F), with
        gradients +μU, +μV (docs/completion.md, "Ridge").
    validation : SensingProblem or (rows, columns, values), optional
        Held-out measurements the run is scored on (docs/completion.md, "Validation"): a
        problem of the same shape (any operator), or held-out entries with values in the
        problem's units (measurement = scale · X[row, column], the scale of a completion
        problem, else 1). The history gets ``"validation_error"`` = ‖𝒜_val(X) − y_val‖/‖y_val‖
        at every recorded iterate. Entries that are also training entries are refused.
    holdout : float in (0, 1), optional
        Instead of ``validation``: hold out round(holdout · m) of the problem's own
        measurements (:meth:`SensingProblem.split_holdout` with ``holdout_seed``, default
        ``seed``) and train on the rest.
    patience : int ≥ 1, optional
        Stop with stop reason "early_stopped" when the validation error has not improved for
        this many recorded iterates.
    spectral_method : {"auto", "dense", "iterative"}
        How the top pairs of 𝒜*(y) are computed for ``init="spectral"`` and the spectral
        alignment (docs/mathematics.md, "Initializations"): "dense" forms 𝒜*(y) and factors it
        with LAPACK (exact to rounding, O(n1·n2·min(n1, n2)) time, Ctrl-C waits for LAPACK);
        "iterative" runs block subspace iteration on products with 𝒜*(y), never forming it for
        completion and rank-one problems, to a residual of 1e-10·σ₁, and stops on Ctrl-C within
        an iteration; "auto" is dense when n1·n2 ≤ 2²⁰, else iterative.
    restore_best : bool
        Return the factors of the recorded iterate of least validation error
        (``result.best_iteration``); the history still ends at the last iterate.

    Returns
    -------
    Result
        ``U``, ``V``, ``X``, ``stop_reason``, ``iterations``, ``history``, ``phases``,
        ``learning_iterations``, ``learning_at_time``.

    Raises
    ------
    KeyboardInterrupt
        On Ctrl-C, within about 0.1 s: the run stops with stop reason "interrupted", and the
        partial result (the last iterate whose loss was computed in full) is in the exception's
        ``result`` attribute — None when Ctrl-C came before the first iterate was evaluated
        (during a spectral initialization, say; the LAPACK SVD itself cannot be stopped).

    Examples
    --------
    >>> p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
    >>> r = fs.gradient_descent(p, width=10, init_scale=1e-3, step=0.5, max_iter=3000, seed=1)
    >>> r.stop_reason, r.history["test_error"][-1] < 1e-2
    ('max_iterations', True)
    """
    settings = {name: value for name, value in locals().items() if name not in ("problem", "width", "callback", "progress")}
    options, problem = _prepare(problem, width, **settings)
    relay = ProgressRelay(callback, progress, max_iter)
    check(lib.fs_options_set_progress(options.handle, relay.c_callback, None), options.handle)
    result = _ResultHandle()
    with relay:
        status, interrupt = call_interruptibly(
            lambda: lib.fs_gradient_descent(problem.handle, options.handle, result.handle), result.handle,
            work=SMALL_CALL)
    if interrupt is not None:
        # Ctrl-C: the run stopped as "interrupted" (or, before its first iterate, with no result).
        _attach(interrupt, Result._from_handle(result.handle) if status == 0 else None)
        raise_interrupt(interrupt, status, result.handle)
    check(status, result.handle)
    outcome = Result._from_handle(result.handle)
    result.close()
    options.close()
    if relay.caught is not None:
        _attach(relay.caught, outcome)
        raise relay.caught
    return outcome


# The options a batch may vary from trial to trial (a sequence of one value per trial).
PER_TRIAL = ("seed", "init_scale", "init_ratio", "step", "width", "max_iter", "record_every", "tol", "loss_tol",
             "balancing", "noise_injection", "scaled_damping", "batch_size", "ridge")


def gradient_descent_batch(problem: SensingProblem, width: Union[Integer, Sequence[Integer], None] = None,
                           **settings: Any) -> List[Result]:
    """Several trials of :func:`gradient_descent` on one problem, run together.

    Any of ``seed``, ``init_scale``, ``init_ratio``, ``step``, ``width``, ``max_iter``,
    ``record_every``, ``tol``, ``loss_tol``, ``balancing``, ``noise_injection``, ``scaled_damping``, ``batch_size`` and
    ``ridge`` may be a sequence with one value per trial (all such sequences of one length T);
    every other argument is that of :func:`gradient_descent` and common to all trials, except
    ``callback``, ``progress`` and ``holdout``, which a batch does not take.

    For a dense operator (Gaussian, symmetric Gaussian, your own matrix) the trials run in
    lock-step: each pass over the m × n1·n2 operator serves every trial still running, so it is
    read from memory once per step for all of them (docs/mathematics.md, "Batches of trials").
    Other operators run their trials side by side on threads. The trials run in groups of
    max(cores, 8), one group after another, so a batch of any size uses that many threads at most
    (their stacks are counted with its memory: under ``ulimit -v`` a batch runs or raises
    OutOfMemoryError). Either way each trial's :class:`Result` is bit for bit that of
    ``gradient_descent`` with the same arguments.

    Returns
    -------
    list of Result
        One per trial, in order.

    Raises
    ------
    InvalidArgumentError
        For sequences of different lengths, an empty one, an unknown or refused argument.
    FactorSenseError
        The error of the first trial that failed, with ``.results`` holding every trial's
        Result (None for those that failed).
    KeyboardInterrupt
        Ctrl-C stops every trial; ``.results`` holds their results so far (None before a
        trial's first iterate).

    Examples
    --------
    >>> p = fs.SensingProblem.gaussian(40, 30, 3, 900, seed=0)
    >>> runs = fs.gradient_descent_batch(p, width=10, seed=[0, 1, 2, 3], init_scale=[1e-4, 1e-3, 1e-2, 1e-1],
    ...                                  step=0.5, max_iter=500)
    >>> [r.stop_reason for r in runs]
    ['max_iterations', 'max_iterations', 'max_iterations', 'max_iterations']
    """
    for name in ("callback", "progress", "holdout"):
        if name in settings:
            raise InvalidArgumentError(f"gradient_descent_batch does not take {name}= (run gradient_descent for it)")
    unknown = set(settings) - set(_RUN_DEFAULTS)
    if unknown:
        raise InvalidArgumentError(f"unknown argument {sorted(unknown)[0]!r} of gradient_descent_batch")
    settings = dict(_RUN_DEFAULTS, width=width, **settings)
    varying = {name: list(value) for name, value in settings.items()
               if name in PER_TRIAL and isinstance(value, (list, tuple, range, np.ndarray))}
    lengths = {len(values) for values in varying.values()}
    if len(lengths) > 1:
        raise InvalidArgumentError(f"the per-trial sequences have different lengths: "
                                   + ", ".join(f"{name} {len(values)}" for name, values in varying.items()))
    count = lengths.pop() if lengths else 1
    if count == 0:
        raise InvalidArgumentError("a batch needs at least one trial: the per-trial sequences are empty")
    options = []
    for i in range(count):
        trial = dict(settings, **{name: values[i] for name, values in varying.items()})
        handle, trained = _prepare(problem, trial.pop("width"), holdout=None, **trial)
        if trained is not problem:
            raise InvalidArgumentError("every trial of a batch trains on the problem itself")
        options.append(handle)
    results = [_ResultHandle() for _ in range(count)]
    option_array = (ctypes.c_void_p * count)(*[o.handle for o in options])
    result_array = (ctypes.c_void_p * count)(*[r.handle for r in results])
    statuses = (ctypes.c_int * count)(*([_NOT_RUN] * count))
    status, interrupt = call_interruptibly(
        lambda: lib.fs_gradient_descent_batch(problem.handle, option_array, result_array, count, statuses),
        [r.handle for r in results], work=SMALL_CALL)
    if all(s == _NOT_RUN for s in statuses):  # refused before any trial ran
        if interrupt is not None:
            raise interrupt
        check(status, problem.handle)
    outcomes = [Result._from_handle(r.handle) if statuses[i] == 0 else None for i, r in enumerate(results)]
    if interrupt is not None:
        _attach_all(interrupt, outcomes)
        raise interrupt
    for i, s in enumerate(statuses):
        if s != 0:
            try:
                check(s, results[i].handle)
            except Exception as error:
                _attach_all(error, outcomes)
                raise
    return outcomes


def _attach_all(error: BaseException, outcomes: List[Optional[Result]]) -> None:
    """Attaches every trial's result (None for those without) to an exception raised out of a batch."""
    try:
        error.results = outcomes
    except AttributeError:
        pass


def _prepare(problem, width, *, init, init_scale, init_ratio, step, max_iter, seed, record_every, tol, loss_tol, window,
             divergence_factor, balancing, noise_injection, preconditioner, scaled_damping, batch_size, U0, V0,
             diagnostics, singular_value_count, rank, alignment_threshold, saddle_fraction, plateau_tolerance,
             plateau_window, recovery_threshold, ridge, validation, holdout, holdout_seed, patience, restore_best, spectral_method):
    """(the fs_options handle of gradient_descent's arguments, the problem to train on)."""
    if isinstance(init, (tuple, list)) or isinstance(init, np.ndarray):
        if U0 is not None or V0 is not None:
            raise InvalidArgumentError("give the initial factors once: as init=(U0, V0) or as U0=, V0=")
        factors = (init,) if isinstance(init, np.ndarray) else tuple(init)
        if not 1 <= len(factors) <= 2:
            raise InvalidArgumentError("init as a tuple is (U0, V0), or (U0,) for a PSD problem")
        U0, V0 = factors[0], factors[1] if len(factors) == 2 else None
        init = "random"
    if U0 is None and V0 is not None:
        raise InvalidArgumentError("V0 was given without U0")

    validation, problem = _validation_set(problem, validation, holdout, seed if holdout_seed is None else holdout_seed)
    if patience is None:
        patience = 0
    elif isinstance(patience, (bool, np.bool_)) or not isinstance(patience, (int, np.integer)) or patience < 1:
        raise InvalidArgumentError(f"patience must be an integer ≥ 1 (or None), got {_scalars.shown(patience)}")
    restore_best = _scalars.flag(restore_best, "restore_best")
    step_rule = "fixed"
    if isinstance(step, str):
        if step != "auto":
            raise InvalidArgumentError(f"step must be a real number (> 0) or \"auto\", got {_scalars.shown(step)}")
        step_rule, step = "auto", 0.1

    options = _Options()
    if validation is not None:
        check(lib.fs_options_set_validation(options.handle, validation.handle), options.handle)
    values = dict(max_iter=max_iter, seed=_scalars.seed_as_int64(seed), record_every=record_every, window=window,
                  batch_size=batch_size, singular_value_count=singular_value_count, rank=rank,
                  patience=int(patience), restore_best=int(bool(restore_best)))
    if U0 is not None:
        k = options.set_initial_factors(U0, V0, problem.shape, problem.psd)
        if width is not None and width != k:
            raise SizeMismatchError(f"width is {width} but the initial factors have {k} columns")
    elif width is None:
        raise InvalidArgumentError("width is not set: pass width=k (k ≥ 1), or initial factors U0, V0")
    else:
        values["width"] = width
    values.update(init_scale=init_scale, init_ratio=init_ratio, step=step, tol=tol, loss_tol=loss_tol, divergence_factor=divergence_factor,
                  balancing=balancing, noise_injection=noise_injection, scaled_damping=scaled_damping,
                  alignment_threshold=alignment_threshold, saddle_fraction=saddle_fraction,
                  plateau_tolerance=plateau_tolerance, plateau_window=plateau_window,
                  recovery_threshold=recovery_threshold, ridge=ridge, init=init, preconditioner=preconditioner,
                  diagnostics=_diagnostics_text(diagnostics), step_rule=step_rule, spectral_method=spectral_method)
    options.set(values)
    return options, problem


def _validation_set(problem: SensingProblem, validation: Any, holdout: Optional[Real],
                    seed: Integer) -> Tuple[Optional[SensingProblem], SensingProblem]:
    """(the validation problem or None, the problem to train on) for gradient_descent's arguments."""
    from .problem import SensingProblem
    if holdout is not None:
        if validation is not None:
            raise InvalidArgumentError("give either validation= or holdout=, not both")
        training, held = problem.split_holdout(holdout, seed)
        return held, training
    if validation is None or isinstance(validation, SensingProblem):
        return validation, problem
    try:
        rows, columns, values = validation
    except (TypeError, ValueError):
        raise InvalidArgumentError("validation must be a SensingProblem or a tuple (rows, columns, values)") from None
    scale = problem.entries[2] if problem.operator_kind == "entries" else 1.0
    return SensingProblem.from_entries(rows, columns, values, problem.shape, scale=scale), problem


def _attach(error: BaseException, outcome: Optional[Result]) -> None:
    """Attaches the partial result (or None) to an exception raised out of a run."""
    try:
        error.result = outcome
    except AttributeError:
        pass

def _diagnostics_text(diagnostics: Union[str, Sequence[str]]) -> str:
    """The "diagnostics" option's text for a name, "default"/"all"/"none", or a list of names."""
    if isinstance(diagnostics, str):
        return diagnostics
    try:
        names = list(diagnostics)
    except TypeError:
        raise InvalidArgumentError(f"diagnostics must be \"default\", \"all\", \"none\" or a list of names, "
                                   f"got {diagnostics!r}") from None
    for name in names:
        if not isinstance(name, str) or "," in name:
            raise InvalidArgumentError(f"diagnostics names must be strings without commas, got {name!r}")
    return ",".join(names) if names else "none"


# gradient_descent's keyword arguments and defaults, less its per-call ones: what a batch's trials,
# the flow and a sweep's run parameters take.
_RUN_DEFAULTS: Dict[str, Any] = {name: parameter.default for name, parameter in inspect.signature(gradient_descent).parameters.items()
                   if parameter.kind is inspect.Parameter.KEYWORD_ONLY and name not in ("callback", "progress", "holdout")}
_NOT_RUN = -1  # not an fs_status: a trial the call did not reach
