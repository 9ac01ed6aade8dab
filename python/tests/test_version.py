"""The version lives in include/factorsense.h (FS_VERSION_MAJOR/MINOR/PATCH); the Swift library
and the Makefile read it from there, and every other place that states it must agree (issue 25)."""
import re
from pathlib import Path

import factorsense as fs
from factorsense import _lib

ROOT = Path(__file__).resolve().parents[2]


def header_version():
    text = (ROOT / "include" / "factorsense.h").read_text()
    parts = [re.search(rf"#define FS_VERSION_{part} (\d+)", text).group(1) for part in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


def test_every_statement_of_the_version_is_the_headers():
    version = header_version()
    assert fs.library_version() == version  # the library as built
    assert fs.__version__ == version
    pyproject = (ROOT / "python" / "pyproject.toml").read_text()
    assert re.search(r'^version = "([^"]+)"', pyproject, re.M).group(1) == version
    assert ".".join(map(str, _lib.EXPECTED_VERSION)) == version.rsplit(".", 1)[0]
    readme = (ROOT / "README.md").read_text()
    assert set(re.findall(r"libfactorsense\.so\.(\d+\.\d+\.\d+)", readme)) <= {version}
    assert set(re.findall(r"factorsense-(\d+\.\d+\.\d+)-py3", readme)) <= {version}
    citation = ROOT / "CITATION.cff"
    if citation.exists():
        assert re.search(r'^version: "?([\d.]+)"?', citation.read_text(), re.M).group(1) == version
    changelog = ROOT / "CHANGELOG.md"
    if changelog.exists():
        assert re.search(rf"^## \[?{re.escape(version)}\]?", changelog.read_text(), re.M), "CHANGELOG.md has no entry for it"
