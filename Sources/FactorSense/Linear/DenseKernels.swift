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
    /// block read for 𝐀_b x is still in cache for 𝐀_bᵀρ_b), a multiple of the kernels' groups
    /// of 8 rows when it holds 8 (rows left over run one at a time). Where blocks end changes
    /// no value: the chunks' boundaries alone decide the order of the sums.
    static func blockRows(_ n: Int) -> Int {
        let rows = max(1, StopRequest.checkInterval / max(n, 1))
        return rows >= 8 ? rows - rows % 8 : rows
    }

    /// 𝐀x.
    public static func product(_ a: DenseEntries, rows m: Int, columns n: Int, _ x: [Double]) -> [Double] {
        x.withUnsafeBufferPointer { xp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: false) { block, rows, lanes in
                block.dots(rows.count, n, xp.baseAddress, lanes.perRow)
            }.perRow[0]
        }
    }

    /// 𝐀ᵀρ, as chunk-ordered sums of the blocks' 𝐀_bᵀρ_b.
    public static func transposedProduct(_ a: DenseEntries, rows m: Int, columns n: Int, _ rho: [Double]) -> [Double] {
        rho.withUnsafeBufferPointer { rp in
            accumulate(a, rows: m, columns: n, lanes: 1, partialSums: true) { block, rows, lanes in
                guard let r = rp.baseAddress else { return }
                block.adds(rows.count, n, r + rows.lowerBound, lanes.partial)
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
    /// is read from memory once, and the register-blocked kernel
    /// (`fsk_residual_adjoint_batch`) serves several trials with each load of a row of it.
    /// Trial t's values are bit for bit those of `residualAndAdjoint(a, …, x_t, y_t)`: every
    /// dot product and every row sum in the order of one trial alone, and the same
    /// chunk-ordered sums.
    public static func residualsAndAdjoints(_ a: DenseEntries, rows m: Int, columns n: Int,
                                            _ trials: [(x: [Double], y: [Double])]) -> (residuals: [[Double]], adjoints: [[Double]]) {
        let xs = trials.flatMap(\.x), ys = trials.flatMap(\.y)
        let (perRow, sums) = xs.withUnsafeBufferPointer { xp in
            ys.withUnsafeBufferPointer { yp in
                accumulate(a, rows: m, columns: n, lanes: trials.count, partialSums: true) { block, rows, lanes in
                    guard let xBase = xp.baseAddress, let yBase = yp.baseAddress else { return }
                    block.residualsAdjoints(rows.count, n, trials: trials.count, x: xBase, xStride: n,
                                            y: yBase + rows.lowerBound, yStride: m, lanes)
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

    /// Visits 𝐀 block by block, chunk by chunk: `visit(𝐀_b, rows of b, lanes)` gets the
    /// block's rows, their indices, and where each lane (trial) keeps its values for the block:
    /// its partial sum for the block's chunk (length n, zeroed at the start, when
    /// `partialSums`) and its slice of per-row values. Returns each lane's per-row values and
    /// its partial sums added in chunk order.
    private static func accumulate(
        _ a: DenseEntries, rows m: Int, columns n: Int, lanes: Int, partialSums: Bool,
        _ visit: (RowBlock, Range<Int>, LaneSlices) -> Void
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
                                visit(entries, block, LaneSlices(partial: pBase + chunk * width, partialStride: FixedChunks.count * width,
                                                                 perRow: rBase + start, perRowStride: m))
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

/// Where the lanes (trials) of a pass keep their values for one block: lane t's partial sum at
/// `partial + t · partialStride`, its per-row values at `perRow + t · perRowStride`.
private struct LaneSlices {
    let partial: UnsafeMutablePointer<Double>
    let partialStride: Int
    let perRow: UnsafeMutablePointer<Double>
    let perRowStride: Int
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

    /// For each trial t: ρ_it = 𝐚_i·x_t − y_it, then g_t ← g_t + ρ_it 𝐚_i, row after row, with
    /// x_t at `x + t · xStride`, y_t at `y + t · yStride`, ρ_t and g_t in `lanes`.
    func residualsAdjoints(_ rows: Int, _ n: Int, trials: Int, x: UnsafePointer<Double>, xStride: Int,
                           y: UnsafePointer<Double>, yStride: Int, _ lanes: LaneSlices) {
        switch precision {
        case .double:
            fsk_residual_adjoint_batch_f64(first.assumingMemoryBound(to: Double.self), rows, n, trials, x, xStride, y, yStride,
                                           lanes.perRow, lanes.perRowStride, lanes.partial, lanes.partialStride)
        case .single:
            fsk_residual_adjoint_batch_f32(first.assumingMemoryBound(to: Float.self), rows, n, trials, x, xStride, y, yStride,
                                           lanes.perRow, lanes.perRowStride, lanes.partial, lanes.partialStride)
        }
    }
}
