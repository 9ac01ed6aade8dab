"""Plots of a run's history with matplotlib (imported only when a plot is drawn)."""
import numpy as np


from ._optional import require


def plot_history(result, ax=None, columns=("loss", "test_error"), x="iteration"):
    """Plots history columns of ``result`` against ``x`` ("iteration" or "time") on a log scale.

    Columns that are all NaN (a test error without ground truth) are left out. Returns the Axes.
    """
    plt = require("matplotlib.pyplot", "plot", "fs.plot_history")

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name in columns:
        values = result.history[name]
        if np.all(np.isnan(values)):
            continue
        ax.semilogy(result.history[x], values, label=name.replace("_", " "))
    ax.set_xlabel("iteration t" if x == "iteration" else "time η·t")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    ax.set_title(f"stopped: {result.stop_reason} after {result.iterations} iterations")
    return ax
