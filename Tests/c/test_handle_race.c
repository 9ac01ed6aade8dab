/*
 * test_handle_race.c — misusing one handle from several threads must not corrupt memory.
 *
 * The header asks for one thread per handle at a time. This program breaks the rule on purpose:
 * THREADS threads share ONE problem, ONE options and ONE result handle and hammer them with
 * setters, getters, failing calls, fs_last_error (reading every byte of the text it returns),
 * fs_interrupt and fs_gradient_descent, all at once. The library must serialize the calls (a
 * lock per handle), keep every text it handed out valid, and return only the statuses each call
 * documents. Run under ASan (make check-memory) and TSan (make check-threads), any use after
 * free, double free or data race inside the library is reported there; here every status and
 * every result is checked.
 *
 *   ./test_handle_race [rounds]    (rounds per thread, default 10000; the memory checks use fewer)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <threads.h>

#include "factorsense.h"

enum { THREADS = 6, N1 = 6, N2 = 5, M = 30, K = 3 };

static fs_problem *problem;
static fs_options *options;
static fs_result *result;
static int rounds = 10000;

typedef struct {
    int id;
    uint64_t state;
    long failures;
    long calls;
} worker;

static uint64_t next(worker *w) { /* splitmix64 */
    uint64_t z = (w->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static void fail(worker *w, const char *call, int status) {
    w->failures++;
    fprintf(stderr, "thread %d: %s returned %d (%s)\n", w->id, call, status, fs_status_string((fs_status)status));
}

/* `status` must be one of the listed ones (a list ending with -1). */
static void expect(worker *w, const char *call, int status, const int *allowed) {
    w->calls++;
    for (; *allowed >= 0; allowed++)
        if (status == *allowed) return;
    fail(w, call, status);
}

#define EXPECT(w, call, ...)                                  \
    do {                                                      \
        const int allowed_[] = {__VA_ARGS__, -1};             \
        expect((w), #call, (int)(call), allowed_);            \
    } while (0)

/* Reads every byte of the handle's message: a freed or overwritten text is what ASan sees. */
static void read_message(worker *w, const void *handle) {
    const char *text = fs_last_error(handle);
    if (text == NULL) {
        fail(w, "fs_last_error (NULL)", 0);
        return;
    }
    size_t length = strlen(text);
    for (size_t i = 0; i < length; i++) {
        if (text[i] == '\0') fail(w, "fs_last_error (torn text)", 0);
    }
    /* The text stays valid until this thread asks again, whatever the others do meanwhile. */
    thrd_yield();
    if (strlen(text) != length) fail(w, "fs_last_error (text changed under the reader)", 0);
}

static void hammer_options(worker *w) {
    int64_t value = 0;
    double real = 0;
    const char *text = NULL;
    switch (next(w) % 6) {
    case 0: EXPECT(w, fs_options_set_int(options, "width", K), FS_OK); break;
    case 1: EXPECT(w, fs_options_set_int(options, "width", -1), FS_ERROR_INVALID_ARGUMENT); break;
    case 2: EXPECT(w, fs_options_set_real(options, "step", 0.3), FS_OK); break;
    case 3: EXPECT(w, fs_options_set_real(options, "no such option", 1), FS_ERROR_INVALID_ARGUMENT); break;
    case 4:
        EXPECT(w, fs_options_get_int(options, "width", &value), FS_OK);
        if (value != K) fail(w, "fs_options_get_int (width)", (int)value);
        EXPECT(w, fs_options_get_real(options, "step", &real), FS_OK);
        break;
    default:
        EXPECT(w, fs_options_get_text(options, "init", &text), FS_OK);
        if (text == NULL || strcmp(text, "random") != 0) fail(w, "fs_options_get_text (init)", 0);
        break;
    }
    read_message(w, options);
}

static void hammer_problem(worker *w) {
    double y[M];
    int64_t n1 = 0, n2 = 0, m = 0;
    int symmetric = -1;
    switch (next(w) % 6) {
    case 0:
        EXPECT(w, fs_problem_generate_gaussian(problem, N1, N2, 2, M, 1, 1, 0, next(w) % 4), FS_OK,
               FS_ERROR_INTERRUPTED);
        break;
    case 1: EXPECT(w, fs_problem_generate_gaussian(problem, 0, N2, 2, M, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT); break;
    case 2:
        EXPECT(w, fs_problem_get_shape(problem, &n1, &n2, &m), FS_OK);
        if (n1 != N1 || n2 != N2 || m != M) fail(w, "fs_problem_get_shape (shape)", (int)n1);
        break;
    case 3: EXPECT(w, fs_problem_copy_measurements(problem, y, M), FS_OK); break;
    case 4: EXPECT(w, fs_problem_is_symmetric(problem, &symmetric), FS_OK); break;
    default: EXPECT(w, fs_interrupt(problem), FS_OK); break;
    }
    read_message(w, problem);
}

static void hammer_result(worker *w) {
    double U[N1 * K], V[N2 * K], column[64];
    int64_t iterations = -1, length = -1, n1 = 0, n2 = 0, k = 0;
    fs_stop_reason reason = FS_STOP_NONE;
    switch (next(w) % 7) {
    case 0:
        /* A run: FS_OK, or interrupted (by another thread) before its first iterate. */
        EXPECT(w, fs_gradient_descent(problem, options, result), FS_OK, FS_ERROR_INTERRUPTED);
        break;
    case 1: EXPECT(w, fs_result_get_iterations(result, &iterations), FS_OK); break;
    case 2:
        EXPECT(w, fs_result_get_shape(result, &n1, &n2, &k), FS_OK);
        if (n1 != N1 || n2 != N2 || k != K) fail(w, "fs_result_get_shape (shape)", (int)k);
        break;
    case 3: EXPECT(w, fs_result_copy_factors(result, U, N1 * K, V, N2 * K), FS_OK); break;
    case 4:
        /* The length may change between the two calls (another thread's run): then a refusal. */
        EXPECT(w, fs_result_get_history_length(result, &length), FS_OK);
        if (length >= 1 && length <= 64) {
            EXPECT(w, fs_result_copy_history(result, "loss", column, length), FS_OK, FS_ERROR_SIZE_MISMATCH);
        }
        break;
    case 5:
        EXPECT(w, fs_result_get_stop_reason(result, &reason), FS_OK);
        if (reason < FS_STOP_CONVERGED || reason > FS_STOP_INTERRUPTED) fail(w, "fs_result_get_stop_reason", reason);
        break;
    default:
        EXPECT(w, fs_interrupt(result), FS_OK);
        EXPECT(w, fs_result_copy_history(result, "no such column", column, 1), FS_ERROR_INVALID_ARGUMENT);
        break;
    }
    read_message(w, result);
}

static int run_worker(void *argument) {
    worker *w = argument;
    for (int round = 0; round < rounds; round++) {
        switch (next(w) % 3) {
        case 0: hammer_options(w); break;
        case 1: hammer_problem(w); break;
        default: hammer_result(w); break;
        }
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) rounds = atoi(argv[1]);
    if (rounds < 1) {
        fprintf(stderr, "usage: %s [rounds ≥ 1]\n", argv[0]);
        return 2;
    }
    if (fs_problem_create(&problem) != FS_OK || fs_options_create(&options) != FS_OK ||
        fs_result_create(&result) != FS_OK ||
        fs_problem_generate_gaussian(problem, N1, N2, 2, M, 1, 1, 0, 1) != FS_OK ||
        fs_options_set_int(options, "width", K) != FS_OK || fs_options_set_int(options, "max_iter", 20) != FS_OK ||
        fs_gradient_descent(problem, options, result) != FS_OK) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }
    worker workers[THREADS];
    thrd_t threads[THREADS];
    for (int i = 0; i < THREADS; i++) {
        workers[i] = (worker){i, (uint64_t)i * 7919u + 1u, 0, 0};
        if (thrd_create(&threads[i], run_worker, &workers[i]) != thrd_success) {
            fprintf(stderr, "thrd_create failed\n");
            return 1;
        }
    }
    long failures = 0, calls = 0;
    for (int i = 0; i < THREADS; i++) {
        thrd_join(threads[i], NULL);
        failures += workers[i].failures;
        calls += workers[i].calls;
    }
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    printf("%d threads on one problem, one options and one result handle: %ld calls checked, %ld failed\n",
           THREADS, calls, failures);
    return failures != 0;
}
