"""The type aliases of the package's public signatures, for type checkers (``py.typed``).

The modules import this one only under ``typing.TYPE_CHECKING`` (their annotations are strings,
``from __future__ import annotations``), so nothing here runs when the package is imported.
The aliases say what the run-time checks accept: numpy scalars as well as Python ones.
"""
from typing import TYPE_CHECKING, Any, Callable, Tuple, Union

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from .progress import Progress

#: A whole number: a Python int or a numpy integer (whole floats and 0-d arrays pass at run time too).
Integer = Union[int, "np.integer[Any]"]

#: A real number: a Python float or int, a numpy float or integer.
Real = Union[float, "np.floating[Any]", "np.integer[Any]"]

#: A flag: a bool or a numpy bool (``"False"``, 1 or None are refused at run time).
Flag = Union[bool, "np.bool_"]

#: The float64 arrays the package returns.
FloatArray = npt.NDArray[np.float64]

#: A target of a generator: a matrix, or factors (L, s) or (L, s, R) (docs/targets.md).
Target = Union[npt.ArrayLike, Tuple[npt.ArrayLike, ...]]

#: Held-out entries (rows, columns, values) of ``validation=``.
Validation = Tuple[npt.ArrayLike, npt.ArrayLike, npt.ArrayLike]

#: A shape (n1, n2).
Shape = Tuple[Integer, Integer]

#: A progress callback: gets a :class:`factorsense.Progress`; a true return value stops the run.
ProgressCallback = Callable[["Progress"], object]
