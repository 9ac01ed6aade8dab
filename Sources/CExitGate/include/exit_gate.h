/*
 * The gate every OpenBLAS and LAPACK call of the library, and every call of a caller's function
 * (a progress or perturbation callback), goes through, so that no thread is inside OpenBLAS when
 * the process's exit tears OpenBLAS down, and no solve calls back into a caller's runtime that
 * is being torn down.
 *
 * Why: OpenBLAS's destructor (run by exit, after atexit handlers, among the libraries'
 * destructors) frees the buffers its GEMM and LAPACK routines work in. A thread still solving
 * when another thread calls exit (main returning, the Python interpreter ending with a daemon
 * thread solving) would go on using them: SIGSEGV, or "BLAS : Bad memory unallocation!". And a
 * Python callback called after the interpreter was finalized dies in PyGILState_Ensure.
 *
 * How: each BLAS or LAPACK call is bracketed by fsk_blas_begin() and fsk_blas_end(), which count
 * the calls under way; each callback is preceded by fsk_callback_begin(). The gate closes when
 * the process ends: the library's own destructor — run by exit before OpenBLAS's, since the
 * library depends on OpenBLAS — closes it and waits until no other thread is inside a BLAS
 * call; a language runtime that is torn down before exit (Python) closes it earlier with
 * fsk_exit_begin() (fs_begin_exit). A thread that reaches the closed gate never passes: it
 * sleeps until the process ends (it is about to, and its solve's work is lost either way). The
 * thread that closed the gate passes, so that later exit-time code may still call the library.
 *
 * Internal to libfactorsense.so (not exported: mk/exports.map); fs_begin_exit is its C face.
 */
#ifndef FACTORSENSE_EXIT_GATE_H
#define FACTORSENSE_EXIT_GATE_H

/* Before an OpenBLAS or LAPACK call: counts it, or, once the gate is closed, never returns
 * (except on the thread that closed it, and on a thread already inside a call). */
void fsk_blas_begin(void);

/* After the call: it is no longer under way. */
void fsk_blas_end(void);

/* Before calling a caller's function: returns at once, or, once the gate is closed, never
 * returns (except on the thread that closed it). */
void fsk_callback_begin(void);

/* Closes the gate now, from the calling thread (the process is about to end); does not wait
 * for the calls under way (exit does). Idempotent. */
void fsk_exit_begin(void);

#endif
