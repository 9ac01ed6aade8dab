"""Turning user input into the C-contiguous float64 / int64 arrays the C calls read."""
from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np
import numpy.typing as npt

from .errors import InvalidArgumentError, NotFiniteError, SizeMismatchError


def is_sparse(value: object) -> bool:
    """Whether ``value`` is a scipy.sparse matrix or array (without importing scipy)."""
    return hasattr(value, "tocoo") and hasattr(value, "toarray") and hasattr(value, "format")


def doubles(value: Any, name: str, shape: Optional[Sequence[Optional[int]]] = None,
            dtype: npt.DTypeLike = np.float64) -> npt.NDArray[Any]:
    """``value`` as a C-contiguous float64 array (any layout or dtype numpy converts), checked
    against ``shape`` (a tuple; None entries match anything). A scipy.sparse matrix is
    converted to its dense array. ``dtype=np.float32`` makes a float32 array instead (values
    rounded to nearest)."""
    if is_sparse(value):
        value = value.toarray()
    if np.iscomplexobj(value):
        raise InvalidArgumentError(f"{name} must be real; complex input would lose its imaginary part")
    try:
        array = np.ascontiguousarray(value, dtype=dtype)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(f"{name} must be an array of real numbers: {error}") from None
    if shape is not None:
        expected = tuple(shape)
        if array.ndim != len(expected) or any(e is not None and e != a for e, a in zip(expected, array.shape)):
            shown = "×".join("any" if e is None else str(e) for e in expected)
            raise SizeMismatchError(f"{name} must have shape ({shown}), got {array.shape}")
    return array


def finite(array: npt.NDArray[Any], name: str) -> npt.NDArray[Any]:
    """Raises NotFiniteError naming the first NaN or infinity of ``array``."""
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        index = np.unravel_index(bad[0], array.shape)
        raise NotFiniteError(f"{name} has a non-finite entry {array[index]} at index {tuple(int(i) for i in index)}")
    return array


def indices(value: Any, name: str, bound: Optional[int] = None) -> npt.NDArray[np.int64]:
    """``value`` as a C-contiguous int64 vector of whole numbers, each in [0, bound) when a
    bound is given. An index outside is reported as the number it is (a uint64 of 2⁶³ is not
    wrapped to a negative int64 first)."""
    array = np.asarray(value)
    if array.ndim != 1:
        raise SizeMismatchError(f"{name} must be a vector, got shape {array.shape}")
    if array.dtype == np.bool_ or not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        if array.size:
            raise InvalidArgumentError(f"{name} must hold whole numbers, got dtype {array.dtype}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise InvalidArgumentError(f"{name} must hold whole numbers")
    if array.size:
        low, high = array.min(), array.max()
        limit = 2**63 if bound is None else bound
        if low < 0 or high >= limit:
            bad = int(np.flatnonzero((array < 0) | (array >= limit))[0])
            value = array[bad]
            shown = int(value) if np.issubdtype(array.dtype, np.integer) else float(value)
            where = f"[0, {bound})" if bound is not None else "[0, 2**63)"
            raise InvalidArgumentError(f"{name}[{bad}] = {shown} is outside {where}")
    return np.ascontiguousarray(array, dtype=np.int64)
