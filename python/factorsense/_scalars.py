"""Turning user scalars into the int64, uint64 and double values the C calls take.

Python ints, numpy integers, whole floats (``3.0``) and 0-d arrays of them are whole numbers; bools, strings and
fractions are refused rather than silently converted (``int(1.7)`` would be 1). Text goes to C
as UTF-8 and must not contain NUL, which would end the C string early. Messages show at most
``ECHO_LIMIT`` characters of a caller's value.
"""
from __future__ import annotations

import numbers

import numpy as np

from .errors import InvalidArgumentError

#: The longest part of a caller's value that an error message repeats.
ECHO_LIMIT = 64


def shown(value: object) -> str:
    """``repr(value)`` for a message, cut to ECHO_LIMIT characters and "…" when longer."""
    try:
        text = repr(value)
    except Exception:  # a hostile __repr__ must not hide the real error
        text = f"<{type(value).__name__}>"
    return text if len(text) <= ECHO_LIMIT else text[:ECHO_LIMIT] + f"… ({len(text)} characters)"


def text(value: object, name: str) -> bytes:
    """``value``, a str, as the NUL-terminated UTF-8 bytes a C call reads.

    C sees a string only up to its first NUL, so ``"spectral\\0junk"`` would silently become
    ``"spectral"``: text with an embedded NUL is refused here instead.
    """
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a string, got {shown(value)}")
    position = value.find("\0")
    if position >= 0:
        raise InvalidArgumentError(f"{name} contains a NUL character at position {position} "
                                   f"(C strings end there): {shown(value)}")
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise InvalidArgumentError(f"{name} is not valid Unicode text ({error.reason}): {shown(value)}") from None


def whole(value: object, name: str) -> int:
    """``value`` as a Python int in the int64 range [−2⁶³, 2⁶³); beyond it InvalidArgumentError
    names the option (ctypes would wrap 2⁶⁴ + 50 to 50 without a word)."""
    value = _integer(value, name)
    if not -(2**63) <= value < 2**63:
        raise InvalidArgumentError(f"{name} = {shown(value)} does not fit a 64-bit integer [-2**63, 2**63)")
    return value


def flag(value: object, name: str) -> bool:
    """``value``, a bool or numpy bool, as a Python bool. Anything else is refused: ``"False"``
    is a non-empty string and would count as True, 1 or None hide a misplaced argument."""
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name} must be True or False, got {shown(value)}")
    return bool(value)


def real(value: object, name: str) -> float:
    """``value`` as a Python float (NaN and infinity pass; the C library refuses them by name)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(f"{name} must be a real number, got {shown(value)}")
    return float(value)


def seed(value: object) -> int:
    """A seed in [0, 2⁶⁴) as a Python int (the C library reads seeds as uint64_t)."""
    value = _integer(value, "seed")
    if not 0 <= value < 2**64:
        raise InvalidArgumentError(f"seed must be in [0, 2**64), got {value}")
    return value


def seed_as_int64(value: object) -> int:
    """A seed in [0, 2⁶⁴) as the int64 with the same bits (two's complement), for the "seed"
    integer option, which the library reads back as unsigned."""
    value = seed(value)
    return value - 2**64 if value >= 2**63 else value


def _integer(value: object, name: str) -> int:
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]  # a 0-d array (np.array(3), what np.sum and friends may give) as its numpy scalar
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name} must be a whole number, got {shown(value)}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    raise InvalidArgumentError(f"{name} must be a whole number, got {shown(value)}")
