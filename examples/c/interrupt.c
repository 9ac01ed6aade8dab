/*
 * Ctrl-C in a C program: stop a long fs_gradient_descent cleanly and keep what it computed.
 *
 * fs_interrupt may not be called from a signal handler (factorsense.h, "Threads": it is not
 * async-signal-safe), so the SIGINT handler only sets a `volatile sig_atomic_t` flag — all a
 * handler may portably do. The progress callback, which the run calls at every recorded
 * iteration and at least every 0.1 s between them, sees the flag and calls fs_interrupt on the
 * run's result. The run then ends normally (FS_OK) with the stop reason "interrupted", holding
 * the last iterate whose loss was computed in full, recorded as the last history row. (A
 * callback that returns nonzero instead stops the run with the stop reason "callback".)
 *
 * ISO C's signal() may reset the handler to the default after one signal (System V semantics,
 * as glibc does under -std=c11): a second Ctrl-C then ends the program at once.
 *
 *   cc -std=c11 -Wall -Wextra -Werror -pedantic -Iinclude examples/c/interrupt.c -o interrupt \
 *      -L.build/release -lfactorsense -Wl,-rpath,$PWD/.build/release -lm
 *   ./interrupt          raises SIGINT itself at iteration 30, as a Ctrl-C would (make test)
 *   ./interrupt --wait   runs for minutes: press Ctrl-C
 *
 * Exits 0 when the run stopped for the interrupt (at iteration 30 without --wait), else 1.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "factorsense.h"

/* Set by the handler, read by the progress callback. */
static volatile sig_atomic_t interrupt_requested = 0;

static void on_sigint(int signal_number) {
    (void)signal_number;
    interrupt_requested = 1;
}

/* What the callback needs: the result the run fills, and when to play Ctrl-C (−1: never). */
struct watch {
    fs_result *result;
    int64_t raise_at;
};

static int on_progress(void *user, const fs_progress *progress) {
    struct watch *watch = user;
    if (watch->raise_at >= 0 && progress->iteration >= watch->raise_at && !interrupt_requested) {
        raise(SIGINT); /* the handler runs before raise returns */
    }
    if (interrupt_requested) {
        fs_interrupt(watch->result); /* lock-free; the run stops at its next check */
    }
    return 0;
}

#define CHECK(call, handle)                                                                    \
    do {                                                                                       \
        fs_status status_ = (call);                                                            \
        if (status_ != FS_OK) {                                                                \
            fprintf(stderr, "%s failed: %s: %s\n", #call, fs_status_string(status_),           \
                    fs_last_error(handle));                                                    \
            goto done;                                                                         \
        }                                                                                      \
    } while (0)

int main(int argc, char **argv) {
    int exit_code = 1;
    int wait_for_user = argc > 1 && strcmp(argv[1], "--wait") == 0;
    fs_problem *problem = NULL;
    fs_options *options = NULL;
    fs_result *result = NULL;
    fs_stop_reason reason = FS_STOP_NONE;
    int64_t iterations = 0;
    struct watch watch = {NULL, wait_for_user ? -1 : 30};

    /* A run without a stop rule but max_iter: 10⁵ iterations (seconds; with --wait 5·10⁶, minutes). */
    CHECK(fs_problem_create(&problem), problem);
    CHECK(fs_problem_generate_gaussian(problem, 40, 30, 3, 900, 1.0, 1.0, 0.0, 0), problem);
    CHECK(fs_options_create(&options), options);
    CHECK(fs_options_set_int(options, "width", 10), options);
    CHECK(fs_options_set_real(options, "step", 0.5), options);
    CHECK(fs_options_set_int(options, "max_iter", wait_for_user ? 5000000 : 100000), options);
    CHECK(fs_options_set_int(options, "record_every", 10), options);
    CHECK(fs_result_create(&result), result);
    watch.result = result;
    CHECK(fs_options_set_progress(options, on_progress, &watch), options);

    if (signal(SIGINT, on_sigint) == SIG_ERR) {
        fprintf(stderr, "cannot install the SIGINT handler\n");
        goto done;
    }
    if (wait_for_user) printf("running; press Ctrl-C to stop\n");
    fs_status status = fs_gradient_descent(problem, options, result);
    signal(SIGINT, SIG_DFL); /* Ctrl-C ends the program again */
    /* FS_ERROR_INTERRUPTED: the interrupt came before the first iterate was evaluated. */
    CHECK(status, result);

    CHECK(fs_result_get_stop_reason(result, &reason), result);
    CHECK(fs_result_get_iterations(result, &iterations), result);
    printf("stopped: %s at iteration %lld\n", fs_stop_reason_string(reason), (long long)iterations);
    exit_code = reason == FS_STOP_INTERRUPTED && (wait_for_user || iterations == 30) ? 0 : 1;

done:
    fs_result_free(result);
    fs_options_free(options);
    fs_problem_free(problem);
    return exit_code;
}
