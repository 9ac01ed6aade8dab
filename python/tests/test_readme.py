"""The README's code blocks run (or, for fragments, compile), so its quick-starts cannot rot:

- every ```python block, in order, in one namespace, after a prelude that defines the names the
  prose around the blocks leaves to the reader (n1, n2, rank, m, k, a target X or (L, s, R), your
  entries, a masked matrix M, λ, τ, b), in a scratch directory;
- the complete ```c program is compiled with -Wall -Wextra -Werror and run; the ```c fragment of
  calls is compiled (-fsyntax-only) inside a function that declares what it uses;
- the ```swift block is an excerpt of examples/swift/Recover/main.swift, which `make test` runs;
- the ```sh block's make targets have rules (running `make test` inside `make test` would recurse).
"""
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import factorsense as fs

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
BLOCKS = re.findall(r"```(\w*)\n(.*?)```", README, re.S)
LIBRARY = Path(os.environ.get("FACTORSENSE_LIBRARY", ROOT / ".build" / "release" / "libfactorsense.so"))

PRELUDE = """
import numpy as np
import factorsense as fs
rng = np.random.default_rng(0)
n1, n2, n, rank, m, k, b = 12, 10, 10, 2, 100, 3, 50
λ, τ = 0.1, 1e-4
L, s, R = rng.standard_normal((n1, 2)), np.array([2.0, 1.0]), rng.standard_normal((n2, 2))
X = S = (L * s) @ R.T
rows, cols = np.nonzero(rng.random((n1, n2)) < 0.5)
values, shape = X[rows, cols], (n1, n2)
A = rng.standard_normal((m, n1 * n2)) / np.sqrt(m)
y = A @ X.ravel()
U0, V0 = 1e-3 * rng.standard_normal((n1, k)), 1e-3 * rng.standard_normal((n2, k))
M = np.where(rng.random((n1, n2)) < 0.6, X, np.nan)
"""


def blocks(language):
    return [body for lang, body in BLOCKS if lang == language]


def test_the_python_blocks_run(tmp_path):
    script = PRELUDE + "\n".join(f"# --- README block {i}\n{body}" for i, body in enumerate(blocks("python")))
    runner = tmp_path / "readme_blocks.py"
    runner.write_text("if __name__ == '__main__':\n" + textwrap.indent(script, "    "))
    env = dict(os.environ, PYTHONPATH=str(Path(fs.__file__).parent.parent), MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, str(runner)], cwd=tmp_path, capture_output=True, text=True, timeout=900, env=env)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (tmp_path / "sweep" / "sweep.json").exists()


def compile_c(source, tmp_path, *flags):
    path = tmp_path / "readme.c"
    path.write_text(source)
    command = ["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", f"-I{ROOT / 'include'}", str(path), *flags]
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)


def test_the_c_program_compiles_and_runs(tmp_path):
    program = next(body for body in blocks("c") if "int main" in body)
    built = compile_c(program, tmp_path, "-o", "readme", f"-L{LIBRARY.parent}", f"-Wl,-rpath,{LIBRARY.parent}",
                      "-lfactorsense", "-lm")
    assert built.returncode == 0, built.stderr
    out = subprocess.run([str(tmp_path / "readme")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "test error" in out.stdout, out.stdout + out.stderr
    assert float(out.stdout.split("test error")[1]) < 1e-2


def test_the_c_fragment_compiles(tmp_path):
    fragment = next(body for body in blocks("c") if "int main" not in body)
    source = textwrap.dedent("""
        #include "factorsense.h"
        void fragment(fs_problem *problem, fs_options *options, int64_t n1, int64_t n2, int64_t count, int64_t r,
                      int64_t k, const int64_t *rows, const int64_t *cols, const double *values, const double *truth,
                      const double *X, const double *L, const double *s, const double *R, const double *U,
                      const double *V, double *gU, double *gV);
        void fragment(fs_problem *problem, fs_options *options, int64_t n1, int64_t n2, int64_t count, int64_t r,
                      int64_t k, const int64_t *rows, const int64_t *cols, const double *values, const double *truth,
                      const double *X, const double *L, const double *s, const double *R, const double *U,
                      const double *V, double *gU, double *gV) {
            double loss;
        """) + textwrap.indent(fragment, "    ") + "}\n"
    built = compile_c(source, tmp_path, "-fsyntax-only")
    assert built.returncode == 0, built.stderr


def test_the_swift_block_is_an_excerpt_of_the_example():
    (excerpt,) = blocks("swift")
    example = (ROOT / "examples" / "swift" / "Recover" / "main.swift").read_text()
    lines = [line for line in excerpt.splitlines() if line.strip()]
    assert all(line in example.splitlines() for line in lines), [l for l in lines if l not in example.splitlines()]


def test_the_shell_targets_exist():
    for body in blocks("sh"):
        targets = [line.split()[1] for line in body.splitlines() if line.lstrip().startswith("make ")]
        assert targets
        rules = "".join(path.read_text() for path in [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))])
        for target in targets:
            assert re.search(rf"^{re.escape(target)}:", rules, re.M), f"make {target} has no rule"
