"""``fs.plot_history``, the 0.1 name of :func:`factorsense.plot.loss`."""
from . import plot


def plot_history(result, ax=None, columns=("loss", "test_error"), x="iteration", time_axis=None):
    """History ``columns`` of ``result`` against ``x`` ("iteration" or "time") on a log scale,
    the phases shaded: :func:`factorsense.plot.loss`, under its 0.1 name. Columns that are all
    NaN (a test error without ground truth) are left out. Returns the Axes."""
    return plot.loss(result, ax=ax, x=x, columns=columns, time_axis=time_axis)
