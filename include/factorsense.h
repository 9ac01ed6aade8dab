/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * factorsense.h — the C interface of FactorSense, low-rank matrix sensing by factorized
 * gradient descent from small random initialization.
 *
 * The one ABI contract of libfactorsense.so. Every function here is implemented in Swift
 * (Sources/FactorSenseC) by an `@_cdecl … @implementation` shim that the compiler checks
 * against this header.
 *
 * Quickstart: recover a rank-3 40 × 30 matrix X⋆ from 900 Gaussian measurements by gradient
 * descent on its factors (width 10, step 0.5) from a small random start, and print the least
 * relative test error ‖UVᵀ − X⋆‖_F / ‖X⋆‖_F. Build: cc quick.c $(pkg-config --cflags --libs
 * factorsense) -lm. Every fallible call returns FS_OK (0) or an error status, whose message
 * fs_last_error(handle) gives; only the solve is checked here. examples/c/recover.c is the same
 * program with every check, examples/c/interrupt.c stops a run on Ctrl-C.
 *
 *     #include <stdio.h>
 *     #include "factorsense.h"
 *
 *     int main(void) {
 *         fs_problem *p; fs_options *o; fs_result *r; double error; int64_t t;
 *         fs_problem_create(&p);
 *         fs_problem_generate_gaussian(p, 40, 30, 3, 900, 1.0, 1.0, 0.0, 0);
 *         fs_options_create(&o);
 *         fs_options_set_int(o, "width", 10);
 *         fs_options_set_real(o, "step", 0.5);
 *         fs_options_set_int(o, "max_iter", 3000);
 *         fs_result_create(&r);
 *         if (fs_gradient_descent(p, o, r) != FS_OK) return fprintf(stderr, "%s\n", fs_last_error(r)), 1;
 *         fs_result_history_minimum(r, "test_error", &error, &t);
 *         printf("test error %.1e at iteration %lld\n", error, (long long)t);
 *         fs_result_free(r); fs_options_free(o); fs_problem_free(p);
 *         return 0;
 *     }
 *
 * Conventions
 * - Matrices are row-major, double precision; vec(X) stacks the rows of X.
 * - Sizes and lengths are int64_t. Every array argument comes with the length the caller
 *   allocated; it must equal the length the call needs, or the call fails with
 *   FS_ERROR_SIZE_MISMATCH and writes nothing.
 * - Every fallible call returns an fs_status. FS_OK is 0. On any other status the call has
 *   written nothing to the caller's arrays and `fs_last_error(handle)` tells what was wrong
 *   (naming the argument and the value expected). There is no global error state.
 * - The caller allocates every output array. The library copies every input it keeps and never
 *   holds a caller's pointer after a call returns (the progress callback's `user` pointer is
 *   used only during the solve it was set for).
 * - Handles are opaque tokens, checked on every call: NULL, freed, or a handle of another kind
 *   gives FS_ERROR_INVALID_HANDLE, never a crash. Each `_free` accepts NULL and freed handles.
 * - Why a run stopped (converged, iteration limit, diverged, stopped by the callback or by
 *   fs_interrupt) is a result, read with fs_result_get_stop_reason, never an error status.
 * - Something a run did not show (a phase end, a learning time, an ε never reached) is −1 where
 *   it would be an iteration (int64_t) and NaN where it would be a double (its time, the plateau
 *   level, an angle): an iteration field is −1 exactly when its time is NaN. (Python says None
 *   for both, Swift nil.)
 * - Memory is counted before it is used: a call that allocates in proportion to the caller's
 *   sizes first adds up what it will hold at its peak (all its buffers together) and returns
 *   FS_ERROR_OUT_OF_MEMORY, naming the sizes, when that exceeds what the process can still get
 *   (the smallest of physical memory, MemAvailable, RLIMIT_AS less the address space in use, and
 *   the cgroup limit less its usage). No allocation failure ends the caller's process.
 * - Text arguments are C strings: the library sees them up to their first NUL. Messages repeat
 *   at most 64 characters of a caller's text.
 * - Versioned structs (fs_problem_spec, fs_flow_settings, fs_phases, fs_predictions) follow one rule, that of
 *   zstd and of the Linux kernel's extensible structs. Each is led by `size_t struct_size`, which
 *   is always the *caller's* sizeof: the `*_init(&s, sizeof s)` functions write it, and for
 *   fs_phases the caller sets it. Later versions only append fields, each starting at the
 *   previous version's sizeof (never in its tail padding). The library reads and writes only
 *   min(struct_size, its own size) bytes, never more:
 *   - a caller built against an older, smaller header: the fields it did not send read as 0
 *     (each appended field's default is 0), the fields it has no room for are not written;
 *   - a caller built against a newer, larger header: the fields this library does not know
 *     must be 0 (as `*_init` leaves them) — a non-zero one is refused with
 *     FS_ERROR_INVALID_ARGUMENT naming its byte offset — and in an output struct they are set
 *     to 0;
 *   - a struct_size below the struct's first published size, or above 4096, is refused
 *     (FS_ERROR_INVALID_ARGUMENT) before anything past struct_size is read.
 *   The library never writes its own sizeof into a caller's struct.
 *
 * Threads
 * - Use a handle from one thread at a time; distinct handles are independent.
 * - fs_gradient_descent only reads its problem and options (it copies what it needs at its
 *   start): several threads may run it at once on the same problem and options, each with its
 *   own result handle.
 * - Breaking the first rule never corrupts memory: every handle has a lock, and a second thread
 *   calling into a handle that is busy waits until the first call returns (a call on the result
 *   of a running fs_gradient_descent waits for the run). A call from a progress callback into
 *   the result of the run it observes cannot wait for that run: it fails with
 *   FS_ERROR_WRONG_STATE.
 * - fs_interrupt may be called from any thread at any time (a signal handler excepted): it
 *   takes no handle lock and never waits.
 * - fs_version_number, fs_version_string, fs_status_string and fs_stop_reason_string are
 *   thread-safe and return static text.
 * - The process may end while solves run on other threads (main returns, exit is called): no
 *   crash. exit lets the OpenBLAS and LAPACK calls under way finish before OpenBLAS's exit-time
 *   teardown frees their buffers (a wait as long as the longest such call: milliseconds, or
 *   the one SVD of a spectral start); from then on a solving thread that is about to make such
 *   a call, or to call a progress or perturbation callback, sleeps until the process has ended
 *   and never returns — its work is lost, as it would be anyway. See fs_begin_exit for a
 *   runtime that is torn down before exit.
 * - Same inputs, same bits, whatever OPENBLAS_NUM_THREADS and the number of cores: the dense
 *   kernels split their work into fixed chunks summed in a fixed order, and OpenBLAS itself runs
 *   single-threaded — the library's first BLAS or LAPACK call sets openblas_set_num_threads(1)
 *   on the OpenBLAS it is linked with (OpenBLAS's threaded reductions change the bits with the
 *   thread count, and nested in the library's own chunks they oversubscribe the cores). The
 *   Python wheel carries its own, renamed copy of OpenBLAS, so only that copy is pinned and the
 *   process's other OpenBLAS keeps its threads. A library built or installed here (make build,
 *   make install) links the system's libopenblas.so.0: a program that uses that OpenBLAS for
 *   its own work sees it single-threaded too; raising it again gives up FactorSense's
 *   bit-for-bit reproducibility, not its correctness.
 */
#ifndef FACTORSENSE_H
#define FACTORSENSE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define FS_VERSION_MAJOR 0
#define FS_VERSION_MINOR 7
#define FS_VERSION_PATCH 0
/** MAJOR * 10000 + MINOR * 100 + PATCH; compare with fs_version_number() at run time. */
#define FS_VERSION_NUMBER (FS_VERSION_MAJOR * 10000 + FS_VERSION_MINOR * 100 + FS_VERSION_PATCH)

/** The version of the library that is loaded, as FS_VERSION_NUMBER. */
int64_t fs_version_number(void);
/** The version of the library that is loaded, as "MAJOR.MINOR.PATCH" (static text). */
const char *fs_version_string(void);
/**
 * The instruction set the dense operators' kernels run on (static text): "avx512" (x86-64-v4),
 * "avx2" (x86-64-v3) or "baseline". The best this machine runs, chosen when the library is
 * loaded; the environment variable FACTORSENSE_KERNEL_ISA set to one of the three names before
 * the library is loaded chooses that one instead, when the machine runs it. Every instruction
 * set gives the same bits; only the speed differs (docs/performance.md).
 */
const char *fs_kernel_instruction_set(void);

/* ---------------------------------------------------------------- status */

/** What a call returns. The values are pinned and never reused. */
typedef enum fs_status {
    FS_OK = 0,
    FS_ERROR_NULL_POINTER = 1,      /* a required pointer argument is NULL */
    FS_ERROR_INVALID_HANDLE = 2,    /* a handle that is NULL, freed, or of another kind */
    FS_ERROR_INVALID_ARGUMENT = 3,  /* a value outside its domain: negative step, width 0, unknown name */
    FS_ERROR_SIZE_MISMATCH = 4,     /* an array length that does not match the problem */
    FS_ERROR_NOT_FINITE = 5,        /* NaN or infinity in an input */
    FS_ERROR_OVERFLOW = 6,          /* a size product that overflows */
    FS_ERROR_OUT_OF_MEMORY = 7,     /* what the call would hold at its peak exceeds the memory available */
    FS_ERROR_WRONG_STATE = 8,       /* a call before the handle holds what it needs */
    FS_ERROR_LINEAR_ALGEBRA = 9,    /* a LAPACK routine failed, or an iteration did not converge */
    FS_ERROR_INTERNAL = 10,         /* a bug in FactorSense: please report it */
    FS_ERROR_INTERRUPTED = 11       /* fs_interrupt stopped the call before it had a result */
} fs_status;

/** A short static description of a status ("unknown status" for a value not listed above). */
const char *fs_status_string(fs_status status);

/**
 * The detailed message of the last failed call on `handle` (a problem, options or result
 * handle), or "" when its last call succeeded. The text is the calling thread's own copy: it
 * stays valid until the same thread calls fs_last_error on the same handle again, or the handle
 * is freed — whatever other threads do meanwhile. For an invalid handle, static text saying so.
 */
const char *fs_last_error(const void *handle);

/**
 * Asks the long call running on `handle` — or, when none is running, the next one — to stop as
 * soon as it can: it checks at least every 0.1 s of its work. The long calls are, on a problem
 * handle, fs_problem_generate, fs_problem_generate_gaussian, fs_problem_set_dense,
 * fs_problem_set_entries, fs_problem_spectrum and fs_problem_predict, and on a result handle,
 * fs_gradient_descent filling it:
 * - an interrupted generation, set, spectrum or predict call returns FS_ERROR_INTERRUPTED and
 *   leaves the problem and the caller's outputs as they were;
 * - an interrupted run ends normally (FS_OK) with the stop reason FS_STOP_INTERRUPTED, holding
 *   the last iterate whose loss was computed in full, recorded as the last history row. When
 *   the interrupt comes before the first iterate was evaluated — during the spectral
 *   initialization, or the first pass over 𝒜 — fs_gradient_descent returns FS_ERROR_INTERRUPTED
 *   and leaves the result as it was.
 * The request is consumed by the call that stops for it; a request that arrives as a call is
 * finishing waits for the next long call on the handle. Other calls neither see nor consume it.
 * The LAPACK factorization of the spectral initialization (an SVD, or an eigendecomposition for
 * PSD problems) cannot be interrupted: it is checked right before and right after.
 * Thread-safe and lock-free: it never waits for the running call, and may be called from
 * another thread or from a progress callback. It never changes fs_last_error(handle).
 * Returns FS_OK, or FS_ERROR_INVALID_HANDLE for anything but a live problem or result handle.
 */
fs_status fs_interrupt(const void *handle);

/**
 * Declares that the process is ending, for a language runtime that is torn down before the C
 * exit (the Python package calls it at interpreter shutdown): from now on, every thread but the
 * calling one stops for good — it sleeps until the process has ended — at its next OpenBLAS
 * call or progress or perturbation callback, so that no solve calls back into a finalized
 * runtime. The calls under way finish; the calling thread may still call the library (its
 * exit-time code). Irreversible: call it only when the process is about to end. Thread-safe;
 * never waits. exit does the same by itself, after the atexit handlers.
 */
void fs_begin_exit(void);

/* ---------------------------------------------------------------- handles */

/** A sensing problem: operator 𝒜, measurements y, optional ground truth X⋆. */
typedef struct fs_problem fs_problem;
/** Solver options, set by name (see fs_options_set_int / fs_options_set_real). */
typedef struct fs_options fs_options;
/** The outcome of a run: factors, stop reason and recorded history. */
typedef struct fs_result fs_result;

/* ---------------------------------------------------------------- problems */

/**
 * Creates an empty problem; fill it with fs_problem_generate (a drawn target and any operator
 * kind), fs_problem_generate_for_target / fs_problem_generate_for_factors (your target),
 * fs_problem_set_dense / fs_problem_set_dense_f32 (your operator) or fs_problem_set_entries
 * (your sampled entries). fs_problem_generate_gaussian is the older generator of the Gaussian
 * operator alone, kept for old callers.
 */
fs_status fs_problem_create(fs_problem **out);
/** Releases a problem. NULL and already freed handles are ignored. */
void fs_problem_free(fs_problem *problem);

/**
 * Fills `problem` with a random Gaussian sensing problem (docs/mathematics.md):
 * X⋆ = L diag(s) Rᵀ of rank `rank` with L, R Haar-orthonormal, s geometric from `scale` down to
 * `scale / condition_number`; (𝒜X)_i = ⟨G_i, X⟩/√m with G_i iid N(0,1); y = 𝒜(X⋆) + ξ,
 * ξ ~ N(0, noise_level² I_m). Everything is drawn from `seed`: same seed, same bits.
 * Requires n1, n2, measurements ≥ 1; 1 ≤ rank ≤ min(n1, n2); scale > 0; condition_number ≥ 1;
 * noise_level ≥ 0; all finite; measurements · n1 · n2 must not overflow.
 */
fs_status fs_problem_generate_gaussian(fs_problem *problem, int64_t n1, int64_t n2, int64_t rank,
                                       int64_t measurements, double scale, double condition_number,
                                       double noise_level, uint64_t seed);

/**
 * Fills `problem` with the caller's dense operator: `operator_matrix` is m × (n1·n2) row-major
 * (row i is vec(A_i)), `y` has m entries, `truth` is n1 × n2 or NULL for none. All are copied
 * and must be finite. `operator_length` must be m·n1·n2, `y_length` m, `truth_length` n1·n2
 * (ignored when truth is NULL).
 */
fs_status fs_problem_set_dense(fs_problem *problem, int64_t n1, int64_t n2, int64_t measurements,
                               const double *operator_matrix, int64_t operator_length,
                               const double *y, int64_t y_length,
                               const double *truth, int64_t truth_length);

/** How a dense operator's matrix is stored. Every product is computed in double precision from
 * the stored entries, so a float32 operator is exactly the operator of its (rounded) entries;
 * it holds half the memory and a gradient reads half the bytes. */
typedef enum fs_precision {
    FS_PRECISION_FLOAT64 = 0,  /* 8 bytes an entry */
    FS_PRECISION_FLOAT32 = 1   /* 4 bytes an entry */
} fs_precision;

/**
 * fs_problem_set_dense with the operator matrix in single precision, stored as given
 * (FS_PRECISION_FLOAT32); y and truth stay double. The same checks and lengths.
 */
fs_status fs_problem_set_dense_f32(fs_problem *problem, int64_t n1, int64_t n2, int64_t measurements,
                                   const float *operator_matrix, int64_t operator_length,
                                   const double *y, int64_t y_length,
                                   const double *truth, int64_t truth_length);

/** Sets *precision to the fs_precision of the problem's dense operator (FS_PRECISION_FLOAT64
 * for the operators that have no dense matrix). */
fs_status fs_problem_get_precision(const fs_problem *problem, int32_t *precision);

/** The problem's matrix shape n1 × n2 and measurement count m (any output pointer may be NULL). */
fs_status fs_problem_get_shape(const fs_problem *problem, int64_t *n1, int64_t *n2,
                               int64_t *measurements);
/** Sets *has_truth to 1 when the problem carries a ground truth X⋆, else 0. */
fs_status fs_problem_has_truth(const fs_problem *problem, int *has_truth);
/** Copies the dense operator, m × (n1·n2) row-major, as doubles (a float32 operator's entries
 * exactly); `length` must be m·n1·n2. */
fs_status fs_problem_copy_operator(const fs_problem *problem, double *out, int64_t length);
/** Copies the measurements y; `length` must be m. */
fs_status fs_problem_copy_measurements(const fs_problem *problem, double *out, int64_t length);
/** Copies the ground truth X⋆, n1 × n2 row-major; FS_ERROR_WRONG_STATE when there is none. */
fs_status fs_problem_copy_truth(const fs_problem *problem, double *out, int64_t length);

/* ---------------------------------------------------------------- predictions */

/**
 * The top `count` singular values of M = 𝒜*(y), largest first, in values[0 … count) (for the
 * symmetric parameterization the largest eigenvalues of (M + Mᵀ)/2, which may be negative):
 * λ₁ ≥ … , what gradient descent from a small start grows by, U_t ≈ (I + ηM)ᵗU₀.
 * `method` is "auto" (NULL), "dense" or "iterative", as the "spectral_method" option; `seed`
 * starts the iterative method. The dense method keeps its decomposition on the problem handle:
 * later calls, the spectral initialization and the spectral alignment of runs on this problem
 * reuse it ((n1 + n2)·min(n1, n2) doubles held until the problem is freed or refilled).
 * Errors: FS_ERROR_INVALID_ARGUMENT unless 1 ≤ count ≤ min(n1, n2) (count == length), an unknown
 * method; FS_ERROR_OUT_OF_MEMORY, FS_ERROR_LINEAR_ALGEBRA; FS_ERROR_INTERRUPTED by fs_interrupt.
 */
fs_status fs_problem_spectrum(fs_problem *problem, const char *method, uint64_t seed, double *values,
                              int64_t count);

/**
 * What the linearization of gradient descent around 0 predicts for a problem before any run
 * (docs/mathematics.md, "Predictions"): M = 𝒜*(y) with top singular values (PSD: eigenvalues)
 * λ₁ ≥ λ₂ ≥ …, r the target rank. A versioned struct (see "Versioned structs" at the top) that
 * the library writes: set struct_size = sizeof(fs_predictions) before the call. First published
 * in 0.6.
 */
typedef struct fs_predictions {
    size_t struct_size;          /* set by the caller to sizeof(fs_predictions) */
    int64_t rank;                /* r: the rank argument, or the truth's */
    double gap;                  /* λ_{r+1}/λ_r; NaN when r = min(n1, n2) or λ_r ≤ 0 */
    double plateau_slope;        /* 2(1 − λ_{r+1}/λ_r): the log–log slope of the plateau error
                                    against α (measured; 2 only as m → ∞); NaN with the gap */
    double spectral_angle_left;  /* sin ∠(top-r left subspace of M, L⋆), NaN without a truth; the
                                    same angle fs_phases reports */
    double spectral_angle_right; /* the same for the right subspace and R⋆ (PSD: = left) */
} fs_predictions;

/**
 * Fills `predictions` and, when either array is non-NULL, the predicted learning times of
 * σ₁ … σ_r (length must then be r = predictions->rank; call first with both NULL to learn r):
 *   learning_iterations[i] = ln(c_i/α)/ln(1 + ηλ_i)   (gradient descent with step η),
 *   learning_times[i]      = ln(c_i/α)/λ_i            (the gradient flow),
 * c_i = √(2s⋆_i·f/(1 − f)) (PSD: √(s⋆_i·f/(1 − f))): the iteration at which σ_i(X) reaches
 * f·s⋆_i when it grows from U₀ = (α/√k)·N(0, 1) as the linearization says and saturates as the
 * logistic σ' = 2σ(s⋆_i − σ) — what fs_result_copy_learning_times measures with
 * "saddle_fraction" f. NaN where the truth (s⋆_i) is unknown, s⋆_i = 0, λ_i ≤ 0, or (for the
 * iterations) step is 0. Negative when α ≥ c_i (not a small start).
 * Arguments: init_scale α > 0; step η > 0, or 0 for none; rank r in 1 … min(n1, n2), or 0 for
 * the truth's; fraction f in (0, 1), or 0 for 0.5; method and seed as for fs_problem_spectrum.
 * Errors, writing nothing: FS_ERROR_NULL_POINTER for NULL predictions; FS_ERROR_NOT_FINITE,
 * FS_ERROR_INVALID_ARGUMENT for values outside those domains, for rank 0 on a problem without a
 * truth (the message says to pass the rank), and for a struct_size refused by the versioned-
 * struct rule; FS_ERROR_SIZE_MISMATCH for length ≠ r; otherwise as fs_problem_spectrum.
 */
fs_status fs_problem_predict(fs_problem *problem, double init_scale, double step, int64_t rank,
                             double fraction, const char *method, uint64_t seed,
                             fs_predictions *predictions, double *learning_iterations,
                             double *learning_times, int64_t length);

/* ---------------------------------------------------------------- problem families */

/** How the singular values of a generated target fall from s₁ = scale to s_r = scale/κ. */
typedef enum fs_spectrum {
    FS_SPECTRUM_GEOMETRIC = 0,  /* s_i = scale · κ^{−(i−1)/(r−1)} */
    FS_SPECTRUM_LINEAR = 1      /* s_i = scale − (i−1)/(r−1) · (scale − scale/κ) */
} fs_spectrum;

/**
 * What fs_problem_generate draws. Fill it with fs_problem_spec_init(&spec, sizeof spec), then
 * set the fields. A versioned struct (see "Versioned structs" at the top): later versions only
 * append fields; the first published size is that of 0.3, which ends before `precision`.
 */
typedef struct fs_problem_spec {
    size_t struct_size;         /* the caller's sizeof(fs_problem_spec), set by fs_problem_spec_init */
    int64_t n1;                 /* rows of X⋆ (≥ 1) */
    int64_t n2;                 /* columns of X⋆ (≥ 1; equal to n1 when psd) */
    int64_t rank;               /* r, 1 ≤ r ≤ min(n1, n2); for the caller's target, 0 or its rank */
    int64_t measurements;       /* m (≥ 1); ignored by "identity", where m = n1·n2 */
    double scale;               /* s₁ > 0 (1) */
    double condition_number;    /* κ = s₁/s_r ≥ 1 (1) */
    int32_t spectrum;           /* an fs_spectrum (FS_SPECTRUM_GEOMETRIC) */
    int32_t psd;                /* nonzero: X⋆ = L diag(s) Lᵀ and the symmetric loss ¼‖𝒜(UUᵀ) − y‖² (0) */
    double noise_level;         /* σ ≥ 0 of y = 𝒜(X⋆) + ξ, ξ ~ N(0, σ² I_m) (0) */
    uint64_t seed;              /* everything is drawn from it (0) */
    /* Since 0.4: the fs_precision of a "gaussian" or "symmetric_gaussian" operator
     * (FS_PRECISION_FLOAT64). FS_PRECISION_FLOAT32 draws the operator in double precision,
     * rounds each entry to the nearest float and measures y with the rounded operator; other
     * kinds refuse it. A spec whose struct_size ends before this field reads it as FLOAT64. */
    int32_t precision;
} fs_problem_spec;

/**
 * Fills the caller's `size` bytes at `spec` — pass sizeof *spec, the size of the struct as the
 * caller's header declares it — with every default (sizes are left 0 for the caller to set),
 * and struct_size = size. Fields beyond this library's own fs_problem_spec are set to 0; nothing
 * past `size` bytes is written. Returns FS_OK; FS_ERROR_NULL_POINTER for a NULL spec;
 * FS_ERROR_INVALID_ARGUMENT, writing nothing, for a size below the 0.3 size
 * (offsetof(fs_problem_spec, precision)) or above 4096.
 * Since 0.5 (before, it took no size and wrote the library's own sizeof: a program built against
 * 0.4 or older must be rebuilt).
 */
fs_status fs_problem_spec_init(fs_problem_spec *spec, size_t size);

/**
 * Fills `problem` with a random problem of docs/mathematics.md: the target of `spec` measured by the
 * operator `operator_kind`:
 *   "gaussian"            (𝒜X)_i = ⟨G_i, X⟩/√m, G_i iid N(0, 1)
 *   "symmetric_gaussian"  (𝒜X)_i = ⟨(G_i + G_iᵀ)/2, X⟩/√m (n1 = n2)
 *   "identity"            𝒜X = vec(X), plain factorization ½‖UVᵀ − Σ‖²_F (m = n1·n2)
 *   "completion"          √(n1·n2/m) · X_{a_i b_i} at m distinct uniformly drawn positions,
 *                         listed in row-major order; costs O(m·k) per gradient
 *   "rank_one"            a_iᵀ X b_i/√m with a_i, b_i Gaussian, drawn independently (all a_i,
 *                         then all b_i, from the seed's operator stream); with psd the operator
 *                         is symmetric, a_iᵀ sym(X) b_i/√m, sym(X) = (X + Xᵀ)/2;
 *                         costs O(m·(n1 + n2)·k) per gradient (twice that when psd)
 * Each is normalized: E‖𝒜X‖² = ‖X‖²_F (for symmetric X with a symmetric operator). A symmetric
 * operator ("symmetric_gaussian", and "rank_one" with psd) sees only sym(X), so it gets a
 * symmetric target: "symmetric_gaussian" with psd 0 draws X⋆ = L diag(s₁, −s₂, s₃, …) Lᵀ (the L
 * of the psd target of the same seed, signs alternating; singular values s).
 * Same spec, same bits.
 */
fs_status fs_problem_generate(fs_problem *problem, const char *operator_kind, const fs_problem_spec *spec);

/**
 * Fills `problem` with the caller's own target X⋆ (n1 × n2 row-major, `target_length` = n1·n2,
 * copied) measured as fs_problem_generate measures a drawn one: the operator `operator_kind`
 * with spec.measurements (ignored by "identity") is drawn from spec.seed exactly as for a drawn
 * target of the same n1 × n2 — same seed and sizes, same 𝒜 — and y = 𝒜(X⋆) + ξ with
 * ξ ~ N(0, noise_level² I_m) from the same stream.
 * Read from `spec`: n1 and n2 (the target's shape), measurements, psd, noise_level, seed, and
 * rank: 0 (the default) leaves the rank unchecked; otherwise it must equal X⋆'s numerical rank,
 * the number of singular values above σ₁ · max(n1, n2) · ε (costs an SVD). scale,
 * condition_number and spectrum describe a drawn target and are not read.
 * X⋆ must be finite and not 0. "symmetric_gaussian" (psd or not) needs X⋆ symmetric,
 * ‖X⋆ − X⋆ᵀ‖_F ≤ 1e-10 ‖X⋆‖_F, and refuses any other with FS_ERROR_INVALID_ARGUMENT and a
 * message that says why (it sees only (X⋆ + X⋆ᵀ)/2). psd (symmetric parameterization X = UUᵀ;
 * for "rank_one", the symmetric operator) needs X⋆ square, symmetric (as above) and positive
 * semidefinite (λ_min ≥ −1e-10 · max|λ|, O(n³)); the message of a refusal names λ_min. X⋆ is
 * kept as given (not symmetrized). docs/errors.md lists every refusal.
 */
fs_status fs_problem_generate_for_target(fs_problem *problem, const char *operator_kind,
                                         const fs_problem_spec *spec,
                                         const double *target, int64_t target_length);

/**
 * As fs_problem_generate_for_target, for a target given by its factors X⋆ = L diag(s) Rᵀ, which
 * is never formed as an n1 × n2 matrix (so completion and rank-one problems of any size fit):
 * `s` has r = s_length entries, 1 ≤ r ≤ min(n1, n2), each ≥ 0, in any order; `left` is L,
 * n1 × r (left_length = n1·r); `right` is R, n2 × r (right_length = n2·r), or NULL with
 * right_length 0 for X⋆ = L diag(s) Lᵀ (n1 = n2). L and R need not be orthonormal (then s are
 * not the singular values of X⋆). spec.rank is 0 or the numerical rank of the product. With
 * psd and R given, L diag(s) Rᵀ must be symmetric PSD as above (checked in O(n r²)); with R
 * NULL it is by construction. "symmetric_gaussian" needs L diag(s) Rᵀ symmetric as above.
 */
fs_status fs_problem_generate_for_factors(fs_problem *problem, const char *operator_kind,
                                          const fs_problem_spec *spec,
                                          const double *left, int64_t left_length,
                                          const double *s, int64_t s_length,
                                          const double *right, int64_t right_length);

/**
 * Fills `problem` with the caller's sampled entries (matrix completion): measurement i is
 * scale · X[rows[i], columns[i]] with value values[i]. `count` ≥ 1 positions, each in range and
 * none repeated; `length` is the length of each of the three arrays and must equal count;
 * scale > 0 (1 keeps the values as they are). `truth` is n1 × n2 or NULL.
 */
fs_status fs_problem_set_entries(fs_problem *problem, int64_t n1, int64_t n2, int64_t count,
                                 const int64_t *rows, const int64_t *columns, const double *values,
                                 int64_t length, double scale,
                                 const double *truth, int64_t truth_length);

/**
 * Splits the measurements of a filled `problem` in two (docs/completion.md, "Holdout split"):
 * m_val = round(fraction · m) of them (halves away from zero) go to `validation`, the other
 * m − m_val to `training`, each in the original order and with the problem's operator kind,
 * truth and parameterization. Measurement i is held out when its key k_i = splitmix64(s +
 * (i + 1)·γ), γ = 0x9E3779B97F4A7C15, s = splitmix64(seed) ⊕ 8γ, is among the m_val smallest
 * (ties by index): a uniform random subset, the same bits for the same seed everywhere.
 * `training` and `validation` are two different live problem handles (either may be `problem`
 * itself); whatever they held is replaced, only on success.
 * Errors: FS_ERROR_INVALID_HANDLE (on `problem`'s message) for a dead handle;
 * FS_ERROR_WRONG_STATE for an empty problem; FS_ERROR_NOT_FINITE for a NaN or infinite
 * fraction; FS_ERROR_INVALID_ARGUMENT for a fraction outside (0, 1), one that leaves a part
 * empty, or training = validation; FS_ERROR_OUT_OF_MEMORY / FS_ERROR_OVERFLOW when the parts
 * do not fit.
 */
fs_status fs_problem_split_holdout(const fs_problem *problem, double fraction, uint64_t seed,
                                   fs_problem *training, fs_problem *validation);

/**
 * Chooses the parameterization of a filled problem: nonzero for the symmetric X = UUᵀ with
 * f(U) = ¼‖𝒜(UUᵀ) − y‖² (needs n1 = n2), 0 for X = UVᵀ with f = ½‖𝒜(UVᵀ) − y‖².
 */
fs_status fs_problem_set_symmetric(fs_problem *problem, int symmetric);
/** Sets *symmetric to 1 for the parameterization X = UUᵀ, else 0. */
fs_status fs_problem_is_symmetric(const fs_problem *problem, int *symmetric);
/**
 * Sets *symmetric to 1 when every A_i of the problem's operator is symmetric — the
 * "symmetric_gaussian" operator, "rank_one" of a psd problem, and a dense operator of the caller's
 * whose every row is an exactly symmetric n × n matrix — else 0. Such an operator sees only
 * sym(X) = (X + Xᵀ)/2, so its problems take only a symmetric truth (a non-symmetric one is
 * refused with FS_ERROR_INVALID_ARGUMENT). Not the parameterization: see fs_problem_is_symmetric.
 */
fs_status fs_problem_operator_is_symmetric(const fs_problem *problem, int *symmetric);
/**
 * The kind of the problem's operator, static text: "dense" (Gaussian, symmetric Gaussian and
 * user matrices), "identity", "entries" (completion and fs_problem_set_entries) or "rank_one".
 * It names the operator (how it is stored and applied), not the generator that drew it.
 */
fs_status fs_problem_get_operator_kind(const fs_problem *problem, const char **kind);
/**
 * Copies the sampled positions of an "entries" problem (`length` must be m) and its scale
 * (any output pointer may be NULL).
 */
fs_status fs_problem_copy_entries(const fs_problem *problem, int64_t *rows, int64_t *columns,
                                  int64_t length, double *scale);

/**
 * Copies the vectors of a "rank_one" problem: `left` is m × n1 (row i = a_i), `right` m × n2
 * (row i = b_i), and *scale = c with (𝒜X)_i = c · a_iᵀ X b_i — or, for the symmetric operator
 * of a problem generated with psd, c · a_iᵀ sym(X) b_i, sym(X) = (X + Xᵀ)/2 (b_i ≠ a_i in both
 * cases) (any output pointer may be NULL).
 */
fs_status fs_problem_copy_rank_one(const fs_problem *problem, double *left, int64_t left_length,
                                   double *right, int64_t right_length, double *scale);

/* ---------------------------------------------------------------- low-level calls */

/** out = 𝒜(X): X is n1 × n2 (x_length = n1·n2), out has m entries. */
fs_status fs_problem_apply(const fs_problem *problem, const double *X, int64_t x_length,
                           double *out, int64_t out_length);
/** out = 𝒜*(ρ) = Σ_i ρ_i A_i: ρ has m entries, out is n1 × n2. */
fs_status fs_problem_adjoint(const fs_problem *problem, const double *residual,
                             int64_t residual_length, double *out, int64_t out_length);
/**
 * The loss and its gradients at the caller's factors (U is n1 × width, V n2 × width):
 * asymmetric f = ½‖𝒜(UVᵀ) − y‖², grad_U = 𝒜*(ρ) V, grad_V = 𝒜*(ρ)ᵀ U; symmetric
 * f = ¼‖𝒜(UUᵀ) − y‖², grad_U = ½(G + Gᵀ) U, and then V and grad_V must be NULL with length 0.
 * `loss`, grad_U and grad_V may be NULL when not wanted. Finite factors so large that the loss or
 * a gradient overflows give FS_ERROR_NOT_FINITE, and the outputs are left untouched.
 */
fs_status fs_problem_loss_and_gradient(const fs_problem *problem, int64_t width,
                                       const double *U, int64_t u_length,
                                       const double *V, int64_t v_length,
                                       double *loss,
                                       double *grad_U, int64_t grad_u_length,
                                       double *grad_V, int64_t grad_v_length);

/* ---------------------------------------------------------------- options */

/** Creates options holding every default. */
fs_status fs_options_create(fs_options **out);
/** Releases options. NULL and already freed handles are ignored. */
void fs_options_free(fs_options *options);

/**
 * Integer options (default):
 *   "width"         k, the number of columns of U and V (no default: required unless initial
 *                   factors are given, which fix it)
 *   "max_iter"      iteration limit, ≥ 0 (1000)
 *   "seed"          seed of the random initialization, mini-batches and injected noise; the
 *                   int64_t's bits are read as a uint64_t, so every 64-bit seed is reachable
 *                   and fs_options_get_int gives it back with the same bits (0)
 *   "record_every"  record the history every this many iterations (the first and the last
 *                   iterate are always recorded), ≥ 1 (1)
 *   "window"        the window of the relative-change stop rule, ≥ 1 (100)
 *   "batch_size"    b: each step uses b measurements drawn without replacement, gradient
 *                   scaled by m/b (mini-batch SGD); the loss, the stop rules and the history
 *                   then use all m at recorded iterations; 0 or b ≥ m: plain GD (0)
 *   "singular_value_count"  c, the singular values of X recorded a row in the history column
 *                   "singular_values", 1 ≤ c ≤ min(n1, n2, width) (a larger c fails the run
 *                   with INVALID_ARGUMENT); 0: all min(n1, n2, width) of them, at most 50 (0)
 *   "rank"          r of the spectral alignment diagnostics; 0: the truth's rank, and without
 *                   a truth those columns are NaN (0)
 *   "patience"      stop with FS_STOP_EARLY_STOPPED when the validation error has not improved
 *                   for this many recorded iterates, ≥ 0; 0 turns the rule off; > 0 needs a
 *                   validation set (fs_options_set_validation) (0)
 *   "restore_best"  1: the result holds the factors of the recorded iterate of least
 *                   validation error (fs_result_get_best_iteration), the history still ending
 *                   at the last iterate; needs a validation set; 0 or 1 (0)
 * Real options (default):
 *   "init_scale"    α of the small random initialization, > 0 (1e-3)
 *   "init_ratio"    β/α of an unbalanced small random start, V₀ = (β/√k)·N(0, 1) with
 *                   β = init_ratio·α; asymmetric problems and init "random" only, > 0 (1)
 *   "step"          step size η, > 0 (0.1)
 *   "tol"           stop when |f_t − f_{t−window}| ≤ tol · f_{t−window}; 0 turns it off (0)
 *   "loss_tol"      stop when f_t ≤ loss_tol; 0 turns it off (0)
 *   "divergence_factor"  stop as diverged when f_t > factor · f_0, > 1 (1e8)
 *   "balancing"     λ ≥ 0 of the regularizer +(λ/8)‖UᵀU − VᵀV‖²_F, asymmetric only: a PSD
 *                   problem refuses λ > 0 (0)
 *   "noise_injection"  τ ≥ 0: after every step each factor entry gets τ·N(0, 1) added (0)
 *   "scaled_damping"   λ ≥ 0 of ScaledGD's (VᵀV + λI)⁻¹ (0)
 *   "ridge"         μ ≥ 0 of the ridge +(μ/2)(‖U‖²_F + ‖V‖²_F) on the factors, +(μ/2)‖U‖²_F
 *                   for PSD; gradients +μU, +μV (docs/completion.md) (0)
 *   "alignment_threshold"  phase (I) ends when the spectral alignment sine is ≤ this while X is
 *                   still small, in (0, 1) (0.1)
 *   "saddle_fraction"  phase (II) ends, and σ_i(X) counts as learned, when σ_i(X) ≥ this · s⋆_i,
 *                   in (0, 1) (0.5)
 *   "plateau_tolerance"  the test error has reached its plateau when it improved by less than
 *                   this fraction … in (0, 1) (0.01)
 *   "plateau_window"  … over this last fraction of the run's iterations, in (0, 1) (0.1)
 *   "recovery_threshold"  phases are named only for a run whose final test error (without a
 *                   truth: relative residual) is ≤ this, in (0, 1) (0.1)
 * Text options (default):
 *   "init"          "random" (small random, scale "init_scale") or "spectral" (top-k SVD,
 *                   or eigenpairs for PSD, of 𝒜*(y); width ≤ min(n1, n2)) ("random")
 *   "preconditioner"  "none" or "scaled" (ScaledGD: U⁺ = U − η ∇_U f (VᵀV + λI)⁻¹,
 *                   V⁺ = V − η ∇_V f (UᵀU + λI)⁻¹; a preconditioner that is not positive
 *                   definite ends the run as diverged) ("none")
 *   "diagnostics"   the diagnostics the history records beside its five standard columns:
 *                   "default", "all", "none", or names separated by commas (see "history
 *                   columns" below). "default" is every diagnostic but the two perturbation
 *                   columns, and leaves out the spectral alignment when n1·n2 > 2²⁰ ("default")
 *   "step_rule"     "fixed" (η = "step" throughout) or "auto" (docs/completion.md, "Automatic
 *                   step": η₀ = 1/L̂ from 10 power iterations on finite-difference Hessian-vector
 *                   products at the start, then Armijo backtracking f(x⁺) ≤ f(x) − 10⁻⁴ η⟨g, d⟩,
 *                   halving η on failure and growing it by 1.1 after each accepted step; the
 *                   loss never rises; the history gets a "step" column and "time" is Σ η; no
 *                   decrease after 60 halvings stops the run as converged). "auto" needs
 *                   "batch_size" 0 (or ≥ m) and "noise_injection" 0 ("fixed")
 *   "spectral_method"  how the top pairs of 𝒜*(y) are computed for "init" "spectral" and the
 *                   spectral alignment: "dense" (form 𝒜*(y) and factor it with LAPACK: exact to
 *                   rounding, but O(n1·n2·min(n1, n2)) time that a stop request cannot
 *                   interrupt), "iterative" (block subspace iteration on products with 𝒜*(y):
 *                   never forms it for completion and rank-one operators, converges to a residual
 *                   of 10⁻¹⁰·σ₁, checks for a stop request every iteration; a k-th singular value
 *                   inside a cluster may not converge in 3000 iterations: FS_ERROR_LINEAR_ALGEBRA),
 *                   or "auto": dense when n1·n2 ≤ 2²⁰, else iterative ("auto")
 * An unknown name or a value outside its domain gives FS_ERROR_INVALID_ARGUMENT.
 */
fs_status fs_options_set_int(fs_options *options, const char *name, int64_t value);
fs_status fs_options_set_real(fs_options *options, const char *name, double value);
fs_status fs_options_get_int(const fs_options *options, const char *name, int64_t *value);
fs_status fs_options_get_real(const fs_options *options, const char *name, double *value);
fs_status fs_options_set_text(fs_options *options, const char *name, const char *value);
/** Sets *value to the option's text (static text). */
fs_status fs_options_get_text(const fs_options *options, const char *name, const char **value);

/**
 * The option table, for programs that list or check options (in the style of
 * ZSTD_cParam_getBounds): the number of options, and option `index` (0 ≤ index < count): its
 * name, its type ("integer", "real" or "text": the fs_options_set_* call it takes), its default
 * as text ("1000", "0.001", "random"; an integer with no default reads "0"), its domain as text
 * ("≥ 1", "> 0", "in (0, 1)", "\"none\", \"scaled\"") and a one-line summary — all static text.
 * Any output pointer may be NULL. FS_ERROR_INVALID_ARGUMENT for an index outside the table. The
 * list above is this table (a test checks the two agree).
 */
int64_t fs_options_count(void);
fs_status fs_options_describe(int64_t index, const char **name, const char **type, const char **default_value,
                              const char **domain, const char **summary);

/**
 * Starts the next runs from the caller's factors U0 (n1 × width) and V0 (n2 × width), row-major,
 * copied, finite; they replace the "init" option and fix the width. Symmetric (PSD) problems
 * start from U0 alone: pass V0 = NULL and v_length = 0 (n2 is then ignored).
 */
fs_status fs_options_set_initial_factors(fs_options *options, int64_t n1, int64_t n2, int64_t width,
                                         const double *U0, int64_t u_length,
                                         const double *V0, int64_t v_length);
/** Returns to the small random initialization. */
fs_status fs_options_clear_initial_factors(fs_options *options);

/**
 * Scores the next runs on held-out measurements (docs/completion.md, "Validation"): the filled
 * problem `validation` (its operator 𝒜_val and values y_val; its truth is not used) is copied.
 * Each recorded iterate then gets the history column "validation_error" =
 * ‖𝒜_val(X_t) − y_val‖ / ‖y_val‖, read by "patience" and "restore_best".
 * Held-out entries: fs_problem_set_entries on a second problem, or fs_problem_split_holdout.
 * The run (not this call) refuses a validation set of another shape (FS_ERROR_SIZE_MISMATCH),
 * validation entries that are also training entries, and values y_val that are all 0, whose
 * relative error is undefined (FS_ERROR_INVALID_ARGUMENT).
 * Errors: FS_ERROR_INVALID_HANDLE for a dead options or validation handle (the message is on
 * `options`), FS_ERROR_WRONG_STATE for an empty validation problem.
 */
fs_status fs_options_set_validation(fs_options *options, const fs_problem *validation);
/** Removes the validation set. */
fs_status fs_options_clear_validation(fs_options *options);

/** What the progress callback sees. Later versions only append fields; check struct_size. */
typedef struct fs_progress {
    size_t struct_size;         /* sizeof(fs_progress) of the library that filled it */
    int64_t iteration;          /* t: the iterate the values below belong to */
    int64_t max_iterations;     /* the "max_iter" option */
    double loss;                /* f(U_t, V_t) */
    double test_error;          /* ‖U_tV_tᵀ − X⋆‖_F / ‖X⋆‖_F, NaN without a ground truth */
    double residual;            /* ‖𝒜(U_tV_tᵀ) − y‖ / ‖y‖, NaN when y = 0 */
    /* Since 0.2: the factors of iterate t, valid only during the call (do not keep them). */
    int64_t n1;                 /* rows of U */
    int64_t n2;                 /* rows of V */
    int64_t width;              /* k, the columns of U and V */
    const double *U;            /* U_t, n1 × k row-major */
    const double *V;            /* V_t, n2 × k row-major (equal to U for a PSD problem) */
} fs_progress;

/**
 * Called during a run at every recorded iteration and, between them, at least every 0.1 s of
 * wall time, and once more with the final iterate. Return 0 to go on; any other value stops the
 * run with FS_STOP_CALLBACK — except at the final iterate, where the run has already stopped for
 * its own reason and the return value is ignored. The callback may call fs_interrupt on the
 * run's result (the run then stops with FS_STOP_INTERRUPTED); any other call on that result
 * fails with FS_ERROR_WRONG_STATE, as the run holds it.
 */
typedef int (*fs_progress_callback)(void *user, const fs_progress *progress);

/** Sets (or with NULL, removes) the progress callback of the next runs. */
fs_status fs_options_set_progress(fs_options *options, fs_progress_callback callback, void *user);

/* ---------------------------------------------------------------- solving */

/** Creates an empty result; fs_gradient_descent fills it. */
fs_status fs_result_create(fs_result **out);
/** Releases a result. NULL and already freed handles are ignored. */
void fs_result_free(fs_result *result);

/**
 * Runs factorized gradient descent on the problem's loss — asymmetric f(U, V) = ½‖𝒜(UVᵀ) − y‖²:
 * U⁺ = U − η 𝒜*(ρ) V, V⁺ = V − η 𝒜*(ρ)ᵀ U with ρ = 𝒜(UVᵀ) − y; symmetric f(U) = ¼‖𝒜(UUᵀ) − y‖²:
 * U⁺ = U − η ½(G + Gᵀ) U — from the small random initialization U₀ = (α/√k) N(0,1)^{n1×k},
 * V₀ = (α/√k) N(0,1)^{n2×k}, the spectral one, or the initial factors of the options, with the
 * variants the options turn on, until a stop rule holds. On success replaces whatever `result`
 * held; on error leaves it as it was and reports on it (fs_last_error(result)). The problem and
 * options are only read. For symmetric problems the result's V is U.
 * Errors: FS_ERROR_INVALID_HANDLE for a dead problem or options handle; FS_ERROR_WRONG_STATE for
 * an empty problem; FS_ERROR_INVALID_ARGUMENT when neither "width" nor initial factors are set,
 * for V0 given to a PSD problem (or missing for an asymmetric one), and for a spectral width
 * above min(n1, n2); FS_ERROR_SIZE_MISMATCH for initial factors that do not fit the problem;
 * FS_ERROR_OUT_OF_MEMORY / FS_ERROR_OVERFLOW when what the run would hold at its peak — the
 * factors and their copies, one full evaluation (n1·n2 for "identity", 8 + 3 n1·n2 for dense
 * operators), a mini-batch's evaluation and the run's checkpoints, the history
 * (max_iter / record_every + 2 rows), the "tol" window (min(window, max_iter) losses), or the
 * spectral initialization's SVD — exceeds the memory available.
 * FS_ERROR_INTERRUPTED when fs_interrupt(result) came before the first iterate was evaluated.
 * docs/errors.md lists every case.
 */
fs_status fs_gradient_descent(const fs_problem *problem, const fs_options *options, fs_result *result);

/**
 * Runs `count` trials of gradient descent on one problem — trial i with options[i], into
 * results[i] — and writes trial i's status to statuses[i]. Each results[i] is bit for bit what
 * fs_gradient_descent(problem, options[i], results[i]) would hold (and each failing trial's
 * message is on its result, which it leaves as it was). The trials run in groups of
 * max(cores, 8), one group after another, the trials of a group side by side on threads (the
 * caller's and at most max(cores, 8) − 1 new ones, whatever `count`; a thread that cannot be
 * started leaves its trial to the calling thread). For a dense operator the trials of a group
 * run in lock-step: each pass over the m × n1·n2 matrix serves every trial of the group still
 * running, so the matrix is read from memory once per step for all of them; a trial that stops
 * leaves, the others go on. fs_interrupt(results[i]) stops trial i. Options with a progress callback are refused (the callback would run on a
 * trial's thread while this call holds the result handles).
 * Returns FS_OK when every trial's status is FS_OK, else the status of the first trial that
 * failed. Before any trial runs, and then writing nothing: FS_ERROR_NULL_POINTER for a NULL
 * array, FS_ERROR_INVALID_ARGUMENT for count < 1, a result handle given twice or options with a
 * progress callback, FS_ERROR_INVALID_HANDLE for a dead handle in either array, FS_ERROR_OUT_OF_MEMORY
 * when the trials together would not fit (every trial's peak, one group's shared pass, and under
 * an address-space limit the new threads' stacks and malloc arenas) — their message on
 * fs_last_error(problem).
 */
fs_status fs_gradient_descent_batch(const fs_problem *problem, const fs_options *const *options,
                                    fs_result *const *results, int64_t count, fs_status *statuses);

/*
 * Gradient flow (docs/mathematics.md, "Gradient flow"): the ODE dU/dt = −(D + E)V,
 * dV/dt = −(D + E)ᵀU with D = UVᵀ − X⋆ (symmetric: dU/dt = −½((D + E) + (D + E)ᵀ)U), integrated
 * by the Dormand–Prince 5(4) pair with error control (rtol, atol) and dense output at the
 * requested times. The perturbation E is
 *   FS_PERTURBATION_OPERATOR  E = 𝒜*(𝒜(X) − y) − (X − X⋆): the flow is −∇f of the problem,
 *                             the flow gradient descent with step η follows at time η·t;
 *   FS_PERTURBATION_NONE      E = 0: the population flow of ½‖UVᵀ − X⋆‖²_F (needs a truth);
 *   FS_PERTURBATION_CALLBACK  E = sized_callback(user, t, n1, n2, k, U, V, E): the callback
 *                             writes the n1 × n2 matrix E (row-major) and returns 0, or nonzero
 *                             to stop the flow (stop reason FS_STOP_CALLBACK); needs a truth. U
 *                             is n1 × k and V n2 × k (V is U for the symmetric
 *                             parameterization), both row-major and valid during the call only.
 */
typedef int (*fs_perturbation_sized_callback)(void *user, double t, int64_t n1, int64_t n2, int64_t k,
                                              const double *U, const double *V, double *E);
/** The perturbation callback of 0.4 and before, without the sizes (the caller had to know k):
 * kept in fs_flow_settings.callback for old callers; use fs_perturbation_sized_callback. */
typedef int (*fs_perturbation_callback)(void *user, double t, const double *U, const double *V, double *E);

/** The perturbation of a gradient flow. Values are pinned. */
typedef enum fs_perturbation {
    FS_PERTURBATION_OPERATOR = 0,
    FS_PERTURBATION_NONE = 1,
    FS_PERTURBATION_CALLBACK = 2
} fs_perturbation;

/** The Runge–Kutta pair of a gradient flow. Values are pinned. */
typedef enum fs_flow_method {
    FS_FLOW_METHOD_RK45 = 0,    /* Dormand–Prince 5(4): 6 evaluations a step (scipy's RK45) */
    FS_FLOW_METHOD_DOP853 = 1   /* Hairer's DOP853, order 8: 12 a step, 3 more where rows are
                                   interpolated; fewer steps at tight tolerances (scipy's DOP853) */
} fs_flow_method;

/**
 * What fs_gradient_flow integrates. Fill it with fs_flow_settings_init(&settings, sizeof settings),
 * then set the fields. A versioned struct (see "Versioned structs" at the top): later versions
 * only append fields; the first published size is that of 0.3 and 0.4, which ends before
 * `sized_callback`.
 */
typedef struct fs_flow_settings {
    size_t struct_size;         /* the caller's sizeof(fs_flow_settings), set by fs_flow_settings_init */
    const double *times;        /* the times of the history's rows: t₀ ≥ 0, strictly increasing */
    int64_t time_count;         /* their number (≥ 1) */
    double rtol;                /* relative tolerance of a step, ≥ 100·DBL_EPSILON (1e-8) */
    double atol;                /* absolute tolerance of a step, > 0 (1e-10) */
    int64_t max_evaluations;    /* right-hand-side evaluations at most, ≥ 1 (10⁶); beyond: FS_STOP_MAX_ITERATIONS */
    int32_t perturbation;       /* an fs_perturbation (FS_PERTURBATION_OPERATOR) */
    fs_perturbation_callback callback;  /* deprecated (0.4): the callback without sizes, used for
                                   FS_PERTURBATION_CALLBACK when sized_callback is NULL (NULL) */
    void *user;                 /* handed to the callback (NULL) */
    int32_t method;             /* an fs_flow_method (FS_FLOW_METHOD_RK45) */
    /* Since 0.5: the callback of FS_PERTURBATION_CALLBACK, given n1, n2 and k (NULL). Set this
     * one or `callback`, not both. */
    fs_perturbation_sized_callback sized_callback;
} fs_flow_settings;

/**
 * Fills the caller's `size` bytes at `settings` — pass sizeof *settings — with every default
 * (no times: the caller sets times and time_count) and struct_size = size, as
 * fs_problem_spec_init does: FS_OK; FS_ERROR_NULL_POINTER; FS_ERROR_INVALID_ARGUMENT, writing
 * nothing, for a size below the 0.3 size (offsetof(fs_flow_settings, sized_callback)) or above
 * 4096. Since 0.5 (a program built against 0.4 or older must be rebuilt).
 */
fs_status fs_flow_settings_init(fs_flow_settings *settings, size_t size);

/**
 * Integrates the gradient flow of `problem` from the initial factors `options` gives ("width",
 * "init", "init_scale", "seed", or fs_options_set_initial_factors) and records the history
 * ("diagnostics", the phase thresholds) at settings->times into `result`: row i is time
 * times[i], its "iteration" column is i. "step", "max_iter", "record_every" and the stop rules
 * do not apply; the variants of gradient descent that the flow has no counterpart of are refused
 * (FS_ERROR_INVALID_ARGUMENT naming the option): "preconditioner", "noise_injection",
 * "batch_size", "step_rule" "auto", "patience", "restore_best" and a validation set. "balancing"
 * and "ridge" are terms of the loss, so the FS_PERTURBATION_OPERATOR flow follows them; the
 * population flows (NONE, CALLBACK) have no such terms and refuse them (a progress callback of `options` is called at
 * every row, and between rows at an accepted step once 0.1 s has passed since its last call,
 * with the last row's index as its iteration and the state at that step). The result holds the factors of the last recorded row; its stop reason is
 * FS_STOP_END_TIME, FS_STOP_MAX_ITERATIONS (the evaluation budget), FS_STOP_DIVERGED (a non-finite
 * value), FS_STOP_STEP_SIZE_UNDERFLOW, FS_STOP_CALLBACK or FS_STOP_INTERRUPTED;
 * fs_result_get_flow_statistics gives its counts.
 * Errors: those of fs_gradient_descent for the options; FS_ERROR_NULL_POINTER for settings, or
 * times or callback missing where needed; FS_ERROR_INVALID_ARGUMENT for a struct_size outside
 * [the 0.3 size, 4096] (checked before anything after struct_size is read), a non-zero field
 * this library does not know (a newer caller's), both callback and sized_callback set, times empty,
 * negative or not strictly increasing, rtol below 100·DBL_EPSILON or atol ≤ 0, max_evaluations < 1, an unknown
 * perturbation or method, a population flow on a problem without truth or with "balancing" or
 * "ridge" set; FS_ERROR_NOT_FINITE for a
 * non-finite time, rtol, atol, or a non-finite entry the callback wrote into E (the message says
 * which, and when); FS_ERROR_INTERRUPTED before the first row.
 */
fs_status fs_gradient_flow(const fs_problem *problem, const fs_options *options, const fs_flow_settings *settings,
                           fs_result *result);

/** The counts of the gradient flow held by `result`: accepted and rejected steps, right-hand-side
 * evaluations. FS_ERROR_WRONG_STATE when the result holds no flow (a gradient-descent run). */
fs_status fs_result_get_flow_statistics(const fs_result *result, int64_t *accepted, int64_t *rejected,
                                        int64_t *evaluations);

/** Why a run stopped. Values are pinned. */
typedef enum fs_stop_reason {
    FS_STOP_NONE = 0,            /* the result holds no run */
    FS_STOP_CONVERGED = 1,       /* the "tol" or "loss_tol" rule held */
    FS_STOP_MAX_ITERATIONS = 2,  /* "max_iter" iterations were done */
    FS_STOP_DIVERGED = 3,        /* a non-finite value, or f_t > divergence_factor · f_0 */
    FS_STOP_CALLBACK = 4,        /* the progress callback returned nonzero */
    FS_STOP_INTERRUPTED = 5,     /* fs_interrupt(result) was called during the run */
    FS_STOP_END_TIME = 6,        /* a gradient flow reached its last requested time */
    FS_STOP_STEP_SIZE_UNDERFLOW = 7, /* a gradient flow's step fell below what its time resolves */
    FS_STOP_EARLY_STOPPED = 8    /* the validation error did not improve for "patience" rows */
} fs_stop_reason;

/**
 * A short static name: "none", "converged", "max_iterations", "diverged", "callback",
 * "interrupted", "end_time", "step_size_underflow", "early_stopped"; "unknown stop reason" for a
 * value not listed in fs_stop_reason.
 */
const char *fs_stop_reason_string(fs_stop_reason reason);

/**
 * Sets *reason to why the run `result` holds stopped (an fs_stop_reason; FS_STOP_NONE for a
 * result that holds no run — not an error). FS_ERROR_NULL_POINTER for a NULL reason.
 * The run ended as it should with FS_STOP_CONVERGED, FS_STOP_END_TIME (a flow) and
 * FS_STOP_EARLY_STOPPED; FS_STOP_MAX_ITERATIONS means the budget ran out first (the Python
 * Result's `success` follows scipy.optimize: True for the first three only).
 */
fs_status fs_result_get_stop_reason(const fs_result *result, fs_stop_reason *reason);
/**
 * The index t of the iterate the result holds. After divergence this is the last iterate whose
 * factors and full loss were finite, and the last history row is that iterate's — with
 * "batch_size" too, where the full loss is evaluated only at recorded iterations: the run keeps
 * checkpoints 1, 2, 4, 8, … steps back and ends at the newest whose full loss is finite. Only
 * when iterate 0's loss itself overflows is it iterate 0 with a non-finite loss. After an
 * interrupt, the last iterate whose loss was computed in full.
 */
fs_status fs_result_get_iterations(const fs_result *result, int64_t *iterations);
/**
 * With a validation set: the recorded iterate of least validation error (the factors the
 * result holds with "restore_best" 1); −1 without a validation set or when no recorded
 * validation error was finite.
 */
fs_status fs_result_get_best_iteration(const fs_result *result, int64_t *iteration);
/** The shapes of the factors: U is n1 × width, V is n2 × width (any pointer may be NULL). */
fs_status fs_result_get_shape(const fs_result *result, int64_t *n1, int64_t *n2, int64_t *width);
/** Copies U (n1·width entries) and V (n2·width entries), row-major. */
fs_status fs_result_copy_factors(const fs_result *result, double *U, int64_t u_length,
                                 double *V, int64_t v_length);

/** The number of recorded rows of the history. */
fs_status fs_result_get_history_length(const fs_result *result, int64_t *length);
/**
 * The number of columns of the history: the five standard ones, then the diagnostics the
 * "diagnostics" option chose, in the order listed below (5 for a result that holds no run).
 */
fs_status fs_result_get_history_column_count(const fs_result *result, int64_t *count);
/**
 * The name of column `index` (0 ≤ index < count), static text. With X = U Vᵀ (U Uᵀ for PSD),
 * σ_1 ≥ σ_2 ≥ … its singular values, X⋆ = L⋆ S⋆ R⋆ᵀ the compact SVD of the truth (rank r),
 * P_r(F) the top-r left singular vectors of a factor F, and docs/mathematics.md for the whole
 * story, the columns are:
 *   "iteration"       t
 *   "time"            η·t, the gradient-flow time
 *   "loss"            f(U_t, V_t)
 *   "test_error"      ‖X − X⋆‖_F / ‖X⋆‖_F (NaN without a truth)
 *   "residual"        ‖𝒜(X) − y‖ / ‖y‖ (NaN when y = 0)
 *   "singular_values" width c ("singular_value_count"): σ_1(X), …, σ_c(X) each row
 *   "effective_rank"  exp(−Σ p_i ln p_i), p_i = σ_i / Σ_j σ_j over all min(n1, n2, k) values
 *   "numerical_rank"  #{i : σ_i > 10⁻³ σ_1}
 *   "imbalance"       ‖UᵀU − VᵀV‖_F (NaN for PSD problems, where it is 0 by construction)
 *   "alignment_left"  ‖(I − L⋆L⋆ᵀ) P_r(U)‖₂, the sine of the largest principal angle between
 *                     the top-r left singular subspace of U and span(L⋆) (NaN without a truth)
 *   "alignment_right" the same for V and R⋆ (equal to the left one for PSD problems)
 *   "spectral_alignment_left"   the same sine against the top-r left singular subspace of
 *                     𝒜*(y) (PSD: its top-r eigenvectors) instead of L⋆; needs no truth, only r
 *                     (the "rank" option, or the truth's); NaN when r is unknown
 *   "spectral_alignment_right"  the same for V and the top-r right singular subspace of 𝒜*(y)
 *   "signal"          σ_min(L⋆ᵀ U) (NaN without a truth)
 *   "noise"           ‖U W⊥‖₂, W⊥ an orthonormal basis of the kernel of L⋆ᵀU (NaN without a truth)
 *   "perturbation"    ‖E‖₂ with E = 𝒜*(𝒜X − y) − (X − X⋆) = (𝒜*𝒜 − I)(X − X⋆) − 𝒜*ξ, the E
 *                     that drives the flow (PSD: its symmetric part); NaN without a truth
 *   "perturbation_frobenius"    ‖E‖_F
 * Every value is that of the recorded iterate's factors; a value whose SVD failed is NaN.
 */
fs_status fs_result_get_history_column_name(const fs_result *result, int64_t index,
                                            const char **name);
/** The width of column `name`: c for "singular_values", 1 for every other column. */
fs_status fs_result_get_history_column_width(const fs_result *result, const char *name,
                                             int64_t *width);
/**
 * Copies the column `name` of the history, row after row; `length` must be the history length
 * times the column's width. An unrecorded name gives FS_ERROR_INVALID_ARGUMENT listing the
 * recorded ones.
 */
fs_status fs_result_copy_history(const fs_result *result, const char *name, double *out,
                                 int64_t length);

/**
 * The iterations to reach ε: *iteration = the first recorded t whose scalar history column `name`
 * (e.g. "test_error", "residual", "loss") is ≤ epsilon, or −1 when no recorded iterate reached it
 * (at the resolution of the record: "record_every"). FS_ERROR_INVALID_ARGUMENT for epsilon not
 * finite or ≤ 0, a column not recorded or not scalar, or one that is NaN throughout (the test
 * error of a problem without a truth); *iteration is then left alone.
 */
fs_status fs_result_iterations_to(const fs_result *result, const char *name, double epsilon,
                                  int64_t *iteration);
/**
 * The smallest value of the scalar history column `name` over the record (NaN rows skipped) in
 * *value, and the first recorded t at which it was reached in *iteration; either pointer may be
 * NULL, not both. Refusals as for fs_result_iterations_to.
 */
fs_status fs_result_history_minimum(const fs_result *result, const char *name, double *value,
                                    int64_t *iteration);

/**
 * The phases of a run, read off its history (docs/mathematics.md, "Phases"); −1 for the
 * iteration and NaN for the time (see "Conventions") where the run does not show a phase: it did
 * not recover (recovered = 0: no phase is named), no truth, the diagnostic it needs not recorded,
 * or the run too short. Event times are those of the recorded iterates, so they are quantized to
 * "record_every": with record_every = 10 an end is known to within 10 iterations — set
 * record_every = 1 where phase times matter. A versioned struct (see "Versioned
 * structs" at the top) that the library writes: set struct_size = sizeof(fs_phases) before the
 * call; the library fills the fields that fit in min(struct_size, its own size) bytes, sets a
 * newer caller's fields it does not know to 0, and leaves struct_size as the caller set it. The
 * first published size is that of 0.2, which ends before alignment_end_time.
 */
typedef struct fs_phases {
    size_t struct_size;         /* set by the caller to sizeof(fs_phases) */
    int64_t alignment_end;      /* end of (I), spectral rule: first recorded t with max(spectral
                                   alignment left, right) ≤ "alignment_threshold" while
                                   σ₁(X) ≤ 0.1 s⋆_r (without a truth: 0.1 σ_r(𝒜*(y))) */
    int64_t saddle_end;         /* end of (II): first recorded t with σ_r(X) ≥ saddle_fraction · s⋆_r */
    int64_t plateau_start;      /* (III) ends: first recorded t after saddle_end with test error
                                   ≤ (1 + plateau_tolerance) · the final one, when the test error
                                   improved by less than plateau_tolerance over the last
                                   plateau_window of the run */
    double plateau_level;       /* the final test error when the plateau is resolved, else NaN */
    int64_t learning_time_count;/* the number of learning times: min(r, singular_value_count) */
    double alignment_end_time;  /* the "time" of those iterates (η·t for gradient descent), NaN */
    double saddle_end_time;     /*   when not resolved */
    double plateau_start_time;
    /* since 0.5: */
    int32_t recovered;          /* 1 when the final test error (without a truth: the relative
                                   residual) is ≤ "recovery_threshold"; 0: no phase is named */
    int32_t still_improving;    /* 1 when (II) ended but the test error still improved at the end
                                   (no plateau yet) */
    int64_t signal_end;         /* end of (I), signal rule (with a truth): first recorded t with
                                   σ_min(L⋆ᵀU) ≥ 10 ‖UW⊥‖ */
    double signal_end_time;
    double spectral_angle_left; /* sin ∠(top-r left subspace of 𝒜*(y), L⋆), NaN without a truth
                                   or the spectral alignment; reported even when not recovered */
    double spectral_angle_right;/* the same for the right subspace and R⋆ (PSD: = left) */
} fs_phases;

/** Fills `phases` as above. FS_ERROR_NULL_POINTER for NULL; FS_ERROR_INVALID_ARGUMENT, writing
 * nothing, for a struct_size below the 0.2 size (offsetof(fs_phases, alignment_end_time)) or above
 * 4096; FS_ERROR_WRONG_STATE for a result that holds no run. */
fs_status fs_result_get_phases(const fs_result *result, fs_phases *phases);
/**
 * Incremental learning: iterations[i] is the first recorded t with σ_{i+1}(X) ≥ saddle_fraction ·
 * s⋆_{i+1} (−1 when that never happened) and times[i] its "time" (NaN); either pointer may be
 * NULL, not both; `length` must be phases.learning_time_count.
 */
fs_status fs_result_copy_learning_times(const fs_result *result, int64_t *iterations, double *times,
                                        int64_t length);

#ifdef __cplusplus
}
#endif

#endif /* FACTORSENSE_H */
