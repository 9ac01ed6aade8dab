/*
 * The checks of the C test programs, with no framework: CHECK counts passes and failures and
 * prints file:line for each failure; a program ends with `return finish();`, which prints
 * "N passed, M failed" and gives the exit status M != 0.
 */
#ifndef FACTORSENSE_TESTS_CHECK_H
#define FACTORSENSE_TESTS_CHECK_H

#include <stdio.h>

static int passed = 0, failed = 0;

#define CHECK(condition)                                                              \
    do {                                                                              \
        if (condition) {                                                              \
            passed++;                                                                 \
        } else {                                                                      \
            failed++;                                                                 \
            fprintf(stderr, "%s:%d: failed: %s\n", __FILE__, __LINE__, #condition);   \
        }                                                                             \
    } while (0)

/* Prints the tally; the exit status of the program. */
static inline int finish(void) {
    printf("%d passed, %d failed\n", passed, failed);
    return failed != 0;
}

#endif
