/*
 * C tests of issue 22, items 1 and 2: a symmetric operator ("symmetric_gaussian", and "rank_one"
 * of a psd problem) takes only a symmetric target. A drawn "symmetric_gaussian" target with
 * psd 0 is symmetric (X⋆ = L diag(s₁, −s₂, …) Lᵀ); the caller's non-symmetric matrix or factors
 * are refused with FS_ERROR_INVALID_ARGUMENT and a message that names the symmetry, leaving the
 * handle's previous problem as it was. The symmetric rank-one operator draws b_i apart from a_i
 * and measures a_iᵀ sym(X) b_i/√m. Prints "N passed, M failed" and exits nonzero on any failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N = 5, M = 30 };

static fs_problem_spec spec_of(int psd) {
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N;
    spec.n2 = N;
    spec.rank = 2;
    spec.measurements = M;
    spec.psd = psd;
    spec.seed = 11;
    return spec;
}

static double asymmetry(const double *x) {
    double worst = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) worst = fmax(worst, fabs(x[i * N + j] - x[j * N + i]));
    return worst;
}

int main(void) {
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);

    /* A drawn symmetric_gaussian target is symmetric, with psd 0 as with psd 1. */
    for (int psd = 0; psd <= 1; psd++) {
        fs_problem_spec spec = spec_of(psd);
        CHECK(fs_problem_generate(p, "symmetric_gaussian", &spec) == FS_OK);
        double truth[N * N];
        CHECK(fs_problem_copy_truth(p, truth, N * N) == FS_OK);
        CHECK(asymmetry(truth) <= 1e-15);
        int symmetric = -1;
        CHECK(fs_problem_is_symmetric(p, &symmetric) == FS_OK && symmetric == psd);
        int operator_symmetric = -1;
        CHECK(fs_problem_operator_is_symmetric(p, &operator_symmetric) == FS_OK && operator_symmetric == 1);
    }
    {
        fs_problem_spec spec = spec_of(0);
        int operator_symmetric = -1;
        CHECK(fs_problem_generate(p, "gaussian", &spec) == FS_OK);
        CHECK(fs_problem_operator_is_symmetric(p, &operator_symmetric) == FS_OK && operator_symmetric == 0);
        CHECK(fs_problem_operator_is_symmetric(p, NULL) == FS_ERROR_NULL_POINTER);
        CHECK(fs_problem_operator_is_symmetric(NULL, &operator_symmetric) == FS_ERROR_INVALID_HANDLE);
    }

    /* The caller's non-symmetric matrix: refused by the symmetric Gaussian operator (psd 0 and
     * 1) and by the symmetric rank-one operator (psd 1); the previous problem stays. */
    double x[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) x[i * N + j] = sin(1.0 + i) * cos(0.5 + 2.0 * j);
    const char *kinds[] = {"symmetric_gaussian", "symmetric_gaussian", "rank_one"};
    const int psds[] = {0, 1, 1};
    for (int c = 0; c < 3; c++) {
        fs_problem_spec spec = spec_of(psds[c]);
        spec.rank = 0;
        fs_status status = fs_problem_generate_for_target(p, kinds[c], &spec, x, N * N);
        CHECK(status == FS_ERROR_INVALID_ARGUMENT);
        CHECK(strstr(fs_last_error(p), "symmetric") != NULL);
        int64_t n1 = 0, n2 = 0, m = 0;
        CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && n1 == N && m == M);
    }

    /* Non-symmetric factors L diag(s) Rᵀ, R ≠ L. */
    double l[N * 2], r[N * 2], s[2] = {1.0, 0.5};
    for (int i = 0; i < N * 2; i++) {
        l[i] = sin(0.3 + 0.9 * i);
        r[i] = cos(0.7 + 1.1 * i);
    }
    fs_problem_spec spec = spec_of(0);
    spec.rank = 0;
    CHECK(fs_problem_generate_for_factors(p, "symmetric_gaussian", &spec, l, N * 2, s, 2, r, N * 2)
          == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(p), "symmetric") != NULL);
    /* ... and L diag(s) Lᵀ (R NULL) is taken. */
    CHECK(fs_problem_generate_for_factors(p, "symmetric_gaussian", &spec, l, N * 2, s, 2, NULL, 0) == FS_OK);

    /* A symmetric target within the tolerance ‖X − Xᵀ‖_F ≤ 1e-10 ‖X‖_F is taken. */
    double y[N * N];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) y[i * N + j] = x[i * N + j] + x[j * N + i];
    y[1] += 1e-13;
    CHECK(fs_problem_generate_for_target(p, "symmetric_gaussian", &spec, y, N * N) == FS_OK);

    /* The symmetric rank-one operator: b_i drawn apart from a_i, (𝒜X)_i = c a_iᵀ sym(X) b_i. */
    spec = spec_of(1);
    CHECK(fs_problem_generate(p, "rank_one", &spec) == FS_OK);
    double a[M * N], b[M * N], scale = 0, measured[M];
    CHECK(fs_problem_copy_rank_one(p, a, M * N, b, M * N, &scale) == FS_OK);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK(fs_problem_apply(p, x, N * N, measured, M) == FS_OK);
    double worst = 0;
    for (int i = 0; i < M; i++) {
        double sum = 0;
        for (int p1 = 0; p1 < N; p1++)
            for (int q = 0; q < N; q++) sum += a[i * N + p1] * 0.5 * (x[p1 * N + q] + x[q * N + p1]) * b[i * N + q];
        worst = fmax(worst, fabs(scale * sum - measured[i]));
    }
    CHECK(worst <= 1e-12);

    fs_problem_free(p);
    return finish();
}
