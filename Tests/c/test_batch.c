/*
 * C tests of fs_gradient_descent_batch: each trial's result bit for bit that of
 * fs_gradient_descent with the same options (factors and history), the statuses, a trial that
 * fails on its own, and every refusal before the trials run (NULL arrays, count, a result given
 * twice, a dead handle, a progress callback), with the message on fs_last_error(problem).
 * The instruction set of the dense kernels is one of three, and the one FACTORSENSE_KERNEL_ISA
 * asks for when that is the baseline (which every machine runs); `make test-c` runs this
 * program once more on each instruction set, so the bit equality holds on each.
 * Prints "N passed, M failed" and exits nonzero on any failure. An optional argument (the
 * memory checks' iteration budget) caps max_iter.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

enum { N1 = 12, N2 = 9, TRIALS = 4 };

/* Not a status: what the statuses hold before a call writes them. */
#define UNSET ((fs_status)77)

static int64_t max_iter = 150;

static fs_problem *gaussian_problem(void) {
    fs_problem *problem = NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = 2;
    spec.measurements = 300;
    spec.seed = 3;
    if (fs_problem_create(&problem) != FS_OK || fs_problem_generate(problem, "gaussian", &spec) != FS_OK) return NULL;
    return problem;
}

static fs_options *trial_options(int64_t seed, double scale, double step, int64_t width) {
    fs_options *options = NULL;
    if (fs_options_create(&options) != FS_OK) return NULL;
    fs_options_set_int(options, "seed", seed);
    fs_options_set_int(options, "width", width);
    fs_options_set_int(options, "max_iter", max_iter);
    fs_options_set_int(options, "record_every", 10);
    fs_options_set_real(options, "init_scale", scale);
    fs_options_set_real(options, "step", step);
    return options;
}

/* Whether two results hold the same bits: factors, iterations, stop reason, loss history. */
static int same_result(const fs_result *a, const fs_result *b) {
    int64_t n1, n2, ka, kb, ia, ib, rows_a, rows_b;
    fs_stop_reason reason_a, reason_b;
    if (fs_result_get_shape(a, &n1, &n2, &ka) != FS_OK || fs_result_get_shape(b, &n1, &n2, &kb) != FS_OK || ka != kb) return 0;
    if (fs_result_get_iterations(a, &ia) != FS_OK || fs_result_get_iterations(b, &ib) != FS_OK || ia != ib) return 0;
    if (fs_result_get_stop_reason(a, &reason_a) != FS_OK || fs_result_get_stop_reason(b, &reason_b) != FS_OK) return 0;
    if (fs_result_get_history_length(a, &rows_a) != FS_OK || fs_result_get_history_length(b, &rows_b) != FS_OK) return 0;
    size_t u = (size_t)(N1 * ka), v = (size_t)(N2 * ka), h = (size_t)rows_a;
    double *buffers = calloc(2 * (u + v + h) + 1, sizeof(double));
    if (buffers == NULL) return 0;
    double *ua = buffers, *va = ua + u, *ub = va + v, *vb = ub + u, *ha = vb + v, *hb = ha + h;
    int same = reason_a == reason_b && rows_a == rows_b
               && fs_result_copy_factors(a, ua, (int64_t)u, va, (int64_t)v) == FS_OK
               && fs_result_copy_factors(b, ub, (int64_t)u, vb, (int64_t)v) == FS_OK
               && fs_result_copy_history(a, "loss", ha, rows_a) == FS_OK && fs_result_copy_history(b, "loss", hb, rows_b) == FS_OK
               && memcmp(ua, ub, u * sizeof(double)) == 0 && memcmp(va, vb, v * sizeof(double)) == 0
               && memcmp(ha, hb, h * sizeof(double)) == 0;
    free(buffers);
    return same;
}

static int quiet(void *user, const fs_progress *progress) {
    (void)user;
    (void)progress;
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) max_iter = atoll(argv[1]) < max_iter ? atoll(argv[1]) : max_iter;
    const char *isa = fs_kernel_instruction_set(), *asked = getenv("FACTORSENSE_KERNEL_ISA");
    CHECK(isa != NULL && (strcmp(isa, "avx512") == 0 || strcmp(isa, "avx2") == 0 || strcmp(isa, "baseline") == 0));
    if (asked != NULL && strcmp(asked, "baseline") == 0) CHECK(isa != NULL && strcmp(isa, "baseline") == 0);
    fs_problem *problem = gaussian_problem();
    CHECK(problem != NULL);
    fs_options *options[TRIALS] = {
        trial_options(0, 1e-3, 0.2, 4), trial_options(1, 1e-2, 0.1, 3), trial_options(2, 1e-3, 80.0, 4), trial_options(3, 1e-1, 0.2, 5)};
    fs_result *results[TRIALS], *alone = NULL;
    fs_status statuses[TRIALS] = {UNSET, UNSET, UNSET, UNSET};
    for (int i = 0; i < TRIALS; i++) CHECK(options[i] != NULL && fs_result_create(&results[i]) == FS_OK);
    CHECK(fs_result_create(&alone) == FS_OK);

    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, TRIALS, statuses) == FS_OK);
    for (int i = 0; i < TRIALS; i++) {
        CHECK(statuses[i] == FS_OK);
        CHECK(fs_gradient_descent(problem, options[i], alone) == FS_OK);
        CHECK(same_result(results[i], alone));
    }
    fs_stop_reason reason = FS_STOP_NONE;
    CHECK(fs_result_get_stop_reason(results[2], &reason) == FS_OK && reason == FS_STOP_DIVERGED);  /* step 80 */

    /* A trial refused by its run: width above min(n1, n2) with a spectral start. */
    fs_options_set_text(options[1], "init", "spectral");
    fs_options_set_int(options[1], "width", 20);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, TRIALS, statuses) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(statuses[0] == FS_OK && statuses[1] == FS_ERROR_INVALID_ARGUMENT && statuses[3] == FS_OK);
    CHECK(strstr(fs_last_error(results[1]), "spectral") != NULL);
    fs_options_set_text(options[1], "init", "random");
    fs_options_set_int(options[1], "width", 3);

    /* Refusals before any trial runs: statuses untouched, message on the problem. */
    fs_status untouched[TRIALS] = {UNSET, UNSET, UNSET, UNSET};
    CHECK(fs_gradient_descent_batch(problem, NULL, results, TRIALS, untouched) == FS_ERROR_NULL_POINTER);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, NULL, TRIALS, untouched) == FS_ERROR_NULL_POINTER);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, TRIALS, NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, 0, untouched) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "count") != NULL);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, -5, untouched) == FS_ERROR_INVALID_ARGUMENT);
    fs_result *twice[2] = {results[0], results[0]};
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, twice, 2, untouched) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "twice") != NULL);
    fs_options *dead = trial_options(9, 1e-3, 0.1, 2);
    fs_options_free(dead);
    fs_options *with_dead[2] = {options[0], dead};
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)with_dead, results, 2, untouched) == FS_ERROR_INVALID_HANDLE);
    CHECK(strstr(fs_last_error(problem), "options[1]") != NULL);
    CHECK(fs_gradient_descent_batch(NULL, (const fs_options *const *)options, results, TRIALS, untouched) == FS_ERROR_INVALID_HANDLE);
    CHECK(fs_options_set_progress(options[3], quiet, NULL) == FS_OK);
    CHECK(fs_gradient_descent_batch(problem, (const fs_options *const *)options, results, TRIALS, untouched) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(strstr(fs_last_error(problem), "callback") != NULL);
    for (int i = 0; i < TRIALS; i++) CHECK(untouched[i] == UNSET);

    fs_result_free(alone);
    for (int i = 0; i < TRIALS; i++) {
        fs_result_free(results[i]);
        fs_options_free(options[i]);
    }
    fs_problem_free(problem);
    return finish();
}
