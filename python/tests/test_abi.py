"""The Python side of the C ABI of version 0.5: ctypes layouts against the header's own sizeof and
offsetof (compiled here), the version check (major and minor), the perturbation callback given
its sizes (init=(U0, V0) works), Result.success as scipy.optimize's, and the names of the
learning times."""
import ctypes
import pickle
import shutil
import subprocess
import warnings
from pathlib import Path

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import factorsense as fs
from factorsense import _lib

ROOT = Path(__file__).resolve().parents[2]
STRUCTS = [_lib.fs_progress, _lib.fs_phases, _lib.fs_predictions, _lib.fs_problem_spec, _lib.fs_flow_settings]


def header_layouts(tmp_path):
    """{struct: (sizeof, {field: offsetof})} as a C compiler sees include/factorsense.h."""
    lines = ['#include <stdio.h>', '#include <stddef.h>', '#include "factorsense.h"', "int main(void) {"]
    for struct in STRUCTS:
        name = struct.__name__
        lines.append(f'printf("{name} size %zu\\n", sizeof({name}));')
        for field, _ in struct._fields_:
            lines.append(f'printf("{name} {field} %zu\\n", offsetof({name}, {field}));')
    lines.append("return 0; }")
    source = tmp_path / "layouts.c"
    source.write_text("\n".join(lines))
    program = tmp_path / "layouts"
    subprocess.run([shutil.which("cc") or "cc", "-std=c11", "-Wall", "-Werror", f"-I{ROOT / 'include'}",
                    str(source), "-o", str(program)], check=True)
    layouts = {}
    for line in subprocess.run([str(program)], check=True, capture_output=True, text=True).stdout.splitlines():
        name, field, value = line.split()
        layouts.setdefault(name, {})[field] = int(value)
    return layouts


@pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")
def test_ctypes_layouts_are_the_headers(tmp_path):
    layouts = header_layouts(tmp_path)
    for struct in STRUCTS:
        expected = layouts[struct.__name__]
        assert ctypes.sizeof(struct) == expected.pop("size"), struct.__name__
        assert {field: getattr(struct, field).offset for field, _ in struct._fields_} == expected, struct.__name__


def test_the_package_checks_its_layouts_and_the_minor_version():
    # What the package checks when it loads: its own structs by the sizes the header declares.
    _lib.check_layouts()
    major, minor = _lib.EXPECTED_VERSION
    here = major * 10000 + minor * 100
    _lib.check_version(here, f"{major}.{minor}.0", "here")
    _lib.check_version(here + 3, f"{major}.{minor}.3", "here")
    with pytest.raises(ImportError, match=f"{major}.{minor - 1}.0.*needs version {major}.{minor}"):
        _lib.check_version(here - 100, f"{major}.{minor - 1}.0", "here")
    with pytest.raises(ImportError, match=f"{major}.{minor + 1}.0.*needs version {major}.{minor}"):
        _lib.check_version(here + 100, f"{major}.{minor + 1}.0", "here")
    with pytest.raises(ImportError, match=f"{major + 1}.{minor}.0"):
        _lib.check_version(here + 10000, f"{major + 1}.{minor}.0", "here")


def flow_rhs(Xstar, n1, n2, k, perturbation):
    def f(t, z):
        U, V = z[:n1 * k].reshape(n1, k), z[n1 * k:].reshape(n2, k)
        D = U @ V.T - Xstar + perturbation(t, U, V)
        return -np.concatenate([(D @ V).ravel(), (D.T @ U).ravel()])
    return f


def test_a_perturbation_with_initial_factors_given_as_init():
    """init=(U0, V0) with a perturbation (a TypeError in 0.4): the callback sees n1 × k and n2 × k
    factors, and the flow is scipy's integration of the same ODE."""
    n1, n2, k = 7, 5, 3
    p = fs.SensingProblem.gaussian(n1, n2, 2, 60, seed=3)
    rng = np.random.default_rng(1)
    U0, V0 = 0.1 * rng.standard_normal((n1, k)), 0.1 * rng.standard_normal((n2, k))
    C = rng.standard_normal((n1, n2))
    shapes = set()

    def perturbation(t, U, V):
        shapes.add((U.shape, V.shape))
        return 0.1 * np.sin(t) * C + 0.05 * (U @ V.T)

    times = np.linspace(0, 2, 5)
    r = fs.gradient_flow(p, init=(U0, V0), perturbation=perturbation, times=times, rtol=1e-11, atol=1e-13,
                         diagnostics="none")
    assert r.stop_reason == "end_time" and shapes == {((n1, k), (n2, k))}
    reference = solve_ivp(flow_rhs(p.truth, n1, n2, k, lambda t, U, V: 0.1 * np.sin(t) * C + 0.05 * (U @ V.T)),
                          (0, 2), np.concatenate([U0.ravel(), V0.ravel()]), method="DOP853", rtol=1e-12, atol=1e-14)
    z = reference.y[:, -1]
    np.testing.assert_allclose(r.U, z[:n1 * k].reshape(n1, k), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.V, z[n1 * k:].reshape(n2, k), rtol=1e-7, atol=1e-9)
    # The same with U0=, V0= and with init= give the same bits.
    s = fs.gradient_flow(p, U0=U0, V0=V0, perturbation=perturbation, times=times, rtol=1e-11, atol=1e-13,
                         diagnostics="none")
    np.testing.assert_array_equal(r.U, s.U)


def test_a_psd_perturbation_sees_u_twice():
    p = fs.SensingProblem.symmetric_gaussian(6, 2, 80, psd=True, seed=2)
    U0 = 0.1 * np.random.default_rng(0).standard_normal((6, 2))
    seen = []

    def perturbation(t, U, V):
        seen.append((U.shape, V.shape, np.array_equal(U, V)))
        return np.zeros((6, 6))

    r = fs.gradient_flow(p, init=(U0,), perturbation=perturbation, times=[0, 0.5], diagnostics="none")
    assert r.stop_reason == "end_time" and set(seen) == {((6, 2), (6, 2), True)}


def test_success_is_scipys():
    """success: True when the run ended as it should (converged, a flow at its end time, early
    stopping), False when a budget ran out or it was stopped — as OptimizeResult.success."""
    p = fs.SensingProblem.gaussian(10, 8, 2, 200, seed=1)
    limit = fs.gradient_descent(p, width=3, max_iter=5, seed=0)
    assert limit.stop_reason == "max_iterations" and not limit.success
    converged = fs.gradient_descent(p, width=3, step=0.3, max_iter=20000, loss_tol=1e-12, init_scale=0.1, seed=0)
    assert converged.stop_reason == "converged" and converged.success
    flow = fs.gradient_flow(p, width=3, times=[0, 1], diagnostics="none")
    assert flow.stop_reason == "end_time" and flow.success
    budget = fs.gradient_flow(p, width=3, times=[0, 50], max_evaluations=10, diagnostics="none")
    assert budget.stop_reason == "max_iterations" and not budget.success
    for reason, success in [("converged", True), ("end_time", True), ("early_stopped", True),
                            ("max_iterations", False), ("diverged", False), ("callback", False),
                            ("interrupted", False), ("step_size_underflow", False)]:
        assert fs.Result(limit.U, limit.V, reason, 0, limit.history).success is success, reason


def test_the_learning_times_say_whether_they_are_iterations_or_times():
    p = fs.SensingProblem.gaussian(20, 15, 2, 400, seed=2)
    r = fs.gradient_descent(p, width=4, step=0.2, init_scale=1e-4, max_iter=300, seed=0)
    assert len(r.learning_iterations) == 2 and all(type(t) is int for t in r.learning_iterations)
    np.testing.assert_allclose(r.learning_at_time, 0.2 * np.array(r.learning_iterations), rtol=1e-15)
    with pytest.warns(DeprecationWarning, match="learning_iterations"):
        np.testing.assert_array_equal(r.learning_times, r.learning_iterations)
    with pytest.warns(DeprecationWarning, match="learning_at_time"):
        np.testing.assert_array_equal(r.learning_clock, r.learning_at_time)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r.learning_iterations, r.learning_at_time  # noqa: B018 — the new names do not warn


def test_a_result_pickled_by_0_4_reads_under_the_new_names():
    p = fs.SensingProblem.gaussian(10, 8, 2, 200, seed=1)
    r = fs.gradient_descent(p, width=3, max_iter=5, seed=0)
    old = fs.Result(r.U, r.V, r.stop_reason, r.iterations, r.history)
    state = vars(old)  # as 0.4 held them
    state["learning_times"] = state.pop("learning_iterations")
    state["learning_clock"] = state.pop("learning_at_time")
    state["learning_times"], state["learning_clock"] = r.learning_iterations, r.learning_at_time
    back = pickle.loads(pickle.dumps(old))
    np.testing.assert_array_equal(back.learning_iterations, r.learning_iterations)
    np.testing.assert_array_equal(back.learning_at_time, r.learning_at_time)
    assert "learning_times" not in vars(back)
