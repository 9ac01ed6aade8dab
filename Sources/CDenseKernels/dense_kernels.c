/*
 * The row kernels of the dense operators (dense_kernels.h): fixed-order double-precision dot
 * products and fused row sums over f64 or f32 rows, one source compiled for three instruction
 * sets.
 *
 * The arithmetic is written once with 8-wide vectors of doubles (clang vector extensions) and
 * explicit fused multiply-adds, so every clone performs the same IEEE operations in the same
 * order: AVX-512 holds a vector in one register, AVX2 in two, the baseline in four SSE2
 * registers with fma() from libm (slow but exact: every x86-64 machine since 2013 takes an FMA
 * clone). Contraction is off: no multiply and add are fused unless written so.
 */
#include "dense_kernels.h"

#include <string.h>

#pragma STDC FP_CONTRACT OFF
/* The helpers below take and return 8-wide vectors but are always inlined: no call crosses an ABI. */
#pragma clang diagnostic ignored "-Wpsabi"

typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));

#if defined(__x86_64__) && defined(__clang__)
#define FSK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define FSK_CLONES
#endif

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

/* The row functions for one storage type T (loaded and widened by LOAD):
 *
 * dots_T(a, R, n, x, out): out_i = a_i·x for the R ≤ 4 rows from a, in the order of
 * dense_kernels.h. Rows are taken four at a time so that each load of x serves four rows;
 * every row still has its own 16 partial sums and its own tail chain, so the value of a row does
 * not depend on which rows share its pass.
 *
 * adds_T(a, R, n, r, g): g ← g + r_0 a_0 + … + r_{R−1} a_{R−1}, each entry of g loaded once and
 * updated by one fused multiply-add per row in row order — the same operations as R passes of
 * one row each. */
#define FSK_ROW_FUNCTIONS(T, LOAD)                                                             \
    FSK_INLINE void dots_##T(const T *a, int R, ptrdiff_t n, const double *x, double *out) {   \
        v8d s[4][2];                                                                           \
        double t[4];                                                                           \
        for (int q = 0; q < 4; q++) { s[q][0] = splat(0); s[q][1] = splat(0); t[q] = 0; }      \
        ptrdiff_t j = 0, whole = n - n % 16;                                                   \
        for (; j < whole; j += 16) {                                                           \
            v8d x0 = load_f64(x + j), x1 = load_f64(x + j + 8);                                \
            for (int q = 0; q < R; q++) {                                                      \
                s[q][0] = fma8(LOAD(a + q * n + j), x0, s[q][0]);                              \
                s[q][1] = fma8(LOAD(a + q * n + j + 8), x1, s[q][1]);                          \
            }                                                                                  \
        }                                                                                      \
        for (; j < n; j++)                                                                     \
            for (int q = 0; q < R; q++) t[q] = __builtin_fma((double)a[q * n + j], x[j], t[q]); \
        for (int q = 0; q < R; q++) out[q] = tree(s[q][0], s[q][1]) + t[q];                    \
    }                                                                                          \
    FSK_INLINE void adds_##T(const T *a, int R, ptrdiff_t n, const double *r, double *g) {     \
        v8d rv[4];                                                                             \
        for (int q = 0; q < R; q++) rv[q] = splat(r[q]);                                       \
        ptrdiff_t j = 0, whole = n - n % 8;                                                    \
        for (; j < whole; j += 8) {                                                            \
            v8d v = load_f64(g + j);                                                           \
            for (int q = 0; q < R; q++) v = fma8(rv[q], LOAD(a + q * n + j), v);               \
            store_f64(g + j, v);                                                               \
        }                                                                                      \
        for (; j < n; j++) {                                                                   \
            double v = g[j];                                                                   \
            for (int q = 0; q < R; q++) v = __builtin_fma(r[q], (double)a[q * n + j], v);      \
            g[j] = v;                                                                          \
        }                                                                                      \
    }                                                                                          \
    FSK_INLINE void fused_##T(const T *a, int R, ptrdiff_t n, const double *x, const double *y, \
                              double *rho, double *g) {                                        \
        dots_##T(a, R, n, x, rho);                                                             \
        for (int q = 0; q < R; q++) rho[q] -= y[q];                                            \
        adds_##T(a, R, n, rho, g);                                                             \
    }

FSK_ROW_FUNCTIONS(double, load_f64)
FSK_ROW_FUNCTIONS(float, load_f32)

/* The exported block functions: rows in groups of four, then one at a time. The group size is
 * a literal in each call so that the compiler unrolls the row loops. */
#define FSK_GROUPS(CALL)                                                                       \
    ptrdiff_t i = 0;                                                                           \
    for (; i + 4 <= rows; i += 4) CALL(4);                                                     \
    for (; i < rows; i++) CALL(1);

#define FSK_BLOCK_FUNCTIONS(T, SUFFIX)                                                         \
    FSK_CLONES void fsk_dot_rows_##SUFFIX(const T *a, ptrdiff_t rows, ptrdiff_t n,             \
                                          const double *x, double *out) {                      \
        FSK_GROUPS(FSK_DOTS_##SUFFIX)                                                          \
    }                                                                                          \
    FSK_CLONES void fsk_add_rows_##SUFFIX(const T *a, ptrdiff_t rows, ptrdiff_t n,             \
                                          const double *rho, double *g) {                      \
        FSK_GROUPS(FSK_ADDS_##SUFFIX)                                                          \
    }                                                                                          \
    FSK_CLONES void fsk_residual_adjoint_##SUFFIX(const T *a, ptrdiff_t rows, ptrdiff_t n,     \
                                                  const double *x, const double *y,            \
                                                  double *rho, double *g) {                    \
        FSK_GROUPS(FSK_FUSED_##SUFFIX)                                                         \
    }

#define FSK_DOTS_f64(R) dots_double(a + i * n, R, n, x, out + i)
#define FSK_DOTS_f32(R) dots_float(a + i * n, R, n, x, out + i)
#define FSK_ADDS_f64(R) adds_double(a + i * n, R, n, rho + i, g)
#define FSK_ADDS_f32(R) adds_float(a + i * n, R, n, rho + i, g)
#define FSK_FUSED_f64(R) fused_double(a + i * n, R, n, x, y + i, rho + i, g)
#define FSK_FUSED_f32(R) fused_float(a + i * n, R, n, x, y + i, rho + i, g)

FSK_BLOCK_FUNCTIONS(double, f64)
FSK_BLOCK_FUNCTIONS(float, f32)
