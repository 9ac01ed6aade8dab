"""Ownership of a C handle: created by one call, released exactly once, by ``close()``, ``with``
or garbage collection."""
import ctypes
import weakref

from .errors import check


def new_handle(create):
    """A new handle from ``create(&out)``."""
    handle = ctypes.c_void_p()
    check(create(ctypes.byref(handle)), None)
    return handle.value


class Handle:
    """Owns one libfactorsense handle and frees it with ``free`` when no longer needed."""

    def __init__(self, handle, free):
        self._handle = handle
        self._finalizer = weakref.finalize(self, free, handle)

    @property
    def handle(self):
        """The raw handle, for ctypes calls."""
        return self._handle

    def close(self):
        """Releases the C handle now (also done by ``with`` and by garbage collection)."""
        self._finalizer()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
