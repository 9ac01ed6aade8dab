import CBLAS
import CExitGate

/// What every OpenBLAS and LAPACK call of the library goes through: `begin()` before it and
/// `end()` after it (`begin(); defer { end() }` at the top of each function of `BLAS` and
/// `Factorizations`, the only code that calls CBLAS).
///
/// OpenBLAS runs on the calling thread only. The library's parallelism is its own — fixed row
/// chunks of the dense kernels, summed in a fixed order — so its results are the same bits for
/// every thread count; OpenBLAS's threaded kernels (GEMM, LAPACK's blocked factorizations,
/// long dot products) sum in an order that depends on `OPENBLAS_NUM_THREADS`, and nested inside
/// the library's own chunks they oversubscribe the cores. The first BLAS or LAPACK call sets the
/// OpenBLAS the library is linked with to one thread (`openblas_set_num_threads(1)`). In the
/// Python wheel that is the wheel's own, renamed copy, and the process's other OpenBLAS keeps its
/// threads; a library linked with the system's OpenBLAS pins it for the whole process, and a C
/// program that uses it for its own work may raise it again at the price of FactorSense's
/// bit-for-bit reproducibility (include/factorsense.h, "Threads").
///
/// The process may exit while threads are solving: the calls go through the exit gate
/// (Sources/CExitGate), which lets the calls under way finish before OpenBLAS's exit-time
/// teardown frees their buffers, and lets no thread start another one after it.
enum OpenBLASCalls {
    private static let single: Void = { openblas_set_num_threads(1) }()

    /// Before a BLAS or LAPACK call: OpenBLAS single-threaded (a one-time check) and the call
    /// counted; never returns on a thread other than the exiting one once the process exits.
    @inline(__always) static func begin() {
        _ = single
        fsk_blas_begin()
    }

    /// After the call.
    @inline(__always) static func end() {
        fsk_blas_end()
    }
}
