import Dispatch

/// Work cut into a fixed number of contiguous chunks — `count`, whatever the machine — that run
/// in parallel on the cores when the work is large enough.
///
/// A computation whose chunks each do their own arithmetic, and whose cross-chunk sums are added
/// in chunk order, rounds the same way for every thread count: the chunk boundaries depend on
/// the sizes alone. The dense kernels (`DenseKernels`) and the identity operator's pass
/// (`IdentityOperator.residualAndGradient`) are built this way.
enum FixedChunks {
    /// The fixed number of chunks.
    static let count = 8

    /// Below this much work (entries, or multiply-adds of a product, times trials) the chunks run
    /// one after another on the calling thread: waking the other cores costs more than it saves
    /// on a pass of less than about 0.1 ms, and small problems run one per core instead
    /// (`fs.sweep`, docs/performance.md).
    static let parallelThreshold = 1 << 19

    /// The rows of chunk c: an even split of 0..<m into `count` contiguous ranges (some empty
    /// when m < `count`).
    static func range(_ c: Int, of m: Int) -> Range<Int> {
        (c * m / count)..<((c + 1) * m / count)
    }

    /// Σ_c P_c added in chunk order (0 + P_0 + P_1 + ⋯), for the `count` partial sums of `width`
    /// entries each stored one after another in `partials` from `offset`.
    static func sumInOrder(_ partials: [Double], width: Int, from offset: Int = 0) -> [Double] {
        var sum = [Double](repeating: 0, count: width)
        for c in 0..<count {
            let base = offset + c * width
            for j in 0..<width { sum[j] += partials[base + j] }
        }
        return sum
    }

    /// Runs `body(c, rows of chunk c)` for every chunk c, in parallel when `work` reaches
    /// `parallelThreshold`. The chunks must write disjoint memory.
    static func forEach(rows m: Int, work: Int, _ body: (Int, Range<Int>) -> Void) {
        withoutActuallyEscaping(body) { body in
            let run = UnsafeSendable(body)
            if work >= parallelThreshold {
                DispatchQueue.concurrentPerform(iterations: count) { c in run.value(c, range(c, of: m)) }
            } else {
                for c in 0..<count { run.value(c, range(c, of: m)) }
            }
        }
    }
}

/// A value handed to concurrent chunks that each touch disjoint memory.
struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
