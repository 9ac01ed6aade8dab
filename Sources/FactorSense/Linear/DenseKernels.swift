import CDenseKernels

/// Matrix–vector kernels for a dense row-major m × n matrix 𝐀, stored in double or single
/// precision (`DenseEntries`), whose results do not depend on the number of threads: the hot
/// path of every dense operator.
///
/// The rows are cut into a fixed number of chunks (`FixedChunks.count`, whatever the machine), and each
/// chunk into blocks of `blockRows(n)` rows (about 2¹⁶ entries). Within a block the row kernels of
/// `CDenseKernels` compute in double precision in an order fixed by n alone: each dot product
/// 𝐚_i·x as 16 interleaved partial sums of fused multiply-adds added by a fixed tree, each sum
/// g += ρ_i 𝐚_i row after row by one fused multiply-add an entry (Sources/CDenseKernels). The
/// chunks' partial sums of 𝐀ᵀρ are added in chunk order, so the rounding depends on m and n only
/// — not on the thread count, nor on which instruction set (AVX-512, AVX2 or the baseline) runs.
/// Chunks run in parallel on the machine's cores.
///
/// `residualAndAdjoint` is the fused kernel: for each group of rows it computes ρ_i = 𝐚_i·x − y_i
/// and then adds ρ_i 𝐚_i while the rows are still in cache, so 𝐀 is read from memory once per step.
///
/// Every chunk checks the current `StopRequest` between blocks; when it is made, the pass is
/// abandoned and its values are partial: callers check the request after a pass and throw its
/// values away.
enum DenseKernels {
    /// The rows of one block for rows of n entries: about 2¹⁶ entries (a few hundred KB, so a
    /// block read for 𝐀_b x is still in cache for 𝐀_bᵀρ_b).
    static func blockRows(_ n: Int) -> Int { max(1, StopRequest.checkInterval / max(n, 1)) }

    /// 𝐀x.
    public static func product(_ a: DenseEntries, rows m: Int, columns n: Int, _ x: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { xp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: false) { block, rows, _, _, out in
                block.dots(rows.count, n, xp.baseAddress, out)
            }.perRow[0]
        }
    }

    /// 𝐀ᵀρ, as chunk-ordered sums of the blocks' 𝐀_bᵀρ_b.
    public static func transposedProduct(_ a: DenseEntries, rows m: Int, columns n: Int, _ rho: [Double]) -> [Double] {
        rho.withUnsafeBufferPointer { rp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: true) { block, rows, _, partial, _ in
                guard let r = rp.baseAddress else { return }
                block.adds(rows.count, n, r + rows.lowerBound, partial)
            }.sum[0]
        }
    }

    /// ρ = 𝐀x − y and g = 𝐀ᵀρ in one pass over 𝐀: the bits of `product` minus y, and of
    /// `transposedProduct` of that ρ.
    public static func residualAndAdjoint(_ a: DenseEntries, rows m: Int, columns n: Int, _ x: [Double], _ y: [Double]) -> (residual: [Double], adjoint: [Double]) {
        let both = residualsAndAdjoints(a, rows: m, columns: n, [(x, y)])
        return (both.residuals[0], both.adjoints[0])
    }

    /// ρ_t = 𝐀x_t − y_t and g_t = 𝐀ᵀρ_t for several trials t in one pass over 𝐀: each block 𝐀_b
    /// is read from memory once and serves every trial while it is in cache. Trial t's values
    /// are bit for bit those of `residualAndAdjoint(a, …, x_t, y_t)`: the same row kernels on
    /// the same blocks, and the same chunk-ordered sums.
    public static func residualsAndAdjoints(_ a: DenseEntries, rows m: Int, columns n: Int,
                                            _ trials: [(x: [Double], y: [Double])]) -> (residuals: [[Double]], adjoints: [[Double]]) {
        let xs = trials.flatMap(\.x), ys = trials.flatMap(\.y)
        let (perRow, sums) = xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeBufferPointer { yp in
                accumulate(a, rows: m, columns: n, lanes: trials.count, partialSums: true) { block, rows, lane, partial, out in
                    guard let xBase = xp.baseAddress, let yBase = yp.baseAddress else { return }
                    block.residualAdjoint(rows.count, n, xBase + lane * n, yBase + lane * m + rows.lowerBound, out, partial)
                }
            }
        }
        return (perRow, sums)
    }

    /// The same kernels for a matrix of doubles.
    public static func product(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double]) -> [Double] {
        product(.double(a), rows: m, columns: n, x)
    }

    /// The same kernels for a matrix of doubles.
    public static func transposedProduct(_ a: [Double], rows m: Int, columns n: Int, _ rho: [Double]) -> [Double] {
        transposedProduct(.double(a), rows: m, columns: n, rho)
    }

    /// The same kernels for a matrix of doubles.
    public static func residualAndAdjoint(_ a: [Double], rows m: Int, columns n: Int, _ x: [Double], _ y: [Double]) -> (residual: [Double], adjoint: [Double]) {
        residualAndAdjoint(.double(a), rows: m, columns: n, x, y)
    }

    /// The same kernels for a matrix of doubles.
    public static func residualsAndAdjoints(_ a: [Double], rows m: Int, columns n: Int,
                                            _ trials: [(x: [Double], y: [Double])]) -> (residuals: [[Double]], adjoints: [[Double]]) {
        residualsAndAdjoints(.double(a), rows: m, columns: n, trials)
    }

    /// Visits 𝐀 block by block, chunk by chunk, and each block once per lane (trial):
    /// `visit(𝐀_b, rows of b, lane, partial, out)` gets the block's rows, their indices, the
    /// lane, the lane's partial sum for the block's chunk (length n, zeroed at the start, when
    /// `partialSums`) and the lane's slice of per-row values for the block. Returns each lane's
    /// per-row values and its partial sums added in chunk order.
    private static func accumulate(
        _ a: DenseEntries, rows m: Int, columns n: Int, lanes: Int, partialSums: Bool,
        _ visit: (RowBlock, Range<Int>, Int, UnsafeMutablePointer<Double>, UnsafeMutablePointer<Double>) -> Void
    ) -> (perRow: [[Double]], sum: [[Double]]) {
        let width = partialSums ? n : 0
        var partials = [Double](repeating: 0, count: lanes * FixedChunks.count * width + 1)
        var perRow = [Double](repeating: 0, count: lanes * m + 1)
        if n > 0 {
            a.withUnsafeEntries { aBase, precision in
                partials.withUnsafeMutableBufferPointer { pp in
                    perRow.withUnsafeMutableBufferPointer { rp in
                        guard let aBase, let pBase = pp.baseAddress, let rBase = rp.baseAddress else { return }
                        let stop = StopRequest.current
                        let step = blockRows(n)
                        FixedChunks.forEach(rows: m, work: m * n * lanes) { chunk, rows in
                            for start in stride(from: rows.lowerBound, to: rows.upperBound, by: step) {
                                // A requested stop abandons the pass; the caller checks and discards it.
                                if stop?.isRequested == true { return }
                                let block = start..<min(start + step, rows.upperBound)
                                let entries = RowBlock(first: aBase + start * n * precision.byteCount, precision: precision)
                                for lane in 0..<lanes {
                                    visit(entries, block, lane, pBase + (lane * FixedChunks.count + chunk) * width, rBase + lane * m + start)
                                }
                            }
                        }
                    }
                }
            }
        }
        let rowValues = (0..<lanes).map { Array(perRow[($0 * m)..<($0 * m + m)]) }
        let sums = (0..<lanes).map { FixedChunks.sumInOrder(partials, width: width, from: $0 * FixedChunks.count * width) }
        return (rowValues, sums)
    }
}

/// Consecutive rows of 𝐀 from `first`, in `precision`: the row kernels of `CDenseKernels`
/// (Sources/CDenseKernels/include/dense_kernels.h) for the matching storage.
private struct RowBlock {
    let first: UnsafeRawPointer
    let precision: DenseEntries.Precision

    /// out_i = 𝐚_i·x for the first `rows` rows.
    func dots(_ rows: Int, _ n: Int, _ x: UnsafePointer<Double>?, _ out: UnsafeMutablePointer<Double>) {
        switch precision {
        case .double: fsk_dot_rows_f64(first.assumingMemoryBound(to: Double.self), rows, n, x, out)
        case .single: fsk_dot_rows_f32(first.assumingMemoryBound(to: Float.self), rows, n, x, out)
        }
    }

    /// g ← g + Σ_i ρ_i 𝐚_i over the first `rows` rows.
    func adds(_ rows: Int, _ n: Int, _ rho: UnsafePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        switch precision {
        case .double: fsk_add_rows_f64(first.assumingMemoryBound(to: Double.self), rows, n, rho, g)
        case .single: fsk_add_rows_f32(first.assumingMemoryBound(to: Float.self), rows, n, rho, g)
        }
    }

    /// ρ_i = 𝐚_i·x − y_i, then g ← g + ρ_i 𝐚_i, row after row.
    func residualAdjoint(_ rows: Int, _ n: Int, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                         _ rho: UnsafeMutablePointer<Double>, _ g: UnsafeMutablePointer<Double>) {
        switch precision {
        case .double: fsk_residual_adjoint_f64(first.assumingMemoryBound(to: Double.self), rows, n, x, y, rho, g)
        case .single: fsk_residual_adjoint_f32(first.assumingMemoryBound(to: Float.self), rows, n, x, y, rho, g)
        }
    }
}
