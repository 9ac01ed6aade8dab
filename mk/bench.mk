# The benchmarks (never part of `make test`): FactorSense and plain numpy side by side in one
# process, with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for numpy's sake. The table goes to
# the terminal and, as JSON, to .build/bench.json. `make bench-quick` is the short version.

## bench: numpy / FactorSense time ratios for dense, completion, factorization and spectral-start rows
bench: build deps-python
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) \
	  $(VENV_PYTHON) benchmarks/bench.py --json .build/bench.json

## bench-quick: the same with fewer steps and no 400 MB operator
bench-quick: build deps-python
	env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) \
	  $(VENV_PYTHON) benchmarks/bench.py --quick --json .build/bench.json

.PHONY: bench bench-quick
