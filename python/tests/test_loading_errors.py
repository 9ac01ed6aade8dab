"""A library that cannot load (a shared library it needs is missing) gives an ImportError that
names what is missing and how to get it, not the dynamic loader's raw OSError."""
import os
import subprocess
import sys
from pathlib import Path

from factorsense import _lib

PYTHON_DIR = Path(__file__).resolve().parents[1]


def test_import_names_the_missing_library(library_needing):
    library = library_needing("libfs-test-missing.so.7")
    environment = {**os.environ, "FACTORSENSE_LIBRARY": str(library), "PYTHONPATH": str(PYTHON_DIR)}
    run = subprocess.run([sys.executable, "-c", "import factorsense"], capture_output=True, text=True,
                         env=environment)
    assert run.returncode != 0
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: libfactorsense.so cannot be loaded: it needs libfs-test-missing.so.7, "
                           "which is not on this machine"), run.stderr
    assert str(library) in last and "install the package that provides it" in last


def test_openblas_missing_names_its_apt_package_and_the_wheel():
    message = _lib.load_failure(Path("/x/libfactorsense.so"),
                                "libopenblas.so.0: cannot open shared object file: No such file or directory")
    assert "it needs libopenblas.so.0" in message
    assert "sudo apt-get install libopenblas0" in message and "manylinux wheel" in message


def test_lapacke_and_gfortran_name_theirs():
    for name, package in (("liblapacke.so.3", "liblapacke"), ("libgfortran.so.5", "libgfortran5")):
        message = _lib.load_failure(Path("/x/libfactorsense.so"), f"{name}: cannot open shared object file: x")
        assert f"it needs {name}" in message and f"apt-get install {package}`" in message


def test_a_swift_runtime_dependency_says_rebuild_with_make_build():
    message = _lib.load_failure(Path("/x/libfactorsense.so"),
                                "libswiftCore.so: cannot open shared object file: No such file or directory")
    assert "it needs libswiftCore.so" in message and "make build" in message and "apt-get" not in message


def test_another_loader_error_is_passed_on_with_what_to_do():
    message = _lib.load_failure(Path("/x/libfactorsense.so"), "/x/libfactorsense.so: invalid ELF header")
    assert "invalid ELF header" in message and "make build" in message
