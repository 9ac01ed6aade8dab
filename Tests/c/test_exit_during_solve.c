/*
 * The process may end while solves are running: a process calls exit (as main returning does)
 * while other threads are inside fs_gradient_descent, with the default diagnostics (an SVD every
 * recorded row) and with "none", and inside fs_gradient_flow; and after fs_begin_exit, which stops
 * the other threads' callbacks and lets the calling thread still solve (a tenth as many runs).
 * Any crash at exit fails the test.
 * It used to die in OpenBLAS's exit-time teardown (its destructor frees the buffers a thread in
 * the middle of a GEMM or an SVD still uses): SIGSEGV in dgesdd or cblas_dgemm, or "BLAS : Bad
 * memory unallocation!".
 *
 * The program is its own driver: it builds one tiny problem, then forks RUNS children per kind
 * of solve, two at a time. Each child starts SOLVERS threads solving, lets them run a few
 * milliseconds and calls exit(0). The parent counts the children that did not exit with status 0
 * and prints how many per kind; anything the children wrote (OpenBLAS's complaints) fails the
 * test too. Usage: test_exit_during_solve [runs per kind] (default 200).
 */
#define _DEFAULT_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "factorsense.h"

enum { N1 = 40, N2 = 30, M = 600, WIDTH = 8 }; /* a tiny problem: a run is cheap, BLAS is busy */
enum { SOLVERS = 2, PARALLEL = 2, DEFAULT_RUNS = 200 };

typedef enum { DESCENT_DEFAULT, DESCENT_NONE, FLOW, BEGIN_EXIT, KINDS } kind;
static const char *const kind_names[KINDS] = {"gradient descent, default diagnostics", "gradient descent, no diagnostics",
                                               "gradient flow, default diagnostics", "fs_begin_exit, then exit"};

static fs_problem *problem;
static fs_options *options[KINDS];
enum { ROWS = 2000 };  /* recorded rows (with their diagnostics) of a run, far more than it reaches */
static double flow_times[ROWS];
static kind running;
static FILE *child_errors; /* the children's stdout and stderr */
static atomic_int reports;  /* progress reports of the solves so far */

static int count_report(void *user, const fs_progress *progress) {
    (void)user;
    (void)progress;
    atomic_fetch_add(&reports, 1);
    return 0;
}

static void *solve(void *unused) {
    (void)unused;
    fs_result *result = NULL;
    if (fs_result_create(&result) != FS_OK) return NULL;
    if (running == FLOW || running == BEGIN_EXIT) {
        fs_flow_settings settings;
        fs_flow_settings_init(&settings, sizeof settings);
        settings.times = flow_times;
        settings.time_count = ROWS;
        settings.max_evaluations = INT64_MAX;
        fs_gradient_flow(problem, options[FLOW], &settings, result);
    } else {
        fs_gradient_descent(problem, options[running], result);
    }
    return NULL;
}

/* fs_begin_exit while the flows run: this thread still solves (else exit status 5), the others
 * call no callback any more — but for one each that was under way (else 6). */
static void after_begin_exit(void) {
    fs_begin_exit();
    int seen = atomic_load(&reports);
    fs_options *own = NULL;
    fs_result *result = NULL;
    if (fs_options_create(&own) != FS_OK || fs_options_set_int(own, "width", WIDTH) != FS_OK ||
        fs_options_set_int(own, "max_iter", 20) != FS_OK || fs_result_create(&result) != FS_OK ||
        fs_gradient_descent(problem, own, result) != FS_OK)
        _exit(5);
    usleep(50000);
    if (atomic_load(&reports) > seen + SOLVERS) _exit(6);
}

/* The child: SOLVERS threads solve; the process exits while they do. */
static void child(kind which) {
    running = which;
    if (dup2(fileno(child_errors), STDOUT_FILENO) < 0 || dup2(fileno(child_errors), STDERR_FILENO) < 0) _exit(3);
    pthread_t thread;
    for (int i = 0; i < SOLVERS; i++)
        if (pthread_create(&thread, NULL, solve, NULL) != 0) _exit(3);
    for (int waited = 0; atomic_load(&reports) < SOLVERS; waited++) { /* both iterate */
        if (waited == 50000) _exit(4); /* 5 s: the solves did not start */
        usleep(100);
    }
    usleep((useconds_t)(rand() % 3000));
    if (which == BEGIN_EXIT) after_begin_exit();
    exit(0); /* exit while the other threads are still solving */
}

static int setup(void) {
    for (int i = 0; i < ROWS; i++) flow_times[i] = 0.01 * i;
    fs_problem_spec spec;
    fs_problem_spec_init(&spec, sizeof spec);
    spec.n1 = N1;
    spec.n2 = N2;
    spec.rank = 3;
    spec.measurements = M;
    spec.seed = 1;
    if (fs_problem_create(&problem) != FS_OK || fs_problem_generate(problem, "gaussian", &spec) != FS_OK) return 0;
    for (int k = 0; k < KINDS; k++) {
        if (fs_options_create(&options[k]) != FS_OK || fs_options_set_int(options[k], "width", WIDTH) != FS_OK ||
            fs_options_set_int(options[k], "max_iter", ROWS) != FS_OK ||
            fs_options_set_real(options[k], "tol", 0) != FS_OK ||
            fs_options_set_progress(options[k], count_report, NULL) != FS_OK)
            return 0;
    }
    return fs_options_set_text(options[DESCENT_NONE], "diagnostics", "none") == FS_OK;
}

/* Forks `runs` children of kind `which`, PARALLEL at a time; the number that did not exit with 0. */
static int failures(kind which, int runs) {
    int failed = 0, started = 0, live = 0;
    while (started < runs || live > 0) {
        if (started < runs && live < PARALLEL) {
            srand((unsigned)(started * KINDS + which + 1));
            fflush(stdout); /* else the child's exit prints what the parent buffered */
            pid_t pid = fork();
            if (pid == 0) child(which);
            if (pid < 0) return runs;
            started++;
            live++;
            continue;
        }
        int status;
        if (wait(&status) < 0) return runs;
        live--;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            failed++;
            if (WIFSIGNALED(status)) printf( "%s: a child died of signal %d (%s)\n", kind_names[which],
                                             WTERMSIG(status), strsignal(WTERMSIG(status)));
            else printf("%s: a child exited with status %d (3: no thread, 4: the solves did not start, 5 and 6: after_begin_exit)\n", kind_names[which], WEXITSTATUS(status));
        }
    }
    return failed;
}

int main(int argc, char **argv) {
    int runs = argc > 1 ? atoi(argv[1]) : DEFAULT_RUNS;
    child_errors = tmpfile();
    if (runs < 1 || !child_errors || !setup()) {
        fprintf(stderr, "setup failed\n");
        return 2;
    }
    int total = 0;
    for (int k = 0; k < KINDS; k++) {
        int kind_runs = k == BEGIN_EXIT ? (runs + 9) / 10 : runs;
        int failed = failures((kind)k, kind_runs);
        printf("exit during a solve (%s): %d of %d runs failed\n", kind_names[k], failed, kind_runs);
        total += failed;
    }
    fflush(stdout);
    long written = ftell(child_errors);
    if (written > 0) {
        printf("the children wrote:\n");
        rewind(child_errors);
        for (int c; (c = fgetc(child_errors)) != EOF;) putchar(c);
    }
    return total != 0 || written != 0;
}
