"""A typed program that calls every public function, method and property of factorsense once, with
realistic typed arguments. It is type-checked (python/tests/test_typing.py runs
``mypy --strict`` on it), never run. ``assert_type`` pins each return type: a public function
without annotations is then a "Call to untyped function … in typed context", one without a
return annotation an "Expression is of type Any".
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from typing_extensions import assert_type

import factorsense as fs
from factorsense import plot

FloatArray = npt.NDArray[np.float64]


def stop_after_ten(info: fs.Progress) -> bool:
    assert_type(info.iteration, int)
    assert_type(info.max_iterations, int)
    assert_type(info.loss, float)
    assert_type(info.test_error, float)
    assert_type(info.residual, float)
    assert_type(info.U, Optional[FloatArray])
    assert_type(info.V, Optional[FloatArray])
    return info.iteration >= 10


def no_perturbation(t: float, U: FloatArray, V: FloatArray) -> FloatArray:
    return np.zeros((U.shape[0], V.shape[0]))


def sweep_progress(done: int, total: int) -> None:
    print(done, total)


def problems() -> fs.SensingProblem:
    rng = np.random.default_rng(0)
    X: FloatArray = np.outer([1.0, 2.0, 3.0], [1.0, -1.0])
    L = np.linalg.qr(rng.standard_normal((6, 2)))[0]
    assert_type(fs.SensingProblem.gaussian(40, 30, 3, 900, seed=0, noise=0.01, dtype="float32"), fs.SensingProblem)
    assert_type(fs.SensingProblem.gaussian(target=X, measurements=np.int64(20), seed=1), fs.SensingProblem)
    assert_type(fs.SensingProblem.symmetric_gaussian(target=(L, [2.0, 1.0]), measurements=60, seed=3),
                fs.SensingProblem)
    assert_type(fs.SensingProblem.factorization(np.arange(12.0).reshape(4, 3)), fs.SensingProblem)
    assert_type(fs.SensingProblem.factorization(4, 3, 1, condition_number=10.0, spectrum="linear"), fs.SensingProblem)
    assert_type(fs.SensingProblem.completion(30, 20, 2, 200, psd=False, scale=2.0, seed=4), fs.SensingProblem)
    assert_type(fs.SensingProblem.rank_one(3, 2, 1, 30, noise=0.01, seed=5), fs.SensingProblem)
    A = rng.standard_normal((30, 12))
    assert_type(fs.SensingProblem.from_dense(A, A @ np.ones(12), (3, 4), dtype=np.float32), fs.SensingProblem)
    assert_type(fs.SensingProblem.from_entries([0, 1], [1, 0], [1.0, 2.0], (2, 2), scale=1.0, psd=False),
                fs.SensingProblem)
    M = np.where(rng.random((5, 4)) < 0.5, np.nan, 1.0)
    assert_type(fs.SensingProblem.from_dense_masked(M, truth=np.ones((5, 4))), fs.SensingProblem)
    return fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)


def problem_members(p: fs.SensingProblem) -> None:
    training, validation = p.split_holdout(0.2, seed=np.uint64(7))
    assert_type(training, fs.SensingProblem)
    assert_type(validation, fs.SensingProblem)
    assert_type(p.shape, Tuple[int, int])
    assert_type(p.measurements, int)
    assert_type(p.psd, bool)
    assert_type(p.symmetric_operator, bool)
    assert_type(p.operator_kind, str)
    assert_type(p.has_truth, bool)
    assert_type(p.A, npt.NDArray[np.floating[Any]])
    assert_type(p.dtype, np.dtype[np.floating[Any]])
    assert_type(p.y, FloatArray)
    assert_type(p.truth, Optional[FloatArray])
    assert_type(p.entries, Tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], float])
    assert_type(p.rank_one_vectors, Tuple[FloatArray, FloatArray, float])
    n1, n2 = p.shape
    assert_type(p.apply(np.ones((n1, n2))), FloatArray)
    assert_type(p.adjoint(np.ones(p.measurements)), FloatArray)
    assert_type(p.loss_and_grad(np.ones((n1, 2)), np.ones((n2, 2))), Tuple[float, Tuple[FloatArray, FloatArray]])
    assert_type(p.loss_and_grad(np.ones((n1, 2))), Tuple[float, FloatArray])
    function = p.flat_loss_and_grad(2)
    assert_type(function(np.ones((n1 + n2) * 2)), Tuple[float, FloatArray])
    assert_type(p.spectrum(3, spectral_method="dense", seed=1), FloatArray)
    assert_type(p.predict(1e-3, 0.25, rank=3), fs.Predictions)
    assert_type(p.handle, Optional[int])
    with fs.SensingProblem.gaussian(10, 8, 2, 100) as q:
        assert_type(q, fs.SensingProblem)
    q.close()


def runs(p: fs.SensingProblem) -> fs.Result:
    r = fs.gradient_descent(p, width=10, init="spectral", init_scale=1e-3, step=0.5, max_iter=3000, seed=1,
                            record_every=10, tol=1e-10, callback=stop_after_ten, progress=False,
                            diagnostics=["singular_values", "imbalance"], validation=p, patience=5,
                            restore_best=True, spectral_method="iterative")
    assert_type(r, fs.Result)
    assert_type(fs.gradient_descent(p, U0=np.ones((40, 2)), V0=np.ones((30, 2)), step="auto",
                                    validation=([0], [1], [0.5]), holdout_seed=3), fs.Result)
    assert_type(fs.gradient_descent_batch(p, width=10, seed=[0, 1], init_scale=[1e-4, 1e-3], step=0.5),
                List[fs.Result])
    assert_type(fs.gradient_flow(p, width=5, times=np.linspace(0, 8, 81), rtol=1e-8, method="dop853",
                                 perturbation=no_perturbation, callback=stop_after_ten), fs.Result)
    return r


def result_members(r: fs.Result) -> None:
    assert_type(r.U, FloatArray)
    assert_type(r.V, FloatArray)
    assert_type(r.X, FloatArray)
    assert_type(r.stop_reason, str)
    assert_type(r.iterations, int)
    assert_type(r.success, bool)
    assert_type(r.history, fs.History)
    assert_type(r.phases, fs.Phases)
    assert_type(r.learning_iterations, List[Optional[int]])
    assert_type(r.learning_at_time, List[Optional[float]])
    assert_type(r.learning_times, List[Optional[int]])
    assert_type(r.learning_clock, List[Optional[float]])
    assert_type(r.flow_statistics, Optional[Dict[str, int]])
    assert_type(r.best_iteration, Optional[int])
    assert_type(r.iterations_to(1e-6), Optional[int])
    assert_type(r.iterations_to(np.float64(1e-6), column="residual"), Optional[int])
    assert_type(r.minimum("loss"), Tuple[float, int])
    assert_type(fs.Result.SUCCESSFUL, Tuple[str, ...])
    phases = r.phases
    assert_type(phases.alignment_end, Optional[int])
    assert_type(phases.saddle_end, Optional[int])
    assert_type(phases.plateau_start, Optional[int])
    assert_type(phases.plateau_level, Optional[float])
    assert_type(phases.alignment_end_time, Optional[float])
    assert_type(phases.saddle_end_time, Optional[float])
    assert_type(phases.plateau_start_time, Optional[float])
    assert_type(phases.recovered, bool)
    assert_type(phases.signal_end, Optional[int])
    assert_type(phases.signal_end_time, Optional[float])
    assert_type(phases.still_improving, bool)
    assert_type(phases.spectral_angle_left, Optional[float])
    assert_type(phases.spectral_angle_right, Optional[float])
    history = r.history
    assert_type(history["loss"], npt.NDArray[Any])
    assert_type(history.get("singular_values"), Optional[npt.NDArray[Any]])
    assert_type(history.matrices, Dict[str, npt.NDArray[Any]])
    frame = history.to_frame()
    print(frame)


def predictions(p: fs.SensingProblem) -> fs.Predictions:
    assert_type(fs.spectrum(p, 3, spectral_method="auto", seed=0), FloatArray)
    found = fs.predict(p, init_scale=1e-4, step=0.25, rank=2, fraction=0.5)
    assert_type(found, fs.Predictions)
    assert_type(found.rank, int)
    assert_type(found.spectrum, FloatArray)
    assert_type(found.gap, Optional[float])
    assert_type(found.plateau_slope, Optional[float])
    assert_type(found.spectral_angle_left, Optional[float])
    assert_type(found.spectral_angle_right, Optional[float])
    assert_type(found.learning_iterations, List[Optional[float]])
    assert_type(found.learning_times, List[Optional[float]])
    return found


def sweeps(folder: Path) -> None:
    frame = fs.sweep(problem=dict(kind="gaussian", n1=20, n2=15, rank=2, measurements=[200, 300], seed=0),
                     grid=dict(seed=range(2), init_scale=[1e-3, 1e-2]), path=folder, progress=sweep_progress,
                     histories=True, workers=2, executor="threads", width=4, step=0.5, max_iter=300)
    averaged = fs.average_seeds(frame, over=["seed"], columns=["final_test_error"], band=(0.1, 0.9))
    ax: Axes = plot.sweep_vs_alpha(averaged, column="final_test_error", spread=(0.1, 0.9))
    print(ax)


def plots(r: fs.Result, found: fs.Predictions) -> None:
    assert_type(plot.loss(r, x="time", columns=["loss"], time_axis="log"), Axes)
    assert_type(plot.singular_values(r, truth=[1.0, 0.5], count=2, predicted=found), Axes)
    assert_type(plot.balance(r, time_axis="linear"), Axes)
    ax = plot.plateau_vs_alpha([r, r], [1e-3, 1e-2], label="gd", predicted=found)
    assert_type(ax, Axes)
    assert_type(plot.plateau_vs_alpha([r, r], np.array([1e-3, 1e-2]), ax=ax, predicted=1.5), Axes)
    assert_type(plot.learning_vs_alpha([r], [1e-3], [found], ax=ax), Axes)
    assert_type(plot.phase_spans(r, x="iteration"), List[Tuple[float, float, str]])
    assert_type(plot.action_is_early(r), bool)
    assert_type(plot.PHASE_COLOURS, Tuple[str, ...])
    assert_type(plot.ABSCISSAE, Tuple[str, ...])
    assert_type(fs.plot_history(r, columns=("loss",), x="iteration"), Axes)


def the_rest() -> None:
    assert_type(fs.library_version(), str)
    assert_type(fs.__version__, str)
    table = fs.option_table()
    assert_type(table, List[fs.Option])
    option = table[0]
    assert_type((option.name, option.type, option.default, option.domain, option.summary),
                Tuple[str, str, str, str, str])
    error: Union[fs.FactorSenseError, ValueError] = fs.InvalidArgumentError("bad", 3)
    if isinstance(error, fs.FactorSenseError):
        assert_type(error.status, Optional[int])
    for kind in (fs.InterruptedCallError, fs.InvalidHandleError, fs.LinearAlgebraError, fs.NotFiniteError,
                 fs.OutOfMemoryError, fs.SizeMismatchError, fs.SizeOverflowError, fs.WrongStateError):
        assert_type(kind("message").status, Optional[int])


def main(folder: Path) -> None:
    p = problems()
    problem_members(p)
    r = runs(p)
    result_members(r)
    found = predictions(p)
    sweeps(folder)
    plots(r, found)
    the_rest()
