/*
 * C tests of the core API of factorsense.h: versions and texts, handle checks (NULL, freed, wrong
 * kind), wrong state, bad arguments and their messages, outputs left untouched on failure, one
 * step against a hand computation, determinism, the progress callback, divergence and recovery.
 *
 * No framework: CHECK counts passes and failures and prints file:line for each failure; the last
 * line is "N passed, M failed" and the exit status is M != 0.
 *
 *   ./test_api [iterations]     (the recovery budget, default 3000; the memory checks use fewer)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"

static int passed = 0, failed = 0;

static void check(int ok, const char *file, int line, const char *text) {
    if (ok) {
        passed++;
    } else {
        failed++;
        fprintf(stderr, "%s:%d: failed: %s\n", file, line, text);
    }
}

#define CHECK(condition) check((condition) ? 1 : 0, __FILE__, __LINE__, #condition)

static int nonempty(const char *text) { return text != NULL && text[0] != '\0'; }

/*
 * A call that must return `expected`; when `expected` is an error, fs_last_error(handle) must be
 * non-empty. The handle is read after the call. On failure prints what came back.
 */
static void expect_status(fs_status got, fs_status expected, const void *handle, const char *file,
                          int line, const char *text) {
    const char *message = fs_last_error(handle);
    int ok = got == expected && (expected == FS_OK || nonempty(message));
    check(ok, file, line, text);
    if (!ok) {
        fprintf(stderr, "    returned %d (%s), expected %d (%s); fs_last_error: \"%s\"\n", (int)got,
                fs_status_string(got), (int)expected, fs_status_string(expected),
                message != NULL ? message : "(NULL)");
    }
}

#define REFUSES(call, expected, handle) expect_status((call), (expected), (handle), __FILE__, __LINE__, #call)
#define EXPECT_OK(call, handle) expect_status((call), FS_OK, (handle), __FILE__, __LINE__, #call)

/* The message on `handle` mentions `word` (the header: messages name the argument). */
#define MENTIONS(handle, word) CHECK(fs_last_error(handle) != NULL && strstr(fs_last_error(handle), (word)) != NULL)

static const double SENTINEL = -12345.5;

static void fill(double *x, size_t n, double value) {
    for (size_t i = 0; i < n; i++) x[i] = value;
}

static int all_equal(const double *x, size_t n, double value) {
    for (size_t i = 0; i < n; i++)
        if (x[i] != value) return 0;
    return 1;
}

static int all_finite(const double *x, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i])) return 0;
    return 1;
}

static double *allocate(size_t n) {
    double *x = malloc(n * sizeof *x);
    if (x == NULL) {
        fprintf(stderr, "out of memory allocating %zu doubles\n", n);
        exit(2);
    }
    return x;
}

/* ------------------------------------------------------------------ versions and texts */

static void test_versions_and_texts(void) {
    CHECK(fs_version_number() == FS_VERSION_NUMBER);
    const char *version = fs_version_string();
    CHECK(version != NULL);
    if (version != NULL) {
        int major = -1, minor = -1, patch = -1, consumed = 0;
        CHECK(sscanf(version, "%d.%d.%d%n", &major, &minor, &patch, &consumed) == 3 &&
              (size_t)consumed == strlen(version));
        CHECK(major == FS_VERSION_MAJOR && minor == FS_VERSION_MINOR && patch == FS_VERSION_PATCH);
    }

    for (int s = FS_OK; s <= FS_ERROR_INTERRUPTED; s++) {
        const char *text = fs_status_string((fs_status)s);
        CHECK(nonempty(text));
        CHECK(text != NULL && strcmp(text, "unknown status") != 0);
    }
    const int unknown_statuses[] = {12, 999, -1};
    for (size_t i = 0; i < sizeof unknown_statuses / sizeof unknown_statuses[0]; i++) {
        const char *text = fs_status_string((fs_status)unknown_statuses[i]);
        CHECK(nonempty(text));
        CHECK(text != NULL && strcmp(text, "unknown status") == 0);
    }

    const char *const reasons[] = {"none", "converged", "max_iterations", "diverged", "callback", "interrupted"};
    for (int r = FS_STOP_NONE; r <= FS_STOP_INTERRUPTED; r++) {
        const char *text = fs_stop_reason_string((fs_stop_reason)r);
        CHECK(nonempty(text));
        CHECK(text != NULL && strcmp(text, reasons[r]) == 0);
    }
    CHECK(nonempty(fs_stop_reason_string((fs_stop_reason)77)));
    CHECK(nonempty(fs_stop_reason_string((fs_stop_reason)-1)));
}

/* ------------------------------------------------------------------ handles */

static void test_handles(void) {
    /* NULL out pointers. */
    CHECK(fs_problem_create(NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_options_create(NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_result_create(NULL) == FS_ERROR_NULL_POINTER);

    /* NULL handles: every kind of call, outputs untouched. */
    int64_t n1 = -1, i64 = -1;
    int flag = -1;
    double x[4] = {SENTINEL, SENTINEL, SENTINEL, SENTINEL}, real = SENTINEL;
    fs_stop_reason reason = FS_STOP_CALLBACK;
    CHECK(fs_problem_get_shape(NULL, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE && n1 == -1);
    CHECK(fs_problem_has_truth(NULL, &flag) == FS_ERROR_INVALID_HANDLE && flag == -1);
    CHECK(fs_problem_copy_measurements(NULL, x, 4) == FS_ERROR_INVALID_HANDLE && all_equal(x, 4, SENTINEL));
    CHECK(fs_problem_generate_gaussian(NULL, 4, 3, 1, 10, 1, 1, 0, 0) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_problem_set_dense(NULL, 1, 1, 1, x, 1, x, 1, NULL, 0) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_int(NULL, "width", 3) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_get_real(NULL, "step", &real) == FS_ERROR_INVALID_HANDLE && real == SENTINEL);
    CHECK(fs_options_set_progress(NULL, NULL, NULL) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_initial_factors(NULL, 1, 1, 1, x, 1, x, 1) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_result_get_stop_reason(NULL, &reason) == FS_ERROR_INVALID_HANDLE && reason == FS_STOP_CALLBACK);
    CHECK(fs_result_get_iterations(NULL, &i64) == FS_ERROR_INVALID_HANDLE && i64 == -1);
    CHECK(fs_result_copy_factors(NULL, x, 2, x + 2, 2) == FS_ERROR_INVALID_HANDLE && all_equal(x, 4, SENTINEL));
    CHECK(fs_result_get_history_length(NULL, &i64) == FS_ERROR_INVALID_HANDLE && i64 == -1);
    CHECK(fs_gradient_descent(NULL, NULL, NULL) == FS_ERROR_INVALID_HANDLE);
    CHECK(nonempty(fs_last_error(NULL)));

    /* Handles of another kind. */
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK && problem != NULL);
    CHECK(fs_options_create(&options) == FS_OK && options != NULL);
    CHECK(fs_result_create(&result) == FS_OK && result != NULL);
    CHECK(strcmp(fs_last_error(problem), "") == 0);
    CHECK(fs_problem_get_shape((fs_problem *)(void *)options, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE && n1 == -1);
    CHECK(fs_problem_generate_gaussian((fs_problem *)(void *)result, 4, 3, 1, 10, 1, 1, 0, 0) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_int((fs_options *)(void *)problem, "width", 3) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_result_get_stop_reason((fs_result *)(void *)options, &reason) == FS_ERROR_INVALID_HANDLE);
    /* fs_gradient_descent with a live result: the bad problem / options handle is reported on it. */
    CHECK(fs_options_set_int(options, "width", 1) == FS_OK);
    CHECK(fs_problem_generate_gaussian(problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    REFUSES(fs_gradient_descent((fs_problem *)(void *)options, options, result), FS_ERROR_INVALID_HANDLE, result);
    REFUSES(fs_gradient_descent(problem, (fs_options *)(void *)problem, result), FS_ERROR_INVALID_HANDLE, result);
    REFUSES(fs_gradient_descent(NULL, options, result), FS_ERROR_INVALID_HANDLE, result);
    REFUSES(fs_gradient_descent(problem, NULL, result), FS_ERROR_INVALID_HANDLE, result);
    REFUSES(fs_gradient_descent(problem, options, (fs_result *)(void *)problem), FS_ERROR_INVALID_HANDLE, NULL);
    /* A free of the wrong kind is ignored (the handle is checked on every call). */
    fs_problem_free((fs_problem *)(void *)options);
    fs_options_free((fs_options *)(void *)result);
    fs_result_free((fs_result *)(void *)problem);
    CHECK(fs_options_set_int(options, "width", 3) == FS_OK);
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_OK);
    CHECK(fs_problem_get_shape(problem, &n1, NULL, NULL) == FS_OK && n1 == 4);

    /* Freed handles are detected, and stay detected after new handles are created. */
    fs_problem_free(problem);
    fs_options_free(options);
    fs_result_free(result);
    fs_problem *fresh_problem = NULL;
    fs_options *fresh_options = NULL;
    fs_result *fresh_result = NULL;
    CHECK(fs_problem_create(&fresh_problem) == FS_OK);
    CHECK(fs_options_create(&fresh_options) == FS_OK);
    CHECK(fs_result_create(&fresh_result) == FS_OK);
    n1 = -1;
    reason = FS_STOP_CALLBACK;
    real = SENTINEL;
    CHECK(fs_problem_get_shape(problem, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE && n1 == -1);
    CHECK(fs_problem_generate_gaussian(problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_int(options, "width", 3) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_get_real(options, "step", &real) == FS_ERROR_INVALID_HANDLE && real == SENTINEL);
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_ERROR_INVALID_HANDLE && reason == FS_STOP_CALLBACK);
    CHECK(fs_gradient_descent(problem, options, result) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_int(fresh_options, "width", 1) == FS_OK);
    CHECK(fs_problem_generate_gaussian(fresh_problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    REFUSES(fs_gradient_descent(problem, fresh_options, fresh_result), FS_ERROR_INVALID_HANDLE, fresh_result);
    REFUSES(fs_gradient_descent(fresh_problem, options, fresh_result), FS_ERROR_INVALID_HANDLE, fresh_result);
    CHECK(nonempty(fs_last_error(problem)));
    CHECK(nonempty(fs_last_error(options)));
    CHECK(nonempty(fs_last_error(result)));

    /* Double frees and NULL frees are harmless. */
    fs_problem_free(problem);
    fs_options_free(options);
    fs_result_free(result);
    fs_problem_free(NULL);
    fs_options_free(NULL);
    fs_result_free(NULL);
    /* ... and did not touch the live handles. */
    CHECK(fs_problem_get_shape(fresh_problem, &n1, NULL, NULL) == FS_OK && n1 == 4);
    EXPECT_OK(fs_gradient_descent(fresh_problem, fresh_options, fresh_result), fresh_result);
    fs_problem_free(fresh_problem);
    fs_options_free(fresh_options);
    fs_result_free(fresh_result);
}

/* ------------------------------------------------------------------ wrong state */

static void test_wrong_state(void) {
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK && fs_options_create(&options) == FS_OK && fs_result_create(&result) == FS_OK);
    double y[12];
    fill(y, 12, SENTINEL);

    /* An empty problem. */
    int64_t n1 = -1;
    REFUSES(fs_problem_get_shape(problem, &n1, NULL, NULL), FS_ERROR_WRONG_STATE, problem);
    CHECK(n1 == -1);
    REFUSES(fs_problem_copy_measurements(problem, y, 4), FS_ERROR_WRONG_STATE, problem);
    REFUSES(fs_problem_copy_operator(problem, y, 4), FS_ERROR_WRONG_STATE, problem);
    CHECK(all_equal(y, 12, SENTINEL));

    /* A fresh result. */
    fs_stop_reason reason = FS_STOP_CONVERGED;
    EXPECT_OK(fs_result_get_stop_reason(result, &reason), result);
    CHECK(reason == FS_STOP_NONE);
    REFUSES(fs_result_copy_factors(result, y, 4, y + 4, 4), FS_ERROR_WRONG_STATE, result);
    CHECK(all_equal(y, 12, SENTINEL));

    /* Gradient descent on an empty problem: an error reported on the result, which stays empty. */
    CHECK(fs_options_set_int(options, "width", 2) == FS_OK);
    REFUSES(fs_gradient_descent(problem, options, result), FS_ERROR_WRONG_STATE, result);
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_OK && reason == FS_STOP_NONE);

    /* Truth: a generated problem has one, a dense one without truth has none. */
    int has_truth = -1;
    CHECK(fs_problem_generate_gaussian(problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    CHECK(fs_problem_has_truth(problem, &has_truth) == FS_OK && has_truth == 1);
    REFUSES(fs_problem_copy_truth(problem, y, 4), FS_ERROR_SIZE_MISMATCH, problem);
    CHECK(all_equal(y, 12, SENTINEL));
    EXPECT_OK(fs_problem_copy_truth(problem, y, 12), problem);
    CHECK(strcmp(fs_last_error(problem), "") == 0); /* "" after a successful call */
    double A[10 * 12] = {0}, b[10] = {0};
    A[0] = 1;
    CHECK(fs_problem_set_dense(problem, 4, 3, 10, A, 120, b, 10, NULL, 0) == FS_OK);
    CHECK(fs_problem_has_truth(problem, &has_truth) == FS_OK && has_truth == 0);
    fill(y, 12, SENTINEL);
    REFUSES(fs_problem_copy_truth(problem, y, 12), FS_ERROR_WRONG_STATE, problem);
    CHECK(all_equal(y, 12, SENTINEL));

    /* A failed run leaves the result as it was. */
    CHECK(fs_problem_generate_gaussian(problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    CHECK(fs_options_set_int(options, "max_iter", 5) == FS_OK);
    EXPECT_OK(fs_gradient_descent(problem, options, result), result);
    int64_t before = -1, after = -1;
    CHECK(fs_result_get_iterations(result, &before) == FS_OK && before == 5);
    fs_problem *empty = NULL;
    CHECK(fs_problem_create(&empty) == FS_OK);
    REFUSES(fs_gradient_descent(empty, options, result), FS_ERROR_WRONG_STATE, result);
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);
    CHECK(fs_result_get_iterations(result, &after) == FS_OK && after == before);
    fs_problem_free(empty);

    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
}

/* ------------------------------------------------------------------ bad arguments */

static void test_bad_problem_arguments(void) {
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 0, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    MENTIONS(p, "rank");
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 4, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    MENTIONS(p, "rank");
    REFUSES(fs_problem_generate_gaussian(p, 0, 3, 1, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    MENTIONS(p, "n1");
    REFUSES(fs_problem_generate_gaussian(p, 4, 0, 1, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, -5, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 0, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, NAN, 1, 0, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, INFINITY, 1, 0, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, INFINITY, 0, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 1, NAN, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 0, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, -1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 0.5, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 1, -1, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, INT64_MAX / 2, INT64_MAX / 2, 1, INT64_MAX / 2, 1, 1, 0, 0), FS_ERROR_OVERFLOW, p);
    /* Each factor fits, n1·n2 fits, m·n1·n2 = 2^64 does not. */
    REFUSES(fs_problem_generate_gaussian(p, INT64_C(1) << 21, INT64_C(1) << 21, 1, INT64_C(1) << 22, 1, 1, 0, 0), FS_ERROR_OVERFLOW, p);

    double A[6 * 6] = {0}, y[6] = {0}, truth[6] = {0};
    for (int i = 0; i < 6; i++) A[i * 6 + i] = 1;
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 35, y, 6, NULL, 0), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 37, y, 6, NULL, 0), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 5, NULL, 0), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, truth, 5), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, NULL, 6, NULL, 0), FS_ERROR_NULL_POINTER, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, NULL, 36, y, 6, NULL, 0), FS_ERROR_NULL_POINTER, p);
    REFUSES(fs_problem_set_dense(p, 0, 2, 6, A, 0, y, 6, NULL, 0), FS_ERROR_INVALID_ARGUMENT, p);
    y[2] = NAN;
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, NULL, 0), FS_ERROR_NOT_FINITE, p);
    MENTIONS(p, "y");
    y[2] = 0;
    A[7] = INFINITY;
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, NULL, 0), FS_ERROR_NOT_FINITE, p);
    A[7] = 0;
    truth[5] = -INFINITY;
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, truth, 6), FS_ERROR_NOT_FINITE, p);
    truth[5] = 0;
    EXPECT_OK(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, truth, 6), p);
    CHECK(strcmp(fs_last_error(p), "") == 0);

    /* Copies with a wrong length fail and leave the caller's buffer untouched. */
    double out[40];
    fill(out, 40, SENTINEL);
    REFUSES(fs_problem_copy_operator(p, out, 35), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_operator(p, out, 37), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_measurements(p, out, 5), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_measurements(p, out, 7), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_truth(p, out, 5), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_truth(p, out, 7), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_copy_measurements(p, NULL, 6), FS_ERROR_NULL_POINTER, p);
    CHECK(all_equal(out, 40, SENTINEL));
    fs_problem_free(p);
}

static void test_bad_options(void) {
    fs_options *o = NULL;
    CHECK(fs_options_create(&o) == FS_OK);

    /* Defaults, as the header lists them. */
    int64_t i = -1;
    double r = SENTINEL;
    CHECK(fs_options_get_int(o, "max_iter", &i) == FS_OK && i == 1000);
    CHECK(fs_options_get_int(o, "record_every", &i) == FS_OK && i == 1);
    CHECK(fs_options_get_int(o, "window", &i) == FS_OK && i == 100);
    CHECK(fs_options_get_int(o, "seed", &i) == FS_OK && i == 0);
    CHECK(fs_options_get_real(o, "init_scale", &r) == FS_OK && r == 1e-3);
    CHECK(fs_options_get_real(o, "step", &r) == FS_OK && r == 0.1);
    CHECK(fs_options_get_real(o, "tol", &r) == FS_OK && r == 0);
    CHECK(fs_options_get_real(o, "loss_tol", &r) == FS_OK && r == 0);
    CHECK(fs_options_get_real(o, "divergence_factor", &r) == FS_OK && r == 1e8);

    /* Names. */
    REFUSES(fs_options_set_int(o, "nope", 1), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "nope", 1), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "width", 3), FS_ERROR_INVALID_ARGUMENT, o); /* an integer option */
    REFUSES(fs_options_set_int(o, "step", 1), FS_ERROR_INVALID_ARGUMENT, o);   /* a real option */
    REFUSES(fs_options_get_int(o, "nope", &i), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_get_real(o, "nope", &r), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_int(o, NULL, 1), FS_ERROR_NULL_POINTER, o);
    REFUSES(fs_options_set_real(o, NULL, 1), FS_ERROR_NULL_POINTER, o);
    REFUSES(fs_options_get_int(o, NULL, &i), FS_ERROR_NULL_POINTER, o);
    REFUSES(fs_options_get_real(o, "step", NULL), FS_ERROR_NULL_POINTER, o);

    /* Values outside their domain; the option keeps its value. */
    REFUSES(fs_options_set_real(o, "step", -1), FS_ERROR_INVALID_ARGUMENT, o);
    MENTIONS(o, "step");
    REFUSES(fs_options_set_real(o, "step", 0), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "step", NAN), FS_ERROR_NOT_FINITE, o);
    REFUSES(fs_options_set_real(o, "step", INFINITY), FS_ERROR_NOT_FINITE, o);
    CHECK(fs_options_get_real(o, "step", &r) == FS_OK && r == 0.1);
    REFUSES(fs_options_set_real(o, "init_scale", 0), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "divergence_factor", 1), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_int(o, "width", 0), FS_ERROR_INVALID_ARGUMENT, o);
    MENTIONS(o, "width");
    REFUSES(fs_options_set_int(o, "record_every", 0), FS_ERROR_INVALID_ARGUMENT, o);
    MENTIONS(o, "record_every");
    REFUSES(fs_options_set_int(o, "max_iter", -1), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_int(o, "window", 0), FS_ERROR_INVALID_ARGUMENT, o);
    CHECK(fs_options_get_int(o, "max_iter", &i) == FS_OK && i == 1000);
    CHECK(fs_options_get_int(o, "record_every", &i) == FS_OK && i == 1);

    /* The values set come back; a successful call clears the message. */
    CHECK(fs_options_set_real(o, "step", 0.25) == FS_OK && strcmp(fs_last_error(o), "") == 0);
    CHECK(fs_options_get_real(o, "step", &r) == FS_OK && r == 0.25);
    CHECK(fs_options_set_real(o, "init_scale", 0.02) == FS_OK && fs_options_get_real(o, "init_scale", &r) == FS_OK && r == 0.02);
    CHECK(fs_options_set_real(o, "tol", 1e-6) == FS_OK && fs_options_get_real(o, "tol", &r) == FS_OK && r == 1e-6);
    CHECK(fs_options_set_real(o, "loss_tol", 1e-9) == FS_OK && fs_options_get_real(o, "loss_tol", &r) == FS_OK && r == 1e-9);
    CHECK(fs_options_set_real(o, "divergence_factor", 1e4) == FS_OK && fs_options_get_real(o, "divergence_factor", &r) == FS_OK && r == 1e4);
    CHECK(fs_options_set_int(o, "width", 5) == FS_OK && fs_options_get_int(o, "width", &i) == FS_OK && i == 5);
    CHECK(fs_options_set_int(o, "max_iter", 0) == FS_OK && fs_options_get_int(o, "max_iter", &i) == FS_OK && i == 0);
    CHECK(fs_options_set_int(o, "max_iter", 77) == FS_OK && fs_options_get_int(o, "max_iter", &i) == FS_OK && i == 77);
    CHECK(fs_options_set_int(o, "record_every", 9) == FS_OK && fs_options_get_int(o, "record_every", &i) == FS_OK && i == 9);
    CHECK(fs_options_set_int(o, "window", 3) == FS_OK && fs_options_get_int(o, "window", &i) == FS_OK && i == 3);
    CHECK(fs_options_set_int(o, "seed", 123) == FS_OK && fs_options_get_int(o, "seed", &i) == FS_OK && i == 123);
    CHECK(fs_options_set_int(o, "seed", -1) == FS_OK && fs_options_get_int(o, "seed", &i) == FS_OK && i == -1);

    /* Initial factors. */
    double U0[3 * 2] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, V0[2 * 2] = {0.1, -0.2, 0.3, -0.4};
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, U0, 5, V0, 4), FS_ERROR_SIZE_MISMATCH, o);
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, U0, 7, V0, 4), FS_ERROR_SIZE_MISMATCH, o);
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, U0, 6, V0, 3), FS_ERROR_SIZE_MISMATCH, o);
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, NULL, 6, V0, 4), FS_ERROR_NULL_POINTER, o);
    U0[1] = NAN;
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, U0, 6, V0, 4), FS_ERROR_NOT_FINITE, o);
    U0[1] = 0.2;
    EXPECT_OK(fs_options_set_initial_factors(o, 3, 2, 2, U0, 6, V0, 4), o);
    CHECK(fs_options_clear_initial_factors(o) == FS_OK);
    fs_options_free(o);
}

static void test_bad_runs(void) {
    fs_problem *p = NULL;
    fs_options *o = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK && fs_result_create(&result) == FS_OK);
    CHECK(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    fs_stop_reason reason = FS_STOP_CALLBACK;

    /* Initial factors whose n1 or n2 differ from the problem's. */
    double U0[4 * 2] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8}, V0[3 * 2] = {0.1, -0.2, 0.3, -0.4, 0.5, -0.6};
    CHECK(fs_options_set_initial_factors(o, 3, 3, 2, U0, 6, V0, 6) == FS_OK);
    REFUSES(fs_gradient_descent(p, o, result), FS_ERROR_SIZE_MISMATCH, result); /* U0 has 3 rows, n1 = 4 */
    CHECK(fs_options_set_initial_factors(o, 4, 2, 2, U0, 8, V0, 4) == FS_OK);
    REFUSES(fs_gradient_descent(p, o, result), FS_ERROR_SIZE_MISMATCH, result); /* V0 has 2 rows, n2 = 3 */
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_OK && reason == FS_STOP_NONE);
    /* The right shapes run, and fix the width. */
    CHECK(fs_options_set_initial_factors(o, 4, 3, 2, U0, 8, V0, 6) == FS_OK);
    CHECK(fs_options_set_int(o, "max_iter", 3) == FS_OK);
    EXPECT_OK(fs_gradient_descent(p, o, result), result);
    int64_t n1 = -1, n2 = -1, width = -1;
    CHECK(fs_result_get_shape(result, &n1, &n2, &width) == FS_OK && n1 == 4 && n2 == 3 && width == 2);

    /* Copies from the result with a wrong length: SIZE_MISMATCH, nothing written. */
    double U[20], V[20], h[20];
    fill(U, 20, SENTINEL);
    fill(V, 20, SENTINEL);
    fill(h, 20, SENTINEL);
    int64_t length = 0;
    CHECK(fs_result_get_history_length(result, &length) == FS_OK && length == 4);
    REFUSES(fs_result_copy_factors(result, U, 7, V, 6), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_factors(result, U, 9, V, 6), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_factors(result, U, 8, V, 5), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_factors(result, U, 8, V, 7), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_history(result, "loss", h, length - 1), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_history(result, "loss", h, length + 1), FS_ERROR_SIZE_MISMATCH, result);
    REFUSES(fs_result_copy_history(result, "colour", h, length), FS_ERROR_INVALID_ARGUMENT, result);
    REFUSES(fs_result_copy_history(result, NULL, h, length), FS_ERROR_NULL_POINTER, result);
    CHECK(all_equal(U, 20, SENTINEL) && all_equal(V, 20, SENTINEL) && all_equal(h, 20, SENTINEL));

    /* Neither a width nor initial factors (the core documents INVALID_ARGUMENT). */
    fs_options *fresh = NULL;
    CHECK(fs_options_create(&fresh) == FS_OK);
    REFUSES(fs_gradient_descent(p, fresh, result), FS_ERROR_INVALID_ARGUMENT, result);
    MENTIONS(result, "width");
    CHECK(fs_options_set_int(o, "width", 2) == FS_OK && fs_options_clear_initial_factors(o) == FS_OK);
    EXPECT_OK(fs_gradient_descent(p, o, result), result);
    fs_options_free(fresh);
    fs_result_free(result);
    fs_options_free(o);
    fs_problem_free(p);
}

/* ------------------------------------------------------------------ one step by hand */

static int copy_column(fs_result *r, const char *name, double *out, int64_t length) {
    return fs_result_copy_history(r, name, out, length) == FS_OK;
}

/* One step on the identity dense operator, against the update computed here. */
static void test_one_step_by_hand(void) {
    enum { N1 = 3, N2 = 2, M = 6, K = 2 };
    double A[M * M] = {0}, truth[M] = {1, -2, 0.5, 3, 0, 1}, y[M];
    for (int i = 0; i < M; i++) {
        A[i * M + i] = 1;
        y[i] = truth[i];
    }
    const double U0[N1 * K] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6};
    const double V0[N2 * K] = {0.7, -0.1, 0.2, 0.3};
    const double eta = 0.1;
    fs_problem *p = NULL;
    fs_options *o = NULL;
    fs_result *r = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);
    EXPECT_OK(fs_problem_set_dense(p, N1, N2, M, A, M * M, y, M, truth, M), p);
    EXPECT_OK(fs_options_set_initial_factors(o, N1, N2, K, U0, N1 * K, V0, N2 * K), o);
    CHECK(fs_options_set_real(o, "step", eta) == FS_OK && fs_options_set_int(o, "max_iter", 1) == FS_OK);
    EXPECT_OK(fs_gradient_descent(p, o, r), r);

    int64_t n1 = -1, n2 = -1, m = -1;
    CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && n1 == N1 && n2 == N2 && m == M);

    /* ρ = vec(U0 V0ᵀ) − y, G = reshape(ρ) (identity operator), U1 = U0 − η G V0, V1 = V0 − η Gᵀ U0. */
    double G[N1 * N2], loss0 = 0, truth_norm = 0, y_norm = 0, error0 = 0;
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++) {
            double x = 0;
            for (int c = 0; c < K; c++) x += U0[i * K + c] * V0[j * K + c];
            G[i * N2 + j] = x - y[i * N2 + j];
            loss0 += 0.5 * G[i * N2 + j] * G[i * N2 + j];
            error0 += (x - truth[i * N2 + j]) * (x - truth[i * N2 + j]);
            truth_norm += truth[i * N2 + j] * truth[i * N2 + j];
            y_norm += y[i * N2 + j] * y[i * N2 + j];
        }
    double U1[N1 * K], V1[N2 * K], U[N1 * K], V[N2 * K];
    for (int i = 0; i < N1; i++)
        for (int c = 0; c < K; c++) {
            double g = 0;
            for (int j = 0; j < N2; j++) g += G[i * N2 + j] * V0[j * K + c];
            U1[i * K + c] = U0[i * K + c] - eta * g;
        }
    for (int j = 0; j < N2; j++)
        for (int c = 0; c < K; c++) {
            double g = 0;
            for (int i = 0; i < N1; i++) g += G[i * N2 + j] * U0[i * K + c];
            V1[j * K + c] = V0[j * K + c] - eta * g;
        }
    double loss1 = 0;
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++) {
            double x = 0;
            for (int c = 0; c < K; c++) x += U1[i * K + c] * V1[j * K + c];
            loss1 += 0.5 * (x - y[i * N2 + j]) * (x - y[i * N2 + j]);
        }

    fill(U, N1 * K, SENTINEL);
    fill(V, N2 * K, SENTINEL);
    EXPECT_OK(fs_result_copy_factors(r, U, N1 * K, V, N2 * K), r);
    for (int i = 0; i < N1 * K; i++) CHECK(fabs(U[i] - U1[i]) < 1e-14);
    for (int i = 0; i < N2 * K; i++) CHECK(fabs(V[i] - V1[i]) < 1e-14);

    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = -1, width = -1;
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations == 1);
    CHECK(fs_result_get_shape(r, &n1, &n2, &width) == FS_OK && n1 == N1 && n2 == N2 && width == K);

    /* The history: iterates 0 and 1. */
    int64_t length = 0, columns = 0;
    CHECK(fs_result_get_history_length(r, &length) == FS_OK && length == 2);
    CHECK(fs_result_get_history_column_count(r, &columns) == FS_OK && columns >= 5);
    const char *const wanted[] = {"iteration", "time", "loss", "test_error", "residual"};
    for (size_t w = 0; w < sizeof wanted / sizeof wanted[0]; w++) {
        int found = 0;
        for (int64_t c = 0; c < columns; c++) {
            const char *name = NULL;
            if (fs_result_get_history_column_name(r, c, &name) == FS_OK && name != NULL && strcmp(name, wanted[w]) == 0) found = 1;
        }
        CHECK(found);
    }
    const char *name = NULL;
    REFUSES(fs_result_get_history_column_name(r, columns, &name), FS_ERROR_INVALID_ARGUMENT, r);
    REFUSES(fs_result_get_history_column_name(r, -1, &name), FS_ERROR_INVALID_ARGUMENT, r);
    if (length == 2) {
        double h[2] = {SENTINEL, SENTINEL};
        CHECK(copy_column(r, "loss", h, 2) && fabs(h[0] - loss0) < 1e-14 && fabs(h[1] - loss1) < 1e-14);
        CHECK(copy_column(r, "time", h, 2) && h[0] == 0 && fabs(h[1] - eta) < 1e-15);
        CHECK(copy_column(r, "iteration", h, 2) && h[0] == 0 && h[1] == 1);
        CHECK(copy_column(r, "test_error", h, 2) && fabs(h[0] - sqrt(error0 / truth_norm)) < 1e-14);
        CHECK(copy_column(r, "residual", h, 2) && fabs(h[0] - sqrt(2 * loss0 / y_norm)) < 1e-14);
    }

    /* Copies of A, y and X⋆ are what was set, bit for bit. */
    double copy[M * M];
    fill(copy, M * M, SENTINEL);
    CHECK(fs_problem_copy_operator(p, copy, M * M) == FS_OK && memcmp(copy, A, sizeof A) == 0);
    CHECK(fs_problem_copy_measurements(p, copy, M) == FS_OK && memcmp(copy, y, sizeof y) == 0);
    CHECK(fs_problem_copy_truth(p, copy, M) == FS_OK && memcmp(copy, truth, sizeof truth) == 0);
    /* The library copied its inputs: changing ours afterwards changes nothing. */
    A[0] = 5;
    y[0] = 5;
    CHECK(fs_problem_copy_measurements(p, copy, M) == FS_OK && copy[0] == truth[0]);

    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
}

/* ------------------------------------------------------------------ runs on the demo problem */

enum { DEMO_N1 = 40, DEMO_N2 = 30, DEMO_M = 900, DEMO_K = 10 };

/* Runs the demo problem with recover.c's settings and the given step, budget and record interval. */
static fs_status demo(const fs_problem *p, double step, int64_t max_iter, int64_t record_every,
                      fs_progress_callback callback, void *user, fs_result *r) {
    fs_options *o = NULL;
    if (fs_options_create(&o) != FS_OK) return FS_ERROR_INTERNAL;
    fs_status status = FS_OK;
    if (status == FS_OK) status = fs_options_set_int(o, "width", DEMO_K);
    if (status == FS_OK) status = fs_options_set_real(o, "init_scale", 1e-3);
    if (status == FS_OK) status = fs_options_set_real(o, "step", step);
    if (status == FS_OK) status = fs_options_set_int(o, "max_iter", max_iter);
    if (status == FS_OK) status = fs_options_set_int(o, "seed", 1);
    if (status == FS_OK) status = fs_options_set_int(o, "record_every", record_every);
    if (status == FS_OK) status = fs_options_set_progress(o, callback, user);
    if (status != FS_OK) fprintf(stderr, "demo options: %s\n", fs_last_error(o));
    if (status == FS_OK) status = fs_gradient_descent(p, o, r);
    if (status != FS_OK) fprintf(stderr, "demo run: %s: %s\n", fs_status_string(status), fs_last_error(r));
    fs_options_free(o);
    return status;
}

static void test_determinism(void) {
    const size_t a_len = (size_t)DEMO_M * DEMO_N1 * DEMO_N2;
    fs_problem *p = NULL, *q = NULL;
    fs_result *r = NULL, *s = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_problem_create(&q) == FS_OK);
    CHECK(fs_result_create(&r) == FS_OK && fs_result_create(&s) == FS_OK);
    EXPECT_OK(fs_problem_generate_gaussian(p, DEMO_N1, DEMO_N2, 3, DEMO_M, 1, 1, 0, 0), p);
    EXPECT_OK(fs_problem_generate_gaussian(q, DEMO_N1, DEMO_N2, 3, DEMO_M, 1, 1, 0, 0), q);

    double *a = allocate(a_len), *b = allocate(a_len);
    double ya[DEMO_M], yb[DEMO_M];
    CHECK(fs_problem_copy_operator(p, a, (int64_t)a_len) == FS_OK && fs_problem_copy_operator(q, b, (int64_t)a_len) == FS_OK);
    CHECK(memcmp(a, b, a_len * sizeof *a) == 0);
    CHECK(fs_problem_copy_measurements(p, ya, DEMO_M) == FS_OK && fs_problem_copy_measurements(q, yb, DEMO_M) == FS_OK);
    CHECK(memcmp(ya, yb, sizeof ya) == 0);
    CHECK(all_finite(a, a_len) && all_finite(ya, DEMO_M));

    /* A different seed, different bits. */
    EXPECT_OK(fs_problem_generate_gaussian(q, DEMO_N1, DEMO_N2, 3, DEMO_M, 1, 1, 0, 1), q);
    CHECK(fs_problem_copy_operator(q, b, (int64_t)a_len) == FS_OK && memcmp(a, b, a_len * sizeof *a) != 0);
    CHECK(fs_problem_copy_measurements(q, yb, DEMO_M) == FS_OK && memcmp(ya, yb, sizeof ya) != 0);
    free(a);
    free(b);

    /* Same options seed, same factors bit for bit. */
    static double U1[DEMO_N1 * DEMO_K], V1[DEMO_N2 * DEMO_K], U2[DEMO_N1 * DEMO_K], V2[DEMO_N2 * DEMO_K];
    CHECK(demo(p, 0.5, 40, 10, NULL, NULL, r) == FS_OK && demo(p, 0.5, 40, 10, NULL, NULL, s) == FS_OK);
    CHECK(fs_result_copy_factors(r, U1, DEMO_N1 * DEMO_K, V1, DEMO_N2 * DEMO_K) == FS_OK);
    CHECK(fs_result_copy_factors(s, U2, DEMO_N1 * DEMO_K, V2, DEMO_N2 * DEMO_K) == FS_OK);
    CHECK(memcmp(U1, U2, sizeof U1) == 0 && memcmp(V1, V2, sizeof V1) == 0);

    fs_result_free(r);
    fs_result_free(s);
    fs_problem_free(p);
    fs_problem_free(q);
}

typedef struct {
    unsigned magic;
    int calls;
    int wrong_user;
    int bad_progress;
    int64_t last;
} watch;

static watch *expected_watch = NULL;

static int stop_at_ten(void *user, const fs_progress *progress) {
    watch *w = user;
    if (w != expected_watch || w == NULL || w->magic != 0xFAC70u) {
        if (expected_watch != NULL) expected_watch->wrong_user = 1;
        return 1;
    }
    w->calls++;
    if (progress == NULL || progress->struct_size != sizeof(fs_progress) || progress->max_iterations != 1000 ||
        !isfinite(progress->loss) || !isfinite(progress->test_error)) {
        w->bad_progress = 1;
        return 1;
    }
    w->last = progress->iteration;
    return progress->iteration >= 10;
}

static int never_called(void *user, const fs_progress *progress) {
    (void)progress;
    ((watch *)user)->calls++;
    return 1;
}

/* Asks to stop only at the final iterate, where the header says the return value is ignored. */
static int stop_at_final(void *user, const fs_progress *progress) {
    watch *w = user;
    w->calls++;
    w->last = progress->iteration;
    return progress->iteration >= progress->max_iterations;
}

static void test_callback_divergence_recovery(int64_t recovery_iterations) {
    fs_problem *p = NULL;
    fs_result *r = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_result_create(&r) == FS_OK);
    EXPECT_OK(fs_problem_generate_gaussian(p, DEMO_N1, DEMO_N2, 3, DEMO_M, 1.0, 1.0, 0.0, 0), p);
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = -1, length = 0;

    /* The callback stops the run at iteration ≥ 10; the user pointer comes back. */
    watch w = {0xFAC70u, 0, 0, 0, -1};
    expected_watch = &w;
    CHECK(demo(p, 0.5, 1000, 5, stop_at_ten, &w, r) == FS_OK);
    expected_watch = NULL;
    CHECK(w.wrong_user == 0 && w.bad_progress == 0);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_CALLBACK);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations >= 10 && iterations < 1000);
    CHECK(w.calls >= 3 && w.last == iterations); /* recorded at 0, 5, 10 */
    /* The last iterate is recorded. */
    CHECK(fs_result_get_history_length(r, &length) == FS_OK && length >= 1);
    if (length >= 1) {
        double *t = allocate((size_t)length);
        CHECK(copy_column(r, "iteration", t, length) && t[length - 1] == (double)iterations);
        free(t);
    }

    /* With the callback removed nothing is called. */
    {
        fs_options *o = NULL;
        watch v = {0xFAC70u, 0, 0, 0, -1};
        CHECK(fs_options_create(&o) == FS_OK);
        CHECK(fs_options_set_int(o, "width", 2) == FS_OK && fs_options_set_int(o, "max_iter", 3) == FS_OK);
        CHECK(fs_options_set_progress(o, never_called, &v) == FS_OK);
        CHECK(fs_options_set_progress(o, NULL, NULL) == FS_OK);
        EXPECT_OK(fs_gradient_descent(p, o, r), r);
        CHECK(v.calls == 0);
        CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);
        fs_options_free(o);
    }

    /* The callback sees the final iterate too; stopping there leaves the run's own reason. */
    {
        fs_options *o = NULL;
        watch v = {0xFAC70u, 0, 0, 0, -1};
        CHECK(fs_options_create(&o) == FS_OK);
        CHECK(fs_options_set_int(o, "width", 2) == FS_OK && fs_options_set_int(o, "max_iter", 7) == FS_OK);
        CHECK(fs_options_set_int(o, "record_every", 5) == FS_OK);
        CHECK(fs_options_set_progress(o, stop_at_final, &v) == FS_OK);
        EXPECT_OK(fs_gradient_descent(p, o, r), r);
        CHECK(v.calls >= 3 && v.last == 7); /* 0, 5 and the final 7 */
        CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);
        CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations == 7);
        fs_options_free(o);
    }

    /* Too large a step diverges and keeps finite factors. */
    static double U[DEMO_N1 * DEMO_K], V[DEMO_N2 * DEMO_K];
    CHECK(demo(p, 100, 1000, 1, NULL, NULL, r) == FS_OK);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_DIVERGED);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations < 1000);
    CHECK(fs_result_copy_factors(r, U, DEMO_N1 * DEMO_K, V, DEMO_N2 * DEMO_K) == FS_OK);
    CHECK(all_finite(U, DEMO_N1 * DEMO_K) && all_finite(V, DEMO_N2 * DEMO_K));

    /*
     * Recovery with recover.c's settings: 3000 iterations recorded every 100 (the memory checks
     * pass a smaller budget; the test error is ≈ 2e-3 from t = 200 on). Iterates 0, 100, 200, …
     * and the last one are recorded.
     */
    CHECK(demo(p, 0.5, recovery_iterations, 100, NULL, NULL, r) == FS_OK);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations == recovery_iterations);
    CHECK(fs_result_get_history_length(r, &length) == FS_OK &&
          length == recovery_iterations / 100 + 1 + (recovery_iterations % 100 != 0));
    if (length >= 1) {
        double *error = allocate((size_t)length);
        CHECK(copy_column(r, "test_error", error, length) && error[length - 1] < 1e-2);
        fprintf(stderr, "recovery: test error %.3e after %lld iterations\n", error[length - 1], (long long)iterations);
        free(error);
    }
    fs_result_free(r);
    fs_problem_free(p);
}

/* ------------------------------------------------------------------ fs_interrupt */

typedef struct {
    fs_result *result;
    int64_t interrupt_at; /* call fs_interrupt(result) at this iteration */
    int reentrant_status; /* what a call on the run's own result returned from the callback */
    int interrupt_status;
} interrupter;

static int interrupt_at(void *user, const fs_progress *progress) {
    interrupter *w = user;
    if (progress->iteration == w->interrupt_at) {
        int64_t iterations = -1;
        w->reentrant_status = fs_result_get_iterations(w->result, &iterations); /* held by the run */
        w->interrupt_status = fs_interrupt(w->result);
    }
    return 0;
}

static void test_interrupt(void) {
    fs_problem *p = NULL;
    fs_options *o = NULL;
    fs_result *r = NULL, *dead = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);

    /* Only live problem and result handles; fs_last_error is left alone. */
    CHECK(fs_interrupt(NULL) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_interrupt((void *)(uintptr_t)0xdead0) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_interrupt(o) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_result_create(&dead) == FS_OK);
    fs_result_free(dead);
    CHECK(fs_interrupt(dead) == FS_ERROR_INVALID_HANDLE);

    /* A problem interrupted before a generation: FS_ERROR_INTERRUPTED, the problem as it was. */
    EXPECT_OK(fs_problem_generate_gaussian(p, 6, 5, 2, 40, 1, 1, 0, 3), p);
    double y_before[40], y_after[40];
    CHECK(fs_problem_copy_measurements(p, y_before, 40) == FS_OK);
    CHECK(fs_interrupt(p) == FS_OK);
    CHECK(fs_interrupt(p) == FS_OK); /* twice is once */
    REFUSES(fs_problem_generate_gaussian(p, 9, 8, 2, 70, 1, 1, 0, 4), FS_ERROR_INTERRUPTED, p);
    MENTIONS(p, "interrupted");
    int64_t n1 = 0, n2 = 0, m = 0;
    CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && n1 == 6 && n2 == 5 && m == 40);
    CHECK(fs_problem_copy_measurements(p, y_after, 40) == FS_OK && memcmp(y_before, y_after, sizeof y_before) == 0);
    /* The request was consumed: the next generation runs. */
    EXPECT_OK(fs_problem_generate_gaussian(p, 6, 5, 2, 40, 1, 1, 0, 3), p);

    /* Every generator and set call sees a pending request. */
    const char *const kinds[] = {"gaussian", "symmetric_gaussian", "identity", "completion", "rank_one"};
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = spec.n2 = 5;
    spec.rank = 1;
    spec.measurements = 12;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        CHECK(fs_interrupt(p) == FS_OK);
        REFUSES(fs_problem_generate(p, kinds[i], &spec), FS_ERROR_INTERRUPTED, p);
        EXPECT_OK(fs_problem_generate(p, kinds[i], &spec), p);
    }
    static double A[3 * 4], yv[3] = {1, 2, 3};
    for (size_t i = 0; i < 12; i++) A[i] = (double)i;
    CHECK(fs_interrupt(p) == FS_OK);
    REFUSES(fs_problem_set_dense(p, 2, 2, 3, A, 12, yv, 3, NULL, 0), FS_ERROR_INTERRUPTED, p);
    EXPECT_OK(fs_problem_set_dense(p, 2, 2, 3, A, 12, yv, 3, NULL, 0), p);
    const int64_t rows[3] = {0, 1, 1}, columns[3] = {0, 0, 1};
    CHECK(fs_interrupt(p) == FS_OK);
    REFUSES(fs_problem_set_entries(p, 2, 2, 3, rows, columns, yv, 3, 1, NULL, 0), FS_ERROR_INTERRUPTED, p);
    EXPECT_OK(fs_problem_set_entries(p, 2, 2, 3, rows, columns, yv, 3, 1, NULL, 0), p);
    /* Other calls neither see nor consume it. */
    CHECK(fs_interrupt(p) == FS_OK);
    CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && fs_problem_set_symmetric(p, 0) == FS_OK);
    REFUSES(fs_problem_generate_gaussian(p, 6, 5, 2, 40, 1, 1, 0, 3), FS_ERROR_INTERRUPTED, p);

    /* A run interrupted from its progress callback at iteration 5 ends there, as "interrupted". */
    EXPECT_OK(fs_problem_generate_gaussian(p, 6, 5, 2, 40, 1, 1, 0, 3), p);
    interrupter w = {r, 5, -1, -1};
    CHECK(fs_options_set_int(o, "width", 3) == FS_OK && fs_options_set_int(o, "max_iter", 1000) == FS_OK);
    CHECK(fs_options_set_int(o, "record_every", 1000) == FS_OK);
    CHECK(fs_options_set_progress(o, interrupt_at, &w) == FS_OK);
    /* The callback comes at recorded iterates and on a 0.1 s clock: record every iterate up to 5. */
    CHECK(fs_options_set_int(o, "record_every", 1) == FS_OK);
    EXPECT_OK(fs_gradient_descent(p, o, r), r);
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = -1, length = -1;
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_INTERRUPTED);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations == 5);
    CHECK(w.interrupt_status == FS_OK && w.reentrant_status == FS_ERROR_WRONG_STATE);
    CHECK(fs_result_get_history_length(r, &length) == FS_OK && length == 6);
    double history[6] = {0}, loss[6] = {0};
    CHECK(copy_column(r, "iteration", history, 6) && history[5] == 5.0);
    CHECK(copy_column(r, "loss", loss, 6) && all_finite(loss, 6) && loss[5] < loss[0]);

    /* A result interrupted before the run: FS_ERROR_INTERRUPTED (no iterate was evaluated), the
     * result as it was; the next run runs. */
    CHECK(fs_options_set_progress(o, NULL, NULL) == FS_OK);
    CHECK(fs_interrupt(r) == FS_OK);
    REFUSES(fs_gradient_descent(p, o, r), FS_ERROR_INTERRUPTED, r);
    MENTIONS(r, "interrupted");
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_INTERRUPTED);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations == 5);
    EXPECT_OK(fs_gradient_descent(p, o, r), r);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_MAX_ITERATIONS);

    /* The spectral initialization sees a pending request too. */
    CHECK(fs_options_set_text(o, "init", "spectral") == FS_OK);
    CHECK(fs_interrupt(r) == FS_OK);
    REFUSES(fs_gradient_descent(p, o, r), FS_ERROR_INTERRUPTED, r);
    MENTIONS(r, "spectral");
    EXPECT_OK(fs_gradient_descent(p, o, r), r);

    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
}

/* ./test_api [iterations]: the iteration budget of the recovery test (default 3000, as recover.c). */
/* The option table: each option once, its type one of three, max_iter's default 1000; an index
 * outside the table is refused. */
static void test_option_table(void) {
    int64_t count = fs_options_count();
    CHECK(count >= 29);
    int found_max_iter = 0;
    for (int64_t i = 0; i < count; i++) {
        const char *name = NULL, *type = NULL, *fallback = NULL, *domain = NULL, *summary = NULL;
        CHECK(fs_options_describe(i, &name, &type, &fallback, &domain, &summary) == FS_OK);
        CHECK(name && type && fallback && domain && summary && summary[0] != '\0');
        CHECK(strcmp(type, "integer") == 0 || strcmp(type, "real") == 0 || strcmp(type, "text") == 0);
        for (int64_t j = 0; j < i; j++) {
            const char *other = NULL;
            CHECK(fs_options_describe(j, &other, NULL, NULL, NULL, NULL) == FS_OK && strcmp(other, name) != 0);
        }
        if (strcmp(name, "max_iter") == 0) found_max_iter = strcmp(fallback, "1000") == 0 && strcmp(type, "integer") == 0;
    }
    CHECK(found_max_iter);
    const char *name = NULL;
    CHECK(fs_options_describe(count, &name, NULL, NULL, NULL, NULL) == FS_ERROR_INVALID_ARGUMENT && name == NULL);
    CHECK(fs_options_describe(-1, &name, NULL, NULL, NULL, NULL) == FS_ERROR_INVALID_ARGUMENT);
}

int main(int argc, char **argv) {
    int64_t recovery_iterations = argc > 1 ? (int64_t)atoll(argv[1]) : 3000;
    if (recovery_iterations < 1) {
        fprintf(stderr, "usage: %s [iterations ≥ 1]\n", argv[0]);
        return 2;
    }
    test_option_table();
    test_versions_and_texts();
    test_handles();
    test_wrong_state();
    test_bad_problem_arguments();
    test_bad_options();
    test_bad_runs();
    test_one_step_by_hand();
    test_determinism();
    test_callback_divergence_recovery(recovery_iterations);
    test_interrupt();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
