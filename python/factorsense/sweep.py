"""Sweeps: many trials over a grid of problem and run parameters, on local cores or a Dask cluster,
with every finished trial kept in a Parquet dataset so that a killed sweep resumes.

A trial is one :func:`gradient_descent` run on one generated problem. Trials that share a problem
run together as one :func:`gradient_descent_batch` call (one task), which makes the same bits as
separate runs; a task ships its problem's parameters — never the operator — and the worker
generates the problem from them, bit for bit the same on any machine.
"""
from __future__ import annotations

import functools
import hashlib
import inspect
import itertools
import json
import multiprocessing
import os
import threading
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Union

import numpy as np

from . import _scalars
from ._optional import require
from .errors import DamagedSweepWarning, FactorSenseError, InvalidArgumentError
from .problem import SensingProblem
from .progress import ThreadStops
from .solvers import PER_TRIAL, gradient_descent, gradient_descent_batch

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped, unused-ignore]
    from distributed import Client

    from ._types import Flag

#: The generators a sweep's ``problem`` may name with ``kind``.
KINDS = ("gaussian", "symmetric_gaussian", "factorization", "completion", "rank_one")

#: Run parameters a sweep does not take (they need a live object or a terminal).
NOT_IN_SWEEPS = ("callback", "progress", "holdout", "validation", "U0", "V0")

#: The columns ``histories=True`` adds.
HISTORY_COLUMNS = ("loss_history", "test_error_history")

#: The most trials one sweep takes (counted before anything is built).
MAX_TRIALS = 1_000_000

#: The most trials of one problem a task runs as one batch (gradient_descent_batch takes 1024).
BATCH_TRIALS = 256

#: The outcome columns of every row, after the parameters.
OUTCOMES = ("stop_reason", "iterations", "final_loss", "final_test_error", "seconds", "recovered", "alignment_end",
            "signal_end", "saddle_end", "plateau_start", "plateau_level", "learning_times", "error")


def sweep(problem: Dict[str, Any], grid: Optional[Dict[str, Any]] = None, *, client: Optional[Client] = None,
          path: Union[str, os.PathLike[str], None] = None, progress: Union[Flag, Callable[[int, int], object]] = False,
          histories: Flag = False, workers: Optional[int] = None, executor: str = "threads",
          **common: Any) -> pandas.DataFrame:
    """Runs gradient descent over every point of a grid of problem and run parameters.

    Parameters
    ----------
    problem : dict
        ``kind`` (one of "gaussian", "symmetric_gaussian", "factorization", "completion",
        "rank_one"; default "gaussian") and the keyword arguments of that generator of
        :class:`SensingProblem` (``n1``, ``n2``, ``rank``, ``measurements``, ``seed``,
        ``noise``, ``condition_number``, …). A list (or range, tuple, 1-D array) is swept.
    grid : dict, optional
        Run parameters of :func:`gradient_descent` (``seed``, ``init_scale``, ``width``,
        ``step``, …); a list is swept.
    **common
        Run parameters common to every trial (a list here is swept too).
    client : dask.distributed.Client, optional
        Run the tasks on this Dask cluster (a ``LocalCluster``, or a scheduler with workers on
        many machines); a worker that dies mid-task has its task retried by Dask. Without one,
        the tasks run locally, ``workers`` at a time (default: every core).
    executor : {"threads", "processes"}
        How local tasks run (without ``client``): "threads" (the default) in this process, one
        task per core — the library's calls release the GIL, and nothing is pickled or
        started; "processes" in a spawn process pool, each task in a process of its own (its
        problem generated there). Both give the same bits. A stopped sweep (Ctrl-C, SIGINT to
        this process alone, a raising ``progress``) terminates its worker processes; a sweep in a
        daemon thread is stopped when the interpreter exits.
    path : str or Path, optional
        A directory holding the sweep as a Parquet dataset: each finished task is written there
        as it completes, and a sweep run again with the same parameters reads what is there and
        computes only the rest. A directory holding a sweep of other parameters is refused.
    progress : bool or callable
        True: a tqdm bar over trials. A callable gets ``(done, total)`` trials after each task
        (raising from it stops the sweep, like Ctrl-C; what is written stays).
    histories : bool
        Add the ``loss_history`` and ``test_error_history`` of each trial (its recorded rows).

    Returns
    -------
    pandas.DataFrame
        One row per trial, in grid order: ``trial``, the problem's parameters (its ``seed`` as
        ``problem_seed``), the run's, then ``stop_reason``, ``iterations``, ``final_loss``,
        ``final_test_error``, ``seconds`` (wall time of the trial's task, shared among its
        trials), ``recovered`` (whether phases are named), the phases ``alignment_end``,
        ``signal_end``, ``saddle_end``, ``plateau_start``, ``plateau_level`` (NaN when not seen:
        a frame keeps pandas' missing value, where a ``Result`` says None),
        ``learning_times`` (a list of the iterations of ``Result.learning_iterations`` as floats,
        NaN where the Result has None; the column kept its 0.4 name) and ``error`` (the
        message of a trial the library refused; its stop reason is then "error").
        ``df.attrs["computed"]`` and ``df.attrs["reused"]`` count the trials computed by this
        call and read from ``path``.

    Raises
    ------
    InvalidArgumentError
        Before any trial runs: an unknown parameter name, a value outside its domain, an empty
        list, a parameter given twice, a ``path`` holding a sweep of other parameters.

    Examples
    --------
    >>> df = fs.sweep(problem=dict(kind="gaussian", n1=20, n2=15, rank=2, measurements=[200, 300], seed=0),
    ...               grid=dict(seed=range(2), init_scale=[1e-3, 1e-2]), width=4, step=0.5, max_iter=300)
    >>> len(df), sorted(df.columns)[:3]
    (8, ['alignment_end', 'error', 'final_loss'])
    """
    pd = require("pandas", "dask", "fs.sweep")
    if executor not in ("threads", "processes"):
        raise InvalidArgumentError(f'executor must be "threads" or "processes", got {executor!r}')
    histories = _scalars.flag(histories, "histories")
    if not callable(progress):
        _scalars.flag(progress, "progress")

    points, problem_axes, run_axes = _plan(problem, grid or {}, common)
    tasks = _tasks(points)
    columns = ["trial", *OUTCOMES, *(HISTORY_COLUMNS if histories else [])]
    known = _read(path, problem, grid or {}, common, tasks, columns) if path is not None else {}
    todo = [task for task in tasks if task["key"] not in known]
    total, done = len(points), sum(len(task["trials"]) for task in tasks if task["key"] in known)
    rows = [row for task in tasks if task["key"] in known for row in known[task["key"]]]
    bar = _bar(progress, total, done)
    try:
        for finished in _execute(todo, client, workers, histories, executor):
            rows.extend(finished["rows"])
            if path is not None:
                _write(path, finished)
            done += len(finished["rows"])
            bar(done, total)
    finally:
        bar(None, None)
    frame = pd.DataFrame(sorted(rows, key=lambda row: row["trial"]))
    frame = frame[["trial", *problem_axes, *run_axes, *OUTCOMES, *(HISTORY_COLUMNS if histories else [])]]
    frame.attrs["computed"] = sum(len(task["trials"]) for task in todo)
    frame.attrs["reused"] = sum(len(rows) for rows in known.values())
    return frame


# ---------------------------------------------------------------------------------------- planning

def _plan(problem, grid, common):
    """Every trial (its problem and run parameters, in grid order), and the names of both axes
    as columns. Refuses what cannot run, before anything runs."""
    if not isinstance(problem, dict):
        raise InvalidArgumentError(f"problem must be a dict of generator parameters, got {type(problem).__name__}")
    if not isinstance(grid, dict):
        raise InvalidArgumentError(f"grid must be a dict of run parameters, got {type(grid).__name__}")
    clash = set(grid) & set(common)
    if clash:
        raise InvalidArgumentError(f"{sorted(clash)[0]!r} is given both in grid and as a common parameter")
    problem = dict(problem)
    problem.setdefault("kind", "gaussian")
    run = dict(common, **grid)
    problem_lists = {name: _values(value, f"problem[{name!r}]") for name, value in problem.items()}
    run_lists = {name: _values(value, name) for name, value in run.items()}
    _check_count(problem_lists, run_lists)
    for kind in problem_lists["kind"]:
        if kind not in KINDS:
            raise InvalidArgumentError(f"problem kind must be one of {list(KINDS)}, got {kind!r}")
        allowed = set(inspect.signature(getattr(SensingProblem, kind)).parameters) - {"target"}
        unknown = set(problem_lists) - allowed - {"kind"}
        if unknown:
            raise InvalidArgumentError(f"unknown problem parameter {sorted(unknown)[0]!r} for kind {kind!r}; "
                                       f"it takes {sorted(allowed)}")
    for name, values in problem_lists.items():
        for value in values:
            _check_problem_value(name, value)
    allowed_run = set(inspect.signature(gradient_descent).parameters) - {"problem"} - set(NOT_IN_SWEEPS)
    for value in run_lists.get("init", []):
        if not isinstance(value, str):
            raise InvalidArgumentError(f"init in a sweep is \"random\" or \"spectral\", got {type(value).__name__}")
    for name in run_lists:
        if name in NOT_IN_SWEEPS:
            raise InvalidArgumentError(f"a sweep does not take {name}= (it needs a live object or a terminal)")
        if name not in allowed_run:
            raise InvalidArgumentError(f"unknown run parameter {name!r}; gradient_descent takes {sorted(allowed_run)}")
    if "width" not in run_lists:
        raise InvalidArgumentError("width is not set: give width= (a list to sweep it)")
    _check_run_values(run_lists)
    problem_axes = [("problem_seed" if name == "seed" else name) for name in problem_lists]
    points = []
    for trial, (problem_point, run_point) in enumerate(itertools.product(_product(problem_lists), _product(run_lists))):
        points.append(dict(trial=trial, problem=problem_point, run=run_point))
    return points, problem_axes, list(run_lists)


def _check_count(problem_lists, run_lists):
    """Refuses a grid of more than MAX_TRIALS trials from the lengths of its lists, before a
    point is built (a 3000 × 3000 grid took 27 s and 2.6 GB to be refused)."""
    lists = {**{f"problem[{name!r}]": values for name, values in problem_lists.items()}, **run_lists}
    total = 1
    for values in lists.values():
        total *= len(values)
    if total > MAX_TRIALS:
        swept = " × ".join(f"{len(values)} {name}" for name, values in lists.items() if len(values) > 1)
        raise InvalidArgumentError(f"the grid has {total} trials ({swept}), more than the {MAX_TRIALS} one sweep takes: "
                                   "split it into several sweeps (each with its own path=)")


def _values(value, name):
    """The values a parameter takes: the items of a list (range, tuple, 1-D array), else itself."""
    if isinstance(value, (list, tuple, range)) or (isinstance(value, np.ndarray) and value.ndim == 1):
        values = [v.item() if isinstance(v, np.generic) else v for v in value]
        if not values:
            raise InvalidArgumentError(f"{name} is an empty list: a sweep needs at least one value for it")
        return values
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array is its one value
    return [value.item() if isinstance(value, np.generic) else value]


def _product(lists):
    names = list(lists)
    return [dict(zip(names, values)) for values in itertools.product(*(lists[name] for name in names))]


def _check_problem_value(name, value):
    integers = {"n": 1, "n1": 1, "n2": 1, "rank": 1, "measurements": 1, "seed": 0}
    if name in integers:
        if isinstance(value, bool) or not isinstance(value, int) or value < integers[name]:
            raise InvalidArgumentError(f"problem[{name!r}] must be an integer ≥ {integers[name]}, got {value!r}")
        limit = 2**64 if name == "seed" else 2**63  # seeds are uint64, sizes int64
        if value >= limit:
            raise InvalidArgumentError(f"problem[{name!r}] = {value} does not fit a 64-bit integer (< 2**{limit.bit_length() - 1})")
    elif name == "psd":
        _scalars.flag(value, f"problem[{name!r}]")
    elif name in ("noise", "scale", "condition_number"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value) or value < 0:
            raise InvalidArgumentError(f"problem[{name!r}] must be a finite number ≥ 0, got {value!r}")


def _check_run_values(run_lists):
    """Each run parameter's values through the library's own option checks, on a tiny problem."""
    from .solvers import _RUN_DEFAULTS, _prepare
    tiny = SensingProblem.factorization(2, 2, 1, seed=0)
    for name, values in run_lists.items():
        for value in values:
            settings = dict(_RUN_DEFAULTS, **{name: value})
            settings.pop("holdout", None)
            options, _ = _prepare(tiny, value if name == "width" else 1, holdout=None,
                                  **{k: v for k, v in settings.items() if k != "width"})
            options.close()
    tiny.close()


def _tasks(points):
    """The trials grouped by problem, in batches of at most BATCH_TRIALS (one task each), each
    task keyed by a hash of its content."""
    groups = {}
    for point in points:
        groups.setdefault(json.dumps(point["problem"], sort_keys=True), []).append(point)
    tasks = []
    for problem_text, group in groups.items():
        for start in range(0, len(group), BATCH_TRIALS):
            trials = group[start:start + BATCH_TRIALS]
            content = json.dumps([problem_text, [(t["trial"], t["run"]) for t in trials]], sort_keys=True, default=str)
            tasks.append(dict(key=hashlib.sha256(content.encode()).hexdigest()[:20], problem=trials[0]["problem"],
                              trials=[(t["trial"], t["run"]) for t in trials]))
    return tasks


# --------------------------------------------------------------------------------------- execution

def _execute(tasks, client, workers, histories, executor="threads"):
    """Yields each task's outcome as it finishes: on the Dask client, else in a pool of
    ``workers`` threads or spawned processes."""
    if not tasks:
        return
    if client is not None:
        dask_completed = require("dask.distributed", "dask", "fs.sweep(client=...)").as_completed
        futures = [client.submit(run_task, task, histories, key=f"factorsense-sweep-{task['key']}", pure=False)
                   for task in tasks]
        finished = 0
        try:
            for future in dask_completed(futures):
                try:
                    outcome = future.result()
                except Exception as error:
                    if _closed(client):  # the cause, not the FutureCancelledError it shows as
                        raise FactorSenseError(
                            f"the Dask client was closed while the sweep ran, after {finished} of {len(futures)} "
                            "tasks (with path= those are written, and the same sweep run again resumes from them)") from error
                    raise
                finished += 1
                yield outcome
        finally:
            if not _closed(client):  # cancelling on a closed client raised ClosedClientError over the cause
                for future in futures:
                    future.cancel()
        return
    size = min(workers or os.cpu_count() or 1, len(tasks))
    stops = ThreadStops()  # Ctrl-C reaches a pool process, not a thread: the threads are stopped by hand

    def run_in_thread(task):
        with stops.watching():
            return run_task(task, histories)

    if executor == "threads":
        pool, run = ThreadPoolExecutor(max_workers=size, thread_name_prefix="factorsense-sweep"), run_in_thread
    else:
        pool = ProcessPoolExecutor(max_workers=size, mp_context=multiprocessing.get_context("spawn"))
        run = functools.partial(run_task, histories=histories)
    with pool:
        futures = [pool.submit(run, task) for task in tasks]
        stop = functools.partial(_stop, pool, futures, stops)
        _LIVE.add(stop)
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:  # done, or stopped (Ctrl-C, a progress callback that raised): stop what still runs
            stop()
            _LIVE.discard(stop)


def _stop(pool, futures, stops):
    """Stops a local sweep's tasks: the waiting ones are cancelled, the running ones interrupted —
    on threads through ``stops`` (within about 0.1 s), in worker processes by terminating the
    processes (SIGINT reaches the parent alone when it is sent to its pid, not to the terminal's
    process group; the work of a running task is lost, what is written stays)."""
    for future in futures:
        future.cancel()
    stops.request()
    if isinstance(pool, ProcessPoolExecutor) and not all(future.done() for future in futures):
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()


#: The stop functions of the local sweeps under way (in any thread).
_LIVE = set()


def _stop_live_sweeps():
    """At interpreter shutdown, before concurrent.futures joins the pools' threads: stops every
    local sweep still running (in a daemon thread), which would otherwise be waited for."""
    for stop in list(_LIVE):
        stop()


# threading's exit hooks run in reverse order of registration, so this one (registered after
# concurrent.futures registered its own, when it was imported above) runs before the pools are
# joined. atexit would be too late: it runs after threading has joined them.
threading._register_atexit(_stop_live_sweeps)


def _closed(client):
    """Whether a Dask client is closed or closing."""
    return getattr(client, "status", "running") in ("closing", "closed")


def run_task(task: Dict[str, Any], histories: bool = False) -> Dict[str, Any]:
    """Runs one task (a problem and its trials) where it is called — a Dask worker, a pool
    process — and returns its rows. Public so that any scheduler can call it."""
    start = time.perf_counter()
    spec = dict(task["problem"])
    kind = spec.pop("kind")
    problem = getattr(SensingProblem, kind)(**spec)
    settings = [run for _, run in task["trials"]]
    outcomes = _run_trials(problem, settings)
    seconds = (time.perf_counter() - start) / len(settings)
    rows = []
    for (trial, run), outcome in zip(task["trials"], outcomes):
        row = dict(trial=trial, **{("problem_seed" if name == "seed" else name): value for name, value in task["problem"].items()},
                   **run)
        row.update(_outcome(outcome, seconds, histories))
        rows.append(row)
    return dict(key=task["key"], rows=rows)


def _run_trials(problem, settings):
    """Each trial's Result or the error it was refused with: one batch, in which every trial makes
    the bits it would make alone; a refused trial is run alone again for its own message."""
    names = sorted(set().union(*settings))
    if all(set(run) == set(names) for run in settings):
        arguments = {name: [run[name] for run in settings] for name in names}
        common = {name: values[0] for name, values in arguments.items()
                  if name not in PER_TRIAL or all(v == values[0] for v in values)}
        varying = {name: values for name, values in arguments.items() if name not in common}
        if all(name in PER_TRIAL for name in varying):
            try:
                return gradient_descent_batch(problem, **common, **varying)
            except FactorSenseError as error:
                results = getattr(error, "results", None)
                if results is None:
                    raise
                return [result if result is not None else _alone(problem, run) for result, run in zip(results, settings)]
    return [_alone(problem, run) for run in settings]


def _alone(problem, run):
    try:
        return gradient_descent(problem, **run)
    except FactorSenseError as error:
        return error


def _outcome(outcome, seconds, histories):
    nan = float("nan")
    if isinstance(outcome, Exception):
        row = dict(stop_reason="error", iterations=0, final_loss=nan, final_test_error=nan, seconds=seconds,
                   recovered=False, alignment_end=nan, signal_end=nan, saddle_end=nan, plateau_start=nan,
                   plateau_level=nan, learning_times=[],
                   error=f"{type(outcome).__name__}: {outcome}")
        if histories:
            row.update(loss_history=[], test_error_history=[])
        return row
    phases = outcome.phases
    number = lambda value: nan if value is None else float(value)  # noqa: E731
    row = dict(stop_reason=outcome.stop_reason, iterations=outcome.iterations,
               final_loss=float(outcome.history["loss"][-1]), final_test_error=float(outcome.history["test_error"][-1]),
               seconds=seconds, recovered=phases.recovered, alignment_end=number(phases.alignment_end),
               signal_end=number(phases.signal_end), saddle_end=number(phases.saddle_end),
               plateau_start=number(phases.plateau_start), plateau_level=number(phases.plateau_level),
               learning_times=[number(t) for t in outcome.learning_iterations], error="")
    if histories:
        row.update(loss_history=[float(v) for v in outcome.history["loss"]],
                   test_error_history=[float(v) for v in outcome.history["test_error"]])
    return row


# ----------------------------------------------------------------------------------- the dataset

def _signature(problem, grid, common):
    return json.dumps(dict(problem=problem, grid=grid, common=common), sort_keys=True, default=_listed)


def _listed(value):
    if isinstance(value, (range, tuple, np.ndarray)):
        return [v.item() if isinstance(v, np.generic) else v for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return str(value)


def _read(path, problem, grid, common, tasks, columns):
    """The rows already in ``path`` of this sweep's tasks, by task key; refuses a directory of
    another sweep. A damaged marker is written again and a damaged part (unreadable, missing a
    column of ``columns``, not holding its task's trials) is left to be computed again, each
    with a DamagedSweepWarning that says what was wrong."""
    require("pandas", "dask", "fs.sweep(path=...)")
    require("pyarrow", "dask", "fs.sweep(path=...)")

    folder = Path(path)
    if folder.exists() and not folder.is_dir():
        raise InvalidArgumentError(f"path {str(folder)!r} exists and is not a directory")
    _claim(folder, _signature(problem, grid, common))
    trials = {task["key"]: sorted(trial for trial, _ in task["trials"]) for task in tasks}
    known = {}
    for part in sorted(folder.glob("part-*.parquet")):
        key = part.stem[len("part-"):]
        if key not in trials:
            continue  # not a task of this sweep
        rows, damage = _part_rows(part, trials[key], columns)
        if damage is not None:
            warnings.warn(f"the sweep part {str(part)!r} {damage}: its {len(trials[key])} trials are computed again",
                          DamagedSweepWarning, stacklevel=3)
            continue
        known[key] = rows
    return known


def _claim(folder, signature):
    """Makes ``folder`` the dataset of the sweep of ``signature``: creates it with its marker
    sweep.json, accepts it when the marker says so, refuses another sweep's or a folder of
    other files; a marker that is damaged or missing beside parts is written again (each part
    is named by a hash of its task, so only this sweep's own parts are read)."""
    marker = folder / "sweep.json"
    damage = None
    if marker.exists():
        try:
            recorded = json.loads(marker.read_text())["signature"]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as error:
            damage = f"is damaged ({type(error).__name__}: {error})"
        else:
            if recorded != signature:
                raise InvalidArgumentError(f"path {str(folder)!r} holds a sweep of other parameters "
                                           "(choose another path, or delete it to start over)")
            return
    elif folder.exists() and any(folder.iterdir()):
        if not any(folder.glob("part-*.parquet")):
            raise InvalidArgumentError(f"path {str(folder)!r} is not empty and holds no sweep")
        damage = "is missing beside the parts"
    if damage is not None:
        warnings.warn(f"the sweep marker {str(marker)!r} {damage}: it is written again for this sweep, whose "
                      "parts there are kept", DamagedSweepWarning, stacklevel=4)
    folder.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(dict(signature=signature)))


def _part_rows(part, trials, columns):
    """(the rows of a part, None), or (None, what is wrong with it)."""
    pd = require("pandas", "dask", "fs.sweep(path=...)")
    try:
        frame = pd.read_parquet(part)
    except Exception as error:  # noqa: BLE001 — pyarrow raises ArrowInvalid, OSError, …: each is damage
        return None, f"cannot be read ({type(error).__name__}: {error})"
    missing = [name for name in columns if name not in frame.columns]
    if missing:
        return None, f"lacks the column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
    held = sorted(int(t) for t in frame["trial"])
    if held != trials:
        return None, f"holds {len(held)} rows where its task has {len(trials)} trials ({trials[0]} … {trials[-1]})"
    return [_plain(row) for row in frame.to_dict("records")], None


def _plain(row):
    """A row read back from Parquet with lists as lists, and a NaN in a list (which Parquet
    stores as null) NaN again, as the computed row has it."""
    return {name: ([float("nan") if v is None else v for v in value] if isinstance(value, np.ndarray) else value)
            for name, value in row.items()}


def _write(path, finished):
    """One task's rows as one Parquet file, written whole then renamed (a killed sweep leaves no
    half-written part)."""
    pd = require("pandas", "dask", "fs.sweep(path=...)")
    require("pyarrow", "dask", "fs.sweep(path=...)")

    folder = Path(path)
    target = folder / f"part-{finished['key']}.parquet"
    scratch = folder / f".part-{finished['key']}.parquet.tmp"
    pd.DataFrame(finished["rows"]).to_parquet(scratch, index=False)
    os.replace(scratch, target)


def _bar(progress, total, done):
    """A function (done, total) -> None that shows progress; (None, None) closes it."""
    if callable(progress):
        return lambda d, t: None if d is None else progress(d, t)
    if not progress:
        return lambda d, t: None
    tqdm = require("tqdm.auto", "progress", "fs.sweep(progress=True)").tqdm
    bar = tqdm(total=total, initial=done, unit="trial", desc="sweep")
    state = dict(shown=done)

    def show(d, t):
        if d is None:
            bar.close()
            return
        bar.update(d - state["shown"])
        state["shown"] = d
    return show
