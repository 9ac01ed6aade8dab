"""The quickstart at the top of include/factorsense.h compiles with -Wall -Wextra -Werror -pedantic
and recovers, so the first program a C reader copies cannot rot."""
import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = (ROOT / "include" / "factorsense.h").read_text()
LIBRARY = Path(os.environ.get("FACTORSENSE_LIBRARY", ROOT / ".build" / "release" / "libfactorsense.so"))


def quickstart():
    """The program of the header's Quickstart: the comment's lines indented by four more spaces."""
    block = HEADER.split(" * Quickstart:", 1)[1].split(" * Conventions", 1)[0].splitlines()
    first = next(i for i, line in enumerate(block) if line.startswith(" *     "))
    return "\n".join(line[len(" *     "):] for line in block[first:]) + "\n"


def test_the_quickstart_compiles_and_recovers(tmp_path):
    source = quickstart()
    assert source.count("\n") >= 15 and "int main(void)" in source and "fs_gradient_descent" in source
    (tmp_path / "quick.c").write_text(source)
    built = subprocess.run(["cc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{ROOT / 'include'}",
                            "quick.c", "-o", "quick", f"-L{LIBRARY.parent}", f"-Wl,-rpath,{LIBRARY.parent}",
                            "-lfactorsense", "-lm"], capture_output=True, text=True, cwd=tmp_path)
    assert built.returncode == 0, source + built.stderr
    out = subprocess.run([str(tmp_path / "quick")], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    error = float(re.search(r"test error (\S+) at iteration", out.stdout).group(1))
    assert error < 1e-2, out.stdout
