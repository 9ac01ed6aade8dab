"""The project's own docs carry the mathematics: no user-facing file points at a SPEC.md users do
not have, and every history column and every option the library accepts is defined in
docs/mathematics.md."""
import re
from pathlib import Path

import factorsense as fs

ROOT = Path(__file__).resolve().parents[2]
MATHEMATICS = (ROOT / "docs" / "mathematics.md").read_text()


def user_facing_files():
    for pattern in ("include/*.h", "Sources/**/*.swift", "python/factorsense/*.py", "docs/*.md", "README.md",
                    "examples/**/*.py", "examples/**/*.c", "examples/**/*.swift"):
        yield from ROOT.glob(pattern)


def test_no_user_facing_file_points_at_spec():
    offenders = [str(p.relative_to(ROOT)) for p in user_facing_files() if re.search(r"\bSPEC\b(?!_)", p.read_text())]
    assert offenders == []


def test_every_history_column_is_defined():
    p = fs.SensingProblem.gaussian(8, 6, 2, 60, seed=0)
    r = fs.gradient_descent(p, width=3, max_iter=2, diagnostics="all")
    names = list(r.history) + list(r.history.matrices)
    assert len(names) == 17
    missing = [name for name in names if f"`{name}`" not in MATHEMATICS]
    assert missing == []


def test_every_option_is_defined():
    header = (ROOT / "include" / "factorsense.h").read_text()
    block = header[header.index("Integer options (default):"):header.index("fs_status fs_options_set_int")]
    options = re.findall(r'^ \*   "([a-z_]+)"', block, flags=re.M)
    assert {"width", "max_iter", "diagnostics", "saddle_fraction", "plateau_window"} <= set(options)
    missing = [name for name in options if f"`{name}`" not in MATHEMATICS]
    assert missing == []
