"""The package's type hints (issue 26): python/tests/typing/public_api.py calls every public function,
method and property with typed arguments and pins each return type with ``assert_type``;
``mypy --strict`` must find nothing in it. An unannotated public function shows up there as
"Call to untyped function … in typed context", a missing return annotation as "Expression is of
type Any". The run-time check below catches what a typed caller cannot see: a parameter left
unannotated. And ``py.typed`` ships as package data, so that type checkers read the hints of an
installed factorsense."""
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

import factorsense as fs
from factorsense import plot

PYTHON = Path(__file__).resolve().parents[1]
USAGE = PYTHON / "tests" / "typing" / "public_api.py"


def test_mypy_strict_finds_nothing_in_a_typed_program_using_the_whole_public_api(request, tmp_path):
    try:
        import mypy  # noqa: F401
    except ImportError:
        pytest.skip("mypy is not installed (make deps-python installs it from python/requirements.txt)")
    cache = request.config.cache.mkdir("mypy") if getattr(request.config, "cache", None) is not None else tmp_path
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--no-error-summary",
         "--cache-dir", str(cache), str(USAGE)],
        env=dict(os.environ, MYPYPATH=str(PYTHON)), cwd=PYTHON.parent, capture_output=True, text=True)
    assert run.returncode == 0 and not run.stdout.strip(), run.stdout + run.stderr


def public_callables():
    """(name, callable) of every public function, method and property reachable from
    factorsense.__all__ and factorsense.plot, defined in the package."""
    found = []
    for module, names in ((fs, fs.__all__), (plot, [n for n in vars(plot) if not n.startswith("_")])):
        for name in names:
            value = getattr(module, name)
            if inspect.isfunction(value) and value.__module__.startswith("factorsense"):
                found.append((f"{module.__name__}.{name}", value))
            elif inspect.isclass(value) and value.__module__.startswith("factorsense"):
                for klass in value.__mro__:
                    if not klass.__module__.startswith("factorsense"):
                        continue
                    for member, attribute in vars(klass).items():
                        if member.startswith("_") and member != "__init__":
                            continue
                        function = attribute.fget if isinstance(attribute, property) else \
                            getattr(attribute, "__func__", attribute)
                        if inspect.isfunction(function):
                            found.append((f"{value.__name__}.{member}", inspect.unwrap(function)))
    return found


def test_every_public_parameter_and_return_is_annotated():
    callables = public_callables()
    assert len(callables) > 60
    missing = []
    for name, function in callables:
        signature = inspect.signature(function)
        missing += [f"{name}({parameter})" for index, parameter in enumerate(signature.parameters.values())
                    if parameter.annotation is inspect.Parameter.empty and not (index == 0 and parameter.name in
                                                                                ("self", "cls"))]
        if signature.return_annotation is inspect.Signature.empty:
            missing.append(f"{name} -> ?")
    assert not missing, f"unannotated: {', '.join(missing)}"


def test_py_typed_is_in_the_package_and_its_package_data():
    assert (PYTHON / "factorsense" / "py.typed").is_file()
    try:
        import tomllib
    except ImportError:  # Python < 3.11
        tomllib = pytest.importorskip("tomli")
    pyproject = tomllib.loads((PYTHON / "pyproject.toml").read_text())
    assert "py.typed" in pyproject["tool"]["setuptools"]["package-data"]["factorsense"]
