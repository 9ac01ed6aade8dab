"""The C progress callback (the user's callback, a tqdm bar) and Ctrl-C during long calls.

Ctrl-C: Python runs signal handlers only in the main thread, between bytecodes — never while a
ctypes call runs — and an exception must never unwind through C. So a long call made from the
main thread runs in a worker thread while the main thread waits in short slices; the
KeyboardInterrupt raised there calls ``fs_interrupt`` on the handle the call fills, which stops
the call within about 0.1 s; once it has returned, the KeyboardInterrupt is raised again. From
any other thread (where Ctrl-C never arrives) and for small calls, the call runs directly; a
thread working for the main one (``fs.sweep``'s threads) runs its calls under a
:class:`ThreadStops`, through which the main thread stops them all.

Exceptions from the user's callback stop the run (stop reason "callback") and are raised once
the C call has returned, with the partial result attached.
"""
from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, ContextManager, Dict, List, NoReturn, Optional, Tuple, Union

import numpy as np

from . import _scalars
from ._lib import PROGRESS_CALLBACK, fs_progress, lib
from ._optional import require

if TYPE_CHECKING:
    from ._types import FloatArray, Integer, ProgressCallback

#: Calls with less work than this (values drawn or copied) run directly: they end within
#: milliseconds, and a Ctrl-C is then raised as soon as they return.
SMALL_CALL = 1 << 20

#: How long the main thread waits for the worker between two looks for Ctrl-C (seconds).
WAIT_SLICE = 0.05

#: The fs_status FS_ERROR_INTERRUPTED.
FS_ERROR_INTERRUPTED = 11


class ThreadStops:
    """Stops the long calls of a group of threads on request: each thread runs its calls inside
    ``with stops.watching():``, and :meth:`request` (from any thread) calls ``fs_interrupt`` on the
    handles of every call under way in the group — and of every call that starts afterwards, at
    once. A stopped run ends with stop reason "interrupted" (a generation raises
    InterruptedError), as after Ctrl-C."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handles: Dict[int, List[Optional[int]]] = {}  # thread id → the handles its running call fills
        self.requested = False

    def request(self) -> None:
        with self._lock:
            self.requested = True
            for handles in self._handles.values():
                for each in handles:
                    lib.fs_interrupt(each)

    def watching(self) -> ContextManager[None]:
        """A context manager: calls made in it by this thread can be stopped by :meth:`request`."""
        stops = self

        class Scope:
            def __enter__(self) -> None:
                _watch.stops = stops

            def __exit__(self, *exc: object) -> None:
                _watch.stops = None

        return Scope()

    def _call(self, call: Callable[[], int], handles: List[Optional[int]]) -> int:
        key = threading.get_ident()
        with self._lock:
            self._handles[key] = handles
            if self.requested:
                for each in handles:
                    lib.fs_interrupt(each)
        try:
            return call()
        finally:
            with self._lock:
                self._handles.pop(key, None)


#: The ThreadStops this thread's calls run under (ThreadStops.watching), if any.
_watch = threading.local()


def call_interruptibly(call: Callable[[], int], handle: Union[Optional[int], List[Optional[int]]],
                       work: int = SMALL_CALL) -> Tuple[int, Optional[BaseException]]:
    """Runs ``call()`` — one ctypes call into a long FactorSense call that fills ``handle`` (or
    each handle of a list) — so that Ctrl-C stops it. Returns ``(status, interrupt)``: the call's
    fs_status, and the exception (KeyboardInterrupt, or whatever a signal handler raised) that
    interrupted the wait, or None. The call has returned in either case."""
    handles = handle if isinstance(handle, list) else [handle]
    if threading.current_thread() is not threading.main_thread():
        stops = getattr(_watch, "stops", None)
        return (call() if stops is None else stops._call(call, handles)), None
    if work < SMALL_CALL:
        return call(), None
    outcome = []
    # Not Thread.join: in Python < 3.13 a join interrupted by Ctrl-C may mark a running thread as
    # stopped. A plain lock, released by the worker when the call has returned, cannot be fooled.
    finished = threading.Lock()
    finished.acquire()

    def work():
        try:
            outcome.append((call(), None))
        except BaseException as error:  # noqa: BLE001 — a ctypes conversion error, raised below
            outcome.append((None, error))
        finally:
            finished.release()

    threading.Thread(target=work, name="factorsense-call", daemon=True).start()
    interrupt = None
    try:
        while not outcome:  # the worker appends its outcome, then releases `finished`
            finished.acquire(timeout=WAIT_SLICE)
    except BaseException as caught:  # noqa: BLE001 — re-raised by the caller once C returned
        interrupt = caught
        for each in handles:
            lib.fs_interrupt(each)
        while not outcome:  # the call reads the caller's arrays: never leave it running
            try:
                finished.acquire(timeout=WAIT_SLICE)
            except BaseException:  # noqa: BLE001 — a second Ctrl-C: ask again, keep waiting
                for each in handles:
                    lib.fs_interrupt(each)
    status, error = outcome[0]
    if error is not None:
        raise error
    return status, interrupt


def raise_interrupt(interrupt: BaseException, status: int, handle: Optional[int]) -> NoReturn:
    """Raises ``interrupt`` again; when the C call stopped for it (FS_ERROR_INTERRUPTED), its
    message becomes the exception's ``__cause__`` (an :class:`InterruptedCallError`)."""
    from .errors import InterruptedCallError

    if status == FS_ERROR_INTERRUPTED:
        interrupt.__cause__ = InterruptedCallError(lib.fs_last_error(handle).decode(), status)
    raise interrupt


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
    U: Optional[FloatArray] = None
    V: Optional[FloatArray] = None


class ProgressRelay:
    """Holds the ctypes callback alive for one run and remembers what it caught."""

    def __init__(self, callback: Optional[ProgressCallback] = None, progress: object = False, max_iter: Integer = 0) -> None:
        self.callback = callback
        self.caught = None
        self.bar = None
        if _scalars.flag(progress, "progress"):
            tqdm = require("tqdm.auto", "progress", "progress=True").tqdm
            self.bar = tqdm(total=max_iter, unit="it", desc="gradient descent")
        self.c_callback = PROGRESS_CALLBACK(self._call)

    def __enter__(self) -> ProgressRelay:
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.bar is not None:
            self.bar.close()

    def _call(self, _user: object, progress_pointer: Any) -> int:
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


def _factor(pointer: Any, rows: int, columns: int) -> FloatArray:
    """A numpy copy of the rows × columns factor the C library lends during a callback."""
    if not pointer or rows * columns == 0:
        return np.empty((rows, columns))
    return np.ctypeslib.as_array(pointer, shape=(rows * columns,)).reshape(rows, columns).copy()
