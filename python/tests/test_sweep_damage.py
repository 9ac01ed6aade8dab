"""Sweeps that meet damaged folders, many trials of one problem, a huge grid, or a closed Dask
client (issue 22 item 7; Python-only by nature): damaged parts and markers are named by a
DamagedSweepWarning and recomputed, counts are honest, large trial counts are split into batches,
a huge grid is refused by its count before anything is built."""
import time
import warnings

import numpy as np
import pytest

import factorsense as fs


SPEC = dict(kind="gaussian", n1=6, n2=5, rank=2, measurements=[40, 50], seed=0)
RUNS = dict(grid=dict(seed=[0, 1]), width=2, max_iter=3)


def damaged(path, damage):
    """A sweep written to `path`, then damaged by `damage(path, parts)`."""
    fresh = fs.sweep(SPEC, path=path, **RUNS)
    damage(path, sorted(path.glob("part-*.parquet")))
    return fresh


PART_DAMAGE = {
    "an empty file": lambda path, parts: parts[0].write_bytes(b""),
    "not Parquet": lambda path, parts: parts[0].write_bytes(b"garbage" * 10),
    "no rows": lambda path, parts: pytest.importorskip("pandas").read_parquet(parts[0]).iloc[:0].to_parquet(parts[0]),
    "a row lost": lambda path, parts: pytest.importorskip("pandas").read_parquet(parts[0]).iloc[:1].to_parquet(parts[0]),
    "a column lost": lambda path, parts: (
        pytest.importorskip("pandas").read_parquet(parts[0]).drop(columns=["final_loss"]).to_parquet(parts[0])),
}
PART_WORDS = {"an empty file": "cannot be read", "not Parquet": "cannot be read", "no rows": "holds 0 rows",
              "a row lost": "holds 1 rows", "a column lost": "lacks the column final_loss"}


@pytest.mark.parametrize("damage", sorted(PART_DAMAGE))
def test_a_damaged_part_is_named_recomputed_and_counted_honestly(tmp_path, damage):
    # An empty part gave 2 of 4 rows with attrs reused=4; others raised ArrowInvalid.
    pd = pytest.importorskip("pandas")
    fresh = damaged(tmp_path / "sweep", PART_DAMAGE[damage])
    with pytest.warns(fs.DamagedSweepWarning, match=f"part-.*{PART_WORDS[damage]}.*its 2 trials are computed again"):
        again = fs.sweep(SPEC, path=tmp_path / "sweep", **RUNS)
    assert again.attrs == {"computed": 2, "reused": 2}
    pd.testing.assert_frame_equal(again.drop(columns="seconds"), fresh.drop(columns="seconds"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # repaired: read whole, no warning
        assert fs.sweep(SPEC, path=tmp_path / "sweep", **RUNS).attrs == {"computed": 0, "reused": 4}


@pytest.mark.parametrize("marker", ["{nope", "{}", "[1]", b"\xff\xfe"])
def test_a_damaged_marker_is_named_and_written_again(tmp_path, marker):
    # Before: JSONDecodeError, KeyError.
    path = tmp_path / "sweep"
    damaged(path, lambda p, parts: (p / "sweep.json").write_bytes(marker if isinstance(marker, bytes) else marker.encode()))
    with pytest.warns(fs.DamagedSweepWarning, match="sweep.json' is damaged"):
        assert fs.sweep(SPEC, path=path, **RUNS).attrs == {"computed": 0, "reused": 4}
    with pytest.raises(fs.InvalidArgumentError, match="holds a sweep of other parameters"):
        fs.sweep(SPEC, path=path, **dict(RUNS, max_iter=4))


def test_parts_without_histories_are_recomputed_for_a_sweep_with_them(tmp_path):
    # Before: KeyError "['loss_history', 'test_error_history'] not in index".
    damaged(tmp_path / "sweep", lambda p, parts: None)
    with pytest.warns(fs.DamagedSweepWarning, match="lacks the columns loss_history, test_error_history"):
        frame = fs.sweep(SPEC, path=tmp_path / "sweep", histories=True, **RUNS)
    assert frame.attrs == {"computed": 4, "reused": 0} and all(len(h) == 4 for h in frame["loss_history"])


def test_a_sweep_of_more_trials_of_one_problem_than_a_batch_takes_is_split():
    # 1030 trials of one problem were refused ("a batch takes at most 1024 trials").
    pytest.importorskip("pandas")
    spec = dict(kind="factorization", n1=3, n2=3, rank=1, seed=0)
    frame = fs.sweep(spec, grid=dict(seed=range(1030)), width=1, max_iter=1, diagnostics="none", workers=2)
    assert len(frame) == 1030 and (frame["stop_reason"] == "max_iterations").all()
    for trial in (0, 1029):
        alone = fs.gradient_descent(fs.SensingProblem.factorization(3, 3, 1, seed=0), 1, max_iter=1, seed=trial,
                                    diagnostics="none")
        assert frame["final_loss"][trial] == alone.history["loss"][-1]


def test_a_huge_grid_is_refused_by_its_count_before_anything_is_built():
    # 3000 × 3000 took 27 s and 2.6 GB to be refused.
    pytest.importorskip("pandas")
    start = time.perf_counter()
    with pytest.raises(fs.InvalidArgumentError, match=r"the grid has 9000000 trials \(3000 seed × 3000 init_scale\)"):
        fs.sweep(dict(kind="gaussian", n1=6, n2=5, rank=2, measurements=40, seed=0),
                 grid=dict(seed=range(3000), init_scale=np.linspace(1e-4, 1e-2, 3000)), width=2)
    assert time.perf_counter() - start < 1.0


def test_closing_the_dask_client_mid_sweep_says_so():
    # Before: ClosedClientError raised by the cleanup's cancel, over a FutureCancelledError.
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cluster:
        client = distributed.Client(cluster)
        with pytest.raises(fs.FactorSenseError, match=r"the Dask client was closed while the sweep ran, after 1 of 4 tasks"):
            fs.sweep(dict(SPEC, measurements=[40, 50, 60, 70]), client=client, progress=lambda done, total: client.close(),
                     **dict(RUNS, max_iter=300))
