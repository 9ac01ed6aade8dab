/*
 * C tests of the core API: versions and texts, handle checks (NULL, freed, wrong kind), wrong
 * state, bad arguments and their messages, one step against a hand computation, determinism,
 * the progress callback, divergence and recovery. Prints "N passed, M failed".
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"

static int passed = 0, failed = 0;

#define CHECK(condition)                                                              \
    do {                                                                              \
        if (condition) {                                                              \
            passed++;                                                                 \
        } else {                                                                      \
            failed++;                                                                 \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #condition);  \
        }                                                                             \
    } while (0)

/* A call that must fail with `expected` and leave a message on `handle`. */
#define REFUSES(call, expected, handle) CHECK((call) == (expected) && strlen(fs_last_error(handle)) > 0)

static void test_versions_and_texts(void) {
    CHECK(fs_version_number() == FS_VERSION_NUMBER);
    CHECK(strcmp(fs_version_string(), "0.1.0") == 0);
    for (int s = 0; s <= 11; s++) CHECK(fs_status_string((fs_status)s) != NULL && strlen(fs_status_string((fs_status)s)) > 0);
    CHECK(strcmp(fs_status_string((fs_status)999), "unknown status") == 0);
    CHECK(strcmp(fs_stop_reason_string(FS_STOP_CONVERGED), "converged") == 0);
    CHECK(strcmp(fs_stop_reason_string(FS_STOP_MAX_ITERATIONS), "max_iterations") == 0);
    CHECK(strlen(fs_stop_reason_string((fs_stop_reason)77)) > 0);
}

static void test_handles(void) {
    CHECK(fs_problem_create(NULL) == FS_ERROR_NULL_POINTER);
    int64_t n1 = -1;
    CHECK(fs_problem_get_shape(NULL, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE && n1 == -1);
    CHECK(strlen(fs_last_error(NULL)) > 0);

    fs_problem *problem = NULL;
    fs_options *options = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK && problem != NULL);
    CHECK(fs_options_create(&options) == FS_OK);
    /* An options handle where a problem is expected, and the reverse. */
    CHECK(fs_problem_get_shape((fs_problem *)(void *)options, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_int((fs_options *)(void *)problem, "width", 3) == FS_ERROR_INVALID_HANDLE);
    fs_problem_free((fs_problem *)(void *)options); /* the wrong kind: ignored */
    CHECK(fs_options_set_int(options, "width", 3) == FS_OK);

    fs_problem_free(problem);
    CHECK(fs_problem_get_shape(problem, &n1, NULL, NULL) == FS_ERROR_INVALID_HANDLE);
    CHECK(strlen(fs_last_error(problem)) > 0);
    fs_problem_free(problem); /* a second free is harmless */
    fs_problem_free(NULL);
    fs_options_free(options);
    fs_options_free(NULL);
    fs_result_free(NULL);
}

static void test_wrong_state(void) {
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK && fs_options_create(&options) == FS_OK && fs_result_create(&result) == FS_OK);
    double y[4] = {0};
    REFUSES(fs_problem_get_shape(problem, NULL, NULL, NULL), FS_ERROR_WRONG_STATE, problem);
    REFUSES(fs_problem_copy_measurements(problem, y, 4), FS_ERROR_WRONG_STATE, problem);
    fs_stop_reason reason = FS_STOP_CONVERGED;
    CHECK(fs_result_get_stop_reason(result, &reason) == FS_OK && reason == FS_STOP_NONE);
    REFUSES(fs_result_copy_factors(result, y, 4, y, 4), FS_ERROR_WRONG_STATE, result);
    CHECK(fs_options_set_int(options, "width", 2) == FS_OK);
    REFUSES(fs_gradient_descent(problem, options, result), FS_ERROR_WRONG_STATE, result);
    REFUSES(fs_gradient_descent(NULL, options, result), FS_ERROR_INVALID_ARGUMENT, result);
    CHECK(fs_problem_generate_gaussian(problem, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    REFUSES(fs_problem_copy_truth(problem, y, 4), FS_ERROR_SIZE_MISMATCH, problem);
    double A[10 * 12] = {0}, b[10] = {0};
    CHECK(fs_problem_set_dense(problem, 4, 3, 10, A, 120, b, 10, NULL, 0) == FS_OK);
    REFUSES(fs_problem_copy_truth(problem, y, 4), FS_ERROR_WRONG_STATE, problem);
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
}

static void test_bad_arguments(void) {
    fs_problem *p = NULL;
    fs_options *o = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 0, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 4, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 0, 3, 1, 10, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, -5, 1, 1, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, NAN, 1, 0, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, INFINITY, 0, 0), FS_ERROR_NOT_FINITE, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 0.5, 0, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 1, -1, 0), FS_ERROR_INVALID_ARGUMENT, p);
    REFUSES(fs_problem_generate_gaussian(p, INT64_MAX / 2, INT64_MAX / 2, 1, INT64_MAX / 2, 1, 1, 0, 0), FS_ERROR_OVERFLOW, p);
    CHECK(strstr(fs_last_error(p), "n1") != NULL || strstr(fs_last_error(p), "m ·") != NULL);

    double A[6 * 6] = {0}, y[6] = {0}, truth[6] = {0};
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 35, y, 6, NULL, 0), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 5, NULL, 0), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, truth, 5), FS_ERROR_SIZE_MISMATCH, p);
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, NULL, 6, NULL, 0), FS_ERROR_NULL_POINTER, p);
    y[2] = NAN;
    REFUSES(fs_problem_set_dense(p, 3, 2, 6, A, 36, y, 6, NULL, 0), FS_ERROR_NOT_FINITE, p);
    CHECK(strstr(fs_last_error(p), "index 2") != NULL);

    REFUSES(fs_options_set_int(o, "nope", 1), FS_ERROR_INVALID_ARGUMENT, o);
    CHECK(strstr(fs_last_error(o), "max_iter") != NULL); /* the message lists the valid names */
    REFUSES(fs_options_set_int(o, NULL, 1), FS_ERROR_NULL_POINTER, o);
    REFUSES(fs_options_set_real(o, "step", -1), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "step", 0), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_real(o, "step", NAN), FS_ERROR_NOT_FINITE, o);
    REFUSES(fs_options_set_int(o, "width", 0), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_int(o, "record_every", 0), FS_ERROR_INVALID_ARGUMENT, o);
    REFUSES(fs_options_set_int(o, "max_iter", -1), FS_ERROR_INVALID_ARGUMENT, o);
    CHECK(fs_options_set_real(o, "step", 0.25) == FS_OK && strlen(fs_last_error(o)) == 0);

    /* Defaults, as the header lists them. */
    int64_t i = 0;
    double r = 0;
    CHECK(fs_options_get_int(o, "max_iter", &i) == FS_OK && i == 1000);
    CHECK(fs_options_get_int(o, "record_every", &i) == FS_OK && i == 1);
    CHECK(fs_options_get_int(o, "window", &i) == FS_OK && i == 100);
    CHECK(fs_options_get_real(o, "init_scale", &r) == FS_OK && r == 1e-3);
    CHECK(fs_options_get_real(o, "step", &r) == FS_OK && r == 0.25);
    CHECK(fs_options_get_real(o, "tol", &r) == FS_OK && r == 0);
    CHECK(fs_options_get_real(o, "divergence_factor", &r) == FS_OK && r == 1e8);

    double U0[3 * 2] = {0}, V0[2 * 2] = {0};
    REFUSES(fs_options_set_initial_factors(o, 3, 2, 2, U0, 5, V0, 4), FS_ERROR_SIZE_MISMATCH, o);
    CHECK(fs_options_set_initial_factors(o, 3, 2, 2, U0, 6, V0, 4) == FS_OK);
    fs_result *result = NULL;
    CHECK(fs_result_create(&result) == FS_OK);
    CHECK(fs_problem_generate_gaussian(p, 4, 3, 1, 10, 1, 1, 0, 0) == FS_OK);
    REFUSES(fs_gradient_descent(p, o, result), FS_ERROR_SIZE_MISMATCH, result); /* U0 has 3 rows, n1 = 4 */
    CHECK(fs_options_clear_initial_factors(o) == FS_OK);
    fs_options *fresh = NULL;
    CHECK(fs_options_create(&fresh) == FS_OK);
    REFUSES(fs_gradient_descent(p, fresh, result), FS_ERROR_INVALID_ARGUMENT, result); /* no width */
    fs_options_free(fresh);
    fs_result_free(result);
    fs_options_free(o);
    fs_problem_free(p);
}

/* One step on the identity-like dense operator, against the update computed here. */
static void test_one_step_by_hand(void) {
    enum { N1 = 3, N2 = 2, M = 6, K = 2 };
    double A[M * M] = {0}, truth[M] = {1, -2, 0.5, 3, 0, 1}, y[M];
    for (int i = 0; i < M; i++) A[i * M + i] = 1, y[i] = truth[i];
    const double U0[N1 * K] = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, V0[N2 * K] = {0.7, -0.1, 0.2, 0.3}, eta = 0.1;
    fs_problem *p = NULL;
    fs_options *o = NULL;
    fs_result *r = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);
    CHECK(fs_problem_set_dense(p, N1, N2, M, A, M * M, y, M, truth, M) == FS_OK);
    CHECK(fs_options_set_initial_factors(o, N1, N2, K, U0, N1 * K, V0, N2 * K) == FS_OK);
    CHECK(fs_options_set_real(o, "step", eta) == FS_OK && fs_options_set_int(o, "max_iter", 1) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);

    double G[N1 * N2], loss = 0;
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++) {
            double x = 0;
            for (int c = 0; c < K; c++) x += U0[i * K + c] * V0[j * K + c];
            G[i * N2 + j] = x - y[i * N2 + j];
            loss += 0.5 * G[i * N2 + j] * G[i * N2 + j];
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
    CHECK(fs_result_copy_factors(r, U, N1 * K, V, N2 * K) == FS_OK);
    for (int i = 0; i < N1 * K; i++) CHECK(fabs(U[i] - U1[i]) < 1e-14);
    for (int i = 0; i < N2 * K; i++) CHECK(fabs(V[i] - V1[i]) < 1e-14);

    int64_t length = 0;
    double history[2], sentinel[2] = {-7, -7};
    CHECK(fs_result_get_history_length(r, &length) == FS_OK && length == 2);
    CHECK(fs_result_copy_history(r, "loss", history, 2) == FS_OK && fabs(history[0] - loss) < 1e-14);
    CHECK(fs_result_copy_history(r, "time", history, 2) == FS_OK && history[0] == 0 && fabs(history[1] - eta) < 1e-15);
    CHECK(fs_result_copy_history(r, "iteration", history, 2) == FS_OK && history[0] == 0 && history[1] == 1);
    CHECK(fs_result_copy_history(r, "loss", sentinel, 1) == FS_ERROR_SIZE_MISMATCH && sentinel[0] == -7);
    CHECK(fs_result_copy_history(r, "colour", sentinel, 2) == FS_ERROR_INVALID_ARGUMENT && sentinel[0] == -7);
    double copy[M * M];
    CHECK(fs_problem_copy_operator(p, copy, M * M) == FS_OK && memcmp(copy, A, sizeof A) == 0);
    CHECK(fs_problem_copy_truth(p, copy, M) == FS_OK && memcmp(copy, truth, sizeof truth) == 0);
    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
}

typedef struct {
    int calls;
    int64_t last;
} watch;

static int stop_at_ten(void *user, const fs_progress *progress) {
    watch *w = user;
    w->calls++;
    w->last = progress->iteration;
    return progress->iteration >= 10;
}

/* Runs the demo problem with the given step and iteration budget. */
static fs_status demo(fs_problem *p, double step, int64_t max_iter, fs_progress_callback callback, void *user,
                      fs_result *r) {
    fs_options *o = NULL;
    if (fs_options_create(&o) != FS_OK) return FS_ERROR_INTERNAL;
    fs_options_set_int(o, "width", 10);
    fs_options_set_int(o, "seed", 1);
    fs_options_set_int(o, "max_iter", max_iter);
    fs_options_set_int(o, "record_every", 10);
    fs_options_set_real(o, "step", step);
    fs_options_set_progress(o, callback, user);
    fs_status status = fs_gradient_descent(p, o, r);
    fs_options_free(o);
    return status;
}

static void test_runs(void) {
    fs_problem *p = NULL, *q = NULL;
    fs_result *r = NULL, *s = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_problem_create(&q) == FS_OK);
    CHECK(fs_result_create(&r) == FS_OK && fs_result_create(&s) == FS_OK);
    CHECK(fs_problem_generate_gaussian(p, 40, 30, 3, 900, 1, 1, 0, 0) == FS_OK);
    CHECK(fs_problem_generate_gaussian(q, 40, 30, 3, 900, 1, 1, 0, 0) == FS_OK);
    static double a[900 * 1200], b[900 * 1200];
    CHECK(fs_problem_copy_operator(p, a, 900 * 1200) == FS_OK && fs_problem_copy_operator(q, b, 900 * 1200) == FS_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(fs_problem_generate_gaussian(q, 40, 30, 3, 900, 1, 1, 0, 1) == FS_OK);
    CHECK(fs_problem_copy_operator(q, b, 900 * 1200) == FS_OK && memcmp(a, b, sizeof a) != 0);

    /* Same seed, same bits. */
    static double U1[400], V1[300], U2[400], V2[300];
    CHECK(demo(p, 0.5, 40, NULL, NULL, r) == FS_OK && demo(p, 0.5, 40, NULL, NULL, s) == FS_OK);
    CHECK(fs_result_copy_factors(r, U1, 400, V1, 300) == FS_OK && fs_result_copy_factors(s, U2, 400, V2, 300) == FS_OK);
    CHECK(memcmp(U1, U2, sizeof U1) == 0 && memcmp(V1, V2, sizeof V1) == 0);

    /* The callback stops the run; the user pointer comes back. */
    watch w = {0, -1};
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = 0;
    CHECK(demo(p, 0.5, 1000, stop_at_ten, &w, r) == FS_OK);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_CALLBACK);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations >= 10 && iterations < 1000);
    CHECK(w.calls >= 2 && w.last == iterations);

    /* Too large a step diverges and keeps finite factors. */
    CHECK(demo(p, 100, 1000, NULL, NULL, r) == FS_OK);
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_DIVERGED);
    CHECK(fs_result_get_iterations(r, &iterations) == FS_OK && iterations < 1000);
    CHECK(fs_result_copy_factors(r, U1, 400, V1, 300) == FS_OK);
    int finite = 1;
    for (int i = 0; i < 400; i++) finite &= isfinite(U1[i]);
    CHECK(finite);

    /* Recovery. */
    int64_t length = 0;
    CHECK(demo(p, 0.5, 3000, NULL, NULL, r) == FS_OK && fs_result_get_history_length(r, &length) == FS_OK);
    double *error = malloc((size_t)length * sizeof *error);
    CHECK(error != NULL && fs_result_copy_history(r, "test_error", error, length) == FS_OK && error[length - 1] < 1e-2);
    free(error);
    fs_result_free(r);
    fs_result_free(s);
    fs_problem_free(p);
    fs_problem_free(q);
}

int main(void) {
    test_versions_and_texts();
    test_handles();
    test_wrong_state();
    test_bad_arguments();
    test_one_step_by_hand();
    test_runs();
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}
