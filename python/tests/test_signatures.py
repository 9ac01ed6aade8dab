"""The ctypes signatures of factorsense._lib.SIGNATURES against include/factorsense.h's
prototypes (issue 25): the same functions, the same number of arguments, and for each argument
and return value the ctypes type that C type maps to. A mismatch is undefined behaviour that no
other test need see (a wrong integer width passes on x86-64 by luck)."""
import ctypes
import re
from pathlib import Path

from factorsense import _lib

HEADER = Path(__file__).resolve().parents[2] / "include" / "factorsense.h"
STRUCTS = {name: getattr(_lib, name) for name in ("fs_problem_spec", "fs_flow_settings", "fs_phases", "fs_predictions")}
SCALARS = {"int64_t": ctypes.c_int64, "uint64_t": ctypes.c_uint64, "double": ctypes.c_double, "int": ctypes.c_int,
           "int32_t": ctypes.c_int32, "size_t": ctypes.c_size_t, "fs_status": ctypes.c_int,
           "fs_stop_reason": ctypes.c_int, "float": ctypes.c_float}
HANDLES = {"fs_problem", "fs_options", "fs_result", "void"}
CALLBACKS = {"fs_progress_callback": _lib.PROGRESS_CALLBACK}


def prototypes():
    """{name: (return type, [argument types])} of every function the header declares."""
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    text = re.sub(r"#.*", "", text)
    found = {}
    for match in re.finditer(r"([\w\s\*]+?)\b(fs_\w+)\s*\(([^()]*)\)\s*;", text):
        returns, name, arguments = match.groups()
        if returns.strip().startswith("typedef"):
            continue
        arguments = [] if arguments.strip() in ("", "void") else \
            [re.sub(r"\s*\b\w+$", "", a.strip()) if not a.strip().endswith("*") else a.strip() for a in arguments.split(",")]
        found[name] = (returns.strip(), arguments)
    return found


def ctype_of(declaration):
    """The ctypes type a C declaration ("const double *", "int64_t", "fs_problem *") maps to."""
    text = re.sub(r"\bconst\b", "", declaration).strip()
    stars = text.count("*")
    base = text.replace("*", "").strip()
    if stars == 0:
        return CALLBACKS.get(base) or SCALARS[base]
    if base in HANDLES and stars == 1:
        return ctypes.c_void_p
    if base in HANDLES and stars == 2:
        return ctypes.POINTER(ctypes.c_void_p)
    if base == "char":
        return ctypes.c_char_p if stars == 1 else ctypes.POINTER(ctypes.c_char_p)
    pointee = STRUCTS.get(base) or SCALARS[base]
    return ctypes.POINTER(pointee) if stars == 1 else ctypes.POINTER(ctypes.POINTER(pointee))


def same(ours, theirs):
    """One ctypes type: ctypes caches POINTER(T), and c_int32 is c_int here, so identity suffices."""
    return ours is theirs


def test_every_header_function_has_a_ctypes_signature_and_no_other():
    declared = prototypes()
    assert len(declared) >= 70
    assert set(_lib.SIGNATURES) == set(declared), (set(declared) ^ set(_lib.SIGNATURES))


def test_each_signature_matches_its_prototype():
    declared = prototypes()
    for name, (restype, argtypes) in _lib.SIGNATURES.items():
        returns, arguments = declared[name]
        assert len(argtypes) == len(arguments), (name, argtypes, arguments)
        expected_return = None if returns == "void" else ctype_of(returns)
        assert same(restype, expected_return), (name, "returns", restype, returns)
        for position, (ours, theirs) in enumerate(zip(argtypes, arguments)):
            assert same(ours, ctype_of(theirs)), (name, position, ours, theirs)
