"""Exceptions carrying the C library's own messages.

Every failed C call becomes a :class:`FactorSenseError` whose message is
``fs_last_error(handle)`` (or the status text when there is no handle to ask). Subclasses are
also the built-in exception a Python user expects, so ``except ValueError`` works.
"""
from __future__ import annotations

from typing import Dict, Optional, Type

from ._lib import lib


class FactorSenseError(Exception):
    """A call into libfactorsense failed; ``status`` is the C ``fs_status``."""

    #: The C ``fs_status`` of the failed call (None for a refusal made by the Python package).
    status: Optional[int]

    def __init__(self, message: str, status: Optional[int] = None) -> None:
        super().__init__(message)
        self.status = status


class InvalidHandleError(FactorSenseError, ValueError):
    """A NULL, freed or wrong-kind handle (FS_ERROR_INVALID_HANDLE)."""


class InvalidArgumentError(FactorSenseError, ValueError):
    """A value outside its domain (FS_ERROR_INVALID_ARGUMENT)."""


class SizeMismatchError(FactorSenseError, ValueError):
    """An array whose shape does not fit the problem (FS_ERROR_SIZE_MISMATCH)."""


class NotFiniteError(FactorSenseError, ValueError):
    """NaN or infinity in an input (FS_ERROR_NOT_FINITE)."""


class SizeOverflowError(FactorSenseError, OverflowError):
    """A size product too large to represent or index (FS_ERROR_OVERFLOW)."""


class OutOfMemoryError(FactorSenseError, MemoryError):
    """An allocation larger than the machine's memory (FS_ERROR_OUT_OF_MEMORY)."""


class WrongStateError(FactorSenseError, RuntimeError):
    """A call before the object holds what it needs (FS_ERROR_WRONG_STATE)."""


class LinearAlgebraError(FactorSenseError, ArithmeticError):
    """A LAPACK routine failed (FS_ERROR_LINEAR_ALGEBRA)."""


class InterruptedCallError(FactorSenseError):
    """A long call stopped by ``fs_interrupt`` before it had a result (FS_ERROR_INTERRUPTED).

    Ctrl-C during a long call raises KeyboardInterrupt; when the call stopped for it, this is
    the KeyboardInterrupt's ``__cause__``, with the library's message."""


class DamagedSweepWarning(UserWarning):
    """A file of a sweep's ``path=`` folder was damaged (unreadable, truncated, missing columns
    or rows): the message says which and what was wrong; its trials are computed again."""


# fs_status value → exception class (the values are pinned in the header).
_BY_STATUS: Dict[int, Type[FactorSenseError]] = {
    2: InvalidHandleError,
    3: InvalidArgumentError,
    4: SizeMismatchError,
    5: NotFiniteError,
    6: SizeOverflowError,
    7: OutOfMemoryError,
    8: WrongStateError,
    9: LinearAlgebraError,
    11: InterruptedCallError,
}


def check(status: int, handle: Optional[int]) -> None:
    """Raises the exception of ``status`` (with the handle's message) unless it is FS_OK."""
    if status == 0:
        return
    message = lib.fs_last_error(handle).decode() if handle else ""
    if not message:
        message = lib.fs_status_string(status).decode()
    raise _BY_STATUS.get(status, FactorSenseError)(message, status)
