"""Turning user input into the C-contiguous float64 / int64 arrays the C calls read."""
import numpy as np

from .errors import InvalidArgumentError, NotFiniteError, SizeMismatchError


def doubles(value, name, shape=None):
    """``value`` as a C-contiguous float64 array (any layout or dtype numpy converts), checked
    against ``shape`` (a tuple; None entries match anything)."""
    if np.iscomplexobj(value):
        raise InvalidArgumentError(f"{name} must be real; complex input would lose its imaginary part")
    try:
        array = np.ascontiguousarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InvalidArgumentError(f"{name} must be an array of real numbers: {error}") from None
    if shape is not None:
        expected = tuple(shape)
        if array.ndim != len(expected) or any(e is not None and e != a for e, a in zip(expected, array.shape)):
            shown = "×".join("any" if e is None else str(e) for e in expected)
            raise SizeMismatchError(f"{name} must have shape ({shown}), got {array.shape}")
    return array


def finite(array, name):
    """Raises NotFiniteError naming the first NaN or infinity of ``array``."""
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        index = np.unravel_index(bad[0], array.shape)
        raise NotFiniteError(f"{name} has a non-finite entry {array[index]} at index {tuple(int(i) for i in index)}")
    return array


def indices(value, name):
    """``value`` as a C-contiguous int64 vector of whole numbers."""
    array = np.asarray(value)
    if array.ndim != 1:
        raise SizeMismatchError(f"{name} must be a vector, got shape {array.shape}")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        if not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise InvalidArgumentError(f"{name} must hold whole numbers")
    return np.ascontiguousarray(array, dtype=np.int64)
