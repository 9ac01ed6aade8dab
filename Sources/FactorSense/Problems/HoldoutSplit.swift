extension SensingProblem {
    /// The problem's measurements split in two (docs/completion.md, "Holdout split"): a
    /// validation set of m_val = round(fraction · m) measurements (halves away from zero) and
    /// the training problem of the other m − m_val, each in the original order.
    ///
    /// Measurement i gets the key k_i = splitmix64(s + (i + 1)·γ), γ = 0x9E3779B97F4A7C15,
    /// s = splitmix64(seed) ⊕ (8·γ) — the (i+1)-th output of the splitmix64 sequence of the
    /// seed's stream 8 —, and the m_val measurements of smallest (k_i, i) are held out. So the
    /// split is a uniform random subset, the same for the same seed on every platform, and
    /// reproducible from this definition alone. Both problems keep the ground truth and the
    /// parameterization.
    ///
    /// - Throws: `.notFinite` for a NaN or infinite fraction, `.invalidArgument` for a fraction
    ///   outside (0, 1) or one that leaves either part empty, `.overflow`/`.outOfMemory` when
    ///   the two parts do not fit (`PeakMemory.holdout`).
    public func splitHoldout(fraction: Double, seed: UInt64) throws(FactorSenseError) -> (training: SensingProblem, validation: SensingProblem) {
        let heldOut = try Self.holdoutCount(fraction: fraction, measurements: measurementCount)
        try MemoryBudget.require(PeakMemory.holdout(self), for: "splitting a holdout off the problem with m = \(measurementCount)")
        let validationIndices = Self.holdoutIndices(count: heldOut, of: measurementCount, seed: seed)
        var isHeld = [Bool](repeating: false, count: measurementCount)
        for i in validationIndices { isHeld[i] = true }
        let trainingIndices = (0..<measurementCount).filter { !isHeld[$0] }
        func part(_ indices: [Int]) throws(FactorSenseError) -> SensingProblem {
            try SensingProblem(operator: sensingOperator.restricted(to: indices), measurements: indices.map { measurements[$0] },
                               groundTruth: groundTruth, parameterization: parameterization)
        }
        return (try part(trainingIndices), try part(validationIndices))
    }

    /// m_val = round(fraction · m), checked to leave both parts non-empty.
    static func holdoutCount(fraction: Double, measurements m: Int) throws(FactorSenseError) -> Int {
        guard fraction.isFinite else { throw FactorSenseError(.notFinite, "holdout must be finite, got \(fraction)") }
        guard fraction > 0, fraction < 1 else {
            throw FactorSenseError(.invalidArgument, "holdout must lie in (0, 1), got \(fraction)")
        }
        let count = Int((fraction * Double(m)).rounded())
        guard count >= 1, count <= m - 1 else {
            throw FactorSenseError(.invalidArgument,
                "holdout \(fraction) of m = \(m) measurements holds out \(count): both parts need at least one measurement")
        }
        return count
    }

    /// The indices of the `count` smallest keys (k_i, i), increasing.
    static func holdoutIndices(count: Int, of m: Int, seed: UInt64) -> [Int] {
        let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15
        let start = SeededGenerator.mix(seed) ^ (RandomStream.holdout.rawValue &* gamma)
        let keys = (0..<m).map { SeededGenerator.mix(start &+ UInt64($0 + 1) &* gamma) }
        let order = (0..<m).sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : $0 < $1 }
        return order.prefix(count).sorted()
    }
}
