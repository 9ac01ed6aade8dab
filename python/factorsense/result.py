"""The outcome of a run, copied out of the C result into plain numpy arrays."""
from ctypes import byref, c_char_p, c_int, c_int64

import numpy as np

from ._lib import as_doubles, lib
from .errors import check


class Result:
    """What a run returns, with attribute access like ``scipy.optimize.OptimizeResult``.

    Attributes
    ----------
    U, V : ndarray
        The factors, n1 × k and n2 × k (for a PSD problem V is U).
    X : ndarray
        U Vᵀ, the recovered matrix.
    stop_reason : str
        "converged", "max_iterations", "diverged", "callback" or "interrupted" (Ctrl-C).
    iterations : int
        t, the index of the iterate held; after divergence, the last one whose loss was finite.
    success : bool
        Whether the run ended by a convergence rule or the iteration limit.
    history : dict of ndarray
        One array per recorded quantity ("iteration", "time" = η·t, "loss", "test_error",
        "residual"), one entry per recorded iterate.
    """

    def __init__(self, U, V, stop_reason, iterations, history):
        self.U = U
        self.V = V
        self.stop_reason = stop_reason
        self.iterations = iterations
        self.history = history

    @classmethod
    def _from_handle(cls, handle):
        """Copies everything out of an fs_result handle."""
        n1, n2, k = c_int64(), c_int64(), c_int64()
        check(lib.fs_result_get_shape(handle, byref(n1), byref(n2), byref(k)), handle)
        U, V = np.empty((n1.value, k.value)), np.empty((n2.value, k.value))
        check(lib.fs_result_copy_factors(handle, as_doubles(U), U.size, as_doubles(V), V.size), handle)
        reason, iterations, length, count = c_int(), c_int64(), c_int64(), c_int64()
        check(lib.fs_result_get_stop_reason(handle, byref(reason)), handle)
        check(lib.fs_result_get_iterations(handle, byref(iterations)), handle)
        check(lib.fs_result_get_history_length(handle, byref(length)), handle)
        check(lib.fs_result_get_history_column_count(handle, byref(count)), handle)
        history = {}
        for index in range(count.value):
            name = c_char_p()
            check(lib.fs_result_get_history_column_name(handle, index, byref(name)), handle)
            column = np.empty(length.value)
            check(lib.fs_result_copy_history(handle, name.value, as_doubles(column), column.size), handle)
            history[name.value.decode()] = column
        if "iteration" in history:
            history["iteration"] = history["iteration"].astype(np.int64)
        return cls(U, V, lib.fs_stop_reason_string(reason.value).decode(), iterations.value, history)

    @property
    def X(self):
        """U Vᵀ."""
        return self.U @ self.V.T

    @property
    def success(self):
        """Whether the run ended by a convergence rule or the iteration limit."""
        return self.stop_reason in ("converged", "max_iterations")

    def __getitem__(self, key):
        return getattr(self, key)

    def __repr__(self):
        last = {name: values[-1] for name, values in self.history.items() if len(values)}
        error = f", test_error={last['test_error']:.3e}" if np.isfinite(last.get("test_error", np.nan)) else ""
        return (f"Result(stop_reason={self.stop_reason!r}, iterations={self.iterations}, "
                f"U={self.U.shape}, V={self.V.shape}, loss={last.get('loss', np.nan):.3e}{error})")
