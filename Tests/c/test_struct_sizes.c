/*
 * C tests of the versioned-struct rule (include/factorsense.h, "Versioned structs"): a caller
 * built against an older header — the 0.3 fs_problem_spec, the 0.4 fs_flow_settings and the 0.2
 * fs_phases, declared here as that header declared them — gets its struct filled and read with a
 * guard after it left intact; a caller built against a newer header with a non-zero field the
 * library does not know is refused with a message that says so, and with zeros there is served;
 * a struct_size that is too small or absurd is refused before anything after it is read (a
 * 16-byte struct at the end of a mapped page, the next page PROT_NONE). The perturbation
 * callback gets n1, n2 and k. Prints "N passed, M failed" and exits nonzero on any failure. An
 * optional argument (the memory checks' budget) is accepted and ignored.
 */
#define _DEFAULT_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "factorsense.h"
#include "check.h"

#define MENTIONS(handle, word) CHECK(strstr(fs_last_error(handle), (word)) != NULL)

enum { N1 = 7, N2 = 5, K = 3, M = 100, GUARD = 64 };

/* fs_problem_spec as the 0.3 header declared it (no precision). */
typedef struct spec_0_3 {
    size_t struct_size;
    int64_t n1, n2, rank, measurements;
    double scale, condition_number;
    int32_t spectrum, psd;
    double noise_level;
    uint64_t seed;
} spec_0_3;

/* fs_flow_settings as the 0.3 and 0.4 headers declared it (no sized_callback). */
typedef struct settings_0_4 {
    size_t struct_size;
    const double *times;
    int64_t time_count;
    double rtol, atol;
    int64_t max_evaluations;
    int32_t perturbation;
    fs_perturbation_callback callback;
    void *user;
    int32_t method;
} settings_0_4;

/* fs_phases as the 0.2 header declared it (no times). */
typedef struct phases_0_2 {
    size_t struct_size;
    int64_t alignment_end, saddle_end, plateau_start;
    double plateau_level;
    int64_t learning_time_count;
} phases_0_2;

/* Structs of a newer header: this library's, then a field it does not know. */
typedef struct spec_next { fs_problem_spec known; uint64_t future; } spec_next;
typedef struct settings_next { fs_flow_settings known; uint64_t future; } settings_next;
typedef struct phases_next { fs_phases known; uint64_t future; } phases_next;

static int guard_intact(const unsigned char *guard) {
    for (int i = 0; i < GUARD; i++) if (guard[i] != 0xA5) return 0;
    return 1;
}

static void test_layouts_are_what_the_old_headers_had(void) {
    CHECK(sizeof(spec_0_3) == offsetof(fs_problem_spec, precision));
    CHECK(sizeof(settings_0_4) == offsetof(fs_flow_settings, sized_callback));
    CHECK(sizeof(phases_0_2) == offsetof(fs_phases, alignment_end_time));
    CHECK(sizeof(spec_0_3) < sizeof(fs_problem_spec) && sizeof(settings_0_4) < sizeof(fs_flow_settings));
}

/* An older spec with a guard after it: init writes its 80 bytes, generate reads them, and
 * precision (not sent) is read as FLOAT64. */
static fs_problem *old_spec_problem(void) {
    struct { spec_0_3 spec; unsigned char guard[GUARD]; } old;
    memset(&old, 0x5A, sizeof old);
    memset(old.guard, 0xA5, GUARD);
    CHECK(fs_problem_spec_init((fs_problem_spec *)&old.spec, sizeof old.spec) == FS_OK);
    CHECK(guard_intact(old.guard));
    CHECK(old.spec.struct_size == sizeof old.spec && old.spec.scale == 1 && old.spec.condition_number == 1 &&
          old.spec.spectrum == FS_SPECTRUM_GEOMETRIC && old.spec.psd == 0 && old.spec.seed == 0 && old.spec.n1 == 0);
    old.spec.n1 = N1;
    old.spec.n2 = N2;
    old.spec.rank = 2;
    old.spec.measurements = M;
    old.spec.seed = 4;
    fs_problem *problem = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK);
    CHECK(fs_problem_generate(problem, "gaussian", (const fs_problem_spec *)&old.spec) == FS_OK);
    CHECK(guard_intact(old.guard));
    int32_t precision = -1;
    CHECK(fs_problem_get_precision(problem, &precision) == FS_OK && precision == FS_PRECISION_FLOAT64);
    return problem;
}

static void test_newer_spec(fs_problem *problem) {
    spec_next next;
    memset(&next, 0x5A, sizeof next);
    CHECK(fs_problem_spec_init(&next.known, sizeof next) == FS_OK);
    CHECK(next.known.struct_size == sizeof next && next.future == 0);   /* the unknown field zeroed */
    next.known.n1 = N1;
    next.known.n2 = N2;
    next.known.rank = 2;
    next.known.measurements = M;
    CHECK(fs_problem_generate(problem, "gaussian", &next.known) == FS_OK);
    next.future = 1;
    CHECK(fs_problem_generate(problem, "gaussian", &next.known) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(problem, "newer");
    MENTIONS(problem, "byte 88");
    double truth[N1 * N2] = {0};
    truth[0] = 1;
    CHECK(fs_problem_generate_for_target(problem, "gaussian", &next.known, truth, N1 * N2) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(problem, "newer");
    /* Sizes that no header ever had. */
    CHECK(fs_problem_spec_init(&next.known, 16) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(next.future == 1);   /* nothing written */
    CHECK(fs_problem_spec_init(&next.known, (size_t)1 << 40) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_spec_init(NULL, sizeof next) == FS_ERROR_NULL_POINTER);
    next.known.struct_size = (size_t)1 << 40;
    CHECK(fs_problem_generate(problem, "gaussian", &next.known) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(problem, "struct_size");
}

/* The perturbation callbacks: the old one without sizes (its k comes through user), the new one
 * with them; both write E = 0, so both give the population flow. */
static int old_zeros(void *user, double t, const double *U, const double *V, double *E) {
    (void)t; (void)U; (void)V;
    const int64_t *k = user;
    if (*k != K) return 1;
    memset(E, 0, sizeof(double) * N1 * N2);
    return 0;
}

static int64_t seen[3];
static int sized_zeros(void *user, double t, int64_t n1, int64_t n2, int64_t k, const double *U, const double *V,
                       double *E) {
    (void)user; (void)t;
    seen[0] = n1;
    seen[1] = n2;
    seen[2] = k;
    if (U == NULL || V == NULL) return 1;
    memset(E, 0, sizeof(double) * (size_t)(n1 * n2));
    return 0;
}

static void test_old_and_newer_settings(fs_problem *problem, fs_options *options) {
    double times[] = {0, 0.5, 1};
    int64_t k = K;
    struct { settings_0_4 settings; unsigned char guard[GUARD]; } old;
    memset(&old, 0x5A, sizeof old);
    memset(old.guard, 0xA5, GUARD);
    CHECK(fs_flow_settings_init((fs_flow_settings *)&old.settings, sizeof old.settings) == FS_OK);
    CHECK(guard_intact(old.guard));
    CHECK(old.settings.struct_size == sizeof old.settings && old.settings.rtol == 1e-8 && old.settings.atol == 1e-10 &&
          old.settings.max_evaluations == 1000000 && old.settings.callback == NULL && old.settings.user == NULL &&
          old.settings.method == FS_FLOW_METHOD_RK45 && old.settings.times == NULL);
    old.settings.times = times;
    old.settings.time_count = 3;
    old.settings.perturbation = FS_PERTURBATION_CALLBACK;
    old.settings.callback = old_zeros;
    old.settings.user = &k;
    fs_result *a = NULL, *b = NULL;
    CHECK(fs_result_create(&a) == FS_OK && fs_result_create(&b) == FS_OK);
    CHECK(fs_gradient_flow(problem, options, (const fs_flow_settings *)&old.settings, a) == FS_OK);
    CHECK(guard_intact(old.guard));
    fs_stop_reason reason = FS_STOP_NONE;
    CHECK(fs_result_get_stop_reason(a, &reason) == FS_OK && reason == FS_STOP_END_TIME);

    /* The sized callback in a newer settings struct with its unknown tail zero: the same flow. */
    settings_next next;
    memset(&next, 0x5A, sizeof next);
    CHECK(fs_flow_settings_init(&next.known, sizeof next) == FS_OK);
    CHECK(next.known.struct_size == sizeof next && next.future == 0 && next.known.sized_callback == NULL);
    next.known.times = times;
    next.known.time_count = 3;
    next.known.perturbation = FS_PERTURBATION_CALLBACK;
    next.known.sized_callback = sized_zeros;
    CHECK(fs_gradient_flow(problem, options, &next.known, b) == FS_OK);
    CHECK(seen[0] == N1 && seen[1] == N2 && seen[2] == K);
    double Ua[N1 * K], Va[N2 * K], Ub[N1 * K], Vb[N2 * K];
    CHECK(fs_result_copy_factors(a, Ua, N1 * K, Va, N2 * K) == FS_OK);
    CHECK(fs_result_copy_factors(b, Ub, N1 * K, Vb, N2 * K) == FS_OK);
    CHECK(memcmp(Ua, Ub, sizeof Ua) == 0 && memcmp(Va, Vb, sizeof Va) == 0);

    /* Both callbacks set: refused. A newer caller's non-zero field: refused, naming it. */
    next.known.callback = old_zeros;
    CHECK(fs_gradient_flow(problem, options, &next.known, b) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(b, "sized_callback");
    next.known.callback = NULL;
    next.future = 7;
    CHECK(fs_gradient_flow(problem, options, &next.known, b) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(b, "newer");
    MENTIONS(b, "byte 88");
    next.future = 0;
    CHECK(fs_flow_settings_init(&next.known, 8) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(next.known.times == times);   /* nothing written */
    next.known.struct_size = 4097;
    CHECK(fs_gradient_flow(problem, options, &next.known, b) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(b, "struct_size");
    fs_result_free(a);
    fs_result_free(b);
}

static void test_old_and_newer_phases(fs_problem *problem, fs_options *options) {
    fs_result *r = NULL;
    CHECK(fs_result_create(&r) == FS_OK);
    CHECK(fs_gradient_descent(problem, options, r) == FS_OK);
    fs_phases full;
    full.struct_size = sizeof full;
    CHECK(fs_result_get_phases(r, &full) == FS_OK && full.struct_size == sizeof full);

    struct { phases_0_2 phases; unsigned char guard[GUARD]; } old;
    memset(&old, 0x5A, sizeof old);
    memset(old.guard, 0xA5, GUARD);
    old.phases.struct_size = sizeof old.phases;
    CHECK(fs_result_get_phases(r, (fs_phases *)&old.phases) == FS_OK);
    CHECK(guard_intact(old.guard));
    CHECK(old.phases.struct_size == sizeof old.phases && old.phases.saddle_end == full.saddle_end &&
          old.phases.alignment_end == full.alignment_end && old.phases.learning_time_count == full.learning_time_count);

    phases_next next;
    memset(&next, 0x5A, sizeof next);
    next.known.struct_size = sizeof next;
    CHECK(fs_result_get_phases(r, &next.known) == FS_OK);
    CHECK(next.known.struct_size == sizeof next && next.future == 0 && next.known.saddle_end == full.saddle_end);

    next.known.struct_size = sizeof(size_t);
    next.known.saddle_end = -77;
    CHECK(fs_result_get_phases(r, &next.known) == FS_ERROR_INVALID_ARGUMENT && next.known.saddle_end == -77);
    MENTIONS(r, "struct_size");
    fs_result_free(r);
}

/* 16 bytes at the end of a mapped page, the next page unmapped: only struct_size is read. */
static void test_short_structs_at_a_page_end(fs_problem *problem, fs_options *options) {
    long page = sysconf(_SC_PAGESIZE);
    unsigned char *map = mmap(NULL, (size_t)(2 * page), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(map != MAP_FAILED);
    if (map == MAP_FAILED) return;
    CHECK(mprotect(map + page, (size_t)page, PROT_NONE) == 0);
    unsigned char *end = map + page - 16;
    memset(end, 0, 16);
    size_t sixteen = 16;
    memcpy(end, &sixteen, sizeof sixteen);
    fs_result *r = NULL;
    CHECK(fs_result_create(&r) == FS_OK);
    CHECK(fs_gradient_flow(problem, options, (const fs_flow_settings *)(void *)end, r) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(r, "struct_size");
    CHECK(fs_problem_generate(problem, "gaussian", (const fs_problem_spec *)(void *)end) == FS_ERROR_INVALID_ARGUMENT);
    MENTIONS(problem, "struct_size");
    CHECK(fs_result_get_phases(r, (fs_phases *)(void *)end) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_problem_spec_init((fs_problem_spec *)(void *)end, 16) == FS_ERROR_INVALID_ARGUMENT);
    CHECK(fs_flow_settings_init((fs_flow_settings *)(void *)end, 16) == FS_ERROR_INVALID_ARGUMENT);
    /* An older struct that ends at the page end is filled and read up to there only. */
    unsigned char *old_spec = map + page - sizeof(spec_0_3);
    CHECK(fs_problem_spec_init((fs_problem_spec *)(void *)old_spec, sizeof(spec_0_3)) == FS_OK);
    spec_0_3 *spec = (spec_0_3 *)(void *)old_spec;
    spec->n1 = N1;
    spec->n2 = N2;
    spec->rank = 1;
    spec->measurements = M;
    CHECK(fs_problem_generate(problem, "gaussian", (const fs_problem_spec *)(void *)old_spec) == FS_OK);
    unsigned char *old_settings = map + page - sizeof(settings_0_4);
    CHECK(fs_flow_settings_init((fs_flow_settings *)(void *)old_settings, sizeof(settings_0_4)) == FS_OK);
    double times[] = {0, 1};
    settings_0_4 *settings = (settings_0_4 *)(void *)old_settings;
    settings->times = times;
    settings->time_count = 2;
    CHECK(fs_gradient_flow(problem, options, (const fs_flow_settings *)(void *)old_settings, r) == FS_OK);
    unsigned char *old_phases = map + page - sizeof(phases_0_2);
    ((phases_0_2 *)(void *)old_phases)->struct_size = sizeof(phases_0_2);
    CHECK(fs_result_get_phases(r, (fs_phases *)(void *)old_phases) == FS_OK);
    fs_result_free(r);
    munmap(map, (size_t)(2 * page));
}

int main(int argc, char **argv) {
    (void)argc; (void)argv;
    test_layouts_are_what_the_old_headers_had();
    fs_problem *problem = old_spec_problem();
    fs_options *options = NULL;
    CHECK(fs_options_create(&options) == FS_OK);
    fs_options_set_int(options, "width", K);
    fs_options_set_int(options, "max_iter", 50);
    fs_options_set_real(options, "init_scale", 0.1);
    test_old_and_newer_settings(problem, options);
    test_old_and_newer_phases(problem, options);
    test_short_structs_at_a_page_end(problem, options);
    test_newer_spec(problem);
    fs_options_free(options);
    fs_problem_free(problem);
    return finish();
}
