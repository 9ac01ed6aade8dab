import CBLAS
import Dispatch

/// Matrix–vector kernels for a dense row-major m × n matrix 𝐀 whose results do not depend on
/// the number of threads: the hot path of every dense operator.
///
/// The rows are cut into a fixed number of chunks (`chunkCount`, whatever the machine), and each
/// chunk into blocks of `blockRows(n)` rows (about 2¹⁶ entries). Each block is one or two
/// single-threaded OpenBLAS dgemv calls (OpenBLAS runs on one thread inside the library:
/// `OpenBLASThreads`), and the chunks' partial sums of 𝐀ᵀρ are added in chunk order, so the
/// rounding depends on m and n only. Chunks run in parallel on the machine's cores.
///
/// `residualAndAdjoint` is the fused kernel: for each block 𝐀_b it computes ρ_b = 𝐀_b x − y_b and
/// then adds 𝐀_bᵀρ_b while the block is still in cache, so 𝐀 is read from memory once per step.
///
/// Every chunk checks the current `StopRequest` between blocks; when it is made, the pass is
/// abandoned and its values are partial: callers check the request after a pass and throw its
/// values away.
enum DenseKernels {
    /// The fixed number of row chunks.
    public static let chunkCount = 8
    /// Below this many entries the chunks run one after another on the calling thread.
    static let parallelThreshold = 1 << 16

    /// The rows of one block for rows of n entries: about 2¹⁶ entries (a few hundred KB, so a
    /// block read for 𝐀_b x is still in cache for 𝐀_bᵀρ_b).
    static func blockRows(_ n: Int) -> Int { max(1, StopRequest.checkInterval / max(n, 1)) }

    /// 𝐀x.
    public static func product(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double]) -> [Double] {
        OpenBLASThreads.ensureSingle()
        return x.withUnsafeBufferPointer { xp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: false) { block, rows, _, _, out in
                gemv(CblasNoTrans, block, rows, n, xp.baseAddress, 0, out)
            }.perRow[0]
        }
    }

    /// 𝐀ᵀρ, as chunk-ordered sums of the blocks' 𝐀_bᵀρ_b.
    public static func transposedProduct(_ a: [Double], rows m: Int, columns n: Int, _ rho: [Double]) -> [Double] {
        OpenBLASThreads.ensureSingle()
        return rho.withUnsafeBufferPointer { rp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: true) { block, rows, _, partial, _ in
                guard let r = rp.baseAddress else { return }
                gemv(CblasTrans, block, rows, n, r + rows.lowerBound, 1, partial)
            }.sum[0]
        }
    }

    /// ρ = 𝐀x − y and g = 𝐀ᵀρ in one pass over 𝐀.
    public static func residualAndAdjoint(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double], _ y: [Double]) -> (residual: [Double], adjoint: [Double]) {
        let both = residualsAndAdjoints(a, rows: m, columns: n, [(x, y)])
        return (both.residuals[0], both.adjoints[0])
    }

    /// ρ_t = 𝐀x_t − y_t and g_t = 𝐀ᵀρ_t for several trials t in one pass over 𝐀: each block 𝐀_b
    /// is read from memory once and serves every trial while it is in cache. Trial t's values
    /// are bit for bit those of `residualAndAdjoint(a, …, x_t, y_t)`: the same dgemv calls on
    /// the same blocks, and the same chunk-ordered sums.
    public static func residualsAndAdjoints(_ a: [Double], rows m: Int, columns n: Int,
                                            _ trials: [(x: [Double], y: [Double])]) -> (residuals: [[Double]], adjoints: [[Double]]) {
        OpenBLASThreads.ensureSingle()
        let xs = trials.flatMap(\.x), ys = trials.flatMap(\.y)
        let (perRow, sums) = xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeBufferPointer { yp in
                accumulate(a, rows: m, columns: n, lanes: trials.count, partialSums: true) { block, rows, lane, partial, out in
                    guard let xBase = xp.baseAddress, let yBase = yp.baseAddress else { return }
                    let y = yBase + lane * m
                    gemv(CblasNoTrans, block, rows, n, xBase + lane * n, 0, out)
                    for i in 0..<rows.count { out[i] -= y[rows.lowerBound + i] }  // ρ_b = 𝐀_b x − y_b, as product(…) − y
                    gemv(CblasTrans, block, rows, n, UnsafePointer(out), 1, partial)  // g += 𝐀_bᵀ ρ_b
                }
            }
        }
        return (perRow, sums)
    }

    /// out ← op(𝐀_b)·v + β·out for the block 𝐀_b (its rows, n columns) of a row-major 𝐀.
    @inline(__always)
    private static func gemv(_ transpose: CBLAS_TRANSPOSE, _ block: UnsafePointer<Double>, _ rows: Range<Int>, _ n: Int,
                             _ v: UnsafePointer<Double>?, _ beta: Double, _ out: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasRowMajor, transpose, blasint(rows.count), blasint(n), 1, block, blasint(max(n, 1)),
                    v, 1, beta, out, 1)
    }

    /// Visits 𝐀 block by block, chunk by chunk, and each block once per lane (trial):
    /// `visit(𝐀_b, rows of b, lane, partial, out)` gets the block's first entry, its rows, the
    /// lane, the lane's partial sum for the block's chunk (length n, zeroed at the start, when
    /// `partialSums`) and the lane's slice of per-row values for the block. Returns each lane's
    /// per-row values and its partial sums added in chunk order.
    private static func accumulate(
        _ a: [Double], rows m: Int, columns n: Int, lanes: Int, partialSums: Bool,
        _ visit: (UnsafePointer<Double>, Range<Int>, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> (perRow: [[Double]], sum: [[Double]]) {
        let width = partialSums ? n : 0
        var partials = [Double](repeating: 0, count: lanes * chunkCount * width + 1)
        var perRow = [Double](repeating: 0, count: lanes * m + 1)
        if n > 0 {
            a.withUnsafeBufferPointer { ap in
                partials.withUnsafeMutableBufferPointer { pp in
                    perRow.withUnsafeMutableBufferPointer { rp in
                        guard let aBase = ap.baseAddress, let pBase = pp.baseAddress, let rBase = rp.baseAddress else { return }
                        let stop = StopRequest.current
                        let step = blockRows(n)
                        forEachChunk(rows: m, work: m * n * lanes) { chunk, rows in
                            for start in stride(from: rows.lowerBound, to: rows.upperBound, by: step) {
                                // A requested stop abandons the pass; the caller checks and discards it.
                                if stop?.isRequested == true { return }
                                let block = start..<min(start + step, rows.upperBound)
                                for lane in 0..<lanes {
                                    visit(aBase + start * n, block, lane, pBase + (lane * chunkCount + chunk) * width, rBase + lane * m + start)
                                }
                            }
                        }
                    }
                }
            }
        }
        let rowValues = (0..<lanes).map { Array(perRow[($0 * m)..<($0 * m + m)]) }
        let sums = (0..<lanes).map { lane in
            var sum = [Double](repeating: 0, count: width)
            for chunk in 0..<chunkCount {
                let base = (lane * chunkCount + chunk) * width
                for j in 0..<width { sum[j] += partials[base + j] }
            }
            return sum
        }
        return (rowValues, sums)
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
}

/// A value handed to concurrent chunks that each touch disjoint memory.
private struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
