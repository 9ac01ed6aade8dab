/*
 * libFuzzer harness: the input bytes are a little program that drives the C API with random
 * sizes, values, names and call orders — including NULL, freed and wrong-kind handles, lengths
 * that do not match, non-finite scalars and huge sizes. The library must answer every call with
 * a status, never crash, never read or write outside what the harness says it allocated.
 *
 *   clang -fsanitize=fuzzer,address,undefined -Iinclude Tests/Fuzz/fuzz_api.c -L.build/release -lfactorsense
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "factorsense.h"

typedef struct {
    const uint8_t *data;
    size_t size;
} input;

static uint8_t byte(input *in) {
    if (in->size == 0) return 0;
    uint8_t b = in->data[0];
    in->data++;
    in->size--;
    return b;
}

static uint64_t word(input *in) {
    uint64_t w = 0;
    for (int i = 0; i < 8; i++) w = w << 8 | byte(in);
    return w;
}

/* A size: mostly small, sometimes zero, negative or huge. */
static int64_t size(input *in) {
    uint8_t kind = byte(in);
    switch (kind % 8) {
    case 0: return 0;
    case 1: return -(int64_t)(byte(in) % 4) - 1;
    case 2: return (int64_t)(word(in) & INT64_MAX);
    case 3: return INT64_MAX;
    default: return 1 + byte(in) % 8;
    }
}

/* A real: mostly ordinary, sometimes NaN, ±inf, zero, negative or a raw bit pattern. */
static double real(input *in) {
    uint8_t kind = byte(in);
    switch (kind % 8) {
    case 0: return NAN;
    case 1: return INFINITY;
    case 2: return -1.0;
    case 3: return 0.0;
    case 4: {
        uint64_t bits = word(in);
        double d;
        memcpy(&d, &bits, sizeof d);
        return d;
    }
    default: return (double)byte(in) / 64.0;
    }
}

static const char *names[] = {"width", "max_iter", "seed", "record_every", "window", "batch_size", "init_scale", "step",
                              "tol", "loss_tol", "divergence_factor", "balancing", "noise_injection", "scaled_damping",
                              "init", "preconditioner", "nope", ""};
static const char *texts[] = {"random", "spectral", "none", "scaled", "other", ""};
static const char *kinds[] = {"gaussian", "symmetric_gaussian", "identity", "completion", "rank_one", "x"};

static int stop_sometimes(void *user, const fs_progress *progress) {
    (void)progress;
    return (*(uint8_t *)user & 1) != 0;
}

/* A caller-allocated array of n doubles (at most 4096), filled from the input. */
static double *doubles(input *in, int64_t n) {
    if (n <= 0 || n > 4096) return NULL;
    double *a = malloc((size_t)n * sizeof *a);
    if (a == NULL) return NULL;
    for (int64_t i = 0; i < n; i++) a[i] = (byte(in) % 16 == 0) ? real(in) : (double)(int8_t)byte(in) / 32.0;
    return a;
}

/* A length to claim for a buffer of n: n itself, or a smaller (never a larger) one. */
static int64_t claimed(input *in, int64_t n) {
    uint8_t b = byte(in);
    return (b % 4 == 0 && n > 0) ? n - 1 - (b / 4) % n : n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t length) {
    input in = {data, length};
    fs_problem *problems[2] = {NULL, NULL};
    fs_options *options[2] = {NULL, NULL};
    fs_result *results[2] = {NULL, NULL};
    fs_problem_create(&problems[0]);
    fs_options_create(&options[0]);
    fs_result_create(&results[0]);
    uint8_t stop_flag = 0;

    for (int step = 0; step < 48 && in.size > 0; step++) {
        uint8_t op = byte(&in);
        int slot = byte(&in) % 2;
        /* Sometimes a wrong-kind handle in the problem's place. */
        fs_problem *p = (byte(&in) % 16 == 0) ? (fs_problem *)(void *)options[slot] : problems[slot];
        fs_options *o = options[slot];
        fs_result *r = results[slot];
        switch (op % 20) {
        case 0: fs_problem_free(problems[slot]); if (byte(&in) % 2) fs_problem_create(&problems[slot]); break;
        case 1: fs_options_free(options[slot]); if (byte(&in) % 2) fs_options_create(&options[slot]); break;
        case 2: fs_result_free(results[slot]); if (byte(&in) % 2) fs_result_create(&results[slot]); break;
        case 3: {
            int64_t n1 = size(&in), n2 = size(&in), rank = size(&in), m = size(&in);
            double scale = real(&in), kappa = real(&in), noise = real(&in);
            if (n1 > 0 && n2 > 0 && m > 0 && n1 <= 16 && n2 <= 16 && m <= 128) {
                fs_problem_generate_gaussian(p, n1, n2, rank, m, scale, kappa, noise, word(&in));
            } else {
                /* Large sizes only where they overflow: a valid multi-gigabyte problem is not a bug. */
                fs_problem_generate_gaussian(p, n1, n2, rank, m > 0 ? INT64_MAX : m, scale, kappa, noise, 0);
            }
            break;
        }
        case 4: {
            fs_problem_spec spec;
            fs_problem_spec_init(&spec);
            spec.n1 = size(&in); spec.n2 = size(&in); spec.rank = size(&in); spec.measurements = size(&in);
            spec.scale = real(&in); spec.condition_number = real(&in); spec.noise_level = real(&in);
            spec.spectrum = byte(&in) % 3; spec.psd = byte(&in) % 2; spec.seed = word(&in);
            if (byte(&in) % 8 == 0) spec.struct_size = byte(&in);
            int64_t cells = (spec.n1 > 0 && spec.n2 > 0 && spec.n1 <= 16 && spec.n2 <= 16) ? spec.n1 * spec.n2 : 0;
            if (!(cells > 0 && spec.measurements <= 128) && spec.measurements > 0) spec.measurements = INT64_MAX;
            if (cells == 0 && spec.n1 > 0 && spec.n2 > 0) spec.n1 = spec.n2 = INT64_MAX; /* refused as overflow */
            fs_problem_generate(p, kinds[byte(&in) % 6], byte(&in) % 16 ? &spec : NULL);
            break;
        }
        case 5: {
            int64_t n1 = 1 + byte(&in) % 5, n2 = 1 + byte(&in) % 5, m = 1 + byte(&in) % 12;
            double *A = doubles(&in, m * n1 * n2), *y = doubles(&in, m), *t = doubles(&in, n1 * n2);
            fs_problem_set_dense(p, n1, n2, m, A, A ? claimed(&in, m * n1 * n2) : 0, y, y ? claimed(&in, m) : 0,
                                 byte(&in) % 2 ? t : NULL, t ? claimed(&in, n1 * n2) : 0);
            free(A); free(y); free(t);
            break;
        }
        case 6: {
            int64_t n1 = 1 + byte(&in) % 5, n2 = 1 + byte(&in) % 5, count = 1 + byte(&in) % 10;
            int64_t rows[10], cols[10];
            double values[10];
            for (int i = 0; i < count; i++) {
                rows[i] = (int64_t)(int8_t)byte(&in) % 7;
                cols[i] = (int64_t)(int8_t)byte(&in) % 7;
                values[i] = real(&in);
            }
            fs_problem_set_entries(p, n1, n2, count, rows, cols, values, claimed(&in, count), real(&in), NULL, 0);
            break;
        }
        case 7: fs_problem_set_symmetric(p, byte(&in) % 2); break;
        case 8: {
            const char *name = names[byte(&in) % 18];
            switch (byte(&in) % 3) {
            case 0: fs_options_set_int(o, name, (int64_t)word(&in) % 64 - 2); break;
            case 1: fs_options_set_real(o, name, real(&in)); break;
            default: fs_options_set_text(o, name, texts[byte(&in) % 6]); break;
            }
            fs_options_set_int(o, "max_iter", byte(&in) % 40); /* keep runs short */
            break;
        }
        case 9: {
            int64_t n1 = 1 + byte(&in) % 5, n2 = 1 + byte(&in) % 5, k = 1 + byte(&in) % 4;
            double *U = doubles(&in, n1 * k), *V = doubles(&in, n2 * k);
            fs_options_set_initial_factors(o, n1, n2, k, U, U ? claimed(&in, n1 * k) : 0, byte(&in) % 3 ? V : NULL,
                                           V ? claimed(&in, n2 * k) : 0);
            free(U); free(V);
            break;
        }
        case 10: fs_options_clear_initial_factors(o); break;
        case 11: stop_flag = byte(&in); fs_options_set_progress(o, byte(&in) % 2 ? stop_sometimes : NULL, &stop_flag); break;
        case 12: fs_options_set_int(o, "max_iter", byte(&in) % 40); fs_gradient_descent(p, o, r); break;
        case 13: {
            int64_t n1 = 0, n2 = 0, k = 0;
            if (fs_result_get_shape(r, &n1, &n2, &k) == FS_OK && n1 * k <= 4096 && n2 * k <= 4096) {
                double *U = malloc((size_t)(n1 * k + 1) * sizeof *U), *V = malloc((size_t)(n2 * k + 1) * sizeof *V);
                if (U && V) fs_result_copy_factors(r, U, claimed(&in, n1 * k), V, claimed(&in, n2 * k));
                free(U); free(V);
            }
            fs_result_copy_factors(r, NULL, 3, NULL, 3);
            break;
        }
        case 14: {
            int64_t length = 0, count = 0, iterations = 0;
            fs_stop_reason reason;
            fs_result_get_stop_reason(r, &reason);
            fs_result_get_iterations(r, &iterations);
            fs_result_get_history_column_count(r, &count);
            const char *name = NULL;
            fs_result_get_history_column_name(r, (int64_t)(int8_t)byte(&in) % 7, &name);
            if (fs_result_get_history_length(r, &length) == FS_OK && length <= 4096 && length > 0) {
                double *column = malloc((size_t)length * sizeof *column);
                if (column) fs_result_copy_history(r, name ? name : "loss", column, claimed(&in, length));
                free(column);
            }
            break;
        }
        case 15: {
            int64_t n1 = 0, n2 = 0, m = 0;
            int flag = 0;
            fs_problem_get_shape(p, &n1, &n2, &m);
            fs_problem_has_truth(p, &flag);
            fs_problem_is_symmetric(p, &flag);
            const char *kind = NULL;
            fs_problem_get_operator_kind(p, &kind);
            if (m > 0 && m <= 4096 && n1 * n2 <= 4096) {
                double *y = malloc((size_t)m * sizeof *y), *x = malloc((size_t)(n1 * n2) * sizeof *x);
                int64_t *rows = malloc((size_t)m * sizeof *rows), *cols = malloc((size_t)m * sizeof *cols);
                if (y && x && rows && cols) {
                    fs_problem_copy_measurements(p, y, claimed(&in, m));
                    fs_problem_copy_truth(p, x, claimed(&in, n1 * n2));
                    fs_problem_copy_entries(p, rows, cols, claimed(&in, m), NULL);
                    fs_problem_copy_rank_one(p, NULL, 0, NULL, 0, NULL);
                }
                free(y); free(x); free(rows); free(cols);
            }
            break;
        }
        case 16: {
            int64_t n1 = 0, n2 = 0, m = 0;
            if (fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && m <= 4096 && n1 * n2 <= 4096) {
                double *x = doubles(&in, n1 * n2), *out = malloc((size_t)(m + n1 * n2) * sizeof *out), *rho = doubles(&in, m);
                if (x && out && rho) {
                    fs_problem_apply(p, x, claimed(&in, n1 * n2), out, claimed(&in, m));
                    fs_problem_adjoint(p, rho, claimed(&in, m), out, claimed(&in, n1 * n2));
                }
                free(x); free(out); free(rho);
            }
            break;
        }
        case 17: {
            int64_t n1 = 0, n2 = 0, m = 0, k = 1 + byte(&in) % 3;
            if (fs_problem_get_shape(p, &n1, &n2, &m) == FS_OK && n1 * k <= 4096 && n2 * k <= 4096) {
                double *U = doubles(&in, n1 * k), *V = doubles(&in, n2 * k);
                double *gU = malloc((size_t)(n1 * k) * sizeof *gU), *gV = malloc((size_t)(n2 * k) * sizeof *gV), loss;
                if (U && V && gU && gV) {
                    int psd = byte(&in) % 2;
                    fs_problem_loss_and_gradient(p, k, U, claimed(&in, n1 * k), psd ? NULL : V, psd ? 0 : n2 * k, &loss,
                                                 gU, claimed(&in, n1 * k), psd ? NULL : gV, psd ? 0 : n2 * k);
                }
                free(U); free(V); free(gU); free(gV);
            }
            break;
        }
        case 18: {
            int64_t i = 0;
            double d = 0;
            const char *t = NULL;
            fs_options_get_int(o, names[byte(&in) % 18], &i);
            fs_options_get_real(o, names[byte(&in) % 18], &d);
            fs_options_get_text(o, names[byte(&in) % 18], &t);
            break;
        }
        default:
            (void)strlen(fs_last_error(p));
            (void)strlen(fs_last_error(o));
            (void)strlen(fs_last_error(r));
            (void)strlen(fs_status_string((fs_status)byte(&in)));
            (void)strlen(fs_stop_reason_string((fs_stop_reason)byte(&in)));
            break;
        }
    }
    for (int i = 0; i < 2; i++) {
        fs_problem_free(problems[i]);
        fs_options_free(options[i]);
        fs_result_free(results[i]);
    }
    return 0;
}
