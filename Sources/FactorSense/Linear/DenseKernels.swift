import CBLAS
import Dispatch

/// Matrix–vector kernels for a dense row-major m × n matrix 𝐀 whose results do not depend on
/// the number of threads: the hot path of every dense operator.
///
/// OpenBLAS's threaded dgemv can round differently with a different thread count, which would
/// break "same seed, same numbers on every thread count". Here the rows are cut into a fixed
/// number of chunks (`chunkCount`, whatever the machine), each row's dot product is a fixed
/// sequence of short OpenBLAS dot products (`dot`), and the chunks' partial sums of 𝐀ᵀρ are
/// added in chunk order. Chunks run in parallel on the machine's cores.
///
/// `residualAndAdjoint` is the fused one-pass kernel: it reads each row a_i once for both
/// ρ_i = a_iᵀx − y_i and the update g += ρ_i a_i, halving the memory traffic of two gemv calls.
///
/// Every chunk checks the current `StopRequest` between blocks of rows (about 2¹⁶ entries); when
/// it is made, the pass is abandoned and its values are partial: callers check the request after
/// a pass and throw its values away.
enum DenseKernels {
    /// The fixed number of row chunks.
    public static let chunkCount = 8
    /// Below this many entries the chunks run one after another on the calling thread.
    static let parallelThreshold = 1 << 16

    /// 𝐀x, each entry a dot product a_iᵀx.
    public static func product(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double]) -> [Double] {
        OpenBLASThreads.ensureSingle()
        return accumulate(a, rows: m, columns: n, partialSums: false) { row, _, i in dot(row, x, n) }.perRow
    }

    /// 𝐀ᵀρ, as chunk-ordered sums of ρ_i a_i.
    public static func transposedProduct(_ a: [Double], rows m: Int, columns n: Int, _ rho: [Double]) -> [Double] {
        OpenBLASThreads.ensureSingle()
        return accumulate(a, rows: m, columns: n, partialSums: true) { row, partial, i in
            axpy(rho[i], row, partial, n)
            return 0
        }.sum
    }

    /// ρ = 𝐀x − y and g = 𝐀ᵀρ in one pass over 𝐀.
    public static func residualAndAdjoint(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double], _ y: [Double]) -> (residual: [Double], adjoint: [Double]) {
        OpenBLASThreads.ensureSingle()
        let (residual, adjoint) = accumulate(a, rows: m, columns: n, partialSums: true) { row, partial, i in
            let r = dot(row, x, n) - y[i]
            axpy(r, row, partial, n)
            return r
        }
        return (residual, adjoint)
    }

    /// Visits every row a_i of 𝐀 chunk by chunk: `visit(a_i, partial, i)` gets its chunk's
    /// zeroed partial sum (length n, when `partialSums`) and returns the value for row i. Returns
    /// the row values and the partial sums added in chunk order.
    private static func accumulate(
        _ a: [Double], rows m: Int, columns n: Int, partialSums: Bool,
        _ visit: (UnsafePointer<Double>, UnsafeMutablePointer<Double>, Int) -> Double
    ) -> (perRow: [Double], sum: [Double]) {
        let width = partialSums ? n : 0
        var partials = [Double](repeating: 0, count: chunkCount * width + 1)
        var perRow = [Double](repeating: 0, count: m)
        a.withUnsafeBufferPointer { ap in
            partials.withUnsafeMutableBufferPointer { pp in
                perRow.withUnsafeMutableBufferPointer { rp in
                    guard let aBase = ap.baseAddress, let pBase = pp.baseAddress, let rBase = rp.baseAddress else { return }
                    let stop = StopRequest.current
                    let rowsPerCheck = max(1, StopRequest.checkInterval / max(n, 1))
                    forEachChunk(rows: m, work: m * n) { chunk, rows in
                        let partial = pBase + chunk * width
                        for i in rows {
                            // A requested stop abandons the pass; the caller checks and discards it.
                            if (i - rows.lowerBound) % rowsPerCheck == 0, stop?.isRequested == true { return }
                            rBase[i] = visit(aBase + i * n, partial, i)
                        }
                    }
                }
            }
        }
        var sum = [Double](repeating: 0, count: width)
        for chunk in 0..<chunkCount {
            for j in 0..<width { sum[j] += partials[chunk * width + j] }
        }
        return (perRow, sum)
    }

    /// The rows of chunk c: an even split of 0..<m into `chunkCount` contiguous ranges.
    static func chunk(_ c: Int, of m: Int) -> Range<Int> {
        (c * m / chunkCount)..<((c + 1) * m / chunkCount)
    }

    /// Runs `body(c, rows of chunk c)` for every chunk, in parallel when the work is large enough.
    private static func forEachChunk(rows m: Int, work: Int, _ body: (Int, Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { body in
            let run = UnsafeSendable(body)
            if work >= parallelThreshold {
                DispatchQueue.concurrentPerform(iterations: chunkCount) { c in run.value(c, chunk(c, of: m)) }
            } else {
                for c in 0..<chunkCount { run.value(c, chunk(c, of: m)) }
            }
        }
    }

    /// The longest segment handed to one `cblas_ddot`: OpenBLAS computes shorter dot products
    /// on the calling thread, so their rounding cannot depend on its thread count.
    static let dotSegment = 8192

    /// a_iᵀx, as the in-order sum of OpenBLAS dot products over segments of `dotSegment`.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ x: UnsafePointer<Double>, _ n: Int) -> Double {
        var total = 0.0
        var start = 0
        while start < n {
            let length = min(dotSegment, n - start)
            total += cblas_ddot(blasint(length), a + start, 1, x + start, 1)
            start += length
        }
        return total
    }

    /// y ← y + c·a, elementwise (no summation order to fix).
    @inline(__always)
    static func axpy(_ c: Double, _ a: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, _ n: Int) {
        cblas_daxpy(blasint(n), c, a, 1, y, 1)
    }
}

/// A value handed to concurrent chunks that each touch disjoint memory.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
