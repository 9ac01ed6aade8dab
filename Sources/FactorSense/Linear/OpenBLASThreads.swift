import CBLAS

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
enum OpenBLASThreads {
    private static let single: Void = { openblas_set_num_threads(1) }()

    /// Makes sure OpenBLAS is single-threaded before a BLAS or LAPACK call (a one-time check).
    @inline(__always) static func ensureSingle() { _ = single }
}
