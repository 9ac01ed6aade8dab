"""CITATION.cff is valid Citation File Format 1.2.0 (its JSON schema, checked with jsonschema), names the version of include/factorsense.h and the four papers the library
implements; LICENSE, the SPDX identifiers and pyproject's license agree; CHANGELOG.md has every
version."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CITATION = ROOT / "CITATION.cff"
PAPERS = {"2309.01796": "Wind", "2106.14289": "Ye", "2106.15013": "Stöger", "2303.14244": "Soltanolkotabi"}


def header_version():
    header = (ROOT / "include" / "factorsense.h").read_text()
    return ".".join(re.search(rf"#define FS_VERSION_{part} (\d+)", header).group(1)
                    for part in ("MAJOR", "MINOR", "PATCH"))


def test_citation_is_valid_against_the_cff_schema():
    """The Citation File Format 1.2.0 JSON schema (python/tests/data, the copy cffconvert ships;
    CC-BY-4.0, by the Citation File Format project)
    checked with jsonschema, which nbformat already brings — so the check runs on every machine,
    cffconvert or not."""
    jsonschema = pytest.importorskip("jsonschema")
    yaml = pytest.importorskip("yaml")
    import json

    schema = json.loads((Path(__file__).parent / "data" / "cff-1.2.0.schema.json").read_text())
    citation = yaml.safe_load(CITATION.read_text())
    citation = json.loads(json.dumps(citation, default=str))  # YAML dates as the strings the schema expects
    jsonschema.validate(citation, schema, format_checker=jsonschema.FormatChecker())


def test_citation_names_the_software_version_and_the_four_papers():
    yaml = pytest.importorskip("yaml")
    citation = yaml.safe_load(CITATION.read_text())
    assert citation["cff-version"] == "1.2.0"
    assert citation["message"] and citation["title"].startswith("FactorSense") and citation["authors"]
    assert citation["type"] == "software" and citation["license"] == "BSD-3-Clause"
    assert citation["version"] == header_version()
    found = {}
    for reference in citation["references"]:
        assert {"type", "title", "authors", "year"} <= reference.keys(), reference
        arxiv = re.search(r"arxiv.org/abs/(\S+)", reference["url"]).group(1)
        found[arxiv] = reference["authors"][0]["family-names"]
    assert found == PAPERS


def test_license_and_spdx_identifiers_agree():
    assert "BSD 3-Clause License" in (ROOT / "LICENSE").read_text()
    assert "Copyright (c) 2026, The FactorSense authors" in (ROOT / "LICENSE").read_text()
    for path in ("include/factorsense.h", "Package.swift"):
        assert "SPDX-License-Identifier: BSD-3-Clause" in "".join((ROOT / path).read_text().splitlines()[:2]), path
    pyproject = (ROOT / "python" / "pyproject.toml").read_text()
    assert re.search(r'^license = "BSD-3-Clause"$', pyproject, re.M)
    # The wheel's copy (a link in git; the mutation check's scratch tree copies it as a file).
    assert (ROOT / "python" / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()


def test_changelog_has_a_section_for_every_version_up_to_the_headers():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    major, minor, _ = map(int, header_version().split("."))
    for version in range(1, minor + 1):
        assert re.search(rf"^## {major}\.{version}\.0 — 2026-\d\d-\d\d$", changelog, re.M), version
    assert "## Unreleased" in changelog
