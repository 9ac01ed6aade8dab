/*
 * C tests of the diagnostics, phases and factor-carrying progress of factorsense.h: column names
 * and widths, copies of matrix-valued columns, scalar diagnostics recomputed here from the
 * returned factors and singular values (imbalance, effective and numerical rank), the factors
 * the callback sees, the phases struct, and bad input (unknown names, thresholds, counts, wrong
 * lengths) with outputs left untouched.
 *
 * CHECK (check.h) counts passes and failures; the last line is "N passed, M failed".
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"
#include "check.h"

#define MENTIONS(handle, word) CHECK(strstr(fs_last_error(handle), (word)) != NULL)

enum { N1 = 12, N2 = 9, RANK = 2, M = 150, WIDTH = 4, STEPS = 40, EVERY = 10 };

/* What the callback saw at the last iterate it was called with. */
typedef struct seen {
    int64_t iteration, n1, n2, width;
    double U[N1 * WIDTH], V[N2 * WIDTH];
} seen;

static int remember(void *user, const fs_progress *p) {
    seen *s = user;
    if (p->struct_size < sizeof(fs_progress) || p->U == NULL || p->V == NULL) return 1;
    s->iteration = p->iteration;
    s->n1 = p->n1;
    s->n2 = p->n2;
    s->width = p->width;
    if (p->n1 * p->width <= N1 * WIDTH && p->n2 * p->width <= N2 * WIDTH) {
        memcpy(s->U, p->U, (size_t)(p->n1 * p->width) * sizeof(double));
        memcpy(s->V, p->V, (size_t)(p->n2 * p->width) * sizeof(double));
    }
    return 0;
}

/* ‖UᵀU − VᵀV‖_F for row-major n × k factors. */
static double imbalance(const double *U, const double *V, int n1, int n2, int k) {
    double total = 0;
    for (int a = 0; a < k; a++)
        for (int b = 0; b < k; b++) {
            double d = 0;
            for (int i = 0; i < n1; i++) d += U[i * k + a] * U[i * k + b];
            for (int i = 0; i < n2; i++) d -= V[i * k + a] * V[i * k + b];
            total += d * d;
        }
    return sqrt(total);
}

static fs_problem *gaussian_problem(void) {
    fs_problem *p = NULL;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = RANK;
    spec.measurements = M;
    spec.condition_number = 2;
    spec.seed = 5;
    if (fs_problem_create(&p) != FS_OK || fs_problem_generate(p, "gaussian", &spec) != FS_OK) {
        fprintf(stderr, "cannot generate the test problem\n");
        exit(2);
    }
    return p;
}

static fs_options *options_for(const char *diagnostics) {
    fs_options *o = NULL;
    if (fs_options_create(&o) != FS_OK) exit(2);
    fs_options_set_int(o, "width", WIDTH);
    fs_options_set_int(o, "max_iter", STEPS);
    fs_options_set_int(o, "record_every", EVERY);
    fs_options_set_real(o, "init_scale", 0.1);
    fs_options_set_real(o, "step", 0.3);
    fs_options_set_text(o, "diagnostics", diagnostics);
    return o;
}

static void test_columns_and_values(fs_problem *p) {
    fs_options *o = options_for("all");
    seen s;
    memset(&s, 0, sizeof s);
    CHECK(fs_options_set_progress(o, remember, &s) == FS_OK);
    fs_result *r = NULL;
    CHECK(fs_result_create(&r) == FS_OK);
    int64_t count = 0, rows = 0, width = 0;
    CHECK(fs_result_get_history_column_count(r, &count) == FS_OK && count == 5);  /* no run yet */
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    CHECK(fs_result_get_history_column_count(r, &count) == FS_OK && count == 17);
    CHECK(fs_result_get_history_length(r, &rows) == FS_OK && rows == STEPS / EVERY + 1);
    const char *name = NULL;
    CHECK(fs_result_get_history_column_name(r, 5, &name) == FS_OK && strcmp(name, "singular_values") == 0);
    CHECK(fs_result_get_history_column_name(r, 16, &name) == FS_OK && strcmp(name, "perturbation_frobenius") == 0);
    CHECK(fs_result_get_history_column_width(r, "singular_values", &width) == FS_OK && width == WIDTH);
    CHECK(fs_result_get_history_column_width(r, "imbalance", &width) == FS_OK && width == 1);

    double sigma[(STEPS / EVERY + 1) * WIDTH], effective[STEPS / EVERY + 1], numerical[STEPS / EVERY + 1],
        balance[STEPS / EVERY + 1];
    CHECK(fs_result_copy_history(r, "singular_values", sigma, rows * WIDTH) == FS_OK);
    CHECK(fs_result_copy_history(r, "effective_rank", effective, rows) == FS_OK);
    CHECK(fs_result_copy_history(r, "numerical_rank", numerical, rows) == FS_OK);
    CHECK(fs_result_copy_history(r, "imbalance", balance, rows) == FS_OK);
    for (int64_t i = 0; i < rows; i++) {
        const double *row = sigma + i * WIDTH;
        double total = 0, entropy = 0;
        int above = 0;
        for (int j = 0; j < WIDTH; j++) total += row[j];
        for (int j = 0; j < WIDTH; j++) {
            if (j > 0) CHECK(row[j] <= row[j - 1]);
            if (row[j] > 0) entropy -= row[j] / total * log(row[j] / total);
            above += row[j] > 1e-3 * row[0];
        }
        CHECK(fabs(effective[i] - exp(entropy)) <= 1e-12 * exp(entropy));
        CHECK(numerical[i] == above);
    }

    /* The callback saw the final factors, which are the result's; the last imbalance is theirs. */
    double U[N1 * WIDTH], V[N2 * WIDTH];
    CHECK(fs_result_copy_factors(r, U, N1 * WIDTH, V, N2 * WIDTH) == FS_OK);
    CHECK(s.iteration == STEPS && s.n1 == N1 && s.n2 == N2 && s.width == WIDTH);
    CHECK(memcmp(s.U, U, sizeof U) == 0 && memcmp(s.V, V, sizeof V) == 0);
    double expected = imbalance(U, V, N1, N2, WIDTH);
    CHECK(fabs(balance[rows - 1] - expected) <= 1e-12 * (1 + expected));

    /* Bad reads leave the output untouched and name the problem. */
    double untouched[4] = {7, 7, 7, 7};
    CHECK(fs_result_copy_history(r, "singular_values", untouched, rows) == FS_ERROR_SIZE_MISMATCH);
    CHECK(untouched[0] == 7 && untouched[3] == 7);
    CHECK(fs_result_copy_history(r, "curvature", untouched, rows) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(r, "imbalance");
    CHECK(fs_result_get_history_column_width(r, "curvature", &width) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_result_get_history_column_width(r, "loss", NULL) == FS_ERROR_NULL_POINTER);
    CHECK(fs_result_get_history_column_name(r, 17, &name) == FS_ERROR_INVALID_ARGUMENT);
    fs_result_free(r);
    fs_options_free(o);
}

/* The options of a run that shows its phases: 400 iterations from α = 1e-4, every one recorded. */
static fs_options *phase_options(void) {
    fs_options *o = options_for("default");
    fs_options_set_int(o, "max_iter", 400);
    fs_options_set_int(o, "record_every", 1);
    fs_options_set_real(o, "init_scale", 1e-4);
    return o;
}

static void test_phases(fs_problem *p) {
    fs_options *o = phase_options();
    fs_result *r = NULL;
    fs_result_create(&r);
    fs_phases phases;
    phases.struct_size = sizeof phases;
    CHECK(fs_result_get_phases(r, &phases) == FS_ERROR_WRONG_STATE);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    CHECK(fs_result_get_phases(r, NULL) == FS_ERROR_NULL_POINTER);
    phases.struct_size = sizeof(size_t);
    CHECK(fs_result_get_phases(r, &phases) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(r, "struct_size");
    phases.struct_size = sizeof phases;
    CHECK(fs_result_get_phases(r, &phases) == FS_OK);
    CHECK(phases.saddle_end > 0 && phases.saddle_end < 400);
    CHECK(phases.learning_time_count == RANK);
    int64_t times[RANK] = {-7, -7}, sentinel[1] = {-7};
    double clock[RANK] = {-7, -7};
    CHECK(fs_result_copy_learning_times(r, sentinel, NULL, 1) == FS_ERROR_SIZE_MISMATCH && sentinel[0] == -7);
    CHECK(fs_result_copy_learning_times(r, NULL, NULL, RANK) == FS_ERROR_NULL_POINTER);
    CHECK(fs_result_copy_learning_times(r, times, NULL, RANK) == FS_OK);
    CHECK(times[0] >= 0 && times[0] <= times[1] && times[1] == phases.saddle_end);
    CHECK(fs_result_copy_learning_times(r, NULL, clock, RANK) == FS_OK);
    CHECK(clock[0] == 0.3 * (double)times[0] && clock[1] == 0.3 * (double)times[1]);
    CHECK(phases.saddle_end_time == 0.3 * (double)phases.saddle_end);
    CHECK(isnan(phases.plateau_start_time) == (phases.plateau_start < 0));
    /* Since 0.5: the run recovered, so its phases are named; (I) ends before (II) by either rule. */
    CHECK(phases.recovered == 1);
    CHECK(phases.still_improving == (phases.plateau_start < 0));
    CHECK(phases.signal_end >= 0 && phases.signal_end <= phases.saddle_end);
    CHECK(phases.signal_end_time == 0.3 * (double)phases.signal_end);
    CHECK(phases.alignment_end < 0 || phases.alignment_end <= phases.saddle_end);
    CHECK(phases.spectral_angle_left >= 0 && phases.spectral_angle_left < 1);
    CHECK(phases.spectral_angle_right >= 0 && phases.spectral_angle_right < 1);
    /* Iterations to ε and the trajectory's minimum, against a reading of the copied record. */
    int64_t rows = 0;
    CHECK(fs_result_get_history_length(r, &rows) == FS_OK && rows == 401);
    double errors[401], iterations[401];
    CHECK(fs_result_copy_history(r, "test_error", errors, rows) == FS_OK);
    CHECK(fs_result_copy_history(r, "iteration", iterations, rows) == FS_OK);
    int64_t reached = -7, first = -1, at = -7;
    for (int64_t i = 0; i < rows && first < 0; i++) if (errors[i] <= 1e-2) first = (int64_t)iterations[i];
    CHECK(fs_result_iterations_to(r, "test_error", 1e-2, &reached) == FS_OK && reached == first && first > 0);
    CHECK(fs_result_iterations_to(r, "test_error", 1e-300, &reached) == FS_OK && reached == -1);
    reached = -7;
    CHECK(fs_result_iterations_to(r, "test_error", 0.0, &reached) == FS_ERROR_INVALID_ARGUMENT && reached == -7);
    MENTIONS(r, "epsilon");
    CHECK(fs_result_iterations_to(r, "singular_values", 0.1, &reached) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_result_iterations_to(r, "curvature", 0.1, &reached) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_result_iterations_to(r, "test_error", 0.1, NULL) == FS_ERROR_NULL_POINTER);
    double smallest = -7, expected = errors[0];
    int64_t where = 0;
    for (int64_t i = 1; i < rows; i++) if (errors[i] < expected) { expected = errors[i]; where = (int64_t)iterations[i]; }
    CHECK(fs_result_history_minimum(r, "test_error", &smallest, &at) == FS_OK && smallest == expected && at == where);
    CHECK(fs_result_history_minimum(r, "test_error", NULL, NULL) == FS_ERROR_NULL_POINTER);
    /* A caller built against 0.4 passes the smaller struct: the fields past it are not written. */
    unsigned char old[sizeof(fs_phases) + 16];
    memset(old, 0xAB, sizeof old);
    fs_phases *older = (fs_phases *)(void *)old;
    older->struct_size = offsetof(fs_phases, recovered);
    CHECK(fs_result_get_phases(r, older) == FS_OK && older->saddle_end == phases.saddle_end);
    for (size_t i = offsetof(fs_phases, recovered); i < sizeof old; i++) CHECK(old[i] == 0xAB);
    fs_result_free(r);
    fs_options_free(o);
}

/* One missing-value convention (header, "Conventions"): an event a run did not show is −1 as an
 * iteration and NaN as a double, the two together. Stopped between σ_1's and σ_2's learning
 * times, a run has not recovered: no phase is named, σ_2's learning time is missing, σ_1's is not. */
static void test_missing_values(fs_problem *p) {
    fs_options *o = phase_options();
    fs_result *r = NULL;
    fs_result_create(&r);
    int64_t learned[RANK] = {-7, -7};
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    CHECK(fs_result_copy_learning_times(r, learned, NULL, RANK) == FS_OK);
    CHECK(learned[0] > 0 && learned[0] < learned[1]);
    fs_options_set_int(o, "max_iter", learned[0]);
    CHECK(fs_gradient_descent(p, o, r) == FS_OK);
    fs_phases phases;
    memset(&phases, 0x5A, sizeof phases);
    phases.struct_size = sizeof phases;
    CHECK(fs_result_get_phases(r, &phases) == FS_OK);
    CHECK(phases.recovered == 0 && phases.still_improving == 0);
    CHECK(phases.alignment_end == -1 && isnan(phases.alignment_end_time));
    CHECK(phases.signal_end == -1 && isnan(phases.signal_end_time));
    CHECK(phases.saddle_end == -1 && isnan(phases.saddle_end_time));
    CHECK(phases.plateau_start == -1 && isnan(phases.plateau_start_time) && isnan(phases.plateau_level));
    CHECK(isfinite(phases.spectral_angle_left) && isfinite(phases.spectral_angle_right));  /* reported anyway */
    int64_t iterations[RANK] = {-7, -7};
    double times[RANK] = {-7, -7};
    CHECK(fs_result_copy_learning_times(r, iterations, times, RANK) == FS_OK);
    CHECK(iterations[0] == learned[0] && times[0] == 0.3 * (double)learned[0]);
    CHECK(iterations[1] == -1 && isnan(times[1]));
    fs_result_free(r);
    fs_options_free(o);
}

static void test_bad_options(fs_problem *p) {
    fs_options *o = options_for("default");
    const char *text = NULL;
    CHECK(fs_options_set_text(o, "diagnostics", "imbalance, singular_values") == FS_OK);
    CHECK(fs_options_get_text(o, "diagnostics", &text) == FS_OK && strcmp(text, "singular_values,imbalance") == 0);
    CHECK(fs_options_set_text(o, "diagnostics", "imbalance,curvature") == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(o, "curvature");
    MENTIONS(o, "spectral_alignment_left");
    CHECK(fs_options_get_text(o, "diagnostics", &text) == FS_OK && strcmp(text, "singular_values,imbalance") == 0);
    const char *fractions[] = {"alignment_threshold", "saddle_fraction", "plateau_tolerance", "plateau_window"};
    for (int i = 0; i < 4; i++) {
        double value = 0;
        CHECK(fs_options_set_real(o, fractions[i], 0.0) == FS_ERROR_INVALID_ARGUMENT);
        CHECK(fs_options_set_real(o, fractions[i], 1.0) == FS_ERROR_INVALID_ARGUMENT);
        CHECK(fs_options_set_real(o, fractions[i], NAN) == FS_ERROR_NOT_FINITE);
        CHECK(fs_options_set_real(o, fractions[i], 0.25) == FS_OK);
        CHECK(fs_options_get_real(o, fractions[i], &value) == FS_OK && value == 0.25);
    }
    CHECK(fs_options_set_int(o, "singular_value_count", -1) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_options_set_int(o, "singular_value_count", WIDTH + 1) == FS_OK);
    fs_result *r = NULL;
    fs_result_create(&r);
    CHECK(fs_gradient_descent(p, o, r) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(r, "singular_value_count");
    fs_stop_reason reason = FS_STOP_CONVERGED;
    CHECK(fs_result_get_stop_reason(r, &reason) == FS_OK && reason == FS_STOP_NONE);  /* untouched */
    CHECK(fs_options_set_int(o, "singular_value_count", 0) == FS_OK);
    CHECK(fs_options_set_int(o, "rank", N1 + 1) == FS_OK);
    CHECK(fs_gradient_descent(p, o, r) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(r, "rank");
    fs_result_free(r);
    fs_options_free(o);
}

int main(void) {
    fs_problem *p = gaussian_problem();
    test_columns_and_values(p);
    test_phases(p);
    test_missing_values(p);
    test_bad_options(p);
    fs_problem_free(p);
    return finish();
}
