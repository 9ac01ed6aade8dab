"""Plots of the dynamics of a run (docs/mathematics.md): each function draws on ``ax`` (a new
figure when None) and returns the Axes. matplotlib is imported only when a plot is drawn.

>>> import factorsense as fs
>>> p = fs.SensingProblem.symmetric_gaussian(40, 2, 400, seed=0)
>>> r = fs.gradient_descent(p, width=40, init_scale=1e-6, step=0.25, max_iter=400, seed=1)
>>> ax = fs.plot.loss(r)                                     # loss, test error, phases shaded
>>> ax = fs.plot.singular_values(r, truth=[1.0, 1.0])        # the staircase
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

from ._optional import require
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    import numpy.typing as npt
    import pandas  # type: ignore[import-untyped, unused-ignore]
    from matplotlib.axes import Axes

    from ._types import FloatArray
    from .predictions import Predictions
    from .result import Result

#: The colours of the phases (I), (II), (III) in `loss`.
PHASE_COLOURS: Tuple[str, ...] = ("tab:blue", "tab:orange", "tab:green")


def _pyplot() -> Any:
    return require("matplotlib.pyplot", "plot", "factorsense.plot")


def _axes(ax: Optional[Axes]) -> Axes:
    if ax is None:
        _, ax = _pyplot().subplots(figsize=(6, 4))
    return ax


def _check_result(result: object) -> None:
    if not hasattr(result, "history") or not hasattr(result, "phases"):
        raise TypeError(f"expected a factorsense Result, got {type(result).__name__}")


def _positive(values: npt.ArrayLike) -> FloatArray:
    """The values with non-positive entries masked, for a log axis."""
    values = np.asarray(values, dtype=float)
    return np.where(values > 0, values, np.nan)


#: The history columns a plot may put on its horizontal axis.
ABSCISSAE: Tuple[str, ...] = ("iteration", "time")


def _abscissa(result: Result, x: str) -> FloatArray:
    if x not in ABSCISSAE:
        raise InvalidArgumentError(f'x must be "iteration" or "time", got {x!r}')
    return np.asarray(result.history[x], dtype=float)


def _phase_ends(result: Result, x: str) -> Tuple[Optional[float], Optional[float], Optional[float]]:
    """The phase events of ``result`` along ``x``: (end of (I), end of (II), start of the plateau),
    each None when not found; (I) ends by the spectral rule, else by the signal rule."""
    ph = result.phases
    suffix = "" if x == "iteration" else "_time"
    one = getattr(ph, "alignment_end" + suffix)
    one = one if one is not None else getattr(ph, "signal_end" + suffix)
    return one, getattr(ph, "saddle_end" + suffix), getattr(ph, "plateau_start" + suffix)


def phase_spans(result: Result, x: str = "iteration") -> List[Tuple[float, float, str]]:
    """The (start, end, label) of each phase of ``result`` found, along ``x`` ("iteration", or
    "time": the phases' own ``*_time``): (I) from the first recorded iterate to its end (the
    spectral rule's, else the signal rule's), (II) from there to the end of saddle avoidance,
    (III) from there to the plateau (or to the end of a run still improving). A phase whose start
    or end was not found is left out — never (II) from t = 0 when (I) was not found; a run that
    did not recover has none."""
    _check_result(result)
    t = _abscissa(result, x)
    end_of_one, saddle_end, plateau_start = _phase_ends(result, x)
    spans = []
    if end_of_one is not None:
        spans.append((t[0], end_of_one, "(I) alignment"))
    if saddle_end is not None:
        if end_of_one is not None:
            spans.append((end_of_one, saddle_end, "(II) saddle avoidance"))
        end = plateau_start if plateau_start is not None else t[-1]
        still = ", still improving" if result.phases.still_improving else ""
        spans.append((saddle_end, end, "(III) local refinement" + still))
    return spans


def action_is_early(result: Result, x: str = "iteration") -> bool:
    """Whether every phase ``result`` shows ends in the first tenth of the run along ``x`` (and
    it shows one): then the run's story is told on a log time axis."""
    t = _abscissa(result, x)
    ends = [end for end in _phase_ends(result, x) if end is not None]
    return bool(ends) and max(ends) - t[0] <= 0.1 * (t[-1] - t[0])


def _time_axis(ax: Axes, result: Result, x: str, time_axis: Optional[str]) -> None:
    """A log horizontal axis when ``time_axis`` is "log", or None and the action is early; else
    linear. With t = 0 recorded, symlog: linear up to the first recorded t > 0, log beyond."""
    if time_axis not in (None, "log", "linear"):
        raise InvalidArgumentError(f'time_axis must be None (log when the phases end in the first tenth), "log" or '
                         f'"linear", got {time_axis!r}')
    label = "iteration t" if x == "iteration" else ("time η·t" if result.flow_statistics is None else "time t")
    if time_axis == "log" or (time_axis is None and action_is_early(result, x)):
        t = _abscissa(result, x)
        positive = t[t > 0]
        if positive.size and t.min() > 0:
            ax.set_xscale("log")
        elif positive.size:
            ax.set_xscale("symlog", linthresh=positive.min(), linscale=0.5)
        ax.set_xlim(t.min(), t.max())
        label += " (log)"
    ax.set_xlabel(label)


def loss(result: Result, ax: Optional[Axes] = None, x: str = "iteration", columns: Sequence[str] = ("loss", "test_error"),
         time_axis: Optional[str] = None) -> Axes:
    """Loss and test error (or other scalar history ``columns``) against ``x`` ("iteration" or
    "time") on a log scale, the phases found shaded and the plateau level drawn as a dotted line.
    ``time_axis``: "log", "linear", or None — log when the phases end in the first tenth of the
    run (:func:`action_is_early`). Columns that are NaN throughout (a test error without a
    truth) are left out."""
    _check_result(result)
    t = _abscissa(result, x)
    h = result.history
    for name in columns:
        if name not in h:
            raise InvalidArgumentError(f"{name!r} is not recorded; the run recorded {', '.join(h)}")
    ax = _axes(ax)
    for name in columns:
        if np.any(np.isfinite(h[name])):
            ax.semilogy(t, _positive(h[name]), label=name.replace("_", " "))
    for start, end, label in phase_spans(result, x):
        colour = PHASE_COLOURS[["(I)", "(II)", "(III)"].index(label.split()[0])]
        ax.axvspan(start, end, color=colour, alpha=0.12, label=label)
    if result.phases.plateau_level is not None:
        ax.axhline(result.phases.plateau_level, color="grey", linestyle=":", label="plateau")
    _time_axis(ax, result, x, time_axis)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(f"stopped: {result.stop_reason} after {result.iterations} iterations")
    return ax


def singular_values(result: Result, truth: Optional[Iterable[float]] = None, ax: Optional[Axes] = None,
                    count: Optional[int] = None, time_axis: Optional[str] = None,
                    predicted: Optional[Predictions] = None) -> Axes:
    """σ_i(X) against the iteration (log scale) — the staircase of incremental learning — with
    the target's singular values s⋆_i (``truth``, a sequence) as dashed lines of the same colour
    and each learning time marked (dotted). ``predicted``, a :class:`factorsense.Predictions`
    for the run's α and η, adds the predicted learning iterations (dash-dotted), to compare
    with the measured ones. ``time_axis`` as in :func:`loss`."""
    _check_result(result)
    if "singular_values" not in result.history:
        raise ValueError("the run did not record singular_values: pass diagnostics including it")
    ax = _axes(ax)
    t = result.history["iteration"]
    sigma = result.history["singular_values"]
    count = sigma.shape[1] if count is None else min(count, sigma.shape[1])
    truth = [] if truth is None else list(truth)
    for i in range(count):
        line, = ax.semilogy(t, _positive(sigma[:, i]), label=f"σ_{i + 1}(X)")
        if i < len(truth):
            ax.axhline(truth[i], color=line.get_color(), linestyle="--", linewidth=0.8)
        if i < len(result.learning_iterations) and result.learning_iterations[i] is not None:
            ax.axvline(result.learning_iterations[i], color=line.get_color(), linestyle=":", linewidth=0.8)
        if predicted is not None and i < len(predicted.learning_iterations) and predicted.learning_iterations[i] is not None:
            ax.axvline(predicted.learning_iterations[i], color=line.get_color(), linestyle="-.", linewidth=0.8)
    _time_axis(ax, result, "iteration", time_axis)
    ax.set_ylabel("singular values of X (dashed: the target's)")
    if predicted is not None:
        ax.set_title("learning times: measured dotted, predicted dash-dotted", fontsize="small")
    ax.grid(True, which="both", alpha=0.3)
    if count <= 8:
        ax.legend(fontsize="small")
    return ax


def balance(result: Result, ax: Optional[Axes] = None, time_axis: Optional[str] = None) -> Axes:
    """Imbalance ‖UᵀU − VᵀV‖_F, the alignment sines (to the truth and to the spectral subspace of
    𝒜*(y)) and the signal/noise split against the iteration, on a log scale; the columns the
    run did not record (or that are all NaN) are left out. A PSD run (V = U) draws one curve for
    each left/right pair, labelled "left = right". ``time_axis`` as in :func:`loss`."""
    _check_result(result)
    ax = _axes(ax)
    h = result.history
    same = np.array_equal(result.U, result.V)
    drawn = 0
    for name in ("imbalance", "alignment_left", "alignment_right", "spectral_alignment_left",
                 "spectral_alignment_right", "signal", "noise", "perturbation"):
        if name not in h or not np.any(np.isfinite(h[name])) or (same and name.endswith("_right")):
            continue
        label = name[:-len("_left")] + " (left = right)" if same and name.endswith("_left") else name
        ax.semilogy(h["iteration"], _positive(h[name]), label=label.replace("_", " "))
        drawn += 1
    if drawn == 0:
        raise ValueError("the run recorded none of imbalance, alignment, signal, noise, perturbation")
    _time_axis(ax, result, "iteration", time_axis)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def plateau_vs_alpha(results: Iterable[Result], alphas: npt.ArrayLike, ax: Optional[Axes] = None,
                     label: Optional[str] = None, predicted: Union[Predictions, float, None] = None) -> Axes:
    """The final test error of each run against its initialization scale α, log–log, with the
    least-squares slope of log(error) on log(α) in the legend. ``predicted`` — a
    :class:`factorsense.Predictions` of the problem, or a slope — adds a dashed line of the
    predicted slope 2(1 − λ_{r+1}/λ_r) through the measured points' geometric centre. Returns
    the Axes; the slope is ``ax.plateau_slope``."""
    results, alphas = list(results), np.asarray(alphas, dtype=float)
    if not results or len(results) != len(alphas):
        raise ValueError(f"need one result per α, got {len(results)} results and {len(alphas)} values of α")
    for r in results:
        _check_result(r)
    ax = _axes(ax)
    errors = np.array([r.history["test_error"][-1] for r in results])
    ok = np.isfinite(errors) & (errors > 0) & (alphas > 0)
    slope = np.polyfit(np.log(alphas[ok]), np.log(errors[ok]), 1)[0] if ok.sum() >= 2 else np.nan
    ax.loglog(alphas, errors, "o-", label=f"{label + ': ' if label else ''}slope {slope:.2f}")
    expected = getattr(predicted, "plateau_slope", predicted)
    if expected is not None and ok.sum() >= 1:
        centre = np.exp(np.mean(np.log(alphas[ok]))), np.exp(np.mean(np.log(errors[ok])))
        ax.loglog(alphas, centre[1] * (alphas / centre[0]) ** float(expected), "k--", linewidth=1,
                  label=f"predicted slope 2(1 − λ_r+1/λ_r) = {float(expected):.2f}")
    ax.set_xlabel("initialization scale α")
    ax.set_ylabel("final test error ‖X − X⋆‖_F/‖X⋆‖_F")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    ax.plateau_slope = slope
    return ax


def learning_vs_alpha(results: Iterable[Result], alphas: npt.ArrayLike, predictions: Iterable[Predictions],
                      ax: Optional[Axes] = None) -> Axes:
    """Incremental learning against the initialization scale: each σ_i's measured learning
    iteration (markers) against ln(1/α), beside the predicted ln(c_i/α)/ln(1 + ηλ_i) (lines of
    the same colour) — ``predictions`` holds one :class:`factorsense.Predictions` per α (from
    ``fs.predict(p, init_scale=α, step=η)``). The slope per unit of ln(1/α) is 1/ln(1 + ηλ_i).
    Returns the Axes."""
    results, alphas, predictions = list(results), np.asarray(alphas, dtype=float), list(predictions)
    if not results or not len(results) == len(alphas) == len(predictions):
        raise InvalidArgumentError(f"need one result and one prediction per α, got {len(results)} results, "
                                   f"{len(predictions)} predictions and {len(alphas)} values of α")
    for r in results:
        _check_result(r)
    ax = _axes(ax)
    x = np.log(1 / alphas)
    count = max(len(p.learning_iterations) for p in predictions)
    for i in range(count):
        measured = np.array([_entry(r.learning_iterations, i) for r in results], dtype=float)
        expected = np.array([_entry(p.learning_iterations, i) for p in predictions], dtype=float)
        points = ax.plot(x, measured, "o", label=f"σ_{i + 1} measured")[0]
        ax.plot(x, expected, "-", color=points.get_color(), label=f"σ_{i + 1} predicted")
    ax.set_xlabel("ln(1/α)")
    ax.set_ylabel("learning iteration (σ_i(X) ≥ ½ s⋆_i)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _entry(values: Sequence[Optional[float]], i: int) -> float:
    """values[i] as a float, NaN when missing (None, or past the end)."""
    return np.nan if i >= len(values) or values[i] is None else float(values[i])


def sweep_vs_alpha(frame: pandas.DataFrame, column: str = "final_test_error", x: str = "init_scale",
                   over: Union[str, Sequence[str]] = "seed", spread: Union[str, Tuple[float, float]] = "std",
                   ax: Optional[Axes] = None) -> Axes:
    """The seed average of a sweep's ``column`` against its initialization scale α (``x``),
    log–log, with error bars: one curve for each value of the other swept parameters
    (:func:`factorsense.average_seeds` groups the trials). ``spread="std"``: mean ± the sample
    standard deviation over the seeds (a lower end ≤ 0 runs to the bottom of the log axis);
    ``spread=(low, high)``: the mean with the quantile band, e.g. (0.1, 0.9). Each curve's
    legend gives its least-squares slope of log(mean) on log(α); ``ax.alpha_slopes`` maps each
    label to it. Returns the Axes."""
    from .averaging import average_seeds
    if not (spread == "std" or isinstance(spread, (tuple, list))):
        raise InvalidArgumentError(f'spread must be "std" or a quantile band (low, high), got {spread!r}')
    band = None if spread == "std" else spread
    averaged = average_seeds(frame, over=over, columns=[column], band=band)
    if x not in averaged.columns:
        raise InvalidArgumentError(f"x names {x!r}, which is not a swept parameter of the frame (its parameters: "
                                   f"{', '.join(c for c in averaged.columns if not c.startswith(column))})")
    ax = _axes(ax)
    mean = f"{column}_mean"
    curves = [c for c in averaged.columns if not c.startswith(column + "_") and c != x]
    varying = [c for c in curves if averaged[c].nunique(dropna=False) > 1]
    ax.alpha_slopes = {}
    for key, part in (averaged.groupby(varying, sort=False, dropna=False) if varying else [((), averaged)]):
        key = key if isinstance(key, tuple) else (key,)
        part = part.sort_values(x)
        alphas, y = part[x].to_numpy(float), part[mean].to_numpy(float)
        if band is None:
            low, high = y - part[f"{column}_std"].to_numpy(float), y + part[f"{column}_std"].to_numpy(float)
        else:
            low, high = part[f"{column}_low"].to_numpy(float), part[f"{column}_high"].to_numpy(float)
        ok = np.isfinite(y) & (y > 0) & (alphas > 0)
        slope = np.polyfit(np.log(alphas[ok]), np.log(y[ok]), 1)[0] if ok.sum() >= 2 else np.nan
        label = ", ".join(f"{name}={value}" for name, value in zip(varying, key))
        label = f"{label + ': ' if label else ''}slope {slope:.2f}"
        ax.errorbar(alphas, y, yerr=[y - low, high - y], fmt="o-", capsize=3, label=label)
        ax.alpha_slopes[label] = slope
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("initialization scale α" if x == "init_scale" else x)
    what = "± std" if band is None else f"{100 * band[0]:g}–{100 * band[1]:g} % band"
    ax.set_ylabel(f"{column.replace('_', ' ')}: mean over {', '.join([over] if isinstance(over, str) else over)} ({what})")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return ax
