# mk/reliability.mk — memory checks and fuzzing of the C API, included by the main Makefile
# (which defines SWIFT, CC, C_STRICT, C_LINK, BUILD_DIR, LIBRARY, SUDO and the `build` target).
#
#   make check-memory   the C programs under valgrind memcheck, then under ASan + UBSan + LSan
#   make fuzz-smoke     the libFuzzer harness over fuzz/corpus, short and bounded (make test)
#   make fuzz           one minute of new inputs; new corpus entries go to fuzz/corpus-new/
#
# Everything built here goes to $(RELIABILITY_DIR); crash reproducers to $(FUZZ_ARTIFACTS).

RELIABILITY_DIR := .build/reliability
FUZZ_ARTIFACTS  := $(RELIABILITY_DIR)/artifacts

# clang of the Swift toolchain: it ships libclang_rt.asan, .ubsan and .fuzzer. Override with
# `make CLANG=...`.
SWIFT_TOOLCHAIN_CLANG := $(wildcard $(dir $(realpath $(shell command -v $(SWIFT) 2>/dev/null)))clang)
CLANG ?= $(firstword $(SWIFT_TOOLCHAIN_CLANG) $(shell command -v clang 2>/dev/null) clang)
# The toolchain's clang links with gold, which warns about every ASan symbol it cannot export;
# lld (also in the toolchain) does not.
CLANG_LD ?= $(if $(wildcard $(dir $(CLANG))ld.lld),-fuse-ld=lld,)

# check-memory: the programs to check (override: make check-memory MEMCHECK_PROGRAMS="a.c b.c");
# scripts/check_memory.sh also replays fuzz/corpus (and fuzz/corpus-new) through the fuzz harness
# under valgrind. The programs run side by side, MEMCHECK_JOBS (default: all cores) at a time.
MEMCHECK_PROGRAMS ?= examples/c/recover.c Tests/c/test_api.c
# Arguments for each program: both take an iteration budget for their recovery runs (default
# 3000, ≈ 2 min each under valgrind); e.g. MEMCHECK_ARGS=300 takes ≈ 20 s each.
MEMCHECK_ARGS ?=

# The environment of every fuzz run:
# - SWIFT_BACKTRACE=enable=no: the Swift runtime's crash handler would take SIGABRT/SIGSEGV
#   before libFuzzer and ASan (and then trip over ASan's shadow memory), hiding their report;
# - OPENBLAS_NUM_THREADS=1: the problems are tiny, threads only add noise.
FUZZ_ENV    := SWIFT_BACKTRACE=enable=no OPENBLAS_NUM_THREADS=1
FUZZ_CFLAGS := $(C_STRICT) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -fno-omit-frame-pointer
# -max_len: the harness reads a few bytes per call; -timeout: any input slower than 10 s is a bug
# (runs are capped at 50 iterations on 8 × 8); -rss_limit_mb: libFuzzer's default, spelled out.
FUZZ_FLAGS  := -max_len=512 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
               -artifact_prefix=$(FUZZ_ARTIFACTS)/
FUZZ_SMOKE_RUNS ?= 100000

.PHONY: check-memory fuzz-smoke fuzz deps-valgrind fuzz-harness

## deps-valgrind: valgrind through apt-get when missing
deps-valgrind:
	@command -v valgrind >/dev/null 2>&1 || { \
	  echo "installing valgrind with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq valgrind; \
	}

check-memory: build deps-valgrind
	@CC="$(CC)" CLANG="$(CLANG)" CLANG_LD="$(CLANG_LD)" BUILD_DIR="$(BUILD_DIR)" \
	  C_STRICT="$(C_STRICT)" C_LINK="$(C_LINK)" OUT_DIR="$(RELIABILITY_DIR)" MEMCHECK_ARGS="$(MEMCHECK_ARGS)" \
	  bash scripts/check_memory.sh $(MEMCHECK_PROGRAMS)

fuzz-harness: build
	@mkdir -p $(RELIABILITY_DIR) $(FUZZ_ARTIFACTS)
	$(CLANG) $(FUZZ_CFLAGS) $(CLANG_LD) fuzz/fuzz_api.c -o $(RELIABILITY_DIR)/fuzz_api $(C_LINK)

# New inputs found by the smoke run go to a scratch folder emptied first, so fuzz/corpus is never
# written and every smoke run starts from the same place (-seed=1). -verbosity=0: quiet in make test.
# Any crash, sanitizer report, leak, contract violation or input slower than 10 s fails it.
fuzz-smoke: fuzz-harness
	@rm -rf $(RELIABILITY_DIR)/smoke-corpus && mkdir -p $(RELIABILITY_DIR)/smoke-corpus
	$(FUZZ_ENV) $(RELIABILITY_DIR)/fuzz_api $(FUZZ_FLAGS) -verbosity=0 -seed=1 -runs=$(FUZZ_SMOKE_RUNS) -max_total_time=60 \
	  $(RELIABILITY_DIR)/smoke-corpus fuzz/corpus

# fuzz/corpus-new/ keeps what each run finds (it ignores itself for git); fuzz/corpus is read only.
# To keep a find: copy it into fuzz/corpus (small files only).
fuzz: fuzz-harness
	@mkdir -p fuzz/corpus-new && printf '*\n' > fuzz/corpus-new/.gitignore
	$(FUZZ_ENV) $(RELIABILITY_DIR)/fuzz_api $(FUZZ_FLAGS) -max_total_time=60 fuzz/corpus-new fuzz/corpus
