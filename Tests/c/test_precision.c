/*
 * C tests of float32 storage of dense operators: fs_problem_spec.precision (the default, a spec
 * from before the field, a bad value, a kind without a dense matrix), fs_problem_set_dense_f32
 * (its products against a double-precision computation of the same formulas, its refusals,
 * the problem left as it was on failure) and fs_problem_get_precision; a float32 problem runs
 * bit for bit as the float64 problem of its widened entries. Prints "N passed, M failed" and
 * exits nonzero on any failure. An optional argument (the memory checks' budget) caps max_iter.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N1 = 7, N2 = 5, N = N1 * N2, M = 23 };  /* N mod 16 ≠ 0 and M mod 4 ≠ 0: the kernels' tails */

static int64_t max_iter = 100;

static fs_problem *generated(int32_t precision) {
    fs_problem *problem = NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = 2;
    spec.measurements = M;
    spec.seed = 11;
    spec.precision = precision;
    if (fs_problem_create(&problem) != FS_OK || fs_problem_generate(problem, "gaussian", &spec) != FS_OK) {
        fs_problem_free(problem);
        return NULL;
    }
    return problem;
}

static int32_t precision_of(const fs_problem *problem) {
    int32_t precision = -1;
    return fs_problem_get_precision(problem, &precision) == FS_OK ? precision : -1;
}

/* The factors after max_iter steps from the same options; NULL on failure (caller frees). */
static double *run(const fs_problem *problem) {
    fs_options *options = NULL;
    fs_result *result = NULL;
    double *factors = calloc(N1 * 3 + N2 * 3, sizeof(double));
    int ok = factors != NULL && fs_options_create(&options) == FS_OK && fs_result_create(&result) == FS_OK
             && fs_options_set_int(options, "width", 3) == FS_OK && fs_options_set_int(options, "max_iter", max_iter) == FS_OK
             && fs_options_set_real(options, "step", 0.1) == FS_OK && fs_options_set_int(options, "seed", 4) == FS_OK
             && fs_gradient_descent(problem, options, result) == FS_OK
             && fs_result_copy_factors(result, factors, N1 * 3, factors + N1 * 3, N2 * 3) == FS_OK;
    fs_options_free(options);
    fs_result_free(result);
    if (!ok) {
        free(factors);
        return NULL;
    }
    return factors;
}

static void test_generated_float32_is_the_float64_draw_rounded(void) {
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    CHECK(spec.precision == FS_PRECISION_FLOAT64);
    fs_problem *single = generated(FS_PRECISION_FLOAT32), *twin = generated(FS_PRECISION_FLOAT64);
    CHECK(single != NULL && twin != NULL);
    CHECK(precision_of(single) == FS_PRECISION_FLOAT32 && precision_of(twin) == FS_PRECISION_FLOAT64);
    static double a32[M * N], a64[M * N], y[M], truth[N];
    CHECK(fs_problem_copy_operator(single, a32, M * N) == FS_OK && fs_problem_copy_operator(twin, a64, M * N) == FS_OK);
    int rounded = 1;
    for (int i = 0; i < M * N; i++) rounded &= a32[i] == (double)(float)a64[i];
    CHECK(rounded);
    /* y is measured by the rounded operator (noiseless here): y_i = Σ_j a32_ij X⋆_j. */
    CHECK(fs_problem_copy_measurements(single, y, M) == FS_OK && fs_problem_copy_truth(single, truth, N) == FS_OK);
    double worst = 0;
    for (int i = 0; i < M; i++) {
        double sum = 0;
        for (int j = 0; j < N; j++) sum += a32[i * N + j] * truth[j];
        worst = fmax(worst, fabs(sum - y[i]));
    }
    CHECK(worst < 1e-13);
    fs_problem_free(single);
    fs_problem_free(twin);
}

static void test_spec_precision_is_read_by_struct_size_and_checked(void) {
    fs_problem *problem = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK);
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = 1;
    spec.measurements = M;
    spec.precision = FS_PRECISION_FLOAT32;
    spec.struct_size = offsetof(fs_problem_spec, precision);  /* a caller built against 0.3 */
    CHECK(fs_problem_generate(problem, "gaussian", &spec) == FS_OK);
    CHECK(precision_of(problem) == FS_PRECISION_FLOAT64);
    spec.struct_size = offsetof(fs_problem_spec, precision) - 1;
    CHECK(fs_problem_generate(problem, "gaussian", &spec) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "struct_size") != NULL);
    spec.struct_size = sizeof spec;
    spec.precision = 7;
    CHECK(fs_problem_generate(problem, "gaussian", &spec) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "spec.precision") != NULL);
    spec.precision = FS_PRECISION_FLOAT32;
    for (int i = 0; i < 2; i++) {
        const char *kind = i == 0 ? "completion" : "rank_one";
        CHECK(fs_problem_generate(problem, kind, &spec) == FS_ERROR_INVALID_ARGUMENT);
        CHECK(strstr(fs_last_error(problem), "no dense matrix") != NULL);
    }
    CHECK(precision_of(problem) == FS_PRECISION_FLOAT64);  /* the failures left the problem as it was */
    fs_problem_free(problem);
}

static void test_set_dense_f32_products_match_a_double_computation(void) {
    static float a[M * N];
    static double y[M], x[N], rho[M], out_m[M], out_n[N];
    for (int i = 0; i < M * N; i++) a[i] = (float)sin(0.37 * i + 1.0) / 3.0f;
    for (int j = 0; j < N; j++) x[j] = cos(0.11 * j);
    for (int i = 0; i < M; i++) y[i] = rho[i] = 0.5 - 0.03 * i;
    fs_problem *problem = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK);
    CHECK(fs_problem_set_dense_f32(problem, N1, N2, M, a, M * N, y, M, NULL, 0) == FS_OK);
    CHECK(precision_of(problem) == FS_PRECISION_FLOAT32);
    CHECK(fs_problem_apply(problem, x, N, out_m, M) == FS_OK);
    CHECK(fs_problem_adjoint(problem, rho, M, out_n, N) == FS_OK);
    double worst = 0;
    for (int i = 0; i < M; i++) {
        double sum = 0;
        for (int j = 0; j < N; j++) sum += (double)a[i * N + j] * x[j];
        worst = fmax(worst, fabs(sum - out_m[i]));
    }
    for (int j = 0; j < N; j++) {
        double sum = 0;
        for (int i = 0; i < M; i++) sum += (double)a[i * N + j] * rho[i];
        worst = fmax(worst, fabs(sum - out_n[j]));
    }
    CHECK(worst < 1e-13);

    /* The float64 problem of the widened entries runs bit for bit the same. */
    static double widened[M * N];
    for (int i = 0; i < M * N; i++) widened[i] = a[i];
    fs_problem *twin = NULL;
    CHECK(fs_problem_create(&twin) == FS_OK);
    CHECK(fs_problem_set_dense(twin, N1, N2, M, widened, M * N, y, M, NULL, 0) == FS_OK);
    double *f32 = run(problem), *f64 = run(twin);
    CHECK(f32 != NULL && f64 != NULL);
    CHECK(f32 != NULL && f64 != NULL && memcmp(f32, f64, (N1 + N2) * 3 * sizeof(double)) == 0);
    free(f32);
    free(f64);

    /* Refusals leave the problem as it was. */
    CHECK(fs_problem_set_dense_f32(problem, N1, N2, M, NULL, M * N, y, M, NULL, 0) == FS_ERROR_NULL_POINTER);
    CHECK(fs_problem_set_dense_f32(problem, N1, N2, M, a, M * N - 1, y, M, NULL, 0) == FS_ERROR_SIZE_MISMATCH);
    a[40] = NAN;
    CHECK(fs_problem_set_dense_f32(problem, N1, N2, M, a, M * N, y, M, NULL, 0) == FS_ERROR_NOT_FINITE);
    CHECK(strstr(fs_last_error(problem), "row 1, column 5") != NULL);
    a[40] = INFINITY;
    CHECK(fs_problem_set_dense_f32(problem, N1, N2, M, a, M * N, y, M, NULL, 0) == FS_ERROR_NOT_FINITE);
    CHECK(fs_problem_set_dense_f32(problem, 0, N2, M, a, M * N, y, M, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    double again[M];
    CHECK(fs_problem_apply(problem, x, N, again, M) == FS_OK && memcmp(again, out_m, sizeof again) == 0);
    CHECK(fs_problem_get_precision(problem, NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_problem_get_precision(NULL, NULL) == FS_ERROR_INVALID_HANDLE);
    fs_problem_free(problem);
    fs_problem_free(twin);
}

int main(int argc, char **argv) {
    if (argc > 1) max_iter = atoll(argv[1]) < max_iter ? atoll(argv[1]) : max_iter;
    test_generated_float32_is_the_float64_draw_rounded();
    test_spec_precision_is_read_by_struct_size_and_checked();
    test_set_dense_f32_products_match_a_double_computation();
    return finish();
}
