/*
 * C tests of the problem families and low-level calls (fs_problem_generate, fs_problem_set_entries,
 * the PSD parameterization, text options, apply / adjoint / loss-and-gradient), against formulas
 * computed here in plain C. Prints "N passed, M failed" and exits nonzero on any failure.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"


static fs_problem *generated(const char *kind, int64_t n1, int64_t n2, int64_t rank, int64_t m, int psd) {
    fs_problem *problem = NULL;
    if (fs_problem_create(&problem) != FS_OK) return NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = n1;
    spec.n2 = n2;
    spec.rank = rank;
    spec.measurements = m;
    spec.psd = psd;
    spec.seed = 3;
    if (fs_problem_generate(problem, kind, &spec) != FS_OK) {
        fprintf(stderr, "generate %s: %s\n", kind, fs_last_error(problem));
        fs_problem_free(problem);
        return NULL;
    }
    return problem;
}

/* ⟨𝒜X, ρ⟩ = ⟨X, 𝒜*ρ⟩ for random X and ρ. */
static void test_adjoint_identity(const char *kind, int psd) {
    int square = psd || strcmp(kind, "symmetric_gaussian") == 0;
    fs_problem *p = generated(kind, 6, square ? 6 : 5, 2, 20, psd);
    CHECK(p != NULL);
    if (p == NULL) return;
    int64_t n1, n2, m;
    CHECK(fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK);
    double *x = malloc((size_t)(n1 * n2) * sizeof *x), *g = malloc((size_t)(n1 * n2) * sizeof *g);
    double *ax = malloc((size_t)m * sizeof *ax), *rho = malloc((size_t)m * sizeof *rho);
    if (x && g && ax && rho) {
        for (int64_t i = 0; i < n1 * n2; i++) x[i] = sin(1.0 + (double)i);
        for (int64_t i = 0; i < m; i++) rho[i] = cos(2.0 + (double)i);
        CHECK(fs_problem_apply(p, x, n1 * n2, ax, m) == FS_OK);
        CHECK(fs_problem_adjoint(p, rho, m, g, n1 * n2) == FS_OK);
        double lhs = 0, rhs = 0;
        for (int64_t i = 0; i < m; i++) lhs += ax[i] * rho[i];
        for (int64_t i = 0; i < n1 * n2; i++) rhs += x[i] * g[i];
        CHECK(fabs(lhs - rhs) <= 1e-12 * fmax(1.0, fabs(lhs)));
        CHECK(fs_problem_apply(p, x, n1 * n2 - 1, ax, m) == FS_ERROR_SIZE_MISMATCH);
        x[0] = NAN;
        CHECK(fs_problem_apply(p, x, n1 * n2, ax, m) == FS_ERROR_NOT_FINITE);
    }
    free(x); free(g); free(ax); free(rho);
    fs_problem_free(p);
}

/* The user's entries: 𝒜X picks scale·X_ab; the loss and gradient match the formulas. */
static void test_entries(void) {
    const int64_t rows[3] = {0, 1, 2}, cols[3] = {1, 0, 1};
    const double values[3] = {1.0, -2.0, 0.5};
    fs_problem *p = NULL;
    CHECK(fs_problem_create(&p) == FS_OK);
    CHECK(fs_problem_set_entries(p, 3, 2, 3, rows, cols, values, 3, 2.0, NULL, 0) == FS_OK);
    const char *kind = NULL;
    CHECK(fs_problem_get_operator_kind(p, &kind) == FS_OK && strcmp(kind, "entries") == 0);
    int64_t r[3], c[3];
    double scale = 0;
    CHECK(fs_problem_copy_entries(p, r, c, 3, &scale) == FS_OK && scale == 2.0 && r[2] == 2 && c[1] == 0);

    const double U[3 * 1] = {1, 2, 3}, V[2 * 1] = {4, 5};
    double loss = 0, gU[3], gV[2];
    CHECK(fs_problem_loss_and_gradient(p, 1, U, 3, V, 2, &loss, gU, 3, gV, 2) == FS_OK);
    /* ρ_i = 2·U_a V_b − y_i: (2·5 − 1, 2·8 + 2, 2·15 − 0.5) */
    const double rho[3] = {9.0, 18.0, 29.5};
    CHECK(fabs(loss - 0.5 * (rho[0] * rho[0] + rho[1] * rho[1] + rho[2] * rho[2])) < 1e-12);
    /* G = 2 Σ ρ_i e_a e_bᵀ; gU = G V, gV = Gᵀ U */
    CHECK(fabs(gU[0] - 2 * rho[0] * 5) < 1e-12 && fabs(gU[1] - 2 * rho[1] * 4) < 1e-12 && fabs(gU[2] - 2 * rho[2] * 5) < 1e-12);
    CHECK(fabs(gV[0] - 2 * rho[1] * 2) < 1e-12 && fabs(gV[1] - (2 * rho[0] * 1 + 2 * rho[2] * 3)) < 1e-12);

    const int64_t repeated[2] = {0, 0}, out_of_range[1] = {3};
    CHECK(fs_problem_set_entries(p, 3, 2, 2, repeated, repeated, values, 2, 1.0, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strlen(fs_last_error(p)) > 0);
    CHECK(fs_problem_set_entries(p, 3, 2, 1, out_of_range, cols, values, 1, 1.0, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_set_entries(p, 3, 2, 3, rows, cols, values, 2, 1.0, NULL, 0) == FS_ERROR_SIZE_MISMATCH);
    CHECK(fs_problem_set_entries(p, 3, 2, 3, rows, NULL, values, 3, 1.0, NULL, 0) == FS_ERROR_NULL_POINTER);
    /* The failed calls left the problem as it was. */
    CHECK(fs_problem_copy_entries(p, r, c, 3, &scale) == FS_OK && scale == 2.0);
    fs_problem_free(p);
}

/* PSD: one factor, f = ¼‖𝒜(UUᵀ) − y‖², ∇f = ½(G + Gᵀ)U; identity operator so G = UUᵀ − Σ. */
static void test_psd_gradient(void) {
    fs_problem *p = generated("identity", 3, 3, 1, 0, 1);
    CHECK(p != NULL);
    if (p == NULL) return;
    int symmetric = 0;
    CHECK(fs_problem_is_symmetric(p, &symmetric) == FS_OK && symmetric == 1);
    double sigma[9];
    CHECK(fs_problem_copy_measurements(p, sigma, 9) == FS_OK);
    const double U[3 * 2] = {0.1, -0.2, 0.3, 0.4, -0.5, 0.6};
    double g[9], expected_loss = 0, expected[6] = {0};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            double x = U[i * 2] * U[j * 2] + U[i * 2 + 1] * U[j * 2 + 1];
            g[i * 3 + j] = x - sigma[i * 3 + j];
            expected_loss += 0.25 * g[i * 3 + j] * g[i * 3 + j];
        }
    }
    for (int i = 0; i < 3; i++)
        for (int c = 0; c < 2; c++)
            for (int j = 0; j < 3; j++) expected[i * 2 + c] += 0.5 * (g[i * 3 + j] + g[j * 3 + i]) * U[j * 2 + c];
    double loss = 0, gU[6];
    CHECK(fs_problem_loss_and_gradient(p, 2, U, 6, NULL, 0, &loss, gU, 6, NULL, 0) == FS_OK);
    CHECK(fabs(loss - expected_loss) < 1e-14);
    for (int i = 0; i < 6; i++) CHECK(fabs(gU[i] - expected[i]) < 1e-14);
    CHECK(fs_problem_loss_and_gradient(p, 2, U, 6, U, 6, &loss, gU, 6, NULL, 0) == FS_ERROR_INVALID_ARGUMENT);
    fs_problem_free(p);

    fs_problem *rect = generated("gaussian", 4, 3, 1, 10, 0);
    CHECK(rect != NULL && fs_problem_set_symmetric(rect, 1) == FS_ERROR_INVALID_ARGUMENT);
    fs_problem_free(rect);
}

/* The identity operator's pass over fixed blocks of rows of X, large enough (n1·n2·k ≥ 2¹⁹) to run
   them in parallel: loss ½‖ρ‖², ∇_U = ρV and ∇_V = ρᵀU with ρ = UVᵀ − X⋆, summed here row by row. */
static void test_factorization_row_blocks(void) {
    enum { N1 = 410, N2 = 330, K = 4 };
    fs_problem *p = generated("identity", N1, N2, 2, 0, 0);
    CHECK(p != NULL);
    if (p == NULL) return;
    double *target = malloc(sizeof(double) * N1 * N2);
    double *U = malloc(sizeof(double) * N1 * K), *V = malloc(sizeof(double) * N2 * K);
    double *gU = malloc(sizeof(double) * N1 * K), *gV = malloc(sizeof(double) * N2 * K);
    double *eU = calloc(N1 * K, sizeof(double)), *eV = calloc(N2 * K, sizeof(double));
    CHECK(target && U && V && gU && gV && eU && eV);
    if (target && U && V && gU && gV && eU && eV) {
        CHECK(fs_problem_copy_measurements(p, target, N1 * N2) == FS_OK);
        for (int i = 0; i < N1 * K; i++) U[i] = sin(0.37 * i + 0.1);
        for (int i = 0; i < N2 * K; i++) V[i] = cos(0.53 * i - 0.2);
        double expected_loss = 0;
        for (int i = 0; i < N1; i++) {
            for (int j = 0; j < N2; j++) {
                double x = 0;
                for (int c = 0; c < K; c++) x += U[i * K + c] * V[j * K + c];
                double r = x - target[i * N2 + j];
                expected_loss += 0.5 * r * r;
                for (int c = 0; c < K; c++) {
                    eU[i * K + c] += r * V[j * K + c];
                    eV[j * K + c] += r * U[i * K + c];
                }
            }
        }
        double loss = 0;
        CHECK(fs_problem_loss_and_gradient(p, K, U, N1 * K, V, N2 * K, &loss, gU, N1 * K, gV, N2 * K) == FS_OK);
        CHECK(fabs(loss - expected_loss) <= 1e-12 * expected_loss);
        double worst = 0;
        for (int i = 0; i < N1 * K; i++) worst = fmax(worst, fabs(gU[i] - eU[i]) / (1 + fabs(eU[i])));
        for (int i = 0; i < N2 * K; i++) worst = fmax(worst, fabs(gV[i] - eV[i]) / (1 + fabs(eV[i])));
        CHECK(worst <= 1e-11);
    }
    free(target); free(U); free(V); free(gU); free(gV); free(eU); free(eV);
    fs_problem_free(p);
}

/* A PSD run from U0 alone, spectral init, text options and the family errors. */
static void test_runs_and_options(void) {
    fs_problem *p = generated("symmetric_gaussian", 8, 8, 1, 80, 1);
    fs_options *o = NULL;
    fs_result *r = NULL;
    CHECK(p != NULL && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);
    double U0[8 * 3];
    for (int i = 0; i < 24; i++) U0[i] = 1e-3 * sin((double)i);
    CHECK(fs_options_set_initial_factors(o, 8, 8, 3, U0, 24, NULL, 0) == FS_OK);
    CHECK(fs_options_set_real(o, "step", 0.5) == FS_OK && fs_options_set_int(o, "max_iter", 50) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    double U[24], V[24];
    CHECK(fs_result_copy_factors(r, U, 24, V, 24) == FS_OK && memcmp(U, V, sizeof U) == 0);

    const char *text = NULL;
    CHECK(fs_options_get_text(o, "init", &text) == FS_OK && strcmp(text, "random") == 0);
    CHECK(fs_options_set_text(o, "init", "spectral") == FS_OK);
    CHECK(fs_options_get_text(o, "init", &text) == FS_OK && strcmp(text, "spectral") == 0);
    CHECK(fs_options_set_text(o, "init", "magic") == FS_ERROR_INVALID_ARGUMENT && strstr(fs_last_error(o), "spectral") != NULL);
    CHECK(fs_options_set_text(o, "preconditioner", "scaled") == FS_OK);
    CHECK(fs_options_set_text(o, "colour", "red") == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_text(o, "init", NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_options_clear_initial_factors(o) == FS_OK && fs_options_set_int(o, "width", 9) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_ERROR_INVALID_ARGUMENT); /* spectral width > n */
    CHECK(strstr(fs_last_error(r), "spectral") != NULL);
    CHECK(fs_options_set_real(o, "balancing", -1) == FS_ERROR_INVALID_ARGUMENT);
    /* X = UUᵀ is balanced by construction: a PSD problem refuses balancing > 0. */
    fs_options *balanced = NULL;
    CHECK(fs_options_create(&balanced) == FS_OK && fs_options_set_int(balanced, "width", 2) == FS_OK);
    CHECK(fs_options_set_real(balanced, "balancing", 0.5) == FS_OK);
    CHECK(fs_gradient_descent(p, balanced, r) == FS_ERROR_INVALID_ARGUMENT && strstr(fs_last_error(r), "balancing") != NULL);
    fs_options_free(balanced);
    CHECK(fs_options_set_int(o, "batch_size", -1) == FS_ERROR_INVALID_ARGUMENT);

    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = 4; spec.n2 = 3; spec.rank = 1; spec.measurements = 5;
    CHECK(fs_problem_generate(p, "telepathy", &spec) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_generate(p, "gaussian", NULL) == FS_ERROR_NULL_POINTER);
    spec.struct_size = 8;
    CHECK(fs_problem_generate(p, "gaussian", &spec) == FS_ERROR_INVALID_ARGUMENT);
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = 4; spec.n2 = 3; spec.rank = 1; spec.measurements = 5; spec.psd = 1;
    CHECK(fs_problem_generate(p, "gaussian", &spec) == FS_ERROR_INVALID_ARGUMENT);      /* PSD needs n1 = n2 */
    spec.psd = 0; spec.measurements = 13;
    CHECK(fs_problem_generate(p, "completion", &spec) == FS_ERROR_INVALID_ARGUMENT);    /* m > n1·n2 */
    spec.spectrum = 7;
    CHECK(fs_problem_generate(p, "gaussian", &spec) == FS_ERROR_INVALID_ARGUMENT);
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = INT64_MAX / 2; spec.n2 = INT64_MAX / 2; spec.rank = 1; spec.measurements = INT64_MAX / 2;
    CHECK(fs_problem_generate(p, "rank_one", &spec) == FS_ERROR_OVERFLOW);
    CHECK(fs_problem_generate(p, "completion", &spec) == FS_ERROR_OVERFLOW);
    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
}

/* The spectral start U₀V₀ᵀ of `kind` (40 × 30, PSD or not) by one spectral method; 0 on success. */
static int spectral_product(fs_problem *p, const char *method, double *product) {
    enum { N1 = 40, N2 = 30, K = 3 };
    fs_options *o = NULL;
    fs_result *r = NULL;
    double U[N1 * K], V[N2 * K];
    int ok = fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK
             && fs_options_set_text(o, "init", "spectral") == FS_OK && fs_options_set_text(o, "spectral_method", method) == FS_OK
             && fs_options_set_int(o, "width", K) == FS_OK && fs_options_set_int(o, "max_iter", 0) == FS_OK
             && fs_gradient_descent(p, o, r) == FS_OK && fs_result_copy_factors(r, U, N1 * K, V, N2 * K) == FS_OK;
    if (ok) {
        for (int i = 0; i < N1; i++)
            for (int j = 0; j < N2; j++) {
                double sum = 0;
                for (int c = 0; c < K; c++) sum += U[i * K + c] * V[j * K + c];
                product[i * N2 + j] = sum;
            }
    }
    fs_result_free(r);
    fs_options_free(o);
    return ok ? 0 : -1;
}

/* "spectral_method": the text option, and the iterative start equal to the dense one to 1e-9
 * (relative to the largest entry) for the completion and rank-one operators it runs matrix-free. */
static void test_spectral_methods(void) {
    const char *kinds[] = {"completion", "rank_one", "gaussian"};
    static double dense[40 * 30], iterative[40 * 30];
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        fs_problem *p = generated(kinds[k], 40, 30, 2, 900, 0);
        CHECK(p != NULL);
        if (p == NULL) continue;
        CHECK(spectral_product(p, "dense", dense) == 0 && spectral_product(p, "iterative", iterative) == 0);
        double largest = 0, difference = 0;
        for (int i = 0; i < 40 * 30; i++) {
            largest = fmax(largest, fabs(dense[i]));
            difference = fmax(difference, fabs(dense[i] - iterative[i]));
        }
        CHECK(largest > 0 && difference <= 1e-9 * largest);
        fs_problem_free(p);
    }
    fs_options *o = NULL;
    const char *text = NULL;
    CHECK(fs_options_create(&o) == FS_OK);
    CHECK(fs_options_get_text(o, "spectral_method", &text) == FS_OK && strcmp(text, "auto") == 0);
    CHECK(fs_options_set_text(o, "spectral_method", "iterative") == FS_OK);
    CHECK(fs_options_get_text(o, "spectral_method", &text) == FS_OK && strcmp(text, "iterative") == 0);
    CHECK(fs_options_set_text(o, "spectral_method", "lanczos") == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(o), "\"dense\"") != NULL);
    CHECK(fs_options_get_text(o, "spectral_method", &text) == FS_OK && strcmp(text, "iterative") == 0);
    fs_options_free(o);
}

/* init_ratio ρ: V₀ = (ρα/√k)·N(0, 1) from the same draws, so ρ = 4 gives exactly 4·V₀ and the
 * same U₀; refused outside (0, ∞), on a PSD problem (no V₀) and with the spectral start. */
static void test_init_ratio(void) {
    fs_problem *p = generated("gaussian", 7, 5, 2, 40, 0), *psd = generated("gaussian", 6, 6, 2, 40, 1);
    fs_options *o = NULL;
    fs_result *r = NULL;
    CHECK(p != NULL && psd != NULL && fs_options_create(&o) == FS_OK && fs_result_create(&r) == FS_OK);
    if (p == NULL || psd == NULL || o == NULL || r == NULL) return;
    double U1[21], V1[15], U4[21], V4[15];
    CHECK(fs_options_set_int(o, "width", 3) == FS_OK && fs_options_set_int(o, "max_iter", 0) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK && fs_result_copy_factors(r, U1, 21, V1, 15) == FS_OK);
    CHECK(fs_options_set_real(o, "init_ratio", 4) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK && fs_result_copy_factors(r, U4, 21, V4, 15) == FS_OK);
    int same_u = 1, scaled_v = 1;
    for (int i = 0; i < 21; i++) same_u &= U4[i] == U1[i];
    for (int i = 0; i < 15; i++) scaled_v &= V4[i] == 4 * V1[i] && V1[i] != 0;
    CHECK(same_u && scaled_v);
    CHECK(fs_gradient_descent(psd, o, r) == FS_ERROR_INVALID_ARGUMENT && strstr(fs_last_error(r), "init_ratio") != NULL);
    CHECK(fs_options_set_text(o, "init", "spectral") == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_ERROR_INVALID_ARGUMENT && strstr(fs_last_error(r), "spectral") != NULL);
    CHECK(fs_options_set_real(o, "init_ratio", 0) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_real(o, "init_ratio", NAN) == FS_ERROR_NOT_FINITE);
    double ratio = 0;
    CHECK(fs_options_get_real(o, "init_ratio", &ratio) == FS_OK && ratio == 4);
    fs_result_free(r);
    fs_options_free(o);
    fs_problem_free(p);
    fs_problem_free(psd);
}

int main(void) {
    const char *kinds[] = {"gaussian", "symmetric_gaussian", "identity", "completion", "rank_one"};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        test_adjoint_identity(kinds[i], 0);
        test_adjoint_identity(kinds[i], 1);
    }
    test_entries();
    test_psd_gradient();
    test_factorization_row_blocks();
    test_runs_and_options();
    test_spectral_methods();
    test_init_ratio();
    return finish();
}
