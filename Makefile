# FactorSense — the two commands of the README are `make demo` and `make test`.
# Each first installs what a fresh Debian machine lacks (OpenBLAS/LAPACKE through apt-get,
# Python packages through pip), then builds and runs.

SWIFT      ?= swift
PYTHON     ?= python3
CC         ?= cc
CONFIG     ?= release
BUILD_DIR  := .build/$(CONFIG)
LIBRARY    := $(BUILD_DIR)/libfactorsense.so
C_STRICT   := -std=c11 -Wall -Wextra -Werror -pedantic
C_LINK     := -Iinclude -L$(BUILD_DIR) -lfactorsense -Wl,-rpath,$(abspath $(BUILD_DIR)) -lm
PYTHONPATH_DEMO := $(abspath python)
APT_PACKAGES := libopenblas-dev liblapacke-dev pkg-config valgrind
CLANG      ?= clang
C_PROGRAMS := examples/c/recover examples/c/families Tests/c/test_api Tests/c/test_families
# clang's sanitizers with GNU ld (gold warns about every ASan symbol it cannot export)
SANITIZE   := -g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined -fuse-ld=bfd
VALGRIND   := OPENBLAS_NUM_THREADS=1 valgrind -q --error-exitcode=1 --leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
FUZZ_FLAGS := -max_len=512 -rss_limit_mb=4096 -timeout=20 -artifact_prefix=$(SCRATCH)/
# The Swift runtime's own crash handler would catch SIGSEGV/SIGABRT before libFuzzer and ASan.
FUZZ_ENV   := SWIFT_BACKTRACE=enable=no
SCRATCH    := .build/checks
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build demo test test-swift test-c test-python check-memory fuzz-smoke fuzz deps deps-system deps-python clean

all: build

## deps-system: OpenBLAS, LAPACKE and pkg-config, through apt-get when missing
deps-system:
	@if pkg-config --exists openblas 2>/dev/null && [ -f /usr/include/lapacke.h ] && command -v valgrind >/dev/null; then :; else \
	  echo "installing $(APT_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

## deps-python: numpy, matplotlib, tqdm, pytest, hypothesis, through pip when missing
deps-python:
	@$(PYTHON) -c "import numpy, scipy, matplotlib, tqdm, pytest, hypothesis" 2>/dev/null || \
	  $(PYTHON) -m pip install -q -r python/requirements.txt

deps: deps-system deps-python

## build: libfactorsense.so in .build/release
build: deps-system
	$(SWIFT) build -c $(CONFIG) --product factorsense

## demo: recover a low-rank matrix from Gaussian measurements, print phases and error, save demo.png
demo: build deps-python
	PYTHONPATH=$(PYTHONPATH_DEMO) $(PYTHON) examples/python/demo.py --plot demo.png

## test: every suite — Swift, C (warnings as errors), Python, memory checks, a short fuzz run
test: test-swift test-c check-memory fuzz-smoke test-python

test-swift: deps-system
	$(SWIFT) test
	$(SWIFT) run recover-swift

test-c: build
	$(CC) $(C_STRICT) examples/c/recover.c -o examples/c/recover $(C_LINK)
	./examples/c/recover
	$(CC) $(C_STRICT) examples/c/families.c -o examples/c/families $(C_LINK)
	./examples/c/families
	$(CC) $(C_STRICT) Tests/c/test_api.c -o Tests/c/test_api $(C_LINK)
	./Tests/c/test_api
	$(CC) $(C_STRICT) Tests/c/test_families.c -o Tests/c/test_families $(C_LINK)
	./Tests/c/test_families

test-python: build deps-python
	PYTHONPATH=$(PYTHONPATH_DEMO) FACTORSENSE_LIBRARY=$(abspath $(LIBRARY)) $(PYTHON) -m pytest -q python/tests

## check-memory: the C programs under valgrind memcheck and under ASan + LSan + UBSan
check-memory: build
	@mkdir -p $(SCRATCH)
	@for program in $(C_PROGRAMS); do \
	  name=$$(basename $$program); \
	  $(CC) $(C_STRICT) -g $$program.c -o $(SCRATCH)/$$name $(C_LINK) || exit 1; \
	  echo "valgrind $$program"; $(VALGRIND) $(SCRATCH)/$$name 200 > /dev/null || exit 1; \
	  $(CLANG) $(C_STRICT) $(SANITIZE) $$program.c -o $(SCRATCH)/$$name-asan $(C_LINK) || exit 1; \
	  echo "ASan/LSan/UBSan $$program"; ASAN_OPTIONS=detect_leaks=1 $(SCRATCH)/$$name-asan > /dev/null || exit 1; \
	done
	@echo "check-memory: 0 errors, 0 leaks"

$(SCRATCH)/fuzz_api: Tests/Fuzz/fuzz_api.c include/factorsense.h build
	@mkdir -p $(SCRATCH)
	$(CLANG) -g -O1 -Wall -Wextra -Werror -fsanitize=fuzzer,address,undefined -fuse-ld=bfd $< -o $@ $(C_LINK)

## fuzz-smoke: the committed corpus plus 30000 mutations (part of make test)
fuzz-smoke: $(SCRATCH)/fuzz_api
	@mkdir -p $(SCRATCH)/corpus-new
	$(FUZZ_ENV) $(SCRATCH)/fuzz_api $(FUZZ_FLAGS) -runs=30000 -seed=1 $(SCRATCH)/corpus-new Tests/Fuzz/corpus

## fuzz: a minute of new inputs; new corpus entries go to .build/checks/corpus-new
fuzz: $(SCRATCH)/fuzz_api
	@mkdir -p $(SCRATCH)/corpus-new
	$(FUZZ_ENV) $(SCRATCH)/fuzz_api $(FUZZ_FLAGS) -max_total_time=60 $(SCRATCH)/corpus-new Tests/Fuzz/corpus

clean:
	rm -rf .build examples/c/recover examples/c/families Tests/c/test_api Tests/c/test_families demo.png
