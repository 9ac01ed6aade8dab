# mk/notebooks.mk — the papers' experiments (examples/notebooks) run clean: every notebook is
# executed with nbclient by `make notebooks`, part of `make test`; the executed copies, with their
# figures, land in .build/notebooks.

.PHONY: notebooks

notebooks: build deps-python
	PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) MPLBACKEND=Agg $(VENV_PYTHON) scripts/run_notebooks.py
