"""Turning user scalars into the int64, uint64 and double values the C calls take.

Python ints, numpy integers and whole floats (``3.0``) are whole numbers; bools, strings and
fractions are refused rather than silently converted (``int(1.7)`` would be 1).
"""
import numbers

import numpy as np

from .errors import InvalidArgumentError


def whole(value, name):
    """``value`` as a Python int in the int64 range [−2⁶³, 2⁶³)."""
    value = _integer(value, name)
    if not -(2**63) <= value < 2**63:
        raise OverflowError(f"{name} = {value} does not fit a 64-bit integer")
    return value


def real(value, name):
    """``value`` as a Python float (NaN and infinity pass; the C library refuses them by name)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InvalidArgumentError(f"{name} must be a real number, got {value!r}")
    return float(value)


def seed(value):
    """A seed in [0, 2⁶⁴) as a Python int (the C library reads seeds as uint64_t)."""
    value = _integer(value, "seed")
    if not 0 <= value < 2**64:
        raise InvalidArgumentError(f"seed must be in [0, 2**64), got {value}")
    return value


def seed_as_int64(value):
    """A seed in [0, 2⁶⁴) as the int64 with the same bits (two's complement), for the "seed"
    integer option, which the library reads back as unsigned."""
    value = seed(value)
    return value - 2**64 if value >= 2**63 else value


def _integer(value, name):
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    raise InvalidArgumentError(f"{name} must be a whole number, got {value!r}")
