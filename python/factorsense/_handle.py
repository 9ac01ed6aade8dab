"""Ownership of a C handle: released exactly once, by ``close()``, ``with`` or garbage collection."""
import weakref


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
