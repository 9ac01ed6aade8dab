/*
 * C tests of issue 15's completion tools: the holdout split reproduced from its documented
 * definition (splitmix64 keys), the validation error recomputed here from the result's factors,
 * patience / restore_best / best iteration, the ridge in the objective, the automatic step's
 * history, and every refusal. Prints "N passed, M failed" and exits nonzero on any failure.
 * An optional argument is accepted (and ignored) for the memory-check runs.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N1 = 12, N2 = 10, K = 4, COUNT = 70 };

static uint64_t splitmix(uint64_t z) {
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

/* The matrix M = L Rᵀ (rank 2) with a little deterministic "noise", and COUNT distinct positions. */
static double entry(int64_t i, int64_t j) {
    double l0 = sin(1.0 + (double)i), l1 = cos(0.5 * (double)i);
    double r0 = cos(2.0 + (double)j), r1 = sin(0.3 * (double)j + 1.0);
    return l0 * r0 + l1 * r1 + 0.05 * sin(7.0 * (double)(i * N2 + j));
}

static void positions(int64_t *rows, int64_t *columns, double *values) {
    for (int64_t i = 0; i < COUNT; i++) {
        int64_t cell = (i * 17) % (N1 * N2);  /* 17 is prime to 120: distinct cells */
        rows[i] = cell / N2;
        columns[i] = cell % N2;
        values[i] = entry(rows[i], columns[i]);
    }
}

static fs_problem *entries_problem(void) {
    int64_t rows[COUNT], columns[COUNT];
    double values[COUNT];
    positions(rows, columns, values);
    fs_problem *problem = NULL;
    fs_problem_create(&problem);
    CHECK(fs_problem_set_entries(problem, N1, N2, COUNT, rows, columns, values, COUNT, 1.0, NULL, 0) == FS_OK);
    return problem;
}

static int64_t measurements_of(const fs_problem *problem) {
    int64_t n1 = 0, n2 = 0, m = 0;
    fs_problem_get_shape(problem, &n1, &n2, &m);
    return m;
}

static void test_holdout_split(void) {
    fs_problem *problem = entries_problem(), *training = NULL, *validation = NULL;
    fs_problem_create(&training);
    fs_problem_create(&validation);
    const double fraction = 0.3;
    const uint64_t seed = 12345;
    CHECK(fs_problem_split_holdout(problem, fraction, seed, training, validation) == FS_OK);
    int64_t held = (int64_t)floor(fraction * COUNT + 0.5);
    CHECK(measurements_of(validation) == held);
    CHECK(measurements_of(training) == COUNT - held);

    /* The documented keys: the held-out measurements are those of the `held` smallest keys. */
    const uint64_t gamma = UINT64_C(0x9E3779B97F4A7C15);
    uint64_t start = splitmix(seed) ^ (8 * gamma), keys[COUNT];
    for (int64_t i = 0; i < COUNT; i++) keys[i] = splitmix(start + (uint64_t)(i + 1) * gamma);
    int isHeld[COUNT];
    for (int64_t i = 0; i < COUNT; i++) {
        int64_t smaller = 0;
        for (int64_t j = 0; j < COUNT; j++) smaller += keys[j] < keys[i] || (keys[j] == keys[i] && j < i);
        isHeld[i] = smaller < held;
    }
    int64_t rows[COUNT], columns[COUNT], vr[COUNT], vc[COUNT], tr[COUNT], tc[COUNT];
    double values[COUNT], vy[COUNT], ty[COUNT];
    positions(rows, columns, values);
    CHECK(fs_problem_copy_entries(validation, vr, vc, held, NULL) == FS_OK);
    CHECK(fs_problem_copy_entries(training, tr, tc, COUNT - held, NULL) == FS_OK);
    CHECK(fs_problem_copy_measurements(validation, vy, held) == FS_OK);
    CHECK(fs_problem_copy_measurements(training, ty, COUNT - held) == FS_OK);
    int64_t v = 0, t = 0, mismatches = 0;
    for (int64_t i = 0; i < COUNT; i++) {
        if (isHeld[i]) {
            mismatches += vr[v] != rows[i] || vc[v] != columns[i] || vy[v] != values[i];
            v++;
        } else {
            mismatches += tr[t] != rows[i] || tc[t] != columns[i] || ty[t] != values[i];
            t++;
        }
    }
    CHECK(mismatches == 0);

    /* Refusals leave the targets as they were. */
    CHECK(fs_problem_split_holdout(problem, 0.0, seed, training, validation) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "(0, 1)") != NULL);
    CHECK(fs_problem_split_holdout(problem, 1.0, seed, training, validation) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_split_holdout(problem, NAN, seed, training, validation) == FS_ERROR_NOT_FINITE);
    CHECK(fs_problem_split_holdout(problem, 1e-4, seed, training, validation) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_split_holdout(problem, 0.5, seed, training, training) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_split_holdout(problem, 0.5, seed, NULL, validation) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_problem_split_holdout(NULL, 0.5, seed, training, validation) == FS_ERROR_INVALID_HANDLE);
    CHECK(measurements_of(validation) == held);
    fs_problem *empty = NULL;
    fs_problem_create(&empty);
    CHECK(fs_problem_split_holdout(empty, 0.5, seed, training, validation) == FS_ERROR_WRONG_STATE);
    /* In place: the problem itself may receive a part. */
    CHECK(fs_problem_split_holdout(problem, 0.5, seed, problem, validation) == FS_OK);
    CHECK(measurements_of(problem) == COUNT / 2);
    fs_problem_free(empty);
    fs_problem_free(problem);
    fs_problem_free(training);
    fs_problem_free(validation);
}

static double column_value(const fs_result *result, const char *name, int64_t row) {
    int64_t length = 0;
    fs_result_get_history_length(result, &length);
    double *values = malloc((size_t)length * sizeof(double));
    double value = NAN;
    if (values && fs_result_copy_history(result, name, values, length) == FS_OK && row < length) value = values[row];
    free(values);
    return value;
}

/* ‖X[val] − y_val‖ / ‖y_val‖ with X = U Vᵀ of the result. */
static double validation_error_of(const fs_result *result, const fs_problem *validation) {
    double U[N1 * K], V[N2 * K], y[COUNT];
    int64_t rows[COUNT], columns[COUNT];
    int64_t m = measurements_of(validation);
    fs_result_copy_factors(result, U, N1 * K, V, N2 * K);
    fs_problem_copy_entries(validation, rows, columns, m, NULL);
    fs_problem_copy_measurements(validation, y, m);
    double residual = 0, norm = 0;
    for (int64_t i = 0; i < m; i++) {
        double x = 0;
        for (int k = 0; k < K; k++) x += U[rows[i] * K + k] * V[columns[i] * K + k];
        residual += (x - y[i]) * (x - y[i]);
        norm += y[i] * y[i];
    }
    return sqrt(residual) / sqrt(norm);
}

static void test_validation_runs(void) {
    fs_problem *problem = entries_problem(), *training = NULL, *validation = NULL;
    fs_problem_create(&training);
    fs_problem_create(&validation);
    CHECK(fs_problem_split_holdout(problem, 0.25, 3, training, validation) == FS_OK);
    fs_options *options = NULL;
    fs_result *result = NULL;
    fs_options_create(&options);
    fs_result_create(&result);
    fs_options_set_int(options, "width", K);
    fs_options_set_int(options, "max_iter", 400);
    fs_options_set_int(options, "record_every", 10);
    fs_options_set_real(options, "step", 0.05);
    fs_options_set_real(options, "init_scale", 0.1);
    fs_options_set_text(options, "diagnostics", "none");

    int64_t best = 0;
    CHECK(fs_result_get_best_iteration(result, &best) == FS_ERROR_WRONG_STATE);
    CHECK(fs_options_set_validation(options, validation) == FS_OK);
    CHECK(fs_gradient_descent(training, options, result) == FS_OK);
    int64_t length = 0, iterations = 0;
    fs_result_get_history_length(result, &length);
    fs_result_get_iterations(result, &iterations);
    /* The last row's validation error is that of the factors held. */
    double last = column_value(result, "validation_error", length - 1);
    CHECK(fabs(last - validation_error_of(result, validation)) <= 1e-12 * last);
    /* The best iteration is the row of least validation error. */
    CHECK(fs_result_get_best_iteration(result, &best) == FS_OK);
    int64_t argmin = 0;
    for (int64_t r = 1; r < length; r++)
        if (column_value(result, "validation_error", r) < column_value(result, "validation_error", argmin)) argmin = r;
    CHECK(best == (int64_t)column_value(result, "iteration", argmin));

    /* restore_best: the factors of that row, the history unchanged. */
    fs_options_set_int(options, "restore_best", 1);
    CHECK(fs_gradient_descent(training, options, result) == FS_OK);
    int64_t restoredBest = -2, restoredLength = 0;
    fs_result_get_best_iteration(result, &restoredBest);
    fs_result_get_history_length(result, &restoredLength);
    CHECK(restoredBest == best && restoredLength == length);
    double bestValue = column_value(result, "validation_error", argmin);
    CHECK(fabs(validation_error_of(result, validation) - bestValue) <= 1e-12 * bestValue);

    /* patience 1 stops at the first recorded row that does not improve. */
    fs_options_set_int(options, "patience", 1);
    fs_options_set_int(options, "max_iter", 100000);
    fs_options_set_real(options, "step", 0.2);
    CHECK(fs_gradient_descent(training, options, result) == FS_OK);
    fs_stop_reason reason = FS_STOP_NONE;
    fs_result_get_stop_reason(result, &reason);
    CHECK(reason == FS_STOP_EARLY_STOPPED);
    CHECK(strcmp(fs_stop_reason_string(FS_STOP_EARLY_STOPPED), "early_stopped") == 0);
    fs_result_get_history_length(result, &length);
    CHECK(length >= 2);
    CHECK(!(column_value(result, "validation_error", length - 1) < column_value(result, "validation_error", length - 2)));

    /* Refusals. */
    fs_options_set_int(options, "max_iter", 10);
    CHECK(fs_options_set_int(options, "patience", -1) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_int(options, "restore_best", 2) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_validation(options, NULL) == FS_ERROR_INVALID_HANDLE);
    fs_problem *empty = NULL;
    fs_problem_create(&empty);
    CHECK(fs_options_set_validation(options, empty) == FS_ERROR_WRONG_STATE);
    CHECK(fs_options_set_validation(options, problem) == FS_OK);  /* overlaps training: the run refuses */
    CHECK(fs_gradient_descent(training, options, result) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(result), "overlap") != NULL);
    {   /* values that are all 0: the relative validation error is undefined (issue 22) */
        fs_problem *zeros = NULL;
        const int64_t zero_rows[] = {0, 1}, zero_columns[] = {0, 1};
        const double zero_values[] = {0, 0};
        CHECK(fs_problem_create(&zeros) == FS_OK);
        CHECK(fs_problem_set_entries(zeros, N1, N2, 2, zero_rows, zero_columns, zero_values, 2, 1.0, NULL, 0) == FS_OK);
        fs_problem *dense = NULL;
        fs_problem_spec spec;
        fs_problem_spec_init(&spec, sizeof spec);
        spec.n1 = N1; spec.n2 = N2; spec.rank = 2; spec.measurements = 150;
        CHECK(fs_problem_create(&dense) == FS_OK && fs_problem_generate(dense, "gaussian", &spec) == FS_OK);
        CHECK(fs_options_set_validation(options, zeros) == FS_OK);
        CHECK(fs_gradient_descent(dense, options, result) == FS_ERROR_INVALID_ARGUMENT);
        CHECK(strstr(fs_last_error(result), "all 0") != NULL);
        fs_problem_free(zeros);
        fs_problem_free(dense);
    }
    CHECK(fs_options_clear_validation(options) == FS_OK);
    CHECK(fs_gradient_descent(training, options, result) == FS_ERROR_INVALID_ARGUMENT);  /* patience 1, no validation */
    CHECK(strstr(fs_last_error(result), "patience") != NULL);
    fs_options_set_int(options, "patience", 0);
    CHECK(fs_gradient_descent(training, options, result) == FS_ERROR_INVALID_ARGUMENT);  /* restore_best */
    CHECK(strstr(fs_last_error(result), "restore_best") != NULL);
    fs_options_set_int(options, "restore_best", 0);
    CHECK(fs_gradient_descent(training, options, result) == FS_OK);
    CHECK(fs_result_get_best_iteration(result, &best) == FS_OK && best == -1);
    CHECK(fs_result_get_best_iteration(result, NULL) == FS_ERROR_NULL_POINTER);

    fs_problem_free(empty);
    fs_options_free(options);
    fs_result_free(result);
    fs_problem_free(problem);
    fs_problem_free(training);
    fs_problem_free(validation);
}

static void test_ridge_and_auto_step(void) {
    fs_problem *problem = entries_problem();
    fs_options *options = NULL;
    fs_result *result = NULL;
    fs_options_create(&options);
    fs_result_create(&result);
    double U[N1 * K], V[N2 * K];
    for (int i = 0; i < N1 * K; i++) U[i] = 0.3 * sin(0.9 * i + 0.2);
    for (int i = 0; i < N2 * K; i++) V[i] = 0.3 * cos(1.1 * i);
    fs_options_set_initial_factors(options, N1, N2, K, U, N1 * K, V, N2 * K);
    fs_options_set_int(options, "max_iter", 0);
    const double mu = 0.7;
    CHECK(fs_options_set_real(options, "ridge", mu) == FS_OK);
    CHECK(fs_gradient_descent(problem, options, result) == FS_OK);
    int64_t rows[COUNT], columns[COUNT];
    double values[COUNT];
    positions(rows, columns, values);
    double loss = 0, squares = 0;
    for (int64_t i = 0; i < COUNT; i++) {
        double x = 0;
        for (int k = 0; k < K; k++) x += U[rows[i] * K + k] * V[columns[i] * K + k];
        loss += 0.5 * (x - values[i]) * (x - values[i]);
    }
    for (int i = 0; i < N1 * K; i++) squares += U[i] * U[i];
    for (int i = 0; i < N2 * K; i++) squares += V[i] * V[i];
    loss += mu / 2 * squares;
    CHECK(fabs(column_value(result, "loss", 0) - loss) <= 1e-12 * loss);
    CHECK(fs_options_set_real(options, "ridge", -1) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_real(options, "ridge", INFINITY) == FS_ERROR_NOT_FINITE);

    /* The automatic step: a "step" column, a loss that never rises. */
    CHECK(fs_options_set_text(options, "step_rule", "auto") == FS_OK);
    const char *rule = NULL;
    CHECK(fs_options_get_text(options, "step_rule", &rule) == FS_OK && strcmp(rule, "auto") == 0);
    fs_options_set_int(options, "max_iter", 50);
    CHECK(fs_gradient_descent(problem, options, result) == FS_OK);
    int64_t length = 0;
    fs_result_get_history_length(result, &length);
    int rises = 0;
    double time = 0;
    for (int64_t r = 1; r < length; r++) {
        rises += column_value(result, "loss", r) > column_value(result, "loss", r - 1);
        time += column_value(result, "step", r);
    }
    CHECK(rises == 0);
    CHECK(column_value(result, "step", 0) > 0);
    CHECK(fabs(column_value(result, "time", length - 1) - time) <= 1e-12 * time);
    CHECK(fs_options_set_text(options, "step_rule", "fast") == FS_ERROR_INVALID_ARGUMENT);
    fs_options_set_int(options, "batch_size", 5);
    CHECK(fs_gradient_descent(problem, options, result) == FS_ERROR_INVALID_ARGUMENT);

    fs_options_free(options);
    fs_result_free(result);
    fs_problem_free(problem);
}

int main(void) {
    test_holdout_split();
    test_validation_runs();
    test_ridge_and_auto_step();
    return finish();
}
