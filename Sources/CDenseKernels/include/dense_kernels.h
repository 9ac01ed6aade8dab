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
 * AVX2 and the x86-64 baseline, chosen when the library loads; all three give the same bits.
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

/* For i < rows in order: ρ_i = a_i·x − y_i, then g ← g + ρ_i a_i while row i is in cache.
 * The same bits as fsk_dot_rows, the subtraction, then fsk_add_rows. */
void fsk_residual_adjoint_f64(const double *a, ptrdiff_t rows, ptrdiff_t n, const double *x,
                              const double *y, double *rho, double *g);
void fsk_residual_adjoint_f32(const float *a, ptrdiff_t rows, ptrdiff_t n, const double *x,
                              const double *y, double *rho, double *g);

#endif
