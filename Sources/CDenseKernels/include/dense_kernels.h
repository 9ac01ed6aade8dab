/*
 * The row kernels of the dense operators: a block of `rows` rows of a row-major matrix 𝐀 with
 * n ≥ 1 columns, stored as double (f64) or float (f32), against vectors of doubles.
 *
 * Every value is computed in double precision, in one fixed order that depends on n alone —
 * not on the block, the thread, or the instruction set the machine offers:
 *
 *   a dot product a_i·x is 16 partial sums s_l = Σ_{j ≡ l (mod 16), j < n − n mod 16} a_ij x_j,
 *   each a chain of fused multiply-adds in increasing j, added as a fixed tree (v_l = s_l +
 *   s_{l+8}, then ((v0 + v4) + (v2 + v6)) + ((v1 + v5) + (v3 + v7))); the last n mod 16 terms are
 *   a separate fused chain t from 0, and a_i·x = tree(s) + t;
 *
 *   a sum g += Σ_i ρ_i a_i adds the rows in increasing i, each entry by one fused multiply-add
 *   g_j ← fma(ρ_i, a_ij, g_j).
 *
 * A float entry is widened to double exactly before it is used, so an f32 matrix gives the same
 * bits as the f64 matrix of the same (rounded) entries. The kernels are compiled for AVX-512,
 * AVX2 and the x86-64 baseline, chosen when the library loads (fsk_instruction_set); all three
 * give the same bits.
 *
 * Internal to libfactorsense.so (not exported: mk/exports.map).
 */
#ifndef FACTORSENSE_DENSE_KERNELS_H
#define FACTORSENSE_DENSE_KERNELS_H

#include <stddef.h>

/* out_i = a_i·x for i < rows. */
void fsk_dot_rows_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, const double *x, double *out);
void fsk_dot_rows_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, const double *x, double *out);

/* g ← g + Σ_{i < rows} ρ_i a_i, rows in order. */
void fsk_add_rows_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, const double *rho, double *g);
void fsk_add_rows_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, const double *rho, double *g);

/* For the trials t < trials sharing 𝐀, with trial t's vectors at x + t·x_stride (n values),
 * y + t·y_stride, rho + t·rho_stride (rows values each) and g + t·g_stride (n values): for i <
 * rows in order, ρ_it = a_i·x_t − y_it, then g_t ← g_t + ρ_it a_i while row i is in cache.
 * Trial t gets the bits of fsk_dot_rows, the subtraction, then fsk_add_rows on its own
 * vectors, whatever the other trials and their number (trials = 1: one trial alone). */
void fsk_residual_adjoint_batch_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t trials,
                                    const double *x, ptrdiff_t x_stride, const double *y,
                                    ptrdiff_t y_stride, double *rho, ptrdiff_t rho_stride,
                                    double *g, ptrdiff_t g_stride);
void fsk_residual_adjoint_batch_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, ptrdiff_t trials,
                                    const double *x, ptrdiff_t x_stride, const double *y,
                                    ptrdiff_t y_stride, double *rho, ptrdiff_t rho_stride,
                                    double *g, ptrdiff_t g_stride);

/* The instruction set the kernels run on: "avx512" (x86-64-v4), "avx2" (x86-64-v3) or
 * "baseline". The best this machine runs, or the one the environment variable
 * FACTORSENSE_KERNEL_ISA names when the library is loaded, if this machine runs it. */
const char *fsk_instruction_set(void);

#endif
