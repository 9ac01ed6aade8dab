/*
 * The process may end while a solve is running: main returns while another thread is inside
 * fs_gradient_descent on a dense problem. Run many times by `make test-c`; any crash at exit
 * (it used to die in OpenBLAS's exit-time teardown, called from the dense kernels) fails it.
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "factorsense.h"

static fs_problem *problem;
static fs_options *options;

static void *solve(void *unused) {
    (void)unused;
    fs_result *result = NULL;
    if (fs_result_create(&result) == FS_OK) fs_gradient_descent(problem, options, result);
    return NULL;
}

int main(void) {
    if (fs_problem_create(&problem) != FS_OK || fs_problem_generate_gaussian(problem, 100, 100, 3, 3000, 1, 1, 0, 1) != FS_OK ||
        fs_options_create(&options) != FS_OK || fs_options_set_int(options, "width", 10) != FS_OK ||
        fs_options_set_int(options, "max_iter", 100000000) != FS_OK ||
        fs_options_set_text(options, "diagnostics", "none") != FS_OK) {
        fprintf(stderr, "setup failed\n");
        return 2;
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, solve, NULL) != 0) return 2;
    usleep(200000);
    return 0; /* exit while the other thread is still solving */
}
