/*
 * C tests of fs_gradient_flow: the flow against gradient descent with a small step (first
 * order in η), the perturbation callback given its sizes (zeros = the population flow bit for
 * bit, a nonzero return stops the flow, a non-finite E is an error naming it; the 0.4 callback
 * without sizes is in test_struct_sizes.c), the statistics, and every
 * refusal of the settings. Prints "N passed, M failed" and exits nonzero on any failure. An
 * optional argument (the memory checks' budget) is accepted and ignored.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N1 = 8, N2 = 6, K = 2, M = 120 };

static fs_problem *gaussian_problem(void) {
    fs_problem *problem = NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = 2;
    spec.measurements = M;
    spec.seed = 2;
    if (fs_problem_create(&problem) != FS_OK || fs_problem_generate(problem, "gaussian", &spec) != FS_OK) return NULL;
    return problem;
}

static fs_options *options_with(double scale) {
    fs_options *options = NULL;
    if (fs_options_create(&options) != FS_OK) return NULL;
    fs_options_set_int(options, "width", K);
    fs_options_set_real(options, "init_scale", scale);
    fs_options_set_text(options, "diagnostics", "none");
    return options;
}

/* X = UVᵀ of a result. */
static void product(const fs_result *result, double *X) {
    double U[N1 * K], V[N2 * K];
    fs_result_copy_factors(result, U, N1 * K, V, N2 * K);
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N2; j++) {
            X[i * N2 + j] = 0;
            for (int c = 0; c < K; c++) X[i * N2 + j] += U[i * K + c] * V[j * K + c];
        }
}

static double relative_gap(const double *a, const double *b) {
    double d = 0, n = 0;
    for (int i = 0; i < N1 * N2; i++) {
        d += (a[i] - b[i]) * (a[i] - b[i]);
        n += b[i] * b[i];
    }
    return sqrt(d / n);
}

/* The perturbation callbacks get the sizes: a wrong one stops the flow (stop reason callback). */
static int zeros(void *user, double t, int64_t n1, int64_t n2, int64_t k, const double *U, const double *V, double *E) {
    (void)user; (void)t; (void)U; (void)V;
    if (n1 != N1 || n2 != N2 || k != K) return 1;
    memset(E, 0, sizeof(double) * N1 * N2);
    return 0;
}

static int stop_after(void *user, double t, int64_t n1, int64_t n2, int64_t k, const double *U, const double *V,
                      double *E) {
    (void)U; (void)V; (void)k;
    memset(E, 0, sizeof(double) * (size_t)(n1 * n2));
    return t > *(const double *)user;
}

static int not_finite(void *user, double t, int64_t n1, int64_t n2, int64_t k, const double *U, const double *V,
                      double *E) {
    (void)user; (void)t; (void)U; (void)V; (void)k;
    memset(E, 0, sizeof(double) * (size_t)(n1 * n2));
    E[7] = NAN;
    return 0;
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    fs_problem *problem = gaussian_problem();
    fs_options *options = options_with(0.1);
    fs_result *flow = NULL, *gd = NULL, *other = NULL;
    CHECK(problem != NULL && options != NULL);
    CHECK(fs_result_create(&flow) == FS_OK && fs_result_create(&gd) == FS_OK && fs_result_create(&other) == FS_OK);

    double times[] = {0, 0.5, 1, 1.5, 2};
    fs_flow_settings settings;
    fs_flow_settings_init(&settings, sizeof settings);
    settings.times = times;
    settings.time_count = 5;
    settings.rtol = 1e-11;
    settings.atol = 1e-14;
    CHECK(fs_gradient_flow(problem, options, &settings, flow) == FS_OK);
    fs_stop_reason reason = FS_STOP_NONE;
    CHECK(fs_result_get_stop_reason(flow, &reason) == FS_OK && reason == FS_STOP_END_TIME);
    CHECK(strcmp(fs_stop_reason_string(FS_STOP_END_TIME), "end_time") == 0);
    int64_t length = 0, accepted = 0, rejected = 0, evaluations = 0;
    CHECK(fs_result_get_history_length(flow, &length) == FS_OK && length == 5);
    double recorded[5];
    CHECK(fs_result_copy_history(flow, "time", recorded, 5) == FS_OK && memcmp(recorded, times, sizeof times) == 0);
    CHECK(fs_result_get_flow_statistics(flow, &accepted, &rejected, &evaluations) == FS_OK);
    CHECK(accepted > 0 && evaluations == 6 * (accepted + rejected) + 2);

    /* Gradient descent with step η at iteration 2/η approaches the flow at t = 2, to first order. */
    double Xflow[N1 * N2], Xgd[N1 * N2], gaps[2];
    product(flow, Xflow);
    double steps[2] = {0.01, 0.001};
    for (int s = 0; s < 2; s++) {
        fs_options_set_real(options, "step", steps[s]);
        fs_options_set_int(options, "max_iter", (int64_t)lround(2 / steps[s]));
        fs_options_set_int(options, "record_every", 100000);
        CHECK(fs_gradient_descent(problem, options, gd) == FS_OK);
        product(gd, Xgd);
        gaps[s] = relative_gap(Xgd, Xflow);
    }
    CHECK(gaps[0] > 5 * gaps[1] && gaps[0] < 20 * gaps[1] && gaps[1] < 1e-2);
    CHECK(fs_result_get_flow_statistics(gd, &accepted, &rejected, &evaluations) == FS_ERROR_WRONG_STATE);
    CHECK(fs_result_get_flow_statistics(flow, NULL, &rejected, &evaluations) == FS_ERROR_NULL_POINTER);

    /* E = 0 from a callback is the population flow, bit for bit. */
    settings.perturbation = FS_PERTURBATION_NONE;
    CHECK(fs_gradient_flow(problem, options, &settings, flow) == FS_OK);
    settings.perturbation = FS_PERTURBATION_CALLBACK;
    settings.sized_callback = zeros;
    CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_OK);
    double Xnone[N1 * N2], Xzeros[N1 * N2];
    product(flow, Xnone);
    product(other, Xzeros);
    CHECK(memcmp(Xnone, Xzeros, sizeof Xnone) == 0);

    /* A nonzero return stops the flow; a non-finite E is an error that names the perturbation. */
    double after = 0.7;
    settings.sized_callback = stop_after;
    settings.user = &after;
    CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_OK);
    CHECK(fs_result_get_stop_reason(other, &reason) == FS_OK && reason == FS_STOP_CALLBACK);
    CHECK(fs_result_copy_history(other, "time", recorded, 2) == FS_OK);
    settings.sized_callback = not_finite;
    CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_ERROR_NOT_FINITE);
    CHECK(strstr(fs_last_error(other), "perturbation") != NULL);

    /* The variants of gradient descent the flow has no counterpart of are refused (issue 22). */
    fs_problem *training = NULL, *held = NULL;
    CHECK(fs_problem_create(&training) == FS_OK && fs_problem_create(&held) == FS_OK);
    CHECK(fs_problem_split_holdout(problem, 0.2, 1, training, held) == FS_OK);
    CHECK(fs_options_set_validation(options, held) == FS_OK);
    CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(other), "no validation set") != NULL);
    CHECK(fs_options_clear_validation(options) == FS_OK);
    CHECK(fs_options_set_real(options, "noise_injection", 0.1) == FS_OK);
    CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(other), "the gradient flow has no noise_injection") != NULL);
    CHECK(fs_options_set_real(options, "noise_injection", 0) == FS_OK);
    /* The population flows have no balancing or ridge term: refused there, followed by the operator flow. */
    static const char *const terms[] = {"balancing", "ridge"};
    for (int i = 0; i < 2; i++) {
        CHECK(fs_options_set_real(options, terms[i], 0.5) == FS_OK);
        settings.perturbation = FS_PERTURBATION_NONE;
        CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_ERROR_INVALID_ARGUMENT);
        CHECK(strstr(fs_last_error(other), terms[i]) != NULL && strstr(fs_last_error(other), "population flow") != NULL);
        settings.perturbation = FS_PERTURBATION_OPERATOR;
        CHECK(fs_gradient_flow(problem, options, &settings, other) == FS_OK);
        CHECK(fs_options_set_real(options, terms[i], 0) == FS_OK);
    }
    fs_problem_free(training);
    fs_problem_free(held);

    /* Refusals. */
    fs_flow_settings bad;
    CHECK(fs_gradient_flow(problem, options, NULL, other) == FS_ERROR_NULL_POINTER);
    fs_flow_settings_init(&bad, sizeof bad);
    bad.times = times;
    bad.time_count = 5;
    bad.struct_size = 8;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    fs_flow_settings_init(&bad, sizeof bad);
    bad.time_count = 5;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_NULL_POINTER);
    bad.times = times;
    bad.time_count = 0;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    double decreasing[] = {0, 2, 1};
    bad.times = decreasing;
    bad.time_count = 3;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(other), "increase") != NULL);
    bad.times = times;
    bad.time_count = 5;
    bad.rtol = 0;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    bad.rtol = NAN;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_NOT_FINITE);
    const double atol = bad.atol;
    bad.rtol = bad.atol = 1e-300;  /* below double precision: refused, not "diverged" */
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(other), "rtol must be") != NULL);
    bad.atol = atol;
    bad.rtol = 1e-8;
    bad.perturbation = 7;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    bad.perturbation = FS_PERTURBATION_CALLBACK;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_NULL_POINTER);
    bad.perturbation = FS_PERTURBATION_OPERATOR;
    bad.method = 9;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    bad.method = FS_FLOW_METHOD_DOP853;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_OK);
    CHECK(fs_result_get_flow_statistics(other, &accepted, &rejected, &evaluations) == FS_OK && evaluations > 12);
    bad.max_evaluations = 0;
    CHECK(fs_gradient_flow(problem, options, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    /* The population flow needs a truth. */
    fs_problem *no_truth = NULL;
    double A[6 * 6] = {0}, y[6] = {1, 1, 1, 1, 1, 1};
    for (int i = 0; i < 6; i++) A[i * 6 + i] = 1;
    CHECK(fs_problem_create(&no_truth) == FS_OK && fs_problem_set_dense(no_truth, 3, 2, 6, A, 36, y, 6, NULL, 0) == FS_OK);
    fs_flow_settings_init(&bad, sizeof bad);
    bad.times = times;
    bad.time_count = 5;
    bad.perturbation = FS_PERTURBATION_NONE;
    fs_options *narrow = options_with(0.1);
    fs_options_set_int(narrow, "width", 1);
    CHECK(fs_gradient_flow(no_truth, narrow, &bad, other) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(other), "truth") != NULL);
    bad.perturbation = FS_PERTURBATION_OPERATOR;
    CHECK(fs_gradient_flow(no_truth, narrow, &bad, other) == FS_OK);

    fs_options_free(narrow);
    fs_problem_free(no_truth);
    fs_result_free(other);
    fs_result_free(gd);
    fs_result_free(flow);
    fs_options_free(options);
    fs_problem_free(problem);
    return finish();
}
