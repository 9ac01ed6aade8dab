/*
 * The problem families of FactorSense from C: PSD sensing with a wide factor (Stöger &
 * Soltanolkotabi) — once more with the operator stored in float32 —, matrix completion (the
 * user's own sampled entries), and the low-level loss-and-gradient call for users who bring
 * their own optimizer.
 *
 *   cc -std=c11 -Iinclude families.c -L.build/release -lfactorsense -lm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "factorsense.h"

/* Prints the failed call's message and leaves main with status 1. */
#define CHECK(call, handle)                                                                  \
    do {                                                                                     \
        fs_status status_ = (call);                                                          \
        if (status_ != FS_OK) {                                                              \
            fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, fs_status_string(status_), \
                    fs_last_error(handle));                                                  \
            return 1;                                                                        \
        }                                                                                    \
    } while (0)

/* The last recorded test error of a result, NaN when it cannot be read. */
static double final_test_error(const fs_result *result) {
    int64_t length = 0;
    if (fs_result_get_history_length(result, &length) != FS_OK || length < 1) return NAN;
    double *column = malloc((size_t)length * sizeof *column);
    if (column == NULL) return NAN;
    double value = NAN;
    if (fs_result_copy_history(result, "test_error", column, length) == FS_OK) value = column[length - 1];
    free(column);
    return value;
}

/* PSD sensing: X⋆ = L diag(s) Lᵀ (30 × 30, rank 2), symmetric Gaussian measurements, X = UUᵀ;
 * the operator stored in `precision` (FS_PRECISION_FLOAT32: half the memory, the same
 * float64 arithmetic on the rounded entries). */
static int psd_sensing(int32_t precision) {
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem), problem);
    CHECK(fs_options_create(&options), options);
    CHECK(fs_result_create(&result), result);

    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = spec.n2 = 30;
    spec.rank = 2;
    spec.measurements = 450;
    spec.psd = 1;
    spec.seed = 7;
    spec.precision = precision;
    CHECK(fs_problem_generate(problem, "symmetric_gaussian", &spec), problem);

    CHECK(fs_options_set_int(options, "width", 30), options); /* k = n ≫ r */
    CHECK(fs_options_set_real(options, "init_scale", 1e-3), options);
    CHECK(fs_options_set_real(options, "step", 0.5), options);
    CHECK(fs_options_set_int(options, "max_iter", 1500), options);
    CHECK(fs_options_set_int(options, "record_every", 50), options);
    CHECK(fs_gradient_descent(problem, options, result), result);

    double error = final_test_error(result);
    printf("PSD sensing, 30 x 30 rank 2, width 30, %s operator: test error %.3e\n",
           precision == FS_PRECISION_FLOAT32 ? "float32" : "float64", error);
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return error < 1e-2 ? 0 : 1;
}

/* Completion: the caller samples 40 % of a rank-2 60 × 50 matrix and passes the entries. */
static int completion(void) {
    enum { N1 = 60, N2 = 50, R = 2 };
    static double truth[N1 * N2];
    static int64_t rows[N1 * N2], columns[N1 * N2];
    static double values[N1 * N2];
    double left[N1 * R], right[N2 * R];
    unsigned state = 12345u;
    for (int i = 0; i < N1 * R; i++) left[i] = (double)((state = state * 1103515245u + 12345u) >> 16 & 0x7fff) / 32768.0 - 0.5;
    for (int i = 0; i < N2 * R; i++) right[i] = (double)((state = state * 1103515245u + 12345u) >> 16 & 0x7fff) / 32768.0 - 0.5;
    int64_t count = 0;
    for (int i = 0; i < N1; i++) {
        for (int j = 0; j < N2; j++) {
            double x = 0;
            for (int c = 0; c < R; c++) x += left[i * R + c] * right[j * R + c];
            truth[i * N2 + j] = x;
            if (((state = state * 1103515245u + 12345u) >> 16 & 0x7fff) < 0.4 * 32768) {
                rows[count] = i;
                columns[count] = j;
                values[count] = x;
                count++;
            }
        }
    }

    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem), problem);
    CHECK(fs_options_create(&options), options);
    CHECK(fs_result_create(&result), result);
    CHECK(fs_problem_set_entries(problem, N1, N2, count, rows, columns, values, count, 1.0,
                                 truth, N1 * N2), problem);
    CHECK(fs_options_set_int(options, "width", R), options);
    CHECK(fs_options_set_text(options, "init", "spectral"), options);
    CHECK(fs_options_set_real(options, "step", 0.2), options); /* η ≲ 1/(p·s₁), p = 0.4 */
    CHECK(fs_options_set_int(options, "max_iter", 2000), options);
    CHECK(fs_options_set_int(options, "record_every", 100), options);
    CHECK(fs_gradient_descent(problem, options, result), result);

    double error = final_test_error(result);
    printf("completion, %lld of %d entries, spectral init: test error %.3e\n", (long long)count, N1 * N2, error);

    /* The low-level call: the loss and gradient at the final factors. */
    int64_t n1 = 0, n2 = 0, k = 0;
    CHECK(fs_result_get_shape(result, &n1, &n2, &k), result);
    double *U = malloc((size_t)(n1 * k) * sizeof *U), *V = malloc((size_t)(n2 * k) * sizeof *V);
    double *gU = malloc((size_t)(n1 * k) * sizeof *gU), *gV = malloc((size_t)(n2 * k) * sizeof *gV);
    int failed = U == NULL || V == NULL || gU == NULL || gV == NULL;
    double loss = NAN;
    if (!failed && fs_result_copy_factors(result, U, n1 * k, V, n2 * k) == FS_OK &&
        fs_problem_loss_and_gradient(problem, k, U, n1 * k, V, n2 * k, &loss, gU, n1 * k, gV, n2 * k) == FS_OK) {
        printf("  loss at the result %.3e\n", loss);
    } else {
        failed = 1;
    }
    free(U); free(V); free(gU); free(gV);
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return failed || !(error < 1e-3);
}

int main(void) {
    int failures = psd_sensing(FS_PRECISION_FLOAT64) + psd_sensing(FS_PRECISION_FLOAT32) + completion();
    return failures == 0 ? 0 : 1;
}
