"""What make test-wheel asks of the installed, repaired wheel, run by the fresh environment's
Python from a directory outside the checkout:

    check_wheel.py alone     (under scripts/without_system_blas.sh) the system's OpenBLAS and
                             LAPACKE cannot load, yet factorsense imports its own library, which
                             maps only the wheel's copies of OpenBLAS, LAPACKE and libgfortran,
                             and recovers a matrix
    check_wheel.py threads   in a process that also loaded the system's OpenBLAS (set to two
                             threads), a run pins the wheel's own OpenBLAS to one thread and
                             leaves the system's at two (threadpoolctl)
"""
import ctypes
import sys
from pathlib import Path

BUNDLED = ("libopenblas", "liblapacke", "libgfortran")


def mapped_libraries():
    """The shared objects this process has mapped (/proc/self/maps)."""
    return {Path(line.split()[-1]) for line in Path("/proc/self/maps").read_text().splitlines() if ".so" in line}


def recover():
    import factorsense as fs

    package = Path(fs.__file__).parent
    assert Path(fs._lib.lib._name).parent == package, f"loaded {fs._lib.lib._name}, not the package's library"
    p = fs.SensingProblem.gaussian(20, 15, 2, 300, seed=0)
    r = fs.gradient_descent(p, width=4, step=0.5, max_iter=1500)
    error = r.history["test_error"][-1]
    assert error < 1e-2, error
    return package, error


def check_alone():
    for name in ("libopenblas.so.0", "liblapacke.so.3"):
        try:
            ctypes.CDLL(name)
        except OSError:
            continue
        sys.exit(f"check_wheel: the system's {name} is still loadable: nothing is hidden")
    package, error = recover()
    blas = [path for path in mapped_libraries() if path.name.startswith(BUNDLED)]
    site = package.parent  # numpy's own copies are in site-packages too
    system = [str(path) for path in blas if site not in path.parents]
    assert not system, f"libraries from outside the environment: {system}"
    own = sorted(path.name for path in blas if path.parent == site / "factorsense.libs")
    assert len(own) == len(BUNDLED), f"expected the wheel's {BUNDLED}, mapped {own}"
    print(f"test-wheel: with the system's BLAS hidden the wheel recovers (test error {error:.1e}) "
          f"with its own {', '.join(own)}")


def check_threads():
    import threadpoolctl

    system = ctypes.CDLL("libopenblas.so.0")
    system.openblas_set_num_threads(2)
    before = system.openblas_get_num_threads()
    assert before == 2, f"the system's OpenBLAS took {before} threads, not 2"
    package, _ = recover()
    pools = {Path(pool["filepath"]).resolve(): pool["num_threads"] for pool in threadpoolctl.threadpool_info()
             if pool["internal_api"] == "openblas"}
    own = [threads for path, threads in pools.items() if path.parent == package.parent / "factorsense.libs"]
    assert own == [1], f"the wheel's OpenBLAS: {own} (all: {pools})"
    after = system.openblas_get_num_threads()
    assert after == before, f"the system's OpenBLAS went from {before} to {after} threads"
    print(f"test-wheel: a run pins the wheel's OpenBLAS to 1 thread and leaves the system's at {after}")


if __name__ == "__main__":
    {"alone": check_alone, "threads": check_threads}[sys.argv[1]]()
