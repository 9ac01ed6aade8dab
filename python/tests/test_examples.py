"""The Python examples run and reach what they claim (so the docs stay true)."""
import os
import subprocess
import sys
from pathlib import Path

import factorsense as fs

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "python"
ENV = dict(os.environ, PYTHONPATH=str(Path(fs.__file__).parent.parent))


def run(script, *args):
    out = subprocess.run([sys.executable, str(EXAMPLES / script), *args], capture_output=True, text=True, env=ENV)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def test_demo(tmp_path):
    plot = tmp_path / "demo.png"
    out = run("demo.py", "--plot", str(plot))
    assert "final test error" in out and "phase (III)" in out
    # All three phases are named, (I) by both rules, in order.
    one = out.split("phase (I), alignment: ends at iteration ")[1]
    spectral, signal = int(one.split()[0]), int(one.split("at ")[1].split()[0])
    two = int(out.split("phase (II), saddle avoidance: ends at iteration ")[1].split()[0])
    assert spectral < two and signal < two
    assert plot.stat().st_size > 10_000


def test_families():
    out = run("families.py")
    lines = [line for line in out.splitlines() if "test error" in line]
    assert len(lines) == 7
    assert sum("your own" in line for line in lines) == 2
    for line in lines:
        assert float(line.split("test error")[1].split()[0]) < 1e-2, line
    # The ScaledGD-vs-GD lines: the iteration counts printed are those of the same runs here
    # (same seed, same bits), both reached the loss, and ScaledGD needed far fewer.
    counts = {}
    for line in out.splitlines():
        if "preconditioner" in line and "iterations to loss" in line:
            name = line.split("preconditioner")[1].split()[0].strip("'")
            counts[name] = int(line.split("iterations to loss")[0].split()[-1])
    assert set(counts) == {"none", "scaled"}, out
    p = fs.SensingProblem.gaussian(20, 15, 3, 500, condition_number=100, seed=12)
    for name, printed in counts.items():
        r = fs.gradient_descent(p, width=3, step=0.5, max_iter=20000, init="spectral", loss_tol=1e-18,
                                preconditioner=name)
        assert r.stop_reason == "converged" and r.iterations == printed, (name, printed, r.iterations)
    assert 10 * counts["scaled"] < counts["none"]


def test_large_completion():
    """The 20000² example: the matrix-free spectral start stays far below 𝒜*(y)'s 3 GiB and gradient
    descent from it recovers the target."""
    out = run("large_completion.py")
    peak = float(out.split("peak memory")[1].split()[0])
    assert peak < 1.0, out
    before = float(out.split("spectral start:")[1].split()[0])
    after = float(out.split("gradient steps:")[1].split()[0])
    assert after < 1e-3 < before, out


def test_batch():
    """The α sweep: phase (II) ends later for smaller α (for both seeds), and the batched trial
    equals its own run."""
    out = run("batch.py")
    ends = [int(line.split("iteration")[1].split(",")[0]) for line in out.splitlines() if "phase (II)" in line]
    assert len(ends) == 8
    for seed in (0, 1):
        four = ends[4 * seed:4 * seed + 4]
        assert four == sorted(four, reverse=True) and four[0] > four[-1], out
    assert "bit for bit: True" in out


def test_single_precision():
    out = run("single_precision.py")
    sizes = [float(line.split("𝐀 ")[1].split(" MB")[0]) for line in out.splitlines() if "MB" in line]
    assert len(sizes) == 2 and sizes[1] == sizes[0] / 2
    errors = [float(line.split("final test error ")[1]) for line in out.splitlines() if line.startswith("float")]
    assert errors[0] < 1e-2 and abs(errors[1] - errors[0]) <= 0.1 * errors[0]


def test_unbalanced_start():
    """init_ratio 5 starts about 25 times more unbalanced than 1; the flow conserves the imbalance
    to 1e-6 relative from either start, and both recover."""
    out = run("unbalanced_start.py")
    starts = [float(line.split("imbalance at the start ")[1].split()[0]) for line in out.splitlines() if "at the start" in line]
    changes = [float(line.split("relative change ")[1].rstrip("),").split(")")[0]) for line in out.splitlines() if "conserved" in line]
    errors = [float(line.rsplit("test error ", 1)[1]) for line in out.splitlines() if "test error" in line]
    assert len(starts) == 2 and starts[1] > 10 * starts[0]
    assert len(changes) == 2 and max(changes) < 1e-6
    assert len(errors) == 4 and max(errors) < 1e-2
