"""The C progress callback: the user's callback, a tqdm bar, and Ctrl-C.

The C library calls back at every recorded iterate and at least every 0.1 s. Python runs signal
handlers only between bytecodes — here, inside this callback — and an exception must never
unwind through C. So during a run (in the main thread) SIGINT only sets a flag; the callback
sees it and stops the run by returning nonzero, and KeyboardInterrupt is raised once the C call
has returned, with the partial result attached. Exceptions from the user's callback are kept
and raised the same way.
"""
import ctypes
import signal
import threading
from dataclasses import dataclass

import numpy as np

from ._lib import PROGRESS_CALLBACK, fs_progress


@dataclass(frozen=True)
class Progress:
    """What a callback sees of iterate t: ``iteration`` (t), ``max_iterations``, ``loss``,
    ``test_error`` (NaN without a ground truth), ``residual`` (‖𝒜X − y‖/‖y‖), and the factors
    ``U`` (n1 × k) and ``V`` (n2 × k; U for a PSD problem), copies the callback may keep."""

    iteration: int
    max_iterations: int
    loss: float
    test_error: float
    residual: float
    U: np.ndarray = None
    V: np.ndarray = None


class ProgressRelay:
    """Holds the ctypes callback alive for one run and remembers what it caught."""

    def __init__(self, callback=None, progress=False, max_iter=0):
        self.callback = callback
        self.caught = None
        self.bar = None
        if progress:
            from tqdm.auto import tqdm

            self.bar = tqdm(total=max_iter, unit="it", desc="gradient descent")
        self.c_callback = PROGRESS_CALLBACK(self._call)
        self.installed = False
        self.previous_handler = None

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self.previous_handler = signal.signal(signal.SIGINT, self._interrupt)
            self.installed = True
        return self

    def __exit__(self, *exc_info):
        if self.installed:
            # signal.signal gives None for a handler not set from Python; restore the default then.
            signal.signal(signal.SIGINT, self.previous_handler if self.previous_handler is not None
                          else signal.default_int_handler)
        if self.bar is not None:
            self.bar.close()

    def _interrupt(self, signum, frame):
        if self.caught is None:
            self.caught = KeyboardInterrupt()

    def _call(self, _user, progress_pointer):
        if self.caught is not None:
            return 1
        try:
            p = progress_pointer.contents
            if p.struct_size < ctypes.sizeof(fs_progress):
                raise RuntimeError(f"the library's fs_progress has {p.struct_size} bytes, fewer than the "
                                   f"{ctypes.sizeof(fs_progress)} this package reads")
            info = Progress(p.iteration, p.max_iterations, p.loss, p.test_error, p.residual,
                            _factor(p.U, p.n1, p.width), _factor(p.V, p.n2, p.width))
            if self.bar is not None:
                self.bar.update(info.iteration - self.bar.n)
                self.bar.set_postfix(loss=f"{info.loss:.3e}", test_error=f"{info.test_error:.3e}", refresh=False)
            if self.callback is not None and self.callback(info):
                return 1
            return 0
        except StopIteration:
            return 1
        except BaseException as error:  # noqa: BLE001 — nothing may unwind through C
            self.caught = error
            return 1


def _factor(pointer, rows, columns):
    """A numpy copy of the rows × columns factor the C library lends during a callback."""
    if not pointer or rows * columns == 0:
        return np.empty((rows, columns))
    return np.ctypeslib.as_array(pointer, shape=(rows * columns,)).reshape(rows, columns).copy()
