"""Ownership of a C handle: created by one call, released exactly once, by ``close()``, ``with``
or garbage collection."""
from __future__ import annotations

import ctypes
import weakref
from typing import Any, Callable, Optional, TypeVar

from .errors import check

_H = TypeVar("_H", bound="Handle")


def new_handle(create: Callable[[Any], int]) -> Optional[int]:
    """A new handle from ``create(&out)``."""
    handle = ctypes.c_void_p()
    check(create(ctypes.byref(handle)), None)
    return handle.value


class Handle:
    """Owns one libfactorsense handle and frees it with ``free`` when no longer needed."""

    def __init__(self, handle: Optional[int], free: Callable[[Optional[int]], object]) -> None:
        self._handle = handle
        self._finalizer = weakref.finalize(self, free, handle)

    @property
    def handle(self) -> Optional[int]:
        """The raw handle, for ctypes calls."""
        return self._handle

    def close(self) -> None:
        """Releases the C handle now (also done by ``with`` and by garbage collection)."""
        self._finalizer()

    def __enter__(self: _H) -> _H:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
