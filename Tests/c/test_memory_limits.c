/*
 * Memory counted before it is used: under an address-space limit (RLIMIT_AS = the address space
 * in use + 768 MB, set by the program itself), every call that would need more returns
 * FS_ERROR_OUT_OF_MEMORY with a message naming the sizes, instead of aborting the process in a
 * failed allocation; what fits still runs.
 *
 * Not run under valgrind or AddressSanitizer (mk/reliability.mk): both reserve address space
 * of their own, which an RLIMIT_AS cannot leave room for.
 *
 * The last line is "N passed, M failed" and the exit status is M != 0.
 */
#define _XOPEN_SOURCE 700
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "factorsense.h"
#include "check.h"


/* The call was refused as out of memory, with a message naming its peak and the limit. */
static void expect_refusal(fs_status status, const void *handle, const char *what) {
    const char *message = fs_last_error(handle);
    int ok = status == FS_ERROR_OUT_OF_MEMORY && strstr(message, "at its peak") != NULL &&
             strstr(message, "bytes") != NULL && strstr(message, "RLIMIT_AS") != NULL;
    CHECK(ok);
    if (!ok) fprintf(stderr, "    %s: status %d, \"%s\"\n", what, (int)status, message);
}

static long long address_space_in_use(void) {
    FILE *file = fopen("/proc/self/statm", "r");
    long long pages = 0;
    if (file == NULL) return -1;
    if (fscanf(file, "%lld", &pages) != 1) pages = -1;
    fclose(file);
    return pages < 0 ? -1 : pages * sysconf(_SC_PAGESIZE);
}

static fs_status generate(fs_problem *problem, const char *kind, int64_t n1, int64_t n2, int64_t m) {
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = n1;
    spec.n2 = n2;
    spec.rank = 2;
    spec.measurements = m;
    return fs_problem_generate(problem, kind, &spec);
}

int main(void) {
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    CHECK(fs_problem_create(&problem) == FS_OK);
    CHECK(fs_options_create(&options) == FS_OK);
    CHECK(fs_result_create(&result) == FS_OK);

    long long in_use = address_space_in_use();
    CHECK(in_use > 0);
    struct rlimit limit;
    limit.rlim_cur = limit.rlim_max = (rlim_t)(in_use + 768LL * 1024 * 1024);
    CHECK(setrlimit(RLIMIT_AS, &limit) == 0);

    expect_refusal(generate(problem, "completion", 10000, 10000, 100000000), problem, "completion of every cell");
    expect_refusal(generate(problem, "identity", 20000, 20000, 0), problem, "identity 20000²");
    expect_refusal(generate(problem, "gaussian", 100, 100, 50000), problem, "4 GB Gaussian operator");
    expect_refusal(generate(problem, "rank_one", 2000, 2000, 200000), problem, "6.4 GB rank-one vectors");

    /* What fits runs, under the same limit. */
    CHECK(generate(problem, "gaussian", 10, 8, 60) == FS_OK);
    CHECK(fs_options_set_int(options, "width", 2) == FS_OK);
    CHECK(fs_options_set_int(options, "max_iter", 20) == FS_OK);
    CHECK(fs_gradient_descent(problem, options, result) == FS_OK);

    /* The loss ring of tol > 0 with a huge window: 16 GB for a 10 × 8 problem. */
    CHECK(fs_options_set_real(options, "tol", 1e-3) == FS_OK);
    CHECK(fs_options_set_int(options, "window", 2000000000) == FS_OK);
    CHECK(fs_options_set_int(options, "max_iter", 2000000000) == FS_OK);
    CHECK(fs_options_set_int(options, "record_every", 1000000000) == FS_OK);
    expect_refusal(fs_gradient_descent(problem, options, result), result, "the loss ring");
    int64_t iterations = -1;
    CHECK(fs_result_get_iterations(result, &iterations) == FS_OK && iterations == 20); /* the earlier run is kept */

    /* The history of max_iter / record_every rows. */
    CHECK(fs_options_set_real(options, "tol", 0) == FS_OK);
    CHECK(fs_options_set_int(options, "record_every", 1) == FS_OK);
    expect_refusal(fs_gradient_descent(problem, options, result), result, "the history");

    /* The problem of the batch below, made while there is room. */
    fs_problem *batch_problem = NULL;
    CHECK(fs_problem_create(&batch_problem) == FS_OK);
    CHECK(generate(batch_problem, "gaussian", 20, 20, 500) == FS_OK);

    /* A run of an identity problem needs its residual, another n1·n2 values (128 MB here) beside
       y: with 96 MB left it is refused. */
    CHECK(generate(problem, "identity", 4000, 4000, 0) == FS_OK);
    limit.rlim_cur = limit.rlim_max = (rlim_t)(address_space_in_use() + 96LL * 1024 * 1024);
    CHECK(setrlimit(RLIMIT_AS, &limit) == 0);
    CHECK(fs_options_set_int(options, "max_iter", 2) == FS_OK);
    expect_refusal(fs_gradient_descent(problem, options, result), result, "an identity run");

    /* A refused batch of 16 trials names each kind of buffer once with its count ("16 × …"),
       in a message of a few hundred bytes, not a line per trial. */
    enum { TRIALS = 16 };
    const fs_options *batch_options[TRIALS];
    fs_result *results[TRIALS];
    fs_status statuses[TRIALS];
    CHECK(fs_options_set_int(options, "width", 3) == FS_OK);
    for (int i = 0; i < TRIALS; i++) {
        batch_options[i] = options;
        CHECK(fs_result_create(&results[i]) == FS_OK);
    }
    expect_refusal(fs_gradient_descent_batch(batch_problem, batch_options, results, TRIALS, statuses), batch_problem, "a batch");
    const char *message = fs_last_error(batch_problem);
    CHECK(strlen(message) < 1500 && strstr(message, "16 \u00d7 the residual (m)") != NULL);
    for (int i = 0; i < TRIALS; i++) fs_result_free(results[i]);
    fs_problem_free(batch_problem);

    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return finish();
}
