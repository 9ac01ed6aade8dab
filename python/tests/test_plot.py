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


@pytest.fixture(scope="module")
def long_run():
    """The fixture's run for 2000 iterations: every phase has ended by 165, in the first tenth."""
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)
    return fs.gradient_descent(p, width=20, init_scale=1e-6, step=0.25, max_iter=2000, seed=1)


def test_the_time_axis_is_logarithmic_when_the_phases_end_in_the_first_tenth(run, long_run):
    assert long_run.phases.plateau_start == 165 and run.phases.plateau_start == 165
    for draw in (fs.plot.loss, fs.plot.singular_values, fs.plot.balance):
        ax = draw(long_run)
        assert ax.get_xscale() == "symlog", draw  # symlog: t = 0 stays on the axis, log from t = 1 on
        assert ax.xaxis.get_transform().linthresh == 1
        assert ax.get_xlabel().endswith("(log)")
        assert draw(run).get_xscale() == "linear", draw  # 165 of 400: not early
        assert draw(long_run, time_axis="linear").get_xscale() == "linear"
        assert draw(run, time_axis="log").get_xscale() == "symlog"
        plt.close("all")
    ax = fs.plot.loss(long_run, x="time")
    assert ax.get_xscale() == "symlog" and ax.xaxis.get_transform().linthresh == 0.25  # η·t: the first recorded time
    with pytest.raises(fs.InvalidArgumentError, match="time_axis"):
        fs.plot.loss(run, time_axis="logarithmic")
    with pytest.raises(fs.InvalidArgumentError, match="x must be"):
        fs.plot.loss(run, x="seconds")
    plt.close("all")


def test_a_run_without_phases_keeps_a_linear_axis():
    failed = fs.gradient_descent(fs.SensingProblem.gaussian(30, 20, 2, 100, seed=0), width=2, step=0.2,
                                 max_iter=2000, seed=1)
    assert fs.plot.phase_spans(failed) == [] and fs.plot.loss(failed).get_xscale() == "linear"
    plt.close("all")


def test_a_flow_on_uneven_times_is_shaded_at_its_phase_times():
    """x="time": the spans are the phases' *_time fields (not iterations rescaled), and times that
    start above 0 get a plain log axis."""
    p = fs.SensingProblem.symmetric_gaussian(20, 2, 2000, seed=0)
    flow = fs.gradient_flow(p, width=20, init_scale=1e-6, times=np.geomspace(0.1, 400, 100), seed=1)
    ph = flow.phases
    assert ph.plateau_start_time < 40  # the first tenth of the time
    ax = fs.plot.loss(flow, x="time")
    assert ax.get_xscale() == "log"
    spans = [(q.get_x(), q.get_x() + q.get_width()) for q in ax.patches]
    np.testing.assert_allclose(spans, [(0.1, ph.alignment_end_time), (ph.alignment_end_time, ph.saddle_end_time),
                                       (ph.saddle_end_time, ph.plateau_start_time)], rtol=1e-12)
    plt.close("all")


def test_a_psd_run_draws_one_curve_where_left_and_right_are_the_same(run):
    assert np.array_equal(run.U, run.V)  # PSD: V is U
    ax = fs.plot.balance(run)
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["alignment (left = right)", "spectral alignment (left = right)", "signal", "noise"]
    assert np.array_equal(lines(ax)["alignment (left = right)"].get_ydata(), run.history["alignment_left"])
    p = fs.SensingProblem.gaussian(20, 15, 2, 400, seed=2)
    asymmetric = fs.gradient_descent(p, width=6, step=0.3, init_scale=1e-4, max_iter=200, seed=0)
    labels = [line.get_label() for line in fs.plot.balance(asymmetric).get_lines()]
    assert labels == ["imbalance", "alignment left", "alignment right", "spectral alignment left",
                      "spectral alignment right", "signal", "noise"]
    plt.close("all")


def test_plot_history_is_plot_loss(run):
    """fs.plot_history (the 0.1 name, deprecated) draws what fs.plot.loss draws, the phases included."""
    with pytest.warns(DeprecationWarning, match="fs.plot.loss"):
        old = fs.plot_history(run)
    new = fs.plot.loss(run)
    assert [(line.get_label(), list(line.get_ydata())) for line in old.get_lines()] == \
        [(line.get_label(), list(line.get_ydata())) for line in new.get_lines()]
    assert len(old.patches) == len(new.patches) == 3
    with pytest.warns(DeprecationWarning):
        drawn = lines(fs.plot_history(run, columns=("residual",)))
    assert np.array_equal(drawn["residual"].get_ydata(), run.history["residual"]) and "loss" not in drawn
    with pytest.raises(fs.InvalidArgumentError, match="'curvature' is not recorded"):
        fs.plot.loss(run, columns=("curvature",))
    plt.close("all")


def test_predictions_are_overlaid_on_the_measurements():
    """Issue 23: the staircase with the predicted learning iterations, the plateau with the
    predicted slope, and the learning iterations against ln(1/α) beside the predicted ones."""
    p = fs.SensingProblem.gaussian(20, 16, 2, 600, condition_number=2, seed=4)
    alphas = [1e-6, 1e-4, 1e-2]
    results = [fs.gradient_descent(p, width=8, init_scale=a, step=0.3, max_iter=200, seed=1,
                                   diagnostics=["singular_values"]) for a in alphas]
    predictions = [fs.predict(p, init_scale=a, step=0.3) for a in alphas]

    ax = fs.plot.singular_values(results[0], count=2, predicted=predictions[0])
    dash_dotted = sorted(line.get_xdata()[0] for line in ax.get_lines() if line.get_linestyle() == "-.")
    assert dash_dotted == pytest.approx(sorted(predictions[0].learning_iterations))

    ax = fs.plot.plateau_vs_alpha(results, alphas, predicted=predictions[0])
    guide = ax.get_lines()[1]
    slope = np.diff(np.log(guide.get_ydata())) / np.diff(np.log(alphas))
    assert slope == pytest.approx([predictions[0].plateau_slope] * 2)
    assert "predicted slope" in guide.get_label()

    ax = fs.plot.learning_vs_alpha(results, alphas, predictions)
    drawn = lines(ax)
    np.testing.assert_array_equal(drawn["σ_2 measured"].get_ydata(), [r.learning_iterations[1] for r in results])
    np.testing.assert_array_equal(drawn["σ_2 predicted"].get_ydata(), [q.learning_iterations[1] for q in predictions])
    np.testing.assert_allclose(drawn["σ_1 measured"].get_xdata(), np.log(1 / np.array(alphas)))
    with pytest.raises(fs.InvalidArgumentError, match="one prediction per α"):
        fs.plot.learning_vs_alpha(results, alphas, predictions[:2])
    plt.close("all")
