"""The wheel's build hook (PEP 517, through setuptools): compiles libfactorsense.so with SwiftPM in
the FactorSense checkout this package sits in — self-contained, as `make build` makes it — puts it
inside the package, and tags the wheel for the platform (py3-none-<platform>: the library is
loaded with ctypes, so any CPython 3 of that platform can use it). Without Swift it stops with a
message instead of producing a wheel that cannot import.

    pip wheel ./python        (or `make wheel`)
"""
import os
import shlex
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

ROOT = Path(__file__).resolve().parent.parent
# The flags of the Makefile's LIBRARY_FLAGS (static Swift runtime, fs_ symbols only, SONAME).
DEFAULT_FLAGS = ["-Xswiftc", "-static-stdlib", "-Xlinker", f"--version-script={ROOT / 'mk' / 'exports.map'}",
                 "-Xlinker", "-soname=libfactorsense.so.0"]


class BuildWithLibrary(build_py):
    """build_py, then the library into the built package."""

    def run(self):
        super().run()
        swift = shutil.which(os.environ.get("SWIFT", "swift"))
        if swift is None:
            raise SystemExit("factorsense: building this package compiles libfactorsense.so with the Swift "
                             "toolchain, and `swift` is not on PATH. Install Swift (https://swift.org/install) "
                             "or install a prebuilt wheel.")
        if not (ROOT / "Package.swift").is_file():
            raise SystemExit(f"factorsense: the FactorSense checkout (Package.swift) was not found at {ROOT}; "
                             "build the wheel from a checkout: pip wheel ./python")
        flags = shlex.split(os.environ["FACTORSENSE_SWIFT_FLAGS"]) if "FACTORSENSE_SWIFT_FLAGS" in os.environ else DEFAULT_FLAGS
        subprocess.run([swift, "build", "-c", "release", "--product", "factorsense-c", *flags], cwd=ROOT, check=True)
        target = Path(self.build_lib) / "factorsense"
        target.mkdir(parents=True, exist_ok=True)
        # SwiftPM names the product factorsense-c's file libfactorsense-c.so; the package loads it by
        # the C ABI's name.
        shutil.copy2(ROOT / ".build" / "release" / "libfactorsense-c.so", target / "libfactorsense.so")


class PlatformWheel(bdist_wheel):
    """A wheel tagged py3-none-<platform>: it carries a native library."""

    def finalize_options(self):
        super().finalize_options()
        self.root_is_pure = False

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
