"""How the wheel's build hook (setup.py) gets libfactorsense.so, in order:
- the file named by FACTORSENSE_PREBUILT_LIBRARY, copied as it is;
- the checkout's .build/release/libfactorsense.so when it is newer than every source it is
  built from and self-contained (no Swift runtime needed): each extras install reuses it;
- otherwise compiled with SwiftPM, as `make build` compiles it, saying so (about a minute).
  Without Swift, or without the OpenBLAS/LAPACKE headers, it stops with one line that says what
  to install instead of producing a wheel that cannot import.
A module of its own so that the tests can import it without setuptools.
"""
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILT = Path(".build") / "release" / "libfactorsense.so"
# What SwiftPM itself writes for the library's product, factorsense-c (Package.swift); `make build`
# links it as BUILT, the C ABI's name.
COMPILED = Path(".build") / "release" / "libfactorsense-c.so"
# What the library is compiled from: a built library older than any of these is stale.
SOURCES = ("Sources", "include", "Package.swift", "mk/exports.map")
APT_PACKAGES = "libopenblas-dev liblapacke-dev"


def say(message):
    """A line of the build hook's on stderr (pip shows it with -v, and whenever the build fails)."""
    print(f"factorsense: {message}", file=sys.stderr, flush=True)


def newest_source(root):
    """The latest modification time among the files the library is compiled from."""
    times = []
    for name in SOURCES:
        path = root / name
        files = path.rglob("*") if path.is_dir() else [path]
        times.extend(f.stat().st_mtime for f in files if f.is_file())
    return max(times, default=float("inf"))


def needs_swift_runtime(library):
    """Whether the library's dynamic section asks for a Swift runtime library (it was built
    without the Makefile's -static-stdlib); None when readelf is not there to tell."""
    readelf = shutil.which("readelf")
    if readelf is None:
        return None
    dynamic = subprocess.run([readelf, "-d", str(library)], capture_output=True, text=True).stdout
    return any("(NEEDED)" in line and "swift" in line.lower() for line in dynamic.splitlines())


def reusable_library(root, environ):
    """The library to put in the wheel without compiling, with the reason; (None, None) if none."""
    chosen = environ.get("FACTORSENSE_PREBUILT_LIBRARY")
    if chosen:
        if not Path(chosen).is_file():
            raise SystemExit(f"factorsense: FACTORSENSE_PREBUILT_LIBRARY is {chosen!r}, which is not a file; "
                             "point it at a libfactorsense.so built by `make build`, or unset it.")
        return Path(chosen), "FACTORSENSE_PREBUILT_LIBRARY"
    built = root / BUILT
    if built.is_file() and built.stat().st_mtime > newest_source(root) and needs_swift_runtime(built) is False:
        return built, "newer than its sources; delete it to compile again"
    return None, None


def blas_headers_problem(environ):
    """None when the C compiler finds OpenBLAS's cblas.h and lapacke.h through pkg-config (as
    SwiftPM does), else one line naming the packages that provide them."""
    hint = (f"compiling libfactorsense.so needs the OpenBLAS and LAPACKE headers (cblas.h, lapacke.h) "
            f"and pkg-config's openblas.pc: on Debian/Ubuntu `sudo apt-get install {APT_PACKAGES} pkg-config`")
    pkg_config = shutil.which("pkg-config", path=environ.get("PATH"))
    if pkg_config is None:
        return f"{hint} (pkg-config is not on PATH)"
    flags = subprocess.run([pkg_config, "--cflags", "openblas"], capture_output=True, text=True, env=environ)
    if flags.returncode != 0:
        return f"{hint} (pkg-config knows no openblas)"
    compiler = next(filter(None, (shutil.which(c, path=environ.get("PATH")) for c in
                                  (environ.get("CC", ""), "cc", "clang", "gcc"))), None)
    if compiler is None:
        return None  # nothing to ask: SwiftPM's own error will name the header
    probe = subprocess.run([compiler, "-E", "-x", "c", "-", *shlex.split(flags.stdout)], input=
                           "#include <cblas.h>\n#include <lapacke.h>\n", capture_output=True, text=True, env=environ)
    return None if probe.returncode == 0 else f"{hint} (cblas.h or lapacke.h not found)"


def compile_library(root, environ):
    """Compiles the library with SwiftPM, as `make build` does, and returns its path."""
    swift = shutil.which(environ.get("SWIFT", "swift"), path=environ.get("PATH"))
    if swift is None:
        raise SystemExit("factorsense: building this package compiles libfactorsense.so with the Swift "
                         "toolchain, and `swift` is not on PATH. Install Swift (https://swift.org/install) "
                         "or install a prebuilt wheel.")
    if not (root / "Package.swift").is_file():
        raise SystemExit(f"factorsense: the FactorSense checkout (Package.swift) was not found at {root}; "
                         "build the wheel from a checkout: pip wheel ./python")
    problem = blas_headers_problem(environ)
    if problem:
        raise SystemExit(f"factorsense: {problem}")
    # The Makefile's LIBRARY_FLAGS: static Swift runtime, fs_ symbols only, SONAME.
    flags = shlex.split(environ.get("FACTORSENSE_SWIFT_FLAGS", "")) or [
        "-Xswiftc", "-static-stdlib", "-Xlinker", f"--version-script={root / 'mk' / 'exports.map'}",
        "-Xlinker", "-soname=libfactorsense.so.0"]
    say("compiling libfactorsense.so with SwiftPM (about a minute; `make build` first, or "
        "FACTORSENSE_PREBUILT_LIBRARY, lets later installs reuse it)")
    subprocess.run([swift, "build", "-c", "release", "--product", "factorsense-c", *flags], cwd=root, check=True)
    return root / COMPILED


def library_for_wheel(root=ROOT, environ=os.environ):
    """The library to put in the wheel: reused when one is, else compiled."""
    library, reason = reusable_library(root, environ)
    if library is None:
        return compile_library(root, environ)
    say(f"reusing {library} ({reason})")
    return library
