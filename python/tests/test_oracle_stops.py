"""Every stop rule at its boundary (docs/mathematics.md, "Stop rules"; GradientDescentOptions).

A reference run without the rule records the loss f_t of every iterate; the rule's definition,
evaluated on that history with the same floating-point operations, says at which iterate t a
run with the rule must stop, and the run must stop exactly there (same seed, same bits, so the
two runs share f_0 … f_t). Each threshold is put exactly on the boundary — the value for which
the comparison is an equality at some t — and one ulp below it, where the stop moves:

- loss_tol:          converged at the first t with f_t ≤ loss_tol;
- tol over window w: converged at the first t ≥ w with |f_t − f_{t−w}| ≤ tol · f_{t−w};
- divergence_factor: diverged at the first t with f_t > divergence_factor · f_0 (the result
                     holds iterate t);
- max_iter:          max_iterations at t = max_iter.
"""
import math

import numpy as np
import pytest

import factorsense as fs


def first(predicate, count):
    """The first t < count where predicate(t) holds, or None."""
    return next((t for t in range(count) if predicate(t)), None)


def exact_multiplier(target, base):
    """A double c with c · base == target exactly (in floating point), or None."""
    c = target / base
    for _ in range(8):
        c = math.nextafter(c, -math.inf)
    for _ in range(16):
        if c * base == target:
            return c
        c = math.nextafter(c, math.inf)
    return None


def check_stop(result, reference, t, reason):
    """The run stopped at iterate t for `reason`, and its losses are the reference's f_0 … f_t."""
    assert (result.stop_reason, result.iterations) == (reason, t)
    np.testing.assert_array_equal(result.history["iteration"], np.arange(t + 1))
    np.testing.assert_array_equal(result.history["loss"], reference.history["loss"][: t + 1])


@pytest.fixture(scope="module")
def converging():
    """Noise-free, exact width: the loss falls to 0."""
    p = fs.SensingProblem.gaussian(12, 10, 2, 200, seed=5)
    settings = dict(width=2, init_scale=0.3, step=0.2, seed=1, max_iter=300)
    return p, settings, fs.gradient_descent(p, **settings)


@pytest.fixture(scope="module")
def flattening():
    """Noisy measurements: the loss levels off at the noise floor, its relative change shrinks."""
    p = fs.SensingProblem.gaussian(20, 15, 2, 300, noise=0.05, seed=2)
    settings = dict(width=3, init_scale=0.3, step=0.2, seed=1, max_iter=300)
    return p, settings, fs.gradient_descent(p, **settings)


@pytest.fixture(scope="module")
def diverging():
    """A step a little too large: the loss oscillates, then grows without bound."""
    p = fs.SensingProblem.gaussian(12, 10, 2, 200, seed=5)
    settings = dict(width=2, init="spectral", step=1.1, max_iter=60)
    return p, settings, fs.gradient_descent(p, divergence_factor=1e300, **settings)


@pytest.mark.parametrize("at", [40, 120])
def test_loss_tol(converging, at):
    p, settings, reference = converging
    f = reference.history["loss"]
    assert reference.stop_reason == "max_iterations" and f[-1] < 1e-6 * f[0]
    for loss_tol in (f[at], math.nextafter(f[at], 0)):
        expected = first(lambda t: f[t] <= loss_tol, len(f))
        check_stop(fs.gradient_descent(p, loss_tol=loss_tol, **settings), reference, expected, "converged")
    # On the boundary the rule stops at `at`; one ulp below, later.
    assert first(lambda t: f[t] <= f[at], len(f)) == at < first(lambda t: f[t] <= math.nextafter(f[at], 0), len(f))


@pytest.mark.parametrize("window", [1, 10, 25])
def test_relative_change_over_the_window(flattening, window):
    p, settings, reference = flattening
    f = reference.history["loss"]

    def stop(tol, w=window):
        return first(lambda t: t >= w and abs(f[t] - f[t - w]) <= tol * f[t - w], len(f))

    # A tolerance that first holds in mid-run, moved onto the boundary: equality at that t.
    t_star = stop(1e-3 * window)
    assert t_star is not None and window < t_star < len(f) - 1
    tol = exact_multiplier(abs(f[t_star] - f[t_star - window]), f[t_star - window])
    assert tol is not None and stop(tol) == t_star
    below = math.nextafter(tol, 0)
    assert stop(below) != t_star
    # The window is seen: a rule over w ± 1 iterations would stop elsewhere.
    assert stop(tol, window + 1) != t_star and (window == 1 or stop(tol, window - 1) != t_star)
    for threshold in (tol, below):
        expected = stop(threshold)
        run = fs.gradient_descent(p, tol=threshold, window=window, **settings)
        if expected is None:
            check_stop(run, reference, settings["max_iter"], "max_iterations")
        else:
            check_stop(run, reference, expected, "converged")


def test_relative_change_needs_a_whole_window(flattening):
    """No stop before t = w, even with a tolerance every later iterate meets."""
    p, settings, reference = flattening
    run = fs.gradient_descent(p, tol=1e6, window=17, **settings)
    check_stop(run, reference, 17, "converged")


@pytest.mark.parametrize("at", [19, 23])
def test_divergence_factor(diverging, at):
    p, settings, reference = diverging
    f = reference.history["loss"]
    assert reference.stop_reason == "diverged" and f[-1] > 1e100 * f[0]
    assert f[at] > max(f[:at])  # a new maximum, after the loss has gone up and down
    factor = exact_multiplier(f[at], f[0])
    assert factor is not None and factor > 1
    for threshold in (factor, math.nextafter(factor, 0)):
        expected = first(lambda t: f[t] > threshold * f[0], len(f))
        run = fs.gradient_descent(p, divergence_factor=threshold, **settings)
        check_stop(run, reference, expected, "diverged")
        assert np.all(np.isfinite(run.U)) and np.all(np.isfinite(run.V))
    # On the boundary f_at = factor · f_0 is not above it: the stop comes after `at`; one ulp below, at `at`.
    assert first(lambda t: f[t] > math.nextafter(factor, 0) * f[0], len(f)) == at
    assert first(lambda t: f[t] > factor * f[0], len(f)) > at


def test_default_divergence_factor_is_1e8(diverging):
    p, settings, reference = diverging
    f = reference.history["loss"]
    check_stop(fs.gradient_descent(p, **settings), reference, first(lambda t: f[t] > 1e8 * f[0], len(f)), "diverged")


@pytest.mark.parametrize("max_iter", [0, 1, 37])
def test_max_iter(converging, max_iter):
    p, settings, reference = converging
    check_stop(fs.gradient_descent(p, **(settings | dict(max_iter=max_iter))), reference, max_iter, "max_iterations")
