/*
 * Recover a rank-3 40 × 30 matrix from 900 Gaussian measurements by factorized gradient descent
 * from a small random initialization — the walking skeleton, from C.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/recover.c -o recover \
 *      -L.build/release -lfactorsense -Wl,-rpath,$PWD/.build/release -lm
 *   ./recover [iterations]      (default 3000; the memory checks run it with fewer)
 *
 * Exits 0 when the final relative test error ‖UVᵀ − X⋆‖_F / ‖X⋆‖_F is below 1e-2, else 1.
 */
#include <stdio.h>
#include <stdlib.h>

#include "factorsense.h"

/*
 * Every fallible call returns an fs_status; on failure, print the status and the handle's own
 * message (fs_last_error), then jump to the clean-up, which frees everything and exits 1.
 */
#define CHECK(call, handle)                                                                    \
    do {                                                                                       \
        fs_status status_ = (call);                                                            \
        if (status_ != FS_OK) {                                                                \
            fprintf(stderr, "%s failed: %s: %s\n", #call, fs_status_string(status_),           \
                    fs_last_error(handle));                                                    \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

/* The progress callback: prints every 500th iteration; returning 0 lets the run go on. */
static int report(void *user, const fs_progress *progress) {
    (void)user;
    if (progress->iteration % 500 == 0) {
        printf("iteration %5lld  loss %.3e  test error %.3e\n", (long long)progress->iteration,
               progress->loss, progress->test_error);
    }
    return 0;
}

int main(int argc, char **argv) {
    int exit_code = 1;
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    double *test_error = NULL;
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = 0, length = 0;
    int64_t max_iter = argc > 1 ? (int64_t)atoll(argv[1]) : 3000;

    /* The header this program was compiled with must match the library that was loaded. */
    if (fs_version_number() != FS_VERSION_NUMBER) {
        fprintf(stderr, "header %d and library %lld differ\n", FS_VERSION_NUMBER,
                (long long)fs_version_number());
        return 1;
    }
    printf("FactorSense %s\n", fs_version_string());

    /* X⋆ = L diag(s) Rᵀ, 40 × 30 of rank 3, s = (1, 1, 1); y = 𝒜(X⋆) with m = 900, no noise. */
    CHECK(fs_problem_create(&problem), problem);
    CHECK(fs_problem_generate_gaussian(problem, 40, 30, 3, 900, 1.0, 1.0, 0.0, 0), problem);

    /* Overparameterized width k = 10 > r = 3, initialization scale α = 1e-3, step η = 0.5. */
    CHECK(fs_options_create(&options), options);
    CHECK(fs_options_set_int(options, "width", 10), options);
    CHECK(fs_options_set_real(options, "init_scale", 1e-3), options);
    CHECK(fs_options_set_real(options, "step", 0.5), options);
    CHECK(fs_options_set_int(options, "max_iter", max_iter), options);
    CHECK(fs_options_set_int(options, "seed", 1), options);
    CHECK(fs_options_set_int(options, "record_every", 100), options);
    CHECK(fs_options_set_progress(options, report, NULL), options);

    CHECK(fs_result_create(&result), result);
    CHECK(fs_gradient_descent(problem, options, result), result);

    /* Why and when it stopped, and the last recorded test error. */
    CHECK(fs_result_get_stop_reason(result, &reason), result);
    CHECK(fs_result_get_iterations(result, &iterations), result);
    CHECK(fs_result_get_history_length(result, &length), result);
    if (length < 1) {
        fprintf(stderr, "the history is empty\n");
        goto done;
    }
    test_error = malloc((size_t)length * sizeof *test_error);
    if (test_error == NULL) {
        fprintf(stderr, "out of memory\n");
        goto done;
    }
    CHECK(fs_result_copy_history(result, "test_error", test_error, length), result);

    printf("stopped: %s after %lld iterations; test error %.3e\n", fs_stop_reason_string(reason),
           (long long)iterations, test_error[length - 1]);
    exit_code = test_error[length - 1] < 1e-2 ? 0 : 1; /* NaN fails too */

done:
    free(test_error);
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return exit_code;
}
