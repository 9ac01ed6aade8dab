/// Mini-batches of b of m measurement indices, each drawn uniformly without replacement from the
/// `.minibatch` stream of a seed: a partial Fisher–Yates shuffle of a running permutation, which
/// gives a uniform b-subset each time whatever the permutation's order: for i = 0 ..< b, swap
/// entries i and i + next(upperBound: m − i) (`SeededGenerator`); the batch is the first b.
struct MiniBatchSampler: Sendable {
    private var permutation: [Int]
    private var generator: SeededGenerator
    public let batchSize: Int

    public init(count m: Int, batchSize b: Int, seed: UInt64) {
        self.permutation = Array(0..<m)
        self.batchSize = min(b, m)
        self.generator = SeededGenerator(seed: seed, stream: RandomStream.minibatch.rawValue)
    }

    /// The next batch of indices.
    public mutating func next() -> [Int] {
        let m = permutation.count
        for i in 0..<batchSize {
            let j = i + Int(generator.next(upperBound: UInt64(m - i)))
            permutation.swapAt(i, j)
        }
        return Array(permutation[0..<batchSize])
    }
}
