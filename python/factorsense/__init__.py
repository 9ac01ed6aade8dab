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

__version__ = "0.7.0"


def library_version() -> str:
    """The version of the loaded libfactorsense, "MAJOR.MINOR.PATCH"."""
    return _clib.fs_version_string().decode()


def kernel_instruction_set() -> str:
    """The instruction set the dense operators' kernels run on: ``"avx512"``, ``"avx2"`` or
    ``"baseline"``.

    The best this machine runs, chosen when the library is loaded. The environment variable
    ``FACTORSENSE_KERNEL_ISA`` set to one of the three names before ``import factorsense``
    chooses that one instead, when the machine runs it (otherwise the best). Every instruction
    set gives the same bits; only the speed differs.

    Examples
    --------
    >>> import factorsense as fs
    >>> fs.kernel_instruction_set() in ("avx512", "avx2", "baseline")
    True
    """
    return _clib.fs_kernel_instruction_set().decode()


__all__ = [
    "DamagedSweepWarning", "FactorSenseError", "InterruptedCallError", "InvalidArgumentError", "InvalidHandleError", "LinearAlgebraError", "NotFiniteError",
    "OutOfMemoryError", "SizeMismatchError", "SizeOverflowError", "WrongStateError", "History", "Phases",
    "Option", "Predictions", "Progress", "Result",
    "SensingProblem", "average_seeds", "gradient_descent", "gradient_descent_batch", "gradient_flow", "kernel_instruction_set", "library_version",
    "option_table", "predict", "spectrum",
    "sweep", "plot", "plot_history",
]
