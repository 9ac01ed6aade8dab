"""FactorSense: low-rank matrix sensing by factorized gradient descent from small random
initialization.

>>> import factorsense as fs
>>> p = fs.SensingProblem.gaussian(n1=40, n2=30, rank=3, measurements=900, seed=0)
>>> r = fs.gradient_descent(p, width=10, init_scale=1e-3, step=0.5, max_iter=3000, seed=1)
>>> r.stop_reason
'max_iterations'
"""
from __future__ import annotations

from ._lib import lib as _clib
from .errors import (
    DamagedSweepWarning,
    FactorSenseError,
    InterruptedCallError,
    InvalidArgumentError,
    InvalidHandleError,
    LinearAlgebraError,
    NotFiniteError,
    OutOfMemoryError,
    SizeMismatchError,
    SizeOverflowError,
    WrongStateError,
)
from . import plot
from .averaging import average_seeds
from .history import History
from .plotting import plot_history
from .problem import SensingProblem
from .progress import Progress
from .result import Phases, Result
from .solvers import gradient_descent, gradient_descent_batch
from .sweep import sweep
from .flow import gradient_flow
from .predictions import Predictions, predict, spectrum
from .options import Option, option_table

__version__ = "0.5.0"


def library_version() -> str:
    """The version of the loaded libfactorsense, "MAJOR.MINOR.PATCH"."""
    return _clib.fs_version_string().decode()


__all__ = [
    "DamagedSweepWarning", "FactorSenseError", "InterruptedCallError", "InvalidArgumentError", "InvalidHandleError", "LinearAlgebraError", "NotFiniteError",
    "OutOfMemoryError", "SizeMismatchError", "SizeOverflowError", "WrongStateError", "History", "Phases",
    "Option", "Predictions", "Progress", "Result",
    "SensingProblem", "average_seeds", "gradient_descent", "gradient_descent_batch", "gradient_flow", "library_version",
    "option_table", "predict", "spectrum",
    "sweep", "plot", "plot_history",
]
