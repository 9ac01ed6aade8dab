/*
 * Recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by factorized gradient descent
 * from a small random initialization — the walking skeleton, from C.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude recover.c -L.build/release -lfactorsense -lm
 */
#include <stdio.h>
#include <stdlib.h>

#include "factorsense.h"

/* Prints the failed call's status and message, then jumps to the clean-up. */
#define CHECK(call, handle)                                                                    \
    do {                                                                                       \
        fs_status status_ = (call);                                                            \
        if (status_ != FS_OK) {                                                                \
            fprintf(stderr, "%s failed: %s: %s\n", #call, fs_status_string(status_),           \
                    fs_last_error(handle));                                                    \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

/* Prints every 500th iteration; returning 0 lets the run go on. */
static int report(void *user, const fs_progress *progress) {
    (void)user;
    if (progress->iteration % 500 == 0) {
        printf("iteration %5lld  loss %.3e  test error %.3e\n", (long long)progress->iteration,
               progress->loss, progress->test_error);
    }
    return 0;
}

int main(void) {
    int exit_code = 1;
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    double *test_error = NULL;

    if (fs_version_number() != FS_VERSION_NUMBER) {
        fprintf(stderr, "header %d and library %lld differ\n", FS_VERSION_NUMBER, (long long)fs_version_number());
        return 1;
    }
    printf("FactorSense %s\n", fs_version_string());

    CHECK(fs_problem_create(&problem), problem);
    CHECK(fs_problem_generate_gaussian(problem, 40, 30, 3, 900, 1.0, 1.0, 0.0, 0), problem);

    CHECK(fs_options_create(&options), options);
    CHECK(fs_options_set_int(options, "width", 10), options);
    CHECK(fs_options_set_real(options, "init_scale", 1e-3), options);
    CHECK(fs_options_set_real(options, "step", 0.5), options);
    CHECK(fs_options_set_int(options, "max_iter", 3000), options);
    CHECK(fs_options_set_int(options, "seed", 1), options);
    CHECK(fs_options_set_int(options, "record_every", 100), options);
    CHECK(fs_options_set_progress(options, report, NULL), options);

    CHECK(fs_result_create(&result), result);
    CHECK(fs_gradient_descent(problem, options, result), result);

    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = 0, length = 0;
    CHECK(fs_result_get_stop_reason(result, &reason), result);
    CHECK(fs_result_get_iterations(result, &iterations), result);
    CHECK(fs_result_get_history_length(result, &length), result);
    test_error = malloc((size_t)length * sizeof *test_error);
    if (test_error == NULL) goto done;
    CHECK(fs_result_copy_history(result, "test_error", test_error, length), result);

    double final = test_error[length - 1];
    printf("stopped: %s after %lld iterations; test error %.3e\n", fs_stop_reason_string(reason),
           (long long)iterations, final);
    exit_code = final < 1e-2 ? 0 : 1;

done:
    free(test_error);
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return exit_code;
}
