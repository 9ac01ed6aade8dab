#!/usr/bin/env bash
# scripts/check_memory.sh — memory checks of C programs that use libfactorsense.so.
#
#   scripts/check_memory.sh examples/c/recover.c Tests/c/test_api.c
#
# Each program is built twice and run twice:
#   1. with $CC and the strict flags, under valgrind memcheck: any invalid read/write, use of
#      uninitialised memory, or definitely/indirectly lost block fails the run;
#   2. with clang -fsanitize=address,undefined, with LeakSanitizer on. The program is
#      instrumented and libfactorsense.so is not: ASan still intercepts every malloc/free and
#      memcpy/memmove/memset of the process, and LSan sees every leak of the process.
# 3. Then the fuzz harness replays fuzz/corpus (and fuzz/corpus-new, if `make fuzz` made it)
#    under valgrind: see check_replay.
# A program that exits non-zero fails too. All runs go ahead; the exit status is 1 if any failed.
# Logs: $OUT_DIR/<path_of_program>.{memcheck,asan}.log; programs run MEMCHECK_JOBS at a time.
#
# make check-memory sets the environment from the Makefile; the defaults below match it.
set -u
shopt -s nullglob

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

CC=${CC:-cc}
CLANG=${CLANG:-clang}
BUILD_DIR=${BUILD_DIR:-.build/release}
C_STRICT=${C_STRICT:--std=c11 -Wall -Wextra -Werror -pedantic}
C_LINK=${C_LINK:--Iinclude -L$BUILD_DIR -lfactorsense -Wl,-rpath,$ROOT/$BUILD_DIR -lm}
CLANG_LD=${CLANG_LD:-}
OUT_DIR=${OUT_DIR:-.build/reliability}
VALGRIND=${VALGRIND:-valgrind}
SUPPRESSIONS=$ROOT/scripts/lsan.supp
# The fuzz harness and the corpora it replays under valgrind (REPLAY_HARNESS= turns it off).
REPLAY_HARNESS=${REPLAY_HARNESS-fuzz/fuzz_api.c}
REPLAY_CORPORA=${REPLAY_CORPORA:-fuzz/corpus fuzz/corpus-new}
# Arguments given to every program, e.g. MEMCHECK_ARGS=300: recover.c and test_api.c take an
# iteration budget for their recovery runs (default 3000), the bulk of their time under valgrind.
MEMCHECK_ARGS=${MEMCHECK_ARGS:-}

if [ $# -eq 0 ]; then
    echo "usage: $0 program.c..." >&2
    exit 2
fi
if [ ! -f "$BUILD_DIR/libfactorsense.so" ]; then
    echo "check_memory: $BUILD_DIR/libfactorsense.so is missing: run make build" >&2
    exit 2
fi
mkdir -p "$OUT_DIR"

# Both checkers:
# - SWIFT_BACKTRACE=enable=no: the Swift runtime's crash handler would otherwise take SIGSEGV /
#   SIGABRT before the sanitizer and print its own backtrace instead of the sanitizer's report.
# - OPENBLAS_NUM_THREADS=1: valgrind runs one thread at a time, so OpenBLAS's busy-waiting worker
#   threads slow it down many times over; for ASan it only keeps runs comparable.
COMMON_ENV=(SWIFT_BACKTRACE=enable=no OPENBLAS_NUM_THREADS=1)
# valgrind only: OpenBLAS picks its kernels from CPUID, and under valgrind's CPU it picks AVX2
# ones (Haswell), which valgrind emulates about 5 times slower than the SSE3 ones (Prescott) —
# the kernels OpenBLAS picks natively on machines it does not know. FactorSense's own memory use
# is the same with either. (An OPENBLAS_CORETYPE already set wins.)
VALGRIND_ENV=("${COMMON_ENV[@]}")
if [ "$(uname -m)" = x86_64 ]; then
    VALGRIND_ENV+=("OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Prescott}")
fi

# valgrind: the required flags; --show-leak-kinds keeps the Swift runtime's "possibly lost"
# metadata caches (interior pointers into its hash maps) out of the log — they are not errors
# either way, as only definite and indirect leaks count.
VALGRIND_FLAGS=(--error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect
                --show-leak-kinds=definite,indirect --num-callers=30)

# ASan + LSan + UBSan. detect_leaks=1 turns LeakSanitizer on at exit. No ASan check is turned
# off: none gave a false positive with the uninstrumented Swift library.
ASAN_ENV=(ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1
          UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1)
if [ -f "$SUPPRESSIONS" ]; then
    ASAN_ENV+=(LSAN_OPTIONS=suppressions=$SUPPRESSIONS:print_suppressions=1)
fi
SANITIZE=(-g -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# run <report> <label> <log> <command...>: runs the command, appends a line (and on failure the
# end of the log) to the report; returns 1 on failure.
run() {
    local report=$1 label=$2 log=$3
    shift 3
    local start status seconds
    start=$(now)
    "$@" >"$log" 2>&1
    status=$?
    seconds=$(elapsed "$start" "$(now)")
    if [ $status -eq 0 ]; then
        printf '  ok    %6ss  %s\n' "$seconds" "$label" >>"$report"
        return 0
    fi
    {
        printf '  FAIL  %6ss  %s (exit %s, log %s); its last lines:\n' "$seconds" "$label" "$status" "$log"
        tail -n 60 "$log" | sed 's/^/        /'
    } >>"$report"
    return 1
}

# check <source> <report>: both builds and both runs of one program; returns the failure count.
check() {
    local source=$1 report=$2 name failed=0
    local label=$source${MEMCHECK_ARGS:+ $MEMCHECK_ARGS}
    name=$(printf '%s' "${source%.c}" | tr '/' '_' | sed 's/^_*//')
    : >"$report"
    if [ ! -f "$source" ]; then
        printf '  FAIL  %7s  %s is missing\n' - "$source" >>"$report"
        return 1
    fi
    # 1. strict flags, valgrind memcheck
    # shellcheck disable=SC2086  # C_STRICT and C_LINK are flag lists
    if $CC $C_STRICT -g "$source" -o "$OUT_DIR/$name-memcheck" $C_LINK >>"$report" 2>&1; then
        run "$report" "valgrind   $label" "$OUT_DIR/$name.memcheck.log" \
            env "${VALGRIND_ENV[@]}" "$VALGRIND" "${VALGRIND_FLAGS[@]}" "$OUT_DIR/$name-memcheck" $MEMCHECK_ARGS \
            || failed=$((failed + 1))
    else
        printf '  FAIL  %7s  %s does not compile with %s\n' - "$source" "$CC $C_STRICT" >>"$report"
        failed=$((failed + 1))
    fi
    # 2. clang, ASan + UBSan + LSan
    # shellcheck disable=SC2086
    if $CLANG $C_STRICT "${SANITIZE[@]}" $CLANG_LD "$source" -o "$OUT_DIR/$name-asan" $C_LINK >>"$report" 2>&1; then
        run "$report" "ASan+LSan  $label" "$OUT_DIR/$name.asan.log" \
            env "${COMMON_ENV[@]}" "${ASAN_ENV[@]}" "$OUT_DIR/$name-asan" $MEMCHECK_ARGS || failed=$((failed + 1))
    else
        printf '  FAIL  %7s  %s does not compile with %s -fsanitize=address,undefined\n' - "$source" "$CLANG" >>"$report"
        failed=$((failed + 1))
    fi
    return $failed
}

# check_replay <report>: the fuzz harness built as a plain program (-DFUZZ_API_REPLAY) runs every
# input of $REPLAY_CORPORA once under valgrind, which sees the accesses the uninstrumented Swift
# library makes itself (ASan in the fuzzer only sees those through malloc/free/memcpy & co).
check_replay() {
    local report=$1 inputs=() dir
    : >"$report"
    for dir in $REPLAY_CORPORA; do
        [ -d "$dir" ] && inputs+=("$dir"/[!.]*)
    done
    # shellcheck disable=SC2086
    if $CC $C_STRICT -g -DFUZZ_API_REPLAY "$REPLAY_HARNESS" -o "$OUT_DIR/fuzz_api-replay" $C_LINK >>"$report" 2>&1; then
        run "$report" "valgrind   $REPLAY_HARNESS over ${#inputs[@]} inputs of $REPLAY_CORPORA" \
            "$OUT_DIR/fuzz_api-replay.memcheck.log" \
            env "${VALGRIND_ENV[@]}" "$VALGRIND" "${VALGRIND_FLAGS[@]}" "$OUT_DIR/fuzz_api-replay" "${inputs[@]}"
    else
        printf '  FAIL  %7s  %s does not compile with %s\n' - "$REPLAY_HARNESS" "$CC $C_STRICT -DFUZZ_API_REPLAY" >>"$report"
        return 1
    fi
}

# The programs run side by side, MEMCHECK_JOBS at a time (default: the number of cores):
# valgrind is single-threaded, so two programs on two cores take the time of the slower one.
jobs_max=${MEMCHECK_JOBS:-$(nproc 2>/dev/null || echo 1)}
start_all=$(now)
reports=()
pids=()
for source in "$@"; do
    report=$(mktemp "${TMPDIR:-/tmp}/check_memory.XXXXXX")
    reports+=("$report")
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    echo "check_memory: checking $source"
    check "$source" "$report" &
    pids+=($!)
done

if [ -n "$REPLAY_HARNESS" ]; then
    report=$(mktemp "${TMPDIR:-/tmp}/check_memory.XXXXXX")
    reports+=("$report")
    while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
    echo "check_memory: replaying $REPLAY_CORPORA through $REPLAY_HARNESS"
    check_replay "$report" &
    pids+=($!)
fi

failures=0
for pid in "${pids[@]}"; do
    wait "$pid" || failures=$((failures + $?))
done

echo "check_memory: results ($(elapsed "$start_all" "$(now)")s in all, $jobs_max at a time)"
for report in "${reports[@]}"; do
    cat "$report"
    rm -f "$report"
done
if [ $failures -ne 0 ]; then
    echo "check_memory: $failures failure(s)"
    exit 1
fi
echo "check_memory: no memory errors, no leaks"
