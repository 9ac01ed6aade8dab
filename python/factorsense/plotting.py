"""``fs.plot_history``, the 0.1 name of :func:`factorsense.plot.loss` (deprecated since 0.7)."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Optional, Sequence

from . import plot

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from .result import Result


def plot_history(result: Result, ax: Optional[Axes] = None, columns: Sequence[str] = ("loss", "test_error"),
                 x: str = "iteration", time_axis: Optional[str] = None) -> Axes:
    """History ``columns`` of ``result`` against ``x`` ("iteration" or "time") on a log scale,
    the phases shaded: :func:`factorsense.plot.loss`, under its 0.1 name. Columns that are all
    NaN (a test error without ground truth) are left out. Returns the Axes.

    Deprecated since 0.7: call :func:`factorsense.plot.loss` (a DeprecationWarning says so)."""
    warnings.warn("fs.plot_history is deprecated: call fs.plot.loss (the same plot)", DeprecationWarning, stacklevel=2)
    return plot.loss(result, ax=ax, x=x, columns=columns, time_axis=time_axis)
