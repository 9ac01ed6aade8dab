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
    assert plot.stat().st_size > 10_000


def test_families():
    out = run("families.py")
    lines = [line for line in out.splitlines() if "test error" in line]
    assert len(lines) == 7
    assert sum("your own" in line for line in lines) == 2
    for line in lines:
        assert float(line.split("test error")[1].split()[0]) < 1e-2, line
