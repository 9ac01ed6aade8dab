"""The C progress callback: the user's callback, a tqdm bar, and Ctrl-C.

The C library calls back at every recorded iterate and at least every 0.1 s. Python runs its
SIGINT handler only between bytecodes, so Ctrl-C raises KeyboardInterrupt inside this callback;
it is caught here (an exception must never unwind through C), the run is stopped by returning
nonzero, and the exception is raised again once the C call has returned, with the partial result.
"""
from dataclasses import dataclass

from ._lib import PROGRESS_CALLBACK


@dataclass(frozen=True)
class Progress:
    """What a callback sees of iterate t: ``iteration`` (t), ``max_iterations``, ``loss``,
    ``test_error`` (NaN without a ground truth) and ``residual`` (‖𝒜X − y‖/‖y‖)."""

    iteration: int
    max_iterations: int
    loss: float
    test_error: float
    residual: float


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

    def _call(self, _user, progress_pointer):
        try:
            p = progress_pointer.contents
            info = Progress(p.iteration, p.max_iterations, p.loss, p.test_error, p.residual)
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

    def close(self):
        """Closes the progress bar."""
        if self.bar is not None:
            self.bar.close()
