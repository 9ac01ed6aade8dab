"""Every prototype of the header has a Python binding with argtypes and restype."""
import re
from pathlib import Path

from factorsense import _lib

HEADER = Path(__file__).resolve().parents[2] / "include" / "factorsense.h"


def header_functions():
    text = re.sub(r"/\*.*?\*/", "", HEADER.read_text(), flags=re.S)
    return set(re.findall(r"\b(fs_[a-z0-9_]+)\s*\(", text)) - {"fs_progress_callback"}


def test_every_header_function_is_declared():
    functions = header_functions()
    assert len(functions) > 40
    assert functions == set(_lib.SIGNATURES)
    for name in functions:
        function = getattr(_lib.lib, name)
        assert function.argtypes is not None, name
        assert name in _lib.SIGNATURES
