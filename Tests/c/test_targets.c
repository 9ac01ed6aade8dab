/*
 * C tests of the caller's own target (fs_problem_generate_for_target, _for_factors): y = 𝒜(X⋆)
 * computed here from the operator copied out of the problem, the operator and noise identical to
 * those of fs_problem_generate with the same seed and sizes, the truth round-tripping, and every
 * refusal (with the handle's previous problem left as it was). Prints "N passed, M failed" and
 * exits nonzero on any failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"


enum { N1 = 5, N2 = 4, R = 2, M = 12 };

static fs_problem_spec spec_of(int64_t n1, int64_t n2, int psd, double noise) {
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = n1;
    spec.n2 = n2;
    spec.measurements = M;
    spec.psd = psd;
    spec.noise_level = noise;
    spec.seed = 21;
    return spec;
}

/* L (n1 × r), s, R (n2 × r) with fixed entries, and X = L diag(s) Rᵀ. */
static void factors(int64_t n1, int64_t n2, double *l, double *s, double *r, double *x) {
    for (int64_t i = 0; i < n1 * R; i++) l[i] = sin(1.0 + 0.7 * (double)i);
    for (int64_t i = 0; i < n2 * R; i++) r[i] = cos(0.3 + 1.3 * (double)i);
    s[0] = 2.0;
    s[1] = 0.5;
    for (int64_t i = 0; i < n1; i++)
        for (int64_t j = 0; j < n2; j++) {
            double sum = 0;
            for (int k = 0; k < R; k++) sum += l[i * R + k] * s[k] * r[j * R + k];
            x[i * n2 + j] = sum;
        }
}

static double max_difference(const double *a, const double *b, int64_t n) {
    double worst = 0;
    for (int64_t i = 0; i < n; i++) worst = fmax(worst, fabs(a[i] - b[i]));
    return worst;
}

/* The drawn problem of the same kind, sizes, psd, noise and seed (rank 1). */
static fs_problem *drawn(const char *kind, fs_problem_spec spec) {
    fs_problem *p = NULL;
    if (fs_problem_create(&p) != FS_OK) return NULL;
    spec.rank = 1;
    if (fs_problem_generate(p, kind, &spec) != FS_OK) {
        fprintf(stderr, "generate %s: %s\n", kind, fs_last_error(p));
        fs_problem_free(p);
        return NULL;
    }
    return p;
}

/* Gaussian, dense target: y = A vec(X), A identical to the drawn problem's, truth round-trips;
 * with noise, y − A vec(X) is the drawn problem's noise. */
static void test_dense_gaussian(void) {
    double l[N1 * R], s[R], r[N2 * R], x[N1 * N2], truth[N1 * N2];
    factors(N1, N2, l, s, r, x);
    fs_problem *p = NULL, *noisy = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_problem_create(&noisy) == FS_OK);
    fs_problem_spec spec = spec_of(N1, N2, 0, 0.0);
    CHECK(fs_problem_generate_for_target(p, "gaussian", &spec, x, N1 * N2) == FS_OK);
    fs_problem_spec noisy_spec = spec_of(N1, N2, 0, 0.25);
    CHECK(fs_problem_generate_for_target(noisy, "gaussian", &noisy_spec, x, N1 * N2) == FS_OK);
    fs_problem *q = drawn("gaussian", spec), *q_noisy = drawn("gaussian", noisy_spec);
    CHECK(q != NULL && q_noisy != NULL);
    double a[M * N1 * N2], b[M * N1 * N2], y[M], y_noisy[M], yq[M], yq_noisy[M], ax[M];
    CHECK(fs_problem_copy_operator(p, a, M * N1 * N2) == FS_OK);
    CHECK(fs_problem_copy_operator(q, b, M * N1 * N2) == FS_OK);
    CHECK(memcmp(a, b, sizeof a) == 0);
    CHECK(fs_problem_copy_measurements(p, y, M) == FS_OK);
    CHECK(fs_problem_copy_measurements(noisy, y_noisy, M) == FS_OK);
    CHECK(fs_problem_copy_measurements(q, yq, M) == FS_OK);
    CHECK(fs_problem_copy_measurements(q_noisy, yq_noisy, M) == FS_OK);
    for (int i = 0; i < M; i++) {
        double sum = 0;
        for (int j = 0; j < N1 * N2; j++) sum += a[i * N1 * N2 + j] * x[j];
        ax[i] = sum;
    }
    CHECK(max_difference(y, ax, M) <= 1e-13);
    double noise_p[M], noise_q[M], spread = 0;
    for (int i = 0; i < M; i++) {
        noise_p[i] = y_noisy[i] - y[i];
        noise_q[i] = yq_noisy[i] - yq[i];
        spread = fmax(spread, fabs(noise_p[i]));
    }
    CHECK(max_difference(noise_p, noise_q, M) <= 1e-13 && spread > 0.05);
    CHECK(fs_problem_copy_truth(p, truth, N1 * N2) == FS_OK);
    CHECK(memcmp(truth, x, sizeof x) == 0);
    int symmetric = -1;
    CHECK(fs_problem_is_symmetric(p, &symmetric) == FS_OK && symmetric == 0);
    fs_problem_free(p);
    fs_problem_free(noisy);
    fs_problem_free(q);
    fs_problem_free(q_noisy);
}

/* Completion of factors: y_i = c · X[a_i, b_i], the same positions as the drawn problem. */
static void test_factors_completion(void) {
    double l[N1 * R], s[R], r[N2 * R], x[N1 * N2], truth[N1 * N2], y[M];
    factors(N1, N2, l, s, r, x);
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    fs_problem_spec spec = spec_of(N1, N2, 0, 0.0);
    spec.rank = R;
    CHECK(fs_problem_generate_for_factors(p, "completion", &spec, l, N1 * R, s, R, r, N2 * R) == FS_OK);
    fs_problem *q = drawn("completion", spec);
    CHECK(q != NULL);
    int64_t rows[M], columns[M], rows_q[M], columns_q[M];
    double c = 0, c_q = 0;
    CHECK(fs_problem_copy_entries(p, rows, columns, M, &c) == FS_OK);
    CHECK(fs_problem_copy_entries(q, rows_q, columns_q, M, &c_q) == FS_OK);
    CHECK(memcmp(rows, rows_q, sizeof rows) == 0 && memcmp(columns, columns_q, sizeof columns) == 0 && c == c_q);
    CHECK(fs_problem_copy_measurements(p, y, M) == FS_OK);
    double expected[M];
    for (int i = 0; i < M; i++) expected[i] = c * x[rows[i] * N2 + columns[i]];
    CHECK(max_difference(y, expected, M) <= 1e-13);
    CHECK(fs_problem_copy_truth(p, truth, N1 * N2) == FS_OK);
    CHECK(max_difference(truth, x, N1 * N2) <= 1e-14);
    fs_problem_free(p);
    fs_problem_free(q);
}

/* PSD factors (R NULL) under the symmetric rank-one operator: b_i drawn apart from a_i, y_i = c · a_iᵀ X b_i
 * (= c · a_iᵀ sym(X) b_i, X = L diag(s) Lᵀ symmetric). */
static void test_psd_factors_rank_one(void) {
    double l[N1 * R], s[R], unused[N1 * R], x[N1 * N1];
    factors(N1, N1, l, s, unused, x);
    for (int i = 0; i < N1; i++)
        for (int j = 0; j < N1; j++) {
            double sum = 0;
            for (int k = 0; k < R; k++) sum += l[i * R + k] * s[k] * l[j * R + k];
            x[i * N1 + j] = sum;
        }
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    fs_problem_spec spec = spec_of(N1, N1, 1, 0.0);
    CHECK(fs_problem_generate_for_factors(p, "rank_one", &spec, l, N1 * R, s, R, NULL, 0) == FS_OK);
    fs_problem *q = drawn("rank_one", spec);
    CHECK(q != NULL);
    double a[M * N1], b[M * N1], aq[M * N1], bq[M * N1], c = 0, cq = 0, y[M];
    CHECK(fs_problem_copy_rank_one(p, a, M * N1, b, M * N1, &c) == FS_OK);
    CHECK(fs_problem_copy_rank_one(q, aq, M * N1, bq, M * N1, &cq) == FS_OK);
    /* b_i is drawn apart from a_i also for a psd problem (issue 22), the same as for a drawn target */
    CHECK(memcmp(a, b, sizeof a) != 0 && memcmp(a, aq, sizeof a) == 0 && memcmp(b, bq, sizeof b) == 0 && c == cq);
    CHECK(fs_problem_copy_measurements(p, y, M) == FS_OK);
    double worst = 0;
    for (int i = 0; i < M; i++) {
        double sum = 0;
        for (int j = 0; j < N1; j++)
            for (int k = 0; k < N1; k++) sum += a[i * N1 + j] * x[j * N1 + k] * b[i * N1 + k];  /* X⋆ symmetric */
        worst = fmax(worst, fabs(y[i] - c * sum));
    }
    CHECK(worst <= 1e-13);
    int symmetric = 0;
    CHECK(fs_problem_is_symmetric(p, &symmetric) == FS_OK && symmetric == 1);
    fs_problem_free(p);
    fs_problem_free(q);
}

/* Identity: y = vec(X), m = n1·n2 whatever spec.measurements says. */
static void test_identity(void) {
    double l[N1 * R], s[R], r[N2 * R], x[N1 * N2], y[N1 * N2];
    factors(N1, N2, l, s, r, x);
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    fs_problem_spec spec = spec_of(N1, N2, 0, 0.0);
    spec.measurements = 0;
    CHECK(fs_problem_generate_for_target(p, "identity", &spec, x, N1 * N2) == FS_OK);
    int64_t m = 0;
    CHECK(fs_problem_get_shape(p, NULL, NULL, &m) == FS_OK && m == N1 * N2);
    CHECK(fs_problem_copy_measurements(p, y, N1 * N2) == FS_OK);
    CHECK(memcmp(x, y, sizeof x) == 0);
    fs_problem_free(p);
}

/* A refused call returns `expected`, says `words` in its message, and leaves the problem's
 * previous content (a 3 × 3 identity problem) as it was. */
static void expect_refused(fs_problem *p, fs_status status, fs_status expected, const char *words) {
    CHECK(status == expected);
    if (status != expected) fprintf(stderr, "  got %d: %s\n", (int)status, fs_last_error(p));
    CHECK(strstr(fs_last_error(p), words) != NULL);
    if (strstr(fs_last_error(p), words) == NULL) fprintf(stderr, "  message: %s (wanted \"%s\")\n", fs_last_error(p), words);
    int64_t n1 = 0, n2 = 0, m = 0;
    CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && n1 == 3 && n2 == 3 && m == 9);
}

static void test_refusals(void) {
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    const double eye[9] = {1, 0, 0, 0, 1, 0, 0, 0, 1};
    fs_problem_spec spec = spec_of(3, 3, 0, 0.0);
    CHECK(fs_problem_generate_for_target(p, "identity", &spec, eye, 9) == FS_OK);

    double x[9] = {1, 2, 0, 2, 1, 0, 0, 0, 0};  /* symmetric, eigenvalues 3, −1, 0 */
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &spec, NULL, 9), FS_ERROR_NULL_POINTER, "target is NULL");
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", NULL, x, 9), FS_ERROR_NULL_POINTER, "spec is NULL");
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &spec, x, 8), FS_ERROR_SIZE_MISMATCH, "length 9, got 8");
    expect_refused(p, fs_problem_generate_for_target(p, "no_such", &spec, x, 9), FS_ERROR_INVALID_ARGUMENT, "operator_kind");
    fs_problem_spec bad = spec;
    bad.struct_size = 8;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "struct_size");
    bad = spec;
    bad.n1 = 0;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 0), FS_ERROR_INVALID_ARGUMENT, "spec.n1");
    bad = spec;
    bad.n1 = bad.n2 = (int64_t)1 << 32;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_OVERFLOW, "overflows");
    bad = spec;
    bad.rank = 1;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "numerical rank");
    bad.rank = -1;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "spec.rank");
    bad = spec;
    bad.noise_level = -1;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "noise_level");
    bad.psd = 1;
    bad.noise_level = 0;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "λ_min = -1");
    x[1] = 2.5;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 9), FS_ERROR_INVALID_ARGUMENT, "must be symmetric");
    x[1] = NAN;
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &spec, x, 9), FS_ERROR_NOT_FINITE, "non-finite");
    x[1] = 2;
    const double zeros[9] = {0};
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &spec, zeros, 9), FS_ERROR_INVALID_ARGUMENT, "zero matrix");
    bad = spec_of(3, 2, 1, 0.0);
    expect_refused(p, fs_problem_generate_for_target(p, "gaussian", &bad, x, 6), FS_ERROR_INVALID_ARGUMENT, "square");
    bad.psd = 0;
    expect_refused(p, fs_problem_generate_for_target(p, "symmetric_gaussian", &bad, x, 6), FS_ERROR_INVALID_ARGUMENT, "square target");
    CHECK(fs_problem_generate_for_target((fs_problem *)(uintptr_t)0xdead0, "gaussian", &spec, eye, 9) == FS_ERROR_INVALID_HANDLE);

    /* Factors. */
    double l[6] = {1, 0, 0, 1, 1, 1}, s[2] = {1, 0.5}, r[6] = {1, 0, 0, 1, 0, 0};
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, NULL, 6, s, 2, r, 6), FS_ERROR_NULL_POINTER, "left is NULL");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, NULL, 2, r, 6), FS_ERROR_NULL_POINTER, "s is NULL");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 0, r, 6), FS_ERROR_INVALID_ARGUMENT, "s_length");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 4, r, 6), FS_ERROR_INVALID_ARGUMENT, "min(n1, n2) = 3");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 5, s, 2, r, 6), FS_ERROR_SIZE_MISMATCH, "left must have length 6");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 2, r, 7), FS_ERROR_SIZE_MISMATCH, "right must have length 6");
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 2, NULL, 6), FS_ERROR_SIZE_MISMATCH, "right_length must be 0");
    bad = spec_of(3, 2, 0, 0.0);
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, NULL, 0), FS_ERROR_INVALID_ARGUMENT, "n1 = n2");
    s[1] = -0.5;
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 2, r, 6), FS_ERROR_INVALID_ARGUMENT, "s must be ≥ 0");
    s[1] = INFINITY;
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 2, r, 6), FS_ERROR_NOT_FINITE, "s has a non-finite");
    s[1] = 0.5;
    l[3] = NAN;
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &spec, l, 6, s, 2, r, 6), FS_ERROR_NOT_FINITE, "L has a non-finite entry nan at (1, 1)");
    l[3] = 1;
    bad = spec;
    bad.rank = 1;  /* L diag(s) Rᵀ has rank 2 */
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, r, 6), FS_ERROR_INVALID_ARGUMENT, "is 2");
    bad = spec;
    bad.psd = 1;  /* L diag(s) Rᵀ with R ≠ L: not symmetric */
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, r, 6), FS_ERROR_INVALID_ARGUMENT, "must be symmetric");
    double minus_l[6];
    for (int i = 0; i < 6; i++) minus_l[i] = -l[i];
    expect_refused(p, fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, minus_l, 6), FS_ERROR_INVALID_ARGUMENT, "λ_min");
    bad = spec;
    bad.n1 = bad.n2 = INT64_MAX / 2;
    expect_refused(p, fs_problem_generate_for_factors(p, "completion", &bad, l, 6, s, 2, r, 6), FS_ERROR_OVERFLOW, "overflows");
    /* ... and the same arguments, corrected, work. */
    bad = spec;
    bad.rank = 2;
    CHECK(fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, r, 6) == FS_OK);
    bad.psd = 1;
    CHECK(fs_problem_generate_for_factors(p, "gaussian", &bad, l, 6, s, 2, NULL, 0) == FS_OK);
    fs_problem_free(p);
}

/* A zero truth runs (rank 0: NaN alignment columns; it trapped in the signal/noise split), and a
 * truth whose largest singular value overflows is refused with FS_ERROR_NOT_FINITE. */
static void test_zero_and_overflowing_truths(void) {
    enum { M = 20, N = 6 };
    static double a[M * N * N], y[M], zero[N * N], huge[N * N];
    for (int i = 0; i < M * N * N; i++) a[i] = 1;
    for (int i = 0; i < M; i++) y[i] = 1;
    for (int i = 0; i < N * N; i++) huge[i] = 1e308;
    fs_problem *p = NULL;
    fs_options *o = NULL;
    fs_result *r = NULL;
    CHECK(fs_problem_create(&p) == FS_OK && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);
    CHECK(fs_options_set_int(o, "width", 2) == FS_OK && fs_options_set_int(o, "max_iter", 3) == FS_OK);
    CHECK(fs_problem_set_dense(p, N, N, M, a, M * N * N, y, M, zero, N * N) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    double signal[4];
    CHECK(fs_result_copy_history(r, "signal", signal, 4) == FS_OK && isnan(signal[0]) && isnan(signal[3]));
    CHECK(fs_problem_set_dense(p, N, N, M, a, M * N * N, y, M, huge, N * N) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_ERROR_NOT_FINITE);
    CHECK(strstr(fs_last_error(r), "overflows") != NULL);
    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
}

int main(void) {
    test_zero_and_overflowing_truths();
    test_dense_gaussian();
    test_factors_completion();
    test_psd_factors_rank_one();
    test_identity();
    test_refusals();
    return finish();
}
