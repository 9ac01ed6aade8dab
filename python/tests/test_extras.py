"""A missing optional dependency is named with the extra that installs it."""
import builtins

import pytest

import factorsense as fs
from factorsense._optional import require


@pytest.fixture
def without(monkeypatch):
    """Makes importing the given top-level packages fail, as if they were not installed."""
    real = builtins.__import__
    missing = set()

    def fake(name, *args, **kwargs):
        if name.split(".")[0] in missing:
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)
    monkeypatch.setattr(builtins, "__import__", fake)
    monkeypatch.setattr("importlib.import_module", lambda name: fake(name) if name.split(".")[0] in missing else real(name, fromlist=["_"]))
    return missing


def test_require_names_the_extra(without):
    without.add("tqdm")
    with pytest.raises(ImportError, match=r"progress=True needs tqdm.*factorsense\[progress\]"):
        require("tqdm.auto", "progress", "progress=True")


@pytest.mark.parametrize("package, call, extra", [
    ("tqdm", lambda p: fs.gradient_descent(p, width=2, max_iter=2, progress=True), "progress"),
    ("matplotlib", lambda p: fs.plot.loss(fs.gradient_descent(p, width=2, max_iter=2)), "plot"),
    ("pandas", lambda p: fs.sweep(problem=dict(n1=4, n2=3, rank=1, measurements=10), width=1, max_iter=2), "dask"),
    ("pandas", lambda p: fs.gradient_descent(p, width=2, max_iter=2).history.to_frame(), "notebook"),
])
def test_each_feature_names_its_extra(without, package, call, extra):
    p = fs.SensingProblem.gaussian(6, 5, 1, 30, seed=0)
    without.add(package)
    with pytest.raises(ImportError, match=rf"factorsense\[{extra}\]"):
        call(p)
