"""Seed averaging of a sweep's frame: the trials that differ only in their seed, summarized by the
mean and the spread of each numeric outcome — the error bars of a plot against α. Python-only by
nature (it reads a pandas frame, which only the Python package makes)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, Optional, Sequence, Tuple, Union

import numpy as np

from ._optional import require
from .errors import InvalidArgumentError

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped, unused-ignore]

#: Columns of a sweep frame that are neither parameters nor averaged by default.
NOT_PARAMETERS = ("trial", "stop_reason", "iterations", "final_loss", "final_test_error", "seconds", "recovered",
                  "alignment_end", "signal_end", "saddle_end", "plateau_start", "plateau_level", "learning_times",
                  "error", "loss_history", "test_error_history")

#: The numeric outcomes averaged by default, in this order (learning_times becomes one column per i).
DEFAULT_COLUMNS = ("final_test_error", "final_loss", "iterations", "recovered", "alignment_end", "signal_end",
                   "saddle_end", "plateau_start", "plateau_level", "learning_times", "seconds")


def average_seeds(frame: pandas.DataFrame, over: Union[str, Sequence[str]] = "seed", columns: Optional[Sequence[str]] = None,
                  band: Optional[Tuple[float, float]] = None) -> pandas.DataFrame:
    """The trials of a sweep frame grouped by every parameter but the seed, and for each numeric
    outcome its mean, sample standard deviation and count over the seeds (and a quantile band).

    Parameters
    ----------
    frame : pandas.DataFrame
        A frame of :func:`sweep` (or any frame of one row per trial).
    over : str or list of str
        The column(s) averaged over: ``"seed"`` (the initialization's seed, the default);
        ``["seed", "problem_seed"]`` averages over problems drawn with other seeds too.
    columns : list of str, optional
        The numeric columns to summarize; default: those of ``final_test_error``, ``final_loss``,
        ``iterations``, ``recovered`` (its mean is the fraction of seeds that recovered), the
        phase ends, ``plateau_level``, ``learning_times`` and ``seconds`` the frame holds.
        ``learning_times`` (a list a row) is summarized as ``learning_time_1``, ``learning_time_2``, …
    band : (low, high), optional
        Quantiles 0 ≤ low < high ≤ 1 of each column over the seeds, as ``<column>_low`` and
        ``<column>_high`` (numpy's and pandas' linear interpolation); e.g. (0.1, 0.9).

    Returns
    -------
    pandas.DataFrame
        One row per group, in the order the groups first appear (a sweep's grid order): the
        group's parameters — every column but ``over``, ``trial``, the outcomes and the summarized
        ones — then for each summarized column ``<column>_mean``, ``<column>_std`` (sample standard
        deviation, ddof = 1: NaN for a single value) and ``<column>_count`` (the values that
        entered), and with ``band`` ``<column>_low``, ``<column>_high``. Missing values — NaN, a
        phase a seed did not show — are left out of all of them, so ``saddle_end_count`` is the
        number of seeds that showed the end of (II). Rows with stop reason "error" (trials the
        library refused) are not runs and are left out altogether. The standard error of the mean
        is ``std / sqrt(count)``.

    Raises
    ------
    InvalidArgumentError
        ``frame`` not a DataFrame; ``over`` or a column not in it; a column not numeric; a band
        that is not two quantiles 0 ≤ low < high ≤ 1.

    Examples
    --------
    >>> df = fs.sweep(problem=dict(n1=20, n2=15, rank=2, measurements=300, seed=0),     # doctest: +SKIP
    ...               grid=dict(seed=range(5), init_scale=[1e-4, 1e-3, 1e-2]), width=6, step=0.5)
    >>> fs.average_seeds(df)[["init_scale", "final_test_error_mean", "final_test_error_std"]]  # doctest: +SKIP
    """
    pd = require("pandas", "dask", "fs.average_seeds")
    if not isinstance(frame, pd.DataFrame):
        raise InvalidArgumentError(f"frame must be a pandas DataFrame (of fs.sweep), got {type(frame).__name__}")
    over = [over] if isinstance(over, str) else list(over)
    for name in over:
        _check_column(frame, name, "over")
    band = _check_band(band)
    rows = frame[frame["stop_reason"] != "error"] if "stop_reason" in frame else frame
    chosen = list(columns) if columns is not None else [c for c in DEFAULT_COLUMNS if c in frame]
    values = _numeric(rows, chosen, pd)
    keys = [c for c in frame.columns if c not in over and c not in NOT_PARAMETERS and c not in chosen]
    groups = values.groupby([rows[k] for k in keys] if keys else np.zeros(len(rows)), sort=False, dropna=False)
    summaries = {"mean": groups.mean(), "std": groups.std(ddof=1), "count": groups.count()}
    if band is not None:
        summaries.update(low=groups.quantile(band[0]), high=groups.quantile(band[1]))
    out = pd.concat({f"{column}_{what}": summary[column] for column in values.columns
                     for what, summary in summaries.items()}, axis=1)
    return out.reset_index(names=keys) if keys else out.reset_index(drop=True)


def _check_column(frame: pandas.DataFrame, name: str, role: str) -> None:
    if name not in frame.columns:
        raise InvalidArgumentError(f"{role} names {name!r}, which is not a column of the frame; its columns are "
                                   f"{', '.join(map(str, frame.columns))}")


def _check_band(band: Any) -> Optional[Tuple[float, float]]:
    if band is None:
        return None
    ok = isinstance(band, (tuple, list)) and len(band) == 2 and all(
        isinstance(q, (int, float, np.integer, np.floating)) and not isinstance(q, bool) for q in band)
    if not ok or not 0 <= band[0] < band[1] <= 1:
        raise InvalidArgumentError(f"band must be two quantiles (low, high) with 0 ≤ low < high ≤ 1, e.g. (0.1, 0.9); "
                                   f"got {band!r}")
    return float(band[0]), float(band[1])


def _numeric(rows: pandas.DataFrame, columns: Sequence[str], pd: Any) -> pandas.DataFrame:
    """The columns as floats, one frame; ``learning_times`` lists spread over learning_time_i."""
    parts = {}
    for name in columns:
        _check_column(rows, name, "columns")
        if name == "learning_times":
            parts.update(_learning_times(rows[name]))
        elif pd.api.types.is_bool_dtype(rows[name]) or pd.api.types.is_numeric_dtype(rows[name]):
            parts[name] = rows[name].astype(float)
        else:
            raise InvalidArgumentError(f"column {name!r} is not numeric (dtype {rows[name].dtype}): "
                                       f"columns takes numeric columns")
    return pd.DataFrame(parts, index=rows.index)


def _learning_times(column: pandas.Series) -> Dict[str, pandas.Series]:
    """learning_time_1 … learning_time_r: the i-th entry of each row's list, NaN when shorter."""
    count = max((len(times) for times in column), default=0)
    return {f"learning_time_{i + 1}": column.map(lambda times, i=i: float(times[i]) if i < len(times) else np.nan)
            for i in range(count)}
