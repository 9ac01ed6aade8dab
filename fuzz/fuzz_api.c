/*
 * fuzz/fuzz_api.c — libFuzzer harness for the FactorSense C API (include/factorsense.h).
 *
 * The input bytes are a little program: each step reads an opcode byte and then the operands it
 * needs (sizes, raw int64/double bit patterns, names, lengths, handle choices). The program
 * drives every call of the header on a few handle slots — live, freed, NULL, of another kind,
 * forged from a neighbouring token, or pointing at memory that is not a handle at all — with
 * small problems (n1, n2 ≤ 8, m ≤ 64) and, just as often, raw sizes that the library must refuse
 * cheaply (zero, negative, ≥ 2^31, INT64_MAX, products that overflow).
 *
 * Besides "no crash, no sanitizer report", the harness checks the contract of the header and
 * abort()s (a libFuzzer crash) when the library breaks it:
 *   - every status is one of the pinned fs_status values;
 *   - a NULL, freed or wrong-kind handle gives FS_ERROR_INVALID_HANDLE;
 *   - on success fs_last_error(handle) is "", on any other failure it is a non-empty message;
 *   - a failed call writes nothing to the caller's arrays, and no call writes past the length
 *     the caller gave (output arrays are pre-filled with a canary, sometimes with guard
 *     elements after the claimed length; otherwise they are allocated to the exact claimed
 *     length so that ASan's redzone sits right after them);
 *   - freeing a handle with the _free of another kind leaves it alive; a freed handle is dead;
 *   - a finished run has a stop reason 1..5, iterations ≤ max_iter and the problem's shape;
 *   - fs_interrupt succeeds on live problem and result handles only, and leaves fs_last_error
 *     alone; FS_ERROR_INTERRUPTED and the stop reason "interrupted" come back only on a handle
 *     that fs_interrupt was called on;
 *   - same seed, same problem bit for bit; same problem and options (no callback), same run bit
 *     for bit — run again, or from two threads at once as the header allows (a difference would
 *     point at uninitialised memory or a data race inside the library);
 *   - FS_ERROR_INTERNAL ("a bug in FactorSense") never comes back.
 *
 * The harness knows exactly which handles are live: every handle is created into a slot, a slot
 * is freed before it is reused, everything is freed at the end of each input, and tokens are
 * never reused. So a forged token is classified exactly too.
 *
 * Rules the harness keeps so that every input stays fast and every report is the library's:
 *   - it never claims a length larger than the array it allocated (the library trusts lengths);
 *   - sizes it does not expect to be refused are small; raw sizes are ≤ 0 or ≥ 2^31, which the
 *     library refuses before allocating (anything in between may legitimately allocate
 *     gigabytes, which is not a bug);
 *   - before every fs_gradient_descent it lowers "max_iter" to ≤ 50 and an oversized "width".
 *
 * Build and run: make fuzz-smoke (short, over fuzz/corpus) or make fuzz (one minute); see
 * fuzz/README.md. FUZZ_API_TRACE=1 prints every call; -DFUZZ_API_REPLAY builds a plain program.
 */
#include <float.h>
#include <math.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "factorsense.h"

enum {
    SLOTS = 3,          /* handles of each kind the program juggles */
    MAX_OPS = 160,      /* steps per input */
    MAX_RUNS = 6,       /* fs_gradient_descent calls per input */
    SMALL_N = 8,        /* n1, n2, width of the problems the harness builds */
    SMALL_M = 64,       /* measurements of the problems the harness builds */
    MAX_ITER_CAP = 50,  /* "max_iter" of every run */
    WIDTH_CAP = 4096,   /* widths in (WIDTH_CAP, 2^31) are lowered before a run */
    GUARD = 4,          /* guard elements after a guarded output array */
    CANARY = 0xA5
};

enum { KIND_PROBLEM = 0, KIND_OPTIONS = 1, KIND_RESULT = 2, KINDS = 3 };

/* What the harness knows about a handle it passes. */
typedef enum {
    H_VALID,    /* a live handle of the right kind */
    H_INVALID,  /* not a live handle of the right kind: NULL, freed, other kind, forged, no token */
    H_UNKNOWN   /* (fs_gradient_descent's result) not checked */
} handle_class;

/* ------------------------------------------------------------------ failure */

static void fail(const char *what, const char *call, int status) {
    fprintf(stderr, "\nfuzz_api: contract violation: %s (call %s, status %d)\n", what, call, status);
    abort();
}

#define REQUIRE(condition, call, status) \
    do {                                 \
        if (!(condition)) fail(#condition, call, (int)(status)); \
    } while (0)

/* ------------------------------------------------------------------ input */

typedef struct {
    const uint8_t *data;
    size_t size;
} reader;

static uint8_t u8(reader *r) {
    if (r->size == 0) return 0;
    uint8_t b = r->data[0];
    r->data++;
    r->size--;
    return b;
}

static uint64_t u64(reader *r) {
    uint64_t w = 0;
    for (int i = 0; i < 8; i++) w |= (uint64_t)u8(r) << (8 * i);
    return w;
}

static int64_t i64_raw(reader *r) {
    uint64_t w = u64(r);
    int64_t v;
    memcpy(&v, &w, sizeof v);
    return v;
}

static double f64_raw(reader *r) {
    uint64_t w = u64(r);
    double d;
    memcpy(&d, &w, sizeof d);
    return d;
}

/* A size: mostly 1..cap, else one the library must refuse before allocating. */
static int64_t dim(reader *r, int64_t cap) {
    static const int64_t huge[] = {
        INT64_C(2147483648),          /* 2^31: one past BLAS's 32-bit indices */
        INT64_C(4294967296),          /* 2^32 */
        INT64_C(4294967297),
        INT64_C(3037000500),          /* its square just overflows int64 */
        INT64_C(1099511627776),       /* 2^40 */
        INT64_C(4611686018427387904), /* 2^62 */
        INT64_MAX / 2,
        INT64_MAX - 1,
    };
    uint8_t mode = u8(r) % 16;
    if (mode < 11) return 1 + (int64_t)(u8(r) % (uint64_t)cap);
    switch (mode) {
    case 11: return 0;
    case 12: return -(int64_t)(u64(r) & (uint64_t)INT64_MAX) - 1; /* -1 … INT64_MIN */
    case 13: return INT64_MAX;
    case 14: return (int64_t)((u64(r) & (uint64_t)INT64_MAX) | (UINT64_C(1) << 31)); /* ≥ 2^31 */
    default: return huge[u8(r) % (sizeof huge / sizeof huge[0])];
    }
}

/* A double: small and ordinary, or NaN, ±inf, ±0, extremes, or a raw bit pattern. */
static double real(reader *r) {
    static const double edges[] = {1e-300, 1e300, 1.7976931348623157e308, 2.2250738585072014e-308,
                                   4.9406564584124654e-324, -1.0, 1.0, 1e8, 0.5, 2.0};
    uint8_t mode = u8(r) % 12;
    switch (mode) {
    case 6: return NAN;
    case 7: return INFINITY;
    case 8: return -INFINITY;
    case 9: return (u8(r) & 1) ? -0.0 : 0.0;
    case 10: return f64_raw(r);
    case 11: return edges[u8(r) % (sizeof edges / sizeof edges[0])];
    default: return (double)(int8_t)u8(r) / 16.0;
    }
}

/* An integer option value: small (including ≤ 0), edges, or raw. */
static int64_t int_value(reader *r) {
    static const int64_t edges[] = {INT64_MIN, INT64_MAX, -1, 0, 1, 2, INT64_C(2147483647),
                                    INT64_C(2147483648), INT64_C(4294967296)};
    uint8_t mode = u8(r) % 8;
    if (mode < 5) return (int64_t)(u8(r) % 70) - 5;
    if (mode < 7) return edges[u8(r) % (sizeof edges / sizeof edges[0])];
    return i64_raw(r);
}

/* ------------------------------------------------------------------ values to fill arrays */

static uint64_t splitmix(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* Fills n doubles with values in ±4, sometimes with one NaN, inf or huge entry. */
static void fill(reader *r, double *x, size_t n) {
    uint64_t s = u64(r);
    uint8_t poison = u8(r);
    for (size_t i = 0; i < n; i++) x[i] = (double)((int64_t)(splitmix(&s) % 2001) - 1000) / 250.0;
    if (n > 0 && poison >= 0xE0) {
        static const double bad[] = {NAN, INFINITY, -INFINITY, 1e300, -1e300, 0.0, 4.9406564584124654e-324, 1e-200};
        x[(size_t)u8(r) % n] = bad[poison % (sizeof bad / sizeof bad[0])];
    }
}

/* ------------------------------------------------------------------ caller arrays */

/* The length to claim for an array whose right length is `correct` (-1: unknown). */
static int64_t claim(reader *r, int64_t correct) {
    if (correct < 0) correct = u8(r) % 17;
    switch (u8(r) % 10) {
    case 6: return correct - 1;
    case 7: return correct + 1;
    case 8: return (u8(r) & 1) ? 0 : -1 - (int64_t)(u8(r) % 3);
    case 9: return (u8(r) & 1) ? INT64_MIN : (int64_t)(u8(r) % 70); /* a negative claim needs no array */
    default: return correct;
    }
}

/* An output array: `claimed` elements of `elem` bytes (at least one byte is allocated), canary-
 * filled, with GUARD canary elements after them when `guarded`; or NULL. */
typedef struct {
    unsigned char *bytes;
    size_t elem, count, total; /* count: claimed elements (≥ 0); total: allocated bytes */
} out_array;

static out_array out_alloc(reader *r, size_t elem, int64_t claimed) {
    out_array a = {NULL, elem, 0, 0};
    uint8_t mode = u8(r);
    if (mode % 11 == 0) return a; /* NULL */
    a.count = claimed > 0 ? (size_t)claimed : 0;
    size_t guard = (mode & 1) ? GUARD : 0;
    a.total = (a.count + guard) * elem;
    a.bytes = malloc(a.total > 0 ? a.total : 1);
    if (a.bytes == NULL) abort();
    memset(a.bytes, CANARY, a.total);
    return a;
}

/* A failed call wrote nothing; no call wrote into the guard. Frees the array. */
static void out_check(out_array *a, int status, const char *call) {
    if (a->bytes != NULL) {
        size_t from = status == FS_OK ? a->count * a->elem : 0;
        for (size_t i = from; i < a->total; i++) {
            if (a->bytes[i] != CANARY) {
                fail(status == FS_OK ? "wrote past the claimed length" : "a failed call wrote to an output array",
                     call, status);
            }
        }
    }
    free(a->bytes);
    a->bytes = NULL;
}

/* An input array of `claimed` doubles, exactly that long (ASan's redzone right after), or NULL. */
static double *in_alloc(reader *r, int64_t claimed) {
    if (u8(r) % 13 == 0) return NULL;
    size_t n = claimed > 0 ? (size_t)claimed : 0;
    double *x = malloc((n > 0 ? n : 1) * sizeof *x);
    if (x == NULL) abort();
    fill(r, x, n);
    if (n == 0) x[0] = 0.0;
    return x;
}

/* ------------------------------------------------------------------ names */

static const char *const INT_NAMES[] = {"width", "max_iter", "seed", "record_every", "window", "batch_size",
                                        "singular_value_count", "rank"};
static const char *const REAL_NAMES[] = {"init_scale", "init_ratio", "step", "tol", "loss_tol", "divergence_factor",
                                         "balancing", "noise_injection", "scaled_damping",
                                         "alignment_threshold", "saddle_fraction", "plateau_tolerance", "plateau_window"};
static const char *const TEXT_NAMES[] = {"init", "preconditioner", "diagnostics"};
static const char *const TEXT_VALUES[] = {"random", "spectral", "none", "scaled", "all", "default",
                                          "singular_values,imbalance", "perturbation", "", "Random",
                                          "spectral ", "\xff", "imbalance,,signal", "signal,curvature"};
static const char *const BAD_NAMES[] = {
    "", "WIDTH", "width ", " width", "max-iter", "maxiter", "unknown", "\xff\xfe\xfd", "st\xc3\xa9p", "step\x80",
    ("a_name_that_is_much_longer_than_any_option_name_the_library_knows_about_and_then_some_more_"
     "characters_to_make_sure_nothing_assumes_a_short_name_0123456789012345678901234567890123456789")};
static const char *const OPERATOR_KINDS[] = {"gaussian", "symmetric_gaussian", "identity", "completion", "rank_one",
                                             "dense",    "entries",            "GAUSSIAN", "",           "gaussian "};
static const char *const COLUMNS[] = {"iteration", "time", "loss", "test_error", "residual", "singular_values",
                                      "effective_rank", "imbalance", "perturbation", "Loss", "", "residuals"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A name: from `list` mostly, else a wrong one, NULL, or bytes of the input (NUL-terminated in
 * `scratch`, which must hold 25 bytes). */
static const char *pick_name(reader *r, const char *const *list, size_t n, char *scratch) {
    uint8_t mode = u8(r) % 16;
    if (mode < 10) return list[u8(r) % n];
    if (mode < 12) return BAD_NAMES[u8(r) % COUNT(BAD_NAMES)];
    if (mode == 12) return NULL;
    if (mode == 13) { /* a name of another family */
        const char *const *lists[] = {INT_NAMES, REAL_NAMES, TEXT_NAMES, COLUMNS};
        size_t sizes[] = {COUNT(INT_NAMES), COUNT(REAL_NAMES), COUNT(TEXT_NAMES), COUNT(COLUMNS)};
        size_t which = u8(r) % 4;
        return lists[which][u8(r) % sizes[which]];
    }
    size_t length = u8(r) % 25;
    for (size_t i = 0; i < length; i++) scratch[i] = (char)u8(r);
    scratch[length] = '\0';
    return scratch;
}

/* ------------------------------------------------------------------ progress callbacks */

typedef struct {
    atomic_int calls; /* atomic: two threads may run with the same options (op_run_parallel) */
    int stop_after;   /* return nonzero from this call on; 0: never */
} progress_state;

static void check_progress(const fs_progress *p) {
    if (p == NULL) fail("progress is NULL", "callback", 0);
    if (p->struct_size < sizeof *p) fail("progress->struct_size too small", "callback", 0);
    if (p->iteration < 0 || p->iteration > p->max_iterations) fail("progress->iteration outside 0…max", "callback", 0);
    volatile double sink = p->loss + p->test_error + p->residual; /* read every field */
    if (p->n1 < 1 || p->n2 < 1 || p->width < 1 || p->U == NULL || p->V == NULL) fail("progress factors missing", "callback", 0);
    sink += p->U[0] + p->U[p->n1 * p->width - 1] + p->V[0] + p->V[p->n2 * p->width - 1]; /* the factors are readable */
    (void)sink;
}

static int progress_counting(void *user, const fs_progress *p) {
    check_progress(p);
    progress_state *s = user;
    if (s == NULL) return 0;
    int calls = atomic_fetch_add(&s->calls, 1) + 1;
    return s->stop_after > 0 && calls >= s->stop_after;
}

/* Ignores `user` (which may be any pointer value) and always stops the run. */
static int progress_stop(void *user, const fs_progress *p) {
    (void)user;
    check_progress(p);
    return -1;
}

/* Calls the thread-safe static-text functions, which the header allows at any time. */
static int progress_static(void *user, const fs_progress *p) {
    (void)user;
    check_progress(p);
    volatile size_t n = strlen(fs_version_string()) + strlen(fs_status_string(FS_ERROR_INTERNAL)) +
                        strlen(fs_stop_reason_string(FS_STOP_CALLBACK));
    (void)n;
    return 0;
}

/* ------------------------------------------------------------------ handles */

typedef struct {
    void *slot[KINDS][SLOTS];          /* a token (live or freed) or NULL */
    unsigned char live[KINDS][SLOTS];
    void *freed[KINDS][8];             /* tokens the harness freed, all dead for good */
    int freed_count[KINDS];
    int runs;
    progress_state progress[SLOTS];
    unsigned char has_callback[SLOTS]; /* the options in this slot have a progress callback */
    unsigned char interrupted[KINDS][SLOTS]; /* fs_interrupt was called on this slot's handle */
} state;

static state *current_state; /* the state of the input being run, for the oracles */

/* Whether fs_interrupt was called on the live handle `h` (which may then report an interrupt). */
static int was_interrupted(const void *h);

static int dummy_object[4]; /* a real address that is no token */

static void remember_freed(state *st, int kind, void *token) {
    if (token == NULL) return;
    st->freed[kind][st->freed_count[kind] % 8] = token;
    st->freed_count[kind]++;
}

/* Some live token, or NULL. */
static void *any_token(state *st, reader *r) {
    int start = u8(r) % (KINDS * SLOTS);
    for (int i = 0; i < KINDS * SLOTS; i++) {
        int j = (start + i) % (KINDS * SLOTS);
        if (st->live[j / SLOTS][j % SLOTS]) return st->slot[j / SLOTS][j % SLOTS];
    }
    return NULL;
}

/* Where the live token `h` sits, as kind * SLOTS + slot, or -1. Every live handle of the process
 * is in a slot: handles are only created into slots, a slot is freed before it is reused, and
 * everything is freed at the end of each input; tokens are never reused. */
static int find_live(const state *st, const void *h) {
    if (h == NULL) return -1;
    for (int k = 0; k < KINDS; k++) {
        for (int i = 0; i < SLOTS; i++) {
            if (st->live[k][i] && st->slot[k][i] == h) return k * SLOTS + i;
        }
    }
    return -1;
}

/* A handle to pass where a handle of `kind` is expected, and whether it is a live one of that kind. */
static void *pick_handle(state *st, reader *r, int kind, handle_class *cls) {
    uint8_t mode = u8(r) % 16;
    void *h;
    if (mode < 10) { /* own kind: slot 0 (the baseline) more often than the others */
        h = st->slot[kind][mode < 6 ? 0 : mode % SLOTS]; /* live, freed or never created (NULL) */
    } else if (mode == 10) {
        h = NULL;
    } else if (mode == 11) { /* a handle of another kind, live or not */
        h = st->slot[(kind + 1 + u8(r) % 2) % KINDS][u8(r) % SLOTS];
    } else if (mode == 12) { /* a freed token of any kind */
        int k = u8(r) % KINDS;
        int n = st->freed_count[k] < 8 ? st->freed_count[k] : 8;
        h = n ? st->freed[k][u8(r) % n] : NULL;
    } else if (mode == 13) { /* an address that is no token */
        h = (u8(r) & 1) ? (void *)dummy_object : (void *)&dummy_object[1];
    } else if (mode == 14) { /* forged: a live token moved by a few token steps (16 bytes each) */
        uintptr_t base = (uintptr_t)any_token(st, r);
        int delta = (int)(u8(r) % 9) - 4;
        h = (void *)(base + (uintptr_t)(intptr_t)(delta * 16));
    } else { /* unaligned or far away: never a token */
        h = (u8(r) & 1) ? (void *)(uintptr_t)UINTPTR_MAX : (void *)(uintptr_t)(0x1000 * 16 + 8);
    }
    int at = find_live(st, h);
    *cls = at >= 0 && at / SLOTS == kind ? H_VALID : H_INVALID;
    return h;
}

/* FUZZ_API_TRACE=1 in the environment prints every checked call: handy with a reproducer. */
static int tracing(void) {
    static int on = -1;
    if (on < 0) on = getenv("FUZZ_API_TRACE") != NULL;
    return on;
}

/* The status and the last-error oracles of a call that reports on `handle`. */
static void check_call(const void *handle, handle_class cls, int status, const char *call) {
    if (tracing()) {
        fprintf(stderr, "%-36s handle %-14p (%s) -> %d %s", call, handle,
                cls == H_VALID ? "valid" : cls == H_INVALID ? "invalid" : "unknown", status,
                status >= 0 && status <= FS_ERROR_INTERNAL ? fs_status_string((fs_status)status) : "?");
        const char *message = status != FS_OK && status != FS_ERROR_INVALID_HANDLE ? fs_last_error(handle) : "";
        fprintf(stderr, "%s%s\n", *message ? ": " : "", message);
    }
    REQUIRE(status >= FS_OK && status <= FS_ERROR_INTERRUPTED && status != FS_ERROR_INTERNAL, call, status);
    if (status == FS_ERROR_INTERRUPTED) REQUIRE(was_interrupted(handle), call, status);
    if (cls == H_INVALID) REQUIRE(status == FS_ERROR_INVALID_HANDLE, call, status);
    if (cls == H_VALID) REQUIRE(status != FS_ERROR_INVALID_HANDLE, call, status);
    const char *message = fs_last_error(handle);
    REQUIRE(message != NULL, call, status);
    size_t length = strlen(message);
    if (status == FS_OK) REQUIRE(length == 0, call, status);
    if (status != FS_OK && status != FS_ERROR_INVALID_HANDLE) REQUIRE(length > 0, call, status);
}

/* Whether `h` is a live handle of `kind`, asked through a call that needs nothing else. */
static int alive(void *h, int kind) {
    fs_status s;
    switch (kind) {
    case KIND_PROBLEM: s = fs_problem_get_shape(h, NULL, NULL, NULL); break; /* WRONG_STATE when empty */
    case KIND_OPTIONS: {
        int64_t v;
        s = fs_options_get_int(h, "max_iter", &v);
        break;
    }
    default: {
        int64_t c;
        s = fs_result_get_history_column_count(h, &c);
        break;
    }
    }
    return s != FS_ERROR_INVALID_HANDLE;
}

static void free_handle(int kind, void *h) {
    switch (kind) {
    case KIND_PROBLEM: fs_problem_free(h); break;
    case KIND_OPTIONS: fs_options_free(h); break;
    default: fs_result_free(h); break;
    }
}

/* ------------------------------------------------------------------ problem facts */

typedef struct {
    int ok;
    int64_t n1, n2, m;
    int kind; /* 0 dense, 1 identity, 2 entries, 3 rank_one, -1 other */
    int symmetric;
    int has_truth;
} problem_facts;

static problem_facts facts(fs_problem *p) {
    problem_facts f = {0, 0, 0, 0, -1, 0, 0};
    if (fs_problem_get_shape(p, &f.n1, &f.n2, &f.m) != FS_OK) return f;
    /* The harness never builds more than 8 × 8 with 64 measurements. */
    REQUIRE(f.n1 >= 1 && f.n1 <= SMALL_N && f.n2 >= 1 && f.n2 <= SMALL_N && f.m >= 1 && f.m <= SMALL_M,
            "fs_problem_get_shape", 0);
    const char *kind = NULL;
    if (fs_problem_get_operator_kind(p, &kind) == FS_OK) {
        REQUIRE(kind != NULL, "fs_problem_get_operator_kind", 0);
        if (strcmp(kind, "dense") == 0) f.kind = 0;
        else if (strcmp(kind, "identity") == 0) f.kind = 1;
        else if (strcmp(kind, "entries") == 0) f.kind = 2;
        else if (strcmp(kind, "rank_one") == 0) f.kind = 3;
        else fail("unknown operator kind", "fs_problem_get_operator_kind", 0);
    }
    if (fs_problem_is_symmetric(p, &f.symmetric) != FS_OK) f.symmetric = 0;
    if (fs_problem_has_truth(p, &f.has_truth) != FS_OK) f.has_truth = 0;
    f.ok = 1;
    return f;
}

/* Whether two dense problems with a truth hold the same operator, measurements and truth, bit for bit. */
static int same_problem(const fs_problem *a, const fs_problem *b) {
    int64_t n1, n2, m, n1b, n2b, mb;
    if (fs_problem_get_shape(a, &n1, &n2, &m) != FS_OK || fs_problem_get_shape(b, &n1b, &n2b, &mb) != FS_OK) return 0;
    if (n1 != n1b || n2 != n2b || m != mb) return 0;
    size_t nop = (size_t)(m * n1 * n2), ny = (size_t)m, nx = (size_t)(n1 * n2), n = nop + ny + nx;
    double *buffer = malloc(2 * n * sizeof *buffer);
    if (buffer == NULL) abort();
    double *x = buffer, *y = buffer + n;
    int same = fs_problem_copy_operator(a, x, (int64_t)nop) == FS_OK &&
               fs_problem_copy_operator(b, y, (int64_t)nop) == FS_OK &&
               fs_problem_copy_measurements(a, x + nop, m) == FS_OK &&
               fs_problem_copy_measurements(b, y + nop, m) == FS_OK &&
               fs_problem_copy_truth(a, x + nop + ny, (int64_t)nx) == FS_OK &&
               fs_problem_copy_truth(b, y + nop + ny, (int64_t)nx) == FS_OK &&
               memcmp(x, y, n * sizeof *buffer) == 0;
    free(buffer);
    return same;
}

/* ------------------------------------------------------------------ operations */

static void op_create(state *st, reader *r) {
    int kind = u8(r) % KINDS, i = u8(r) % SLOTS;
    if (u8(r) % 16 == 0) { /* NULL out pointer */
        fs_status s = kind == KIND_PROBLEM ? fs_problem_create(NULL)
                    : kind == KIND_OPTIONS ? fs_options_create(NULL) : fs_result_create(NULL);
        REQUIRE(s == FS_ERROR_NULL_POINTER, "create(NULL)", s);
        return;
    }
    if (st->live[kind][i]) { /* free what the slot holds first: nothing leaks */
        free_handle(kind, st->slot[kind][i]);
        remember_freed(st, kind, st->slot[kind][i]);
        st->live[kind][i] = 0;
    }
    void *h = NULL;
    fs_status s;
    switch (kind) {
    case KIND_PROBLEM: {
        fs_problem *p = NULL;
        s = fs_problem_create(&p);
        h = p;
        break;
    }
    case KIND_OPTIONS: {
        fs_options *o = NULL;
        s = fs_options_create(&o);
        h = o;
        break;
    }
    default: {
        fs_result *res = NULL;
        s = fs_result_create(&res);
        h = res;
        break;
    }
    }
    REQUIRE(s == FS_OK && h != NULL, "create", s);
    REQUIRE(strlen(fs_last_error(h)) == 0, "create", s);
    if (kind == KIND_OPTIONS) st->has_callback[i] = 0;
    st->slot[kind][i] = h;
    st->live[kind][i] = 1;
    st->interrupted[kind][i] = 0;
}

static void op_free(state *st, reader *r) {
    int kind = u8(r) % KINDS;   /* which _free function */
    int target = u8(r) % KINDS; /* which kind of handle to pick */
    handle_class cls;
    void *h = pick_handle(st, r, target, &cls);
    int at = find_live(st, h);
    free_handle(kind, h);
    if (at < 0) return; /* NULL, freed, forged or no token: nothing to free */
    int k = at / SLOTS, i = at % SLOTS;
    if (k == kind) {
        REQUIRE(!alive(h, kind), "free: the handle is still alive", 0);
        st->live[k][i] = 0;
        remember_freed(st, k, h);
    } else {
        REQUIRE(alive(h, k), "free of another kind killed a handle", 0);
    }
}

static void op_generate_gaussian(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    int64_t n1 = dim(r, SMALL_N), n2 = dim(r, SMALL_N), rank = dim(r, SMALL_N), m = dim(r, SMALL_M);
    double scale = real(r), kappa = real(r), noise = real(r);
    if (u8(r) & 1) { /* mostly sensible scalars, so that problems actually get built */
        scale = fabs(scale) + 0.5;
        kappa = 1.0 + fabs(kappa);
        noise = fabs(noise) * 0.01;
        if (!isfinite(scale) || !isfinite(kappa) || !isfinite(noise)) scale = kappa = 1.0, noise = 0.0;
    }
    uint64_t seed = u64(r);
    fs_status s = fs_problem_generate_gaussian(p, n1, n2, rank, m, scale, kappa, noise, seed);
    check_call(p, cls, s, "fs_problem_generate_gaussian");
    if (s == FS_OK && (u8(r) & 1)) { /* "same seed, same bits" */
        fs_problem *twin = NULL;
        REQUIRE(fs_problem_create(&twin) == FS_OK, "fs_problem_create", 0);
        REQUIRE(fs_problem_generate_gaussian(twin, n1, n2, rank, m, scale, kappa, noise, seed) == FS_OK,
                "fs_problem_generate_gaussian (twin)", 0);
        REQUIRE(same_problem(p, twin), "fs_problem_generate_gaussian is not deterministic", 0);
        fs_problem_free(twin);
    }
}

static void op_generate(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    char scratch[25];
    const char *kind = pick_name(r, OPERATOR_KINDS, 5, scratch); /* the 5 valid kinds, mostly */
    /* A newer caller's spec: this library's fields, then one it does not know (0, or not). */
    struct { fs_problem_spec known; uint64_t future; } box;
    fs_problem_spec_init(&box.known, sizeof box);
    REQUIRE(box.known.struct_size == sizeof box && box.future == 0, "fs_problem_spec_init", 0);
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    REQUIRE(spec.struct_size == sizeof spec && spec.scale == 1 && spec.condition_number == 1,
            "fs_problem_spec_init", 0);
    spec.n1 = dim(r, SMALL_N);
    spec.n2 = (u8(r) & 1) ? spec.n1 : dim(r, SMALL_N);
    spec.rank = dim(r, SMALL_N);
    spec.measurements = dim(r, SMALL_M);
    uint8_t mode = u8(r);
    if (mode & 1) spec.scale = real(r);
    if (mode & 2) spec.condition_number = real(r);
    if (mode & 4) spec.noise_level = real(r);
    spec.spectrum = (mode & 8) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 2);
    spec.psd = (mode & 16) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 2);
    spec.seed = u64(r);
    spec.precision = (u8(r) & 1) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 2);
    if ((mode & 0xE0) == 0xE0) { /* a struct_size of an older header, or of a newer one */
        static const size_t sizes[] = {0, 1, sizeof(size_t), offsetof(fs_problem_spec, seed),
                                       offsetof(fs_problem_spec, precision), offsetof(fs_problem_spec, precision) - 1,
                                       sizeof(fs_problem_spec) - 1, sizeof(fs_problem_spec) + 8, 4097, SIZE_MAX};
        spec.struct_size = sizes[u8(r) % COUNT(sizes)];
    }
    /* A struct_size past the spec: the caller's bytes there are box.future (0 or not). */
    box.known = spec;
    box.future = (u8(r) & 1) ? 0 : u64(r);
    const fs_problem_spec *given = spec.struct_size > sizeof spec ? &box.known : &spec;
    fs_status s = fs_problem_generate(p, kind, (u8(r) % 16 == 0) ? NULL : given);
    check_call(p, cls, s, "fs_problem_generate");
}

static void op_set_dense(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    int64_t n1 = dim(r, SMALL_N), n2 = dim(r, SMALL_N), m = dim(r, SMALL_M);
    int small = n1 >= 1 && n1 <= SMALL_N && n2 >= 1 && n2 <= SMALL_N && m >= 1 && m <= SMALL_M;
    int64_t op_length = claim(r, small ? m * n1 * n2 : -1);
    int64_t y_length = claim(r, small ? m : -1);
    int64_t truth_length = claim(r, small ? n1 * n2 : -1);
    double *op = in_alloc(r, op_length);
    double *y = in_alloc(r, y_length);
    double *truth = (u8(r) & 1) ? in_alloc(r, truth_length) : NULL;
    fs_status s;
    if (u8(r) & 1) { /* the float32 entry point, with the same values rounded (NaN, inf, overflow kept) */
        float *single = NULL;
        if (op != NULL) {
            size_t count = op_length > 0 ? (size_t)op_length : 1;
            if ((single = calloc(count, sizeof *single)) == NULL) abort();
            for (size_t k = 0; k < count && op_length > 0; k++) /* beyond float's range: ±inf, not UB */
                single[k] = fabs(op[k]) > FLT_MAX && !isnan(op[k]) ? (float)copysign(INFINITY, op[k]) : (float)op[k];
        }
        s = fs_problem_set_dense_f32(p, n1, n2, m, single, op_length, y, y_length, truth, truth_length);
        check_call(p, cls, s, "fs_problem_set_dense_f32");
        free(single);
    } else {
        s = fs_problem_set_dense(p, n1, n2, m, op, op_length, y, y_length, truth, truth_length);
        check_call(p, cls, s, "fs_problem_set_dense");
    }
    int32_t precision = 77;
    s = fs_problem_get_precision(p, (u8(r) % 8) ? &precision : NULL);
    check_call(p, cls, s, "fs_problem_get_precision");
    REQUIRE(s != FS_OK || precision == FS_PRECISION_FLOAT64 || precision == FS_PRECISION_FLOAT32,
            "fs_problem_get_precision", 0);
    free(op);
    free(y);
    free(truth);
}

static void op_set_entries(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    int64_t n1 = dim(r, SMALL_N), n2 = dim(r, SMALL_N);
    int small = n1 >= 1 && n1 <= SMALL_N && n2 >= 1 && n2 <= SMALL_N;
    int64_t count = small && (u8(r) & 3) ? 1 + (int64_t)(u8(r) % (uint64_t)(n1 * n2)) : dim(r, SMALL_M);
    int64_t length = claim(r, count >= 1 && count <= SMALL_M ? count : -1);
    size_t n = length > 0 ? (size_t)length : 0;
    int64_t *rows = malloc((n ? n : 1) * sizeof *rows);
    int64_t *columns = malloc((n ? n : 1) * sizeof *columns);
    double *values = in_alloc(r, length);
    if (rows == NULL || columns == NULL) abort();
    uint8_t mode = u8(r) % 4;
    uint64_t seed = u64(r);
    for (size_t k = 0; k < n; k++) {
        if (mode < 2 && small) { /* distinct positions in range (a stride through the cells) */
            uint64_t cells = (uint64_t)(n1 * n2), cell = (seed + k * 7) % cells;
            if (k >= cells) cell = (seed + k) % cells; /* more entries than cells: repeats */
            rows[k] = (int64_t)(cell / (uint64_t)n2);
            columns[k] = (int64_t)(cell % (uint64_t)n2);
        } else if (mode == 2) { /* small, sometimes out of range or negative, sometimes repeated */
            rows[k] = (int64_t)(splitmix(&seed) % 12) - 2;
            columns[k] = (int64_t)(splitmix(&seed) % 12) - 2;
        } else {
            rows[k] = (int64_t)splitmix(&seed);
            columns[k] = (int64_t)splitmix(&seed);
        }
    }
    int64_t truth_length = claim(r, small ? n1 * n2 : -1);
    double *truth = (u8(r) & 1) ? in_alloc(r, truth_length) : NULL;
    double scale = (u8(r) & 1) ? 1.0 : real(r);
    fs_status s = fs_problem_set_entries(p, n1, n2, count, (u8(r) % 16) ? rows : NULL, (u8(r) % 16) ? columns : NULL,
                                         values, length, scale, truth, truth_length);
    check_call(p, cls, s, "fs_problem_set_entries");
    free(rows);
    free(columns);
    free(values);
    free(truth);
}

static void op_problem_flags(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    fs_status s;
    switch (u8(r) % 4) {
    case 0: {
        int32_t symmetric = (u8(r) & 1) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 2);
        s = fs_problem_set_symmetric(p, symmetric);
        check_call(p, cls, s, "fs_problem_set_symmetric");
        break;
    }
    case 1: {
        int v = 0x5A5A5A5A;
        s = fs_problem_is_symmetric(p, (u8(r) % 8) ? &v : NULL);
        check_call(p, cls, s, "fs_problem_is_symmetric");
        REQUIRE(s == FS_OK ? (v == 0 || v == 1) : v == 0x5A5A5A5A, "fs_problem_is_symmetric", s);
        break;
    }
    case 2: {
        int v = 0x5A5A5A5A;
        s = fs_problem_has_truth(p, (u8(r) % 8) ? &v : NULL);
        check_call(p, cls, s, "fs_problem_has_truth");
        REQUIRE(s == FS_OK ? (v == 0 || v == 1) : v == 0x5A5A5A5A, "fs_problem_has_truth", s);
        break;
    }
    default: {
        const char *kind = (const char *)dummy_object;
        s = fs_problem_get_operator_kind(p, (u8(r) % 8) ? &kind : NULL);
        check_call(p, cls, s, "fs_problem_get_operator_kind");
        if (s == FS_OK) REQUIRE(kind != NULL && strlen(kind) > 0, "fs_problem_get_operator_kind", s);
        else REQUIRE(kind == (const char *)dummy_object, "fs_problem_get_operator_kind", s);
        break;
    }
    }
}

static void op_problem_copy(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    problem_facts f = facts(p);
    int64_t m = f.ok ? f.m : -1, cells = f.ok ? f.n1 * f.n2 : -1;
    fs_status s;
    switch (u8(r) % 6) {
    case 0: {
        int64_t a = -7, b = -7, c = -7;
        uint8_t mask = u8(r);
        s = fs_problem_get_shape(p, (mask & 1) ? &a : NULL, (mask & 2) ? &b : NULL, (mask & 4) ? &c : NULL);
        check_call(p, cls, s, "fs_problem_get_shape");
        if (s != FS_OK) REQUIRE(a == -7 && b == -7 && c == -7, "fs_problem_get_shape", s);
        break;
    }
    case 1: {
        int64_t length = claim(r, f.ok && f.kind == 0 ? m * cells : -1);
        out_array out = out_alloc(r, sizeof(double), length);
        s = fs_problem_copy_operator(p, (double *)out.bytes, length);
        check_call(p, cls, s, "fs_problem_copy_operator");
        out_check(&out, s, "fs_problem_copy_operator");
        break;
    }
    case 2: {
        int64_t length = claim(r, m);
        out_array out = out_alloc(r, sizeof(double), length);
        s = fs_problem_copy_measurements(p, (double *)out.bytes, length);
        check_call(p, cls, s, "fs_problem_copy_measurements");
        out_check(&out, s, "fs_problem_copy_measurements");
        break;
    }
    case 3: {
        int64_t length = claim(r, cells);
        out_array out = out_alloc(r, sizeof(double), length);
        s = fs_problem_copy_truth(p, (double *)out.bytes, length);
        check_call(p, cls, s, "fs_problem_copy_truth");
        out_check(&out, s, "fs_problem_copy_truth");
        break;
    }
    case 4: {
        int64_t length = claim(r, m);
        out_array rows = out_alloc(r, sizeof(int64_t), length);
        out_array columns = out_alloc(r, sizeof(int64_t), length);
        double scale = -7.0;
        s = fs_problem_copy_entries(p, (int64_t *)rows.bytes, (int64_t *)columns.bytes, length,
                                    (u8(r) & 1) ? &scale : NULL);
        check_call(p, cls, s, "fs_problem_copy_entries");
        if (s != FS_OK) REQUIRE(scale == -7.0, "fs_problem_copy_entries", s);
        if (s == FS_OK && f.ok) { /* the positions are in range */
            for (size_t k = 0; rows.bytes != NULL && k < rows.count; k++) {
                int64_t a;
                memcpy(&a, rows.bytes + k * sizeof a, sizeof a);
                REQUIRE(a >= 0 && a < f.n1, "fs_problem_copy_entries", s);
            }
        }
        out_check(&rows, s, "fs_problem_copy_entries rows");
        out_check(&columns, s, "fs_problem_copy_entries columns");
        break;
    }
    default: {
        int64_t left_length = claim(r, f.ok ? m * f.n1 : -1), right_length = claim(r, f.ok ? m * f.n2 : -1);
        out_array left = out_alloc(r, sizeof(double), left_length);
        out_array right = out_alloc(r, sizeof(double), right_length);
        double scale = -7.0;
        s = fs_problem_copy_rank_one(p, (double *)left.bytes, left_length, (double *)right.bytes, right_length,
                                     (u8(r) & 1) ? &scale : NULL);
        check_call(p, cls, s, "fs_problem_copy_rank_one");
        if (s != FS_OK) REQUIRE(scale == -7.0, "fs_problem_copy_rank_one", s);
        out_check(&left, s, "fs_problem_copy_rank_one left");
        out_check(&right, s, "fs_problem_copy_rank_one right");
        break;
    }
    }
}

static void op_low_level(state *st, reader *r) {
    handle_class cls;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &cls);
    problem_facts f = facts(p);
    int64_t m = f.ok ? f.m : -1, cells = f.ok ? f.n1 * f.n2 : -1;
    fs_status s;
    switch (u8(r) % 3) {
    case 0: {
        int64_t x_length = claim(r, cells), out_length = claim(r, m);
        double *x = in_alloc(r, x_length);
        out_array out = out_alloc(r, sizeof(double), out_length);
        s = fs_problem_apply(p, x, x_length, (double *)out.bytes, out_length);
        check_call(p, cls, s, "fs_problem_apply");
        out_check(&out, s, "fs_problem_apply");
        free(x);
        break;
    }
    case 1: {
        int64_t rho_length = claim(r, m), out_length = claim(r, cells);
        double *rho = in_alloc(r, rho_length);
        out_array out = out_alloc(r, sizeof(double), out_length);
        s = fs_problem_adjoint(p, rho, rho_length, (double *)out.bytes, out_length);
        check_call(p, cls, s, "fs_problem_adjoint");
        out_check(&out, s, "fs_problem_adjoint");
        free(rho);
        break;
    }
    default: {
        int64_t width = dim(r, SMALL_N);
        int small = f.ok && width >= 1 && width <= SMALL_N;
        int64_t u_length = claim(r, small ? f.n1 * width : -1);
        int64_t v_length = claim(r, small ? f.n2 * width : -1);
        int64_t gu_length = claim(r, small ? f.n1 * width : -1);
        int64_t gv_length = claim(r, small ? f.n2 * width : -1);
        int symmetric_style = f.symmetric && (u8(r) % 4); /* V, grad_V NULL with length 0 */
        if (symmetric_style) v_length = gv_length = 0;
        double *u = in_alloc(r, u_length);
        double *v = symmetric_style ? NULL : in_alloc(r, v_length);
        out_array gu = out_alloc(r, sizeof(double), gu_length);
        out_array gv = symmetric_style ? (out_array){NULL, sizeof(double), 0, 0} : out_alloc(r, sizeof(double), gv_length);
        double loss = -7.0;
        s = fs_problem_loss_and_gradient(p, width, u, u_length, v, v_length, (u8(r) & 1) ? &loss : NULL,
                                         (double *)gu.bytes, gu_length, (double *)gv.bytes, gv_length);
        check_call(p, cls, s, "fs_problem_loss_and_gradient");
        if (s != FS_OK) REQUIRE(loss == -7.0, "fs_problem_loss_and_gradient", s);
        out_check(&gu, s, "fs_problem_loss_and_gradient grad_U");
        out_check(&gv, s, "fs_problem_loss_and_gradient grad_V");
        free(u);
        free(v);
        break;
    }
    }
}

static void op_options(state *st, reader *r) {
    handle_class cls;
    fs_options *o = pick_handle(st, r, KIND_OPTIONS, &cls);
    char scratch[25];
    fs_status s;
    switch (u8(r) % 7) {
    case 0: {
        const char *name = pick_name(r, INT_NAMES, COUNT(INT_NAMES), scratch);
        int64_t value = int_value(r), back = 0;
        s = fs_options_set_int(o, name, value);
        check_call(o, cls, s, "fs_options_set_int");
        if (s == FS_OK) { /* what was set is what is read back (the seed: "with the same bits") */
            REQUIRE(fs_options_get_int(o, name, &back) == FS_OK && back == value, "fs_options_get_int", 0);
        }
        break;
    }
    case 1: {
        const char *name = pick_name(r, REAL_NAMES, COUNT(REAL_NAMES), scratch);
        double value = real(r), back = 0;
        s = fs_options_set_real(o, name, value);
        check_call(o, cls, s, "fs_options_set_real");
        if (s == FS_OK) {
            REQUIRE(fs_options_get_real(o, name, &back) == FS_OK && memcmp(&back, &value, sizeof back) == 0,
                    "fs_options_get_real", 0);
        }
        break;
    }
    case 2: {
        const char *name = pick_name(r, TEXT_NAMES, COUNT(TEXT_NAMES), scratch);
        char scratch2[25];
        const char *value = pick_name(r, TEXT_VALUES, 8, scratch2);
        s = fs_options_set_text(o, name, value);
        check_call(o, cls, s, "fs_options_set_text");
        break;
    }
    case 3: {
        const char *name = pick_name(r, INT_NAMES, COUNT(INT_NAMES), scratch);
        int64_t v = -77;
        s = fs_options_get_int(o, name, (u8(r) % 8) ? &v : NULL);
        check_call(o, cls, s, "fs_options_get_int");
        if (s != FS_OK) REQUIRE(v == -77, "fs_options_get_int", s);
        break;
    }
    case 4: {
        const char *name = pick_name(r, REAL_NAMES, COUNT(REAL_NAMES), scratch);
        double v = -77.0;
        s = fs_options_get_real(o, name, (u8(r) % 8) ? &v : NULL);
        check_call(o, cls, s, "fs_options_get_real");
        if (s != FS_OK) REQUIRE(v == -77.0, "fs_options_get_real", s);
        break;
    }
    case 5: {
        const char *name = pick_name(r, TEXT_NAMES, COUNT(TEXT_NAMES), scratch);
        const char *v = (const char *)dummy_object;
        s = fs_options_get_text(o, name, (u8(r) % 8) ? &v : NULL);
        check_call(o, cls, s, "fs_options_get_text");
        if (s == FS_OK) REQUIRE(v != NULL && strlen(v) > 0, "fs_options_get_text", s);
        else REQUIRE(v == (const char *)dummy_object, "fs_options_get_text", s);
        break;
    }
    default: {
        static fs_progress_callback const callbacks[] = {progress_counting, progress_stop, progress_static};
        uint8_t mode = u8(r);
        fs_progress_callback cb = (mode % 8 == 0) ? NULL : callbacks[mode % 3];
        void *user;
        if (cb == progress_counting) {
            progress_state *ps = &st->progress[u8(r) % SLOTS];
            atomic_store(&ps->calls, 0);
            ps->stop_after = u8(r) % 4 == 0 ? 0 : 1 + u8(r) % 40;
            user = (u8(r) % 8) ? ps : NULL;
        } else { /* the library never dereferences user */
            user = (mode & 0x10) ? (void *)(uintptr_t)0xdeadbeef0 : NULL;
        }
        s = fs_options_set_progress(o, cb, user);
        check_call(o, cls, s, "fs_options_set_progress");
        int at = find_live(st, o);
        if (s == FS_OK && at >= 0) st->has_callback[at % SLOTS] = cb != NULL;
        break;
    }
    }
}

static void op_initial_factors(state *st, reader *r) {
    handle_class cls;
    fs_options *o = pick_handle(st, r, KIND_OPTIONS, &cls);
    if (u8(r) % 5 == 0) {
        fs_status s = fs_options_clear_initial_factors(o);
        check_call(o, cls, s, "fs_options_clear_initial_factors");
        return;
    }
    int64_t n1 = dim(r, SMALL_N), n2 = dim(r, SMALL_N), width = dim(r, SMALL_N);
    int small = n1 >= 1 && n1 <= SMALL_N && n2 >= 1 && n2 <= SMALL_N && width >= 1 && width <= SMALL_N;
    int64_t u_length = claim(r, small ? n1 * width : -1);
    int64_t v_length = claim(r, small ? n2 * width : -1);
    double *u = in_alloc(r, u_length);
    double *v;
    if (u8(r) % 4 == 0) { /* U0 alone, for symmetric problems */
        v = NULL;
        if (u8(r) % 4) v_length = 0;
    } else {
        v = in_alloc(r, v_length);
    }
    if (u8(r) & 1) { /* small factors, so runs do not just diverge */
        for (int64_t k = 0; u != NULL && k < u_length; k++) u[k] *= 1e-3;
        for (int64_t k = 0; v != NULL && k < v_length; k++) v[k] *= 1e-3;
    }
    fs_status s = fs_options_set_initial_factors(o, n1, n2, width, u, u_length, v, v_length);
    check_call(o, cls, s, "fs_options_set_initial_factors");
    free(u);
    free(v);
}

/* Lowers "max_iter" and an oversized "width" of `o`, so that a run stays short and small. */
static int64_t keep_runs_small(fs_options *o, reader *r) {
    int64_t max_iter = -1, width = 0;
    if (fs_options_get_int(o, "max_iter", &max_iter) == FS_OK && max_iter > MAX_ITER_CAP) {
        max_iter = u8(r) % (MAX_ITER_CAP + 1);
        REQUIRE(fs_options_set_int(o, "max_iter", max_iter) == FS_OK, "fs_options_set_int max_iter", 0);
    }
    if (fs_options_get_int(o, "width", &width) == FS_OK && width > WIDTH_CAP && width < INT64_C(2147483648)) {
        REQUIRE(fs_options_set_int(o, "width", 1 + u8(r) % SMALL_N) == FS_OK, "fs_options_set_int width", 0);
    }
    return max_iter;
}

/* The oracles of a finished fs_gradient_descent(p, o, res) that returned `s`. */
static void check_run(fs_problem *p, fs_result *res, handle_class pc, handle_class oc, handle_class rc,
                      int64_t max_iter, fs_status s) {
    REQUIRE(s >= FS_OK && s <= FS_ERROR_INTERRUPTED, "fs_gradient_descent", s);
    if (rc == H_INVALID) REQUIRE(s == FS_ERROR_INVALID_HANDLE, "fs_gradient_descent", s);
    /* "FS_ERROR_INVALID_HANDLE for a dead problem or options handle", reported on the result. */
    if (rc == H_VALID && (pc == H_INVALID || oc == H_INVALID)) REQUIRE(s == FS_ERROR_INVALID_HANDLE, "fs_gradient_descent", s);
    if (rc == H_VALID && pc == H_VALID && oc == H_VALID) REQUIRE(s != FS_ERROR_INVALID_HANDLE, "fs_gradient_descent", s);
    check_call(res, rc == H_INVALID ? H_INVALID : H_UNKNOWN, s, "fs_gradient_descent");
    if (rc == H_VALID && s != FS_OK) REQUIRE(strlen(fs_last_error(res)) > 0, "fs_gradient_descent", s);
    if (s != FS_OK) return;
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = -1, n1 = -1, n2 = -1, k = -1;
    REQUIRE(fs_result_get_stop_reason(res, &reason) == FS_OK, "fs_result_get_stop_reason", 0);
    REQUIRE(reason >= FS_STOP_CONVERGED && reason <= FS_STOP_INTERRUPTED, "fs_result_get_stop_reason", reason);
    if (reason == FS_STOP_INTERRUPTED) REQUIRE(was_interrupted(res), "fs_result_get_stop_reason", reason);
    REQUIRE(fs_result_get_iterations(res, &iterations) == FS_OK, "fs_result_get_iterations", 0);
    REQUIRE(iterations >= 0 && (max_iter < 0 || iterations <= max_iter), "fs_result_get_iterations", iterations);
    REQUIRE(fs_result_get_shape(res, &n1, &n2, &k) == FS_OK && k >= 1, "fs_result_get_shape", 0);
    problem_facts f = facts(p);
    if (f.ok) REQUIRE(n1 == f.n1 && n2 == f.n2, "fs_result_get_shape", 0);
}

/* Whether two results hold the same run, bit for bit: stop reason, iterations, factors, losses. */
static int same_run(const fs_result *a, const fs_result *b) {
    fs_stop_reason ra, rb;
    int64_t ia, ib, n1, n2, k, n1b, n2b, kb, rows, rows_b;
    if (fs_result_get_stop_reason(a, &ra) != FS_OK || fs_result_get_stop_reason(b, &rb) != FS_OK || ra != rb) return 0;
    if (fs_result_get_iterations(a, &ia) != FS_OK || fs_result_get_iterations(b, &ib) != FS_OK || ia != ib) return 0;
    if (fs_result_get_shape(a, &n1, &n2, &k) != FS_OK || fs_result_get_shape(b, &n1b, &n2b, &kb) != FS_OK) return 0;
    if (n1 != n1b || n2 != n2b || k != kb) return 0;
    if (fs_result_get_history_length(a, &rows) != FS_OK || fs_result_get_history_length(b, &rows_b) != FS_OK ||
        rows != rows_b)
        return 0;
    size_t nu = (size_t)(n1 * k), nv = (size_t)(n2 * k), nh = (size_t)rows;
    size_t total = 2 * (nu + nv + nh);
    double *buffer = malloc(total * sizeof *buffer);
    if (buffer == NULL) abort();
    double *ua = buffer, *va = ua + nu, *ha = va + nv, *ub = ha + nh, *vb = ub + nu, *hb = vb + nv;
    int same = fs_result_copy_factors(a, ua, (int64_t)nu, va, (int64_t)nv) == FS_OK &&
               fs_result_copy_factors(b, ub, (int64_t)nu, vb, (int64_t)nv) == FS_OK &&
               fs_result_copy_history(a, "loss", ha, rows) == FS_OK &&
               fs_result_copy_history(b, "loss", hb, rows) == FS_OK &&
               memcmp(ua, ub, (nu + nv + nh) * sizeof *buffer) == 0;
    free(buffer);
    return same;
}

static void op_run(state *st, reader *r) {
    if (st->runs >= MAX_RUNS) return;
    st->runs++;
    handle_class pc, oc, rc;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &pc);
    fs_options *o = pick_handle(st, r, KIND_OPTIONS, &oc);
    fs_result *res = pick_handle(st, r, KIND_RESULT, &rc);
    int64_t max_iter = keep_runs_small(o, r);
    fs_status s = fs_gradient_descent(p, o, res);
    check_run(p, res, pc, oc, rc, max_iter, s);
    /* Same problem, same options, no callback (whose calls also depend on the clock): same run,
     * bit for bit. A difference would point at uninitialised memory or a data race. */
    int at = find_live(st, o);
    if (s == FS_OK && at >= 0 && !st->has_callback[at % SLOTS] && !was_interrupted(res) && (u8(r) & 1)) {
        fs_result *again = NULL;
        REQUIRE(fs_result_create(&again) == FS_OK, "fs_result_create", 0);
        REQUIRE(fs_gradient_descent(p, o, again) == FS_OK, "fs_gradient_descent (again)", 0);
        REQUIRE(same_run(res, again), "fs_gradient_descent is not deterministic", 0);
        fs_result_free(again);
    }
}

/* A perturbation callback given its sizes: they must be the result's (n1 × k, n2 × k); it writes
 * E = 0, or a NaN (the flow must refuse it), or asks to stop. */
static int fuzz_perturbation(void *user, double t, int64_t n1, int64_t n2, int64_t k, const double *U,
                             const double *V, double *E) {
    (void)t;
    uint8_t mode = *(const uint8_t *)user;
    if (n1 < 1 || n1 > SMALL_N || n2 < 1 || n2 > SMALL_N || k < 1 || U == NULL || V == NULL || E == NULL)
        fail("the perturbation callback's sizes", "fs_gradient_flow", (int)n1);
    memset(E, 0, sizeof(double) * (size_t)(n1 * n2));
    if (mode % 8 == 1) E[0] = NAN;
    return mode % 8 == 2;
}

/* fs_gradient_flow with settings by the versioned-struct rule: the 0.4 size, this header's, or a
 * newer caller's with a tail that is 0 or not; struct_size values no header had; short runs. */
static void op_flow(state *st, reader *r) {
    if (st->runs >= MAX_RUNS) return;
    st->runs++;
    handle_class pc, oc, rc;
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &pc);
    fs_options *o = pick_handle(st, r, KIND_OPTIONS, &oc);
    fs_result *res = pick_handle(st, r, KIND_RESULT, &rc);
    keep_runs_small(o, r);
    struct { fs_flow_settings known; uint64_t future[4]; } box;
    memset(&box, 0x5a, sizeof box);
    static const size_t sizes[] = {offsetof(fs_flow_settings, sized_callback), sizeof(fs_flow_settings),
                                   sizeof(fs_flow_settings) + 8, sizeof box};
    size_t size = sizes[u8(r) % COUNT(sizes)];
    REQUIRE(fs_flow_settings_init(&box.known, size) == FS_OK && box.known.struct_size == size,
            "fs_flow_settings_init", 0);
    if (size > sizeof box.known)
        for (size_t i = 0; i < (size - sizeof box.known) / 8; i++) REQUIRE(box.future[i] == 0, "fs_flow_settings_init", 0);
    double times[4];
    int64_t count = u8(r) % 5;
    for (int64_t i = 0; i < count; i++) times[i] = (u8(r) & 1) ? real(r) : (double)i * 0.25;
    box.known.times = (u8(r) % 16) ? times : NULL;
    box.known.time_count = count;
    uint8_t mode = u8(r);
    if (mode & 1) box.known.rtol = real(r);
    if (mode & 2) box.known.atol = real(r);
    box.known.max_evaluations = (mode & 4) ? (int64_t)(u64(r) % 400) - 20 : 200;
    box.known.perturbation = (mode & 8) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 3);
    if (size > offsetof(fs_flow_settings, sized_callback)) box.known.sized_callback = fuzz_perturbation;
    else box.known.callback = NULL;
    box.known.user = &mode;
    box.known.method = (mode & 16) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 2);
    if (size > sizeof box.known && (mode & 32)) box.future[0] = u64(r) | 1;  /* a newer field set */
    if ((mode & 0xC0) == 0xC0) { /* struct_size values no header had */
        static const size_t odd[] = {0, 1, 8, 16, offsetof(fs_flow_settings, sized_callback) - 1, 4097, SIZE_MAX};
        box.known.struct_size = odd[u8(r) % COUNT(odd)];
    }
    fs_status s = fs_gradient_flow(p, o, (u8(r) % 16) ? &box.known : NULL, res);
    REQUIRE(s >= FS_OK && s <= FS_ERROR_INTERRUPTED && s != FS_ERROR_INTERNAL, "fs_gradient_flow", s);
    if (rc == H_INVALID) REQUIRE(s == FS_ERROR_INVALID_HANDLE, "fs_gradient_flow", s);
    if (rc == H_VALID && (pc == H_INVALID || oc == H_INVALID)) REQUIRE(s == FS_ERROR_INVALID_HANDLE, "fs_gradient_flow", s);
    if (rc == H_VALID && pc == H_VALID && oc == H_VALID) REQUIRE(s != FS_ERROR_INVALID_HANDLE, "fs_gradient_flow", s);
    check_call(res, rc == H_INVALID ? H_INVALID : H_UNKNOWN, s, "fs_gradient_flow");
    if (size > sizeof box.known && box.future[0] != 0 && box.known.struct_size == size)
        REQUIRE(s != FS_OK, "fs_gradient_flow took a non-zero field it does not know", s);
    if (s != FS_OK) return;
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t rows = -1;
    REQUIRE(fs_result_get_stop_reason(res, &reason) == FS_OK, "fs_result_get_stop_reason", 0);
    REQUIRE(reason == FS_STOP_END_TIME || reason == FS_STOP_MAX_ITERATIONS || reason == FS_STOP_DIVERGED ||
            reason == FS_STOP_STEP_SIZE_UNDERFLOW || reason == FS_STOP_CALLBACK || reason == FS_STOP_INTERRUPTED,
            "fs_gradient_flow's stop reason", reason);
    REQUIRE(fs_result_get_history_length(res, &rows) == FS_OK && rows >= 0 && rows <= count,
            "fs_result_get_history_length", rows);
}

typedef struct {
    const fs_problem *problem;
    const fs_options *options;
    fs_result *result;
    fs_status status;
} run_job;

static int run_job_main(void *arg) {
    run_job *job = arg;
    job->status = fs_gradient_descent(job->problem, job->options, job->result);
    return 0;
}

/* The header: "several threads may run [fs_gradient_descent] at once on the same problem and
 * options, each with its own result handle". Two threads do, into two different results. */
static void op_run_parallel(state *st, reader *r) {
    if (st->runs + 2 > MAX_RUNS) return;
    st->runs += 2;
    handle_class pc, oc, rc[2];
    fs_problem *p = pick_handle(st, r, KIND_PROBLEM, &pc);
    fs_options *o = pick_handle(st, r, KIND_OPTIONS, &oc);
    fs_result *res[2];
    res[0] = pick_handle(st, r, KIND_RESULT, &rc[0]);
    res[1] = pick_handle(st, r, KIND_RESULT, &rc[1]);
    if (res[0] == res[1] && rc[0] == H_VALID) return; /* one result in two threads: the caller's bug */
    int64_t max_iter = keep_runs_small(o, r);
    run_job jobs[2];
    thrd_t threads[2];
    for (int t = 0; t < 2; t++) {
        jobs[t] = (run_job){p, o, res[t], FS_OK};
        if (thrd_create(&threads[t], run_job_main, &jobs[t]) != thrd_success) abort();
    }
    for (int t = 0; t < 2; t++) thrd_join(threads[t], NULL);
    for (int t = 0; t < 2; t++) check_run(p, res[t], pc, oc, rc[t], max_iter, jobs[t].status);
    int at = find_live(st, o);
    if (jobs[0].status == FS_OK && jobs[1].status == FS_OK && at >= 0 && !st->has_callback[at % SLOTS] &&
        !was_interrupted(res[0]) && !was_interrupted(res[1])) {
        REQUIRE(same_run(res[0], res[1]), "two threads, same problem and options, different runs", 0);
    }
}

static void op_result(state *st, reader *r) {
    handle_class cls;
    fs_result *res = pick_handle(st, r, KIND_RESULT, &cls);
    int64_t n1 = -1, n2 = -1, width = -1, rows = -1;
    int known = fs_result_get_shape(res, &n1, &n2, &width) == FS_OK;
    if (known) REQUIRE(n1 >= 1 && n1 <= SMALL_N && n2 >= 1 && n2 <= SMALL_N && width >= 1, "fs_result_get_shape", 0);
    if (fs_result_get_history_length(res, &rows) == FS_OK) {
        REQUIRE(rows >= 1 && rows <= MAX_ITER_CAP + 2, "fs_result_get_history_length", rows);
    } else {
        rows = -1;
    }
    fs_status s;
    switch (u8(r) % 8) {
    case 0: {
        fs_stop_reason reason = (fs_stop_reason)77;
        s = fs_result_get_stop_reason(res, (u8(r) % 8) ? &reason : NULL);
        check_call(res, cls, s, "fs_result_get_stop_reason");
        if (s == FS_OK) REQUIRE(reason <= FS_STOP_EARLY_STOPPED, /* a result may hold a flow */ "fs_result_get_stop_reason", reason);
        else REQUIRE(reason == (fs_stop_reason)77, "fs_result_get_stop_reason", s);
        REQUIRE(strlen(fs_stop_reason_string(reason)) > 0, "fs_stop_reason_string", reason);
        break;
    }
    case 1: {
        int64_t v = -7;
        s = fs_result_get_iterations(res, (u8(r) % 8) ? &v : NULL);
        check_call(res, cls, s, "fs_result_get_iterations");
        if (s != FS_OK) REQUIRE(v == -7, "fs_result_get_iterations", s);
        break;
    }
    case 2: {
        int64_t a = -7, b = -7, c = -7;
        uint8_t mask = u8(r);
        s = fs_result_get_shape(res, (mask & 1) ? &a : NULL, (mask & 2) ? &b : NULL, (mask & 4) ? &c : NULL);
        check_call(res, cls, s, "fs_result_get_shape");
        if (s != FS_OK) REQUIRE(a == -7 && b == -7 && c == -7, "fs_result_get_shape", s);
        break;
    }
    case 3: {
        int64_t u_length = claim(r, known ? n1 * width : -1), v_length = claim(r, known ? n2 * width : -1);
        out_array u = out_alloc(r, sizeof(double), u_length);
        out_array v = out_alloc(r, sizeof(double), v_length);
        s = fs_result_copy_factors(res, (double *)u.bytes, u_length, (double *)v.bytes, v_length);
        check_call(res, cls, s, "fs_result_copy_factors");
        out_check(&u, s, "fs_result_copy_factors U");
        out_check(&v, s, "fs_result_copy_factors V");
        break;
    }
    case 4: {
        int64_t v = -7;
        s = fs_result_get_history_length(res, (u8(r) % 8) ? &v : NULL);
        check_call(res, cls, s, "fs_result_get_history_length");
        if (s != FS_OK) REQUIRE(v == -7, "fs_result_get_history_length", s);
        s = fs_result_get_history_column_count(res, (u8(r) % 8) ? &v : NULL);
        check_call(res, cls, s, "fs_result_get_history_column_count");
        break;
    }
    case 5: {
        int64_t index = (u8(r) & 1) ? (int64_t)(u8(r) % 8) - 1 : int_value(r);
        const char *name = (const char *)dummy_object;
        s = fs_result_get_history_column_name(res, index, (u8(r) % 8) ? &name : NULL);
        check_call(res, cls, s, "fs_result_get_history_column_name");
        if (s == FS_OK) REQUIRE(name != NULL && strlen(name) > 0, "fs_result_get_history_column_name", s);
        else REQUIRE(name == (const char *)dummy_object, "fs_result_get_history_column_name", s);
        break;
    }
    case 7: {
        /* Room for any struct_size up to 255: a newer caller's larger struct is written up to it. */
        struct { fs_phases known; unsigned char future[256]; } box;
        memset(&box, 0x5a, sizeof box);
        box.known.struct_size = (u8(r) % 8) ? sizeof box.known : (size_t)u8(r);
        s = fs_result_get_phases(res, (u8(r) % 8) ? &box.known : NULL);
        check_call(res, cls, s, "fs_result_get_phases");
        if (s == FS_OK && box.known.struct_size > sizeof box.known)  /* the fields it does not know, zeroed */
            for (size_t i = 0; i < box.known.struct_size - sizeof box.known; i++)
                REQUIRE(box.future[i] == 0, "fs_result_get_phases", (int64_t)i);
        int64_t count = s == FS_OK ? box.known.learning_time_count : -1;
        if (s == FS_OK) REQUIRE(count >= 0 && count <= SMALL_N, "fs_result_get_phases", count);
        int64_t length = claim(r, count);
        out_array steps = out_alloc(r, sizeof(int64_t), length);
        out_array times = out_alloc(r, sizeof(double), length);
        s = fs_result_copy_learning_times(res, (int64_t *)steps.bytes, (double *)times.bytes, length);
        check_call(res, cls, s, "fs_result_copy_learning_times");
        out_check(&steps, s, "fs_result_copy_learning_times iterations");
        out_check(&times, s, "fs_result_copy_learning_times times");
        break;
    }
    default: {
        char scratch[25];
        const char *name = pick_name(r, COLUMNS, 9, scratch);
        int64_t width = -7;
        s = fs_result_get_history_column_width(res, name, (u8(r) % 8) ? &width : NULL);
        check_call(res, cls, s, "fs_result_get_history_column_width");
        if (s == FS_OK) REQUIRE(width >= 1 && width <= SMALL_N, "fs_result_get_history_column_width", width);
        else REQUIRE(width == -7, "fs_result_get_history_column_width", s);
        int64_t length = claim(r, s == FS_OK && rows >= 0 ? rows * width : rows);
        out_array out = out_alloc(r, sizeof(double), length);
        s = fs_result_copy_history(res, name, (double *)out.bytes, length);
        check_call(res, cls, s, "fs_result_copy_history");
        out_check(&out, s, "fs_result_copy_history");
        /* Iterations to ε and the minimum of the same column: a recorded iteration, −1, or an
         * error that leaves the outputs alone. */
        int64_t reached = -7, at = -7;
        double epsilon = real(r), lowest = -7;
        s = fs_result_iterations_to(res, name, epsilon, (u8(r) % 8) ? &reached : NULL);
        check_call(res, cls, s, "fs_result_iterations_to");
        if (s == FS_OK) REQUIRE(reached >= -1 && reached <= MAX_ITER_CAP + 1, "fs_result_iterations_to", reached);
        else REQUIRE(reached == -7, "fs_result_iterations_to", s);
        s = fs_result_history_minimum(res, name, (u8(r) % 8) ? &lowest : NULL, (u8(r) % 8) ? &at : NULL);
        check_call(res, cls, s, "fs_result_history_minimum");
        if (s != FS_OK) REQUIRE(lowest == -7 && at == -7, "fs_result_history_minimum", s);
        break;
    }
    }
}

/* fs_interrupt: FS_OK for a live problem or result handle, FS_ERROR_INVALID_HANDLE for anything
 * else (options included); it never changes fs_last_error. */
static void op_interrupt(state *st, reader *r) {
    handle_class cls;
    int kind = u8(r) % KINDS;
    void *h = pick_handle(st, r, kind, &cls);
    char before[256];
    snprintf(before, sizeof before, "%s", fs_last_error(h));
    fs_status s = fs_interrupt(h);
    if (tracing()) fprintf(stderr, "%-36s handle %-14p -> %d\n", "fs_interrupt", h, s);
    (void)cls; /* any live problem or result is taken, whatever kind was asked for */
    int at = find_live(st, h);
    int takes = at >= 0 && at / SLOTS != KIND_OPTIONS;
    REQUIRE(s == (takes ? FS_OK : FS_ERROR_INVALID_HANDLE), "fs_interrupt", s);
    char after[256];
    snprintf(after, sizeof after, "%s", fs_last_error(h));
    REQUIRE(strcmp(before, after) == 0, "fs_interrupt changed fs_last_error", s);
    if (takes) st->interrupted[at / SLOTS][at % SLOTS] = 1;
}

static int was_interrupted(const void *h) {
    int at = find_live(current_state, h);
    return at >= 0 && current_state->interrupted[at / SLOTS][at % SLOTS];
}

static void op_static(state *st, reader *r) {
    switch (u8(r) % 5) {
    case 0: {
        int32_t v = (u8(r) & 1) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 14) - 2;
        const char *text = fs_status_string((fs_status)v);
        REQUIRE(text != NULL && strlen(text) > 0, "fs_status_string", v);
        break;
    }
    case 1: {
        int32_t v = (u8(r) & 1) ? (int32_t)(uint32_t)u64(r) : (int32_t)(u8(r) % 8) - 2;
        const char *text = fs_stop_reason_string((fs_stop_reason)v);
        REQUIRE(text != NULL && strlen(text) > 0, "fs_stop_reason_string", v);
        break;
    }
    case 2: {
        handle_class cls;
        void *h = pick_handle(st, r, u8(r) % KINDS, &cls);
        const char *text = fs_last_error(h);
        REQUIRE(text != NULL, "fs_last_error", 0);
        volatile size_t n = strlen(text);
        (void)n;
        break;
    }
    case 3:
        op_interrupt(st, r);
        break;
    default:
        REQUIRE(fs_version_number() == FS_VERSION_NUMBER, "fs_version_number", 0);
        REQUIRE(strcmp(fs_version_string(), "0.1.0") == 0 || strlen(fs_version_string()) > 0, "fs_version_string", 0);
        REQUIRE(fs_problem_spec_init(NULL, sizeof(fs_problem_spec)) == FS_ERROR_NULL_POINTER, "fs_problem_spec_init", 0);
        REQUIRE(fs_flow_settings_init(NULL, sizeof(fs_flow_settings)) == FS_ERROR_NULL_POINTER, "fs_flow_settings_init", 0);
        break;
    }
}

/* ------------------------------------------------------------------ entry point */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    reader r = {data, size};
    state st;
    memset(&st, 0, sizeof st);
    current_state = &st;
    /* A working baseline in slot 0 of each kind — a 4 × 3 rank-1 problem with 20 measurements,
     * options with width 2 and 20 iterations, an empty result — so that most inputs get past the
     * "empty handle" errors to the calls that do work. The input may free or refill any of them. */
    fs_problem *p0 = NULL;
    fs_options *o0 = NULL;
    fs_result *r0 = NULL;
    REQUIRE(fs_problem_create(&p0) == FS_OK && fs_options_create(&o0) == FS_OK && fs_result_create(&r0) == FS_OK,
            "create", 0);
    REQUIRE(fs_problem_generate_gaussian(p0, 4, 3, 1, 20, 1.0, 1.0, 0.0, 1) == FS_OK, "fs_problem_generate_gaussian", 0);
    REQUIRE(fs_options_set_int(o0, "width", 2) == FS_OK && fs_options_set_int(o0, "max_iter", 20) == FS_OK,
            "fs_options_set_int", 0);
    st.slot[KIND_PROBLEM][0] = p0;
    st.slot[KIND_OPTIONS][0] = o0;
    st.slot[KIND_RESULT][0] = r0;
    st.live[KIND_PROBLEM][0] = st.live[KIND_OPTIONS][0] = st.live[KIND_RESULT][0] = 1;
    for (int step = 0; step < MAX_OPS && r.size > 0; step++) {
        switch (u8(&r) % 16) {
        case 0: case 1: op_create(&st, &r); break;
        case 2: op_free(&st, &r); break;
        case 3: op_generate_gaussian(&st, &r); break;
        case 4: op_generate(&st, &r); break;
        case 5: op_set_dense(&st, &r); break;
        case 6: op_set_entries(&st, &r); break;
        case 7: op_problem_flags(&st, &r); break;
        case 8: op_problem_copy(&st, &r); break;
        case 9: op_low_level(&st, &r); break;
        case 10: case 11: op_options(&st, &r); break;
        case 12: op_initial_factors(&st, &r); break;
        case 13: {
            uint8_t which = u8(&r) % 8;
            if (which == 0) op_run_parallel(&st, &r);
            else if (which == 1) op_flow(&st, &r);
            else op_run(&st, &r);
            break;
        }
        case 14: op_result(&st, &r); break;
        default: op_static(&st, &r); break;
        }
    }
    /* Free everything, then check every handle of this input is dead. Freeing twice, and
     * freeing NULL, must be harmless. */
    for (int kind = 0; kind < KINDS; kind++) {
        for (int i = 0; i < SLOTS; i++) {
            void *h = st.slot[kind][i];
            free_handle(kind, h);
            free_handle(kind, h);
            if (h != NULL) REQUIRE(!alive(h, kind), "a freed handle is alive", 0);
        }
        free_handle(kind, NULL);
    }
    return 0;
}

/* ------------------------------------------------------------------ replay without libFuzzer */

#ifdef FUZZ_API_REPLAY
/* Built with -DFUZZ_API_REPLAY and without -fsanitize=fuzzer, the harness is a plain program that
 * runs each file named on its command line once: `make check-memory` runs fuzz/corpus so under
 * valgrind, which, unlike ASan, also sees every access the uninstrumented library makes. */
int main(int argc, char **argv) {
    /* FUZZ_API_REPEAT=n replays the inputs n times: memory that grows with n is a leak, even
     * one that leak checkers call reachable. */
    const char *repeat_text = getenv("FUZZ_API_REPEAT");
    long repeat = repeat_text != NULL ? strtol(repeat_text, NULL, 10) : 1;
    static uint8_t data[1 << 16];
    for (long round = 0; round < repeat; round++) {
        for (int i = 1; i < argc; i++) {
            FILE *file = fopen(argv[i], "rb");
            if (file == NULL) {
                perror(argv[i]);
                return 1;
            }
            size_t size = fread(data, 1, sizeof data, file);
            fclose(file);
            LLVMFuzzerTestOneInput(data, size);
        }
    }
    printf("fuzz_api: replayed %d input(s) %ld time(s)\n", argc - 1, repeat);
    return 0;
}
#endif
