/* The exit gate of OpenBLAS calls and callbacks: see include/exit_gate.h. */
#define _GNU_SOURCE
#include "exit_gate.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>
#include <unistd.h>

/* The BLAS and LAPACK calls under way on every thread. */
static atomic_long inside;
/* Whether the process is ending, and the thread that closed the gate (stored before `closed`). */
static atomic_bool closed;
static _Atomic pthread_t closer;
/* The calls under way on this thread (a call made inside another is let through). */
static _Thread_local long depth;

/* Whether this thread must stop at the gate: it is closed, by another thread. */
static bool stopped_here(void) {
    return atomic_load(&closed) && !pthread_equal(atomic_load(&closer), pthread_self());
}

/* The process is ending: this thread never touches OpenBLAS or the caller's code again. */
static _Noreturn void sleep_until_the_end(void) {
    for (;;) pause();
}

void fsk_blas_begin(void) {
    depth++;
    atomic_fetch_add(&inside, 1);  /* sequentially consistent: seen by close_gate, or sees `closed` */
    if (depth == 1 && stopped_here()) {
        atomic_fetch_sub(&inside, 1);
        sleep_until_the_end();
    }
}

void fsk_blas_end(void) {
    atomic_fetch_sub(&inside, 1);
    depth--;
}

void fsk_callback_begin(void) {
    if (stopped_here()) sleep_until_the_end();
}

void fsk_exit_begin(void) {
    atomic_store(&closer, pthread_self());
    atomic_store(&closed, true);
}

/* At exit, before OpenBLAS's own destructor: close the gate, then wait for the BLAS calls under
 * way on the other threads (each is a bounded piece of work; the exiting thread's own, if exit
 * was called from inside one, are not waited for). */
__attribute__((destructor)) static void close_gate(void) {
    fsk_exit_begin();
    const struct timespec pause_time = {0, 100000};
    while (atomic_load(&inside) > depth) nanosleep(&pause_time, NULL);
}

/* In the child of a fork only the forking thread lives on: the calls under way are its own. */
static void reset_in_child(void) {
    atomic_store(&inside, depth);
}

__attribute__((constructor)) static void register_fork_handler(void) {
    pthread_atfork(NULL, NULL, reset_in_child);
}
