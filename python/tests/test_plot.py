"""factorsense.plot draws what the history holds: the line data are the history's arrays, the
shaded spans are the detected phases."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import factorsense as fs  # noqa: E402


@pytest.fixture(scope="module")
def run():
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)
    return fs.gradient_descent(p, width=20, init_scale=1e-6, step=0.25, max_iter=400, seed=1)


def lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def test_loss_draws_the_history_and_shades_the_phases(run):
    ax = fs.plot.loss(run)
    drawn = lines(ax)
    assert np.array_equal(drawn["loss"].get_ydata(), run.history["loss"])
    assert np.array_equal(drawn["test error"].get_xdata(), run.history["iteration"])
    spans = [(p.get_x(), p.get_x() + p.get_width()) for p in ax.patches]
    ph = run.phases
    assert spans == [(0, ph.alignment_end), (ph.alignment_end, ph.saddle_end), (ph.saddle_end, ph.plateau_start)]
    assert drawn["plateau"].get_ydata()[0] == ph.plateau_level
    plt.close("all")


def test_loss_against_time(run):
    ax = fs.plot.loss(run, x="time")
    assert np.array_equal(lines(ax)["loss"].get_xdata(), run.history["time"])
    assert ax.patches[1].get_x() == pytest.approx(run.phases.alignment_end_time)
    plt.close("all")


def test_singular_values_draw_the_staircase(run):
    ax = fs.plot.singular_values(run, truth=[1.0, 1.0], count=3)
    drawn = lines(ax)
    for i in range(3):
        assert np.array_equal(drawn[f"σ_{i + 1}(X)"].get_ydata(), run.history["singular_values"][:, i])
    verticals = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == ":")
    assert verticals == sorted(run.learning_iterations)
    plt.close("all")


def test_balance_leaves_out_what_is_nan(run):
    ax = fs.plot.balance(run)
    drawn = lines(ax)
    assert "imbalance" not in drawn  # a PSD run: NaN throughout
    assert np.array_equal(drawn["signal"].get_ydata(), run.history["signal"])
    plt.close("all")


def test_unresolved_phases_draw_no_spans():
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    r = fs.gradient_descent(p, width=3, max_iter=3)
    assert r.phases.saddle_end is None
    ax = fs.plot.loss(r)
    assert len(ax.patches) == 0
    plt.close("all")


def test_a_phase_whose_start_was_not_found_is_not_shaded():
    """(I) not found (the spectral alignment and the signal not recorded): (II) has no start, so
    only (III) is shaded — never (II) from t = 0; a run that did not recover shades nothing."""
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)
    r = fs.gradient_descent(p, width=20, init_scale=1e-6, step=0.25, max_iter=400, seed=1,
                            diagnostics=["singular_values"])
    assert r.phases.alignment_end is None and r.phases.signal_end is None and r.phases.saddle_end is not None
    ax = fs.plot.loss(r)
    assert [(q.get_x(), q.get_x() + q.get_width()) for q in ax.patches] == [(r.phases.saddle_end,
                                                                             r.phases.plateau_start)]
    assert [t.get_text() for t in ax.get_legend().get_texts()][-2:] == ["(III) local refinement", "plateau"]
    failed = fs.gradient_descent(fs.SensingProblem.gaussian(30, 20, 2, 100, seed=0), width=2, step=0.2,
                                 max_iter=2000, seed=1)
    assert not failed.phases.recovered and fs.plot.phase_spans(failed) == []
    plt.close("all")


def test_plateau_against_alpha_fits_the_slope():
    p = fs.SensingProblem.symmetric_gaussian(12, 1, 400, seed=2)
    alphas = [1e-4, 1e-3, 1e-2]
    results = [fs.gradient_descent(p, width=12, init_scale=a, step=0.25, max_iter=300, seed=3) for a in alphas]
    ax = fs.plot.plateau_vs_alpha(results, alphas)
    errors = [r.history["test_error"][-1] for r in results]
    assert np.array_equal(ax.get_lines()[0].get_ydata(), errors)
    assert ax.plateau_slope == pytest.approx(np.polyfit(np.log(alphas), np.log(errors), 1)[0])
    plt.close("all")


def test_bad_input_is_refused(run):
    with pytest.raises(TypeError, match="Result"):
        fs.plot.loss({"loss": [1, 2]})
    with pytest.raises(ValueError, match="one result per α"):
        fs.plot.plateau_vs_alpha([], [])
    with pytest.raises(ValueError, match="one result per α"):
        fs.plot.plateau_vs_alpha([run], [1e-3, 1e-2])
    p = fs.SensingProblem.gaussian(12, 9, 2, 150, seed=1)
    bare = fs.gradient_descent(p, width=3, max_iter=3, diagnostics="none")
    with pytest.raises(ValueError, match="singular_values"):
        fs.plot.singular_values(bare)
    with pytest.raises(ValueError, match="recorded none"):
        fs.plot.balance(bare)
