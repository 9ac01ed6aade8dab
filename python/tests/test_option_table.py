"""The option table (issue 25): the library lists every option once (fs_options_count /
fs_options_describe); the header's option list, gradient_descent's keyword defaults and the
keyword dispatch agree with it."""
import ctypes
import inspect
import re
from pathlib import Path

import pytest

import factorsense as fs
from factorsense._lib import lib

HEADER = Path(__file__).resolve().parents[2] / "include" / "factorsense.h"


def header_options():
    """{name: (type, default text)} from the header's list: "Integer options (default):" …"""
    text = HEADER.read_text()
    block = text[text.index(" * Integer options (default):"):text.index(" * An unknown name or a value outside")]
    found, kind = {}, None
    for entry in re.split(r"\n \*   (?=\")", block):
        heading = re.search(r"(Integer|Real|Text) options \(default\):", entry)
        if heading and not entry.startswith('"'):
            kind = heading.group(1).lower()
            continue
        name = re.match(r'"(\w+)"', entry).group(1)
        body = re.sub(r"\s*\n \*\s*", " ", entry.split(" * Real options")[0].split(" * Text options")[0]).strip()
        default = re.findall(r"\(([^()]*)\)$", body)
        found[name] = ({"integer": "integer", "real": "real", "text": "text"}[kind], default[-1] if default else None)
        next_heading = re.search(r"(Real|Text) options \(default\):", entry)
        if next_heading:
            kind = next_heading.group(1).lower()
    return found


def test_the_table_lists_each_option_once_with_its_type_domain_and_summary():
    table = fs.option_table()
    names = [o.name for o in table]
    assert len(names) == len(set(names)) == lib.fs_options_count() >= 29
    assert {o.type for o in table} == {"integer", "real", "text"}
    assert all(o.summary and o.domain for o in table)
    by_name = {o.name: o for o in table}
    assert by_name["max_iter"] == fs.Option("max_iter", "integer", "1000", "≥ 0", "the iteration limit")
    assert by_name["saddle_fraction"].domain == "in (0, 1)" and by_name["step"].domain == "> 0"
    assert by_name["init"].domain == '"random", "spectral"'


def test_the_headers_list_is_the_table():
    listed = header_options()
    table = {o.name: o for o in fs.option_table()}
    assert list(listed) == list(table)
    for name, (kind, default) in listed.items():
        option = table[name]
        assert kind == option.type, name
        if name == "width":
            assert default.startswith("no default")  # required unless initial factors are given
        elif option.type == "text":
            assert default == f'"{option.default}"', (name, default, option.default)
        else:
            assert float(default) == float(option.default), (name, default, option.default)


def test_gradient_descents_keyword_defaults_are_the_libraries():
    parameters = inspect.signature(fs.gradient_descent).parameters
    for option in fs.option_table():
        if option.name in ("width", "patience", "restore_best", "step_rule", "diagnostics"):
            continue  # Python spells these otherwise: width=None, patience=None, restore_best=False, step="auto"
        default = parameters[option.name].default
        if option.type == "text":
            assert default == option.default, option.name
        else:
            assert float(default) == float(option.default), (option.name, default, option.default)


def test_each_option_is_set_by_the_call_its_type_takes_and_refused_outside_its_domain():
    options = fs.solvers._Options()
    outside = {"≥ 1": 0, "≥ 0": -1, "0 or 1": 2, "> 0": 0, "in (0, 1)": 1, "> 1": 1}
    for option in fs.option_table():
        if option.type == "text" or option.domain == "any 64-bit value":
            continue
        bad = outside[option.domain]
        with pytest.raises(fs.InvalidArgumentError, match=option.name):
            options.set({option.name: bad})


def test_describe_refuses_an_index_outside_the_table():
    name = ctypes.c_char_p()
    assert lib.fs_options_describe(-1, ctypes.byref(name), None, None, None, None) == 3
    assert lib.fs_options_describe(lib.fs_options_count(), ctypes.byref(name), None, None, None, None) == 3
    assert name.value is None
    assert lib.fs_options_describe(0, None, None, None, None, None) == 0


def test_an_unknown_option_name_is_refused_listing_the_table():
    with pytest.raises(fs.InvalidArgumentError, match="unknown option 'stepsize'; the options are width, max_iter"):
        fs.solvers._Options().set({"stepsize": 0.1})


def test_the_docs_name_every_option():
    """docs/mathematics.md names each option (in code voice), and gradient_descent's docstring
    documents each keyword ("step_rule" is Python's step="auto")."""
    mathematics = (HEADER.parents[1] / "docs" / "mathematics.md").read_text()
    doc = fs.gradient_descent.__doc__
    for option in fs.option_table():
        assert f"`{option.name}`" in mathematics, option.name
        assert (option.name in doc) if option.name != "step_rule" else ('"auto"' in doc), option.name
