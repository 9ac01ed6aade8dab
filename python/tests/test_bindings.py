"""Every prototype of the header has a Python binding with argtypes and restype, and is used."""
import re
from pathlib import Path

from factorsense import _lib

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "factorsense.h"


def header_functions():
    """name → declared return type text, for every prototype of the header."""
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    prototypes = re.findall(r"^\s*((?:const\s+)?\w+\s*\*?)\s*(fs_[a-z0-9_]+)\s*\(", text, flags=re.M)
    return {name: " ".join(ret.split()) for ret, name in prototypes}


def test_every_header_function_is_declared_with_its_return_type():
    functions = header_functions()
    assert len(functions) > 40
    assert set(functions) == set(_lib.SIGNATURES)
    expected_restype = {"void": None, "fs_status": _lib.c_int, "int64_t": _lib.c_int64, "const char *": _lib.c_char_p}
    for name, returns in functions.items():
        function = getattr(_lib.lib, name)
        assert function.argtypes is not None, name
        assert function.restype is expected_restype[returns], (name, returns, function.restype)


def test_every_header_function_is_used_by_the_package_or_the_tests():
    # A call reads `lib.fs_x(` (or `library.fs_x(`); the quoted names of the SIGNATURES table do not count.
    sources = list((ROOT / "python" / "factorsense").glob("*.py"))
    sources += [p for p in (ROOT / "python" / "tests").glob("*.py") if p.name != "test_bindings.py"]
    text = "\n".join(p.read_text() for p in sources)
    unused = [name for name in header_functions() if not re.search(rf"\.{name}\b", text)]
    assert unused == []
