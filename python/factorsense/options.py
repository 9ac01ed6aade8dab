"""The option table of the library (``fs_options_count`` / ``fs_options_describe``), read once at
import: every option's name, type, default, domain and summary. The keyword handling of
:func:`factorsense.gradient_descent` dispatches on it, so the library is the one list."""
from __future__ import annotations

from ctypes import byref, c_char_p
from typing import Dict, List, NamedTuple

from ._lib import lib
from .errors import check


class Option(NamedTuple):
    """One option: ``name``, ``type`` ("integer", "real" or "text"), ``default`` and ``domain``
    as the library writes them, and a one-line ``summary``."""

    name: str
    type: str
    default: str
    domain: str
    summary: str


def _read_table() -> Dict[str, Option]:
    table = {}
    for index in range(lib.fs_options_count()):
        fields = [c_char_p() for _ in range(5)]
        check(lib.fs_options_describe(index, *(byref(f) for f in fields)), None)
        option = Option(*(f.value.decode() for f in fields))
        table[option.name] = option
    return table


OPTIONS = _read_table()


def option_table() -> List[Option]:
    """Every option of the solvers, as the library describes it: a list of :class:`Option`
    (name, type, default, domain, summary), in the order of the C header.

    Examples
    --------
    >>> {o.name: o.default for o in fs.option_table()}["max_iter"]   # doctest: +SKIP
    '1000'
    """
    return list(OPTIONS.values())
