# mk/docs.mk — the API reference, `make docs`, part of `make test`: every warning is an error.
#   .build/docs/python  Sphinx (docs/site/conf.py): the Python API from its numpydoc docstrings,
#                       the docs/ pages, the notebooks as committed (make notebooks runs them),
#                       and the C reference read from include/factorsense.h
#   .build/docs/swift   DocC: the catalog Sources/FactorSense/FactorSense.docc over the symbol
#                       graph of the FactorSense module that `make build` compiled (read with
#                       symbolgraph-extract: no second build, no lock on .build)
#   .build/docs/index.html  links to the three; serve the folder to read the DocC archive,
#                       e.g. python3 -m http.server -d .build/docs (DocC pages need HTTP).
# Included from the Makefile (SWIFT, VENV_PYTHON, BUILD_DIR, LIBRARY, PYTHONPATH_DEMO, build, deps-python).

DOCC        ?= docc
DOCS_DIR    := .build/docs
DOCS_WORK   := .build/docs-work

.PHONY: docs docs-python docs-swift

docs: docs-python docs-swift
	cp docs/site/landing.html $(DOCS_DIR)/index.html
	@echo "docs: $(DOCS_DIR)/index.html (python3 -m http.server -d $(DOCS_DIR) to read the Swift pages)"

docs-python: build deps-python
	rm -rf $(DOCS_DIR)/python $(DOCS_WORK)/doctrees
	PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) MPLBACKEND=Agg \
	  $(VENV_PYTHON) -m sphinx -W --keep-going -q -c docs/site -d $(DOCS_WORK)/doctrees . $(DOCS_DIR)/python

# The package's C targets (each with an include/ folder and a module map SwiftPM writes), which
# the FactorSense module imports.
C_TARGETS := $(notdir $(patsubst %/include,%,$(wildcard Sources/C*/include)))

docs-swift: build
	rm -rf $(DOCS_DIR)/swift $(DOCS_WORK)/symbols && mkdir -p $(DOCS_WORK)/symbols
	$(SWIFT) symbolgraph-extract -module-name FactorSense -minimum-access-level public -skip-synthesized-members \
	  -target $$($(SWIFT) -print-target-info | sed -n 's/^ *"triple": "\(.*\)",*$$/\1/p' | head -n 1) \
	  -I $(BUILD_DIR)/Modules -I Sources/CBLAS $(foreach t,$(C_TARGETS),-I Sources/$(t)/include \
	  -Xcc -fmodule-map-file=$(BUILD_DIR)/$(t).build/module.modulemap) \
	  -output-dir $(DOCS_WORK)/symbols
	$(DOCC) convert Sources/FactorSense/FactorSense.docc --additional-symbol-graph-dir $(DOCS_WORK)/symbols \
	  --fallback-display-name FactorSense --fallback-bundle-identifier org.factorsense.FactorSense \
	  --hosting-base-path swift --warnings-as-errors --output-path $(DOCS_DIR)/swift
