/*
 * The row kernels of the dense operators (dense_kernels.h): fixed-order double-precision dot
 * products and fused row sums over f64 or f32 rows, for one trial or several sharing 𝐀, one
 * source compiled for three instruction sets.
 *
 * The arithmetic is written once with 8-wide vectors of doubles (clang vector extensions) and
 * explicit fused multiply-adds, so every instruction set performs the same IEEE operations in
 * the same order: AVX-512 holds a vector in one register, AVX2 in two, the baseline in four SSE2
 * registers with fma() from libm (slow but exact: every x86-64 machine since 2013 takes an FMA
 * version). Contraction is off: no multiply and add are fused unless written so.
 *
 * Register blocking. A dot product keeps its own 16 partial sums (two vectors) whatever shares
 * its pass, so a pass may take several rows and several trials at once: R rows × W trials hold
 * 2·R·W accumulators, and each load of a row serves W trials, each load of an x_t serves R rows.
 * The sums g_t += Σ_i ρ_it 𝐚_i take R rows × W trials likewise: each load of a row serves W
 * trials, each load and store of g_t serves R rows (their fused multiply-adds still in row
 * order). The block sizes are chosen per instruction set (`FSK_SIZES_*`) to fit its registers;
 * they change which values share a pass, never a value.
 */
#include "dense_kernels.h"

#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
/* The helpers below take and return 8-wide vectors but are always inlined: no call crosses an ABI. */
#pragma clang diagnostic ignored "-Wpsabi"

typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

#define FSK_INLINE static inline __attribute__((always_inline))

FSK_INLINE v8d load_f64(const double *p) { v8d v; memcpy(&v, p, sizeof v); return v; }
FSK_INLINE v8d load_f32(const float *p) { v8f v; memcpy(&v, p, sizeof v); return __builtin_convertvector(v, v8d); }
FSK_INLINE void store_f64(double *p, v8d v) { memcpy(p, &v, sizeof v); }
FSK_INLINE v8d splat(double r) { v8d v = {r, r, r, r, r, r, r, r}; return v; }
FSK_INLINE v8d fma8(v8d a, v8d b, v8d c) { return __builtin_elementwise_fma(a, b, c); }

/* The 16 partial sums s0, s1 of one dot product (s0[l] holds the terms j ≡ l (mod 16), s1[l]
 * the terms j ≡ 8 + l) added as a fixed tree: v = s0 + s1 lane by lane, then
 * ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7)). */
FSK_INLINE double tree(v8d s0, v8d s1) {
    v8d v = s0 + s1;
    double w0 = v[0] + v[4], w1 = v[1] + v[5], w2 = v[2] + v[6], w3 = v[3] + v[7];
    return (w0 + w2) + (w1 + w3);
}

/* The largest row and trial blocks of any instruction set. */
#define FSK_MAX_ROWS 8
#define FSK_MAX_TRIALS 4

/* The register blocks for one storage type T (loaded and widened by LOAD). R and W are
 * literals at every call, so the loops over them unroll and the arrays live in registers.
 *
 * dots_T: out[u·os + q] = 𝐚_q·x_u − y[u·ys + q] (no subtraction when y is NULL) for the R rows
 * from a (row stride n) and the W trials x_u = x + u·xs, in the order of dense_kernels.h.
 *
 * adds_T: g_u ← g_u + ρ[u·rs + 0] 𝐚_0 + … + ρ[u·rs + R − 1] 𝐚_{R−1} for the W trials
 * g_u = g + u·gs, each entry loaded once and updated by one fused multiply-add per row in row
 * order — the same operations as R passes of one row each. */
#define FSK_BLOCKS(T, LOAD)                                                                    \
    FSK_INLINE void dots_##T(const T *a, int R, int W, ptrdiff_t n, const double *x, ptrdiff_t xs, \
                             const double *y, ptrdiff_t ys, double *out, ptrdiff_t os) {      \
        v8d s[FSK_MAX_ROWS][FSK_MAX_TRIALS][2];                                                \
        double t[FSK_MAX_ROWS][FSK_MAX_TRIALS];                                                \
        for (int q = 0; q < R; q++)                                                            \
            for (int u = 0; u < W; u++) { s[q][u][0] = splat(0); s[q][u][1] = splat(0); t[q][u] = 0; } \
        ptrdiff_t j = 0, whole = n - n % 16;                                                   \
        for (; j < whole; j += 16) {                                                           \
            v8d x0[FSK_MAX_TRIALS], x1[FSK_MAX_TRIALS];                                        \
            for (int u = 0; u < W; u++) { x0[u] = load_f64(x + u * xs + j); x1[u] = load_f64(x + u * xs + j + 8); } \
            for (int q = 0; q < R; q++) {                                                      \
                v8d a0 = LOAD(a + q * n + j), a1 = LOAD(a + q * n + j + 8);                    \
                for (int u = 0; u < W; u++) {                                                  \
                    s[q][u][0] = fma8(a0, x0[u], s[q][u][0]);                                  \
                    s[q][u][1] = fma8(a1, x1[u], s[q][u][1]);                                  \
                }                                                                              \
            }                                                                                  \
        }                                                                                      \
        for (; j < n; j++)                                                                     \
            for (int q = 0; q < R; q++)                                                        \
                for (int u = 0; u < W; u++) t[q][u] = __builtin_fma((double)a[q * n + j], x[u * xs + j], t[q][u]); \
        for (int q = 0; q < R; q++)                                                            \
            for (int u = 0; u < W; u++) {                                                      \
                double dot = tree(s[q][u][0], s[q][u][1]) + t[q][u];                           \
                out[u * os + q] = y ? dot - y[u * ys + q] : dot;                               \
            }                                                                                  \
    }                                                                                          \
    FSK_INLINE void adds_##T(const T *a, int R, int W, ptrdiff_t n, const double *r, ptrdiff_t rs, \
                             double *g, ptrdiff_t gs) {                                        \
        v8d rv[FSK_MAX_ROWS][FSK_MAX_TRIALS];                                                  \
        for (int q = 0; q < R; q++)                                                            \
            for (int u = 0; u < W; u++) rv[q][u] = splat(r[u * rs + q]);                       \
        ptrdiff_t j = 0, whole = n - n % 8;                                                    \
        for (; j < whole; j += 8) {                                                            \
            v8d av[FSK_MAX_ROWS];                                                              \
            for (int q = 0; q < R; q++) av[q] = LOAD(a + q * n + j);                           \
            for (int u = 0; u < W; u++) {                                                      \
                v8d v = load_f64(g + u * gs + j);                                              \
                for (int q = 0; q < R; q++) v = fma8(rv[q][u], av[q], v);                      \
                store_f64(g + u * gs + j, v);                                                  \
            }                                                                                  \
        }                                                                                      \
        for (; j < n; j++)                                                                     \
            for (int u = 0; u < W; u++) {                                                      \
                double v = g[u * gs + j];                                                      \
                for (int q = 0; q < R; q++) v = __builtin_fma(r[u * rs + q], (double)a[q * n + j], v); \
                g[u * gs + j] = v;                                                             \
            }                                                                                  \
    }

FSK_BLOCKS(double, load_f64)
FSK_BLOCKS(float, load_f32)

/* The block sizes of each instruction set: DOT_ROWS × DOT_TRIALS for the dot products, and
 * ADD_ROWS × ADD_TRIALS for the sums (ADD_ROWS 8: a group of 8 rows takes its dot products four
 * rows at a time, then one sum over the 8, when a pass has at least ADD_TRIALS trials; a single
 * trial keeps groups of four, whose rows are still in the first-level cache for the sum). */
#define FSK_SIZES_avx512 4, 3, 8, 3
#define FSK_SIZES_avx2 2, 2, 4, 2
#define FSK_SIZES_baseline 4, 1, 4, 1

/* The functions of one instruction set ISA (compiled with ATTRIBUTES) for one storage type:
 *   batch: for each row group in order, every trial's ρ_it = 𝐚_i·x_t − y_it for the group's
 *          rows, then every trial's g_t += Σ ρ_it 𝐚_i over them;
 *   dot:   out_i = 𝐚_i·x;
 *   add:   g += Σ ρ_i 𝐚_i. */
#define FSK_FUNCTIONS(ISA, ATTRIBUTES, T, SUFFIX) FSK_FUNCTIONS_(ISA, ATTRIBUTES, T, SUFFIX, FSK_SIZES_##ISA)
#define FSK_FUNCTIONS_(...) FSK_FUNCTIONS__(__VA_ARGS__)
#define FSK_FUNCTIONS__(ISA, ATTRIBUTES, T, SUFFIX, DOT_ROWS, DOT_TRIALS, ADD_ROWS, ADD_TRIALS)   \
    ATTRIBUTES static void batch_##SUFFIX##_##ISA(const T *a, ptrdiff_t rows, ptrdiff_t n,      \
                                                  ptrdiff_t trials, const double *x, ptrdiff_t xs, \
                                                  const double *y, ptrdiff_t ys, double *rho,   \
                                                  ptrdiff_t rs, double *g, ptrdiff_t gs) {      \
        ptrdiff_t i = 0;                                                                       \
        if (ADD_ROWS > DOT_ROWS && trials >= ADD_TRIALS)                                       \
            for (; i + ADD_ROWS <= rows; i += ADD_ROWS) {                                      \
                for (int h = 0; h < ADD_ROWS; h += DOT_ROWS) FSK_DOTS(T, DOT_ROWS, DOT_TRIALS, i + h); \
                FSK_ADDS(T, ADD_ROWS, ADD_TRIALS);                                             \
            }                                                                                  \
        for (; i + DOT_ROWS <= rows; i += DOT_ROWS) {                                          \
            FSK_DOTS(T, DOT_ROWS, DOT_TRIALS, i);                                              \
            FSK_ADDS(T, DOT_ROWS, ADD_TRIALS);                                                 \
        }                                                                                      \
        for (; i < rows; i++) {                                                                \
            FSK_DOTS(T, 1, 1, i);                                                              \
            FSK_ADDS(T, 1, ADD_TRIALS);                                                        \
        }                                                                                      \
    }                                                                                          \
    ATTRIBUTES static void dot_##SUFFIX##_##ISA(const T *a, ptrdiff_t rows, ptrdiff_t n,        \
                                                const double *x, double *out) {                \
        ptrdiff_t i = 0;                                                                       \
        for (; i + DOT_ROWS <= rows; i += DOT_ROWS) dots_##T(a + i * n, DOT_ROWS, 1, n, x, 0, NULL, 0, out + i, 0); \
        for (; i < rows; i++) dots_##T(a + i * n, 1, 1, n, x, 0, NULL, 0, out + i, 0);         \
    }                                                                                          \
    ATTRIBUTES static void add_##SUFFIX##_##ISA(const T *a, ptrdiff_t rows, ptrdiff_t n,        \
                                                const double *rho, double *g) {                \
        ptrdiff_t i = 0;                                                                       \
        for (; i + DOT_ROWS <= rows; i += DOT_ROWS) adds_##T(a + i * n, DOT_ROWS, 1, n, rho + i, 0, g, 0); \
        for (; i < rows; i++) adds_##T(a + i * n, 1, 1, n, rho + i, 0, g, 0);                  \
    }

/* Rows [ROW, ROW + R) of the batch: every trial's residuals, W trials at a time, then one. */
#define FSK_DOTS(T, R, W, ROW)                                                                 \
    do {                                                                                       \
        ptrdiff_t u = 0, row = (ROW);                                                          \
        for (; u + (W) <= trials; u += (W))                                                    \
            dots_##T(a + row * n, R, W, n, x + u * xs, xs, y + u * ys + row, ys, rho + u * rs + row, rs); \
        for (; u < trials; u++) dots_##T(a + row * n, R, 1, n, x + u * xs, xs, y + u * ys + row, ys, rho + u * rs + row, rs); \
    } while (0)

/* Rows [i, i + R) of the batch: every trial's sum, W trials at a time, then one. */
#define FSK_ADDS(T, R, W)                                                                      \
    do {                                                                                       \
        ptrdiff_t u = 0;                                                                       \
        for (; u + (W) <= trials; u += (W))                                                    \
            adds_##T(a + i * n, R, W, n, rho + u * rs + i, rs, g + u * gs, gs);                \
        for (; u < trials; u++) adds_##T(a + i * n, R, 1, n, rho + u * rs + i, rs, g + u * gs, gs); \
    } while (0)

/* One instruction set's six functions and its name. */
typedef struct {
    const char *name;
    void (*batch_f64)(const double *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t,
                      const double *, ptrdiff_t, double *, ptrdiff_t, double *, ptrdiff_t);
    void (*batch_f32)(const float *, ptrdiff_t, ptrdiff_t, ptrdiff_t, const double *, ptrdiff_t,
                      const double *, ptrdiff_t, double *, ptrdiff_t, double *, ptrdiff_t);
    void (*dot_f64)(const double *, ptrdiff_t, ptrdiff_t, const double *, double *);
    void (*dot_f32)(const float *, ptrdiff_t, ptrdiff_t, const double *, double *);
    void (*add_f64)(const double *, ptrdiff_t, ptrdiff_t, const double *, double *);
    void (*add_f32)(const float *, ptrdiff_t, ptrdiff_t, const double *, double *);
} fsk_table;

#define FSK_TABLE(ISA) { #ISA, batch_f64_##ISA, batch_f32_##ISA, dot_f64_##ISA, dot_f32_##ISA, add_f64_##ISA, add_f32_##ISA }

FSK_FUNCTIONS(baseline, , double, f64)
FSK_FUNCTIONS(baseline, , float, f32)

#if defined(__x86_64__) && defined(__clang__)
#define FSK_X86 1
FSK_FUNCTIONS(avx512, __attribute__((target("arch=x86-64-v4"))), double, f64)
FSK_FUNCTIONS(avx512, __attribute__((target("arch=x86-64-v4"))), float, f32)
FSK_FUNCTIONS(avx2, __attribute__((target("arch=x86-64-v3"))), double, f64)
FSK_FUNCTIONS(avx2, __attribute__((target("arch=x86-64-v3"))), float, f32)
static const fsk_table tables[] = {FSK_TABLE(avx512), FSK_TABLE(avx2), FSK_TABLE(baseline)};
#else
static const fsk_table tables[] = {FSK_TABLE(baseline)};
#endif

/* Whether this machine runs tables[k]. */
static int supported(size_t k) {
#if FSK_X86
    if (strcmp(tables[k].name, "avx512") == 0) return __builtin_cpu_supports("x86-64-v4");
    if (strcmp(tables[k].name, "avx2") == 0) return __builtin_cpu_supports("x86-64-v3");
#endif
    return strcmp(tables[k].name, "baseline") == 0;
}

/* The table in use: the one FACTORSENSE_KERNEL_ISA names when this machine runs it, else the
 * first this machine runs. Chosen once, when the library is loaded. */
static const fsk_table *selected = &tables[sizeof tables / sizeof tables[0] - 1];

__attribute__((constructor)) static void select_table(void) {
#if FSK_X86
    __builtin_cpu_init();
#endif
    const char *asked = getenv("FACTORSENSE_KERNEL_ISA");
    size_t count = sizeof tables / sizeof tables[0], best = count - 1;
    for (size_t k = count; k-- > 0;)
        if (supported(k)) best = k;
    for (size_t k = 0; asked != NULL && k < count; k++)
        if (strcmp(asked, tables[k].name) == 0 && supported(k)) best = k;
    selected = &tables[best];
}

const char *fsk_instruction_set(void) { return selected->name; }

void fsk_dot_rows_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, const double *x, double *out) {
    selected->dot_f64(a, rows, n, x, out);
}
void fsk_dot_rows_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, const double *x, double *out) {
    selected->dot_f32(a, rows, n, x, out);
}
void fsk_add_rows_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, const double *rho, double *g) {
    selected->add_f64(a, rows, n, rho, g);
}
void fsk_add_rows_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, const double *rho, double *g) {
    selected->add_f32(a, rows, n, rho, g);
}
void fsk_residual_adjoint_batch_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t trials,
                                    const double *x, ptrdiff_t x_stride, const double *y,
                                    ptrdiff_t y_stride, double *rho, ptrdiff_t rho_stride,
                                    double *g, ptrdiff_t g_stride) {
    selected->batch_f64(a, rows, n, trials, x, x_stride, y, y_stride, rho, rho_stride, g, g_stride);
}
void fsk_residual_adjoint_batch_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t trials,
                                    const double *x, ptrdiff_t x_stride, const double *y,
                                    ptrdiff_t y_stride, double *rho, ptrdiff_t rho_stride,
                                    double *g, ptrdiff_t g_stride) {
    selected->batch_f32(a, rows, n, trials, x, x_stride, y, y_stride, rho, rho_stride, g, g_stride);
}
