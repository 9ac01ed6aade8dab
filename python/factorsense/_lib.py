"""Loading ``libfactorsense.so`` and declaring every C function of ``include/factorsense.h``.

The library is looked for, in order, at the path in the environment variable
``FACTORSENSE_LIBRARY``, inside this package, and in the build folders of the checkout this
package sits in (``.build/release``, then ``.build/debug``). ``ctypes.CDLL`` releases the GIL
during every call, so distinct handles can be used from several Python threads at once.
"""
import atexit
import ctypes
import os
import re
from ctypes import POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint64, c_void_p
from pathlib import Path

#: The major and minor version of the C library this package is written for: in 0.x a minor
#: version may change the ABI (0.5 changed the *_init functions and fs_flow_settings), so both
#: must match; any patch version does.
EXPECTED_VERSION = (0, 7)
EXPECTED_MAJOR = EXPECTED_VERSION[0]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


class fs_progress(ctypes.Structure):
    """``fs_progress``: what the progress callback sees."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("iteration", c_int64),
        ("max_iterations", c_int64),
        ("loss", c_double),
        ("test_error", c_double),
        ("residual", c_double),
        ("n1", c_int64),
        ("n2", c_int64),
        ("width", c_int64),
        ("U", POINTER(c_double)),
        ("V", POINTER(c_double)),
    ]


class fs_phases(ctypes.Structure):
    """``fs_phases``: the phases read off a run's history (−1 / NaN: not resolved)."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("alignment_end", c_int64),
        ("saddle_end", c_int64),
        ("plateau_start", c_int64),
        ("plateau_level", c_double),
        ("learning_time_count", c_int64),
        ("alignment_end_time", c_double),
        ("saddle_end_time", c_double),
        ("plateau_start_time", c_double),
        ("recovered", ctypes.c_int32),
        ("still_improving", ctypes.c_int32),
        ("signal_end", c_int64),
        ("signal_end_time", c_double),
        ("spectral_angle_left", c_double),
        ("spectral_angle_right", c_double),
    ]


class fs_predictions(ctypes.Structure):
    """``fs_predictions``: what the linearization around 0 predicts for a problem."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("rank", c_int64),
        ("gap", c_double),
        ("plateau_slope", c_double),
        ("spectral_angle_left", c_double),
        ("spectral_angle_right", c_double),
    ]


class fs_problem_spec(ctypes.Structure):
    """``fs_problem_spec``: what ``fs_problem_generate`` draws."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("n1", c_int64),
        ("n2", c_int64),
        ("rank", c_int64),
        ("measurements", c_int64),
        ("scale", c_double),
        ("condition_number", c_double),
        ("spectrum", c_int32),
        ("psd", c_int32),
        ("noise_level", c_double),
        ("seed", c_uint64),
        ("precision", c_int32),
    ]


PROGRESS_CALLBACK = ctypes.CFUNCTYPE(c_int, c_void_p, POINTER(fs_progress))
PERTURBATION_CALLBACK = ctypes.CFUNCTYPE(c_int, c_void_p, c_double, POINTER(c_double), POINTER(c_double),
                                         POINTER(c_double))
SIZED_PERTURBATION_CALLBACK = ctypes.CFUNCTYPE(c_int, c_void_p, c_double, c_int64, c_int64, c_int64,
                                               POINTER(c_double), POINTER(c_double), POINTER(c_double))


class fs_flow_settings(ctypes.Structure):
    """``fs_flow_settings``: what ``fs_gradient_flow`` integrates."""

    _fields_ = [
        ("struct_size", c_size_t),
        ("times", POINTER(c_double)),
        ("time_count", c_int64),
        ("rtol", c_double),
        ("atol", c_double),
        ("max_evaluations", c_int64),
        ("perturbation", c_int32),
        ("callback", PERTURBATION_CALLBACK),
        ("user", c_void_p),
        ("method", c_int32),
        ("sized_callback", SIZED_PERTURBATION_CALLBACK),
    ]

_double_p = POINTER(c_double)
_float_p = POINTER(ctypes.c_float)
_int64_p = POINTER(c_int64)
_handle_p = POINTER(c_void_p)
_text_p = POINTER(c_char_p)

# name: (restype, argtypes), in the order of the header.
SIGNATURES = {
    "fs_version_number": (c_int64, []),
    "fs_version_string": (c_char_p, []),
    "fs_kernel_instruction_set": (c_char_p, []),
    "fs_status_string": (c_char_p, [c_int]),
    "fs_last_error": (c_char_p, [c_void_p]),
    "fs_interrupt": (c_int, [c_void_p]),
    "fs_begin_exit": (None, []),
    "fs_problem_create": (c_int, [_handle_p]),
    "fs_problem_free": (None, [c_void_p]),
    "fs_problem_generate_gaussian": (c_int, [c_void_p, c_int64, c_int64, c_int64, c_int64, c_double, c_double, c_double, c_uint64]),
    "fs_problem_set_dense": (c_int, [c_void_p, c_int64, c_int64, c_int64, _double_p, c_int64, _double_p, c_int64, _double_p, c_int64]),
    "fs_problem_set_dense_f32": (c_int, [c_void_p, c_int64, c_int64, c_int64, _float_p, c_int64, _double_p, c_int64, _double_p, c_int64]),
    "fs_problem_get_precision": (c_int, [c_void_p, POINTER(c_int32)]),
    "fs_problem_get_shape": (c_int, [c_void_p, _int64_p, _int64_p, _int64_p]),
    "fs_problem_has_truth": (c_int, [c_void_p, POINTER(c_int)]),
    "fs_problem_copy_operator": (c_int, [c_void_p, _double_p, c_int64]),
    "fs_problem_copy_measurements": (c_int, [c_void_p, _double_p, c_int64]),
    "fs_problem_copy_truth": (c_int, [c_void_p, _double_p, c_int64]),
    "fs_problem_spec_init": (c_int, [POINTER(fs_problem_spec), c_size_t]),
    "fs_problem_generate": (c_int, [c_void_p, c_char_p, POINTER(fs_problem_spec)]),
    "fs_problem_generate_for_target": (c_int, [c_void_p, c_char_p, POINTER(fs_problem_spec), _double_p, c_int64]),
    "fs_problem_generate_for_factors": (c_int, [c_void_p, c_char_p, POINTER(fs_problem_spec), _double_p, c_int64, _double_p, c_int64, _double_p, c_int64]),
    "fs_problem_set_entries": (c_int, [c_void_p, c_int64, c_int64, c_int64, _int64_p, _int64_p, _double_p, c_int64, c_double, _double_p, c_int64]),
    "fs_problem_set_symmetric": (c_int, [c_void_p, c_int]),
    "fs_problem_is_symmetric": (c_int, [c_void_p, POINTER(c_int)]),
    "fs_problem_get_operator_kind": (c_int, [c_void_p, _text_p]),
    "fs_problem_copy_entries": (c_int, [c_void_p, _int64_p, _int64_p, c_int64, _double_p]),
    "fs_problem_copy_rank_one": (c_int, [c_void_p, _double_p, c_int64, _double_p, c_int64, _double_p]),
    "fs_problem_apply": (c_int, [c_void_p, _double_p, c_int64, _double_p, c_int64]),
    "fs_problem_adjoint": (c_int, [c_void_p, _double_p, c_int64, _double_p, c_int64]),
    "fs_problem_loss_and_gradient": (c_int, [c_void_p, c_int64, _double_p, c_int64, _double_p, c_int64, _double_p, _double_p, c_int64, _double_p, c_int64]),
    "fs_options_create": (c_int, [_handle_p]),
    "fs_options_free": (None, [c_void_p]),
    "fs_options_set_int": (c_int, [c_void_p, c_char_p, c_int64]),
    "fs_options_set_real": (c_int, [c_void_p, c_char_p, c_double]),
    "fs_options_get_int": (c_int, [c_void_p, c_char_p, _int64_p]),
    "fs_options_get_real": (c_int, [c_void_p, c_char_p, _double_p]),
    "fs_options_set_text": (c_int, [c_void_p, c_char_p, c_char_p]),
    "fs_options_get_text": (c_int, [c_void_p, c_char_p, _text_p]),
    "fs_options_set_initial_factors": (c_int, [c_void_p, c_int64, c_int64, c_int64, _double_p, c_int64, _double_p, c_int64]),
    "fs_options_clear_initial_factors": (c_int, [c_void_p]),
    "fs_options_set_validation": (c_int, [c_void_p, c_void_p]),
    "fs_options_clear_validation": (c_int, [c_void_p]),
    "fs_problem_split_holdout": (c_int, [c_void_p, c_double, c_uint64, c_void_p, c_void_p]),
    "fs_result_get_best_iteration": (c_int, [c_void_p, _int64_p]),
    "fs_options_set_progress": (c_int, [c_void_p, PROGRESS_CALLBACK, c_void_p]),
    "fs_result_create": (c_int, [_handle_p]),
    "fs_result_free": (None, [c_void_p]),
    "fs_gradient_descent": (c_int, [c_void_p, c_void_p, c_void_p]),
    "fs_gradient_descent_batch": (c_int, [c_void_p, POINTER(c_void_p), POINTER(c_void_p), c_int64, POINTER(c_int)]),
    "fs_flow_settings_init": (c_int, [POINTER(fs_flow_settings), c_size_t]),
    "fs_gradient_flow": (c_int, [c_void_p, c_void_p, POINTER(fs_flow_settings), c_void_p]),
    "fs_result_get_flow_statistics": (c_int, [c_void_p, _int64_p, _int64_p, _int64_p]),
    "fs_stop_reason_string": (c_char_p, [c_int]),
    "fs_result_get_stop_reason": (c_int, [c_void_p, POINTER(c_int)]),
    "fs_result_get_iterations": (c_int, [c_void_p, _int64_p]),
    "fs_result_get_shape": (c_int, [c_void_p, _int64_p, _int64_p, _int64_p]),
    "fs_result_copy_factors": (c_int, [c_void_p, _double_p, c_int64, _double_p, c_int64]),
    "fs_result_get_history_length": (c_int, [c_void_p, _int64_p]),
    "fs_result_get_history_column_count": (c_int, [c_void_p, _int64_p]),
    "fs_result_get_history_column_name": (c_int, [c_void_p, c_int64, _text_p]),
    "fs_result_get_history_column_width": (c_int, [c_void_p, c_char_p, _int64_p]),
    "fs_result_copy_history": (c_int, [c_void_p, c_char_p, _double_p, c_int64]),
    "fs_result_iterations_to": (c_int, [c_void_p, c_char_p, c_double, ctypes.POINTER(c_int64)]),
    "fs_result_history_minimum": (c_int, [c_void_p, c_char_p, ctypes.POINTER(c_double), ctypes.POINTER(c_int64)]),
    "fs_result_get_phases": (c_int, [c_void_p, POINTER(fs_phases)]),
    "fs_options_count": (c_int64, []),
    "fs_options_describe": (c_int, [c_int64] + [ctypes.POINTER(c_char_p)] * 5),
    "fs_problem_operator_is_symmetric": (c_int, [c_void_p, POINTER(c_int)]),
    "fs_problem_spectrum": (c_int, [c_void_p, c_char_p, ctypes.c_uint64, _double_p, c_int64]),
    "fs_problem_predict": (c_int, [c_void_p, c_double, c_double, c_int64, c_double, c_char_p, ctypes.c_uint64,
                                   POINTER(fs_predictions), _double_p, _double_p, c_int64]),
    "fs_result_copy_learning_times": (c_int, [c_void_p, _int64_p, _double_p, c_int64]),
}


def _candidates():
    chosen = os.environ.get("FACTORSENSE_LIBRARY")
    if chosen:
        # The user's choice is the only candidate: never load another copy behind their back.
        if not Path(chosen).is_file():
            raise ImportError(f"FACTORSENSE_LIBRARY is {chosen!r}, which is not a file. "
                              "Point it at libfactorsense.so (built by `make build`), or unset it.")
        yield Path(chosen)
        return
    yield _PACKAGE / "libfactorsense.so"
    for config in ("release", "debug"):
        yield _CHECKOUT / ".build" / config / "libfactorsense.so"


def _load():
    tried = []
    for path in _candidates():
        if path.is_file():
            library = open_library(path)
            break
        tried.append(str(path))
    else:
        raise ImportError(
            "libfactorsense.so was not found (looked at: " + ", ".join(tried) + "). "
            "Build it with `make build` in the FactorSense checkout, or point FACTORSENSE_LIBRARY at it."
        )
    for name, (restype, argtypes) in SIGNATURES.items():
        function = getattr(library, name)
        function.restype = restype
        function.argtypes = argtypes
    check_version(library.fs_version_number(), library.fs_version_string().decode(), path)
    return library, path


#: Where the shared libraries a libfactorsense.so built against the system's may need come from.
PROVIDERS = {
    "libopenblas.so.0": "OpenBLAS: `sudo apt-get install libopenblas0` on Debian/Ubuntu",
    "liblapacke.so.3": "LAPACKE: `sudo apt-get install liblapacke` on Debian/Ubuntu",
    "libgfortran.so.5": "libgfortran: `sudo apt-get install libgfortran5` on Debian/Ubuntu",
}


def open_library(path):
    """``ctypes.CDLL(path)``, or an ImportError that names what is missing and how to get it."""
    try:
        return ctypes.CDLL(str(path))
    except OSError as error:
        raise ImportError(load_failure(path, str(error))) from error


def load_failure(path, message):
    """What to tell the user when the dynamic loader refused ``path`` with ``message``."""
    missing = re.search(r"([^\s:]+): cannot open shared object file", message)
    if missing is None or missing.group(1) == str(path):
        return (f"{path} cannot be loaded ({message}). Rebuild it with `make build` in the FactorSense "
                "checkout, or reinstall factorsense.")
    name = missing.group(1)
    if "swift" in name.lower():
        how = ("it was built without the Swift runtime linked in: rebuild it with `make build`, which links it "
               "in statically")
    else:
        how = (f"install {PROVIDERS.get(name, 'the package that provides it')}, or install the factorsense "
               "manylinux wheel (`make wheel`), which carries its own OpenBLAS, LAPACKE and libgfortran")
    return f"libfactorsense.so cannot be loaded: it needs {name}, which is not on this machine ({path}); {how}."


def check_version(number, text, path):
    """ImportError unless the library's version (``fs_version_number()``, its text) has the
    major and minor version this package was written for."""
    if (number // 10000, number // 100 % 100) != EXPECTED_VERSION:
        raise ImportError(
            f"{path} is FactorSense {text}, but this Python package needs version "
            f"{EXPECTED_VERSION[0]}.{EXPECTED_VERSION[1]}.x (the structs and calls of its header)"
        )


def check_layouts(library=None):
    """ImportError unless this package's ctypes structs are laid out as the library's: every
    field at its natural alignment, and the defaults fs_problem_spec_init and
    fs_flow_settings_init write read back from the fields they belong to. (python/tests/test_abi.py
    compares every size and offset with the header, compiled.)"""
    library = library or lib
    for struct in (fs_progress, fs_phases, fs_predictions, fs_problem_spec, fs_flow_settings):
        for name, kind in struct._fields_:
            if getattr(struct, name).offset % ctypes.alignment(kind):
                raise ImportError(f"{struct.__name__}.{name} is not aligned in this package's ctypes layout")
    spec, flow = fs_problem_spec(), fs_flow_settings()
    if (library.fs_problem_spec_init(ctypes.byref(spec), ctypes.sizeof(spec)) != 0
            or library.fs_flow_settings_init(ctypes.byref(flow), ctypes.sizeof(flow)) != 0):
        raise ImportError("the library refused the sizes of this package's fs_problem_spec and fs_flow_settings")
    if (spec.struct_size, spec.scale, spec.condition_number, spec.precision) != (ctypes.sizeof(spec), 1.0, 1.0, 0) or \
            (flow.struct_size, flow.rtol, flow.atol, flow.max_evaluations, flow.method) != \
            (ctypes.sizeof(flow), 1e-8, 1e-10, 1_000_000, 0):
        raise ImportError("the library's fs_problem_spec or fs_flow_settings is not laid out as this package's")


lib, path = _load()
check_layouts(lib)
# At interpreter shutdown — before the interpreter is finalized, while daemon threads may still
# be solving — the library is told that the process is ending: from then on a solving thread
# never calls back into Python (whose finalized interpreter would crash in the ctypes callback)
# nor starts an OpenBLAS call; it sleeps until the process has ended (include/factorsense.h,
# fs_begin_exit). Registered at import, so atexit handlers registered later (which run earlier)
# may still solve, and this thread may solve in the ones registered before.
atexit.register(lib.fs_begin_exit)


def as_doubles(array):
    """A ``double *`` into a C-contiguous float64 numpy array."""
    return array.ctypes.data_as(_double_p)


def as_floats(array):
    """A ``float *`` into a C-contiguous float32 numpy array."""
    return array.ctypes.data_as(_float_p)


def as_int64s(array):
    """An ``int64_t *`` into a C-contiguous int64 numpy array."""
    return array.ctypes.data_as(_int64_p)
