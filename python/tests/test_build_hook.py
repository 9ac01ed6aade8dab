"""The wheel's build hook (python/build_library.py): it reuses a built library that is newer
than its sources and self-contained, or the one FACTORSENSE_PREBUILT_LIBRARY names, instead of
compiling for each install; without Swift or without the BLAS headers it stops with one line
that says what to install."""
import importlib.util
import os
import shutil
from pathlib import Path

import pytest

HOOK = Path(__file__).resolve().parents[1] / "build_library.py"
spec = importlib.util.spec_from_file_location("build_library", HOOK)
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


@pytest.fixture
def checkout(tmp_path):
    """A checkout's sources (old) and its built library (newer)."""
    for name in ("Sources/FactorSense/A.swift", "include/factorsense.h", "Package.swift", "mk/exports.map"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
        os.utime(tmp_path / name, (1_000_000, 1_000_000))
    built = tmp_path / hook.BUILT
    built.parent.mkdir(parents=True)
    built.write_bytes(b"not a Swift-runtime library")
    return tmp_path


def test_a_library_newer_than_its_sources_is_reused(checkout):
    library, reason = hook.reusable_library(checkout, {})
    assert library == checkout / hook.BUILT and "newer than its sources" in reason


def test_a_source_changed_after_the_build_means_compiling(checkout):
    os.utime(checkout / "Sources/FactorSense/A.swift", None)
    os.utime(checkout / hook.BUILT, (2_000_000, 2_000_000))
    assert hook.reusable_library(checkout, {}) == (None, None)


def test_a_library_that_needs_the_swift_runtime_is_not_reused(checkout, library_needing):
    if shutil.which("readelf") is None:
        pytest.skip("readelf is needed to read a library's dependencies")
    shutil.copy(library_needing("libswiftCore.so"), checkout / hook.BUILT)
    assert hook.needs_swift_runtime(checkout / hook.BUILT) is True
    assert hook.reusable_library(checkout, {}) == (None, None)


def test_the_prebuilt_library_variable_wins_and_a_wrong_one_stops(checkout, tmp_path):
    chosen = tmp_path / "mine.so"
    chosen.write_bytes(b"x")
    assert hook.reusable_library(checkout, {"FACTORSENSE_PREBUILT_LIBRARY": str(chosen)})[0] == chosen
    with pytest.raises(SystemExit, match="FACTORSENSE_PREBUILT_LIBRARY is .*which is not a file"):
        hook.reusable_library(checkout, {"FACTORSENSE_PREBUILT_LIBRARY": str(tmp_path / "none.so")})


def test_without_swift_the_build_stops_and_says_why(checkout):
    with pytest.raises(SystemExit, match="`swift` is not on PATH"):
        hook.compile_library(checkout, {**os.environ, "SWIFT": "no-such-swift"})


def test_without_the_blas_headers_the_build_stops_with_one_line_naming_the_apt_packages(checkout, tmp_path):
    if shutil.which("pkg-config") is None:
        pytest.skip("pkg-config is what is hidden here")
    # pkg-config with an empty search path knows no openblas; SWIFT is a program that exists, so
    # the check of the headers is what stops the build (before anything is compiled).
    environment = {**os.environ, "PKG_CONFIG_LIBDIR": str(tmp_path), "PKG_CONFIG_PATH": "", "SWIFT": "true"}
    with pytest.raises(SystemExit) as stop:
        hook.compile_library(checkout, environment)
    message = str(stop.value)
    assert "\n" not in message and "apt-get install libopenblas-dev liblapacke-dev" in message


def test_with_the_blas_headers_there_is_nothing_to_say():
    if shutil.which("pkg-config") is None:
        pytest.skip("no pkg-config")
    assert hook.blas_headers_problem(dict(os.environ)) is None
