# FactorSense — the two commands of the README are `make demo` and `make test`.
# Each first installs what a fresh Debian machine lacks (OpenBLAS/LAPACKE through apt-get,
# Python packages through pip), then builds and runs.

SWIFT      ?= swift
# PYTHON: the interpreter the project's virtual environment (.venv) is made from; every Python
# command then runs in .venv, so Debian's externally managed Python (PEP 668) never refuses pip.
PYTHON     ?= python3
VENV       := .venv
VENV_PYTHON := $(abspath $(VENV))/bin/python
CC         ?= cc
CONFIG     ?= release
BUILD_DIR  := .build/$(CONFIG)
LIBRARY    := $(BUILD_DIR)/libfactorsense.so
# The SwiftPM product of the C library (Package.swift): SwiftPM names its file lib$(PRODUCT).so,
# which `make build` links as libfactorsense.so, the C ABI's name.
PRODUCT    := factorsense-c
VERSION    := $(shell sed -n 's/^\#define FS_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\)/\2/p' include/factorsense.h | paste -sd.)
MAJOR      := $(firstword $(subst ., ,$(VERSION)))
# A self-contained library: the Swift runtime, Dispatch and Synchronization linked in statically,
# only the fs_ functions exported (mk/exports.map), and a SONAME; OpenBLAS and LAPACKE stay shared.
# The C targets' debug information in DWARF 4: clang 21 writes DWARF 5 by default, which the
# valgrind of Debian 12 (3.19) cannot read ("unhandled dwarf2 abbrev form code 0x25").
LIBRARY_FLAGS := -Xswiftc -static-stdlib -Xlinker --version-script=$(abspath mk/exports.map) \
                 -Xlinker -soname=libfactorsense.so.$(MAJOR) -Xcc -gdwarf-4
C_STRICT   := -std=c11 -Wall -Wextra -Werror -pedantic
C_LINK     := -Iinclude -L$(BUILD_DIR) -lfactorsense -Wl,-rpath,$(abspath $(BUILD_DIR)) -lm
PYTHONPATH_DEMO := $(abspath python)
APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config valgrind python3-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build demo test test-lane-a test-lane-b test-swift test-c c-programs print-c-tests test-python deps deps-system deps-python clean

all: build

## deps-system: OpenBLAS, LAPACKE, pkg-config, valgrind and venv, through apt-get when missing
deps-system:
	@if pkg-config --exists openblas 2>/dev/null && [ -f /usr/include/lapacke.h ] && command -v valgrind >/dev/null \
	    && $(PYTHON) -c "import ensurepip, venv" 2>/dev/null; then :; else \
	  echo "installing $(APT_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

## deps-python: the project's virtual environment .venv (made from $(PYTHON), reused when present)
## with python/requirements.txt, through pip when something is missing
deps-python: deps-system
	@[ -x $(VENV_PYTHON) ] || { echo "creating $(VENV) from $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	@$(VENV_PYTHON) -c "import numpy, scipy, matplotlib, tqdm, pytest, mypy, hypothesis, pandas, nbclient, nbformat, ipykernel, ipywidgets, threadpoolctl, dask.distributed, pyarrow, sphinx, numpydoc, myst_parser, myst_nb, furo" 2>/dev/null || \
	  $(VENV_PYTHON) -m pip install -q -r python/requirements.txt

deps: deps-system deps-python

## build: libfactorsense.so in .build/release (SKIP_BUILD=1: use the one there, as make test's lanes do)
build: deps-system
ifneq ($(SKIP_BUILD),1)
	$(SWIFT) build -c $(CONFIG) --product $(PRODUCT) $(LIBRARY_FLAGS)
	@ln -f $(BUILD_DIR)/lib$(PRODUCT).so $(LIBRARY)   # a hard link: the same file under the ABI's name
	@ln -sf libfactorsense.so $(BUILD_DIR)/libfactorsense.so.$(MAJOR)   # the SONAME programs linked here ask for
endif

## demo: recover a low-rank matrix from Gaussian measurements, print phases and error, save demo.png
demo: build deps-python
	PYTHONPATH=$(PYTHONPATH_DEMO) $(VENV_PYTHON) examples/python/demo.py --plot demo.png

## test: every suite — Swift, C (warnings as errors), Python, memory checks, a short fuzz run, the API reference —
## after one build, in two lanes that run side by side on two cores. Lane a holds every part that
## runs SwiftPM (which locks .build): swift test, the wheel. Each part's output is printed whole
## when it ends; $(TEST_TIMES) gets a line `part<TAB>seconds<TAB>status` for each (.ci/run's table).
TEST_LANE_a := test-swift test-wheel check-library test-install fuzz-smoke notebooks
TEST_LANE_b := test-c test-python check-memory docs
TEST_TIMES  := .build/test-times.tsv
TEST_LOGS   := .build/test-logs

test: build deps-python deps-valgrind
	@mkdir -p $(TEST_LOGS) && : > $(TEST_TIMES)
	@$(MAKE) --no-print-directory -j2 test-lane-a test-lane-b
	@echo "make test: every part passed"; awk -F '\t' '{ printf "  %-16s %5s s\n", $$1, $$2 }' $(TEST_TIMES)

test-lane-a test-lane-b: test-lane-%:
	@for part in $(TEST_LANE_$*); do \
	  start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$part SKIP_BUILD=1 > $(TEST_LOGS)/$$part.log 2>&1; status=$$?; \
	  seconds=$$(( $$(date +%s) - start )); \
	  flock $(TEST_LOGS)/.print sh -c "echo '=== $$part (lane $*): exit $$status after $$seconds s'; cat $(TEST_LOGS)/$$part.log"; \
	  printf '%s\t%s\t%s\n' $$part $$seconds $$status >> $(TEST_TIMES); \
	  [ $$status -eq 0 ] || { echo "make test: $$part failed (its whole output: $(TEST_LOGS)/$$part.log)"; exit 1; }; \
	done

test-swift: deps-system
	$(SWIFT) test
	$(SWIFT) run recover-swift

# The C programs of test-c, in the order they run; each is built from its .c file with warnings as
# errors. scripts/mutants.py runs the same list (make print-c-tests) against each mutant.
C_TESTS := examples/c/recover examples/c/families examples/c/interrupt Tests/c/test_api Tests/c/test_families Tests/c/test_diagnostics \
           Tests/c/test_predictions \
           Tests/c/test_targets Tests/c/test_memory_limits Tests/c/test_handle_race Tests/c/test_completion \
           Tests/c/test_batch Tests/c/test_flow Tests/c/test_precision Tests/c/test_struct_sizes \
           Tests/c/test_symmetric_targets

## c-programs: build the C test programs and examples against the library
c-programs: build
	@for program in $(C_TESTS); do $(CC) $(C_STRICT) $$program.c -o $$program $(C_LINK) || exit 1; done
	$(CC) $(C_STRICT) -pthread Tests/c/test_exit_during_solve.c -o Tests/c/test_exit_during_solve $(C_LINK)

print-c-tests:
	@echo $(C_TESTS)

test-c: c-programs
	@for program in $(C_TESTS); do echo "./$$program"; ./$$program || { echo "test-c: $$program failed"; exit 1; }; done
	@for isa in avx2 baseline; do echo "FACTORSENSE_KERNEL_ISA=$$isa ./Tests/c/test_batch"; \
	  FACTORSENSE_KERNEL_ISA=$$isa ./Tests/c/test_batch || { echo "test-c: test_batch on $$isa failed"; exit 1; }; done
	./Tests/c/test_exit_during_solve 200

test-python: build deps-python
	PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) $(VENV_PYTHON) -m pytest -q python/tests

# Memory checks and fuzzing (mk/reliability.mk): every C program under valgrind and under
# ASan + LSan + UBSan, with a 200-iteration budget for their recovery runs (200 rounds per thread
# for test_handle_race, which shares one handle of each kind between threads), and the libFuzzer
# harness fuzz/fuzz_api.c.
MEMCHECK_PROGRAMS := examples/c/recover.c examples/c/families.c examples/c/interrupt.c Tests/c/test_api.c Tests/c/test_families.c \
                     Tests/c/test_diagnostics.c Tests/c/test_targets.c Tests/c/test_handle_race.c \
                     Tests/c/test_completion.c Tests/c/test_batch.c Tests/c/test_flow.c Tests/c/test_precision.c \
                     Tests/c/test_struct_sizes.c Tests/c/test_symmetric_targets.c Tests/c/test_predictions.c
MEMCHECK_ARGS     := 200
include mk/reliability.mk
include mk/notebooks.mk

# The API reference (mk/docs.mk): `make docs` builds the Python, C and Swift reference into
# .build/docs, every warning an error.
include mk/docs.mk

# Installing (mk/install.mk): make install PREFIX=…, factorsense.pc, the library's own checks,
# and a wheel that installs into a fresh environment.
include mk/install.mk

# The mutation check (mk/mutants.mk): deliberate one-line bugs, each of which a test must catch.
include mk/mutants.mk

# The benchmarks (mk/bench.mk): `make bench`, never part of `make test`.
include mk/bench.mk

clean:
	rm -rf .build examples/c/recover examples/c/families examples/c/interrupt Tests/c/test_api Tests/c/test_families Tests/c/test_diagnostics \
	       Tests/c/test_targets Tests/c/test_memory_limits Tests/c/test_handle_race Tests/c/test_exit_during_solve Tests/c/test_completion Tests/c/test_batch Tests/c/test_flow Tests/c/test_precision Tests/c/test_struct_sizes Tests/c/test_symmetric_targets demo.png
