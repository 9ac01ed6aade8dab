"""Sphinx configuration of the FactorSense reference site (built by `make docs`).

The source directory is the checkout's root, narrowed by include_patterns to the site's own pages
(docs/site), the user guide (docs/*.md, through myst-parser) and the notebooks
(examples/notebooks, through myst-nb, rendered as committed: `make notebooks` executes them).
`make docs` runs sphinx-build with -W, so every warning fails the build.
"""
import os
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent
ROOT = SITE.parents[1]
sys.path.insert(0, str(ROOT / "python"))
sys.path.insert(0, str(SITE / "_ext"))

import factorsense  # noqa: E402  (the package documented, from this checkout)

project = "FactorSense"
author = "the FactorSense authors"
release = factorsense.__version__
version = release

root_doc = "docs/site/index"
include_patterns = ["docs/**", "examples/notebooks/*.ipynb"]
# Pruned from the walk over the checkout (the build folders are large).
exclude_patterns = [".*", "Sources", "Tests", "python", "fuzz", "benchmarks", "scripts", "mk",
                    "include", "examples/c", "examples/python", "examples/swift", "README.md"]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",          # Markdown pages (myst-parser) and notebooks
    "c_header",         # docs/site/_ext/c_header.py: the C reference from include/factorsense.h
    "api_coverage",     # docs/site/_ext/api_coverage.py: every name of factorsense.__all__ documented
]

# Python reference: numpydoc's sections; members listed by autodoc, in source order.
autodoc_member_order = "bysource"
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "undoc-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# Markdown and notebooks.
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
nb_execution_mode = "off"
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}

# C reference.
c_header_path = str(ROOT / "include" / "factorsense.h")

html_theme = "furo"
html_title = f"FactorSense {release}"
html_static_path = []
