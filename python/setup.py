"""The wheel's build hook (PEP 517, through setuptools): puts libfactorsense.so inside the package
(build_library.py says where it comes from: a built one reused, or compiled with SwiftPM) and
makes the wheel a binary one — the library is package data of a non-pure distribution, in the
wheel's platlib root, tagged py3-none-<platform> (it is loaded with ctypes, so any CPython 3 of
that platform can use it). `make wheel` then runs `auditwheel repair`, which copies OpenBLAS,
LAPACKE and libgfortran into the wheel under new names and gives it its manylinux tag.

    pip wheel ./python        (or `make wheel`)
"""
import shutil
import sys
from pathlib import Path

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools < 70.1
    from wheel.bdist_wheel import bdist_wheel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_library import library_for_wheel  # noqa: E402  (beside this file, not in the package)


class BuildWithLibrary(build_py):
    """build_py, then the library into the built package."""

    def run(self):
        super().run()
        target = Path(self.build_lib) / "factorsense"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library_for_wheel(), target / "libfactorsense.so")


class BinaryDistribution(Distribution):
    """A distribution with a native library: installed to platlib, and its wheel not pure."""

    def has_ext_modules(self):
        return True


class PlatformWheel(bdist_wheel):
    """A wheel tagged py3-none-<platform>: it carries a native library loaded by ctypes, which
    needs no particular Python ABI."""

    def get_tag(self):
        _, _, platform = super().get_tag()
        return "py3", "none", platform


setup(distclass=BinaryDistribution, cmdclass={"build_py": BuildWithLibrary, "bdist_wheel": PlatformWheel})
