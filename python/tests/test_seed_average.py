"""fs.average_seeds and fs.plot.sweep_vs_alpha: a sweep's trials grouped by everything but the
seed, each numeric outcome's mean, sample standard deviation, count (and a quantile band),
checked against a reading of the rows with numpy loops — no pandas groupby in the oracle."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import factorsense as fs  # noqa: E402

PROBLEM = dict(kind="gaussian", n1=12, n2=9, rank=2, measurements=[120, 180], seed=0)
GRID = dict(seed=range(4), init_scale=[1e-3, 1e-4, 1e-2])  # not sorted: grid order is kept
COMMON = dict(width=4, step=0.4, max_iter=300)


@pytest.fixture(scope="module")
def frame():
    return fs.sweep(problem=PROBLEM, grid=GRID, workers=2, **COMMON)


def oracle(frame, keys, column, over=("seed",), band=None):
    """{key tuple: (mean, std, count[, low, high])} by plain loops over the rows, NaN skipped."""
    groups = {}
    for _, row in frame.iterrows():
        if row["stop_reason"] == "error":
            continue
        groups.setdefault(tuple(row[k] for k in keys), []).append(float(row[column]))
    out = {}
    for key, values in groups.items():
        v = np.array(values)
        v = v[~np.isnan(v)]
        stats = [v.mean() if v.size else np.nan, v.std(ddof=1) if v.size > 1 else np.nan, v.size]
        if band is not None:
            stats += [np.quantile(v, band[0]) if v.size else np.nan, np.quantile(v, band[1]) if v.size else np.nan]
        out[key] = stats
    return out


def test_mean_std_count_match_the_rows(frame):
    averaged = fs.average_seeds(frame)
    keys = ["kind", "n1", "n2", "rank", "measurements", "problem_seed", "width", "step", "max_iter", "init_scale"]
    assert list(averaged.columns[:len(keys)]) == keys
    assert len(averaged) == 6  # 2 measurement counts × 3 scales; 4 seeds each
    for column in ("final_test_error", "final_loss", "iterations", "saddle_end", "plateau_level", "recovered"):
        expected = oracle(frame, keys, column)
        for _, row in averaged.iterrows():
            mean, std, count = expected[tuple(row[k] for k in keys)]
            assert row[f"{column}_count"] == count, column
            np.testing.assert_allclose([row[f"{column}_mean"], row[f"{column}_std"]], [mean, std], rtol=1e-12,
                                       equal_nan=True, err_msg=column)
    assert (averaged["final_test_error_count"] == 4).all()


def test_grid_order_is_kept(frame):
    averaged = fs.average_seeds(frame)
    assert list(averaged["measurements"]) == [120] * 3 + [180] * 3
    assert list(averaged["init_scale"]) == [1e-3, 1e-4, 1e-2] * 2


def test_a_quantile_band(frame):
    averaged = fs.average_seeds(frame, columns=["final_test_error"], band=(0.1, 0.9))
    assert [c for c in averaged.columns if c.startswith("final_test_error")] == [
        "final_test_error_mean", "final_test_error_std", "final_test_error_count", "final_test_error_low",
        "final_test_error_high"]
    assert "final_loss_mean" not in averaged
    keys = ["measurements", "init_scale"]
    expected = oracle(frame, keys, "final_test_error", band=(0.1, 0.9))
    for _, row in averaged.iterrows():
        np.testing.assert_allclose([row.final_test_error_low, row.final_test_error_high],
                                   expected[(row.measurements, row.init_scale)][3:], rtol=1e-12)


def test_learning_times_are_averaged_one_column_each(frame):
    averaged = fs.average_seeds(frame, columns=["learning_times"])
    for i in (1, 2):
        expanded = frame.assign(t=[row[i - 1] if len(row) >= i else np.nan for row in frame["learning_times"]])
        expected = oracle(expanded, ["measurements", "init_scale"], "t")
        for _, row in averaged.iterrows():
            mean, std, count = expected[(row.measurements, row.init_scale)]
            assert row[f"learning_time_{i}_count"] == count
            np.testing.assert_allclose([row[f"learning_time_{i}_mean"], row[f"learning_time_{i}_std"]], [mean, std],
                                       rtol=1e-12, equal_nan=True)


def test_missing_values_are_skipped_and_counted():
    """A hand-made frame: NaN (a phase not shown) is left out of mean, std and count; a refused
    trial (stop reason "error") is not a run and is left out altogether; one value has std NaN."""
    df = pd.DataFrame(dict(
        trial=range(6), init_scale=[1e-3] * 3 + [1e-2] * 3, seed=[0, 1, 2, 0, 1, 2],
        stop_reason=["max_iterations", "max_iterations", "error", "max_iterations", "converged", "max_iterations"],
        iterations=[100, 100, 0, 100, 40, 100], saddle_end=[10.0, 14.0, np.nan, np.nan, np.nan, 7.0],
        learning_times=[[5.0, 9.0], [6.0], [], [4.0, 8.0], [3.0, np.nan], [5.0, 7.0]]))
    averaged = fs.average_seeds(df)
    assert list(averaged.columns) == ["init_scale", "iterations_mean", "iterations_std", "iterations_count",
                                      "saddle_end_mean", "saddle_end_std", "saddle_end_count",
                                      *(f"learning_time_{i}_{s}" for i in (1, 2) for s in ("mean", "std", "count"))]
    assert list(averaged.learning_time_1_count) == [2, 3] and list(averaged.learning_time_2_count) == [1, 2]
    assert list(averaged.learning_time_1_mean) == [5.5, 4] and list(averaged.learning_time_2_mean) == [9, 7.5]
    first, second = averaged.iloc[0], averaged.iloc[1]
    assert (first.iterations_mean, first.iterations_std, first.iterations_count) == (100, 0, 2)
    assert (first.saddle_end_mean, first.saddle_end_std, first.saddle_end_count) == (12, np.sqrt(8), 2)
    assert second.iterations_mean == 80 and second.iterations_std == pytest.approx(np.std([100, 40, 100], ddof=1))
    assert second.saddle_end_mean == 7 and np.isnan(second.saddle_end_std) and second.saddle_end_count == 1


def test_over_several_columns(frame):
    """Averaging over the problem's seed too (here one value): the same groups, without it."""
    averaged = fs.average_seeds(frame, over=["seed", "problem_seed"], columns=["final_test_error"])
    assert "problem_seed" not in averaged and len(averaged) == 6


def test_bad_input_is_refused(frame):
    with pytest.raises(fs.InvalidArgumentError, match="DataFrame"):
        fs.average_seeds({"seed": [0]})
    with pytest.raises(fs.InvalidArgumentError, match="'replica'.*columns"):
        fs.average_seeds(frame, over="replica")
    with pytest.raises(fs.InvalidArgumentError, match="'curvature'"):
        fs.average_seeds(frame, columns=["curvature"])
    with pytest.raises(fs.InvalidArgumentError, match="'stop_reason' is not numeric"):
        fs.average_seeds(frame, columns=["stop_reason"])
    for band in [(0.9, 0.1), (-0.1, 0.5), (0.1,), "wide"]:
        with pytest.raises(fs.InvalidArgumentError, match="band"):
            fs.average_seeds(frame, band=band)


def bars(ax):
    """(x, y, low, high) of each errorbar container."""
    out = []
    for container in ax.containers:
        line, _, (bars,) = container.lines
        ends = np.array([segment[:, 1] for segment in bars.get_segments()])
        out.append((np.asarray(line.get_xdata()), np.asarray(line.get_ydata()), ends[:, 0], ends[:, 1]))
    return out


def test_plot_draws_mean_and_std_against_alpha_log_log(frame):
    ax = fs.plot.sweep_vs_alpha(frame, column="final_test_error")
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    averaged = fs.average_seeds(frame, columns=["final_test_error"])
    drawn = bars(ax)
    assert len(drawn) == 2  # one curve per measurement count
    for (x, y, low, high), m in zip(drawn, (120, 180)):
        part = averaged[averaged.measurements == m].sort_values("init_scale")
        np.testing.assert_array_equal(x, part.init_scale)
        np.testing.assert_array_equal(y, part.final_test_error_mean)
        np.testing.assert_allclose(low, part.final_test_error_mean - part.final_test_error_std, rtol=1e-12)
        np.testing.assert_allclose(high, part.final_test_error_mean + part.final_test_error_std, rtol=1e-12)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[0].startswith("measurements=120") and "slope" in labels[0]
    slope = np.polyfit(np.log(x), np.log(y), 1)[0]  # the last curve's
    assert ax.alpha_slopes[labels[1]] == pytest.approx(slope, rel=1e-12)
    plt.close("all")


def test_plot_with_a_quantile_band(frame):
    ax = fs.plot.sweep_vs_alpha(frame, spread=(0.25, 0.75))
    averaged = fs.average_seeds(frame, columns=["final_test_error"], band=(0.25, 0.75))
    x, y, low, high = bars(ax)[0]
    part = averaged[averaged.measurements == 120].sort_values("init_scale")
    np.testing.assert_allclose(low, part.final_test_error_low, rtol=1e-12)
    np.testing.assert_allclose(high, part.final_test_error_high, rtol=1e-12)
    assert "25–75 %" in ax.get_ylabel()
    plt.close("all")


def test_plot_refuses_what_it_cannot_draw(frame):
    with pytest.raises(fs.InvalidArgumentError, match="spread"):
        fs.plot.sweep_vs_alpha(frame, spread="sem")
    with pytest.raises(fs.InvalidArgumentError, match="'init_scale'"):
        fs.plot.sweep_vs_alpha(frame.drop(columns=["init_scale"]))
    plt.close("all")
